"""The Bot API methods the stand-in answers, with Telegram's checks and error texts."""

import asyncio
import inspect
import json
import logging
import re
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from bot.standin.html import HTMLError, parse_html, utf16_len
from bot.standin.params import Params
from bot.standin.state import ApiError, Button, CallbackAnswer, Chat, SentMessage, bad

if TYPE_CHECKING:
    from bot.standin.core import StandIn

log = logging.getLogger(__name__)

MAX_TEXT = 4096
CALLBACK_TTL = 15.0
WHITESPACE = " \t\n\r\v\f"
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
BUTTON_ACTIONS = (
    "url", "callback_data", "web_app", "login_url", "switch_inline_query",
    "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text",
    "callback_game", "pay",
)  # fmt: skip
CHAT_ACTIONS = {
    "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
    "upload_document", "choose_sticker", "find_location", "record_video_note",
    "upload_video_note",
}  # fmt: skip
COMMAND = re.compile(r"[a-z0-9_]{1,32}")
SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")

Method = Callable[["StandIn", Params], Any]
METHODS: dict[str, Method] = {}


def method(name: str) -> Callable[[Method], Method]:
    def register(func: Method) -> Method:
        METHODS[name.lower()] = func
        return func

    return register


async def dispatch(api: "StandIn", name: str, raw: dict[str, Any]) -> tuple[int, dict]:
    """Run one call and return (HTTP status, response body); method names ignore case."""
    api.stats.requests += 1
    api.calls.append((name, raw))
    seq = api.seq
    func = METHODS.get(name.lower())
    chat_id = raw.get("chat_id")
    try:
        if func is None:
            raise ApiError(404, "Not Found")
        if fault := api.faults.error(name, chat_id, api.monotonic()):
            raise fault
        result = func(api, Params(raw))
        if inspect.isawaitable(result):
            result = await result
        if delay := api.faults.delay(name, chat_id, api.monotonic()):
            await api.notify()
            await asyncio.sleep(delay)
        status, body = 200, {"ok": True, "result": result}
    except ApiError as error:
        status, body = error.code, error.response()
        if error.code == 429:
            api.stats.too_many_requests += 1
        api.errors.append((name, body))
    log.debug("%s -> %s", name, status)
    if api.seq != seq:
        await api.notify()
    return status, body


@method("getMe")
def get_me(api: "StandIn", p: Params) -> dict:
    return api.me


@method("logOut")
@method("close")
def ok(api: "StandIn", p: Params) -> bool:
    return True


@method("getUpdates")
async def get_updates(api: "StandIn", p: Params) -> list[dict]:
    if api.webhook.url:
        raise ApiError(
            409,
            "Conflict: can't use getUpdates method while webhook is active; "
            "use deleteWebhook to delete the webhook first",
        )
    queue = api.updates
    queue.allow(p.decoded("allowed_updates"))
    if offset := p.integer("offset", 0):
        queue.confirm(offset)
    limit = min(max(p.integer("limit", 100), 1), 100)
    await queue.wait(max(p.number("timeout", 0), 0))
    return queue.pending[:limit]


@method("setWebhook")
def set_webhook(api: "StandIn", p: Params) -> bool:
    url = p.string("url") or ""
    if url and urlsplit(url).scheme not in ("http", "https"):
        raise bad("bad webhook: An HTTPS URL must be provided for webhook")
    secret = p.string("secret_token") or None
    if secret and not SECRET.fullmatch(secret):
        raise bad("secret token contains unallowed characters")
    api.updates.allow(p.decoded("allowed_updates"))
    if p.flag("drop_pending_updates"):
        api.updates.pending.clear()
    api.webhook.set(url, secret, p.integer("max_connections", 40))
    return True


@method("deleteWebhook")
def delete_webhook(api: "StandIn", p: Params) -> bool:
    if p.flag("drop_pending_updates"):
        api.updates.pending.clear()
    api.webhook.set("", None, 40)
    return True


@method("getChat")
def get_chat(api: "StandIn", p: Params) -> dict:
    """A chat the bot knows: a group it is in, or a private chat a person opened."""
    gifts = dict.fromkeys(("unlimited_gifts", "limited_gifts", "unique_gifts",
                           "premium_subscription", "gifts_from_channels"), False)
    return _chat(api, p).as_dict() | {"accent_color_id": 0, "max_reaction_count": 11,
                                      "accepted_gift_types": gifts}


