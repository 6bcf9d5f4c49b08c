"""A person asks for a consultation, as they would in the app; staff work the request."""

import asyncio
from datetime import timedelta

import pytest

from tests.e2e.harness import STAFF_IDS, eventually, eventually_async


def saying(api, chat, text: str) -> list:
    return [m for m in api.messages(chat.chat_id) if text in m.text]


async def consent(person, start="/start consult"):
    await person.send(start)
    await person.expect("your privacy")
    await person.click("✅ I agree")
    await person.expect("who is this consultation for?")


async def answer_all(person, *, who="Me", relation="My son", name="Maya", age="26",
                     state="WI", inject="No", pregnant="Yes", discharge="No", mental="Not sure",
                     contact="Call me", phone="(608) 555-0123", times="Evenings", notes=None):
    await person.click(who)
    if who == "Me":
        await person.expect("What name")
    else:
        await person.expect("Who are they to you?")
        await person.click(relation)
        await person.expect("first name?")
    await person.send(name)
    await person.expect("How old")
    await person.send(age)
    await person.expect("Which state")
    await person.click(state)
    await person.expect("injected drugs")
    await person.click(inject)
    await person.expect("pregnant?")
    await person.click(pregnant)
    await person.expect("detox program")
    await person.click(discharge)
    await person.expect("mental-health")
    await person.click(mental)
    await person.expect("How should our staff reach")
    await person.click(contact)
    if contact == "Call me":
        await person.expect("phone number")
        await person.send(phone)
    await person.expect("best time")
    await person.click(times)
    await person.expect("anything else")
    if notes:
        await person.send(notes)
    else:
        await person.click("Nothing to add")
    return await person.expect("Please check your request")


async def submitted(person, **answers):
    """Consent, answer every question, send; returns the outcome message."""
    await consent(person)
    await answer_all(person, **answers)
    await person.click("✅ Send my request")
    return await person.expect("Your request")


async def reopened(person):
    """Start again with a request open, and choose to update it; returns the summary."""
    await person.send("/start consult")
    await person.expect("You already have a consultation request")
    await person.click("Update my request")
    return await person.expect("Please check your request")


async def test_pregnant_client_gets_48_hour_promise_and_staff_tier_2(bot, alice, staff_group):
    await consent(alice)
    summary = await answer_all(alice)
    assert "Name: Maya" in summary.text and "by phone, +16085550123" in summary.text
    await alice.click("✅ Send my request")
    outcome = await alice.expect("Your request (number")
    assert "within 48 hours" in outcome.text
    assert "Sat Nov 28, 10:00 AM CST" in outcome.text
    alert = await staff_group.expect("Consultation request #")
    assert "Tier 2: pregnant" in alert.text
    assert "Scheduled due: Sat Nov 28, 10:00 AM CST" in alert.text
    assert "phone +16085550123" in alert.text
    assert "Co-occurring mental health: unsure" in alert.text
    request = await bot.repo.requests.current(alice.user_id)
    assert (request.status, request.tier) == ("open", 2)


async def test_family_member_completes_family_path(bot, api, staff_group):
    mom = api.person(2002, "Rosa")
    await consent(mom)
    await mom.click("Someone I care about")
    await mom.expect("Who are they to you?")
    await mom.send("my son Tyler")
    await mom.expect("choose one of the options")
    await mom.send("My son")
    await mom.expect("What is your son's first name?")
    await mom.send("tyler")
    assert (await mom.expect("How old")).text.startswith("How old is Tyler?")
    await mom.send("34")
    await mom.expect("Which state does Tyler live in?")
    await mom.click("WI")
    await mom.expect("In the last 12 months, has Tyler injected drugs?")
    await mom.click("Prefer not to say")
    assert (await mom.expect("pregnant")).text.startswith("Is Tyler pregnant?")
    await mom.click("No")
    await mom.expect("has Tyler left")
    await mom.click("Yes")
    await mom.expect("Is that true for Tyler?")
    await mom.click("No")
    await mom.expect("How should our staff reach you about this?")
    await mom.click("Call me")
    await mom.expect("What is your phone number? We'll call you, not Tyler.")
    await mom.send("608 555 0100")
    await mom.expect("best time")
    await mom.click("Evenings")
    await mom.expect("anything else")
    await mom.click("Nothing to add")
    summary = await mom.expect("Please check your request")
    assert "For: my son\nName: tyler" in summary.text
    await mom.click("✅ Send my request")
    outcome = await mom.expect("Thank you for looking out for Tyler")
    assert "Tyler is a priority" in outcome.text
    assert "family and multi-family sessions" in outcome.text
    alert = await staff_group.expect("Consultation request #")
    assert "a family member asking for a loved one" in alert.text
    assert "Asked by: Tyler's parent (Tyler is their son), on Tyler's behalf" in alert.text
    assert "Contact: phone +16085550100 (the asker's own, not Tyler's)" in alert.text
    assert "Tier 4" in alert.text
    assert "Chose not to say: injection" in alert.text


