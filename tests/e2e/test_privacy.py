"""Privacy a Part 2 program can sign off: deletion that really deletes, an append-only audit
trail."""

import asyncio
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.e2e.harness import STAFF_IDS, eventually, eventually_async
from tests.e2e.test_clients import DISPATCHER, joined, nth
from tests.e2e.test_intake import answer_all, consent, copies, reopened, saying, submitted

PURGE = "retention-purge"

NAME, PHONE, NOTE = "Zebulonia", "+16085550199", "quixotic marmalade 7731"
CLIENT_MENU = ["📅 My sessions", "📚 Lessons", "⏰ Reminders", "🆘 I need help now"]


def on_disk(db: Path) -> bytes:
    """Every file beside the database (the file, its WAL and any journal), read while the
    bot keeps running; the data key's file aside."""
    return b"".join(path.read_bytes() for path in sorted(db.parent.iterdir())
                    if path.name.startswith(db.name) and path.suffix != ".key"
                    and path.is_file())


def found(raw: bytes) -> list[str]:
    return [s for s in (NAME, PHONE, NOTE, "608) 555-0199", "5550199") if s.encode() in raw]


async def watch(db: Path, seen: list[str], stop: asyncio.Event) -> None:
    """Read the files over and over while the flow runs: plaintext must never land."""
    while not stop.is_set():
        try:
            seen.extend(found(on_disk(db)))
        except FileNotFoundError:  # a journal came and went between listing and reading
            pass
        await asyncio.sleep(0.005)


async def test_personal_data_never_reaches_the_disk_and_delete_erases_the_ciphertext(
        bot, alice, staff_group):
    db = bot.settings.database_path
    seen: list[str] = []
    stop = asyncio.Event()
    watcher = asyncio.create_task(watch(db, seen, stop))
    await submitted(alice, name=NAME, phone="(608) 555-0199", notes=NOTE)
    alert = await staff_group.expect("Consultation request #")
    assert NAME in alert.text  # staff still read it: sealed at rest, not hidden from them
    stop.set()
    await watcher
    assert seen == []
    assert found(on_disk(db)) == []
    (answers,) = await bot.repo.store.one("SELECT answers FROM requests")
    assert answers.startswith("enc1:")
    ciphertext = answers.split(":")[2].encode()
    assert ciphertext in on_disk(db)  # what the deletion below has to erase
    await alice.send("/delete")
    await alice.expect("Do you want me to delete everything")
    await alice.click("🗑 Yes, delete everything")
    done = await alice.expect("I've deleted what this chat stored about you")
    assert "42 CFR 2.51" in done.text and "without your name" in done.text
    assert ciphertext not in on_disk(db)
    assert ciphertext[:24] not in on_disk(db)
    assert (await bot.repo.audit.for_subject(f"person:{alice.user_id}"))[-1].action == \
        "data_deleted"


async def test_audit_trail_shows_views_and_cannot_be_changed(bot, alice, staff_group, dana):
    await submitted(alice)
    alert = await staff_group.expect("Consultation request #1")
    await dana.click("🙋 Claim", message=alert)
    await staff_group.expect("claim by Dana")
    await dana.send("/queue")
    await staff_group.expect("Open requests")
    await dana.send("/audit 1")
    trail = await staff_group.expect("Audit trail: request #1")
    assert [line.split(": ", 1)[1] for line in trail.text.splitlines()[1:]] == [
        "intake started by 1001", "intake sent by 1001 (tier=2)", "staff claim by Dana"]
    await dana.send("/audit nonsense")
    await staff_group.expect("Use /audit 12")
    assert [e.action for e in await bot.repo.audit.for_subject("queue")] == \
        ["staff_queue_viewed"]
    for sql in ("UPDATE audit_log SET detail = NULL", "DELETE FROM audit_log"):
        with pytest.raises(Exception, match="append-only"):
            await bot.repo.store.conn.execute(sql)


