"""Inline-button data: one small typed class per button family.

A family packs itself as its prefix and fields joined by ":" and parses only data it would
have packed itself. The strings are the ones earlier versions sent, so buttons already in
people's chats keep working.
"""

from dataclasses import fields
from typing import Annotated, ClassVar, Literal, Self

from pydantic import Field, StringConstraints
from pydantic.dataclasses import dataclass
from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot.domain.intake import Step

LIMIT = 64
HEADS: set[str] = set()

Id = Annotated[int, Field(ge=1, le=2**63 - 1)]
Word = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,32}$")]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=58)]
Excuse = Literal["unwell", "transport", "work", "family", "other"]
Action = Literal["claim", "contacted", "scheduled", "not_a_fit"]
Unfit = Literal["level", "referred", "unreachable", "declined"]


class Press(CallbackQueryHandler):
    """PTB lets a press without data through every pattern; this handler never takes one."""

    def check_update(self, update: object) -> object:
        query = update.callback_query if isinstance(update, Update) else None
        return super().check_update(update) if query and query.data else None


class Button:
    prefix: ClassVar[str]

    def __init_subclass__(cls, prefix: str, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        cls.prefix = prefix
        HEADS.add(prefix.split(":")[0])

    def pack(self) -> str:
        values = [getattr(self, f.name) for f in fields(self)]
        while values and values[-1] is None:
            values.pop()
        data = ":".join([self.prefix, *map(str, values)])
        if len(data.encode()) > LIMIT:
            raise ValueError(f"button data over {LIMIT} bytes: {data!r}")
        return data

    @classmethod
    def parse(cls, data: object) -> Self | None:
        """The button, or None for anything this family would not have packed itself."""
        if not isinstance(data, str) or len(data.encode()) > LIMIT:
            return None
        if data == cls.prefix:
            parts = []
        elif data.startswith(cls.prefix + ":"):
            parts = data[len(cls.prefix) + 1:].split(":")
        else:
            return None
        try:
            found = cls(*parts)
        except ValueError:
            return None
        return found if found.pack() == data else None

    @classmethod
    def handler(cls, callback) -> Press:
        """A handler for this family's presses: `CallbackQueryHandler(pattern=cls.parse)`."""
        return Press(callback, pattern=cls.parse)

    @classmethod
    def of(cls, update: Update) -> Self:
        """The button pressed; its handler came from `handler`, so the data parses."""
        found = cls.parse(update.callback_query.data)
        if found is None:
            raise LookupError(f"not a {cls.__name__} button")
        return found


def ours(data: object) -> bool:
    """Data from one of our keyboards, perhaps from an older version: a prefix we use."""
    return (isinstance(data, str) and len(data.encode()) <= LIMIT
            and data.split(":")[0] in HEADS)


@dataclass(frozen=True)
class Sos(Button, prefix="sos"):
    """"I need help now" on the menu: no fields."""


@dataclass(frozen=True)
class Consult(Button, prefix="menu:consult"):
    """"Request a consultation" on the menu: no fields."""


@dataclass(frozen=True)
class About(Button, prefix="menu"):
    page: Literal["iop", "family"]


@dataclass(frozen=True)
class ClientMenu(Button, prefix="me"):
    page: Literal["schedule", "learn", "reminders"]


@dataclass(frozen=True)
class Consent(Button, prefix="consent"):
    choice: Literal["yes", "no"]
    referral: Word | None = None


@dataclass(frozen=True)
class Reopen(Button, prefix="in"):
    choice: Literal["update", "keep"]


@dataclass(frozen=True)
class Answer(Button, prefix="in"):
    step: Step
    value: Word


@dataclass(frozen=True)
class Continue(Button, prefix="go"):
    """Continue an intake paused after a crisis reply."""


@dataclass(frozen=True)
class Privacy(Button, prefix="privacy"):
    choice: Literal["delete", "keep"]


@dataclass(frozen=True)
class Revoke(Button, prefix="revoke"):
    """/consent: ask to revoke, confirm ("yes") or keep it; "renew" agrees again."""

    choice: Literal["ask", "yes", "keep", "renew"]


@dataclass(frozen=True)
class Reminders(Button, prefix="rem"):
    choice: Literal["on", "off"]


@dataclass(frozen=True)
class Attend(Button, prefix="rm"):
    choice: Literal["yes", "no"]
    session: Id


@dataclass(frozen=True)
class Absence(Button, prefix="rm:why"):
    session: Id
    reason: Excuse


@dataclass(frozen=True)
class Lesson(Button, prefix="learn"):
    lesson: Slug


@dataclass(frozen=True)
class More(Button, prefix="lm"):
    """"Read more" under a long lesson's opening."""

    lesson: Slug


@dataclass(frozen=True)
class Feedback(Button, prefix="ls"):
    verdict: Literal["y", "n"]
    lesson: Slug


@dataclass(frozen=True)
class Act(Button, prefix="st"):
    action: Action
    request: Id


@dataclass(frozen=True)
class Open(Button, prefix="st:open"):
    """A /queue item: show the request's alert here, with its buttons."""

    request: Id


@dataclass(frozen=True)
class NotAFit(Button, prefix="st:reason"):
    request: Id
    reason: Unfit


@dataclass(frozen=True)
class Safe(Button, prefix="safe"):
    choice: Literal["ok", "call"]


@dataclass(frozen=True)
class CheckIn(Button, prefix="ci"):
    """A check-in's "I'm OK" or "Please have someone contact me": no event behind it."""

    choice: Literal["ok", "call"]


@dataclass(frozen=True)
class Ack(Button, prefix="sf:ack"):
    event: Id


@dataclass(frozen=True)
class Said(Button, prefix="sf:said"):
    event: Id
