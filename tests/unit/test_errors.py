import logging
import sys
from types import SimpleNamespace

from pydantic import BaseModel, ValidationError

from bot.handlers.errors import on_error
from bot.logs import SafeFormatter


class Answer(BaseModel):
    age: int


async def test_error_log_never_contains_the_input(caplog):
    typed = " ".join(["I", "took", "all", "my", "pills"])
    try:
        Answer(age=typed)
    except ValidationError as exc:
        error = exc
    ctx = SimpleNamespace(error=error)
    with caplog.at_level(logging.ERROR, logger="bot.errors"):
        await on_error(None, ctx)
    logged = caplog.text
    assert "ValidationError" in logged
    assert "test_errors.py" in logged
    assert "pills" not in logged


def test_formatter_withholds_every_exception_message():
    secret = " ".join(["he", "is", "not", "breathing"])
    try:
        raise RuntimeError(secret)
    except RuntimeError:
        record = logging.LogRecord("bot", logging.ERROR, __file__, 1, "failed", None,
                                   sys.exc_info())
    text = SafeFormatter("%(message)s").format(record)
    assert "RuntimeError (message withheld)" in text
    assert secret not in text


def test_library_records_lose_their_arguments():
    record = logging.LogRecord("telegram.ext.Updater", logging.CRITICAL, __file__, 1,
                               "Error while parsing updates! Received data was %r",
                               ({"text": "i want to die"},), None)
    text = SafeFormatter("%(message)s").format(record)
    assert "want to die" not in text
    assert "Error while parsing updates" in text
