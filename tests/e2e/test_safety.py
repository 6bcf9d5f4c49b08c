"""The safety path over real HTTP: contacts first, from any state, whatever fails."""

import asyncio
from datetime import timedelta

import pytest

import bot.app as app_module
from tests.e2e.harness import STAFF_IDS, eventually, eventually_async
from tests.e2e.test_intake import answer_all, consent, saying, submitted

CONTACTS = ("988", "741741", "1-800-662-4357", "(608) 555-0199", "CHESS Connections")


async def test_distress_during_intake_pauses_it_until_the_person_continues(bot, api, alice,
                                                                          staff_group):
    await consent(alice)
    await alice.click("Me")
    question = await alice.expect("What name")
    await alice.send("honestly I just want to kill myself")
    crisis = await alice.expect("Please call or text 988 now")
    for contact in CONTACTS:
        assert contact in crisis.text
    assert [b.text for row in crisis.buttons for b in row] == [
        "💚 I'm safe right now", "📞 Please have someone contact me"]
    paused = await alice.expect("whenever you're ready")
    assert paused.message_id > crisis.message_id
    assert [b.text for row in paused.buttons for b in row] == ["▶️ Continue"]
    await asyncio.sleep(0.3)
    assert not [m for m in alice.inbox()
                if m.message_id > question.message_id and "What name" in m.text]
    request = await bot.repo.requests.current(alice.user_id)
    assert request.answers.name is None and request.paused
    page = await staff_group.expect("Safety page")
    assert "suicidal thoughts" in page.text and "CONFIDENTIAL" in page.text
    assert "kill myself" in page.text
    await bot.restart()
    await alice.send("Maya")
    await alice.expect("whenever you're ready")
    assert (await bot.repo.requests.current(alice.user_id)).answers.name is None
    await alice.click("▶️ Continue")
    await alice.expect("What name")
    await alice.send("Maya")
    await alice.expect("How old")
    await answer_all_from_age(alice)
    await alice.click("✅ Send my request")
    await alice.expect("Your request")


async def responded(bot, person) -> bool:
    event = await bot.repo.safety.latest(person.user_id)
    return event is not None and event.response == "safe"


def labels(api, chat, message_id: int) -> str:
    (message,) = [m for m in api.messages(chat.chat_id) if m.message_id == message_id]
    return " ".join(b.text for row in message.buttons for b in row)


async def answer_all_from_age(person):
    await person.send("26")
    await person.expect("Which state")
    await person.click("WI")
    for choice in ("No", "No", "No", "No"):
        await person.expect("?")
        await person.click(choice)
    await person.expect("How should our staff reach")
    await person.click("Message me here")
    await person.expect("best time")
    await person.click("Any time")
    await person.expect("anything else")
    await person.click("Nothing to add")
    await person.expect("Please check your request")


async def test_distress_with_no_conversation(bot, api, staff_group):
    stranger = api.person(4004, "Ana", language_code="es")
    await stranger.send("ya no aguanto más, me quiero morir")
    reply = await stranger.expect("llame o envíe un texto al 988")
    assert "AYUDA" in reply.text
    await staff_group.expect("Safety page")
    assert not [m for m in stranger.inbox() if "not sure how to help" in m.text]


async def test_overdose_leads_with_911(bot, alice):
    await alice.send("my boyfriend is turning blue and wont wake up")
    reply = await alice.expect("please call 911 now")
    assert reply.text.index("911") < reply.text.index("988")
    assert "naloxone" in reply.text


@pytest.mark.parametrize("how", ["button", "/sos", "/crisis"])
async def test_help_now_is_one_tap_away(bot, alice, staff_group, how):
    if how == "button":
        await alice.send("/start")
        await alice.expect("Welcome")
        await alice.click("🆘 I need help now")
    else:
        await alice.send(how)
    reply = await alice.expect("24-hour support")
    for contact in CONTACTS:
        assert contact in reply.text
    page = await staff_group.expect("Safety page")
    assert "asked for help" in page.text


async def test_unacknowledged_page_is_repaged_then_stops_after_ack(bot, api, alice,
                                                                   staff_group, dana, clock):
    await alice.send("I have the pills in my hand, tonight is the night")
    await alice.expect("911")
    page = await staff_group.expect("Safety page")
    clock.advance(timedelta(minutes=5, seconds=1))
    await bot.tick("safety-pager")
    await eventually(lambda: saying(api, staff_group, "Still unacknowledged"))
    await dana.click("🙋 I'm on it", message=page)
    await api.wait_for(lambda: "Dana is on it" in labels(api, staff_group, page.message_id))
    clock.advance(timedelta(minutes=30))
    await bot.tick("safety-pager")
    assert len(saying(api, staff_group, "Still unacknowledged")) == 1
    event = await bot.repo.safety.latest(alice.user_id)
    assert (event.acked_by, event.pages) == (STAFF_IDS[0], 1)