async def withdraw(person):
    await person.send("/consent")
    await person.expect("Your consent")
    await person.click("Withdraw my consent")
    await person.expect("Do you want to withdraw your consent?")
    await person.click("Yes, withdraw my consent")
    return await person.expect("You've withdrawn your consent")


async def test_consent_shows_what_was_agreed_and_revoking_withdraws_the_request(
        bot, api, alice, staff_group, dana):
    await submitted(alice, name=NAME)
    await staff_group.expect("Consultation request #1")
    await dana.send("/queue")
    queue = await staff_group.expect("Open requests")
    await alice.send("/consent")
    shown = await alice.expect("Your consent")
    assert "version 2026-11" in shown.text and "Thu Nov 26" in shown.text
    await alice.click("Withdraw my consent")
    confirm = await alice.expect("Do you want to withdraw your consent?")
    assert "/delete" in confirm.text
    await alice.click("Keep my consent")
    await alice.expect("your consent stays as it is")
    await alice.click("Yes, withdraw my consent", message=confirm)
    done = await alice.expect("You've withdrawn your consent")
    assert "request #1 is withdrawn" in done.text
    for promise in ("Your safety is never switched off", "for 365 days", "42 CFR 2.51",
                    "/delete", "/consent"):
        assert promise in done.text, promise
    told = await staff_group.expect("don't follow it up")
    assert "Request #1" in told.text
    cleared = api.messages(staff_group.chat_id)[0]
    assert "withdrew their consent" in cleared.text and NAME not in cleared.text
    assert not cleared.buttons
    request = await bot.repo.requests.get(1)
    assert request.status == "withdrawn" and request.answers.name == NAME  # kept, not erased
    person = await bot.repo.people.get(alice.user_id)
    assert person.revoked and person.consent_version == "2026-11"
    actions = [e.action for e in await bot.repo.audit.for_subject(f"person:{alice.user_id}")]
    assert actions[-1] == "consent_revoked"
    revoked = (await bot.repo.audit.for_subject(f"person:{alice.user_id}"))[-1]
    assert revoked.detail is None  # no personal data in the audit line
    await dana.click("📂 #1", message=queue)
    await eventually(lambda: any(a.text and "no longer active" in a.text
                                 for a in api.callback_answers))
    assert (await bot.repo.requests.get(1)).status == "withdrawn"
    await dana.send("/enroll 1")
    await staff_group.expect("Request #1 was withdrawn: the person revoked their consent")
    assert await bot.repo.clients.of_request(1) is None
    await alice.send("/mydata")
    held = await alice.expect("holds about you")
    assert "Consultation request number 1, status: withdrawn" in held.text  # kept, so shown


@pytest.mark.parametrize(("how", "note"), [("withdraw", "don't follow it up"),
                                           ("delete", "remove them there too")])
async def test_alert_copies_opened_from_the_queue_are_cleared_like_the_alert(
        bot, api, alice, staff_group, dana, how, note):
    await submitted(alice, name=NAME)
    alert = await staff_group.expect("Consultation request #1")
    lee, copy, elsewhere = await copies(api, staff_group, dana)
    claim = next(b.callback_data for row in copy.buttons for b in row if "Claim" in b.text)
    await (withdraw(alice) if how == "withdraw" else deleted(alice))
    await lee.expect(note)
    for shown in (alert, copy, elsewhere):
        await api.wait_for(lambda m=shown: cleared(m) or None)
        assert NAME not in shown.text and not shown.buttons
    assert len(saying(api, staff_group, note)) == 1
    for chat, message in ((dana, copy), (lee, elsewhere)):
        answered = len(api.callback_answers)
        api.press(chat.chat_id, chat.user_id, message.message_id, claim)
        await eventually(lambda n=answered: len(api.callback_answers) > n)
        assert "no longer active" in api.callback_answers[-1].text
    request = await bot.repo.requests.get(1)
    assert request is None if how == "delete" else request.status == "withdrawn"
    assert "staff_claim" not in [e.action for e in await bot.repo.audit.for_subject("request:1")]


