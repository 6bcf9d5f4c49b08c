"""Every staff command and button, tried by someone it is not for: nothing changes, nothing
is revealed, and the attempt is audited."""

import pytest

from bot.domain.roles import Role
from tests.e2e.harness import STAFF_IDS, eventually
from tests.e2e.test_intake import submitted

COMMANDS = {
    "/queue": Role.CLINICIAN, "/enroll Maya": Role.CLINICIAN, "/invite 1": Role.CLINICIAN,
    "/session 1 add group Tue 6pm": Role.CLINICIAN, "/videolink 1 https://v.example/abc":
    Role.CLINICIAN, "/client 1": Role.CLINICIAN, "/stats": Role.CLINICIAN,
    "/stats 2026-11": Role.CLINICIAN,
    "/disclose 1 | EMS | a fall": Role.ON_CALL, "/staff": Role.ADMIN,
    "/staff add 999 admin": Role.ADMIN, "/staff remove 501": Role.ADMIN,
    "/oncall 501": Role.ADMIN, "/audit 1": Role.ADMIN, "/audit client 1": Role.ADMIN,
}
BUTTONS = {"st:claim:1": Role.CLINICIAN, "st:reason:1:level": Role.CLINICIAN,
           "st:open:1": Role.CLINICIAN, "sf:ack:1": Role.ON_CALL, "sf:said:1": Role.ON_CALL}
SKIP = ("audit_log", "outbox")


async def snapshot(bot) -> dict:
    tables = await bot.repo.store.all("SELECT name FROM sqlite_master WHERE type = 'table'")
    return {t[0]: [tuple(r) for r in await bot.repo.store.all(f"SELECT * FROM {t[0]}")]
            for t in tables if t[0] not in SKIP}


@pytest.mark.parametrize("who", ["stranger", "clinician", "removed"])
async def test_staff_actions_have_no_effect_for_those_without_the_role(
        who, bot, api, alice, staff_group, dana):
    await submitted(alice)
    alert = await staff_group.expect("Consultation request #1")
    await alice.send("i want to kill myself")
    await staff_group.expect("Safety page")
    await dana.send("/enroll Maya R.")
    await staff_group.expect("Invite link")
    top = Role.ADMIN
    if who == "clinician":
        await dana.send("/staff add 503 clinician")
        await staff_group.expect("503: clinician")
        actor, top = api.person(503, "Cleo"), Role.CLINICIAN
    elif who == "removed":
        await dana.send(f"/staff remove {STAFF_IDS[1]}")
        await staff_group.expect("Staff")
        actor = api.person(STAFF_IDS[1], "Lee")
    else:
        actor = api.person(777, "Eve")
    in_group = staff_group.person(actor)
    before = await snapshot(bot)
    tried = 0
    for command, role in COMMANDS.items():
        if who == "clinician" and role <= top:
            continue
        await in_group.send(command)
        await in_group.expect_none(timeout=0.3)
        tried += 1
        if who != "clinician":
            await actor.send(command)
            await actor.expect("not sure how to help with that")
            tried += 1
    for data, role in BUTTONS.items():
        if who == "clinician" and role <= top:
            continue
        answered = len(api.callback_answers)
        api.press(staff_group.chat_id, actor.user_id, alert.message_id, data)
        await eventually(lambda n=answered: len(api.callback_answers) > n)
        assert "no longer active" in api.callback_answers[-1].text
        tried += 1
    assert tried
    assert await snapshot(bot) == before
    refused = await bot.repo.audit.for_subject("staff_only")
    assert len(refused) == tried and {e.actor_id for e in refused} == {actor.user_id}


async def test_admins_manage_staff_and_the_rotation(bot, api, staff_group, dana):
    await dana.send("/staff add 503 on-call")
    await staff_group.expect("503: on-call")
    await dana.send("/oncall 503 777")
    await staff_group.expect("Use /staff add ID ROLE")
    await dana.send("/oncall 503")
    shown = await staff_group.expect("503: on-call (on call)")
    assert "On call: the rotation above" in shown.text
    assert bot.app.bot_data["services"].on_call() == [503]
    await dana.send(f"/staff remove {STAFF_IDS[1]}")
    await staff_group.expect("Staff")
    await dana.send(f"/staff remove {STAFF_IDS[0]}")
    await staff_group.expect("The last admin cannot be removed")
    actions = [e.action for e in await bot.repo.audit.for_subject("staff")]
    assert actions == ["staff_seeded", "staff_added", "oncall_set", "staff_removed"]
