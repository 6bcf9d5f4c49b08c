from typing import get_args

import pytest
from telegram import CallbackQuery, Update, User

from bot.domain.intake import ELSEWHERE, Step
from bot.handlers import buttons, intake, staff
from bot.handlers.buttons import (
    LIMIT,
    About,
    Absence,
    Ack,
    Act,
    Answer,
    Attend,
    ClientMenu,
    Consent,
    Consult,
    Continue,
    Feedback,
    Lesson,
    More,
    NotAFit,
    Open,
    Privacy,
    Reminders,
    Reopen,
    Revoke,
    Safe,
    Said,
    Sos,
)
from bot.lessons import Library

FAMILIES = [Sos, Consult, About, ClientMenu, Consent, Reopen, Answer, Continue, Privacy,
            Revoke, Reminders, Attend, Absence, Lesson, More, Feedback, Act, NotAFit, Open, Safe,
            Ack, Said]
BIG = 2**63 - 1

# The data earlier versions sent: buttons still sitting in people's chats.
SENT_BEFORE = {
    "sos": Sos(),
    "menu:consult": Consult(),
    "menu:iop": About("iop"),
    "menu:family": About("family"),
    "me:schedule": ClientMenu("schedule"),
    "me:learn": ClientMenu("learn"),
    "me:reminders": ClientMenu("reminders"),
    "consent:yes": Consent("yes"),
    "consent:yes:clinic_7-a": Consent("yes", "clinic_7-a"),
    "consent:no": Consent("no"),
    "in:update": Reopen("update"),
    "in:keep": Reopen("keep"),
    "in:subject:loved_one": Answer(Step.SUBJECT, "loved_one"),
    "in:state:WI": Answer(Step.STATE, "WI"),
    "in:notes:-": Answer(Step.NOTES, "-"),
    "in:summary:send": Answer(Step.SUMMARY, "send"),
    "in:mental_health:back": Answer(Step.MENTAL_HEALTH, "back"),
    "go": Continue(),
    "privacy:delete": Privacy("delete"),
    "privacy:keep": Privacy("keep"),
    "revoke:ask": Revoke("ask"),
    "revoke:yes": Revoke("yes"),
    "revoke:keep": Revoke("keep"),
    "revoke:renew": Revoke("renew"),
    "rem:on": Reminders("on"),
    "rem:off": Reminders("off"),
    "rm:yes:12": Attend("yes", 12),
    "rm:no:12": Attend("no", 12),
    "rm:why:12:transport": Absence(12, "transport"),
    "learn:sleep-stress": Lesson("sleep-stress"),
    "lm:sleep-stress": More("sleep-stress"),
    "ls:y:sleep-stress": Feedback("y", "sleep-stress"),
    "ls:n:halt": Feedback("n", "halt"),
    "st:claim:7": Act("claim", 7),
    "st:not_a_fit:7": Act("not_a_fit", 7),
    "st:reason:7:unreachable": NotAFit(7, "unreachable"),
    "st:open:7": Open(7),
    "safe:ok": Safe("ok"),
    "safe:call": Safe("call"),
    "sf:ack:9": Ack(9),
    "sf:said:9": Said(9),
}
LARGEST = [
    Act("not_a_fit", BIG), NotAFit(BIG, "unreachable"), Open(BIG), Attend("yes", BIG),
    Absence(BIG, "transport"), Ack(BIG), Lesson("a" * 58), More("a" * 58), Feedback("n", "a" * 58),
    Answer(Step.MENTAL_HEALTH, "x" * 32), Consent("yes", "r" * 32),
]
NOT_OURS = [
    "", None, b"sos", 5, "totally-forged", "x" * 64, "unknown:1", " sos", "sos ", "SOS",
    "sos:", "sos:1", "menu", "menu:", "menu:consult:x", "menu:old-feature", "consent",
    "consent:maybe", "consent:yes:", "consent:yes:../../etc", "consent:yes:a:b", "in:name",
    "in:nope:x", "in:name:", "in:name:a:b", "in:name:é", "privacy:delete:1", "revoke", "revoke:",
    "revoke:no", "revoke:yes:1", "rem:", "rm:yes",
    "rm:yes:x", "rm:yes:05", "rm:yes:+5", "rm:yes: 5", "rm:yes:1_000", "rm:yes:5.0",
    "rm:yes:0", "rm:yes:-1", "rm:yes:5:unwell", "rm:why:5", "rm:why:5:bored",
    f"rm:yes:{BIG + 1}", "learn:", "learn:Sleep", "learn:a--b", "learn:" + "a" * 59, "ls:y",
    "ls:x:halt", "st:claim", "st:delete:1", "st:claim:1:2", "st:reason:1", "st:reason:1:bored",
    "st:open", "st:open:0", "st:open:x", "st:open:1:2",
    "safe:maybe", "me", "me:stop", "go:", "go:1", "in:go", "sf:ack", "sf:ack:", "sf:ack:x",
    "sf:ack:1:2", "sf:ack:0", "sf:ack:-1", "sf:ack:" + "1" * 58,
]  # fmt: skip


@pytest.mark.parametrize("data", SENT_BEFORE)
def test_earlier_data_still_parses(data):
    button = SENT_BEFORE[data]
    assert type(button).parse(data) == button
    assert button.pack() == data


@pytest.mark.parametrize("button", [*SENT_BEFORE.values(), *LARGEST], ids=repr)
def test_round_trip_and_only_one_family_claims_it(button):
    data = button.pack()
    assert len(data.encode()) <= LIMIT
    assert [f.parse(data) for f in FAMILIES if f.parse(data)] == [button]


def test_every_family_is_covered():
    assert {type(b) for b in SENT_BEFORE.values()} == set(FAMILIES)


@pytest.mark.parametrize("data", NOT_OURS, ids=repr)
def test_anything_else_parses_to_none(data):
    assert [f for f in FAMILIES if f.parse(data) is not None] == []


@pytest.mark.parametrize("make", [
    lambda: Ack(0), lambda: Attend("maybe", 1), lambda: Lesson("a" * 59),
    lambda: Answer("nope", "x"), lambda: Consent("yes", "a:b"), lambda: NotAFit(1, "bored"),
])
def test_a_button_that_could_not_parse_back_is_refused(make):
    with pytest.raises(ValueError):
        make()


def test_old_buttons_of_ours_are_told_from_forgeries():
    assert buttons.ours("menu:old-feature") and buttons.ours("st:escalate:4")
    for data in ("", None, "totally-forged", "x" * 64, "menu:" + "x" * 60):
        assert not buttons.ours(data)


def test_the_vocabularies_match_the_flows(profile):
    assert set(get_args(buttons.Action)) == set(staff.ACTIONS)
    values = [v for choices in intake.CHOICES.values() for v in choices]
    for value in [*values, *profile.clinic.service_area, ELSEWHERE, "-", "send", "back"]:
        assert Answer(Step.STATE, value).pack()
    for lang in profile.clinic.languages:
        for lesson in Library().curriculum(lang):
            assert Feedback("y", lesson.id).pack() and Lesson(lesson.id).pack()
            assert More(lesson.id).pack()


def press(data: str | None) -> Update:
    user = User(1, "Alice", is_bot=False)
    return Update(1, callback_query=CallbackQuery("1", user, "chat", data=data))


def test_a_press_without_data_matches_no_family():
    handler = Sos.handler(lambda update, ctx: None)
    assert handler.check_update(press("sos"))
    for data in (None, "", "sos:", "safe:ok"):
        assert not handler.check_update(press(data))