async def test_repaging_is_bounded_and_reaches_backup(make_bot, api, alice, staff_group, clock,
                                                      clinic):
    safety = clinic.safety.model_copy(update={"on_call_user_ids": [601],
                                              "backup_user_ids": [602], "max_repages": 3})
    bot = await make_bot(profile=clinic.model_copy(update={"safety": safety}))
    on_call, backup = api.person(601, "On-call"), api.person(602, "Backup")
    await alice.send("i'm going to end it all tonight")
    await on_call.expect("Safety page")
    for _ in range(6):
        clock.advance(timedelta(minutes=5, seconds=1))
        await bot.tick("safety-pager")
    await eventually(lambda: len(saying(api, staff_group, "Still unacknowledged")) == 3)
    assert len(saying(api, on_call, "Still unacknowledged")) == 3
    assert len(saying(api, backup, "Still unacknowledged")) == 2


async def test_follow_up_once_when_nothing_pressed(bot, api, alice, staff_group, clock):
    await alice.send("i want to die")
    await alice.expect("988")
    await staff_group.expect("Safety page")
    clock.advance(timedelta(minutes=11))
    await bot.tick("safety-pager")
    await alice.expect("Are you safe right now?")
    clock.advance(timedelta(minutes=30))
    await bot.tick("safety-pager")
    assert len(saying(api, alice, "Are you safe right now?")) == 1


async def test_safe_button_stops_the_follow_up(bot, api, alice, staff_group, clock):
    await alice.send("i want to die")
    await alice.expect("988")
    await staff_group.expect("Safety page")
    await alice.click("💚 I'm safe right now")
    await alice.expect("glad you're safe")
    await eventually_async(lambda: responded(bot, alice))
    clock.advance(timedelta(minutes=11))
    await bot.tick("safety-pager")
    assert not saying(api, alice, "Are you safe right now?")


async def test_contact_request_pages_staff(bot, alice, staff_group):
    await alice.send("he hit me again and I'm scared to go home")
    await alice.expect("Nobody deserves to be hurt")
    await alice.click("📞 Please have someone contact me")
    await alice.expect("asked our team to reach out")
    await staff_group.expect("Contact requested")


@pytest.mark.errors_expected
async def test_contacts_still_sent_with_the_database_down(bot, alice, staff_group):
    await bot.repo.close()
    await alice.send("I took all my pills")
    reply = await alice.expect("please call 911 now")
    assert "988" in reply.text
    page = await staff_group.expect("Safety page")
    assert "could not be recorded" in page.text


async def test_non_staff_cannot_acknowledge(bot, api, alice, staff_group):
    await alice.send("i want to kill myself")
    page = await staff_group.expect("Safety page")
    stranger = staff_group.person(api.person(778, "Mallory"))
    await stranger.click("🙋 I'm on it", message=page)
    await eventually(lambda: any(a.text and "no longer active" in a.text
                                 for a in api.callback_answers))
    assert (await bot.repo.safety.latest(alice.user_id)).acked_by is None


async def test_emergency_disclosure_is_recorded_apart(bot, api, alice, staff_group, dana):
    await alice.send("i overdosed on my meds, i feel like im dying")
    page = await staff_group.expect("Safety page")
    event = await bot.repo.safety.latest(alice.user_id)
    assert f"#{event.id}" in page.text
    await dana.send("/disclose nonsense")
    await staff_group.expect("To record an emergency disclosure")
    await dana.send(f"/disclose {event.id} | Paramedic J. Ortiz, Dane County EMS | overdose")
    await staff_group.expect("Disclosure #1 recorded")
    (record,) = await bot.repo.safety.disclosures(alice.user_id)
    assert (record.recipient, record.disclosed_by) == ("Paramedic J. Ortiz, Dane County EMS",
                                                       STAFF_IDS[0])
    await alice.send("/disclose 1 | me | test")
    await alice.expect("not sure how to help with that")


