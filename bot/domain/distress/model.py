"""Public value types of the distress detector."""

from enum import StrEnum

from pydantic import BaseModel


class Category(StrEnum):
    SUICIDE = "suicide"
    SELF_HARM = "self_harm"
    OVERDOSE = "overdose"
    HARM_OTHERS = "harm_others"
    ABUSE = "abuse"
    RELAPSE = "relapse"


class Severity(StrEnum):
    EMERGENCY = "emergency"  # call 911 first
    CRISIS = "crisis"  # call or text 988 first


class Detection(BaseModel, frozen=True):
    category: Category
    severity: Severity
    rule: str  # rule id from the lexicon, never message text


DEFAULT_SEVERITY: dict[Category, Severity] = {
    Category.SUICIDE: Severity.CRISIS,
    Category.SELF_HARM: Severity.CRISIS,
    Category.OVERDOSE: Severity.EMERGENCY,
    Category.HARM_OTHERS: Severity.EMERGENCY,
    Category.ABUSE: Severity.CRISIS,
    Category.RELAPSE: Severity.CRISIS,
}

# When several categories match: emergency beats crisis, then this order decides.
PRIORITY: tuple[Category, ...] = (
    Category.SUICIDE,
    Category.OVERDOSE,
    Category.HARM_OTHERS,
    Category.SELF_HARM,
    Category.ABUSE,
    Category.RELAPSE,
)