async def test_back_from_the_name_reaches_the_relation_and_me_forgets_it(bot, api):
    dad = api.person(2003, "Sam")
    await consent(dad)
    await dad.click("Someone I care about")
    await dad.expect("Who are they to you?")
    await dad.click("A friend")
    await dad.expect("your friend's first name")
    await dad.click("⬅️ Back")
    await dad.expect("Who are they to you?")
    await dad.click("⬅️ Back")
    await dad.expect("who is this consultation for?")
    await dad.click("Me")
    await dad.expect("What name would you like us to use?")
    assert (await bot.repo.requests.current(dad.user_id)).answers.relation is None


async def after(person, message, within: float = 0.3) -> list:
    """Every bot message after `message`, once the bot has had a moment to say more."""
    await asyncio.sleep(within)
    return [m for m in person.inbox() if m.message_id > message.message_id]


async def test_under_age_is_redirected_at_once_and_nothing_kept(bot, api, staff_group):
    teen = api.person(3003, "Jay")
    await consent(teen)
    await teen.click("Me")
    await teen.expect("What name")
    await teen.send("Jay")
    question = await teen.expect("How old")
    await teen.send("16")
    reply = await teen.expect("adults 18 and over")
    assert "Teen Line" in reply.text and "988" in reply.text
    assert await after(teen, question) == [reply]
    assert await bot.repo.requests.current(teen.user_id) is None
    assert not saying(api, staff_group, "Consultation request")


@pytest.mark.parametrize(("typed", "state"), [("Illinois", "IL"), ("il", "IL"),
                                              ("somewhere else", "elsewhere")])
async def test_out_of_area_is_redirected_at_once(bot, api, typed, state):
    person = api.person(3004, "Kim")
    await consent(person)
    await person.click("Me")
    await person.expect("What name")
    await person.send("Kim")
    await person.expect("How old")
    await person.send("40")
    question = await person.expect("Which state")
    await person.send(typed)
    reply = await person.expect("only serve people who live in Wisconsin,")
    assert "1-800-662-4357" in reply.text and "findtreatment.gov" in reply.text
    assert await after(person, question) == [reply]
    assert await bot.repo.requests.current(person.user_id) is None
    actions = [e.action for e in await bot.repo.audit.for_subject("request:1")]
    assert actions == ["intake_started", "intake_out_of_area"]


async def test_typed_state_names_and_yes_no_words(bot, alice):
    await consent(alice)
    await alice.click("Me")
    await alice.expect("What name")
    await alice.send("Maya")
    await alice.expect("How old")
    await alice.send("30")
    await alice.expect("Which state")
    await alice.send("Chicago")
    await alice.expect("didn't recognise that state")
    await alice.send(" wisconsin ")
    await alice.expect("injected drugs")
    await alice.send("nope")
    await alice.expect("pregnant?")
    await alice.send("Yep")
    await alice.expect("detox program")
    await alice.send("sí")
    await alice.expect("mental-health")
    await alice.send("nah")
    await alice.expect("How should our staff reach")
    answers = (await bot.repo.requests.current(alice.user_id)).answers
    assert (answers.state, answers.injection, answers.pregnancy, answers.discharge,
            answers.mental_health) == ("WI", "no", "yes", "yes", "no")


async def test_declined_consent_stores_nothing(bot, alice):
    await alice.send("/start consult")
    await alice.expect("your privacy")
    await alice.click("No thanks")
    reply = await alice.expect("I haven't stored anything")
    assert "988" in reply.text
    store = bot.repo.store
    for table in ("people", "requests"):
        assert await store.all(f"SELECT * FROM {table}") == []
    assert await store.all("SELECT * FROM audit_log WHERE action != 'staff_seeded'") == []


