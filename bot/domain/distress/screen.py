"""Rules first; the learned backstop only when the rules found nothing."""

from pathlib import Path
from typing import NamedTuple

from bot.domain.distress.detector import detect
from bot.domain.distress.learned import MODEL, Model, classify, load_model
from bot.domain.distress.lexicon import Lexicon, load_lexicon
from bot.domain.distress.model import Detection


class Detector(NamedTuple):
    lexicon: Lexicon
    model: Model | None


def load_detector(extra: Path | None = None, model: Path | None = MODEL,
                  threshold: float | None = None) -> Detector:
    """The shipped lexicon plus a clinic's extra file; `model=None` turns the backstop off,
    and `threshold` overrides the most P(no distress) at which it still fires."""
    learned = load_model(model) if model else None
    if learned is not None and threshold is not None:
        learned = learned.model_copy(update={"threshold": threshold})
    return Detector(load_lexicon(extra=extra), learned)


def screen(text: str, detector: Detector) -> Detection | None:
    found = detect(text, detector.lexicon)
    if found is None and detector.model is not None:
        found = classify(text, detector.model)
    return found
