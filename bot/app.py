"""build_application: the one place where the bot is assembled and handlers are registered."""

import asyncio
import logging

from telegram import BotCommand, BotCommandScopeAllPrivateChats, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import Application, ApplicationBuilder, ContextTypes, Defaults

from bot import health
from bot.clock import Clock, SystemClock
from bot.config import ConfigError, Settings
from bot.content import Content
from bot.domain.delivery import Policy
from bot.domain.distress import load_detector
from bot.domain.distress.learned import MODEL
from bot.handlers import (
    clients,
    disclosure,
    enrolment,
    errors,
    fallback,
    guards,
    intake,
    members,
    privacy,
    reminders,
    retention,
    safety,
    staff,
    start,
    stats,
    team,
    whoami,
)
from bot.keys import vault_for
from bot.lane import Lane
from bot.lessons import Library
from bot.limiter import Lanes
from bot.outbox import Outbox
from bot.profile import Profile, load_profile
from bot.services import Ctx, Services
from bot.storage import open_repo
from bot.storage.vault import Vault

log = logging.getLogger(__name__)

# Handler groups, lowest first. Order matters: every update meets the safety gate before
# anything else can answer, stop or fail. (MONITOR only notes the time an update arrived,
# for /healthz; it never answers, stops or fails.) A handler that consumes an update raises
# ApplicationHandlerStop; one that returns lets the next group try.
MONITOR = -3
SAFETY = -2
GUARDS = -1
FEATURES = 0
STAFF_REPLIES = 1
INTAKE_ANSWERS = 2
CLIENT_REPLIES = 3
FALLBACK = 9
REOPEN_SECONDS = 5.0  # how often a database that could not be opened is tried again

ALLOWED_UPDATES = [Update.MESSAGE, Update.EDITED_MESSAGE, Update.CALLBACK_QUERY,
                   Update.MY_CHAT_MEMBER]


def register(app: Application) -> None:
    health.register(app, MONITOR)
    safety.register(app, SAFETY, FEATURES)
    guards.register(app, GUARDS)
    members.register(app, FEATURES)
    start.register(app, FEATURES)
    whoami.register(app, FEATURES)
    privacy.register(app, FEATURES)
    disclosure.register(app, FEATURES)
    team.register(app, FEATURES)
    staff.register(app, FEATURES, reply_group=STAFF_REPLIES)
    intake.register(app, FEATURES, text_group=INTAKE_ANSWERS)
    enrolment.register(app, FEATURES)
    stats.register(app, FEATURES)
    clients.register(app, FEATURES, text_group=CLIENT_REPLIES)
    fallback.register(app, FALLBACK)
    app.add_error_handler(errors.on_error)


def build_application(settings: Settings, profile: Profile | None = None, *,
                      clock: Clock | None = None, token: str | None = None) -> Application:
    profile = profile or load_profile(settings.clinic_profile)
    overlay = settings.content_dir
    services = Services(settings=settings, profile=profile,
                        content=Content(profile, overlay=overlay),
                        clock=clock or SystemClock(),
                        detector=load_detector(
                            extra=profile.safety.lexicon_extra,
                            model=MODEL if profile.safety.learned_backstop else None,
                            threshold=profile.safety.backstop_threshold),
                        library=Library(default=profile.clinic.languages[0], overlay=overlay))
    app = (
        ApplicationBuilder()
        .token(token or settings.token or "")
        .base_url(settings.telegram_api_base_url)
        .defaults(Defaults(parse_mode=ParseMode.HTML, tzinfo=profile.clinic.tz,
                           link_preview_options=LinkPreviewOptions(is_disabled=True)))
        .context_types(ContextTypes(context=Ctx))
        .rate_limiter(Lanes(settings.flood_per_second, settings.safety_reserve,
                            settings.flood_per_chat))
        .concurrent_updates(Lane(lambda update: safety.urgent(services, update)))
        .post_init(open_resources)
        .post_stop(stop_outbox)
        .post_shutdown(close_resources)
        .build()
    )
    app.bot_data["services"] = services
    register(app)
    staff.add_jobs(app, every=profile.intake.watch_seconds)
    safety.add_jobs(app, every=profile.safety.pager_seconds)
    reminders.add_jobs(app, every=profile.reminders.dispatch_seconds)
    retention.add_jobs(app, at=profile.retention.purge_at.replace(tzinfo=profile.clinic.tz))
    return app


async def open_resources(app: Application) -> None:
    """A database that cannot be opened (a damaged file, a missing volume, a full disk)
    does not keep the bot from answering: crisis replies and pages need no database, and it
    is tried again every REOPEN_SECONDS. A wrong key or setting still stops the start."""
    services: Services = app.bot_data["services"]
    vault = vault_for(services.settings)
    services.outbox = Outbox(app.bot, lambda: services.repo, services.clock, Policy(),
                             settled=lambda letter: safety.settled(Ctx(app), letter))
    try:
        await open_database(services, vault)
    except ConfigError:
        raise
    except Exception as exc:
        log.error("cannot open the database at DATABASE_PATH (%s): crisis replies and pages "
                  "still go out; trying again every %s s", type(exc).__name__, REOPEN_SECONDS)
        services.reopening = asyncio.create_task(reopen(services, vault))
    await services.outbox.start()
    await set_commands(app, services.content)


async def open_database(services: Services, vault: Vault) -> None:
    repo = await open_repo(services.settings.database_path, services.clock, vault)
    try:
        if await repo.staff.seed(services.settings.staff_user_ids):
            await repo.audit.record(None, "staff_seeded", "staff",
                                    str(len(services.settings.staff_user_ids)))
        services.repo = repo
        await services.load_staff()
    except BaseException:
        services.repo = None
        await repo.close()
        raise


async def reopen(services: Services, vault: Vault) -> None:
    while services.repo is None:
        await asyncio.sleep(REOPEN_SECONDS)
        try:
            await open_database(services, vault)
        except Exception as exc:
            log.warning("the database still cannot be opened (%s)", type(exc).__name__)
            continue
        log.warning("the database is open again")
        if services.outbox is not None:
            await services.outbox.resume()


async def stop_outbox(app: Application) -> None:
    """While the bot can still send: notices about letters that just ended go out, and what
    is pending stays pending for the next run."""
    services: Services = app.bot_data["services"]
    if services.outbox is not None and not services.outbox.closed:
        await services.outbox.stop()


async def close_resources(app: Application) -> None:
    services: Services = app.bot_data["services"]
    if services.reopening is not None:
        services.reopening.cancel()
        await asyncio.gather(services.reopening, return_exceptions=True)
    await stop_outbox(app)
    if services.repo is not None:
        await services.repo.close()
        services.repo = None


async def set_commands(app: Application, content: Content) -> None:
    for lang in content.languages:
        labels = content.labels(lang)
        commands = [BotCommand(name.removeprefix("command."), text)
                    for name, text in labels.items() if name.startswith("command.")]
        code = None if lang == content.languages[0] else lang
        await app.bot.set_my_commands(commands, scope=BotCommandScopeAllPrivateChats(),
                                      language_code=code)
