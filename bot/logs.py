"""Logging that cannot leak what a person wrote.

Exception messages are never printed, only their type and stack: a validation error, for
one, quotes its input, and that input can be a client's answer. Libraries' records lose
their arguments (PTB logs a whole update, text included, when it cannot parse one, and every
Bot API call's parameters at DEBUG; httpx logs URLs that hold the bot token; aiosqlite logs
statements with their values). This happens as each record is made, so no handler, filter
or formatter ever sees them; libraries are held at WARNING besides, as they are noisy.
"""

import json
import logging
import traceback
from datetime import UTC, datetime

NOISY = ("httpx", "httpcore", "telegram", "apscheduler", "tornado.access", "aiosqlite")


def describe(error: BaseException, depth: int = 3) -> str:
    """Type and frames, and the same for what caused it: never a message."""
    text = f"{kind(error)} (message withheld)\n{frames(error)}"
    cause = error.__cause__ or (None if error.__suppress_context__ else error.__context__)
    if cause is not None and depth > 1:
        text += f"caused by {describe(cause, depth - 1)}"
    return text


def kind(error: BaseException) -> str:
    return f"{type(error).__module__}.{type(error).__qualname__}"


def frames(error: BaseException) -> str:
    return "".join(traceback.format_tb(error.__traceback__))


def withhold(record: logging.LogRecord) -> None:
    """Any formatter prints `exc_text` rather than formatting the exception itself."""
    error = record.exc_info[1] if record.exc_info else None
    record.exc_text = describe(error) if error is not None else None
    if record.name == "asyncio":
        # "Task exception was never retrieved" puts the exception's repr in the message
        record.msg, record.args = str(record.msg).split("\n")[0], ()
    elif not (record.name == "bot" or record.name.startswith("bot.")):
        record.msg, record.args = str(record.msg), ()


def withheld(*args, **kwargs) -> logging.LogRecord:
    record = logging.LogRecord(*args, **kwargs)
    withhold(record)
    return record


def guard() -> None:
    """Every record is withheld as it is made, whichever handler or formatter sees it."""
    logging.setLogRecordFactory(withheld)


class SafeFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        withhold(record)
        return super().format(record)


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
    guard()
    handler = logging.StreamHandler()
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(SafeFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=level, handlers=[handler], force=True)
    for name in NOISY:
        logging.getLogger(name).setLevel(max(logging.WARNING, logging.getLevelName(level)))
