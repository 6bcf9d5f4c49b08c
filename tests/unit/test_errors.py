import asyncio
import gc
import io
import json
import logging
import subprocess
import sys
from datetime import datetime
from types import SimpleNamespace

from pydantic import BaseModel, ValidationError

from bot.handlers.errors import on_error
from bot.logs import JsonFormatter, SafeFormatter, describe, guard


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


def test_json_lines_carry_the_exception_type_but_never_its_message():
    secret = " ".join(["he", "is", "not", "breathing"])
    try:
        raise RuntimeError(secret)
    except RuntimeError:
        record = logging.LogRecord("bot.safety", logging.ERROR, __file__, 1, "page %s failed",
                                   (7,), sys.exc_info())
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "ERROR"
    assert entry["logger"] == "bot.safety"
    assert entry["message"] == "page 7 failed"
    assert entry["exception"] == "builtins.RuntimeError"
    assert "test_errors.py" in entry["traceback"]
    assert datetime.fromisoformat(entry["time"]).tzinfo is not None
    assert secret not in line


def test_json_library_records_lose_their_arguments():
    record = logging.LogRecord("telegram.ext.Updater", logging.CRITICAL, __file__, 1,
                               "Received data was %r", ({"text": "i want to die"},), None)
    entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "Received data was %r"
    assert "exception" not in entry


def test_log_format_json_reaches_stderr(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "LOG_FORMAT": "json",
           "DATABASE_PATH": str(tmp_path / "iop.db")}
    code = ("import logging; from bot.__main__ import main; main(['migrate']); "
            "logging.getLogger('bot.x').warning('hello %s', 1)")
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                            text=True, timeout=60, check=True)
    assert json.loads(result.stderr.strip().splitlines()[-1])["message"] == "hello 1"


def test_records_are_withheld_as_they_are_made_for_any_handler():
    secret = " ".join(["he", "is", "not", "breathing"])
    out = io.StringIO()
    plain = logging.StreamHandler(out)
    plain.setFormatter(logging.Formatter("%(name)s %(message)s"))
    library = logging.getLogger("httpx")
    factory, level = logging.getLogRecordFactory(), library.level
    guard()
    logging.getLogger().addHandler(plain)
    library.setLevel(logging.DEBUG)
    try:
        library.debug("HTTP Request: %s", "http://api/bot123:secret-token/sendMessage")
        try:
            raise RuntimeError(secret)
        except RuntimeError:
            library.exception("failed")
            logging.getLogger("bot.x").exception("page %s failed", 7)
    finally:
        logging.getLogger().removeHandler(plain)
        logging.setLogRecordFactory(factory)
        library.setLevel(level)
    logged = out.getvalue()
    assert "HTTP Request: %s" in logged
    assert "RuntimeError (message withheld)" in logged
    assert "secret-token" not in logged and secret not in logged


async def test_an_unretrieved_task_exception_keeps_its_secret():
    """asyncio writes the exception's repr into the message of this record."""
    secret = "555-0100 is my number"
    out = io.StringIO()
    plain = logging.StreamHandler(out)
    plain.setFormatter(logging.Formatter("%(name)s %(message)s"))
    factory = logging.getLogRecordFactory()
    guard()
    logging.getLogger().addHandler(plain)
    try:
        async def fails():
            raise ValueError(secret)

        task = asyncio.ensure_future(fails())
        await asyncio.sleep(0)
        del task
        gc.collect()
    finally:
        logging.getLogger().removeHandler(plain)
        logging.setLogRecordFactory(factory)
    logged = out.getvalue()
    assert "Task exception was never retrieved" in logged
    assert secret not in logged


def test_a_chained_cause_is_named_without_its_message():
    secret = "".join(["Zebu", "lonia"])  # not in the source lines a traceback shows
    try:
        try:
            raise OSError(secret)
        except OSError as inner:
            raise RuntimeError(secret) from inner
    except RuntimeError as error:
        text = describe(error)
    assert "RuntimeError (message withheld)" in text
    assert "caused by builtins.OSError (message withheld)" in text
    assert secret not in text