async def test_ordinary_messages_do_not_fire(bot, api, alice, staff_group):
    await consent(alice)
    await answer_all(alice, inject="Yes", notes="this traffic is killing me lol")
    await alice.click("✅ Send my request")
    await alice.expect("Your request")
    assert not saying(api, staff_group, "Safety page")


@pytest.mark.errors_expected
async def test_contacts_still_sent_when_the_staff_template_breaks(bot, alice, staff_group,
                                                                 monkeypatch, error_trap):
    content = bot.app.bot_data["services"].content
    real = content.parts

    def broken(name, *args, **kwargs):
        if name == "safety_page":
            raise RuntimeError("template broke")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(content, "parts", broken)
    await alice.send("i want to kill myself")
    reply = await alice.expect("988")
    assert "741741" in reply.text
    await eventually(lambda: any("page staff" in r.getMessage() for r in error_trap.records))


@pytest.mark.errors_expected
async def test_contacts_first_even_when_a_later_handler_raises(bot, api, alice, monkeypatch,
                                                               error_trap):
    await consent(alice)

    async def boom(*args, **kwargs):
        raise RuntimeError("intake is broken")

    monkeypatch.setattr(bot.repo.requests, "current", boom)
    await alice.send("i want to kill myself")
    await alice.expect("24-hour support")
    await eventually(lambda: error_trap.records)
    assert not saying(api, alice, "went wrong")


async def test_contact_request_pressed_twice_pages_once(bot, api, alice, staff_group):
    await alice.send("i want to kill myself")
    crisis = await alice.expect("24-hour support")
    await staff_group.expect("Safety page")
    await alice.click("📞 Please have someone contact me", message=crisis)
    await alice.expect("asked our team to reach out")
    await staff_group.expect("Contact requested")
    await alice.click("📞 Please have someone contact me", message=crisis)
    await alice.expect("asked our team to reach out")
    events = await bot.repo.store.all(
        "SELECT category FROM safety_events WHERE category = 'contact_requested'")
    assert len(events) == 1


async def test_staff_see_the_persons_answer_on_every_page_and_repage(make_bot, api, alice,
                                                                    staff_group, clock,
                                                                    clinic):
    safety = clinic.safety.model_copy(update={"on_call_user_ids": [601]})
    bot = await make_bot(profile=clinic.model_copy(update={"safety": safety}))
    on_call = api.person(601, "On-call")
    await alice.send("i want to end it all tonight")
    crisis = await alice.expect("988")
    page = await staff_group.expect("Safety page")
    direct = await on_call.expect("Safety page")
    await alice.click("💚 I'm safe right now", message=crisis)
    await alice.expect("glad you're safe")
    for chat, message in ((staff_group, page), (on_call, direct)):
        await api.wait_for(lambda c=chat, m=message: "They said they're safe"
                           in labels(api, c, m.message_id))
    assert "I'm on it" in labels(api, staff_group, page.message_id)
    clock.advance(timedelta(minutes=5, seconds=1))
    await bot.tick("safety-pager")
    repage = await staff_group.expect("Still unacknowledged")
    assert "pressed \"I'm safe right now\"" in repage.text
    assert "They said they're safe" in " ".join(b.text for row in repage.buttons for b in row)


def crisis_replies(person) -> list:
    """Crisis replies, not check-ins (which carry the lifeline too)."""
    return [m for m in person.inbox()
            if ("24-hour" in m.text or "988" in m.text) and "Are you safe?" not in m.text]


async def test_disclosure_over_two_messages_fires_on_the_second_and_not_after(bot, api,
                                                                              staff_group):
    """Neither message is alarming alone (the first gets a check-in); together they are. A
    neutral message after the reply does not fire again, though the window still holds the
    disclosure."""
    person = api.person(4010, "Sam")
    await person.send("the rope is in my trunk")
    await person.expect("Are you safe?")
    assert crisis_replies(person) == [] and saying(api, staff_group, "Safety page") == []
    await person.send("doing it this weekend when my wife's away")
    reply = await person.expect("Please call or text 988 now")
    page = await staff_group.expect("Safety page")
    assert "doing it this weekend when my wife's away" in page.text
    await person.send("ok thanks, see you at group thursday")
    await person.expect("")
    assert crisis_replies(person) == [reply]
    assert len(saying(api, staff_group, "Safety page")) == 1
    event = await bot.repo.safety.latest(person.user_id)
    assert event.category == "suicide"


