"""A bot in a process of its own, so a test can kill it with SIGKILL mid-delivery.

    python -m tests.e2e.child BASE_URL TOKEN DATABASE STAFF_CHAT
"""

import asyncio
import signal
import sys

from bot import logs
from bot.app import build_application
from bot.config import load_settings
from bot.runner import serve


async def main(base_url: str, token: str, db: str, staff_chat: str) -> None:
    settings = load_settings(telegram_bot_token=token, telegram_api_base_url=base_url,
                             database_path=db, staff_chat_id=staff_chat)
    logs.setup("INFO")
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await serve(build_application(settings), settings, stop)


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:5]))
