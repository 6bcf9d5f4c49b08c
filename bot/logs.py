"""Logging that cannot leak what a person wrote.

Exception messages are never printed, only their type and stack: a validation error, for
one, quotes its input, and that input can be a client's answer. Libraries' records lose
their arguments (PTB logs a whole update, text included, when it cannot parse one), and
libraries that log requests are held at WARNING (httpx logs URLs that hold the bot token;
aiosqlite logs statements with their values).
"""

import logging
import traceback

NOISY = ("httpx", "httpcore", "telegram", "apscheduler", "tornado.access", "aiosqlite")


def describe(error: BaseException) -> str:
    frames = "".join(traceback.format_tb(error.__traceback__))
    return f"{type(error).__module__}.{type(error).__qualname__} (message withheld)\n{frames}"


class SafeFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        record.exc_text = None
        if not record.name.startswith("bot"):
            record.msg, record.args = str(record.msg), ()
        return super().format(record)

    def formatException(self, ei) -> str:
        return describe(ei[1]) if ei and ei[1] is not None else ""


def setup(level: str) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(SafeFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=level, handlers=[handler], force=True)
    for name in NOISY:
        logging.getLogger(name).setLevel(max(logging.WARNING, logging.getLevelName(level)))