async def test_back_cancel_and_restart(bot, alice):
    await consent(alice)
    await alice.click("Me")
    await alice.expect("What name")
    await alice.send("Maya")
    await alice.expect("How old")
    await alice.click("⬅️ Back")
    await alice.expect("What name")
    await alice.send("May")
    await alice.expect("How old")
    await alice.send("not sure")
    await alice.expect("couldn't find one age")
    await alice.send("41")
    await alice.expect("Which state")
    await bot.restart()
    await alice.send("/start")
    await alice.expect("Welcome")
    await alice.click("Request a consultation")
    await alice.expect("pick up where we left off")
    question = await alice.expect("Which state")
    request = await bot.repo.requests.current(alice.user_id)
    assert (request.answers.name, request.answers.age) == ("May", 41)
    await alice.click("✖️ Cancel", message=question)
    await alice.expect("deleted the answers")
    assert await bot.repo.requests.current(alice.user_id) is None


async def test_cancel_says_what_is_still_kept_and_why(bot, api, alice):
    await consent(alice)
    await alice.click("Me")
    await alice.expect("What name")
    await alice.click("✖️ Cancel")
    plain = await alice.expect("deleted the answers")
    assert "agreed to our privacy notice" in plain.text
    assert "safety record" not in plain.text and "Nothing was kept" not in plain.text
    bob = api.person(1002, "Bob")
    await consent(bob)
    await bob.click("Me")
    await bob.expect("What name")
    await bob.send("i want to kill myself")
    await bob.expect("whenever you're ready")
    await eventually_async(lambda: bot.repo.safety.latest(bob.user_id))
    await bob.click("✖️ Cancel")
    told = await bob.expect("deleted the answers")
    assert ("Because you reached out in distress, a safety record (when it happened and what "
            "kind of help was needed, never your words), as the law on medical emergencies "
            "allows") in told.text
    assert "agreed to our privacy notice" in told.text
    assert "request was started and cancelled" in told.text
    assert await bot.repo.requests.current(bob.user_id) is None
    held = await bot.repo.people.held(bob.user_id)
    assert (held.consent_version, held.safety_events, held.disclosures) == ("2026-11", 1, 0)


async def test_claim_schedule_and_client_confirmation(bot, api, alice, staff_group, dana):
    await submitted(alice)
    alert = await staff_group.expect("Consultation request #")
    await dana.click("🙋 Claim", message=alert)
    claimed = await staff_group.expect("claim by Dana")
    assert "Status: claimed" in claimed.text
    await dana.click("📅 Scheduled", message=claimed)
    prompt = await staff_group.expect("when is the consultation")
    await dana.send("brb, getting coffee")
    await dana.reply(prompt, "someday")
    again = await staff_group.expect("couldn't read that")
    await dana.reply(again, "tomorrow 2:30 pm")
    confirmation = await alice.expect("scheduled for")
    assert "Fri Nov 27, 2:30 PM CST" in confirmation.text
    request = await bot.repo.requests.current(alice.user_id)
    assert request.status == "scheduled"
    actions = [e.action for e in await bot.repo.audit.for_subject(f"request:{request.id}")]
    assert actions == ["intake_started", "intake_sent", "staff_claim", "staff_scheduled"]
    assert "coffee" not in (await bot.repo.requests.current(alice.user_id)).model_dump_json()


async def test_non_staff_press_is_refused(bot, api, alice, staff_group):
    await consent(alice)
    await answer_all(alice)
    await alice.click("✅ Send my request")
    alert = await staff_group.expect("Consultation request #")
    stranger = staff_group.person(api.person(777, "Eve"))
    await stranger.click("🙋 Claim", message=alert)
    refusal = await eventually(lambda: next(
        (a for a in api.callback_answers if a.text and "no longer active" in a.text), None))
    assert not refusal.show_alert
    request = await bot.repo.requests.current(alice.user_id)
    assert request.status == "open"


async def test_same_button_twice_acts_once(bot, alice):
    await consent(alice)
    question = alice.last()
    await alice.click("Me", message=question)
    await alice.expect("What name")
    await alice.click("Someone I care about", message=question)
    await alice.expect("What name")
    request = await bot.repo.requests.current(alice.user_id)
    assert request.answers.subject == "self"


async def test_typed_answer_at_a_button_question(bot, alice):
    await consent(alice)
    await alice.send("banana")
    await alice.expect("choose one of the options")
    await alice.send("me")
    await alice.expect("What name")


async def test_media_and_long_text_get_kind_replies(bot, alice):
    await consent(alice)
    await alice.sticker()
    await alice.expect("I can only read text")
    await alice.voice()
    await alice.expect("I can only read text")
    await alice.click("Me")
    await alice.expect("What name")
    await alice.send("x" * 5000)
    await alice.expect("a bit long")
    request = await bot.repo.requests.current(alice.user_id)
    assert request.step == "name"


