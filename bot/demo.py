"""The offline demo: the real bot against the local Bot API stand-in, chatted with in a terminal.

Type as a prospective client. Each bot message shows its number, as `bot [12]>`, and its
buttons numbered: `#2` presses the second button of the latest message with buttons, `#12.2`
the second button of message 12. `>text` replies to the latest prompt (a message that
names you, such as staff's "when is the consultation?"), or else to the latest message.
`:staff` shows the staff group (and you speak as a staff member there), `:client` goes back,
`:quit` ends. What the bot sends unprompted, such as re-pages and reminders, is printed as
it arrives. With `--script` (or piped input) lines are read from stdin without prompts.
"""

import asyncio
import logging
import re
import sys

from bot.config import Settings
from bot.standin import Person, SentMessage, StandIn

CLIENT_ID, STAFF_ID, STAFF_CHAT = 1001, 501, -1000000000501
HELP = ("Type a message. #N presses button N of the latest message with buttons, #M.N button N "
        "of message M. >text replies to the latest prompt. :staff / :client switch views. "
        ":quit ends.")
SETTLE, PATIENCE, WATCH = 1.2, 5.0, 0.2
PRESS = re.compile(r"^#(?:(\d+)\.)?(\d+)$")


class Terminal:
    def __init__(self, api: StandIn) -> None:
        self.api = api
        self.client = api.person(CLIENT_ID, "You", language_code="en")
        group = api.group(STAFF_CHAT, "Clinic staff")
        self.staff = group.person(api.person(STAFF_ID, "Dana (staff)"))
        self.view: Person = self.client
        self.seen: dict[tuple[int, int], int] = {}

    def show(self) -> None:
        for person in (self.client, self.staff):
            fresh = [m for m in person.messages()
                     if not m.deleted and self.seen.get((m.chat_id, m.message_id)) != m.edits]
            for message in fresh:
                self.seen[(message.chat_id, message.message_id)] = message.edits
            if person is not self.view and fresh:
                print(f"  ({len(fresh)} new in the {self.name(person)} view)", flush=True)
            elif person is self.view:
                for message in fresh:
                    print(self.render(message), flush=True)

    async def watch(self) -> None:
        """Print what arrives unprompted (re-pages, reminders) without waiting for a line."""
        while True:
            await asyncio.sleep(WATCH)
            self.show()

    def name(self, person: Person) -> str:
        return "staff" if person is self.staff else "client"

    def render(self, message: SentMessage) -> str:
        edited = " (updated)" if message.edits else ""
        lines = [f"\nbot [{message.message_id}]{edited}> " + message.text.replace("\n", "\n     ")]
        for number, button in enumerate(self.buttons(message), start=1):
            lines.append(f"     [#{number}] {button.text}")
        return "\n".join(lines)

    @staticmethod
    def buttons(message: SentMessage) -> list:
        return [b for row in message.buttons for b in row if b.callback_data]

    async def settle(self) -> None:
        """Wait for the bot's replies: until nothing new arrives for a moment."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + PATIENCE
        last, quiet_since = self.api.seq, loop.time()
        while loop.time() < deadline:
            await asyncio.sleep(0.05)
            if self.api.seq != last:
                last, quiet_since = self.api.seq, loop.time()
            elif loop.time() - quiet_since >= SETTLE:
                break
        self.show()

    async def handle(self, line: str) -> bool:
        line = line.strip()
        if line in (":quit", ":q"):
            return False
        if line in (":staff", ":client"):
            self.view = self.staff if line == ":staff" else self.client
            print(f"-- now in the {self.name(self.view)} view --")
            for message in self.view.messages()[-3:]:
                print(self.render(message))
            return True
        if line in (":help", "?"):
            print(HELP)
            return True
        if press := PRESS.match(line):
            await self.press(int(press[2]), int(press[1]) if press[1] else None)
        elif line.startswith(">") and line[1:].strip():
            await self.reply(line[1:].strip())
        elif line:
            await self.view.send(line)
        await self.settle()
        return True

    async def press(self, number: int, message_id: int | None = None) -> None:
        shown = [m for m in self.view.messages() if not m.deleted and self.buttons(m)]
        if message_id is None:
            target = shown[-1] if shown else None
        else:
            target = next((m for m in shown if m.message_id == message_id), None)
        options = self.buttons(target) if target else []
        if not 1 <= number <= len(options):
            where = "the latest message" if message_id is None else f"message {message_id}"
            print(f"  (no button #{number} on {where})")
            return
        await self.view.click(options[number - 1].text, message=target)

    async def reply(self, text: str) -> None:
        """Answer the latest prompt, as tapping Reply on it does in Telegram."""
        me = f"tg://user?id={self.view.user_id}"
        shown = [m for m in self.view.messages() if not m.deleted]
        prompts = [m for m in shown if any(e.get("url") == me for e in m.entities)]
        target = (prompts or shown or [None])[-1]
        if target is None:
            print("  (nothing to reply to yet)")
            return
        await self.view.reply(target, text)


async def read_line(prompt: str) -> str | None:
    return await asyncio.to_thread(_input, prompt)


def _input(prompt: str) -> str | None:
    try:
        return input(prompt) if prompt else sys.stdin.readline() or None
    except EOFError:
        return None


async def run_demo(settings: Settings, *, script: bool) -> int:
    from bot.app import build_application
    from bot.runner import serve

    logging.getLogger("bot").setLevel(logging.WARNING)
    async with StandIn() as api:
        demo = settings.model_copy(update={
            "telegram_bot_token": None, "telegram_api_base_url": api.base_url,
            "bot_mode": "polling", "staff_chat_id": STAFF_CHAT,
            "staff_user_ids": frozenset({STAFF_ID})})
        app = build_application(demo, token=api.token)
        stop = asyncio.Event()
        task = asyncio.create_task(serve(app, demo, stop))
        terminal = Terminal(api)
        if not script:
            print(f"IOP Companion offline demo (no TELEGRAM_BOT_TOKEN set). {HELP}")
        await terminal.handle("/start")
        watcher = asyncio.create_task(terminal.watch())
        while (line := await read_line("" if script else "\nyou> ")) is not None:
            if script:
                print(f"\nyou> {line.rstrip()}")
            if not await terminal.handle(line):
                break
        watcher.cancel()
        stop.set()
        await task
    return 0
