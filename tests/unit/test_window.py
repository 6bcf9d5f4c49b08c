"""Screening a message together with the person's earlier ones (screen_recent)."""

import pytest

from bot.domain.distress import load_detector, screen, screen_recent

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