@method("getWebhookInfo")
def get_webhook_info(api: "StandIn", p: Params) -> dict:
    return api.webhook.info()


@method("sendMessage")
def send_message(api: "StandIn", p: Params) -> dict:
    chat = _chat(api, p)
    html, mode, text, entities = _text(p)
    markup, buttons = _markup(p)
    _reachable(api, chat)
    _flood(api, chat)
    sent = SentMessage(
        message_id=chat.next_id(),
        chat_id=chat.id,
        text=text,
        html=html,
        parse_mode=mode,
        buttons=buttons,
        sent_at=api.monotonic(),
        date=int(time.time()),
        entities=entities,
        markup=markup,
    )
    chat.sent[sent.message_id] = sent
    api.stats.messages_sent += 1
    api.touch(sent)
    return api.bot_message(sent)


@method("editMessageText")
def edit_message_text(api: "StandIn", p: Params) -> dict:
    chat, sent = _editable(api, p)
    html, mode, text, entities = _text(p)
    markup, buttons = _markup(p)
    if (text, entities, markup) == (sent.text, sent.entities, sent.markup):
        raise bad(NOT_MODIFIED)
    _reachable(api, chat)
    _flood(api, chat)
    sent.html, sent.parse_mode, sent.text, sent.entities = html, mode, text, entities
    sent.markup, sent.buttons = markup, buttons
    return _edited(api, sent)


@method("editMessageReplyMarkup")
def edit_message_reply_markup(api: "StandIn", p: Params) -> dict:
    chat, sent = _editable(api, p)
    markup, buttons = _markup(p)
    if markup == sent.markup:
        raise bad(NOT_MODIFIED)
    _reachable(api, chat)
    sent.markup, sent.buttons = markup, buttons
    return _edited(api, sent)


@method("deleteMessage")
def delete_message(api: "StandIn", p: Params) -> bool:
    chat = _chat(api, p)
    message_id = p.integer("message_id")
    sent = chat.sent.get(message_id)
    if sent and not sent.deleted:
        sent.deleted = True
        api.touch()
    elif chat.incoming.pop(message_id, None) is None:
        raise bad("message to delete not found")
    return True


@method("answerCallbackQuery")
def answer_callback_query(api: "StandIn", p: Params) -> bool:
    query_id = p.string("callback_query_id") or ""
    asked = api.queries.pop(query_id, None)
    if asked is None or api.monotonic() - asked > CALLBACK_TTL:
        raise bad("query is too old and response timeout expired or query ID is invalid")
    answer = CallbackAnswer(query_id, p.string("text"), p.flag("show_alert"), p.string("url"))
    api.callback_answers.append(answer)
    api.touch()
    return True


@method("sendChatAction")
def send_chat_action(api: "StandIn", p: Params) -> bool:
    chat = _chat(api, p)
    if p.string("action") not in CHAT_ACTIONS:
        raise bad("wrong parameter action in request")
    _reachable(api, chat)
    return True


@method("setMyCommands")
def set_my_commands(api: "StandIn", p: Params) -> bool:
    commands = p.decoded("commands")
    if not isinstance(commands, list) or len(commands) > 100:
        raise bad("can't parse commands JSON object")
    for command in commands:
        if not isinstance(command, dict) or not COMMAND.fullmatch(str(command.get("command"))):
            raise bad("BOT_COMMAND_INVALID")
        if not 1 <= len(str(command.get("description") or "")) <= 256:
            raise bad("BOT_COMMAND_DESCRIPTION_INVALID")
    api.commands[_scope(p)] = [
        {"command": c["command"], "description": c["description"]} for c in commands
    ]
    return True


@method("getMyCommands")
def get_my_commands(api: "StandIn", p: Params) -> list[dict]:
    return api.commands.get(_scope(p), [])


@method("deleteMyCommands")
def delete_my_commands(api: "StandIn", p: Params) -> bool:
    api.commands.pop(_scope(p), None)
    return True


def _scope(p: Params) -> tuple[str, str]:
    scope = p.decoded("scope") or {"type": "default"}
    return json.dumps(scope, sort_keys=True), p.string("language_code") or ""


