"""Choose the backstop's head, vote share and threshold by leaving training sets out.

    .venv/bin/python -m scripts.tune_distress [--folds train_g,train_h] [--heads 0,32]

For each held-out fold it trains both models on every other training message (as
scripts/train_distress.py does), then screens the fold as the bot would: the rules, and
the backstop's vote at every share, threshold and dampening (screen.DAMPEN: the share of
the threshold that messages framed as talk about the topic or a settled past must reach)
in the grid. It prints recall and false
alarms of rules + backstop per fold, and the choice: the highest mean recall where the
backstop adds at most --max-added to the rules' false alarms on every fold (ties: the one
that asks the encoder least). Folds whose authors never saw the rules
(train_g, train_h) say how rules + backstop do on new wording; blind A, B and D were
tuned on, so for them the rules' figures mean little. Never reads C, E or F.
"""

import argparse
import json
from collections.abc import Callable, Sequence
from functools import cache

import numpy as np

from bot.domain.distress import detect, load_detector, semantic
from bot.domain.distress.detector import framed
from bot.domain.distress.learned import LABELS, parts, probabilities, train
from bot.domain.distress.screen import LONG, MAX_ASKED, vote
from scripts.train_distress import INPUTS, THRESHOLD, HeadSpec, labelled

SHARES = (0.4, 0.5, 0.6, 0.7)
# Recall within this of the best counts as a tie (about 2 messages of a fold); ties go to the
# variant that asks the encoder least often.
TIE = 0.005
THRESHOLDS = tuple(round(0.05 + 0.025 * i, 3) for i in range(23))  # 0.05 .. 0.6
DAMPENS = (1.0, 0.75, 0.5, 0.35, 0.25)


@cache
def _embedded(text: str) -> tuple[float, ...]:
    return tuple(semantic.embed([text])[0])


def _embed(texts: Sequence[str]) -> np.ndarray:
    return np.asarray([_embedded(text) for text in texts])


def _scores(text: str, model: object, heads: dict[int, semantic.Head]
            ) -> dict[tuple[int, float] | str, float]:
    """(hidden units, share) -> the lowest voted P(none) of the parts the bot would ask about
    (1.0 when none can be asked); "hashed" -> the n-gram model's lowest P(none) of them."""
    pieces = list(parts(text[:5000]))
    hashed = [probabilities(piece, model) for piece in pieces]  # type: ignore[arg-type]
    asked = sorted((i for i, piece in enumerate(pieces) if len(piece) <= LONG),
                   key=lambda i: hashed[i][0])[:MAX_ASKED]
    found: dict[tuple[int, float] | str, float] = {
        "hashed": min((hashed[i][0] for i in asked), default=1.0)}
    for hidden, head in heads.items():
        meaning = semantic.probabilities(_embed([pieces[i] for i in asked]), head).tolist() \
            if asked else []
        for share in SHARES:
            votes = [vote(hashed[i], row, share)[0] for i, row in zip(asked, meaning,
                                                                        strict=True)]
            found[hidden, share] = min(votes, default=1.0)
    return found


def fold_scores(rows: Sequence[dict], held: str, hiddens: Sequence[int],
                spec: Callable[[int], HeadSpec]) -> list[tuple[bool, bool, bool, dict]]:
    """(has distress, rules fired, framed, backstop scores) for each held-out message."""
    rest = [(row["text"], row["label"]) for row in rows if row["group"] != held]
    model = train(rest, threshold=THRESHOLD)
    vectors = _embed([text for text, _ in rest])
    truth = [LABELS.index(label) for _, label in rest]
    heads = {hidden: semantic.train(vectors, truth, len(LABELS), threshold=1.0,
                                    **spec(hidden)._asdict())
             for hidden in hiddens}
    lexicon = load_detector(model=None).lexicon
    return [(row["label"] != "none", detect(row["text"], lexicon) is not None,
             framed(row["text"], lexicon), _scores(row["text"], model, heads))
            for row in rows if row["group"] == held]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--folds", default="train_g,train_h")
    parser.add_argument("--heads", default="0,32", help="hidden units to try (0: linear)")
    parser.add_argument("--max-added", type=float, default=0.015,
                        help="false alarms the backstop may add to the rules' on each fold")
    args = parser.parse_args()
    rows = labelled(INPUTS)
    hiddens = [int(h) for h in args.heads.split(",")]
    results: dict[tuple[int, float, float, float], dict[str, tuple[float, float, float]]] = {}
    rules: dict[str, float] = {}
    for held in args.folds.split(","):
        scored = fold_scores(rows, held, hiddens, HeadSpec.of)
        positives = sum(d for d, _, _, _ in scored)
        negatives = len(scored) - positives
        rules[held] = sum(not d and r for d, r, _, _ in scored) / negatives
        print(f"{held}: {len(scored)} messages ({sum(f for _, _, f, _ in scored)} framed); "
              f"rules alone recall {sum(d and r for d, r, _, _ in scored) / positives:.3f}, "
              f"false alarms {rules[held]:.3f}", flush=True)
        for key in scored[0][3]:
            if isinstance(key, str):
                continue
            for threshold in THRESHOLDS:
                for dampen in DAMPENS:
                    limits = [threshold * (dampen if f else 1.0) for _, _, f, _ in scored]
                    fired = [r or s[key] < limit
                             for (_, r, _, s), limit in zip(scored, limits, strict=True)]
                    recall = sum(f and d for f, (d, *_) in zip(fired, scored, strict=True))
                    alarms = sum(f and not d for f, (d, *_) in zip(fired, scored, strict=True))
                    asked = sum(not r and s["hashed"] * key[1] < limit
                                for (_, r, _, s), limit in zip(scored, limits, strict=True))
                    results.setdefault((*key, threshold, dampen), {})[held] = (
                        recall / positives, alarms / negatives, asked / len(scored))
    allowed = [(key, f) for key, f in results.items()
               if all(a <= rules[k] + args.max_added for k, (_, a, _) in f.items())]
    best = max((np.mean([r for r, _, _ in f.values()]) for _, f in allowed), default=0.0)
    table = sorted(allowed, key=lambda kv: -np.mean([r for r, _, _ in kv[1].values()]))
    for (hidden, share, threshold, dampen), figures in table[:40]:
        print(f"hidden {hidden:>3} share {share} threshold {threshold} dampen {dampen}: "
              + "; ".join(f"{k} {r:.3f}/{a:.3f} asks {q:.3f}" for k, (r, a, q) in figures.items()))
    chosen = min((kv for kv in table
                  if np.mean([r for r, _, _ in kv[1].values()]) >= best - TIE),
                 key=lambda kv: np.mean([q for _, _, q in kv[1].values()]), default=None)
    print("chosen:", json.dumps(chosen and [chosen[0], chosen[1]]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
