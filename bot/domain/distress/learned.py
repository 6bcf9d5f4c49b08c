"""A learned backstop behind the rules: hashed word and character n-grams, multinomial
logistic regression, trained on the labelled evaluation set.

Rules are precise but miss wording nobody wrote down; this model catches some paraphrases.
It only speaks when the rules found nothing, and only when it is confident. Pure Python:
no I/O here, no dependencies, a few hundred microseconds per message.
"""

import math
import random
import re
import unicodedata
import zlib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from pydantic import BaseModel

from bot.domain.distress.model import Category, Detection, Severity
from bot.paths import CONTENT

MODEL = CONTENT / "safety" / "model.json"
LABELS = ("none", *(category.value for category in Category))
BUCKETS = 1 << 18
BIAS = BUCKETS
MIN_WORDS = 3
MIN_KNOWN = 0.5
_REPEATS = re.compile(r"(.)\1{2,}")
_WORD = re.compile(r"[a-z0-9ñ']+")
_SENTENCE = re.compile(r"[.!?;\n]+")
EMERGENCY = {Category.OVERDOSE, Category.HARM_OTHERS}


class Model(BaseModel, frozen=True):
    """Weights per hashed feature, one per label; `threshold` is the most P(none) may be."""

    weights: dict[int, tuple[float, ...]]
    threshold: float
    trained_on: str


def load_model(path: Path = MODEL) -> Model:
    return Model.model_validate_json(path.read_text(encoding="utf-8"))


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(char for char in text if not unicodedata.combining(char))
    return _REPEATS.sub(r"\1\1", text.replace("’", "'"))


def features(text: str) -> list[int]:
    return _features(_WORD.findall(fold(text)))


def _features(words: list[str]) -> list[int]:
    grams = []
    for index, word in enumerate(words):
        grams.append("w:" + word)
        if index:
            grams.append("b:" + words[index - 1] + " " + word)
        padded = f"<{word}>"
        grams.extend("c:" + padded[i:i + 4] for i in range(len(padded) - 3))
    return [zlib.crc32(gram.encode()) % BUCKETS for gram in grams]


def _softmax(scores: list[float]) -> list[float]:
    top = max(scores)
    exps = [math.exp(score - top) for score in scores]
    total = sum(exps)
    return [value / total for value in exps]


def _scores(found: list[int], weights: Mapping[int, Sequence[float]]) -> list[float]:
    """Feature weights scaled by 1/sqrt(n), so long texts are not louder; plus the bias."""
    rows = [row for row in map(weights.get, found) if row]
    scores = [sum(column, 0.0) for column in zip(*rows, strict=True)]
    scores = scores or [0.0] * len(LABELS)
    scale = 1 / math.sqrt(len(found))
    bias = weights.get(BIAS, (0.0,) * len(LABELS))
    return [score * scale + b for score, b in zip(scores, bias, strict=True)]


def probabilities(text: str, model: Model) -> list[float]:
    """P(label); a text too short or too unfamiliar to judge counts as no distress."""
    words = _WORD.findall(fold(text))
    if len(words) < MIN_WORDS:
        return [1.0] + [0.0] * (len(LABELS) - 1)
    found = _features(words)
    known = sum(1 for bucket in found if bucket in model.weights)
    if known < MIN_KNOWN * len(found):
        return [1.0] + [0.0] * (len(LABELS) - 1)
    return _softmax(_scores(found, model.weights))


def parts(text: str) -> Iterable[str]:
    """The whole message, and each sentence of a long one, so buried danger is not diluted."""
    yield text
    sentences = [s for s in _SENTENCE.split(text) if len(s.split()) >= 4]
    if len(sentences) > 1:
        yield from sentences


def classify(text: str, model: Model) -> Detection | None:
    best: list[float] | None = None
    for part in parts(text[:5000]):
        probs = probabilities(part, model)
        if best is None or probs[0] < best[0]:
            best = probs
    if best is None or best[0] >= model.threshold:
        return None
    label = max(range(1, len(LABELS)), key=lambda index: best[index])
    category = Category(LABELS[label])
    severity = Severity.EMERGENCY if category in EMERGENCY else Severity.CRISIS
    return Detection(category=category, severity=severity, rule=f"learned.{category.value}")


def train(rows: list[tuple[str, str]], *, epochs: int = 8, rate: float = 0.3,
          threshold: float = 0.3, trained_on: str = "", seed: int = 1) -> Model:
    """AdaGrad on the multinomial log-loss; deterministic for a given seed and data."""
    weights: dict[int, list[float]] = {}
    squares: dict[int, list[float]] = {}
    data = [(features(text), LABELS.index(label)) for text, label in rows]
    shuffler = random.Random(seed)
    for _ in range(epochs):
        shuffler.shuffle(data)
        for found, truth in data:
            if not found:
                continue
            scale = 1 / math.sqrt(len(found))
            probs = _softmax(_scores(found, weights))
            for label, prob in enumerate(probs):
                error = prob - (label == truth)
                if abs(error) < 1e-4:
                    continue
                for bucket, gradient in [(BIAS, error), *((b, error * scale) for b in found)]:
                    row = weights.setdefault(bucket, [0.0] * len(LABELS))
                    acc = squares.setdefault(bucket, [0.0] * len(LABELS))
                    acc[label] += gradient * gradient
                    row[label] -= rate * gradient / (math.sqrt(acc[label]) + 1e-8)
    kept = {bucket: tuple(round(w, 3) for w in row) for bucket, row in weights.items()
            if max(abs(w) for w in row) >= 0.01}
    return Model(weights=kept, threshold=threshold, trained_on=trained_on)
