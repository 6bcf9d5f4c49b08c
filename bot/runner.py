"""Run an Application until asked to stop: the same path for production, demo and tests."""

import asyncio
import logging
from urllib.parse import urlsplit

from telegram.error import InvalidToken, NetworkError
from telegram.ext import Application

from bot import health
from bot.app import ALLOWED_UPDATES
from bot.config import FIX, ConfigError, Mode, Settings

log = logging.getLogger(__name__)
MAX_WAIT = 60


async def serve(app: Application, settings: Settings, stop: asyncio.Event) -> None:
    if not await connect(app, settings, stop):
        return
    log.info("connected as @%s; running in %s mode", app.bot.username, settings.bot_mode)
    try:
        if app.post_init:
            await app.post_init(app)
        async with health.serving(app.bot_data["services"], settings):
            if settings.bot_mode is Mode.WEBHOOK:
                await app.updater.start_webhook(
                    listen=settings.webhook_listen,
                    port=settings.webhook_port,
                    url_path=urlsplit(settings.webhook_url).path.lstrip("/"),
                    webhook_url=settings.webhook_url,
                    secret_token=settings.webhook_secret.get_secret_value(),
                    allowed_updates=ALLOWED_UPDATES,
                )
            else:
                await app.updater.start_polling(allowed_updates=ALLOWED_UPDATES, timeout=10,
                                                poll_interval=0.0)
            await app.start()
            await stop.wait()
            await app.updater.stop()
            await app.stop()
            if app.post_stop:
                await app.post_stop(app)
    finally:
        await app.shutdown()
        if app.post_shutdown:
            await app.post_shutdown(app)


async def connect(app: Application, settings: Settings, stop: asyncio.Event) -> bool:
    """Initialize (Telegram's getMe), waiting out a network outage with backoff until it
    answers or `stop` is set. False means stopped; a rejected token is a ConfigError."""
    where = urlsplit(settings.telegram_api_base_url).netloc.rpartition("@")[2]  # no user:pass
    wait = 1
    while True:
        try:
            await app.initialize()
            return True
        except InvalidToken:
            await app.bot.shutdown()
            raise ConfigError(f"TELEGRAM_BOT_TOKEN: the Bot API at {where} rejected it; copy it "
                              "again from @BotFather (and check TELEGRAM_API_BASE_URL if you "
                              f"set it). {FIX}") from None
        except NetworkError as exc:
            log.warning("cannot reach the Bot API at %s (%s); retrying in %s s",
                        where, type(exc).__name__, wait)
        try:
            await asyncio.wait_for(stop.wait(), wait)
        except TimeoutError:
            wait = min(wait * 2, MAX_WAIT)
        else:
            await app.bot.shutdown()
            return False
