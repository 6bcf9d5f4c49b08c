"""What handlers get: one Services object in bot_data, reached through Ctx."""

import asyncio
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from telegram.ext import Application, CallbackContext, ExtBot

from bot.clock import Clock
from bot.config import Settings
from bot.content import Content
from bot.domain.distress import Detector
from bot.domain.roles import Role
from bot.lessons import Library
from bot.profile import Profile
from bot.storage import Repo

if TYPE_CHECKING:
    from bot.outbox import Outbox


CLIENT_CHECK = 0.5


@dataclass
class Services:
    settings: Settings
    profile: Profile
    content: Content
    clock: Clock
    detector: Detector
    library: Library
    repo: Repo | None = None
    outbox: "Outbox | None" = None
    reopening: "asyncio.Task[None] | None" = None
    screened: OrderedDict = field(default_factory=OrderedDict)
    recent: OrderedDict = field(default_factory=OrderedDict)  # chat -> its last few messages
    asked: OrderedDict = field(default_factory=OrderedDict)  # chat -> "Are you safe?" asked
    answers: OrderedDict = field(default_factory=OrderedDict)  # update -> a "not safe" answer
    last_update: datetime | None = None
    roles: dict[int, Role] = field(default_factory=dict)
    rotation: list[int] = field(default_factory=list)

    async def backlog(self) -> int:
        """Safety messages not yet delivered, for /healthz."""
        return self.outbox.backlog if self.outbox is not None else 0

    def role_of(self, user_id: int | None) -> Role | None:
        return self.roles.get(user_id) if user_id is not None else None

    def is_staff(self, user_id: int | None) -> bool:
        return self.role_of(user_id) is not None

    def on_call(self) -> list[int]:
        """The rotation set with /oncall; the profile's list until there is one."""
        return self.rotation or list(self.profile.safety.on_call_user_ids)

    async def load_staff(self) -> None:
        """Roles are read once and after each change: the database is the truth, and no
        staff check waits on it."""
        members = await self.repo.staff.all()
        self.roles = {m.user_id: m.role for m in members}
        self.rotation = [m.user_id for m in members if m.on_call]

    async def is_client(self, user_id: int) -> bool:
        """For /help's wording only: a slow or failing database must not hold up the
        contacts /help sends, so any trouble reads as "no"."""
        try:
            async with asyncio.timeout(CLIENT_CHECK):
                return await self.repo.clients.of_user(user_id) is not None
        except Exception:
            return False


class Ctx(CallbackContext[ExtBot, dict, dict, dict]):
    def __init__(self, application: Application, chat_id: int | None = None,
                 user_id: int | None = None) -> None:
        super().__init__(application=application, chat_id=chat_id, user_id=user_id)

    @property
    def services(self) -> Services:
        return self.bot_data["services"]

    @property
    def repo(self) -> Repo:
        repo = self.services.repo
        if repo is None:
            raise RuntimeError("the database is not open")
        return repo

    @property
    def content(self) -> Content:
        return self.services.content

    @property
    def profile(self) -> Profile:
        return self.services.profile

    @property
    def clock(self) -> Clock:
        return self.services.clock
