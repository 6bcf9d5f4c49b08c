import httpx

from bot.standin import FloodLimits, StandIn
from tests.standin.conftest import Call, FakeClock


def too_many(retry_after: int) -> tuple[int, dict]:
    return 429, {
        "ok": False,
        "error_code": 429,
        "description": f"Too Many Requests: retry after {retry_after}",
        "parameters": {"retry_after": retry_after},
    }


async def test_off_by_default(api: StandIn, call: Call) -> None:
    api.person(1001, "Alice")
    for n in range(40):
        assert (await call("sendMessage", chat_id=1001, text=str(n)))[0] == 200
    assert api.stats.too_many_requests == 0


async def test_one_message_per_second_in_a_private_chat(
    api: StandIn, call: Call, clock: FakeClock
) -> None:
    api.person(1001, "Alice")
    api.flood_limits = FloodLimits()
    _, first = await call("sendMessage", chat_id=1001, text="one")
    assert await call("sendMessage", chat_id=1001, text="two") == too_many(1)
    edit = {"chat_id": 1001, "message_id": first["result"]["message_id"], "text": "edited"}
    assert await call("editMessageText", **edit) == too_many(1)
    clock.now += 1
    assert (await call("sendMessage", chat_id=1001, text="two"))[0] == 200
    assert (api.stats.too_many_requests, api.stats.messages_sent) == (2, 2)
    assert [m.text for m in api.messages(1001)] == ["one", "two"]


async def test_global_limit_across_chats(api: StandIn, call: Call, clock: FakeClock) -> None:
    api.flood_limits = FloodLimits(per_second=30)
    for user_id in range(1, 32):
        api.person(user_id)
    for user_id in range(1, 31):
        clock.now += 0.01
        assert (await call("sendMessage", chat_id=user_id, text="hi"))[0] == 200
    assert await call("sendMessage", chat_id=31, text="hi") == too_many(1)
    clock.now += 0.75
    assert (await call("sendMessage", chat_id=31, text="hi"))[0] == 200


async def test_twenty_messages_a_minute_in_a_group(
    api: StandIn, call: Call, clock: FakeClock
) -> None:
    api.group(-100123, "Clinic staff")
    api.flood_limits = FloodLimits()
    for _ in range(20):
        clock.now += 1
        assert (await call("sendMessage", chat_id=-100123, text="update"))[0] == 200
    assert await call("sendMessage", chat_id=-100123, text="update") == too_many(41)
    clock.now += 41
    assert (await call("sendMessage", chat_id=-100123, text="update"))[0] == 200


async def test_limits_given_at_construction_can_be_switched_off(clock: FakeClock) -> None:
    limits = FloodLimits(per_chat_per_second=2)
    async with (
        StandIn(flood_limits=limits, monotonic=clock) as api,
        httpx.AsyncClient(base_url=f"{api.base_url}{api.token}/") as client,
    ):
        api.person(1001, "Alice")

        async def send() -> int:
            response = await client.post("sendMessage", data={"chat_id": 1001, "text": "x"})
            return response.status_code

        assert [await send() for _ in range(3)] == [200, 200, 429]
        api.flood_limits = None
        assert await send() == 200
