"""Logging that cannot leak what a person wrote.

Exception messages are never printed, only their type and stack: a validation error, for
one, quotes its input, and that input can be a client's answer. Libraries' records lose
their arguments (PTB logs a whole update, text included, when it cannot parse one), and
libraries that log requests are held at WARNING (httpx logs URLs that hold the bot token;
aiosqlite logs statements with their values).
"""

import json
import logging
import traceback
from datetime import UTC, datetime

NOISY = ("httpx", "httpcore", "telegram", "apscheduler", "tornado.access", "aiosqlite")


def describe(error: BaseException) -> str:
    return f"{kind(error)} (message withheld)\n{frames(error)}"


def kind(error: BaseException) -> str:
    return f"{type(error).__module__}.{type(error).__qualname__}"


def frames(error: BaseException) -> str:
    return "".join(traceback.format_tb(error.__traceback__))


def withhold(record: logging.LogRecord) -> None:
    record.exc_text = None
    if not record.name.startswith("bot"):
        record.msg, record.args = str(record.msg), ()


class SafeFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        withhold(record)
        return super().format(record)

    def formatException(self, ei) -> str:
        return describe(ei[1]) if ei and ei[1] is not None else ""


class JsonFormatter(logging.Formatter):
    """LOG_FORMAT=json: one object a line for a log collector, withheld as the text form is."""

    def format(self, record: logging.LogRecord) -> str:
        withhold(record)
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        error = record.exc_info[1] if record.exc_info else None
        if error is not None:
            entry |= {"exception": kind(error), "traceback": frames(error)}
        return json.dumps(entry, ensure_ascii=False)


def setup(level: str, fmt: str = "text") -> None:
    handler = logging.StreamHandler()
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(SafeFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=level, handlers=[handler], force=True)
    for name in NOISY:
        logging.getLogger(name).setLevel(max(logging.WARNING, logging.getLevelName(level)))
