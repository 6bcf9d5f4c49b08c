"""GET /healthz on HEALTH_LISTEN:HEALTH_PORT, for Docker's HEALTHCHECK and for monitoring.

A separate small server, in polling and webhook mode alike: PTB's webhook server takes no
extra routes, and this one must answer even while Telegram's side is down. 200 while the
database answers `SELECT 1` within a second, otherwise 503.
"""

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from http import HTTPStatus

from telegram import Update
from telegram.ext import Application, TypeHandler

from bot.config import Settings
from bot.logs import kind
from bot.services import Ctx, Services

log = logging.getLogger(__name__)
PATH = "/healthz"
TIMEOUT = 1.0


async def seen(update: Update, ctx: Ctx) -> None:
    ctx.services.last_update = ctx.clock.now()


def register(app: Application, group: int) -> None:
    app.add_handler(TypeHandler(Update, seen), group)


async def report(services: Services) -> tuple[int, dict[str, object]]:
    database = await _database_ok(services)
    last = services.last_update
    body = {"status": "ok" if database else "unavailable", "database": database,
            "last_update": last.isoformat() if last else None,
            "backlog": await services.backlog()}
    return (200 if database else 503), body


async def _database_ok(services: Services) -> bool:
    if services.repo is None:
        return False
    try:
        async with asyncio.timeout(TIMEOUT):
            await services.repo.ping()
    except Exception as exc:
        log.warning("health: the database did not answer (%s)", kind(exc))
        return False
    return True


@asynccontextmanager
async def serving(services: Services, settings: Settings) -> AsyncIterator[None]:
    """Serve /healthz while inside, when HEALTH_PORT is set; a port in use fails at once."""
    if settings.health_port is None:
        yield
        return

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        # A client that hangs up, stalls or sends garbage gets nothing more.
        try:
            with suppress(TimeoutError, asyncio.IncompleteReadError,
                          asyncio.LimitOverrunError, ConnectionError):
                async with asyncio.timeout(5):
                    head = await reader.readuntil(b"\r\n\r\n")
                method, _, rest = head.split(b"\r\n", 1)[0].partition(b" ")
                target = rest.partition(b" ")[0]
                if target.split(b"?")[0] != PATH.encode():
                    status, body = 404, {"error": "not found"}
                elif method not in (b"GET", b"HEAD"):
                    status, body = 405, {"error": "use GET"}
                else:
                    status, body = await report(services)
                writer.write(_response(status, body, head=method == b"HEAD"))
                await writer.drain()
        finally:
            writer.close()
            with suppress(ConnectionError):
                await writer.wait_closed()

    server = await asyncio.start_server(handle, settings.health_listen, settings.health_port)
    try:
        yield
    finally:
        server.close()
        await server.wait_closed()


def _response(status: int, body: dict[str, object], *, head: bool) -> bytes:
    data = json.dumps(body).encode()
    lines = [f"HTTP/1.1 {status} {HTTPStatus(status).phrase}", "Content-Type: application/json",
             f"Content-Length: {len(data)}", "Cache-Control: no-store", "Connection: close"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + (b"" if head else data)
