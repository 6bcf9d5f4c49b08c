import logging
from datetime import UTC, datetime

import pytest

from bot.clock import ManualClock
from bot.standin import StandIn
from tests.e2e.harness import STAFF_CHAT, STAFF_IDS, ErrorTrap, Running, settings_for

# Thursday 26 Nov 2026, 10:00 in Chicago.
START = datetime(2026, 11, 26, 16, 0, tzinfo=UTC)


def pytest_configure(config):
    config.addinivalue_line("markers", "errors_expected: the test provokes logged errors")


@pytest.fixture
def clock():
    return ManualClock(START)


@pytest.fixture
async def api():
    async with StandIn() as standin:
        yield standin


@pytest.fixture(autouse=True)
def error_trap(request):
    trap = ErrorTrap()
    logging.getLogger().addHandler(trap)
    yield trap
    logging.getLogger().removeHandler(trap)
    if request.node.get_closest_marker("errors_expected") is None:
        assert not trap.records, "errors logged inside the bot:\n" + "\n".join(
            f"{r.name}: {r.getMessage()}" for r in trap.records)


@pytest.fixture
def clinic(profile):
    """The example clinic, with repeating jobs slowed to a crawl: tests run them by hand
    (Running.tick) on the controllable clock, never on the wall clock."""
    hour = 3600
    return profile.model_copy(update={
        "intake": profile.intake.model_copy(update={"watch_seconds": hour}),
        "safety": profile.safety.model_copy(update={"pager_seconds": hour}),
        "reminders": profile.reminders.model_copy(update={"dispatch_seconds": hour}),
    })


@pytest.fixture
async def make_bot(api, tmp_path, clinic, clock, staff_group):
    started: list[Running] = []

    async def make(mode: str = "polling", *, profile=None, **settings) -> Running:
        running = Running(settings_for(api, tmp_path / "iop.db", mode, **settings),
                          profile or clinic, clock)
        started.append(await running.start())
        return running

    yield make
    for running in started:
        await running.stop()


@pytest.fixture
async def bot(make_bot):
    return await make_bot()


@pytest.fixture
def staff_group(api):
    return api.group(STAFF_CHAT, "Clinic staff")


@pytest.fixture
def dana(api, staff_group):
    """A staff member, speaking in the staff group."""
    return staff_group.person(api.person(STAFF_IDS[0], "Dana"))


@pytest.fixture
def alice(api):
    return api.person(1001, "Alice", language_code="en")