async def test_the_window_is_per_person(bot, api, staff_group):
    """Another person's message never completes someone else's disclosure."""
    first, second = api.person(4011, "Kim"), api.person(4012, "Lee")
    await first.send("the rope is in my trunk")
    await second.send("doing it this weekend when my wife's away")
    await first.expect("")
    await second.expect("")
    assert crisis_replies(first) == crisis_replies(second) == []
    assert saying(api, staff_group, "Safety page") == []


async def test_weapon_threat_to_others_leads_with_911(bot, api, staff_group):
    person = api.person(4013, "Ray")
    await person.send("i got my uncle's gun and i'm going over to my ex's place tonight, "
                      "she's gonna pay for taking my kids")
    reply = await person.expect("please call 911 now")
    assert reply.text.index("911") < reply.text.index("988")
    page = await staff_group.expect("Safety page")
    event = await bot.repo.safety.latest(person.user_id)
    assert (event.category, event.severity) == ("harm_others", "emergency")
    assert "CONFIDENTIAL" in page.text


async def test_abuse_leads_with_safety_not_the_suicide_line(bot, api):
    person = api.person(4014, "Jo")
    await person.send("my husband hits me when he drinks and i'm scared to go home")
    reply = await person.expect("Nobody deserves to be hurt")
    first = reply.text.splitlines()[0]
    assert "call 911" in first and "988" not in first
    assert "safety plan" in reply.text


async def test_pages_show_the_phone_the_person_asked_to_be_called_on(bot, api, alice, staff_group,
                                                                     clock):
    await submitted(alice, contact="Call me", phone="(608) 555-0123")
    bob = api.person(1002, "Bob")
    await submitted(bob, name="Bob", contact="Message me here")
    await alice.send("I have the pills in my hand, tonight is the night")
    await alice.expect("911")
    page = await staff_group.expect("Safety page")
    assert "request #1" in page.text
    assert "Phone they gave us to call: +16085550123" in page.text
    clock.advance(timedelta(minutes=5, seconds=1))
    await bot.tick("safety-pager")
    repage = await eventually(lambda: next(iter(saying(api, staff_group,
                                                       "Still unacknowledged")), None))
    assert "Phone they gave us to call: +16085550123" in repage.text
    await bob.send("I have the pills in my hand, tonight is the night")
    await bob.expect("911")
    other = await eventually(lambda: next(
        (m for m in saying(api, staff_group, "Safety page") if "request #2" in m.text), None))
    assert "Phone they gave us" not in other.text


@pytest.mark.errors_expected
async def test_a_broken_clinic_crisis_template_still_gives_contacts(make_bot, api, tmp_path,
                                                                   staff_group, error_trap):
    """A clinic's overlay (CONTENT_DIR) that breaks the Spanish crisis message: the plainest
    Spanish message goes instead, with its buttons, and staff are paged as ever."""
    overlay = tmp_path / "overlay"
    (overlay / "messages" / "es").mkdir(parents=True)
    (overlay / "messages" / "es" / "crisis.html").write_text("{{ no_such_value.here }}")
    await make_bot(content_dir=overlay)
    ana = api.person(4004, "Ana", language_code="es")
    await ana.send("ya no aguanto más, me quiero morir")
    reply = await ana.expect("llame o envíe un texto al 988 ahora")
    assert "Línea de guardia" in reply.text and "Estoy a salvo" in str(reply.markup)
    await staff_group.expect("Safety page")
    assert {r.getMessage().split(" for update")[0] for r in error_trap.records} == {
        "the crisis reply could not be made"}


@pytest.mark.errors_expected
async def test_with_the_spanish_ones_broken_the_english_message_goes(make_bot, api, tmp_path,
                                                                    staff_group):
    overlay = tmp_path / "overlay"
    (overlay / "messages" / "es").mkdir(parents=True)
    for name in ("crisis", "crisis_minimal"):
        (overlay / "messages" / "es" / f"{name}.html").write_text("{{ no_such_value.here }}")
    await make_bot(content_dir=overlay)
    ana = api.person(4004, "Ana", language_code="es")
    await ana.send("ya no aguanto más, me quiero morir")
    reply = await ana.expect("Please call or text 988 now")
    assert "I'm safe right now" in str(reply.markup)
    await staff_group.expect("Safety page")


