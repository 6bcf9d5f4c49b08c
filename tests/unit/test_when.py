from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.domain.when import parse_when, read_when

CHICAGO = ZoneInfo("America/Chicago")
# Thursday 26 Nov 2026, 10:00 in Chicago.
NOW = datetime(2026, 11, 26, 16, 0, tzinfo=UTC)


def local(*args) -> datetime:
    return datetime(*args, tzinfo=CHICAGO).astimezone(UTC)


@pytest.mark.parametrize(("text", "expect"), [
    ("2026-12-01 14:00", local(2026, 12, 1, 14, 0)),
    ("2026-12-01 2pm", local(2026, 12, 1, 14, 0)),
    ("12/1 2:30 pm", local(2026, 12, 1, 14, 30)),
    ("12/01/2026 09:15", local(2026, 12, 1, 9, 15)),
    ("tomorrow 10:30", local(2026, 11, 27, 10, 30)),
    ("Tomorrow at 10am", local(2026, 11, 27, 10, 0)),
    ("today 3pm", local(2026, 11, 26, 15, 0)),
    ("fri 2pm", local(2026, 11, 27, 14, 0)),
    ("Thursday 9:00", local(2026, 12, 3, 9, 0)),
    ("monday, 12pm", local(2026, 11, 30, 12, 0)),
    ("1/5 12am", local(2027, 1, 5, 0, 0)),
    ("2027-03-14 02:30", local(2027, 3, 14, 3, 30)),
])
def test_reads_common_forms(text, expect):
    assert parse_when(text, NOW, CHICAGO) == expect


@pytest.mark.parametrize("text", [
    "", "soon", "tomorrow", "10:30", "2026-12-01", "today 9am", "2025-01-01 10:00",
    "2026-13-01 10:00", "12/45 10:00", "tomorrow 25:00", "tomorrow 13pm", "tomorrow 10",
    "tomorrow 10:30 or 11:30", "x" * 5000,
])
def test_refuses_unclear_or_past(text):
    assert parse_when(text, NOW, CHICAGO) is None


@pytest.mark.parametrize(("text", "problem"), [
    ("2026-11-20 10:00", "past"),
    ("today 9:00", "past"),
    ("2026-02-30 10:00", "impossible"),
    ("13/40 10:00", "impossible"),
    ("tue 25:00", "impossible"),
    ("tue 10:75", "impossible"),
    ("tue 13pm", "impossible"),
    ("someday", "unreadable"),
    ("tue", "unreadable"),
    ("10:00", "unreadable"),
])
def test_read_when_says_what_is_wrong(text, problem):
    assert read_when(text, NOW, CHICAGO) == problem
