"""Enrolled clients over real HTTP with a controllable clock: invites, reminders, lessons."""

import asyncio
import re
from datetime import UTC, datetime, timedelta

import pytest

from bot.standin import FloodLimits
from tests.e2e.harness import STAFF_IDS, eventually_async
from tests.e2e.test_intake import saying, submitted

DISPATCHER = "reminder-dispatcher"


async def nth(api, chat, text: str, n: int):
    """Wait for the n-th bot message containing text (bot-initiated messages have no
    person action to wait after)."""
    found = await api.wait_for(lambda: len(saying(api, chat, text)) >= n or None)
    assert found
    return saying(api, chat, text)[n - 1]


async def enroll(dana, staff_group, name="Maya R.") -> tuple[int, str]:
    await dana.send(f"/enroll {name}")
    card = await staff_group.expect("Invite link")
    number = int(re.search(r"Client #(\d+)", card.text)[1])
    token = re.search(r"start=inv_([\w-]+)", card.text)[1]
    return number, token


async def joined(api, dana, staff_group, user_id=1001, name="Maya R."):
    number, token = await enroll(dana, staff_group, name)
    client = api.person(user_id, name.split()[0])
    await client.send(f"/start inv_{token}")
    await client.expect("Welcome to the program")
    return number, token, client


async def test_invite_binds_once_and_refuses_reuse(bot, api, dana, staff_group):
    number, token, maya = await joined(api, dana, staff_group)
    welcome = maya.last()
    assert "Group session: Fri Nov 27, 6:00 PM CST" in welcome.text
    other = api.person(1002, "Someone")
    await other.send(f"/start inv_{token}")
    await other.expect("already been used")
    await other.send("/start inv_forged-token-123")
    await other.expect("don't recognise")
    assert (await bot.repo.clients.get(number)).user_id == maya.user_id
    actions = [e.action for e in await bot.repo.audit.for_subject(f"client:{number}")]
    assert actions[:3] == ["staff_enroll", "staff_invite", "invite_redeemed"]


async def test_expired_invite_is_refused(bot, api, dana, staff_group, clock):
    _, token = await enroll(dana, staff_group)
    clock.advance(timedelta(hours=73))
    late = api.person(1003, "Late")
    await late.send(f"/start inv_{token}")
    await late.expect("has expired")


async def test_enrolment_is_staff_only(bot, api, alice):
    await alice.send("/enroll Maya")
    await alice.expect("not sure how to help with that")


async def test_schedule_and_the_24h_and_1h_reminders(bot, api, dana, staff_group, clock):
    _, _, maya = await joined(api, dana, staff_group)
    await maya.send("/schedule")
    schedule = await maya.expect("Your next sessions")
    lines = [line for line in schedule.text.splitlines() if line.startswith("•")]
    assert lines[:3] == ["• Group session: Fri Nov 27, 6:00 PM CST",
                         "• Group session: Mon Nov 30, 6:00 PM CST",
                         "• Group session: Wed Dec 2, 6:00 PM CST"]
    await bot.tick(DISPATCHER)
    clock.set(datetime(2026, 11, 27, 0, 0, tzinfo=UTC))
    await bot.tick(DISPATCHER)
    day_before = await nth(api, maya, "Reminder: Group session", 1)
    assert "Tomorrow, Fri Nov 27, 6:00–9:00 PM CST (3 hours)" in day_before.text
    clock.set(datetime(2026, 11, 27, 23, 0, tzinfo=UTC))
    await bot.tick(DISPATCHER)
    hour_before = await nth(api, maya, "Reminder: Group session", 2)
    assert "Today, Fri Nov 27, 6:00–9:00 PM CST (3 hours)" in hour_before.text
    assert "tomorrow" not in hour_before.text.lower()
    await maya.click("👍 I'll be there", message=hour_before)
    await maya.expect("See you there")
    await bot.tick(DISPATCHER)
    assert len(saying(api, maya, "Reminder: Group session")) == 2