async def test_an_untracked_alert_is_kept_track_of_once_pressed_and_cleared_with_the_rest(
        bot, api, alice, staff_group, dana):
    """Lee's copy stands for one sent before alert_copies existed: a press on it records it,
    once however often it is pressed, so the withdrawal clears it too."""
    await submitted(alice, name=NAME)
    alert = await staff_group.expect("Consultation request #1")
    lee, copy, untracked = await copies(api, staff_group, dana)
    claim = next(b.callback_data for row in copy.buttons for b in row if "Claim" in b.text)
    lees = (lee.chat_id, untracked.message_id)
    await eventually_async(lambda: tracked(bot, lees))  # /queue's Open records it after sending
    async with bot.repo.store.tx() as db:
        await db.execute("DELETE FROM alert_copies WHERE chat_id = ?", (lee.chat_id,))
    assert not await tracked(bot, lees)
    await lee.click("🙋 Claim", message=untracked)
    for shown in (alert, copy, untracked):
        await api.wait_for(lambda m=shown: "claim by Lee" in m.text or None)
    api.press(lee.chat_id, lee.user_id, untracked.message_id, claim)
    await lee.expect("Request #1 is already claimed; nothing changed.")
    api.press(staff_group.chat_id, dana.user_id, alert.message_id, claim)
    await staff_group.expect("Request #1 is already claimed; nothing changed.")
    assert sorted(await bot.repo.requests.alerts(1)) == sorted([
        (staff_group.chat_id, alert.message_id), (staff_group.chat_id, copy.message_id),
        lees])
    await withdraw(alice)
    for shown in (alert, copy, untracked):
        await api.wait_for(lambda m=shown: cleared(m) or None)
        assert NAME not in shown.text and not shown.buttons


async def tracked(bot, message: tuple[int, int]) -> bool:
    return message in await bot.repo.requests.alerts(1)


async def deleted(person) -> None:
    await person.send("/delete")
    await person.expect("Do you want me to delete everything")
    await person.click("🗑 Yes, delete everything")
    await person.expect("I've deleted")


def cleared(message) -> bool:
    return "details that were here have been removed" in message.text


async def test_delete_clears_the_alerts_of_every_request_closed_ones_too(
        bot, api, alice, staff_group, dana):
    """Request #1 was closed as not a fit, with copies in the group and a private chat;
    #2 is open, and its first alert was replaced by the client's update."""
    await submitted(alice, name=NAME)
    first = await staff_group.expect("Consultation request #1")
    lee, copy, elsewhere = await copies(api, staff_group, dana)
    await dana.click("Not a fit", message=copy)
    await dana.click("Person declined", message=await staff_group.expect("why is request #1"))
    await api.wait_for(lambda: "Status: not a fit" in elsewhere.text or None)
    await alice.send("/start consult")
    await alice.expect("who is this consultation for?")
    await answer_all(alice, name=NAME)
    await alice.click("✅ Send my request")
    second = await staff_group.expect("Consultation request #2")
    await reopened(alice)
    await alice.click("✅ Send my request")
    updated = await staff_group.expect("(updated by the client)")
    await deleted(alice)
    note = await staff_group.expect("remove them there too")
    assert "Request #2 was withdrawn" in note.text
    for shown in (first, copy, elsewhere, second, updated):
        await api.wait_for(lambda m=shown: cleared(m) or None)
        assert NAME not in shown.text and not shown.buttons
    for shown in (first, copy, elsewhere):  # closed before: nothing was withdrawn
        assert shown.text.startswith("🗑 Request #1: the person deleted their data, and")
    assert second.text.startswith("🗑 Request #2 was withdrawn: the person deleted their data")
    assert len(saying(api, staff_group, "remove them there too")) == 1  # only #2 was in play
    assert not saying(api, lee, "remove them there too")
    assert await bot.repo.store.all("SELECT * FROM requests") == []
    assert await bot.repo.store.all("SELECT * FROM alert_copies") == []


