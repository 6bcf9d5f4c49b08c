"""Distress detection for one message: pure, no I/O, cheap after the lexicon is compiled."""

import re
from bisect import bisect_right
from typing import NamedTuple

from bot.domain.distress.lexicon import CompiledRule, Context, Lexicon
from bot.domain.distress.model import PRIORITY, Category, Detection, Severity
from bot.domain.distress.normalize import normalize_text
from bot.domain.distress.prefilter import find_literals

_SENTENCE = re.compile(r"[^.!?;\n]+[.!?;\n]*")


class _Hit(NamedTuple):
    category: Category
    severity: Severity
    rule: str


class _Sentence(NamedTuple):
    text: str
    info: bool  # an information or program question: nothing in it counts
    impersonal_question: bool  # a question with no first-person word in it
    exclusions: tuple[tuple[frozenset[Category], int, int], ...]
    dated_after: bool  # the next sentence dates it to the settled past ("That was years ago.")
    frames: tuple[tuple[int, int], ...]  # topic frames, and past frames if nothing is recent


def detect(text: str, lexicon: Lexicon) -> Detection | None:
    """Return the most urgent distress signal in `text`, or None.

    The message is folded (see normalize.py) and cut into sentences. Only the
    patterns whose literal anchors occur in it are tried (see prefilter.py). A
    match counts unless an exclusion overlaps it, a negator governs it, its
    sentence is an information question, or it merely mentions the topic in a
    settled-past clause, an impersonal question or a framed sentence (see _framed_out).
    """
    normalized = normalize_text(text, lexicon.normalizer)
    spans = list(_SENTENCE.finditer(normalized))
    live = _live_patterns(normalized, [m.start() for m in spans], lexicon)
    if not live:
        return None
    sentences = [m[0].strip() for m in spans]
    whole = " ".join(sentences)
    contexts: dict[int, _Sentence] = {}
    hits = []
    for rule_index, patterns in sorted(live.items()):
        rule = lexicon.rules[rule_index]
        if any(
            _counts(match, rule.category, rule.mention,
                    _cached(index, sentences, whole, contexts, lexicon), lexicon)
            for pattern_index, where in patterns.items()
            for index in (
                [-1] if rule.scope == "message"
                else sorted(where) if where is not None else range(len(sentences))
            )
            for match in rule.regexes[pattern_index].finditer(
                whole if index < 0 else sentences[index])
        ) and _co_occurs(rule, whole):
            hits.append(_Hit(rule.category, rule.severity, rule.id))
    if not hits:
        return None
    best = min((_escalate(hit, sentences, lexicon) for hit in hits), key=_urgency)
    return Detection(category=best.category, severity=best.severity, rule=best.rule)


def framed(text: str, lexicon: Lexicon) -> bool:
    """Whether the message talks about the topic (a class, the news, a group discussion),
    asks an information or program question, or looks back on a settled past without a
    recent marker. The rules judge such framing clause by clause; the learned backstop,
    which cannot, asks for a stronger vote."""
    ctx = lexicon.context
    normalized = normalize_text(text, lexicon.normalizer)
    return (ctx.topic_frame.search(normalized) is not None
            or ctx.info_frame.search(normalized) is not None
            or (ctx.past_frame.search(normalized) is not None
                and ctx.recent.search(normalized) is None))


def _co_occurs(rule: CompiledRule, whole: str) -> bool:
    """A rule's `requires` must occur somewhere in the message and its `unless` nowhere."""
    if rule.requires is not None and rule.requires.search(whole) is None:
        return False
    return rule.unless is None or rule.unless.search(whole) is None


def _live_patterns(
    text: str, sentence_starts: list[int], lexicon: Lexicon
) -> dict[int, dict[int, set[int] | None]]:
    """Patterns worth trying: rule -> pattern -> sentences holding its anchor (None: all)."""
    live: dict[int, dict[int, set[int] | None]] = {}
    for rule_index, pattern_index in lexicon.always:
        live.setdefault(rule_index, {})[pattern_index] = None
    for literal, position in find_literals(lexicon.literal_index, text):
        sentence = max(bisect_right(sentence_starts, position) - 1, 0)
        for rule_index, pattern_index in lexicon.anchors[literal]:
            patterns = live.setdefault(rule_index, {})
            where = patterns.setdefault(pattern_index, set())
            if where is not None:
                where.add(sentence)
    return live


def _cached(
    index: int, sentences: list[str], whole: str, contexts: dict[int, _Sentence],
    lexicon: Lexicon,
) -> _Sentence:
    """Context of sentences[index] (index -1: the whole message), worked out only once a
    pattern has matched there."""
    if index not in contexts:
        following = sentences[index + 1] if 0 <= index < len(sentences) - 1 else ""
        contexts[index] = _context(whole if index < 0 else sentences[index], following,
                                   lexicon)
    return contexts[index]