async def test_a_session_booked_the_same_day_gets_one_reminder_that_says_today(
        bot, api, dana, staff_group, clock):
    number, _, maya = await joined(api, dana, staff_group)
    await dana.send(f"/session {number} add individual today 4pm")
    await staff_group.expect("added")
    await bot.tick(DISPATCHER)
    (session,) = [s for s in await bot.repo.sessions.upcoming(number, clock.now())
                  if s.kind == "individual"]
    assert await bot.repo.reminders.of_session(session.id) == [(60, "pending")]
    assert not saying(api, maya, "Reminder:")
    clock.set(datetime(2026, 11, 26, 21, 0, tzinfo=UTC))
    await bot.tick(DISPATCHER)
    reminder = await nth(api, maya, "Reminder: Individual", 1)
    assert "Today, Thu Nov 26, 4:00–5:00 PM CST (1 hour)" in reminder.text
    assert "tomorrow" not in reminder.text.lower()
    clock.set(datetime(2026, 11, 26, 21, 59, tzinfo=UTC))
    await bot.tick(DISPATCHER)
    assert len(saying(api, maya, "Reminder: Individual")) == 1
    await maya.send("/reminders")
    menu = await maya.expect("Session reminders are on")
    assert "24 hours and 1 hour before each session" in menu.text


async def test_cant_make_it_reaches_staff_with_reason(bot, api, dana, staff_group, clock):
    number, _, maya = await joined(api, dana, staff_group)
    clock.set(datetime(2026, 11, 27, 0, 0, tzinfo=UTC))
    await bot.tick(DISPATCHER)
    reminder = await nth(api, maya, "Reminder", 1)
    await maya.click("I can't make it", message=reminder)
    await maya.expect("Life happens")
    await staff_group.expect(f"Client #{number} (Maya R.) can't make it")
    await maya.send("my car broke down")
    await maya.expect("passed that on")
    await staff_group.expect("Reason: my car broke down")
    await maya.click("I can't make it", message=reminder)
    await dana.send(f"/client {number}")
    card = await staff_group.expect(f"Client #{number}: Maya R.")
    assert "can't make it (my car broke down)" in card.text
    assert len(saying(api, staff_group, "can't make it to")) == 2


async def test_opt_out_stops_reminders(bot, api, dana, staff_group, clock):
    _, _, maya = await joined(api, dana, staff_group)
    await maya.send("/reminders")
    await maya.expect("Session reminders are on")
    await maya.click("Turn reminders off")
    await maya.expect("I won't send session reminders")
    clock.set(datetime(2026, 11, 27, 23, 30, tzinfo=UTC))
    await bot.tick(DISPATCHER)
    assert not saying(api, maya, "Reminder:")
    await maya.send("/stop")
    await maya.expect("I won't send you any more messages")
    await maya.send("I want to die")
    await maya.expect("988")


async def test_reminders_command_takes_on_and_off(bot, api, dana, staff_group):
    number, _, maya = await joined(api, dana, staff_group)
    for typed, reply, on in (("/reminders off", "I won't send session reminders", False),
                             ("/reminders ON", "reminders are on again", True),
                             ("/reminders no", "I won't send session reminders", False),
                             ("/reminders sí", "reminders are on again", True)):
        await maya.send(typed)
        await maya.expect(reply)
        assert (await bot.repo.clients.get(number)).reminders_on is on
    await maya.send("/reminders maybe")
    await maya.expect("Session reminders are on")
    assert (await bot.repo.clients.get(number)).reminders_on


