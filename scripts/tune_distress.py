"""Choose the backstop's vote by leaving training sets out.

    .venv/bin/python -m scripts.tune_distress [--folds train_g,train_h,...] [--heads 0,32]

For each held-out fold (a training set by one author who never saw the rules) it trains
the n-gram model and the head on every other training message (as
scripts/train_distress.py does), then screens the fold as the bot would: the rules, and
the backstop's vote at every head, n-gram share, threshold and dampening (screen.DAMPEN:
the share of the threshold that messages framed as talk about the topic or a settled past
must reach) in the grid. It prints recall and false alarms of rules + backstop per fold,
and the choice: the highest mean recall where the mean false-alarm rate of rules +
backstop over the folds stays within the target, --max-alarms (ties: the one that asks the
encoder least). So the folds stand in for authors nobody has heard from yet. Never reads
the untouched sets.
"""

import argparse
import itertools
import json
from collections.abc import Sequence
from functools import cache
from typing import NamedTuple

import numpy as np

from bot.domain.distress import detect, load_detector, semantic
from bot.domain.distress.detector import framed
from bot.domain.distress.learned import LABELS, parts, probabilities, train
from bot.domain.distress.screen import LONG, MAX_ASKED
from scripts.train_distress import BLIND, INPUTS, THRESHOLD, HeadSpec, labelled

SHARES = (0.3, 0.4, 0.5, 0.6, 0.7)
THRESHOLDS = tuple(round(0.05 + 0.025 * i, 3) for i in range(23))  # 0.05 .. 0.6
DAMPENS = (1.0, 0.5, 0.25)
# Recall within this of the best counts as a tie (about 2 messages of a fold); ties go to the
# variant that asks the encoder least often.
TIE = 0.005


class Fold(NamedTuple):
    """Per held-out message: distress, rules fired, framed; and for the parts the bot
    could ask about (at most MAX_ASKED, padded with P(none) 1): each voter's P(none)."""

    distress: np.ndarray
    rules: np.ndarray
    framed: np.ndarray
    hashed: np.ndarray  # (messages, MAX_ASKED)
    heads: dict[int, np.ndarray]  # hidden units -> (messages, MAX_ASKED)


@cache
def _embedded(text: str) -> tuple[float, ...]:
    return tuple(semantic.embed([text])[0])


def _embed(texts: Sequence[str]) -> np.ndarray:
    return np.asarray([_embedded(text) for text in texts]).reshape(len(texts), -1)


def fold(rows: Sequence[dict], held: str, hiddens: Sequence[int]) -> Fold:
    rest = [(row["text"], row["label"]) for row in rows if row["group"] != held]
    model = train(rest, threshold=THRESHOLD)
    vectors = _embed([text for text, _ in rest])
    truth = [LABELS.index(label) for _, label in rest]
    heads = {hidden: semantic.train(vectors, truth, len(LABELS), threshold=1.0,
                                    **HeadSpec.of(hidden)._asdict()) for hidden in hiddens}
    lexicon = load_detector(model=None).lexicon
    held_rows = [row for row in rows if row["group"] == held]
    hashed = np.ones((len(held_rows), MAX_ASKED))
    head_none = {hidden: np.ones_like(hashed) for hidden in hiddens}
    for n, row in enumerate(held_rows):
        pieces = [p for p in parts(row["text"][:5000]) if len(p) <= LONG]
        scored = sorted((probabilities(p, model)[0], p) for p in pieces)[:MAX_ASKED]
        if not scored:
            continue
        embedded = _embed([p for _, p in scored])
        hashed[n, :len(scored)] = [p for p, _ in scored]
        for hidden, head in heads.items():
            head_none[hidden][n, :len(scored)] = semantic.probabilities(embedded, head)[:, 0]
    return Fold(np.array([row["label"] != "none" for row in held_rows]),
                np.array([detect(row["text"], lexicon) is not None for row in held_rows]),
                np.array([framed(row["text"], lexicon) for row in held_rows]),
                hashed, head_none)


def figures(data: Fold, hidden: int, share: float, threshold: float, dampen: float
            ) -> tuple[float, float, float]:
    """Recall, false alarms and the share of messages the encoder is asked about."""
    limit = np.where(data.framed, threshold * dampen, threshold)[:, None]
    votes = share * data.hashed + (1 - share) * data.heads[hidden]
    asked = (data.hashed * share < limit) & ~data.rules[:, None]
    fired = data.rules | (asked & (votes < limit)).any(axis=1)
    return (float((fired & data.distress).sum() / data.distress.sum()),
            float((fired & ~data.distress).sum() / (~data.distress).sum()),
            float(asked.any(axis=1).mean()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--folds", default=",".join(f"train_{n}" for n in BLIND))
    parser.add_argument("--heads", default="0", help="hidden units to try (0: linear)")
    parser.add_argument("--max-alarms", type=float, default=0.05,
                        help="the most the folds' mean false-alarm rate may be")
    args = parser.parse_args()
    rows = labelled(INPUTS)
    hiddens = [int(h) for h in args.heads.split(",")]
    folds = {}
    for held in args.folds.split(","):
        folds[held] = data = fold(rows, held, hiddens)
        print(f"{held}: {len(data.distress)} messages ({data.framed.sum()} framed); rules alone "
              f"recall {(data.rules & data.distress).sum() / data.distress.sum():.3f}, false "
              f"alarms {(data.rules & ~data.distress).sum() / (~data.distress).sum():.3f}",
              flush=True)
    grid = itertools.product(hiddens, SHARES, THRESHOLDS, DAMPENS)
    results = {key: {held: figures(data, *key) for held, data in folds.items()} for key in grid}
    allowed = [(key, f) for key, f in results.items()
               if np.mean([a for _, a, _ in f.values()]) <= args.max_alarms]
    table = sorted(allowed, key=lambda kv: -np.mean([r for r, _, _ in kv[1].values()]))
    best = np.mean([r for r, _, _ in table[0][1].values()]) if table else 0.0
    for (hidden, share, threshold, dampen), found in table[:30]:
        print(f"hidden {hidden} share {share} threshold {threshold} dampen {dampen}: mean "
              f"recall {np.mean([r for r, _, _ in found.values()]):.3f}, false alarms "
              f"{np.mean([a for _, a, _ in found.values()]):.3f}; "
              + "; ".join(f"{k} {r:.3f}/{a:.3f} asks {q:.3f}" for k, (r, a, q) in found.items()))
    chosen = min((kv for kv in table if np.mean([r for r, _, _ in kv[1].values()]) >= best - TIE),
                 key=lambda kv: np.mean([q for _, _, q in kv[1].values()]), default=None)
    print("chosen:", json.dumps(chosen and [chosen[0], chosen[1]]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
