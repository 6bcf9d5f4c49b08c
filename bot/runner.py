"""Run an Application until asked to stop: the same path for production, demo and tests."""

import asyncio
from urllib.parse import urlsplit

from telegram.ext import Application

from bot import health
from bot.app import ALLOWED_UPDATES
from bot.config import Mode, Settings


async def serve(app: Application, settings: Settings, stop: asyncio.Event) -> None:
    await app.initialize()
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
    finally:
        await app.shutdown()
        if app.post_shutdown:
            await app.post_shutdown(app)
