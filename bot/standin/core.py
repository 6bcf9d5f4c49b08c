"""The stand-in: a Bot API server on loopback plus the users' side of every chat."""

import asyncio
import itertools
import mimetypes
import re
import time
from collections.abc import Callable
from typing import Any, TypeVar

from bot.standin import faults
from bot.standin.flood import Flood, FloodLimits
from bot.standin.html import utf16_len
from bot.standin.person import Group, Person
from bot.standin.server import Server
from bot.standin.state import CallbackAnswer, Chat, SentMessage, Stats
from bot.standin.updates import UpdateQueue
from bot.standin.webhook import Webhook

T = TypeVar("T")
COMMAND = re.compile(r"/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]{3,32})?")


class StandIn:
    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        *,
        first_name: str = "IOP Companion",
        username: str = "iop_companion_bot",
        flood_limits: FloodLimits | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.token = token
        self.flood_limits = flood_limits
        self.monotonic = monotonic
        self.bot_user = {
            "id": int(token.split(":")[0]),
            "is_bot": True,
            "first_name": first_name,
            "username": username,
        }
        self.me = self.bot_user | {
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self.stats = Stats()
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.errors: list[tuple[str, dict]] = []
        self.callback_answers: list[CallbackAnswer] = []
        self.users: dict[int, dict] = {}
        self.chats: dict[int, Chat] = {}
        self.blocked: set[int] = set()
        self.commands: dict[tuple[str, str], list[dict]] = {}
        self.queries: dict[str, float] = {}
        self.updates = UpdateQueue()
        self.webhook = Webhook(self.updates, self.stats)
        self.flood = Flood()
        self.faults = faults.Faults()
        self.seq = 0
        self._changed = asyncio.Condition()
        self._server = Server(self)
        self._ids = itertools.count(1)

    async def start(self) -> "StandIn":
        self._server.start()
        self.webhook.start()
        return self

    async def stop(self) -> None:
        self.updates.close()
        await self.webhook.stop()
        await self._server.stop()

    async def __aenter__(self) -> "StandIn":
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.port}/bot"

    def person(
        self,
        user_id: int,
        first_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
        last_name: str | None = None,
    ) -> Person:
        """Register a user and their private chat with the bot (chat id == user id)."""
        user = {"id": user_id, "is_bot": False, "first_name": first_name or f"User {user_id}"}
        extra = {"last_name": last_name, "username": username, "language_code": language_code}
        user |= {k: v for k, v in extra.items() if v is not None}
        self.users[user_id] = user
        chat = self.chats.setdefault(user_id, Chat(user_id, "private"))
        chat.user = user
        return Person(self, user, chat)

    def group(self, chat_id: int, title: str = "Group") -> Group:
        if chat_id >= 0:
            raise ValueError(f"group chat ids are negative, got {chat_id}")
        kind = "supergroup" if str(chat_id).startswith("-100") else "group"
        chat = self.chats.setdefault(chat_id, Chat(chat_id, kind, title=title))
        chat.mark = self.seq
        return Group(self, chat)

    def messages(self, chat_id: int) -> list[SentMessage]:
        return list(self._chat(chat_id).sent.values())

    def send_text(self, chat_id: int, user_id: int, text: str,
                  reply_to: int | None = None) -> dict:
        """A text message; `reply_to` makes it a reply to that bot message, as tapping Reply
        (or a ForceReply prompt) does in Telegram."""
        content = _text(text)
        if reply_to is not None:
            content["reply_to_message"] = self.bot_message(self._chat(chat_id).sent[reply_to])
        return self._incoming(chat_id, user_id, content)

    def send_sticker(self, chat_id: int, user_id: int, emoji: str = "🙂") -> dict:
        sticker = self._file() | {"type": "regular", "width": 512, "height": 512}
        sticker |= {"is_animated": False, "is_video": False, "emoji": emoji}
        return self._incoming(chat_id, user_id, {"sticker": sticker})

    def send_photo(self, chat_id: int, user_id: int, caption: str | None = None) -> dict:
        sizes = [self._file() | {"width": w, "height": h} for w, h in ((90, 68), (800, 600))]
        return self._incoming(chat_id, user_id, {"photo": sizes}, caption)

    def send_voice(self, chat_id: int, user_id: int, duration: int = 3) -> dict:
        voice = self._file() | {"duration": duration, "mime_type": "audio/ogg"}
        return self._incoming(chat_id, user_id, {"voice": voice})

    def send_document(
        self,
        chat_id: int,
        user_id: int,
        file_name: str = "document.pdf",
        caption: str | None = None,
    ) -> dict:
        mime = mimetypes.guess_type(file_name)[0] or "application/octet-stream"
        document = self._file() | {"file_name": file_name, "mime_type": mime}
        return self._incoming(chat_id, user_id, {"document": document}, caption)

    def edit_text(self, chat_id: int, user_id: int, message_id: int, new_text: str) -> dict:
        chat = self._chat(chat_id)
        original = chat.incoming.get(message_id)
        if original is None or original["from"]["id"] != user_id:
            raise ValueError(f"user {user_id} has no message {message_id} in chat {chat_id}")
        edited = {k: v for k, v in original.items() if k != "entities"} | _text(new_text)
        edited["edit_date"] = int(time.time())
        chat.incoming[message_id] = edited
        return self._push(chat, "edited_message", edited)

    def press(self, chat_id: int, user_id: int, message_id: int,
              callback_data: str | None) -> dict:
        """Press an inline button; a deleted message arrives as an inaccessible one (date 0).
        ``callback_data=None`` leaves `data` out, as a forged query may."""
        chat, user = self._chat(chat_id), self._user(user_id)
        sent = chat.sent.get(message_id)
        if sent is None:
            raise ValueError(f"the bot sent no message {message_id} in chat {chat_id}")
        if sent.deleted:
            message = {"chat": chat.as_dict(), "message_id": message_id, "date": 0}
        else:
            message = self.bot_message(sent)
        query_id = str(next(self._ids))
        self.queries[query_id] = self.monotonic()
        query = {
            "id": query_id,
            "from": user,
            "message": message,
            "chat_instance": str(chat_id * 2654435761 % 2**63),
        }
        if callback_data is not None:
            query["data"] = callback_data
        return self._push(chat, "callback_query", query)

    def fail(self, seconds: float | None = None, *, times: int | None = None,
             method: str | None = "sendMessage", chat_id: int | None = None,
             status: int = 500) -> faults.Fault:
        """Answer matching calls with `status` (500, 502 or 403) for `seconds`, or `times`
        calls, or until cleared."""
        return self.faults.add(faults.server_error(seconds, times, self.monotonic(), status,
                                                   method=method, chat_id=chat_id))

    def throttle(self, seconds: float, retry_after: int, *, method: str | None = "sendMessage",
                 chat_id: int | None = None) -> faults.Fault:
        """Answer matching calls with 429 and `retry_after` for `seconds`."""
        return self.faults.add(faults.flood(seconds, retry_after, self.monotonic(),
                                            method=method, chat_id=chat_id))

    def stall(self, delay: float, *, times: int = 1, method: str | None = "sendMessage",
              chat_id: int | None = None) -> faults.Fault:
        """Carry out the next `times` matching calls, but answer each only after `delay`."""
        return self.faults.add(faults.slow(delay, times, method=method, chat_id=chat_id))

    def block(self, user_id: int) -> dict:
        self.blocked.add(user_id)
        return self._member_change(user_id, "member", "kicked")

    def unblock(self, user_id: int) -> dict:
        self.blocked.discard(user_id)
        return self._member_change(user_id, "kicked", "member")

    async def wait_for(self, predicate: Callable[[], T], timeout: float = 5.0) -> T:  # noqa: ASYNC109
        """Wait until ``predicate()`` is truthy; it is re-checked whenever the bot sends, edits
        or deletes a message or answers a callback query. Returns what the predicate returned."""
        try:
            async with asyncio.timeout(timeout), self._changed:
                return await self._changed.wait_for(predicate)
        except TimeoutError:
            raise TimeoutError(
                f"condition not met within {timeout}s; recent bot messages:\n{self.describe()}"
            ) from None

    def describe(self, messages: list[SentMessage] | None = None) -> str:
        """The last few bot messages (of all chats by default), one per line, and why webhook
        delivery is stuck if it is."""
        if messages is None:
            messages = [m for chat in self.chats.values() for m in chat.sent.values()]
            messages.sort(key=lambda m: m.seq)
        lines = [f"  chat {m.chat_id} {m.summary()}" for m in messages[-10:]] or ["  (none)"]
        if self.webhook.url and self.webhook.last_error_message:
            pending = len(self.updates.pending)
            lines.append(f"webhook failing: {self.webhook.last_error_message}, {pending} pending")
        return "\n".join(lines)

    def bot_message(self, sent: SentMessage) -> dict:
        message = {
            "message_id": sent.message_id,
            "from": self.bot_user,
            "chat": self.chats[sent.chat_id].as_dict(),
            "date": sent.date,
            "text": sent.text,
        }
        if sent.edit_date:
            message["edit_date"] = sent.edit_date
        if sent.entities:
            message["entities"] = sent.entities
        if sent.markup:
            message["reply_markup"] = sent.markup
        return message

    def touch(self, sent: SentMessage | None = None) -> None:
        """Count a change the bot made; ``dispatch`` then calls ``notify`` to wake ``wait_for``."""
        self.seq += 1
        if sent:
            sent.seq = self.seq
            self.chats[sent.chat_id].mark_changed(sent)

    async def notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    def _chat(self, chat_id: int) -> Chat:
        if chat_id not in self.chats:
            raise ValueError(f"unknown chat {chat_id}: create it with person() or group()")
        return self.chats[chat_id]

    def _user(self, user_id: int) -> dict:
        if user_id not in self.users:
            raise ValueError(f"unknown user {user_id}: create them with person()")
        return self.users[user_id]

    def _file(self) -> dict:
        n = next(self._ids)
        return {"file_id": f"standin-file-{n}", "file_unique_id": f"u{n}", "file_size": 4096}

    def _incoming(
        self, chat_id: int, user_id: int, content: dict, caption: str | None = None
    ) -> dict:
        """A user's message; writing to a bot you blocked unblocks it, as in Telegram."""
        chat, user = self._chat(chat_id), self._user(user_id)
        if chat.type == "private" and user_id != chat_id:
            raise ValueError(f"only user {chat_id} writes in private chat {chat_id}")
        if chat.type == "private" and user_id in self.blocked:
            self.unblock(user_id)
        message = {
            "message_id": chat.next_id(),
            "from": user,
            "chat": chat.as_dict(),
            "date": int(time.time()),
        }
        message |= content | ({"caption": caption} if caption else {})
        chat.incoming[message["message_id"]] = message
        return self._push(chat, "message", message)

    def _member_change(self, user_id: int, old: str, new: str) -> dict:
        chat = self._chat(user_id)
        change = {
            "chat": chat.as_dict(),
            "from": self._user(user_id),
            "date": int(time.time()),
            "old_chat_member": _member(self.bot_user, old),
            "new_chat_member": _member(self.bot_user, new),
        }
        return self._push(chat, "my_chat_member", change)

    def _push(self, chat: Chat, kind: str, payload: dict) -> dict:
        chat.mark = self.seq
        return self.updates.push(kind, payload)


def _text(text: str) -> dict:
    """A user's text; a leading /command (optionally @bot) gets its bot_command entity."""
    command = COMMAND.match(text)
    if not command:
        return {"text": text}
    entity = {"type": "bot_command", "offset": 0, "length": utf16_len(command.group())}
    return {"text": text, "entities": [entity]}


def _member(user: dict, status: str) -> dict:
    return {"user": user, "status": status} | ({"until_date": 0} if status == "kicked" else {})
