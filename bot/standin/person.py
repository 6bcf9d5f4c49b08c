"""User-level drivers: a person talking to the bot, and a group chat seen as a whole."""

from typing import TYPE_CHECKING

from bot.standin.state import Button, Chat, SentMessage

if TYPE_CHECKING:
    from bot.standin.core import StandIn


class _ChatView:
    def __init__(self, api: "StandIn", chat: Chat) -> None:
        self._api = api
        self._chat = chat

    @property
    def chat_id(self) -> int:
        return self._chat.id

    def _since(self) -> int:
        """The change counter at the last action; newer bot messages count as replies."""
        return self._chat.mark

    def messages(self) -> list[SentMessage]:
        """Every bot message in the chat, deleted ones included, oldest first."""
        return list(self._chat.sent.values())

    def last(self) -> SentMessage | None:
        return next((m for m in reversed(self.messages()) if not m.deleted), None)

    async def expect(self, text: str, timeout: float = 5.0) -> SentMessage:  # noqa: ASYNC109
        """Wait for a bot message sent or edited since the last action that contains ``text``."""
        since, needle = self._since(), text.casefold()

        def found() -> SentMessage | None:
            new = self._chat.changed_since(since)
            return next((m for m in new if not m.deleted and needle in m.text.casefold()), None)

        try:
            return await self._api.wait_for(found, timeout)
        except TimeoutError:
            raise TimeoutError(
                f"{self}: no bot message containing {text!r} within {timeout}s after the last "
                f"action; chat {self.chat_id} has:\n{self._api.describe(self.messages())}"
            ) from None

    async def expect_none(self, timeout: float = 0.5) -> None:  # noqa: ASYNC109
        """Assert the bot sends or edits nothing here within ``timeout`` of the last action."""
        since = self._since()
        try:
            await self._api.wait_for(lambda: self._chat.changed_since(since), timeout)
        except TimeoutError:
            return
        new = self._chat.changed_since(since)
        raise AssertionError(f"{self}: expected no bot message, got:\n{self._api.describe(new)}")


class Person(_ChatView):
    """A user in one chat: their private chat with the bot, or a group they speak in."""

    def __init__(self, api: "StandIn", user: dict, chat: Chat) -> None:
        super().__init__(api, chat)
        self.user = user
        self._mark = api.seq

    def __str__(self) -> str:
        return f"{self.user['first_name']} ({self.user_id}) in chat {self.chat_id}"

    @property
    def user_id(self) -> int:
        return self.user["id"]

    def _since(self) -> int:
        return self._mark

    def _acted(self, update: dict) -> dict:
        self._mark = self._api.seq
        return update

    def inbox(self) -> list[SentMessage]:
        return self.messages()

    async def send(self, text: str) -> dict:
        return self._acted(self._api.send_text(self.chat_id, self.user_id, text))

    async def reply(self, message: SentMessage, text: str) -> dict:
        """Reply to a bot message, as tapping Reply or answering a ForceReply prompt does."""
        return self._acted(self._api.send_text(self.chat_id, self.user_id, text,
                                               reply_to=message.message_id))

    async def edit(self, message_id: int, text: str) -> dict:
        return self._acted(self._api.edit_text(self.chat_id, self.user_id, message_id, text))

    async def sticker(self, emoji: str = "🙂") -> dict:
        return self._acted(self._api.send_sticker(self.chat_id, self.user_id, emoji))

    async def photo(self, caption: str | None = None) -> dict:
        return self._acted(self._api.send_photo(self.chat_id, self.user_id, caption))

    async def voice(self, duration: int = 3) -> dict:
        return self._acted(self._api.send_voice(self.chat_id, self.user_id, duration))

    async def document(self, file_name: str = "document.pdf", caption: str | None = None) -> dict:
        update = self._api.send_document(self.chat_id, self.user_id, file_name, caption)
        return self._acted(update)

    async def block(self) -> dict:
        return self._acted(self._api.block(self.user_id))

    async def unblock(self) -> dict:
        return self._acted(self._api.unblock(self.user_id))

    async def click(self, text: str, message: SentMessage | None = None) -> dict:
        """Press the button labelled ``text`` (else the only one containing it, any case) on
        ``message`` or on the newest visible bot message that has such a button."""
        sent, button = self._find(text, message)
        if button.callback_data is None:
            raise ValueError(f"{button.text!r} opens {button.url}; there is nothing to press")
        update = self._api.press(self.chat_id, self.user_id, sent.message_id, button.callback_data)
        return self._acted(update)

    def _find(self, text: str, message: SentMessage | None) -> tuple[SentMessage, Button]:
        if message:
            candidates = [message]
        else:
            candidates = [m for m in reversed(self.messages()) if not m.deleted and m.buttons]
        for sent in candidates:
            for button in _flat(sent):
                if button.text == text:
                    return sent, button
        needle = text.casefold()
        for sent in candidates:
            hits = [b for b in _flat(sent) if needle in b.text.casefold()]
            if len(hits) == 1:
                return sent, hits[0]
            if hits:
                labels = ", ".join(repr(b.text) for b in hits)
                raise LookupError(
                    f"{text!r} matches several buttons on #{sent.message_id}: {labels}"
                )
        visible = "\n".join(
            f"  #{m.message_id}: " + " | ".join(b.text for b in _flat(m)) for m in candidates
        )
        raise LookupError(f"{self}: no button {text!r}; visible buttons:\n{visible or '  (none)'}")


class Group(_ChatView):
    """A group chat; ``expect`` waits for bot messages after anyone's last action in it."""

    def __str__(self) -> str:
        return f"group {self._chat.title!r} ({self.chat_id})"

    def person(self, user: Person) -> Person:
        """The same user, now speaking in this group."""
        return Person(self._api, user.user, self._chat)


def _flat(sent: SentMessage) -> list[Button]:
    return [button for row in sent.buttons for button in row]
