"""/stats over real activity on the controllable clock: requests claimed and handled, a crisis
page acknowledged, reminders confirmed and a lesson rated, then counted for a period."""

from datetime import UTC, datetime, timedelta

from tests.e2e.conftest import START
from tests.e2e.harness import STAFF_IDS
from tests.e2e.test_clients import DISPATCHER, joined, nth
from tests.e2e.test_intake import saying, submitted
from tests.e2e.test_safety import labels


async def test_stats_count_a_period_of_real_activity(bot, api, alice, staff_group, dana,
                                                     clock):
    bob = api.person(1002, "Bob", language_code="en")
    await submitted(alice, phone="(608) 555-0177")
    pregnant = await staff_group.expect("Consultation request #1")
    await submitted(bob, pregnant="No")
    standard = await staff_group.expect("Consultation request #2")
    clock.advance(timedelta(minutes=30))
    await dana.click("🙋 Claim", message=standard)
    await staff_group.expect("claim by Dana")
    await dana.click("📞 Contacted", message=standard)
    await staff_group.expect("contacted by Dana")
    clock.advance(timedelta(hours=1))
    await dana.click("🙋 Claim", message=pregnant)
    await staff_group.expect("claim by Dana")

    await alice.send("i want to kill myself")
    page = await staff_group.expect("Safety page")
    clock.advance(timedelta(minutes=5, seconds=1))
    await bot.tick("safety-pager")
    await nth(api, staff_group, "Still unacknowledged", 1)
    await dana.click("🙋 I'm on it", message=page)
    await api.wait_for(lambda: "Dana is on it" in labels(api, staff_group, page.message_id))

    _, _, maya = await joined(api, dana, staff_group, user_id=3001)
    await bot.tick(DISPATCHER)
    clock.set(datetime(2026, 11, 27, 0, 0, tzinfo=UTC))
    await bot.tick(DISPATCHER)
    reminder = await nth(api, maya, "Reminder: Group session", 1)
    await maya.click("👍 I'll be there", message=reminder)
    await maya.expect("See you there")
    clock.set(datetime(2026, 11, 27, 23, 0, tzinfo=UTC))
    await bot.tick(DISPATCHER)
    await nth(api, maya, "Reminder: Group session", 2)
    clock.set(datetime(2026, 11, 28, 3, 1, tzinfo=UTC))
    await bot.tick(DISPATCHER)
    await maya.click("📖 Read more", message=await nth(api, maya, "Welcome to IOP", 1))
    await maya.click("👍 Yes", message=await maya.expect("Was this helpful?"))
    await maya.expect("Thanks for telling me")

    clock.set(START + timedelta(hours=49))  # the pregnant referral's 48 hours have passed
    for asked in ("", " week", " month", " 2026-11", " 3d"):
        await dana.send("/stats" + asked)
        stats = await staff_group.expect("Figures, ")
        text = stats.text
        assert "Requests sent: 2" in text
        assert "Tier 2 (pregnant): 1" in text and "Tier 5 (standard): 1" in text
        assert "Tier 1 (pregnant and injecting): 0" in text
        assert "Handled before the deadline: 50% (1 of 2)" in text
        assert "Median time to claim: 1h 0m (2 claimed)" in text
        assert "Crisis pages: 1" in text
        assert "Acknowledged: 1; median time to acknowledge: 5m" in text
        assert "Re-pages: 1" in text
        assert "Reminders due: 2" in text and "Sent 2 · failed 0" in text
        assert "Delivered: 100% (2 of 2 tried)" in text
        assert "Sessions reminded: 1; confirmed 1 (100%), can't make it 0" in text
        assert "Lessons delivered: 1" in text
        assert "Helpful: 100% of answers (1 👍 · 0 👎)" in text
        assert "Welcome to IOP: how the program works: 1 · 1 · 0" in text
        for private in ("Alice", "Bob", "Maya", "555", "kill", str(alice.user_id)):
            assert private not in text

    await dana.send("/stats 2026-10")
    empty = await staff_group.expect("Figures, 2026-10")
    assert "Requests sent: 0" in empty.text and "Crisis pages: 0" in empty.text
    assert "Thu Oct 1, 12:00 AM CDT – Sun Nov 1, 12:00 AM CDT" in empty.text
    await dana.send("/stats 1d")
    day = await staff_group.expect("Figures, 1d")
    assert "Requests sent: 0" in day.text and "Crisis pages: 0" in day.text
    assert "Reminders due: 1" in day.text and "Lessons delivered: 1" in day.text

    viewed = await bot.repo.audit.for_subject("stats:30d")
    assert [(e.action, e.actor_id) for e in viewed] == [("staff_stats_viewed", STAFF_IDS[0])]
    assert viewed[0].detail == "2026-10-29T17:00:00+00:00/2026-11-28T17:00:01+00:00"
    assert await bot.repo.audit.for_subject("stats:2026-11")


async def test_a_bad_period_gets_the_problem_and_the_usage(bot, api, staff_group, dana):
    for asked, problem in (("yesterday", 'couldn\'t read "yesterday" as a period'),
                           ("400d", '"400d" is too long'),
                           ("2026-13", '"2026-13" is not a period I can count'),
                           ("2027-01", '"2027-01" has not started yet')):
        await dana.send(f"/stats {asked}")
        reply = await staff_group.expect(problem)
        assert "/stats week (since Monday)" in reply.text
    assert not saying(api, staff_group, "Requests sent")
    assert not await bot.repo.audit.for_subject("stats:30d")
