"""What the stand-in remembers about chats and the bot's messages."""

from dataclasses import dataclass, field
from typing import Any


class ApiError(Exception):
    """An error response: ``{"ok": false, "error_code": code, "description": ...}``."""

    def __init__(self, code: int, description: str, parameters: dict | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def response(self) -> dict:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad(detail: str) -> ApiError:
    return ApiError(400, f"Bad Request: {detail}")


@dataclass(frozen=True)
class Button:
    text: str
    callback_data: str | None = None
    url: str | None = None


@dataclass
class SentMessage:
    """A message the bot sent; ``text`` is what the user sees, ``html`` what the bot sent."""

    message_id: int
    chat_id: int
    text: str
    html: str
    parse_mode: str | None
    buttons: list[list[Button]]
    sent_at: float
    date: int
    entities: list[dict] = field(default_factory=list)
    markup: dict | None = None
    edits: int = 0
    edit_date: int | None = None
    deleted: bool = False
    seq: int = field(default=0, repr=False)

    def summary(self) -> str:
        flags = " (deleted)" * self.deleted + f" (edited {self.edits}x)" * bool(self.edits)
        labels = " | ".join(b.text for row in self.buttons for b in row)
        return f"#{self.message_id}{flags}: {self.text[:120]!r}" + f" [{labels}]" * bool(labels)


@dataclass(frozen=True)
class CallbackAnswer:
    query_id: str
    text: str | None
    show_alert: bool
    url: str | None = None


@dataclass
class Stats:
    requests: int = 0
    messages_sent: int = 0
    messages_edited: int = 0
    too_many_requests: int = 0
    webhook_deliveries: int = 0
    webhook_failures: int = 0


@dataclass
class Chat:
    id: int
    type: str
    title: str | None = None
    user: dict | None = None
    last_id: int = 0
    mark: int = 0
    sent: dict[int, SentMessage] = field(default_factory=dict)
    incoming: dict[int, dict] = field(default_factory=dict)
    changed: dict[int, SentMessage] = field(default_factory=dict, repr=False)

    def next_id(self) -> int:
        self.last_id += 1
        return self.last_id

    def mark_changed(self, sent: SentMessage) -> None:
        """Keep ``changed`` ordered by last send/edit so waiters only scan what is new."""
        self.changed.pop(sent.message_id, None)
        self.changed[sent.message_id] = sent

    def changed_since(self, seq: int) -> list[SentMessage]:
        recent = []
        for sent in reversed(self.changed.values()):
            if sent.seq <= seq:
                break
            recent.append(sent)
        return recent[::-1]

    def as_dict(self) -> dict:
        if self.user is None:
            return {"id": self.id, "type": self.type, "title": self.title}
        names = ("first_name", "last_name", "username")
        return {"id": self.id, "type": "private"} | {
            k: self.user[k] for k in names if k in self.user
        }