async def test_delete_by_an_enrolled_client_clears_the_alert_of_their_admitted_request(
        bot, api, alice, staff_group, dana):
    await enrolled(api, alice, dana, staff_group)
    alert = api.messages(staff_group.chat_id)[0]
    assert "Status: admitted" in alert.text and "Maya" in alert.text
    await deleted(alice)
    await staff_group.expect("Client #1 (Maya) asked to delete their data")
    await api.wait_for(lambda: cleared(alert) or None)
    assert alert.text.startswith("🗑 Request #1: the person deleted their data")
    assert "Maya" not in alert.text and not alert.buttons
    assert not saying(api, staff_group, "Request #1 was withdrawn")
    assert (await bot.repo.clients.of_request(1)) is None  # the request went; the client stays
    assert (await bot.repo.clients.get(1)).name == "Maya"


async def test_a_second_or_stale_press_changes_nothing(bot, api, alice, staff_group):
    await submitted(alice)
    await staff_group.expect("Consultation request #1")
    await withdraw(alice)
    sent = len(alice.inbox())
    await alice.click("Yes, withdraw my consent")
    await alice.click("Withdraw my consent")
    await alice.click("Keep my consent")
    await eventually(lambda: sum("already withdrawn" in (a.text or "")
                                 for a in api.callback_answers) == 3)
    assert len(alice.inbox()) == sent
    assert len(saying(api, staff_group, "withdrew their consent")) == 2  # the alert and the note
    revocations = [e for e in await bot.repo.audit.for_subject(f"person:{alice.user_id}")
                   if e.action == "consent_revoked"]
    assert len(revocations) == 1


async def test_nothing_to_revoke_without_consent(bot, api, alice):
    await alice.send("/consent")
    shown = await alice.expect("Your consent")
    assert "holds no consent" in shown.text and not shown.buttons
    assert await bot.repo.store.all("SELECT * FROM people") == []


async def test_revoking_a_draft_deletes_it_and_stops_the_questions(bot, api, alice):
    await consent(alice)
    await alice.click("Me")
    await alice.expect("What name")
    done = await withdraw(alice)
    assert "request #" not in done.text
    assert await bot.repo.store.all("SELECT * FROM requests") == []
    await alice.send("Maya")
    await alice.expect("not sure how to help")


async def test_crisis_replies_and_pages_go_on_after_revoking(bot, api, alice, staff_group):
    await submitted(alice)
    await staff_group.expect("Consultation request #1")
    await withdraw(alice)
    await alice.send("honestly I just want to kill myself")
    await alice.expect("Please call or text 988 now")
    await staff_group.expect("Safety page")


async def test_consent_can_be_given_again_afresh(bot, api, alice, staff_group):
    await submitted(alice)
    await staff_group.expect("Consultation request #1")
    await withdraw(alice)
    await alice.send("/start consult")
    await alice.expect("your privacy")
    await alice.click("✅ I agree")
    await alice.expect("who is this consultation for?")
    assert not saying(api, alice, "in place again")  # not a client: the questionnaire
    assert not (await bot.repo.people.get(alice.user_id)).revoked
    actions = [e.action for e in await bot.repo.audit.for_subject(f"person:{alice.user_id}")]
    assert actions[-2:] == ["consent_revoked", "consent"]
    assert {r.status for r in [await bot.repo.requests.get(1),
                               await bot.repo.requests.current(alice.user_id)]} == \
        {"withdrawn", "draft"}


async def enrolled(api, alice, dana, staff_group) -> int:
    """Alice asks for a consultation, is enrolled from it and opens her invite."""
    await submitted(alice)
    await staff_group.expect("Consultation request #1")
    await dana.send("/enroll 1")
    card = await staff_group.expect("Invite link")
    token = re.search(r"start=inv_([\w-]+)", card.text)[1]
    await alice.send(f"/start inv_{token}")
    await alice.expect("Welcome to the program")
    return int(re.search(r"Client #(\d+)", card.text)[1])


