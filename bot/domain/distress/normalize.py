"""Text normalization shared by messages and lexicon patterns.

Messages and patterns go through the same folding (accents, apostrophes, doubled
letters, slang words), so a lexicon author writes plain spelling ("don't", "kill",
"está") and it still meets "dont", "killll", "kil" and "esta" in a message.
"""

import re
import unicodedata
from re import Pattern

from pydantic import BaseModel, ConfigDict
from rapidfuzz import process
from rapidfuzz.distance import OSA

_COMBINING = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_LEET_TOKEN = re.compile(
    r"(?<![\w@$])(?=[\w@$]*[a-z])(?=[\w@$]*[013457@$])"
    r"(?![0-9]+[a-z]{0,3}(?![\w@$]))[\w@$]+"  # keep "800mg", "2nd", "10pm" as they are
)
# Doubled letters are squeezed, except "oo" ("shoot"/"shot", "soon"/"son" must stay apart).
_DOUBLED = re.compile(r"([a-np-z])\1+|o{3,}")
_PATTERN_DOUBLED = re.compile(r"(?<!\\)(?:([a-np-z])\1+|o{3,})")
_PATTERN_UPPER = re.compile(r"(?<!\\)[A-Z]")
_SPACED_LETTERS = re.compile(r"(?<!\w)(?:[a-z] ){2,}[a-z](?!\w)")  # "d i e" -> "die"
_BLANKS = re.compile(r"[^\S\n]+")

_APOSTROPHES = "'’‘`´ʼ′"
_INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff\ufe0e\ufe0f"
_TEXT_ONLY = {
    **{code: " " for code in (*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F)},
    **{ord(c): "\n" for c in "\r\u2028\u2029"},
    **{ord(c): " " for c in "¿¡-–—_"},
}


class Normalizer(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    text_table: dict[int, str]
    pattern_table: dict[int, str]
    leet: dict[int, str]
    words: dict[str, str]
    words_in_text: Pattern[str] | None
    words_in_pattern: Pattern[str] | None
    fuzzy_token: Pattern[str]
    fuzzy_by_initial: dict[str, tuple[str, ...]]
    fuzzy_known: frozenset[str]


def build_normalizer(
    emoji: dict[str, str],
    leet: dict[str, str],
    words: dict[str, str],
    fuzzy_words: list[str],
    fuzzy_ignore: list[str],
    fuzzy_min_length: int,
) -> Normalizer:
    emoji_table = {ord(_strip_invisible(k)): f" emoji_{v} " for k, v in emoji.items()}
    common = {**{ord(c): "" for c in _APOSTROPHES + _INVISIBLE}, **emoji_table}
    base = Normalizer(
        text_table={**common, **_TEXT_ONLY},
        pattern_table=common,
        leet={ord(k): v for k, v in leet.items()},
        words={},
        words_in_text=None,
        words_in_pattern=None,
        fuzzy_token=re.compile(rf"[a-z]{{{fuzzy_min_length},}}"),
        fuzzy_by_initial={},
        fuzzy_known=frozenset(),
    )
    folded_words = {_fold(k, base): _fold(v, base) for k, v in words.items()}
    alternation = "|".join(sorted(map(re.escape, folded_words), key=len, reverse=True))
    canon = sorted({_fold(w, base) for w in fuzzy_words})
    by_initial: dict[str, list[str]] = {}
    for word in canon:
        by_initial.setdefault(word[0], []).append(word)
    return base.model_copy(
        update={
            "words": folded_words,
            "words_in_text": re.compile(rf"(?<!\w)(?:{alternation})(?!\w)") if words else None,
            "words_in_pattern": (
                re.compile(rf"(?<![\w\\])(?:{alternation})(?!\w)") if words else None
            ),
            "fuzzy_by_initial": {k: tuple(v) for k, v in by_initial.items()},
            "fuzzy_known": frozenset(canon) | {_fold(w, base) for w in fuzzy_ignore},
        }
    )


def normalize_text(text: str, nz: Normalizer) -> str:
    """Fold a message: compatibility forms, case, accents, emoji, leetspeak, repeats, slang."""
    text = _fold(text, nz, nz.text_table)
    if nz.words_in_text is not None:
        text = nz.words_in_text.sub(lambda m: nz.words[m[0]], text)
    text = _SPACED_LETTERS.sub(lambda m: m[0].replace(" ", ""), text)
    text = _fix_typos(text, nz)
    return _BLANKS.sub(" ", text)


def prepare_pattern(source: str, nz: Normalizer) -> str:
    """Fold a regex from the lexicon the same way messages are folded, escapes left intact."""
    source = _COMBINING.sub("", unicodedata.normalize("NFKD", source)).translate(nz.pattern_table)
    source = _PATTERN_UPPER.sub(lambda m: m[0].lower(), source)
    source = _PATTERN_DOUBLED.sub(_first_letter, source)
    if nz.words_in_pattern is not None:
        source = nz.words_in_pattern.sub(lambda m: nz.words[m[0]], source)
    return source


def _fold(text: str, nz: Normalizer, table: dict[int, str] | None = None) -> str:
    text = _COMBINING.sub("", unicodedata.normalize("NFKD", text)).casefold()
    text = text.translate(nz.text_table if table is None else table)
    text = _LEET_TOKEN.sub(lambda m: m[0].translate(nz.leet), text)
    return _DOUBLED.sub(_first_letter, text)


def _fix_typos(text: str, nz: Normalizer) -> str:
    """Replace near-misses of a few distinctive risk words ("sucide", "narcon")."""
    fixes: dict[str, str] = {}
    for token in set(nz.fuzzy_token.findall(text)) - nz.fuzzy_known:
        choices = nz.fuzzy_by_initial.get(token[0])
        if not choices:
            continue
        limit = 1 if len(token) <= 8 else 2
        best = process.extractOne(token, choices, scorer=OSA.distance, score_cutoff=limit)
        if best is not None:
            fixes[token] = best[0]
    if not fixes:
        return text
    found = re.compile(rf"(?<![a-z])(?:{'|'.join(fixes)})(?![a-z])")
    return found.sub(lambda m: fixes[m[0]], text)


def _first_letter(match: re.Match[str]) -> str:
    return match[0][0]


def _strip_invisible(text: str) -> str:
    return "".join(c for c in text if c not in _INVISIBLE)
