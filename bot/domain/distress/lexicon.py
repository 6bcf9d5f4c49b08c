"""Load, merge and compile the TOML lexicon (see docs/safety.md, "The detector")."""

import re
import tomllib
from pathlib import Path
from re import Pattern
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from bot.domain.distress.model import DEFAULT_SEVERITY, Category, Severity
from bot.domain.distress.normalize import Normalizer, build_normalizer, prepare_pattern
from bot.domain.distress.prefilter import LiteralIndex, build_index, required_literals
from bot.paths import CONTENT

DEFAULT_PATH = CONTENT / "safety" / "lexicon.toml"

_MACRO = re.compile(r"\{([a-z_][a-z0-9_]*)\}")
_ID_KEYED = ("rule", "exclusion", "escalation")


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RuleSpec(_Spec):
    id: str
    category: Category
    severity: Severity | None = None
    mention: bool = False
    scope: Literal["sentence", "message"] = "sentence"
    patterns: list[str] = Field(min_length=1)
    # the rule counts only if one of these also occurs somewhere in the message...
    requires: list[str] = []
    # ...and none of these does (a resolution: "I blocked him", "I didn't answer")
    unless: list[str] = []


class ExclusionSpec(_Spec):
    id: str
    categories: list[Category] = []
    patterns: list[str] = Field(min_length=1)


class EscalationSpec(_Spec):
    id: str
    category: Category
    patterns: list[str] = Field(min_length=1)


class NormalizeSpec(_Spec):
    leet: dict[str, str] = {}
    words: dict[str, str] = {}
    emoji: dict[str, str] = {}


class FuzzySpec(_Spec):
    min_length: int = Field(default=6, ge=4)
    words: list[str] = []
    ignore: list[str] = []


class ContextSpec(_Spec):
    negators: list[str] = []
    negation_breakers: list[str] = []
    category_negators: dict[Category, list[str]] = {}
    past_prefixes: list[str] = []
    # a sentence opening with one of these refers back to the one before ("That was ...")
    dated_after: list[str] = []
    settled_past: list[str] = []
    recent: list[str] = []
    info_frames: list[str] = []
    first_person: list[str] = []
    clause_breaks: list[str] = []
    # talk about the topic, not of oneself now (a class, the news, a film); see framed()
    topic_frames: list[str] = []
    # a life settled since ("3 years clean"); a `recent` marker overrides it
    past_frames: list[str] = []
    # oneself now: keeps a mention in a framed sentence counting ("and I'm suicidal again")
    present: list[str] = []


class LexiconSpec(_Spec):
    version: int = 1
    disable: list[str] = []
    macros: dict[str, list[str]] = {}
    normalize: NormalizeSpec = NormalizeSpec()
    fuzzy: FuzzySpec = FuzzySpec()
    context: ContextSpec = ContextSpec()
    rule: list[RuleSpec] = []
    exclusion: list[ExclusionSpec] = []
    escalation: list[EscalationSpec] = []