async def test_a_client_who_revokes_gets_no_reminders_until_agreeing_again(
        bot, api, alice, dana, staff_group, clock):
    number = await enrolled(api, alice, dana, staff_group)
    await bot.tick(DISPATCHER)
    assert (await bot.repo.reminders.counts()).get("pending")
    done = await withdraw(alice)
    assert "reminders or lessons" in done.text and "clinical record" in done.text
    await staff_group.expect(f"Client #{number} (Maya) withdrew their consent to this bot")
    assert set(await bot.repo.reminders.counts()) == {"skipped"}
    clock.set(datetime(2026, 11, 27, 0, 0, tzinfo=UTC))
    await bot.tick(DISPATCHER)
    assert not saying(api, alice, "Reminder:")
    await alice.send("/consent")
    await alice.expect("withdrew your consent on")
    await alice.click("✅ I agree again")
    back = await alice.expect("Your consent is in place again")
    assert [b.text for row in back.buttons for b in row] == CLIENT_MENU
    clock.set(datetime(2026, 11, 27, 23, 0, tzinfo=UTC))
    await bot.tick(DISPATCHER)
    reminder = await nth(api, alice, "Reminder: Group session", 1)
    assert "Today, Fri Nov 27" in reminder.text


async def test_agreeing_again_through_start_consult_brings_a_clients_reminders_back(
        bot, api, alice, dana, staff_group, clock):
    await enrolled(api, alice, dana, staff_group)
    await bot.tick(DISPATCHER)
    await withdraw(alice)
    assert set(await bot.repo.reminders.counts()) == {"skipped"}
    asked = len(saying(api, alice, "who is this consultation for?"))  # her first request's
    await alice.send("/start consult")
    await alice.expect("your privacy")
    await alice.click("✅ I agree")
    back = await alice.expect("Your consent is in place again")
    assert "session reminders and lessons will start again" in back.text
    assert [b.text for row in back.buttons for b in row] == CLIENT_MENU
    assert len(saying(api, alice, "who is this consultation for?")) == asked
    assert await bot.repo.requests.current(alice.user_id) is None  # no new questionnaire
    assert (await bot.repo.reminders.counts()).get("pending")
    actions = [e.action for e in await bot.repo.audit.for_subject(f"person:{alice.user_id}")]
    assert actions[-2:] == ["consent_revoked", "consent"]
    clock.set(datetime(2026, 11, 27, 0, 0, tzinfo=UTC))
    await bot.tick(DISPATCHER)
    reminder = await nth(api, alice, "Reminder: Group session", 1)
    assert "Tomorrow, Fri Nov 27" in reminder.text


async def test_an_old_reminder_after_revoking_reaches_no_staff_and_records_nothing(
        bot, api, alice, dana, staff_group, clock):
    await enrolled(api, alice, dana, staff_group)
    clock.set(datetime(2026, 11, 27, 0, 0, tzinfo=UTC))
    await bot.tick(DISPATCHER)
    reminder = await nth(api, alice, "Reminder: Group session", 1)
    await withdraw(alice)
    before = len(api.callback_answers)
    await alice.click("I can't make it", message=reminder)
    await eventually(lambda: len(api.callback_answers) > before)
    assert not saying(api, staff_group, "can't make it")
    (session,) = await bot.repo.store.all("SELECT attendance FROM sessions WHERE id = ("
                                          "SELECT MIN(id) FROM sessions)")
    assert session["attendance"] is None


