"""Screening a message together with the person's earlier ones (screen_recent)."""

from collections import OrderedDict
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from bot.domain.distress import load_detector, screen, screen_recent
from bot.handlers.safety import WINDOW_CHATS, recent

MEANS, WHEN = "the rope is in my trunk", "doing it this weekend when my wife's away"


@pytest.fixture(scope="module")
def detector():
    return load_detector()


def test_danger_only_across_messages_fires_on_the_message_that_completes_it(detector):
    assert screen(MEANS, detector) is None and screen(WHEN, detector) is None
    assert screen_recent(MEANS, [], detector) is None
    found = screen_recent(WHEN, [MEANS], detector)
    assert found is not None and found.category == "suicide"
    assert found.rule.startswith("window.")


def test_a_later_message_does_not_fire_again(detector):
    for later in ("ok thanks, see you at group thursday", "what time is group tomorrow",
                  "i'm ready"):
        assert screen_recent(later, [MEANS, WHEN], detector) is None


def test_a_message_that_fires_alone_is_reported_as_itself(detector):
    alone = screen("i want to kill myself", detector)
    assert screen_recent("i want to kill myself", ["hi", "how are you"], detector) == alone


def test_ordinary_messages_never_join_up(detector):
    earlier = ["my phone is about to die", "this traffic is killing me"]
    for text in ("can you text me the address", "see you soon", "lol"):
        assert screen_recent(text, earlier, detector) is None


def test_without_the_backstop_the_rules_still_join_messages():
    rules_only = load_detector(model=None)
    found = screen_recent(WHEN, [MEANS], rules_only)
    assert found is not None and found.rule == "window.suicide.means_window"


def test_the_handler_keeps_two_earlier_messages_from_the_last_ten_minutes():
    services = SimpleNamespace(recent=OrderedDict())
    start = datetime(2026, 11, 26, 16, 0, tzinfo=UTC)
    assert recent(services, 1, start, "one") == []
    assert recent(services, 1, start + timedelta(minutes=1), "two") == ["one"]
    assert recent(services, 2, start + timedelta(minutes=1), "other chat") == []
    assert recent(services, 1, start + timedelta(minutes=2), "three") == ["one", "two"]
    assert recent(services, 1, start + timedelta(minutes=3), "four") == ["two", "three"]
    assert recent(services, 1, start + timedelta(minutes=12, seconds=1), "five") == ["four"]
    for chat in range(WINDOW_CHATS + 5):
        recent(services, 100 + chat, start, "hi")
    assert len(services.recent) == WINDOW_CHATS and 1 not in services.recent
