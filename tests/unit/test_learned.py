import random

import pytest

from bot.domain.distress import detect, load_detector, screen
from bot.domain.distress.learned import LABELS, classify, features, load_model, train
from scripts.train_distress import fingerprint


@pytest.fixture(scope="module")
def detector():
    return load_detector()


def test_shipped_model_is_trained_on_the_current_data():
    """Fails after the eval set changes until scripts/train_distress.py is run again."""
    assert load_model().trained_on == fingerprint()


def test_training_is_deterministic():
    rows = [("i want to die", "suicide"), ("i love my group", "none"),
            ("he is not breathing", "overdose"), ("this traffic is killing me", "none")]
    assert train(rows, epochs=3) == train(rows, epochs=3)


def test_backstop_only_adds_to_the_rules(detector):
    for text in ("i want to kill myself", "i'm not suicidal", "my phone died", "hola"):
        ruled = detect(text, detector.lexicon)
        if ruled is not None:
            assert screen(text, detector) == ruled


def test_backstop_catches_a_paraphrase_the_rules_miss():
    rows = [("i want everything to end tonight", "suicide"),
            ("i want my life to end", "suicide"),
            ("i want the pain to end forever", "suicide"),
            ("i want the meeting to end early", "none"),
            ("i want to see my kids", "none"),
            ("the movie was good", "none")] * 5
    model = train(rows, threshold=0.5)
    found = classify("i want it all to end now", model)
    assert found is not None and found.category == "suicide"
    assert found.rule == "learned.suicide" and found.severity == "crisis"
    assert classify("the game was good", model) is None


def test_a_clinic_can_set_the_threshold():
    assert load_detector(threshold=0.35).model.threshold == 0.35
    assert load_detector().model.threshold == load_model().threshold


def test_no_model_means_rules_only():
    rules_only = load_detector(model=None)
    assert rules_only.model is None
    assert screen("i want to kill myself", rules_only).rule.startswith("suicide")


@pytest.mark.parametrize("text", [
    "26", "(608) 555-0123", "Maya", "x" * 50, "Sam Smith here", "tomorrow 2:30 pm please",
    "weekdays after 5 pm", "sí", "no", "i will be there tomorrow", "see you at 5 then",
    "cant wait to see everyone thursday", "mañana nos vemos en el grupo",
    "i'm nervous about starting group", "i'm going to my mom's house this weekend"])
def test_short_or_unfamiliar_answers_never_fire(detector, text):
    assert classify(text, detector.model) is None


def test_never_raises_on_odd_input(detector):
    rng = random.Random(7)
    alphabet = "aé ñ😀💊\n\t.!?'\x00\u202e" + "abcdefghij"
    for _ in range(300):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 400)))
        screen(text, detector)
    assert screen("", detector) is None
    assert features("") == []
    assert len(LABELS) == 7
