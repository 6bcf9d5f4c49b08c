"""What an operator uses on a live bot: /whoami, and the health endpoint."""

import httpx
import pytest

from tests.e2e.harness import STAFF_CHAT, free_port


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


async def get(running, path: str = "/healthz", method: str = "GET") -> httpx.Response:
    settings = running.settings
    url = f"http://{settings.health_listen}:{settings.health_port}{path}"
    async with httpx.AsyncClient() as client:
        return await client.request(method, url)


@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_health_reports_the_database_and_the_last_update(make_bot, alice, clock, mode):
    running = await make_bot(mode, health_port=free_port())
    before = await get(running)
    assert before.status_code == 200
    assert before.json() == {"status": "ok", "database": True, "last_update": None,
                             "backlog": 0}
    await alice.send("/start")
    await alice.expect("Welcome")
    after = await get(running)
    assert after.status_code == 200
    assert after.json()["last_update"] == clock.now().isoformat()
    assert after.headers["content-type"] == "application/json"


async def test_health_is_503_when_the_database_is_gone(make_bot):
    running = await make_bot(health_port=free_port())
    await running.repo.store.conn.close()
    gone = await get(running)
    assert gone.status_code == 503
    assert gone.json()["database"] is False
    assert gone.json()["status"] == "unavailable"


async def test_health_answers_only_its_path(make_bot):
    running = await make_bot(health_port=free_port())
    assert (await get(running, "/")).status_code == 404
    assert (await get(running, method="POST")).status_code == 405
    head = await get(running, method="HEAD")
    assert (head.status_code, head.content) == (200, b"")