@pytest.mark.parametrize("bot_saw_the_block", [True, False])
async def test_blocked_client_is_marked_unreachable_once(bot, api, dana, staff_group, clock,
                                                         bot_saw_the_block):
    number, _, maya = await joined(api, dana, staff_group)
    if bot_saw_the_block:
        await maya.block()
    else:
        api.blocked.add(maya.user_id)
    clock.set(datetime(2026, 11, 27, 0, 0, tzinfo=UTC))
    await bot.tick(DISPATCHER)
    await nth(api, staff_group, f"Client #{number} (Maya R.) is unreachable", 1)
    clock.set(datetime(2026, 11, 27, 23, 30, tzinfo=UTC))
    await bot.tick(DISPATCHER)
    assert len(saying(api, staff_group, "is unreachable")) == 1
    assert (await bot.repo.clients.get(number)).unreachable
    sends = [p for m, p in api.calls if m.lower() == "sendmessage"
             and str(p.get("chat_id")) == str(maya.user_id) and "Reminder" in str(p.get("text"))]
    assert len(sends) == (0 if bot_saw_the_block else 1)


async def test_restart_between_due_and_sent_loses_nothing_and_sends_once(bot, api, dana,
                                                                         staff_group, clock):
    _, _, maya = await joined(api, dana, staff_group)
    await bot.tick(DISPATCHER)
    clock.set(datetime(2026, 11, 27, 0, 5, tzinfo=UTC))
    await bot.restart()
    await bot.tick(DISPATCHER)
    await nth(api, maya, "Reminder: Group session", 1)
    await bot.restart()
    await bot.tick(DISPATCHER)
    await bot.tick(DISPATCHER)
    assert len(saying(api, maya, "Reminder: Group session")) == 1


@pytest.mark.parametrize(("start", "lines"), [
    (datetime(2026, 10, 29, 15, 0, tzinfo=UTC),
     ["• Group session: Fri Oct 30, 6:00 PM CDT", "• Group session: Mon Nov 2, 6:00 PM CST"]),
    (datetime(2027, 3, 11, 16, 0, tzinfo=UTC),
     ["• Group session: Fri Mar 12, 6:00 PM CST", "• Group session: Mon Mar 15, 6:00 PM CDT"]),
])
async def test_dst_weekend_keeps_local_times(make_bot, api, dana, staff_group, clock, start,
                                             lines):
    clock.set(start)
    bot = await make_bot()
    _, _, maya = await joined(api, dana, staff_group)
    await maya.send("/schedule")
    schedule = await maya.expect("Your next sessions")
    assert [line for line in schedule.text.splitlines() if line.startswith("•")][:2] == lines
    monday = (await bot.repo.sessions.upcoming(1, clock.now()))[1]
    clock.set(monday.starts_at - timedelta(hours=1))
    await bot.tick(DISPATCHER)
    reminder = await nth(api, maya, "Reminder", 1)
    span = lines[1].removeprefix("• Group session: ").replace("6:00 PM", "6:00–9:00 PM")
    assert span in reminder.text


async def test_lessons_follow_group_days_and_learn_menu(bot, api, dana, staff_group, clock):
    _, _, maya = await joined(api, dana, staff_group)
    clock.set(datetime(2026, 11, 28, 3, 1, tzinfo=UTC))
    await bot.tick(DISPATCHER)
    opening = await nth(api, maya, "Welcome to IOP", 1)
    assert len(opening.text.split()) < 130
    assert not saying(api, maya, "Was this helpful?")
    await maya.click("📖 Read more", message=opening)
    await maya.expect("What a week looks like")
    first = await maya.expect("Was this helpful?")
    assert not [b for row in opening.buttons for b in row]
    await maya.click("👍 Yes", message=first)
    await maya.expect("Thanks for telling me")
    clock.set(datetime(2026, 12, 1, 3, 1, tzinfo=UTC))
    await bot.tick(DISPATCHER)
    await bot.tick(DISPATCHER)
    await maya.click("📖 Read more", message=await nth(api, maya, "Riding out a craving", 1))
    await maya.expect("Was this helpful?")
    assert await bot.repo.clients.lessons_delivered(1) == {"iop", "cravings"}
    await maya.send("/learn")
    menu = await maya.expect("Learn about recovery")
    assert len([b for row in menu.buttons for b in row]) >= 12
    await maya.click("HALT", message=menu)
    await maya.click("📖 Read more", message=await maya.expect("HALT is a quick check-in"))
    await maya.expect("Was this helpful?")
    lee = api.person(STAFF_IDS[1], "Lee")
    await lee.send("/stats")
    stats = await lee.expect("Lessons delivered: 3")
    assert "Welcome to IOP: how the program works: 1 · 1 · 0" in stats.text


