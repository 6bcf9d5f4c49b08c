"""Intake answers, the question order, and parsers for what people type."""

import re
import unicodedata
from enum import Enum, StrEnum
from typing import Annotated, Any, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, field_validator

NAME_LIMIT = 64
BEST_TIMES_LIMIT = 200
NOTES_LIMIT = 1000
ELSEWHERE = "elsewhere"


class Subject(StrEnum):
    SELF = "self"
    LOVED_ONE = "loved_one"


class Relation(StrEnum):
    """Who the loved one is to the person asking: "my son"."""

    SON = "son"
    DAUGHTER = "daughter"
    PARTNER = "partner"
    PARENT = "parent"
    SIBLING = "sibling"
    FRIEND = "friend"
    OTHER = "other"


class YesNo(StrEnum):
    YES = "yes"
    NO = "no"
    PREFER_NOT = "prefer_not"


class Pregnancy(StrEnum):
    YES = "yes"
    NO = "no"
    NOT_APPLICABLE = "not_applicable"
    PREFER_NOT = "prefer_not"


class MentalHealth(StrEnum):
    YES = "yes"
    NO = "no"
    UNSURE = "unsure"
    PREFER_NOT = "prefer_not"


class ContactMethod(StrEnum):
    TELEGRAM = "telegram"
    PHONE = "phone"


class Step(StrEnum):
    """One question; each value is also the name of the `Answers` field it fills."""

    SUBJECT = "subject"
    RELATION = "relation"
    NAME = "name"
    AGE = "age"
    STATE = "state"
    INJECTION = "injection"
    PREGNANCY = "pregnancy"
    DISCHARGE = "discharge"
    MENTAL_HEALTH = "mental_health"
    CONTACT = "contact"
    PHONE = "phone"
    BEST_TIMES = "best_times"
    NOTES = "notes"
    SUMMARY = "summary"


STEPS = tuple(Step)
QUESTIONS = STEPS[:-1]


