import pytest

from bot.domain.intake import Relation
from bot.domain.words import (
    KIN,
    STATES,
    fold,
    parse_relation,
    parse_safe,
    parse_state,
    parse_switch,
    parse_yes_no,
)


@pytest.mark.parametrize(("text", "code"), [
    ("WI", "WI"), ("wi", "WI"), (" Wi ", "WI"), ("IL", "IL"), ("il", "IL"),
    ("Wisconsin", "WI"), ("wisconsin", "WI"), ("WISCONSIN", "WI"), ("Illinois", "IL"),
    ("  new   york ", "NY"), ("New York.", "NY"), ("the state of Ohio", "OH"),
    ("Washington", "WA"), ("Washington, D.C.", "DC"), ("D.C.", "DC"), ("dc", "DC"),
    ("Puerto Rico", "PR"), ("U.S. Virgin Islands", "VI"), ("Nuevo México", "NM"),
    ("Carolina del Norte", "NC"), ("Hawái", "HI"), ("Pensilvania", "PA"),
])
def test_states_by_code_or_name(text, code):
    assert parse_state(text) == code


@pytest.mark.parametrize("text", [
    "", " ", "XX", "ZZ", "Wisconsinn", "Chicago", "Canada", "WI IL", "somewhere", "W1", "🙂",
    "Ontario", "x" * 5000,
])
def test_not_a_state(text):
    assert parse_state(text) is None


def test_every_state_by_its_own_name_and_code():
    for code, name in STATES.items():
        assert parse_state(name) == code and parse_state(code.lower()) == code


@pytest.mark.parametrize(("text", "value"), [
    ("yes", "yes"), ("Yes!", "yes"), ("yeah", "yes"), ("Yep", "yes"), ("yup", "yes"),
    ("y", "yes"), ("sí", "yes"), ("Si", "yes"), ("SÍ.", "yes"),
    ("no", "no"), ("No.", "no"), ("nope", "no"), ("Nah", "no"), ("n", "no"),
    ("maybe", None), ("", None), ("yes and no", None), ("not sure", None), ("know", None),
])
def test_yes_no(text, value):
    assert parse_yes_no(text) == value


@pytest.mark.parametrize(("text", "safe"), [
    ("yes", True), ("Yep!", True), ("I'm ok", True), ("im fine thanks", True), ("safe", True),
    ("Estoy bien.", True), ("sí, estoy a salvo", True), ("all good, thank you", True),
    ("no", False), ("Nope", False), ("not really", False), ("I'm not", False), ("idk", False),
    ("I don't know", False), ("no sé", False), ("No estoy bien", False), ("help", False),
    ("la verdad no", False), ("what time is group?", None), ("", None), ("ok but", None),
    ("I'm ok, no worries", True), ("Don't worry, I'm fine", True), ("I'm not okay", False),
    ("I don't think I'm safe", False), ("not good", False), ("please help", False),
    ("i'm not sure", False), ("thanks", None), ("yes but not really", False),
    ("n", False), ("nooo", False), ("kinda", False), ("bad", False), ("nah I'm good", True),
    ("I don't have a ride", None), ("car won't start", None), ("that lesson was bad", None),
    ("what time is group? I can't remember", None), ("No I'm fine", False),
    ("I'd like to know what time group starts tomorrow and whether my wife can come", None),
])
def test_answers_to_are_you_safe(text, safe):
    """A doubt ("idk", "not sure") counts as not safe: the person gets help."""
    assert parse_safe(text) is safe


@pytest.mark.parametrize(("text", "value"), [
    ("on", True), ("ON", True), ("sí", True), ("si", True), ("yes", True),
    ("off", False), ("Off", False), ("no", False),
    ("", None), ("maybe", None), ("onn", None), ("of", None),
])
def test_switch(text, value):
    assert parse_switch(text) is value


def test_fold():
    assert fold("  Nuevo  México. ") == "nuevo mexico"
    assert fold("D.C.") == "d c"


@pytest.mark.parametrize(("text", "value"), [
    ("son", "son"), ("My son", "son"), ("my SON.", "son"), ("Mom", "parent"),
    ("my dad", "parent"), ("husband", "partner"), ("my girlfriend", "partner"),
    ("sister", "sibling"), ("a friend", "friend"), ("Mi hija", "daughter"),
    ("mamá", "parent"), ("other", "other"),
    ("my son Tyler", None), ("Tyler", None), ("", None), ("my", None), ("cousin", None),
])
def test_relation(text, value):
    assert parse_relation(text) == value


def test_every_relation_has_words():
    assert set(KIN) == {r.value for r in Relation}