async def test_existing_request_is_offered_an_update(bot, api, alice, staff_group, dana):
    await submitted(alice)
    first = await staff_group.expect("Consultation request #1")
    await reopened(alice)
    await alice.click("⬅️ Back")
    await alice.expect("anything else")
    await alice.send("I can only do mornings now")
    await alice.expect("Please check your request")
    await alice.click("✅ Send my request")
    await alice.expect("Your request")
    updated = await staff_group.expect("(updated by the client)")
    assert "I can only do mornings now" in updated.text
    await dana.click("🙋 Claim", message=updated)
    for shown in (first, updated):  # the alert the update replaced is kept up to date too
        await api.wait_for(lambda m=shown: "claim by Dana" in m.text or None)
        assert "I can only do mornings now" in shown.text and "🙋 Claim" not in labels(shown)


async def test_watcher_realerts_at_half_time_then_pages_at_breach(bot, api, alice, staff_group,
                                                                  clock):
    await consent(alice)
    await answer_all(alice)
    await alice.click("✅ Send my request")
    await staff_group.expect("Consultation request #")
    clock.advance(timedelta(hours=23))
    await bot.tick()
    assert not saying(api, staff_group, "Still unclaimed")
    clock.advance(timedelta(hours=1, minutes=1))
    await bot.tick()
    await staff_group.expect("Still unclaimed")
    await bot.restart()
    await bot.tick()
    assert len(saying(api, staff_group, "Still unclaimed")) == 1
    clock.advance(timedelta(hours=25))
    await bot.tick()
    await staff_group.expect("Deadline missed")
    request = await bot.repo.requests.current(alice.user_id)
    assert await bot.repo.requests.escalations(request.id) == ["half_time", "breach"]


async def test_watcher_leaves_handled_requests_alone(bot, api, alice, staff_group, dana, clock):
    await consent(alice)
    await answer_all(alice, pregnant="No", inject="Yes")
    await alice.click("✅ Send my request")
    alert = await staff_group.expect("Consultation request #")
    await dana.click("📞 Contacted", message=alert)
    await staff_group.expect("contacted by Dana")
    clock.advance(timedelta(days=3))
    await bot.tick()
    assert not saying(api, staff_group, "Still unclaimed")
    assert not saying(api, staff_group, "Deadline missed")


async def test_queue_is_staff_only_and_sorted(bot, api, alice, staff_group, dana, clock):
    await consent(alice)
    await answer_all(alice, pregnant="No")
    await alice.click("✅ Send my request")
    bob = api.person(1002, "Bob")
    await consent(bob)
    await answer_all(bob, name="Bob", pregnant="Yes")
    await bob.click("✅ Send my request")
    await bob.expect("Your request")
    await alice.send("/queue")
    await alice.expect("not sure how to help with that")
    staff_private = api.person(STAFF_IDS[1], "Lee")
    await staff_private.send("/queue")
    queue = await staff_private.expect("Open requests: 2")
    lines = [line for line in queue.text.splitlines() if line.startswith("•")]
    assert "tier 2" in lines[0] and "tier 5" in lines[1]


async def test_two_open_prompts_each_take_their_own_reply(bot, api, alice, staff_group, dana):
    await submitted(alice)
    first = await staff_group.expect("Consultation request #1")
    bob = api.person(1002, "Bob")
    await submitted(bob, name="Bob")
    second = await staff_group.expect("Consultation request #2")
    await dana.click("📅 Scheduled", message=first)
    prompt_one = await staff_group.expect("request #1")
    await dana.click("📅 Scheduled", message=second)
    prompt_two = await staff_group.expect("request #2")
    await dana.reply(prompt_one, "tomorrow 9:00")
    await alice.expect("scheduled for")
    await dana.reply(prompt_two, "tomorrow 11:00")
    await bob.expect("scheduled for")
    assert (await bot.repo.requests.get(1)).status == "scheduled"
    assert (await bot.repo.requests.get(2)).status == "scheduled"


async def test_not_a_fit_with_a_reason_button_or_a_typed_reply(bot, api, staff_group, dana):
    for user_id, typed in ((1101, None), (1102, "needs residential care first")):
        person = api.person(user_id, f"P{user_id}")
        await submitted(person, name=f"P{user_id}")
        alert = await staff_group.expect(f"Name: P{user_id}")
        await dana.click("Not a fit", message=alert)
        prompt = await staff_group.expect("why is request")
        if typed:
            await dana.reply(prompt, typed)
        else:
            await dana.click("Referred elsewhere", message=prompt)
        reason = typed or "Referred elsewhere"
        closed = await staff_group.expect(f"Status: not a fit ({reason})")
        assert closed.text.endswith("not a fit by Dana") and not closed.buttons