async def test_ten_thousand_reminders_respect_flood_limits(make_bot, api, clinic, clock,
                                                           staff_group):
    api.monotonic = lambda: clock.now().timestamp()
    clinic = clinic.model_copy(update={"reminders": clinic.reminders.model_copy(
        update={"offsets_hours": [1.0]})})
    bot = await make_bot(profile=clinic)
    repo, start = bot.repo, clock.now() + timedelta(hours=2)
    for n in range(10_000):
        user_id = 100_000 + n
        api.person(user_id, f"Client {n}")
        client = await repo.clients.enroll(f"Client {n}", None, "en", STAFF_IDS[0])
        await repo.clients.invite(client.id, f"token-{n}", start)
        await repo.clients.redeem(f"token-{n}", user_id)
        await repo.sessions.add(client.id, "individual", start, 60)
    await bot.tick(DISPATCHER)
    assert await repo.reminders.counts() == {"pending": 10_000}
    api.flood_limits = FloodLimits()
    clock.set(start - timedelta(hours=1))
    began = clock.now()
    await bot.tick(DISPATCHER)
    counts = await repo.reminders.counts()
    assert counts == {"sent": 10_000}
    assert api.stats.messages_sent >= 10_000
    assert api.stats.too_many_requests == 0
    assert clock.now() - began <= timedelta(minutes=clinic.reminders.spread_minutes)


async def test_a_client_gets_their_own_menu_and_help(bot, api, dana, staff_group, alice):
    _, _, maya = await joined(api, dana, staff_group, user_id=1005)
    await maya.send("/start")
    welcome = await maya.expect("welcome back")
    assert [b.text for row in welcome.buttons for b in row] == [
        "📅 My sessions", "📚 Lessons", "⏰ Reminders", "🆘 I need help now"]
    await maya.click("📅 My sessions")
    await maya.expect("Your next sessions")
    await maya.click("⏰ Reminders", message=welcome)
    await maya.expect("Session reminders are on")
    await maya.click("📚 Lessons", message=welcome)
    await maya.expect("Learn about recovery")
    await maya.send("/help")
    help_ = await maya.expect("24-hour support")
    assert "/schedule" in help_.text and "/reminders" in help_.text
    assert "ask for a consultation" not in help_.text
    await alice.send("/help")
    other = await alice.expect("24-hour support")
    assert "ask for a consultation" in other.text and "/schedule" not in other.text
    await alice.send("/start")
    prospective = await alice.expect("Welcome")
    assert "Request a consultation" in [b.text for row in prospective.buttons for b in row]


async def test_mydata_shows_a_client_everything_held(bot, api, dana, staff_group, clock):
    number, _, maya = await joined(api, dana, staff_group)
    await dana.send(f"/videolink {number} https://meet.example/maya")
    await staff_group.expect("video link")
    clock.set(datetime(2026, 11, 27, 23, 0, tzinfo=UTC))
    await bot.tick(DISPATCHER)
    reminder = await nth(api, maya, "Reminder: Group session", 1)
    await maya.click("👍 I'll be there", message=reminder)
    await maya.expect("See you there")
    await maya.send("/learn")
    await maya.click("HALT", message=await maya.expect("Learn about recovery"))
    await maya.click("📖 Read more", message=await maya.expect("HALT is a quick check-in"))
    await maya.click("Not really", message=await maya.expect("Was this helpful?"))
    await maya.expect("Thanks for telling me")
    await maya.send("i want to kill myself")
    await maya.expect("988")
    await eventually_async(lambda: bot.repo.safety.latest(maya.user_id))
    await maya.send("/mydata")
    held = await maya.expect("holds about you")
    text = "\n".join(m.text for m in maya.inbox() if m.message_id >= held.message_id)
    assert f"Your client record (number {number}): name Maya R.; reminders on" in text
    assert "video link: https://meet.example/maya" in text
    assert "Group session: Fri Nov 27, 6:00 PM CST: you said you'd be there" in text
    assert "Group session: Mon Nov 30, 6:00 PM CST\n" in text
    assert "HALT" in text and "you found it not really helpful" in text
    assert "Safety records" in text and "suicidal thoughts" in text
    assert "I don't hold any information" not in text


