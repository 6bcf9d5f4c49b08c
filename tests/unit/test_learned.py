import random

import numpy as np
import pytest

from bot.domain.distress import (
    Category,
    Severity,
    concern,
    detect,
    load_detector,
    screen,
    semantic,
)
from bot.domain.distress.detector import escalate
from bot.domain.distress.learned import (
    LABELS,
    MODEL,
    classify,
    features,
    load_model,
    parts,
    probabilities,
    train,
)
from bot.domain.distress.screen import CHECK_IN, backstop
from scripts.train_distress import build, fingerprint


@pytest.fixture(scope="module")
def detector():
    return load_detector()


def test_shipped_models_are_trained_on_the_current_data():
    """Fails after the eval set changes until scripts/train_distress.py is run again."""
    assert load_model().trained_on == fingerprint()
    assert semantic.load_head().trained_on == fingerprint()


def test_training_script_rebuilds_the_shipped_files_byte_for_byte():
    hashed, head = build()
    assert hashed == MODEL.read_text(encoding="utf-8")
    assert head == semantic.MODEL.read_text(encoding="utf-8")


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
    assert load_detector(threshold=0.35).head.threshold == 0.35
    assert load_detector().head.threshold == semantic.load_head().threshold
    assert load_detector(threshold=0.35, head=None).model.threshold == 0.35


def test_semantic_vote_reaches_wording_the_ngrams_have_not_seen():
    """English and Spanish share one embedding space: a head trained on English only
    still places the Spanish paraphrase with it."""
    texts = ["i want to end my life", "i don't want to be alive anymore",
             "i am going to kill myself tonight", "see you at group tomorrow",
             "thanks for the reminder", "can i bring my partner to family night"]
    labels = [1, 1, 1, 0, 0, 0]
    head = semantic.train(semantic.embed(texts), labels, 2, threshold=0.5, steps=200, rate=2.0)
    probs = semantic.probabilities(semantic.embed(["ya no quiero seguir viviendo",
                                                   "nos vemos mañana en el grupo"]), head)
    assert probs[0][1] > 0.5 > probs[1][1]


def test_semantic_training_is_deterministic():
    vectors = semantic.embed(["i want to die", "see you tomorrow"])
    assert (semantic.train(vectors, [1, 0], 7, threshold=0.3)
            == semantic.train(vectors, [1, 0], 7, threshold=0.3))


def test_semantic_head_with_a_hidden_layer():
    vectors = semantic.embed(["i want to die", "see you tomorrow", "he is not breathing"])
    head = semantic.train(vectors, [1, 0, 3], 7, threshold=0.3, hidden=4, steps=100)
    assert head == semantic.train(vectors, [1, 0, 3], 7, threshold=0.3, hidden=4, steps=100)
    assert len(head.hidden) == 4 and len(head.weights[0]) == 4
    assert semantic.probabilities(vectors, head).argmax(axis=1).tolist() == [1, 0, 3]


def test_encoder_is_asked_only_where_its_vote_can_tip_the_balance(detector, monkeypatch):
    """With the n-gram model's P(none) times its share at or above the threshold, no
    answer of the encoder can make the vote fire, so it is not asked."""
    asked = []
    monkeypatch.setattr(semantic, "embed", lambda texts: asked.extend(texts) or
                        np.zeros((len(texts), semantic.DIMENSIONS)))
    head, model = detector.head, detector.model
    for text in ("see you at group tomorrow at 5", "can i bring my partner to family night",
                 "i keep thinking everyone would be better off without me"):
        hashed = min(probabilities(piece, model)[0] for piece in parts(text))
        asked.clear()
        backstop(text, detector)
        assert bool(asked) == (hashed * head.share < head.threshold), text


def test_backstop_severity_follows_the_lexicon_escalations(detector):
    """A learned detection is an emergency when the message says the means are in hand."""
    assert escalate(Category.SUICIDE, Severity.CRISIS, "the gun is in my hand",
                    detector.lexicon)[0] == Severity.EMERGENCY
    assert escalate(Category.SUICIDE, Severity.CRISIS, "i miss my dog",
                    detector.lexicon) == (Severity.CRISIS, None)


def test_backstop_alone_never_raises(detector):
    for text in ("", "a", "hola " * 2000, "💊" * 300, "i can't keep doing this. " * 60):
        backstop(text, detector)


def test_no_model_means_rules_only():
    rules_only = load_detector(model=None)
    assert rules_only.model is None and rules_only.head is None
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


def test_a_check_in_where_the_vote_leans_but_does_not_fire(detector):
    leaning = "i don't know how much more i can take"
    assert screen(leaning, detector) is None and concern(leaning, detector)
    for text in ("ok thanks, see you at group thursday", "can i bring my wife to the family "
                 "session?", "26", "sí", ""):
        assert not concern(text, detector)


def test_no_check_in_without_the_head_or_when_the_clinic_threshold_is_wider():
    leaning = "i don't know how much more i can take"
    assert not concern(leaning, load_detector(head=None))
    assert not concern(leaning, load_detector(threshold=CHECK_IN))