@pytest.mark.errors_expected
async def test_a_database_that_cannot_be_opened_does_not_stop_crisis_replies(
        make_bot, api, tmp_path, staff_group, alice, monkeypatch, error_trap):
    """A damaged file, a missing volume or a full disk at start: the bot still starts, the
    contacts still go out and staff are still paged, and the database is tried again."""
    monkeypatch.setattr(app_module, "REOPEN_SECONDS", 0.2)
    db = tmp_path / "iop.db"
    db.write_bytes(b"not a database, " * 512)
    bot = await make_bot()
    assert bot.repo is None
    assert any("cannot open the database" in r.getMessage() for r in error_trap.records)
    await alice.send("i just want to kill myself tonight")
    await alice.expect("Please call or text 988 now")
    await staff_group.expect("Safety page")
    db.unlink()
    await eventually(lambda: bot.repo is not None)
    await alice.send("/start")
    await alice.expect("welcome")


LEANING = "i don't know how much more i can take"  # the backstop leans but does not fire


async def checked_in(api, user_id: int, name: str):
    """A person who has just had a check-in."""
    person = api.person(user_id, name)
    await person.send(LEANING)
    await person.expect("Are you safe?")
    return person


async def test_a_message_the_backstop_leans_on_gets_a_check_in_and_pages_nobody(bot, api,
                                                                                staff_group):
    """Not enough for the crisis reply, but close: ask, give the lifeline, page nobody and
    say so; at most once in check_in_hours (the second message gets the ordinary reply,
    which the gate withholds only from a message it checked in about)."""
    person = api.person(4030, "Ash")
    await person.send(LEANING)
    check = await person.expect("Are you safe?")
    assert "988" in check.text and "(608) 555-0199" in check.text
    assert "nobody at the clinic has been told" in check.text
    await person.send("estoy cansado de todo")
    await person.expect("not sure how to help")
    assert len(saying(api, person, "safe?")) == 1
    assert saying(api, staff_group, "Safety page") == []
    assert await bot.repo.safety.latest(person.user_id) is None


async def test_a_check_in_contact_request_always_pages(bot, api, staff_group):
    person = await checked_in(api, 4038, "Ivy")
    await person.click("📞 Please have someone contact me")
    await person.expect("asked our team to reach out")
    await staff_group.expect("Contact requested")
    event = await bot.repo.safety.latest(person.user_id)
    assert event.category == "contact_requested"


async def test_im_ok_on_a_check_in_pages_nobody(bot, api, staff_group):
    person = await checked_in(api, 4039, "Jay")
    await person.click("💚 I'm OK")
    await person.expect("glad you're safe")
    assert saying(api, staff_group, "Safety page") == []
    assert await bot.repo.safety.latest(person.user_id) is None


async def test_check_ins_come_again_after_the_quiet_hours(bot, api, clock):
    person = await checked_in(api, 4031, "Bo")
    clock.advance(timedelta(hours=12))
    await person.send(LEANING)
    await eventually(lambda: len(saying(api, person, "Are you safe?")) == 2)


async def test_no_check_in_when_the_clinic_turns_them_off(make_bot, api, clinic):
    person = api.person(4032, "Cy")
    await make_bot(profile=clinic.model_copy(update={
        "safety": clinic.safety.model_copy(update={"check_in_hours": 0})}))
    await person.send(LEANING)
    await person.expect("not sure how to help")
    assert saying(api, person, "Are you safe?") == []


@pytest.mark.parametrize("first", ["i want to kill myself", "/sos"])
async def test_no_check_in_soon_after_the_contacts(bot, api, first):
    person = api.person(4033, "Di")
    await person.send(first)
    await person.expect("988")
    await person.send(LEANING)
    await person.expect("not sure how to help")
    assert saying(api, person, "Are you safe?") == []


async def test_typing_no_to_a_check_in_gets_help_and_pages(bot, api, staff_group):
    """The bot asked "Are you safe?"; a typed "no" is a request for help, not an unknown
    message."""
    person = await checked_in(api, 4034, "Em")
    await person.send("not really")
    await person.expect("You reached out, and that matters")
    await staff_group.expect("Safety page")
    assert saying(api, person, "not sure how to help") == []


async def test_typing_yes_to_a_check_in_is_answered_kindly_and_pages_nobody(bot, api,
                                                                            staff_group):
    person = await checked_in(api, 4035, "Flo")
    await person.send("I'm ok thanks")
    await person.expect("glad you're safe")
    assert saying(api, staff_group, "Safety page") == []
    assert saying(api, person, "not sure how to help") == []  # the check-in answered it
    await person.send("yes")  # asked once, answered once: later words are ordinary
    await person.expect("not sure how to help")


