"""What an operator uses on a live bot: /whoami, and the health endpoint."""

from tests.e2e.harness import STAFF_CHAT


async def test_whoami_in_private_gives_the_user_id(bot, api, alice):
    await alice.send("/whoami")
    reply = await alice.expect("Your Telegram user id is 1001")
    assert "chat's id" not in reply.text
    assert len(alice.messages()) == 1


async def test_whoami_in_a_group_gives_both_ids(bot, api, staff_group):
    sam = staff_group.person(api.person(777, "Sam", language_code="es"))
    await sam.send("/whoami@iop_companion_bot")
    reply = await staff_group.expect("Su id de usuario de Telegram es 777")
    assert f"El id de este chat es {STAFF_CHAT}" in reply.text
    assert len(staff_group.messages()) == 1


async def test_whoami_works_in_any_group(bot, api):
    group = api.group(-1009999, "Somewhere else")
    stranger = group.person(api.person(778, "Lee"))
    await stranger.send("/whoami")
    await group.expect("This chat's id is -1009999")