async def test_a_long_lesson_opens_short_for_anyone(bot, api, alice):
    await alice.send("/learn")
    await alice.click("HALT", message=await alice.expect("Learn about recovery"))
    opening = await alice.expect("HALT is a quick check-in")
    assert len(opening.text.split()) < 130
    await alice.click("📖 Read more", message=opening)
    await alice.expect("One small step")
    await asyncio.sleep(0.3)
    assert not saying(api, alice, "Was this helpful?")


async def test_cancel_all_ends_the_series_from_that_session_on(bot, api, dana, staff_group,
                                                               clock):
    number, _, maya = await joined(api, dana, staff_group)
    first, second, *later = await bot.repo.sessions.upcoming(number, clock.now())
    assert first.series_id == second.series_id and later
    await dana.send(f"/session {number} cancel {second.id} all")
    await staff_group.expect("cancelled, with the rest of its series")
    assert [s.id for s in await bot.repo.sessions.upcoming(number, clock.now())] == [first.id]
    assert (await bot.repo.sessions.get(second.id)).status == "cancelled"
    await maya.send("/schedule")
    schedule = await maya.expect("Your next sessions")
    assert [line for line in schedule.text.splitlines() if line.startswith("•")] == [
        "• Group session: Fri Nov 27, 6:00 PM CST"]


async def test_a_failed_staff_command_says_what_was_wrong(bot, api, dana, staff_group):
    number, _, _ = await joined(api, dana, staff_group)
    cases = [
        ("/session 99 add group tue 10:00", "There is no client #99"),
        (f"/session {number} add yoga tue 10:00", 'don\'t know the session kind "yoga"'),
        (f"/session {number} add individual 2026-11-20 10:00", "is in the past"),
        (f"/session {number} add individual 2026-02-30 10:00", "is not a real date or time"),
        (f"/session {number} add individual tue 25:00", "is not a real date or time"),
        (f"/session {number} add individual sometime", "couldn't read"),
        (f"/session {number} move 999 tue 10:00", "has no session #999"),
        ("/invite 42", "There is no client #42"),
        ("/client 42", "There is no client #42"),
        ("/enroll 77", "There is no request #77"),
    ]
    for command, problem in cases:
        await dana.send(command)
        reply = await staff_group.expect(problem)
        assert reply.text.startswith("⚠️"), command
        assert "/session CLIENT" in reply.text or "/invite CLIENT" in reply.text \
            or "/client CLIENT" in reply.text or "/enroll REQUEST" in reply.text
    upcoming = await bot.repo.sessions.upcoming(number, bot.clock.now(), limit=50)
    assert {s.kind for s in upcoming} == {"group"}
    refused = [entry for subject in ("session", "invite", "client", "enroll")
               for entry in await bot.repo.audit.for_subject(subject)]
    assert len(refused) == len(cases)
    assert {e.action for e in refused} == {"staff_command_refused"}
    assert {e.actor_id for e in refused} == {dana.user_id}
    assert "unknown_kind" in {e.detail for e in refused}
    assert not any("yoga" in (e.detail or "") for e in refused)  # never what was typed