def _context(text: str, following: str, lexicon: Lexicon) -> _Sentence:
    ctx = lexicon.context
    present = {literal for literal, _ in find_literals(lexicon.exclusion_index, text)}
    frames = [m.span() for m in ctx.topic_frame.finditer(text)]
    if ctx.recent.search(text) is None:
        frames += [m.span() for m in ctx.past_frame.finditer(text)]
    return _Sentence(
        text=text,
        info=ctx.info_frame.search(text) is not None,
        impersonal_question="?" in text[-3:] and ctx.first_person.search(text) is None,
        exclusions=tuple(
            (exclusion.categories, *m.span())
            for exclusion in lexicon.exclusions
            if exclusion.literals is None or not present.isdisjoint(exclusion.literals)
            for m in exclusion.regex.finditer(text)
        ),
        dated_after=ctx.dated_after.match(following) is not None
        and ctx.settled_past.search(following) is not None
        and ctx.recent.search(following) is None,
        frames=tuple(frames),
    )


def _counts(
    match: re.Match[str], category: Category, mention: bool, sentence: _Sentence, lexicon: Lexicon
) -> bool:
    ctx = lexicon.context
    start, end = match.span()
    if sentence.info:
        return False
    if any(category in cats and lo < end and start < hi for cats, lo, hi in sentence.exclusions):
        return False
    clause_start, clause_end = _clause_bounds(sentence.text, start, ctx)
    comma = max(sentence.text.rfind(",", clause_start, start), sentence.text.rfind(":", 0, start))
    prefix = sentence.text[max(clause_start, comma + 1) : start]
    if ctx.negated[category].search(prefix):
        return False
    past = ctx.past_prefix.search(prefix) is not None or ctx.past_start.match(match[0]) is not None
    if not mention and not past:
        return True
    if sentence.impersonal_question:
        return False
    if mention and _framed_out(sentence, clause_start, clause_end, ctx):
        return False
    clause = sentence.text[clause_start:clause_end]
    if ctx.recent.search(clause) is not None:
        return True
    return ctx.settled_past.search(clause) is None and not sentence.dated_after


def _framed_out(sentence: _Sentence, start: int, end: int, ctx: Context) -> bool:
    """A mention in a sentence that talks about the topic ("in group we talked about
    suicide") or looks back on a settled past ("when I was suicidal, I'm in a better place
    now") is dropped, unless its clause, outside the frames, speaks of oneself now ("and
    I've been suicidal again"). A recent marker before the first frame dates the talk, not
    the person ("today in group we talked about suicide"), so it does not count."""
    if not sentence.frames:
        return False
    text = sentence.text
    for lo, hi in sentence.frames:
        text = text[:lo] + " " * (hi - lo) + text[hi:]
    first = min((lo for lo, _ in sentence.frames if start <= lo < end), default=start)
    return ctx.present.search(text[start:end]) is None \
        and ctx.recent.search(text[first:end]) is None


def _clause_bounds(text: str, position: int, ctx: Context) -> tuple[int, int]:
    start, end = 0, len(text)
    for m in ctx.clause_break.finditer(text):
        if m.end() <= position:
            start = m.end()
        elif m.start() >= position:
            end = m.start()
            break
    return start, end


def escalate(category: Category, severity: Severity, text: str,
             lexicon: Lexicon) -> tuple[Severity, str | None]:
    """A crisis becomes an emergency when one of the category's escalation patterns occurs
    in `text` (for detections that did not come from a rule); returns the escalation id."""
    sentences = [m[0].strip() for m in _SENTENCE.finditer(normalize_text(text,
                                                                         lexicon.normalizer))]
    hit = _escalate(_Hit(category, severity, ""), sentences, lexicon)
    return hit.severity, hit.rule or None


def _escalate(hit: _Hit, sentences: list[str], lexicon: Lexicon) -> _Hit:
    if hit.severity is Severity.EMERGENCY:
        return hit
    negated = lexicon.context.negated[hit.category]
    for escalation in lexicon.escalations:
        if escalation.category is hit.category and any(
            negated.search(sentence[: m.start()]) is None
            for sentence in sentences
            for m in escalation.regex.finditer(sentence)
        ):
            return _Hit(hit.category, Severity.EMERGENCY, escalation.id)
    return hit


def _urgency(hit: _Hit) -> tuple[bool, int]:
    return hit.severity is not Severity.EMERGENCY, PRIORITY.index(hit.category)
