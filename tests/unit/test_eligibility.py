"""Eligibility, and the intake answers and parsers it is judged from."""

import unicodedata

import pytest
from pydantic import ValidationError

from bot.domain.eligibility import Eligibility, EligibilityPolicy, Outcome, decide, ruled_out
from bot.domain.intake import (
    ELSEWHERE,
    STEPS,
    Answers,
    Cleaned,
    ContactMethod,
    Incomplete,
    MentalHealth,
    Pregnancy,
    Problem,
    Relation,
    Step,
    Subject,
    YesNo,
    clean_free_text,
    is_complete,
    missing_fields,
    next_step,
    parse_age,
    parse_name,
    parse_phone,
    previous_step,
    record,
)

WI = EligibilityPolicy(service_area=["WI"])
SELF, LOVED_ONE = Subject


def client(age: int, state: str = "WI", subject: Subject = SELF) -> Answers:
    return Answers(subject=subject, age=age, state=state)


# --- eligibility -------------------------------------------------------------------------


@pytest.mark.parametrize("subject", list(Subject))
@pytest.mark.parametrize(
    ("age", "state", "outcome"),
    [
        (0, "WI", Outcome.UNDER_AGE),
        (17, "WI", Outcome.UNDER_AGE),
        (18, "WI", Outcome.ELIGIBLE),
        (19, "WI", Outcome.ELIGIBLE),
        (120, "WI", Outcome.ELIGIBLE),
        (18, "MN", Outcome.OUT_OF_AREA),
        (18, ELSEWHERE, Outcome.OUT_OF_AREA),
        (120, ELSEWHERE, Outcome.OUT_OF_AREA),
        (18, "wi", Outcome.ELIGIBLE),
        (17, "MN", Outcome.UNDER_AGE),
        (17, ELSEWHERE, Outcome.UNDER_AGE),
    ],
)
def test_decide(age: int, state: str, outcome: Outcome, subject: Subject) -> None:
    assert decide(client(age, state, subject), WI) == Eligibility(
        outcome=outcome, family_services=subject is LOVED_ONE
    )


@pytest.mark.parametrize(
    ("answers", "outcome"),
    [
        (Answers(), None),
        (Answers(subject=SELF, name="Jay"), None),
        (Answers(age=17), Outcome.UNDER_AGE),
        (Answers(age=18), None),
        (Answers(age=17, state="MN"), Outcome.UNDER_AGE),
        (Answers(state="MN"), Outcome.OUT_OF_AREA),
        (Answers(age=40, state=ELSEWHERE), Outcome.OUT_OF_AREA),
        (Answers(age=40, state="wi"), None),
    ],
)
def test_ruled_out_as_soon_as_age_or_state_decides(answers: Answers,
                                                   outcome: Outcome | None) -> None:
    assert ruled_out(answers, WI) is outcome


def test_age_121_cannot_be_recorded() -> None:
    with pytest.raises(ValidationError):
        Answers(age=121)
    assert parse_age("121") is Problem.OUT_OF_RANGE


@pytest.mark.parametrize(
    ("state", "outcome"),
    [("WI", Outcome.ELIGIBLE), ("IL", Outcome.ELIGIBLE), ("MN", Outcome.OUT_OF_AREA)],
)
def test_service_area_with_several_states(state: str, outcome: Outcome) -> None:
    policy = EligibilityPolicy(service_area=["wi", " IL "])
    assert decide(client(30, state), policy).outcome is outcome


@pytest.mark.parametrize(
    ("age", "outcome"), [(20, Outcome.UNDER_AGE), (21, Outcome.ELIGIBLE)]
)
def test_clinic_minimum_age(age: int, outcome: Outcome) -> None:
    policy = EligibilityPolicy(min_age=21, service_area=["WI"])
    assert decide(client(age), policy).outcome is outcome


@pytest.mark.parametrize(
    ("age", "state", "outcome"),
    [
        (45, "WI", Outcome.ELIGIBLE),
        (16, "WI", Outcome.UNDER_AGE),
        (45, ELSEWHERE, Outcome.OUT_OF_AREA),
    ],
)
def test_family_member_is_offered_family_services_whatever_the_outcome(
    age: int, state: str, outcome: Outcome
) -> None:
    result = decide(client(age, state, LOVED_ONE), WI)
    assert result.outcome is outcome
    assert result.family_services is True