async def test_delete_cancels_a_clients_pending_reminders_and_lessons(
        bot, api, dana, staff_group, clock):
    _, _, maya = await joined(api, dana, staff_group)
    await bot.tick(DISPATCHER)
    assert (await bot.repo.reminders.counts()).get("pending")
    await maya.send("/delete")
    await maya.expect("Do you want me to delete everything")
    await maya.click("🗑 Yes, delete everything")
    await maya.expect("disconnected your Telegram")
    assert set(await bot.repo.reminders.counts()) == {"skipped"}
    sent = len(maya.inbox())
    for moment in (datetime(2026, 11, 27, 0, 0, tzinfo=UTC),
                   datetime(2026, 11, 27, 23, 0, tzinfo=UTC),
                   datetime(2026, 11, 28, 4, 0, tzinfo=UTC)):  # after the group day ended
        clock.set(moment)
        await bot.tick(DISPATCHER)
    assert len(maya.inbox()) == sent
    assert await bot.repo.clients.lessons_delivered(1) == set()


async def test_the_daily_purge_deletes_what_is_past_its_days(bot, api, alice, staff_group,
                                                             dana, clock):
    (job,) = bot.app.job_queue.get_jobs_by_name(PURGE)
    trigger = job.job.trigger
    assert (str(trigger.fields[5]), str(trigger.fields[6])) == ("3", "30")  # hour, minute
    assert str(trigger.timezone) == "America/Chicago"
    await submitted(alice, name=NAME, phone="(608) 555-0199", notes=NOTE)
    alert = await staff_group.expect("Consultation request #1")
    await alice.send("honestly I just want to kill myself")
    await staff_group.expect("Safety page")
    await dana.click("Not a fit", message=alert)
    prompt = await staff_group.expect("why is request #1")
    await dana.click("Person declined", message=prompt)
    await staff_group.expect("Status: not a fit (Person declined)")
    (answers,) = await bot.repo.store.one("SELECT answers FROM requests")
    ciphertext = answers.split(":")[2].encode()
    clock.advance(timedelta(days=365, seconds=-1))
    await bot.tick(PURGE)
    assert await bot.repo.requests.get(1) is not None
    clock.advance(timedelta(seconds=1))
    await bot.tick(PURGE)
    assert await bot.repo.requests.get(1) is None
    assert await bot.repo.safety.of_user(alice.user_id) == []
    runs = await bot.repo.audit.for_subject("retention")
    assert [r.action for r in runs] == ["retention_purge"] * 2
    assert runs[0].detail == "requests=0 safety_events=0 letters=0 people=0"
    assert runs[1].detail.startswith("requests=1 safety_events=1 letters=")
    assert runs[1].actor_id is None
    assert await bot.repo.people.get(alice.user_id) is not None  # consent never revoked
    assert ciphertext[:24] not in on_disk(bot.settings.database_path)


async def test_the_purge_clears_the_alert_and_every_copy_of_a_request_it_deletes(
        bot, api, alice, staff_group, dana, clock):
    await submitted(alice, name=NAME)
    alert = await staff_group.expect("Consultation request #1")
    lee = api.person(STAFF_IDS[1], "Lee")
    await lee.send("/queue")
    await lee.click("📂 #1", message=await lee.expect("Open requests"))
    copy = await lee.expect("Consultation request #1")
    await dana.click("Not a fit", message=alert)
    await dana.click("Person declined", message=await staff_group.expect("why is request #1"))
    await api.wait_for(lambda: "Status: not a fit" in copy.text or None)
    bob = api.person(1002, "Bob")
    await submitted(bob, name="Bob")
    live = await staff_group.expect("Consultation request #2")
    clock.advance(timedelta(days=365))
    await bot.tick(PURGE)
    for shown in (alert, copy):
        await api.wait_for(lambda m=shown: cleared(m) or None)
        assert shown.text.startswith("🗑 Request #1 reached the end of its retention period")
        assert NAME not in shown.text and not shown.buttons
    assert await bot.repo.requests.get(1) is None
    assert "Name: Bob" in live.text and live.buttons  # still in play: untouched
    assert not saying(api, staff_group, "remove them there too")
    assert await bot.repo.requests.alerts(2) == [(staff_group.chat_id, live.message_id)]
