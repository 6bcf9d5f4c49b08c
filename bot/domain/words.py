"""Short typed words: US states, yes or no, on or off, safe or not, who a loved one is."""

import re
import unicodedata

STATES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "FL": "Florida", "GA": "Georgia",
    "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois", "IN": "Indiana", "IA": "Iowa",
    "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland",
    "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota", "MS": "Mississippi",
    "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire",
    "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York", "NC": "North Carolina",
    "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania",
    "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota", "TN": "Tennessee",
    "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia", "WA": "Washington",
    "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming", "DC": "District of Columbia",
    "PR": "Puerto Rico", "GU": "Guam", "VI": "U.S. Virgin Islands", "AS": "American Samoa",
    "MP": "Northern Mariana Islands",
}
# Other names people type, Spanish ones included; accents and dots are ignored.
ALIASES = {
    "washington dc": "DC", "washington d c": "DC", "virgin islands": "VI",
    "carolina del norte": "NC", "carolina del sur": "SC", "dakota del norte": "ND",
    "dakota del sur": "SD", "nueva york": "NY", "nuevo mexico": "NM", "nueva jersey": "NJ",
    "nuevo hampshire": "NH", "pensilvania": "PA", "misisipi": "MS", "luisiana": "LA",
    "virginia occidental": "WV", "hawai": "HI", "distrito de columbia": "DC",
    "islas virgenes": "VI", "samoa americana": "AS", "islas marianas del norte": "MP",
}
YES = frozenset("yes y yeah yea yep yup si".split())
NO = frozenset("no n nope nah".split())
ON = frozenset("on yes si".split())
OFF = frozenset("off no".split())


def fold(text: str) -> str:
    """Lower case, without accents, punctuation or extra spaces: " Nuevo México." ->
    "nuevo mexico"."""
    plain = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c if c.isalnum() else " " for c in plain
                            if not unicodedata.combining(c)).split())


_BY_NAME = {fold(name): code for code, name in STATES.items()} | ALIASES


def parse_state(text: str) -> str | None:
    """A US state, DC or territory as its two-letter code, from the code or the name."""
    folded = fold(text).removeprefix("the state of ").removeprefix("estado de ")
    code = folded.upper().replace(" ", "")
    if code in STATES:
        return code
    return _BY_NAME.get(folded)


def parse_yes_no(text: str) -> str | None:
    """"yes" or "no" for the ways people say them ("yep", "nah", "sí"); else None."""
    folded = fold(text)
    if folded in YES:
        return "yes"
    if folded in NO:
        return "no"
    return None


def parse_switch(text: str) -> bool | None:
    """On (True) or off (False) for `/reminders on`, `off`, `sí` or `no`; else None."""
    folded = fold(text)
    if folded in ON:
        return True
    if folded in OFF:
        return False
    return None


def _contracted(text: str) -> str:
    """Folded, with "don't" as "dont" and "nooo" as "no"."""
    text = re.sub(r"\b(\w+n) t\b", r"\1t", fold(text))
    return re.sub(r"\bno+\b", "no", text)


# Typed answers to the bot's own "Are you safe?". A no, a doubt or a call for help counts as
# not safe, so a person who means it is never left unanswered, but only in a short answer
# or at its start: "I don't have a ride", typed for another question, is not an answer.
SAFE = frozenset(fold(p) for p in (
    "i'm ok", "im ok", "i am ok", "i'm okay", "im okay", "i am okay", "ok", "okay", "i'm fine",
    "im fine", "i am fine", "fine", "i'm safe", "im safe", "i am safe", "safe", "all good",
    "i'm good", "im good", "good", "i'm alright", "im alright", "estoy bien", "bien",
    "estoy a salvo", "todo bien", "ando bien"))
OPENERS = frozenset("no n nope nah not idk dunno help ayuda socorro".split())
DOUBT = OPENERS | frozenset("unsafe never nunca scared miedo kinda maybe guess".split())
DOUBT_PHRASES = ("not sure", "dont know", "sort of", "mas o menos", "call me", "llamenme", "no se")
# Anywhere in an answer.
UNSAFE = tuple(_contracted(p) for p in (
    "not safe", "unsafe", "not ok", "not okay", "not alright", "not good", "not really",
    "don't feel safe", "don't think i'm", "not sure i'm", "help me", "i'm bad", "feel bad",
    "no estoy bien", "no estoy a salvo", "no me siento", "estoy mal", "me siento mal"))
BAD = frozenset(("bad", "mal", "terrible", "awful", "not great", "horrible"))  # the whole answer
NOT_DOUBT = ("no worries", "no problem", "no te preocupes", "not bad", "no pasa nada",
             "dont worry", "don't worry", "nothing to worry about")
THANKS = frozenset("thanks thank you thx ty gracias".split())
SHORT = 4  # words: any doubt in an answer this short counts; past it, only at the start
LONGEST = 12  # words; a longer message is not an answer


def parse_safe(text: str) -> bool | None:
    """Safe (True) or not (False) from a short typed answer ("yep, I'm ok", "not really",
    "idk", "no sé"); else None."""
    folded = _contracted(text)
    for phrase in NOT_DOUBT:
        folded = folded.replace(_contracted(phrase), " ")
    words = [word for word in folded.split() if word not in THANKS]
    if not words or len(words) > LONGEST:
        return None
    said = f" {' '.join(words)} "
    if said.strip() in BAD or any(f" {phrase} " in said for phrase in UNSAFE):
        return False
    agreed = words[0] in YES
    rest = " ".join(words[1:] if agreed or words[0] == "nah" else words)
    if rest in SAFE:  # "yes I'm ok"; "nah I'm good"
        return True
    short = said if len(words) <= SHORT else ""
    if (words[0] in OPENERS or any(word in DOUBT for word in short.split())
            or any(f" {phrase} " in short for phrase in DOUBT_PHRASES)):
        return False
    return True if agreed and not rest else None


# The words for a loved one, English and Spanish, by `intake.Relation` value.
KIN = {
    "son": "son hijo", "daughter": "daughter hija",
    "partner": "partner wife husband spouse boyfriend girlfriend fiance fiancee esposo esposa"
               " pareja novio novia",
    "parent": "parent mother father mom mum dad mama papa madre padre",
    "sibling": "sibling brother sister bro sis hermano hermana",
    "friend": "friend amigo amiga",
    "other": "other",
}
_KIN = {word: value for value, text in KIN.items() for word in text.split()}


def parse_relation(text: str) -> str | None:
    """Who a loved one is ("my son", "Mom", "mi hija") as a relation value; else None."""
    words = fold(text).split()
    if words[:1] in (["my"], ["mi"], ["a"], ["un"], ["una"]):
        words = words[1:]
    return _KIN.get(" ".join(words))