class Answers(BaseModel):
    """What the person has told us so far; None means not asked yet.

    Every question but `relation` is asked on both paths. On the loved-one path the answers
    describe the loved one (the future client), not the family member typing, except the
    contact details, which are the family member's own. `notes` is optional: the empty
    string means the person skipped it.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    subject: Subject | None = None
    relation: Relation | None = None
    name: Annotated[str, Field(min_length=1, max_length=NAME_LIMIT)] | None = None
    age: Annotated[int, Field(ge=0, le=120)] | None = None
    state: str | None = None
    injection: YesNo | None = None
    pregnancy: Pregnancy | None = None
    discharge: YesNo | None = None
    mental_health: MentalHealth | None = None
    contact: ContactMethod | None = None
    phone: Annotated[str, Field(pattern=r"^\+[1-9]\d{6,14}$")] | None = None
    best_times: Annotated[str, Field(min_length=1, max_length=BEST_TIMES_LIMIT)] | None = None
    notes: Annotated[str, Field(max_length=NOTES_LIMIT)] | None = None

    @field_validator("state")
    @classmethod
    def _state(cls, value: str | None) -> str | None:
        if value is None or value == ELSEWHERE:
            return value
        code = value.strip().upper()
        if not re.fullmatch(r"[A-Z]{2}", code):
            raise ValueError(f"state must be a two-letter code or {ELSEWHERE!r}")
        return code


class Incomplete(ValueError):
    """A decision was asked for before the answers it depends on were given."""

    def __init__(self, fields: list[Step]) -> None:
        super().__init__(f"unanswered: {', '.join(fields)}")
        self.fields = tuple(fields)


def _asked(answers: Answers, step: Step) -> bool:
    if step is Step.RELATION:
        return answers.subject is Subject.LOVED_ONE
    return step is not Step.PHONE or answers.contact is ContactMethod.PHONE


def missing_fields(answers: Answers) -> list[Step]:
    """Unanswered questions in asking order; the relation only counts on the loved-one path,
    the phone only when phone was chosen."""
    return [
        step for step in QUESTIONS
        if _asked(answers, step) and getattr(answers, step) is None
    ]


def is_complete(answers: Answers) -> bool:
    return not missing_fields(answers)


def next_step(answers: Answers) -> Step:
    """The first unanswered question, so after Back and a new answer nothing is asked twice."""
    missing = missing_fields(answers)
    return missing[0] if missing else Step.SUMMARY


def previous_step(answers: Answers, step: Step) -> Step | None:
    """Where Back goes from `step`; None on the first question. Skips unused questions."""
    earlier = [s for s in STEPS[: STEPS.index(step)] if _asked(answers, s)]
    return earlier[-1] if earlier else None


def record(answers: Answers, step: Step, value: Any) -> Answers:
    """A validated copy with `step` answered; choosing Telegram forgets any phone given, and
    asking for oneself forgets the relation."""
    if step is Step.SUMMARY:
        raise ValueError("the summary is not a question")
    data = answers.model_dump() | {step.value: value}
    if data["contact"] == ContactMethod.TELEGRAM:
        data["phone"] = None
    if data["subject"] == Subject.SELF:
        data["relation"] = None
    return Answers.model_validate(data)


class Problem(Enum):
    """Why typed text was not accepted; the chat handler turns it into a kind re-ask."""

    EMPTY = "empty"
    TOO_LONG = "too_long"
    TOO_SHORT = "too_short"
    NOT_A_NUMBER = "not_a_number"
    AMBIGUOUS = "ambiguous"
    OUT_OF_RANGE = "out_of_range"
    LETTERS = "letters"
    INVALID = "invalid"
    NO_LETTERS = "no_letters"
    URL = "url"
    BAD_CHARACTERS = "bad_characters"
    UNKNOWN_STATE = "unknown_state"


class Cleaned(NamedTuple):
    text: str
    cut: bool


_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _is_control(char: str) -> bool:
    return (unicodedata.category(char) == "Cc" and char not in "\t\n\r") or char in _BIDI_CONTROLS


def _collapse(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def clean_free_text(text: str, limit: int) -> Cleaned:
    """Drop control characters, collapse whitespace, and cut to `limit` characters."""
    if limit < 1:
        raise ValueError("limit must be positive")
    text = _collapse("".join(" " if _is_control(c) else c for c in text))
    if len(text) <= limit:
        return Cleaned(text, cut=False)
    return Cleaned(text[:limit].rstrip(), cut=True)


_URL = re.compile(r"https?://|www\.|t\.me/|\.(?:com|net|org|io|me|ly|ru|xyz|info|biz)\b", re.I)


def parse_name(text: str) -> str | Problem:
    """A name to address the person by: needs a letter so staff can say it out loud."""
    if any(_is_control(c) for c in text):
        return Problem.BAD_CHARACTERS
    name = _collapse(text)
    if not name:
        return Problem.EMPTY
    if len(name) > NAME_LIMIT:
        return Problem.TOO_LONG
    if _URL.search(name):
        return Problem.URL
    if not any(unicodedata.category(c).startswith("L") for c in name):
        return Problem.NO_LETTERS
    return name


_AGE_TEXT_LIMIT = 64
_NUMBER = re.compile(r"(?<!\w)([-−–])?(\d+(?:[.,]\d+)?)")
_UNITS = {
    word: n for n, word in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen "
        "fourteen fifteen sixteen seventeen eighteen nineteen".split()
    )
}
_TENS = {
    word: 10 * n for n, word in enumerate(
        "twenty thirty forty fifty sixty seventy eighty ninety".split(), start=2
    )
}
_FILLER = frozenset("i i'm im i’m am is my age aged years year yrs old yo and".split())


def _from_words(text: str) -> int | None:
    """English number words ("twenty-six", "one hundred and two"), or None if anything else."""
    words = [w for w in re.split(r"[\s\-,.!]+", text.lower()) if w and w not in _FILLER]
    if not words:
        return None
    value = 0
    for word in words:
        rest = value % 100
        after_tens = rest >= 20 and rest % 10 == 0
        if word == "hundred" and 1 <= value <= 9:
            value *= 100
        elif word in _TENS and rest == 0:
            value += _TENS[word]
        elif word in _UNITS and (rest == 0 or (after_tens and _UNITS[word] < 10)):
            value += _UNITS[word]
        else:
            return None
    return value


def parse_age(text: str) -> int | Problem:
    """One whole number of years, 0-120, in digits with words around it or spelled out.

    Ages outside the program's range still parse: eligibility, not the parser, decides.
    """
    text = text.strip()
    if not text:
        return Problem.EMPTY
    if len(text) > _AGE_TEXT_LIMIT:
        return Problem.TOO_LONG
    numbers = _NUMBER.findall(text)
    if not numbers:
        spelled = _from_words(text)
        if spelled is None:
            return Problem.NOT_A_NUMBER
        return spelled if spelled <= 120 else Problem.OUT_OF_RANGE
    if len(numbers) > 1:
        return Problem.AMBIGUOUS
    minus, digits = numbers[0]
    if not digits.isdecimal():
        return Problem.NOT_A_NUMBER
    age = int(digits)
    return Problem.OUT_OF_RANGE if minus or age > 120 else age


_PHONE_TEXT_LIMIT = 32
_PHONE_PUNCTUATION = frozenset(" -.()/\u00a0\u2010\u2011\u2012\u2013\u2014")
_NANP_REGIONS = frozenset({"US", "CA"})


def _nxx(digits: str) -> bool:
    """North American area codes and exchanges start 2-9 and are never N11 (like 911)."""
    return digits[0] in "23456789" and digits[1:] != "11"


def _nanp(national: str) -> str | Problem:
    if not (_nxx(national[:3]) and _nxx(national[3:6])):
        return Problem.INVALID
    return "+1" + national


def parse_phone(text: str, default_country: str = "US") -> str | Problem:
    """A phone number as E.164 ("+16085551234").

    Without a leading "+" the number is read as North American (10 digits, or 11 starting
    with 1). Other countries need the "+" and country code; "00"/"011" prefixes are not
    guessed at. Extensions are not accepted: staff call the number as given.
    """
    if default_country not in _NANP_REGIONS:
        raise ValueError(f"unsupported default country {default_country!r}")
    text = text.strip()
    if not text:
        return Problem.EMPTY
    if len(text) > _PHONE_TEXT_LIMIT:
        return Problem.TOO_LONG
    if any(c.isalpha() for c in text):
        return Problem.LETTERS
    plus, body = text.startswith("+"), text.removeprefix("+")
    if any(not c.isdecimal() and c not in _PHONE_PUNCTUATION for c in body):
        return Problem.INVALID
    digits = "".join(str(int(c)) for c in body if c.isdecimal())
    if plus and not digits.startswith("1"):
        if len(digits) < 7:
            return Problem.TOO_SHORT
        if len(digits) > 15:
            return Problem.TOO_LONG
        return Problem.INVALID if digits[0] == "0" else "+" + digits
    if plus or len(digits) == 11:
        if not digits.startswith("1"):
            return Problem.TOO_LONG
        digits = digits[1:]
    if len(digits) < 10:
        return Problem.TOO_SHORT
    if len(digits) > 10:
        return Problem.TOO_LONG
    return _nanp(digits)