async def test_typed_answers_to_the_follow_up_count_like_its_buttons(bot, api, staff_group,
                                                                     clock):
    first, second = api.person(4036, "Gil"), api.person(4037, "Hal")
    for person in (first, second):
        await person.send("i want to die")
        await person.expect("988")
    await eventually(lambda: len(saying(api, staff_group, "Safety page")) == 2)
    clock.advance(timedelta(minutes=11))
    await bot.tick("safety-pager")
    await first.expect("Are you safe right now?")
    await second.expect("Are you safe right now?")
    await first.send("yes")
    await first.expect("glad you're safe")
    await eventually_async(lambda: responded(bot, first))
    await second.send("nope")
    await second.expect("You reached out, and that matters")
    await eventually(lambda: len(saying(api, staff_group, "Safety page")) == 3)


async def test_an_old_unanswered_contact_request_does_not_swallow_a_new_one(bot, api, alice,
                                                                          staff_group, clock):
    await alice.send("he hit me again and I'm scared to go home")
    reply = await alice.expect("Nobody deserves to be hurt")
    await alice.click("📞 Please have someone contact me", message=reply)
    await staff_group.expect("Contact requested")
    clock.advance(timedelta(hours=2))  # its re-pages long over, nobody pressed "I'm on it"
    await alice.click("📞 Please have someone contact me", message=reply)
    await eventually(lambda: len(saying(api, staff_group, "Contact requested")) == 2)


async def test_during_intake_a_check_in_loses_nothing_and_a_typed_no_still_gets_help(
        bot, api, alice, staff_group):
    """The intake takes the message as usual and asks on; a "no" right after is taken as the
    answer to "Are you safe?", not to the intake, and pauses the questions."""
    await consent(alice)
    await alice.click("Me")
    await alice.expect("What name")
    await alice.send(LEANING)
    await alice.expect("Are you safe?")
    await alice.expect("How old")
    await alice.send("no")
    await alice.expect("You reached out, and that matters")
    await alice.expect("whenever you're ready")
    page = await staff_group.expect("Safety page")
    assert "CONFIDENTIAL" in page.text
    assert (await bot.repo.requests.current(alice.user_id)).answers.age is None


async def test_a_typed_no_to_the_follow_up_gets_help_while_intake_is_paused(bot, api, alice,
                                                                          staff_group, clock):
    await consent(alice)
    await alice.click("Me")
    await alice.expect("What name")
    await alice.send("honestly I just want to kill myself")
    await alice.expect("whenever you're ready")
    await staff_group.expect("Safety page")
    clock.advance(timedelta(minutes=11))
    await bot.tick("safety-pager")
    await alice.expect("Are you safe right now?")
    await alice.send("idk")
    await alice.expect("You reached out, and that matters")
    await eventually(lambda: len(saying(api, staff_group, "Safety page")) == 2)


@pytest.mark.errors_expected
async def test_a_typed_no_gets_help_with_the_database_down(bot, api, staff_group):
    await bot.repo.close()
    person = await checked_in(api, 4040, "Kai")
    await person.send("not really")
    await person.expect("You reached out, and that matters")
    page = await staff_group.expect("Safety page")
    assert "could not be recorded" in page.text


async def test_an_answered_question_is_closed(bot, api, staff_group, clock):
    """After "I need help now" on a check-in, "ok" is not taken as "I'm safe"; after "I'm
    safe right now" on a follow-up, "no" is not taken as "not safe"."""
    person = await checked_in(api, 4041, "Lou")
    await person.click("🆘 I need help now")
    await person.expect("You reached out, and that matters")
    await person.send("ok")
    await person.expect("not sure how to help")
    assert saying(api, person, "glad you're safe") == []
    clock.advance(timedelta(minutes=11))
    await bot.tick("safety-pager")
    await person.expect("Are you safe right now?")
    await person.click("💚 I'm safe right now")
    await person.expect("glad you're safe")
    await person.send("no")
    await person.expect("not sure how to help")
    assert len(saying(api, staff_group, "Safety page")) == 1



async def test_a_typed_no_after_a_check_in_that_may_not_have_arrived_still_gets_help(
        bot, api, staff_group):
    """Two slow answers from Telegram: the check-in ends "unsure", yet it was delivered."""
    person = api.person(4043, "Nia")
    api.stall(6, times=2, chat_id=person.user_id)
    await person.send(LEANING)
    await person.expect("Are you safe?", timeout=20)
    await person.send("no")
    await person.expect("You reached out, and that matters", timeout=20)
    await staff_group.expect("Safety page")
