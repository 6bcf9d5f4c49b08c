"""Literal prefilter: skip every pattern whose required text is absent from a message.

For each compiled pattern we derive, from its regex syntax tree, a small set of
literal strings such that any match must contain at least one of them. At run
time a pattern is tried only if one of its literals occurs in the folded
message, so a long ordinary message costs a few substring checks instead of
hundreds of regex scans. A pattern with no usable literal is always tried, so
the filter can only save time, never hide a match.

`re._parser` is CPython's own regex parser, the one `re.compile` uses. It is
private (it was `sre_parse` before 3.11), so tests/unit/test_distress.py checks
that detection with and without this filter agrees on the whole eval set.
"""

import re
from collections.abc import Iterable, Iterator
from re import Pattern
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict

if TYPE_CHECKING:  # typeshed describes these modules under their old names
    import sre_constants as sre
    import sre_parse as _parser
else:
    from re import _constants as sre
    from re import _parser

# Frequent words make a useless filter: a literal made only of them scores 1.
_COMMON = frozenset(
    "i im me my to a an the and or of in on at it is be do go so no not you he she they we "
    "will just want going get got have had was are de la el en que y me mi lo se un una por "
    "con para no ya es".split()
)
_MIN_STRENGTH = 2
_MAX_STRINGS = 64
_REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT)

Literals = frozenset[str]
Node = tuple[object, Any]  # (opcode, argument); the argument's shape depends on the opcode
Trie = dict[str, "Trie"]


def required_literals(pattern: str) -> Literals | None:
    """Literals one of which every match of `pattern` contains, or None if unknown or weak."""
    required = _sequence(_parser.parse(pattern).data)
    if required is None or _weakest(required) < _MIN_STRENGTH:
        return None
    return required


def _sequence(nodes: Iterable[Node]) -> Literals | None:
    """Best requirement of a node sequence.

    Candidates are each run of fixed text, each node with a few alternative texts,
    and the joined texts of consecutive fixed nodes; any one of them is required.
    """
    options: list[set[str]] = []
    run, span = "", {""}
    for op, av in nodes:
        exact = _exact_node(op, av)
        if exact is not None and len(exact) == 1:
            run += next(iter(exact))
        else:
            options.append({run})
            if exact is not None:
                options += [exact, {run + text for text in exact}]
            elif (required := _node(op, av)) is not None:
                options.append(set(required))
            run = ""
        if exact is None:
            options.append(span)
            span = {""}
            continue
        joined = {a + b for a in span for b in exact}
        if len(joined) > _MAX_STRINGS:
            options.append(span)
            joined = exact
        span = joined
    options += [{run}, span]
    usable = [frozenset(o) for o in options if "" not in o and len(o) <= _MAX_STRINGS]
    return max(usable, key=_preference, default=None)


def _exact_node(op: object, av: Any) -> set[str] | None:
    """All strings a node can match, when that is a small finite set."""
    if op is sre.LITERAL:
        return {chr(av)}
    if op is sre.SUBPATTERN:
        return _exact(av[3])
    if op is sre.BRANCH:
        union: set[str] = set()
        for branch in av[1]:
            if (exact := _exact(branch)) is None:
                return None
            union |= exact
        return union if len(union) <= _MAX_STRINGS else None
    if op in _REPEATS and (av[0], av[1]) == (0, 1):
        inner = _exact(av[2])
        return None if inner is None else inner | {""}
    return None


def _exact(nodes: Iterable[Node]) -> set[str] | None:
    strings = {""}
    for op, av in nodes:
        exact = _exact_node(op, av)
        if exact is None:
            return None
        strings = {a + b for a in strings for b in exact}
        if len(strings) > _MAX_STRINGS:
            return None
    return strings


def _node(op: object, av: Any) -> Literals | None:
    if op is sre.SUBPATTERN:
        return _sequence(av[3])
    if op is sre.ATOMIC_GROUP:
        return _sequence(av)
    if op in _REPEATS and av[0] >= 1:
        return _sequence(av[2])
    if op is sre.BRANCH:
        required: set[str] = set()
        for branch in av[1]:
            if (found := _sequence(branch)) is None:
                return None
            required |= found
        return frozenset(required)
    return None


def _preference(literals: Literals) -> tuple[bool, int, int]:
    """Strong enough first, then fewest strings to check, then longest weakest string."""
    weakest = _weakest(literals)
    return weakest >= _MIN_STRENGTH, -len(literals), weakest


def _weakest(literals: Literals) -> int:
    return min(1 if text.strip() in _COMMON else len(text.strip()) for text in literals)


class LiteralIndex(BaseModel):
    """Finds every anchor literal in a text in one regex pass."""

    model_config = ConfigDict(frozen=True)

    regex: Pattern[str]  # a trie of all literals inside a lookahead, so matches may overlap
    with_prefixes: dict[str, tuple[str, ...]]  # literal -> it and its prefixes that are literals


def build_index(literals: Iterable[str]) -> LiteralIndex:
    unique = set(literals)
    trie: Trie = {}
    for literal in unique:
        node = trie
        for char in literal:
            node = node.setdefault(char, {})
        node[""] = {}
    return LiteralIndex(
        regex=re.compile(f"(?=({_trie_regex(trie) or '(?!)'}))"),
        with_prefixes={
            literal: tuple(literal[:n] for n in range(1, len(literal) + 1) if literal[:n] in unique)
            for literal in unique
        },
    )


def find_literals(index: LiteralIndex, text: str) -> Iterator[tuple[str, int]]:
    """Yield (literal, position) for every occurrence of every literal."""
    for match in index.regex.finditer(text):
        for literal in index.with_prefixes[match[1]]:
            yield literal, match.start()


def _trie_regex(node: Trie) -> str:
    # The longest literal wins at each position; shorter ones are recovered as prefixes.
    branches = [
        re.escape(char) + _trie_regex(child) for char, child in sorted(node.items()) if char
    ]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"
    return f"(?:{body})?" if "" in node else body
