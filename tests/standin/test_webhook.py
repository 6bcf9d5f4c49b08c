import asyncio
import json
import socket
from collections.abc import AsyncIterator, Callable

import pytest
import tornado.httpserver
import tornado.netutil
import tornado.web

from bot.standin import StandIn
from tests.standin.conftest import Call


class Receiver(tornado.web.RequestHandler):
    """A webhook endpoint that fails its first ``failures`` requests with a 500."""

    def initialize(self, log: dict) -> None:
        self.log = log

    def post(self) -> None:
        if self.log["failures"]:
            self.log["failures"] -= 1
            self.set_status(500)
            return
        self.log["updates"].append(json.loads(self.request.body))
        self.log["headers"].append(dict(self.request.headers))


@pytest.fixture
async def hook() -> AsyncIterator[dict]:
    log: dict = {"failures": 0, "updates": [], "headers": []}
    sockets = tornado.netutil.bind_sockets(0, "127.0.0.1")
    server = tornado.httpserver.HTTPServer(
        tornado.web.Application([("/hook", Receiver, {"log": log})])
    )
    server.add_sockets(sockets)
    log["url"] = f"http://127.0.0.1:{sockets[0].getsockname()[1]}/hook"
    yield log
    server.stop()
    await server.close_all_connections()


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def until(condition: Callable[[], object]) -> None:
    """Poll state another task changes, for at most two seconds."""
    for _ in range(400):
        if condition():
            return
        await asyncio.sleep(0.005)
    raise AssertionError("condition not met within 2 s")


async def test_updates_are_posted_in_order_with_the_secret(
    api: StandIn, call: Call, hook: dict
) -> None:
    alice = api.person(1001, "Alice")
    await alice.send("queued before the webhook")
    assert await call("setWebhook", url=hook["url"], secret_token="s3cr-et_") == (
        200,
        {"ok": True, "result": True},
    )
    await alice.send("after")
    await until(lambda: len(hook["updates"]) == 2)
    texts = [u["message"]["text"] for u in hook["updates"]]
    assert texts == ["queued before the webhook", "after"]
    assert {h["X-Telegram-Bot-Api-Secret-Token"] for h in hook["headers"]} == {"s3cr-et_"}
    assert hook["headers"][0]["Content-Type"] == "application/json"
    info = (await call("getWebhookInfo"))[1]["result"]
    assert (info["url"], info["pending_update_count"]) == (hook["url"], 0)
    assert api.stats.webhook_deliveries == 2


async def test_failed_deliveries_are_retried_and_reported(
    api: StandIn, call: Call, hook: dict
) -> None:
    alice = api.person(1001, "Alice")
    api.webhook.backoff = 0.001
    hook["failures"] = 3
    await call("setWebhook", url=hook["url"])
    await alice.send("first")
    await alice.send("second")
    await until(lambda: len(hook["updates"]) == 2)
    assert [u["message"]["text"] for u in hook["updates"]] == ["first", "second"]
    assert "X-Telegram-Bot-Api-Secret-Token" not in hook["headers"][0]
    info = (await call("getWebhookInfo"))[1]["result"]
    assert (
        info["last_error_message"] == "Wrong response from the webhook: 500 Internal Server Error"
    )
    assert isinstance(info["last_error_date"], int)
    assert (api.stats.webhook_failures, api.stats.webhook_deliveries) == (3, 2)


async def test_undelivered_updates_wait_until_the_webhook_works(
    api: StandIn, call: Call, hook: dict
) -> None:
    await call("setWebhook", url=f"http://127.0.0.1:{closed_port()}/hook")
    await api.person(1001, "Alice").send("kept")
    await until(lambda: api.stats.webhook_failures >= 2)
    info = (await call("getWebhookInfo"))[1]["result"]
    assert (info["last_error_message"], info["pending_update_count"]) == ("Connection refused", 1)
    with pytest.raises(TimeoutError, match="webhook failing: Connection refused, 1 pending"):
        await api.wait_for(lambda: False, timeout=0.01)
    await call("setWebhook", url=hook["url"])
    await until(lambda: hook["updates"])
    assert [u["message"]["text"] for u in hook["updates"]] == ["kept"]
    assert (await call("getWebhookInfo"))[1]["result"]["pending_update_count"] == 0


async def test_allowed_updates_and_drop_pending(api: StandIn, call: Call, hook: dict) -> None:
    alice = api.person(1001, "Alice")
    await alice.send("dropped")
    hook_params = {"url": hook["url"], "allowed_updates": ["edited_message"]}
    await call("setWebhook", **hook_params, drop_pending_updates=True)
    sent = await alice.send("not wanted")
    await alice.edit(sent["message"]["message_id"], "wanted")
    await until(lambda: hook["updates"])
    assert [u["edited_message"]["text"] for u in hook["updates"]] == ["wanted"]
    assert (await call("getWebhookInfo"))[1]["result"]["allowed_updates"] == ["edited_message"]


async def test_deleting_the_webhook_leaves_updates_for_polling(api: StandIn, call: Call) -> None:
    await call("setWebhook", url=f"http://127.0.0.1:{closed_port()}/hook")
    await api.person(1001, "Alice").send("keep me")
    await call("deleteWebhook")
    [update] = (await call("getUpdates"))[1]["result"]
    assert update["message"]["text"] == "keep me"


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"url": "ftp://x.org/hook"}, "bad webhook: An HTTPS URL must be provided for webhook"),
        (
            {"url": "https://x.org/hook", "secret_token": "no spaces"},
            "secret token contains unallowed characters",
        ),
    ],
)
async def test_invalid_webhooks_are_refused(call: Call, params: dict, error: str) -> None:
    assert await call("setWebhook", **params) == (
        400,
        {"ok": False, "error_code": 400, "description": f"Bad Request: {error}"},
    )