def _chat(api: "StandIn", p: Params) -> Chat:
    if not p.has("chat_id"):
        raise bad("chat_id is empty")
    try:
        chat = api.chats.get(int(p.raw["chat_id"]))
    except (TypeError, ValueError):
        chat = None
    if chat is None:
        raise bad("chat not found")
    return chat


def _editable(api: "StandIn", p: Params) -> tuple[Chat, SentMessage]:
    chat = _chat(api, p)
    message_id = p.integer("message_id")
    sent = chat.sent.get(message_id)
    if sent is None or sent.deleted:
        if message_id in chat.incoming:
            raise bad("message can't be edited")
        raise bad("message to edit not found")
    return chat, sent


def _edited(api: "StandIn", sent: SentMessage) -> dict:
    sent.edits += 1
    sent.edit_date = int(time.time())
    api.stats.messages_edited += 1
    api.touch(sent)
    return api.bot_message(sent)


def _reachable(api: "StandIn", chat: Chat) -> None:
    if chat.type == "private" and chat.id in api.blocked:
        raise ApiError(403, "Forbidden: bot was blocked by the user")


def _flood(api: "StandIn", chat: Chat) -> None:
    if api.flood_limits:
        api.flood.admit(api.flood_limits, chat.id, chat.type != "private", api.monotonic())


def _text(p: Params) -> tuple[str, str | None, str, list[dict]]:
    """Return (text as sent, parse_mode, visible text, entities) or raise Telegram's error."""
    sent = p.string("text") or ""
    mode = p.string("parse_mode") or None
    if p.has("entities"):
        text, entities = sent, p.decoded("entities")
        if not isinstance(entities, list) or not all(map(_is_entity, entities)):
            raise bad("can't parse entities JSON object")
    elif mode is None or mode.lower() in ("markdown", "markdownv2"):
        text, entities = sent, []
    elif mode.lower() == "html":
        try:
            text, entities = parse_html(sent)
        except HTMLError as error:
            raise bad(f"can't parse entities: {error}") from None
    else:
        raise bad("unsupported parse_mode")
    text, entities = _trim(text, entities)
    if not text:
        raise bad("message text is empty")
    if utf16_len(text) > MAX_TEXT:
        raise bad("message is too long")
    return sent, mode, text, entities


def _is_entity(entity: Any) -> bool:
    return (
        isinstance(entity, dict)
        and isinstance(entity.get("type"), str)
        and isinstance(entity.get("offset"), int)
        and isinstance(entity.get("length"), int)
    )


def _trim(text: str, entities: list[dict]) -> tuple[str, list[dict]]:
    """Telegram strips surrounding whitespace and clips the entities to what remains."""
    stripped = text.strip(WHITESPACE)
    if stripped == text:
        return text, entities
    left = len(text) - len(text.lstrip(WHITESPACE))
    size = utf16_len(stripped)
    kept = []
    for entity in entities:
        start = max(entity["offset"] - left, 0)
        end = min(entity["offset"] + entity["length"] - left, size)
        if end > start:
            kept.append(entity | {"offset": start, "length": end - start})
    return stripped, kept


def _markup(p: Params) -> tuple[dict | None, list[list[Button]]]:
    """Validate reply_markup; only an inline keyboard is echoed back and clickable."""
    markup = p.decoded("reply_markup")
    if markup is None:
        return None, []
    if not isinstance(markup, dict):
        raise bad("can't parse reply keyboard markup JSON object")
    rows = markup.get("inline_keyboard")
    if rows is None:
        return None, []
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays')
    return {"inline_keyboard": rows}, [[_button(b) for b in row] for row in rows]


def _button(button: Any) -> Button:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise bad('can\'t parse inline keyboard button: Field "text" must be of type String')
    actions = [key for key in BUTTON_ACTIONS if key in button]
    if not actions:
        raise bad(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if len(actions) > 1:
        raise bad("can't parse inline keyboard button: only one action field is allowed")
    data, url = button.get("callback_data"), button.get("url")
    if "callback_data" in button and not (isinstance(data, str) and 1 <= len(data.encode()) <= 64):
        raise bad("BUTTON_DATA_INVALID")
    if "url" in button and not _button_url(url):
        raise bad(f"inline keyboard button URL '{url}' is invalid: Unsupported URL protocol")
    return Button(button["text"], data, url)


def _button_url(url: Any) -> bool:
    if not isinstance(url, str):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme == "tg" or (parts.scheme in ("http", "https") and bool(parts.netloc))
