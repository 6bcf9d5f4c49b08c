"""Read a date and time a staff member typed, in clinic time."""

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

Problem = Literal["unreadable", "impossible", "past"]

_DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
_TIME = re.compile(r"(?<![\d/.-])(\d{1,2})(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?(?![\d/.-])")
_ISO = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_US = re.compile(r"\b(\d{1,2})/(\d{1,2})(?:/(\d{2,4}))?\b")


def _day(text: str, today: date) -> tuple[date | None, str]:
    """The date named in text, and the text with it removed."""
    if match := _ISO.search(text):
        year, month, day = map(int, match.groups())
        return date(year, month, day), text.replace(match[0], " ")
    if match := _US.search(text):
        month, day = int(match[1]), int(match[2])
        year = int(match[3]) if match[3] else today.year
        year += 2000 if year < 100 else 0
        found = date(year, month, day)
        if not match[3] and found < today:
            found = found.replace(year=year + 1)
        return found, text.replace(match[0], " ")
    words = text.split()
    for index, word in enumerate(words):
        rest = " ".join(words[:index] + words[index + 1:])
        if word == "today":
            return today, rest
        if word == "tomorrow":
            return today + timedelta(days=1), rest
        if word[:3] in _DAYS and (len(word) == 3 or word.rstrip(".").startswith(word[:3])):
            ahead = (_DAYS.index(word[:3]) - today.weekday()) % 7 or 7
            return today + timedelta(days=ahead), rest
    return None, text


def _clock(text: str) -> time | Problem:
    found = [m for m in _TIME.finditer(text)]
    if len(found) != 1:
        return "unreadable"
    hour, minute, half = int(found[0][1]), int(found[0][2] or 0), found[0][3]
    if not found[0][2] and not half:
        return "unreadable"
    if half:
        if not 1 <= hour <= 12:
            return "impossible"
        hour = hour % 12 + (12 if half.startswith("p") else 0)
    if hour > 23 or minute > 59:
        return "impossible"
    return time(hour, minute)


def read_when(text: str, now: datetime, zone: ZoneInfo) -> datetime | Problem:
    """A future moment in UTC, or what is wrong: not one clear date and time ("unreadable"),
    a date or time that does not exist ("impossible", such as 2/30 or 25:00), or "past"."""
    cleaned = " ".join(text.lower().replace(",", " ").replace(" at ", " ").split())
    today = now.astimezone(zone).date()
    try:
        day, rest = _day(cleaned, today)
    except ValueError:
        return "impossible"
    clock = _clock(rest)
    if isinstance(clock, str):
        return clock
    if day is None:
        return "unreadable"
    moment = datetime.combine(day, clock, tzinfo=zone).astimezone(UTC)
    return moment if moment > now else "past"


def parse_when(text: str, now: datetime, zone: ZoneInfo) -> datetime | None:
    """A future moment in UTC, or None when the text is not one clear date and time."""
    found = read_when(text, now, zone)
    return found if isinstance(found, datetime) else None