@pytest.mark.parametrize(
    ("answers", "missing"),
    [
        (Answers(subject=SELF, state="WI"), ("age",)),
        (Answers(age=30, state="WI"), ("subject",)),
        (Answers(subject=SELF, age=30), ("state",)),
        (Answers(), ("subject", "age", "state")),
    ],
)
def test_decide_needs_subject_age_and_state(answers: Answers, missing: tuple[str, ...]) -> None:
    with pytest.raises(Incomplete) as caught:
        decide(answers, WI)
    assert caught.value.fields == missing


def test_policy_defaults_and_normalizing() -> None:
    policy = EligibilityPolicy(service_area=[" wi"])
    assert policy.min_age == 18
    assert policy.service_area == ["WI"]


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"service_area": []},
        {"service_area": ["Wisconsin"]},
        {"service_area": [ELSEWHERE]},
        {"service_area": ["WI"], "min_age": 121},
        {"service_area": ["WI"], "min_age": -1},
        {"service_area": ["WI"], "minimum_age": 18},
    ],
)
def test_invalid_policies(fields: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        EligibilityPolicy.model_validate(fields)


# --- intake enums and answers ------------------------------------------------------------


@pytest.mark.parametrize(
    ("enum", "values"),
    [
        (Subject, ["self", "loved_one"]),
        (YesNo, ["yes", "no", "prefer_not"]),
        (Pregnancy, ["yes", "no", "not_applicable", "prefer_not"]),
        (MentalHealth, ["yes", "no", "unsure", "prefer_not"]),
        (ContactMethod, ["telegram", "phone"]),
    ],
)
def test_enum_values(enum: type, values: list[str]) -> None:
    assert [member.value for member in enum] == values


def test_answers_start_empty_and_are_frozen() -> None:
    answers = Answers()
    assert all(value is None for value in answers.model_dump().values())
    with pytest.raises(ValidationError):
        answers.age = 30


@pytest.mark.parametrize(
    "fields",
    [
        {"state": "Wisconsin"},
        {"state": "W1"},
        {"phone": "608-555-1234"},
        {"name": ""},
        {"name": "x" * 65},
        {"best_times": ""},
        {"notes": "x" * 1001},
        {"age": -1},
        {"injection": "maybe"},
        {"favourite_colour": "blue"},
    ],
)
def test_answers_reject_bad_values(fields: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        Answers.model_validate(fields)


@pytest.mark.parametrize(
    ("given", "stored"), [("wi", "WI"), (" Wi ", "WI"), (ELSEWHERE, ELSEWHERE)]
)
def test_answers_state(given: str, stored: str) -> None:
    assert Answers(state=given).state == stored


# --- steps, Back, and completeness -------------------------------------------------------

PHONE_WALK = [
    (Step.SUBJECT, LOVED_ONE),
    (Step.RELATION, Relation.SON),
    (Step.NAME, "Sam"),
    (Step.AGE, 30),
    (Step.STATE, "WI"),
    (Step.INJECTION, YesNo.NO),
    (Step.PREGNANCY, Pregnancy.NOT_APPLICABLE),
    (Step.DISCHARGE, YesNo.PREFER_NOT),
    (Step.MENTAL_HEALTH, MentalHealth.UNSURE),
    (Step.CONTACT, ContactMethod.PHONE),
    (Step.PHONE, "+16085551234"),
    (Step.BEST_TIMES, "weekday evenings"),
    (Step.NOTES, ""),
]


def walk(steps: list[tuple[Step, object]]) -> Answers:
    answers = Answers()
    for step, value in steps:
        assert next_step(answers) is step
        answers = record(answers, step, value)
    return answers


def test_step_order() -> None:
    assert [s.value for s in STEPS] == [
        "subject", "relation", "name", "age", "state", "injection", "pregnancy", "discharge",
        "mental_health", "contact", "phone", "best_times", "notes", "summary",
    ]


def test_walk_with_phone_asks_for_the_number() -> None:
    answers = walk(PHONE_WALK)
    assert next_step(answers) is Step.SUMMARY
    assert is_complete(answers)
    assert answers.phone == "+16085551234"


def test_walk_with_telegram_skips_the_phone() -> None:
    steps = [(s, v) for s, v in PHONE_WALK if s is not Step.PHONE]
    steps[steps.index((Step.CONTACT, ContactMethod.PHONE))] = (
        Step.CONTACT, ContactMethod.TELEGRAM
    )
    answers = walk(steps)
    assert next_step(answers) is Step.SUMMARY
    assert answers.phone is None


def test_missing_fields() -> None:
    assert missing_fields(Answers()) == [
        s for s in STEPS if s not in (Step.RELATION, Step.PHONE, Step.SUMMARY)]
    assert missing_fields(Answers(subject=LOVED_ONE))[0] is Step.RELATION
    complete = walk(PHONE_WALK)
    assert missing_fields(complete) == []
    assert missing_fields(complete.model_copy(update={"phone": None})) == [Step.PHONE]
    assert missing_fields(complete.model_copy(update={"notes": None})) == [Step.NOTES]
    assert not is_complete(complete.model_copy(update={"age": None}))


def test_skipped_notes_count_as_answered() -> None:
    assert Step.NOTES not in missing_fields(Answers(notes=""))


@pytest.mark.parametrize(
    ("contact", "step", "back"),
    [
        (None, Step.SUBJECT, None),
        (None, Step.NAME, Step.SUBJECT),
        (None, Step.AGE, Step.NAME),
        (None, Step.CONTACT, Step.MENTAL_HEALTH),
        (ContactMethod.PHONE, Step.PHONE, Step.CONTACT),
        (ContactMethod.PHONE, Step.BEST_TIMES, Step.PHONE),
        (ContactMethod.TELEGRAM, Step.BEST_TIMES, Step.CONTACT),
        (None, Step.BEST_TIMES, Step.CONTACT),
        (ContactMethod.PHONE, Step.SUMMARY, Step.NOTES),
    ],
)
def test_previous_step(contact: ContactMethod | None, step: Step, back: Step | None) -> None:
    assert previous_step(Answers(contact=contact), step) is back


def test_back_then_new_answer_resumes_at_first_unanswered() -> None:
    answers = walk(PHONE_WALK[:6])
    assert next_step(answers) is Step.PREGNANCY
    back = previous_step(answers, previous_step(answers, Step.INJECTION))
    assert back is Step.AGE
    answers = record(answers, back, 31)
    assert answers.age == 31
    assert next_step(answers) is Step.PREGNANCY


def test_asking_for_oneself_forgets_the_relation() -> None:
    answers = walk(PHONE_WALK[:3])
    assert answers.relation is Relation.SON
    assert record(answers, Step.SUBJECT, SELF).relation is None
    assert next_step(record(answers, Step.SUBJECT, SELF)) is Step.AGE


@pytest.mark.parametrize(
    ("subject", "step", "back"),
    [(SELF, Step.NAME, Step.SUBJECT), (LOVED_ONE, Step.NAME, Step.RELATION),
     (LOVED_ONE, Step.RELATION, Step.SUBJECT)],
)
def test_back_from_the_name(subject: Subject, step: Step, back: Step) -> None:
    assert previous_step(Answers(subject=subject), step) is back


def test_choosing_telegram_forgets_the_phone() -> None:
    answers = walk(PHONE_WALK)
    changed = record(answers, Step.CONTACT, "telegram")
    assert changed.contact is ContactMethod.TELEGRAM
    assert changed.phone is None
    assert answers.phone == "+16085551234"


def test_record_keeps_phone_while_contact_is_phone() -> None:
    answers = walk(PHONE_WALK)
    assert record(answers, Step.NOTES, "call after 5").phone == "+16085551234"


@pytest.mark.parametrize(
    ("step", "value"),
    [(Step.AGE, 121), (Step.PHONE, "abc"), (Step.STATE, "Wisconsin"), (Step.SUBJECT, "me")],
)
def test_record_validates(step: Step, value: object) -> None:
    with pytest.raises(ValidationError):
        record(Answers(), step, value)


def test_summary_is_not_recorded() -> None:
    with pytest.raises(ValueError, match="summary"):
        record(Answers(), Step.SUMMARY, "ok")


# --- parse_age ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "result"),
    [
        ("26", 26),
        (" 26 ", 26),
        ("26 years", 26),
        ("I am 26 years old", 26),
        ("26yo", 26),
        ("age: 26", 26),
        ("26 🎂", 26),
        ("0", 0),
        ("120", 120),
        ("17", 17),
        ("026", 26),
        ("twenty six", 26),
        ("Twenty-Six", 26),
        ("I'm twenty-six years old", 26),
        ("eighteen", 18),
        ("seventeen", 17),
        ("one hundred and twenty", 120),
        ("zero", 0),
        ("٢٦", 26),  # Arabic-Indic digits
        ("２６", 26),  # fullwidth digits
        ("121", Problem.OUT_OF_RANGE),
        ("1998", Problem.OUT_OF_RANGE),
        ("-5", Problem.OUT_OF_RANGE),
        ("−5", Problem.OUT_OF_RANGE),  # unicode minus
        ("one hundred twenty one", Problem.OUT_OF_RANGE),
        ("26.5", Problem.NOT_A_NUMBER),
        ("abc", Problem.NOT_A_NUMBER),
        ("old enough", Problem.NOT_A_NUMBER),
        ("🎂", Problem.NOT_A_NUMBER),
        ("ten one", Problem.NOT_A_NUMBER),
        ("six twenty", Problem.NOT_A_NUMBER),
        ("²⁶", Problem.NOT_A_NUMBER),  # superscripts are not digits people type for ages
        ("25-30", Problem.AMBIGUOUS),
        ("26 or 27", Problem.AMBIGUOUS),
        ("", Problem.EMPTY),
        (" \n\t ", Problem.EMPTY),
        ("2" * 5000, Problem.TOO_LONG),
        ("I am " + "very " * 1000 + "26", Problem.TOO_LONG),
    ],
)
def test_parse_age(text: str, result: int | Problem) -> None:
    assert parse_age(text) == result


# --- parse_phone -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "result"),
    [
        ("6085551234", "+16085551234"),
        ("608-555-1234", "+16085551234"),
        ("(608) 555-1234", "+16085551234"),
        ("608.555.1234", "+16085551234"),
        (" 608 555 1234 ", "+16085551234"),
        ("1 608 555 1234", "+16085551234"),
        ("1-608-555-1234", "+16085551234"),
        ("+1 (608) 555-1234", "+16085551234"),
        ("+16085551234", "+16085551234"),
        ("608\u00a0555\u20131234", "+16085551234"),  # no-break space, en dash
        ("６０８５５５１２３４", "+16085551234"),  # fullwidth digits
        ("+44 20 7946 0958", "+442079460958"),
        ("+91 98765 43210", "+919876543210"),
        ("+683 4002", "+6834002"),  # Niue: seven digits in all
        ("555-1234", Problem.TOO_SHORT),
        ("608555123", Problem.TOO_SHORT),
        ("+1 608 555 123", Problem.TOO_SHORT),
        ("+44 123", Problem.TOO_SHORT),
        ("+", Problem.TOO_SHORT),
        ("60855512345", Problem.TOO_LONG),
        ("608555123456", Problem.TOO_LONG),
        ("+1 608 555 12345", Problem.TOO_LONG),
        ("+44 1234 5678 9012 34", Problem.TOO_LONG),
        ("1" * 5000, Problem.TOO_LONG),
        ("call me", Problem.LETTERS),
        ("608-555-1234 ext 5", Problem.LETTERS),
        ("608-CALL-NOW", Problem.LETTERS),
        ("O608 555 1234", Problem.LETTERS),
        ("608📞5551234", Problem.INVALID),
        ("608_555_1234", Problem.INVALID),
        ("608+555+1234", Problem.INVALID),
        ("++44 20 7946 0958", Problem.INVALID),
        ("+0 20 7946 0958", Problem.INVALID),
        ("108-555-1234", Problem.INVALID),  # area codes start 2-9
        ("608-055-1234", Problem.INVALID),  # exchanges start 2-9
        ("911-555-1234", Problem.INVALID),  # N11 is never an area code
        ("608-411-1234", Problem.INVALID),
        ("", Problem.EMPTY),
        ("   ", Problem.EMPTY),
    ],
)
def test_parse_phone(text: str, result: str | Problem) -> None:
    assert parse_phone(text) == result