class CompiledRule(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    category: Category
    severity: Severity
    mention: bool
    scope: Literal["sentence", "message"]
    regexes: tuple[Pattern[str], ...]  # one per pattern, so the prefilter can skip each
    requires: Pattern[str] | None = None  # must also occur somewhere in the message
    unless: Pattern[str] | None = None  # must not occur anywhere in the message


class CompiledExclusion(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    categories: frozenset[Category]
    regex: Pattern[str]
    literals: frozenset[str] | None  # one of them is in every match (None: unknown); prefilter


class CompiledEscalation(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    category: Category
    regex: Pattern[str]


class Context(BaseModel):
    model_config = ConfigDict(frozen=True)

    negated: dict[Category, Pattern[str]]
    past_prefix: Pattern[str]
    past_start: Pattern[str]  # a match that itself opens with a past prefix ("thought about ...")
    dated_after: Pattern[str]
    settled_past: Pattern[str]
    recent: Pattern[str]
    info_frame: Pattern[str]
    first_person: Pattern[str]
    clause_break: Pattern[str]
    topic_frame: Pattern[str]
    past_frame: Pattern[str]
    present: Pattern[str]


class Lexicon(BaseModel):
    model_config = ConfigDict(frozen=True)

    normalizer: Normalizer
    rules: tuple[CompiledRule, ...]
    # literal -> (rule index, pattern index) of the patterns that need it; see prefilter.py
    anchors: dict[str, tuple[tuple[int, int], ...]]
    literal_index: LiteralIndex
    always: tuple[tuple[int, int], ...]  # patterns without a usable literal
    exclusions: tuple[CompiledExclusion, ...]
    exclusion_index: LiteralIndex  # the exclusions' literals
    escalations: tuple[CompiledEscalation, ...]
    context: Context


def load_lexicon(path: Path | None = None, extra: Path | None = None) -> Lexicon:
    """Read the base lexicon (default: the repo's) and optionally a clinic file merged over it.

    Merge rules: tables merge key by key, plain lists (macros, context words, fuzzy
    words) are appended, [[rule]]/[[exclusion]]/[[escalation]] entries replace
    same-id entries or are added, and ids listed in `disable` are dropped.
    """
    data = _read(path or DEFAULT_PATH)
    if extra is not None:
        data = merge(data, _read(extra))
    return compile_lexicon(LexiconSpec.model_validate(data))


def merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in extra.items():
        current = merged.get(key)
        if isinstance(current, dict) and isinstance(value, dict):
            merged[key] = merge(current, value)
        elif key in _ID_KEYED and isinstance(current, list) and isinstance(value, list):
            by_id = {entry.get("id"): entry for entry in current}
            by_id.update({entry.get("id"): entry for entry in value})
            merged[key] = list(by_id.values())
        elif isinstance(current, list) and isinstance(value, list):
            merged[key] = current + value
        else:
            merged[key] = value
    return merged


def compile_lexicon(spec: LexiconSpec) -> Lexicon:
    nz = build_normalizer(
        emoji=_single_codepoint_emoji(spec.normalize.emoji),
        leet=spec.normalize.leet,
        words=spec.normalize.words,
        fuzzy_words=spec.fuzzy.words,
        fuzzy_ignore=spec.fuzzy.ignore,
        fuzzy_min_length=spec.fuzzy.min_length,
    )
    disabled = set(spec.disable)

    def regex(patterns: list[str], owner: str) -> Pattern[str]:
        return _compile(patterns, spec.macros, nz, owner)

    enabled = [r for r in spec.rule if r.id not in disabled]
    if not enabled:
        raise ValueError("lexicon has no rules")
    rules: list[CompiledRule] = []
    anchors: dict[str, list[tuple[int, int]]] = {}
    always: list[tuple[int, int]] = []
    for rule_index, r in enumerate(enabled):
        sources = _prepared(r.patterns, spec.macros, nz, r.id)
        for pattern_index, source in enumerate(sources):
            literals = required_literals(source)
            for literal in literals or ():
                anchors.setdefault(literal, []).append((rule_index, pattern_index))
            if literals is None:
                always.append((rule_index, pattern_index))
        rules.append(
            CompiledRule(
                id=r.id,
                category=r.category,
                severity=r.severity or DEFAULT_SEVERITY[r.category],
                mention=r.mention,
                scope=r.scope,
                regexes=tuple(_wrap(source) for source in sources),
                requires=regex(r.requires, r.id) if r.requires else None,
                unless=regex(r.unless, r.id) if r.unless else None,
            )
        )
    exclusions = tuple(
        CompiledExclusion(
            id=e.id,
            categories=frozenset(e.categories or Category),
            regex=regex(e.patterns, e.id),
            literals=_any_literals(_prepared(e.patterns, spec.macros, nz, e.id)),
        )
        for e in spec.exclusion
        if e.id not in disabled
    )
    return Lexicon(
        normalizer=nz,
        rules=tuple(rules),
        anchors={literal: tuple(refs) for literal, refs in anchors.items()},
        literal_index=build_index(anchors),
        always=tuple(always),
        exclusions=exclusions,
        exclusion_index=build_index(word for e in exclusions for word in e.literals or ()),
        escalations=tuple(
            CompiledEscalation(id=e.id, category=e.category, regex=regex(e.patterns, e.id))
            for e in spec.escalation
            if e.id not in disabled
        ),
        context=_compile_context(spec, nz),
    )


def _any_literals(sources: list[str]) -> frozenset[str] | None:
    """Literals one of which every match of the sources' alternation contains."""
    found: set[str] = set()
    for source in sources:
        literals = required_literals(source)
        if literals is None:
            return None
        found |= literals
    return frozenset(found)


def _compile_context(spec: LexiconSpec, nz: Normalizer) -> Context:
    ctx = spec.context

    def regex(patterns: list[str], owner: str) -> Pattern[str]:
        return _compile(patterns or ["(?!)"], spec.macros, nz, owner)

    def negation(extra: list[str]) -> Pattern[str]:
        negators = _alternation(ctx.negators + extra, spec.macros, nz, "negators")
        breakers = _alternation(ctx.negation_breakers, spec.macros, nz, "negation_breakers")
        # A negator governs a match only if at most four words, none of them a new
        # subject or conjunction, stand between it and the match.
        return re.compile(rf"(?<!\w)(?:{negators})(?:\W+(?!(?:{breakers})(?!\w))\w+){{0,4}}\W*$")

    return Context(
        negated={c: negation(ctx.category_negators.get(c, [])) for c in Category},
        past_prefix=re.compile(
            rf"(?<!\w)(?:{_alternation(ctx.past_prefixes, spec.macros, nz, 'past')})"
            r"(?:\W+\w+){0,2}\W*$"
        ),
        past_start=re.compile(
            rf"(?:{_alternation(ctx.past_prefixes, spec.macros, nz, 'past')})(?!\w)"
        ),
        dated_after=re.compile(
            rf"(?:{_alternation(ctx.dated_after, spec.macros, nz, 'dated_after')})(?!\w)"
        ),
        settled_past=regex(ctx.settled_past, "settled_past"),
        recent=regex(ctx.recent, "recent"),
        info_frame=regex(ctx.info_frames, "info_frames"),
        first_person=regex(ctx.first_person, "first_person"),
        clause_break=regex(ctx.clause_breaks, "clause_breaks"),
        topic_frame=regex(ctx.topic_frames, "topic_frames"),
        past_frame=regex(ctx.past_frames + ctx.settled_past, "past_frames"),
        present=regex(ctx.present, "present"),
    )


def _compile(patterns: list[str], macros: dict[str, list[str]], nz: Normalizer,
             owner: str) -> Pattern[str]:
    return _wrap(_alternation(patterns, macros, nz, owner))


def _wrap(source: str) -> Pattern[str]:
    """Match whole words only: no letter or digit may touch either end."""
    return re.compile(rf"(?<!\w)(?:{source})(?!\w)")


def _alternation(patterns: list[str], macros: dict[str, list[str]], nz: Normalizer,
                 owner: str) -> str:
    return "|".join(f"(?:{p})" for p in _prepared(patterns, macros, nz, owner) or ["(?!)"])


def _prepared(patterns: list[str], macros: dict[str, list[str]], nz: Normalizer,
              owner: str) -> list[str]:
    parts = [prepare_pattern(_expand(p, macros, owner), nz) for p in patterns]
    for part in parts:
        if part != part.strip():
            raise ValueError(f"lexicon entry {owner!r}: pattern starts or ends with a space")
        try:
            re.compile(part)
        except re.error as error:
            raise ValueError(f"lexicon entry {owner!r}: bad pattern: {error}") from error
    return parts


def _expand(pattern: str, macros: dict[str, list[str]], owner: str, depth: int = 0) -> str:
    if depth > 5:
        raise ValueError(f"lexicon entry {owner!r}: macros nested too deeply")

    def substitute(match: re.Match[str]) -> str:
        name = match[1]
        if name not in macros:
            raise ValueError(f"lexicon entry {owner!r}: unknown macro {{{name}}}")
        body = "|".join(_expand(alt, macros, owner, depth + 1) for alt in macros[name])
        return f"(?:{body})"

    return _MACRO.sub(substitute, pattern)


def _single_codepoint_emoji(emoji: dict[str, str]) -> dict[str, str]:
    for key in emoji:
        visible = [c for c in key if c not in "\ufe0e\ufe0f\u200d"]
        if len(visible) != 1:
            raise ValueError(f"emoji key {key!r} must be a single emoji character")
    return emoji


def _read(path: Path) -> dict[str, Any]:
    with path.open("rb") as handle:
        return tomllib.load(handle)