async def test_queue_items_open_their_alert_with_its_buttons(bot, api, alice, staff_group, dana):
    await submitted(alice, pregnant="No")
    bob = api.person(1002, "Bob")
    await submitted(bob, name="Bob", pregnant="Yes")
    await staff_group.expect("Consultation request #2")
    await dana.send("/queue")
    queue = await staff_group.expect("Open requests: 2")
    assert [b.text for row in queue.buttons for b in row] == ["📂 #2", "📂 #1"]
    stranger = staff_group.person(api.person(777, "Eve"))
    await stranger.click("📂 #1", message=queue)
    await eventually(lambda: next(
        (a for a in api.callback_answers if a.text and "no longer active" in a.text), None))
    await dana.click("📂 #1", message=queue)
    copy = await staff_group.expect("Consultation request #1")
    assert "Name: Maya" in copy.text and "Status: open" in copy.text
    assert len(saying(api, staff_group, "Consultation request #1")) == 2
    await dana.click("🙋 Claim", message=copy)
    for message_id in (copy.message_id, api.messages(staff_group.chat_id)[0].message_id):
        await api.wait_for(lambda m=message_id: next(
            (x for x in api.messages(staff_group.chat_id)
             if x.message_id == m and "claim by Dana" in x.text), None))
    assert (await bot.repo.requests.get(1)).status == "claimed"
    actions = [e.action for e in await bot.repo.audit.for_subject("request:1")]
    assert actions[-2:] == ["request_opened", "staff_claim"]


async def copies(api, staff_group, dana):
    """Request #1's alert opened from /queue by Dana in the staff group and by Lee in his
    private chat: (Lee, the group copy, Lee's copy)."""
    await dana.send("/queue")
    await dana.click("📂 #1", message=await staff_group.expect("Open requests"))
    copy = await staff_group.expect("Consultation request #1")
    lee = api.person(STAFF_IDS[1], "Lee")
    await lee.send("/queue")
    await lee.click("📂 #1", message=await lee.expect("Open requests"))
    return lee, copy, await lee.expect("Consultation request #1")


def labels(message) -> list[str]:
    return [b.text for row in message.buttons for b in row]


async def test_an_action_on_any_copy_updates_the_alert_and_every_copy(bot, api, alice,
                                                                      staff_group, dana):
    """Claim pressed on a copy in a private chat: the group's alert and another copy show
    it too, an old Claim left on a copy gets the polite answer, and enrolment updates all."""
    await submitted(alice)
    alert = await staff_group.expect("Consultation request #1")
    lee, copy, private = await copies(api, staff_group, dana)
    claim = next(b.callback_data for row in copy.buttons for b in row if "Claim" in b.text)
    await lee.click("🙋 Claim", message=private)
    for shown in (alert, copy, private):
        await api.wait_for(lambda m=shown: "claim by Lee" in m.text or None)
        assert "Status: claimed" in shown.text and "🙋 Claim" not in labels(shown)
        assert "📞 Contacted" in labels(shown)
    api.press(staff_group.chat_id, dana.user_id, copy.message_id, claim)
    await staff_group.expect("Request #1 is already claimed; nothing changed.")
    assert [e.action for e in await bot.repo.audit.for_subject("request:1")].count(
        "staff_claim") == 1
    await dana.send("/enroll 1")
    await staff_group.expect("Invite link")
    for shown in (alert, copy, private):
        await api.wait_for(lambda m=shown: "Status: admitted" in m.text or None)
        assert not shown.buttons


async def test_the_same_phone_on_two_requests_is_pointed_out_to_staff(bot, api, alice,
                                                                     staff_group):
    """A mother asks for her son, who also asks himself: staff handle the two together. The
    phone is matched by its keyed HMAC; it is never stored in clear."""
    await submitted(alice, name="Maya", phone="(608) 555-0123")
    first = await staff_group.expect("Consultation request #1")
    assert "Same phone" not in first.text
    mother = api.person(1002, "Rosa")
    await submitted(mother, who="Someone I care about", relation="My son", name="Maya",
                    phone="608-555-0123")
    second = await staff_group.expect("Consultation request #2")
    assert "Same phone as request #1: perhaps the same family" in second.text
    (macs,) = await bot.repo.store.all("SELECT COUNT(DISTINCT phone_mac) FROM requests")
    assert macs[0] == 1