def test_parse_phone_canada_is_north_american() -> None:
    assert parse_phone("416 555 0199", default_country="CA") == "+14165550199"


def test_parse_phone_refuses_unsupported_default_country() -> None:
    with pytest.raises(ValueError, match="GB"):
        parse_phone("020 7946 0958", default_country="GB")


def test_parsed_phone_is_accepted_by_answers() -> None:
    for text in ("608-555-1234", "+44 20 7946 0958", "+683 4002"):
        assert Answers(phone=parse_phone(text)).phone == parse_phone(text)


# --- parse_name --------------------------------------------------------------------------

DECOMPOSED = unicodedata.normalize("NFD", "José")


@pytest.mark.parametrize(
    ("text", "result"),
    [
        ("Sam", "Sam"),
        ("  Sam  ", "Sam"),
        ("Mary   Jane\nSmith", "Mary Jane Smith"),
        ("Sam\tLee", "Sam Lee"),
        ("Anne-Marie O'Neil", "Anne-Marie O'Neil"),
        ("J.R. Smith", "J.R. Smith"),
        (DECOMPOSED, "José"),
        ("李小龙", "李小龙"),
        ("محمد", "محمد"),
        ("Zoë", "Zoë"),
        ("Sam 🌻", "Sam 🌻"),
        ("Sam 👨‍👩‍👧", "Sam 👨‍👩‍👧"),
        ("x" * 64, "x" * 64),
        ("x" * 65, Problem.TOO_LONG),
        ("x" * 5000, Problem.TOO_LONG),
        ("🌻", Problem.NO_LETTERS),
        ("...", Problem.NO_LETTERS),
        ("!?", Problem.NO_LETTERS),
        ("12345", Problem.NO_LETTERS),
        ("", Problem.EMPTY),
        ("  \n ", Problem.EMPTY),
        ("http://spam.example", Problem.URL),
        ("HTTPS://x.y", Problem.URL),
        ("www.example.org", Problem.URL),
        ("visit example.com now", Problem.URL),
        ("t.me/somebody", Problem.URL),
        ("Sam\x00", Problem.BAD_CHARACTERS),
        ("Sam\x1b[31m", Problem.BAD_CHARACTERS),
        ("Sam\u202eevil", Problem.BAD_CHARACTERS),
    ],
)
def test_parse_name(text: str, result: str | Problem) -> None:
    assert parse_name(text) == result


def test_parsed_name_is_nfc() -> None:
    name = parse_name(DECOMPOSED)
    assert name == unicodedata.normalize("NFC", "José")
    assert len(name) == 4


# --- clean_free_text ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "limit", "result"),
    [
        ("  weekday   evenings \n after 5 ", 200, Cleaned("weekday evenings after 5", False)),
        ("", 200, Cleaned("", False)),
        ("abcde", 5, Cleaned("abcde", False)),
        ("abcdef", 5, Cleaned("abcde", True)),
        ("abc def", 4, Cleaned("abc", True)),
        ("a\x00b\x07c", 10, Cleaned("a b c", False)),
        ("left\u202eright", 20, Cleaned("left right", False)),
        ("mornings ☀️ please", 50, Cleaned("mornings ☀️ please", False)),
        (DECOMPOSED, 10, Cleaned("José", False)),
        ("x" * 5000, 1000, Cleaned("x" * 1000, True)),
    ],
)
def test_clean_free_text(text: str, limit: int, result: Cleaned) -> None:
    assert clean_free_text(text, limit) == result


def test_clean_free_text_needs_a_positive_limit() -> None:
    with pytest.raises(ValueError):
        clean_free_text("text", 0)