async def test_invite_says_group_sessions_are_scheduled_only_when_they_are(bot, api, dana,
                                                                          staff_group, clock):
    number, _ = await enroll(dana, staff_group)
    assert "Group sessions from the program defaults are scheduled" in staff_group.last().text
    (first, *_) = await bot.repo.sessions.upcoming(number, clock.now())
    await dana.send(f"/session {number} cancel {first.id} all")
    await staff_group.expect("with the rest of its series")
    await dana.send(f"/invite {number}")
    card = await staff_group.expect("Invite link")
    assert "Group sessions" not in card.text
    assert "No sessions are scheduled yet" in card.text
    await dana.send(f"/session {number} add individual tue 10:00")
    await staff_group.expect("added")
    await dana.send(f"/invite {number}")
    card = await staff_group.expect("Invite link")
    assert "1 session scheduled, none of them group sessions" in card.text
    actions = [e.action for e in await bot.repo.audit.for_subject(f"client:{number}")]
    assert actions.count("staff_invite") == 3


async def test_enrolling_a_request_admits_it_and_ends_its_deadlines(bot, api, alice, dana,
                                                                    staff_group, clock):
    await submitted(alice, inject="Yes", pregnant="No")
    alert = await staff_group.expect("Consultation request #1")
    await dana.click("📞 Contacted", message=alert)
    await staff_group.expect("contacted by Dana")
    await dana.send("/enroll 1")
    card = await staff_group.expect("Invite link")
    number = int(re.search(r"Client #(\d+)", card.text)[1])
    request = await bot.repo.requests.get(1)
    assert request.status == "admitted"
    actions = [e.action for e in await bot.repo.audit.for_subject("request:1")]
    assert actions[-1] == "staff_admitted"
    updated = api.messages(staff_group.chat_id)[0]
    assert "Status: admitted" in updated.text and "admitted by Dana" in updated.text
    assert not updated.buttons
    await dana.send("/queue")
    await staff_group.expect("Open requests: 0")
    clock.advance(timedelta(days=15))
    await bot.tick()
    assert not saying(api, staff_group, "Not yet admitted")
    assert not saying(api, staff_group, "Deadline missed")
    assert (await bot.repo.clients.get(number)).request_id == 1


async def test_the_admission_deadline_of_a_person_who_injects_is_watched(bot, api, alice, dana,
                                                                         staff_group, clock):
    await submitted(alice, inject="Yes", pregnant="No")
    alert = await staff_group.expect("Consultation request #1")
    await dana.click("📞 Contacted", message=alert)
    await staff_group.expect("contacted by Dana")
    clock.advance(timedelta(days=6, hours=23))
    await bot.tick()
    assert not saying(api, staff_group, "Not yet admitted")
    clock.advance(timedelta(hours=1, minutes=1))
    await bot.tick()
    realert = await nth(api, staff_group, "Not yet admitted: request #1", 1)
    assert "admission due Thu Dec 10, 10:00 AM CST" in realert.text
    assert "/enroll 1" in realert.text
    await bot.restart()
    await bot.tick()
    assert len(saying(api, staff_group, "Not yet admitted")) == 1
    clock.advance(timedelta(days=7))
    await bot.tick()
    breach = await nth(api, staff_group, "Deadline missed: request #1", 1)
    assert "The admission deadline was Thu Dec 10, 10:00 AM CST" in breach.text
    await bot.tick()
    assert len(saying(api, staff_group, "Deadline missed")) == 1
    assert await bot.repo.requests.escalations(1) == ["admission_half_time", "admission_breach"]
    actions = [e.action for e in await bot.repo.audit.for_subject("request:1")]
    assert actions[-2:] == ["escalation_admission_half_time", "escalation_admission_breach"]


async def test_a_client_who_is_not_understood_gets_the_client_menu(bot, api, dana, staff_group):
    _, _, maya = await joined(api, dana, staff_group)
    await maya.send("asdfgh")
    reply = await maya.expect("not sure how to help")
    labels = [button.text for row in reply.buttons for button in row]
    assert "Request a consultation" not in " ".join(labels)
    assert "📅 My sessions" in labels
    stranger = api.person(1003, "Sam")
    await stranger.send("asdfgh")
    other = await stranger.expect("not sure how to help")
    assert "Request a consultation" in " ".join(b.text for row in other.buttons for b in row)
