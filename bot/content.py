"""Every message a person reads: Jinja templates under content/, in Telegram's HTML."""

import html
import re
import tomllib
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateNotFound, pass_context

from bot.domain.words import STATES
from bot.paths import CONTENT
from bot.profile import Profile

LIMIT = 4096
PART_BREAK = "---8<---"
_TAG = re.compile(r"<[^>]*>")


class MessageTooLong(ValueError):
    """A rendered part would exceed Telegram's 4,096 characters: fix the template."""


def visible_length(markup: str) -> int:
    """Length as Telegram counts it: after entity parsing, in UTF-16 code units."""
    text = html.unescape(_TAG.sub("", markup))
    return len(text.encode("utf-16-le")) // 2


def duration(span: timedelta) -> str:
    minutes = int(abs(span).total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days}d {hours}h"
    return f"{hours}h {minutes}m" if hours else f"{minutes}m"


def possessive(name: str) -> str:
    """English possessive: "Maya's", "Lakeshore Recovery Partners'"."""
    return name + ("'" if name.endswith(("s", "S")) else "'s")


@dataclass(frozen=True)
class Calendar:
    """Day and month names and the 12-hour clock of one language, from its labels
    (`[when]`), so a Spanish message never shows an English date."""

    days: list[str]  # Monday first
    months: list[str]
    date: str  # "{day} {month} {d}"
    am: str
    pm: str

    def day(self, local: datetime) -> str:
        return self.date.format(day=self.days[local.weekday()],
                                month=self.months[local.month - 1], d=local.day)

    def clock(self, local: datetime, half: bool = True) -> str:
        hour = local.hour % 12 or 12
        suffix = f" {self.pm if local.hour >= 12 else self.am}" if half else ""
        return f"{hour}:{local.minute:02d}{suffix}"


class Content:
    """Templates and labels from `root`, each file overridden by one of the same name under
    `overlay` (a clinic's CONTENT_DIR) when there is one."""

    def __init__(self, profile: Profile, root: Path = CONTENT,
                 overlay: Path | None = None) -> None:
        self.roots = [overlay, root] if overlay else [root]
        self.profile = profile
        self.languages = profile.clinic.languages
        self.env = Environment(
            loader=FileSystemLoader(self.roots),
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.globals.update(profile=profile, clinic=profile.clinic, program=profile.program)
        # Dates in the language being rendered: every render passes `lang`.
        self.env.filters["local"] = pass_context(
            lambda ctx, moment: self.local_time(moment, ctx.get("lang")))
        self.env.filters["local_span"] = pass_context(
            lambda ctx, start, minutes: self.local_span(start, minutes, ctx.get("lang")))
        self.env.filters["duration"] = duration
        self.env.filters["state_name"] = lambda code: STATES.get(code, code)
        self.env.filters["capfirst"] = lambda text: text[:1].upper() + text[1:]
        self.env.filters["possessive"] = possessive
        self._labels = {lang: labels for lang in self.languages
                        if (labels := _merged_labels(self.roots, lang))}

    def lang(self, requested: str | None) -> str:
        code = (requested or "").split("-")[0].lower()
        return code if code in self.languages else self.languages[0]

    def calendar(self, lang: str) -> Calendar:
        labels = self.labels(lang)
        return Calendar(days=labels["when.days"].split(), months=labels["when.months"].split(),
                        date=labels["when.date"], am=labels["when.am"], pm=labels["when.pm"])

    def local_time(self, moment: datetime, lang: str | None = None) -> str:
        """ "Fri Nov 27, 6:00 PM CST", or "vie 27 nov, 6:00 p. m. CST" in Spanish."""
        words = self.calendar(self.lang(lang))
        local = moment.astimezone(self.profile.clinic.tz)
        return f"{words.day(local)}, {words.clock(local)} {local.strftime('%Z')}"

    def local_span(self, start: datetime, minutes: int, lang: str | None = None) -> str:
        """A session from start to end: "Fri Nov 27, 6:00–9:00 PM CST"."""
        words = self.calendar(self.lang(lang))
        zone = self.profile.clinic.tz
        begin = start.astimezone(zone)
        end = (start + timedelta(minutes=minutes)).astimezone(zone)
        if begin.date() != end.date():
            return f"{self.local_time(start, lang)} – {self.local_time(end, lang)}"
        first = words.clock(begin, half=begin.hour // 12 != end.hour // 12)
        return f"{words.day(begin)}, {first}–{words.clock(end)} {end.strftime('%Z')}"

    def parts(self, name: str, lang: str | None = None, /, **context: object) -> list[str]:
        """Render a message; an author-placed PART_BREAK line splits it into several sends."""
        return self.render_path(f"messages/{{}}/{name}.html", lang, **context)

    def render_path(self, pattern: str, lang: str | None = None, /,
                    **context: object) -> list[str]:
        """Render content/<pattern>, where {} in the pattern is the language code."""
        code = self.lang(lang)
        template = self._template(pattern, code)
        support = self.profile.support.for_language(code)
        text = template.render(support=support, lang=code, **context)
        parts = [part.strip() for part in text.split(PART_BREAK) if part.strip()]
        for part in parts:
            if visible_length(part) > LIMIT:
                raise MessageTooLong(f"{pattern}: a part is {visible_length(part)} characters")
        return parts

    def render(self, name: str, lang: str | None = None, /, **context: object) -> str:
        parts = self.parts(name, lang, **context)
        if len(parts) != 1:
            raise MessageTooLong(f"{name} renders {len(parts)} parts; use parts()")
        return parts[0]

    def label(self, key: str, lang: str | None = None) -> str:
        code = self.lang(lang)
        labels = self._labels.get(code, {})
        return labels.get(key) or self._labels[self.languages[0]][key]

    def labels(self, lang: str | None = None) -> dict[str, str]:
        return {**self._labels[self.languages[0]], **self._labels.get(self.lang(lang), {})}

    def message_names(self) -> list[str]:
        folders = [root / "messages" / self.languages[0] for root in self.roots]
        return sorted({path.name.removesuffix(".html") for folder in folders
                       for path in folder.glob("*.html")})

    def _template(self, pattern: str, lang: str):
        for code in dict.fromkeys([lang, self.languages[0]]):
            try:
                return self.env.get_template(pattern.format(code))
            except TemplateNotFound:
                continue
        raise TemplateNotFound(pattern.format(lang))


def _merged_labels(roots: list[Path], lang: str) -> dict[str, str]:
    """A language's labels; the overlay's file need only hold the labels it changes."""
    merged: dict[str, str] = {}
    for root in reversed(roots):
        path = root / "labels" / f"{lang}.toml"
        if path.is_file():
            merged |= _read_labels(path)
    return merged


@cache
def _read_labels(path: Path) -> dict[str, str]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return {f"{group}.{key}": value for group, items in data.items()
            for key, value in items.items()}
