"""Evaluate the distress detector: accuracy per category and split, confusions, speed.

Run from the repo root:  .venv/bin/python bench/distress_eval.py [--lexicon PATH] [--extra PATH]
Exit status 1 when a target (recall >= 0.98, false-positive rate <= 0.05) is missed.
"""

import argparse
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

from pydantic import BaseModel

from bot.domain.distress import Category, Detector, Lexicon, detect, load_lexicon, screen
from bot.domain.distress.learned import load_model

EVAL_PATH = Path(__file__).resolve().parents[1] / "tests" / "data" / "distress_eval.jsonl"
HOLDOUT_PATH = EVAL_PATH.with_name("distress_holdout.jsonl")
MIN_RECALL = 0.98
MAX_FPR = 0.05
NONE = "none"

# What a naive detector would do; the speed ratio is measured against it in the same run.
_BASELINE = re.compile(r"\b(?:suicid\w*|kill (?:my)?self|overdos\w*|want to die|self.?harm)\b")


class EvalItem(BaseModel, frozen=True):
    text: str
    label: Category | None
    lang: str
    split: str
    note: str | None = None


class CategoryScore(BaseModel, frozen=True):
    support: int
    recall: float
    false_positives: int
    false_positive_rate: float


class Scores(BaseModel, frozen=True):
    items: int
    categories: dict[Category, CategoryScore]
    any_recall: float
    any_false_positive_rate: float
    confusions: dict[tuple[str, str], int]  # (true label, predicted label) -> count, errors only

    def meets_targets(self) -> bool:
        recalls = [s.recall for s in self.categories.values() if s.support] + [self.any_recall]
        fprs = [s.false_positive_rate for s in self.categories.values()]
        fprs.append(self.any_false_positive_rate)
        return min(recalls) >= MIN_RECALL and max(fprs) <= MAX_FPR


class Speed(BaseModel, frozen=True):
    typical_us: float
    typical_ratio: float
    long_ms: float
    long_ratio: float
    dense_ms: float
    dense_ratio: float
    adversarial_ms: float


def load_eval(path: Path = EVAL_PATH) -> list[EvalItem]:
    rows = (json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line)
    return [
        EvalItem.model_validate({**row, "label": None if row["label"] == NONE else row["label"]})
        for row in rows
    ]


def predict(items: Sequence[EvalItem], lexicon: Lexicon) -> list[Category | None]:
    return [d.category if (d := detect(item.text, lexicon)) else None for item in items]


def score(items: Sequence[EvalItem], predicted: Sequence[Category | None]) -> Scores:
    pairs = list(zip([i.label for i in items], predicted, strict=True))

    def ratio(hits: int, total: int) -> float:
        return hits / total if total else 1.0

    categories = {}
    for category in Category:
        support = sum(1 for truth, _ in pairs if truth is category)
        found = sum(1 for truth, guess in pairs if truth is category and guess is category)
        false = sum(1 for truth, guess in pairs if truth is not category and guess is category)
        categories[category] = CategoryScore(
            support=support,
            recall=ratio(found, support),
            false_positives=false,
            false_positive_rate=ratio(false, len(pairs) - support) if false else 0.0,
        )
    positives = sum(1 for truth, _ in pairs if truth is not None)
    return Scores(
        items=len(pairs),
        categories=categories,
        any_recall=ratio(sum(1 for t, g in pairs if t is not None and g is not None), positives),
        any_false_positive_rate=(
            sum(1 for t, g in pairs if t is None and g is not None) / (len(pairs) - positives)
            if len(pairs) > positives
            else 0.0
        ),
        confusions=dict(
            Counter(
                (str(truth or NONE), str(guess or NONE))
                for truth, guess in pairs
                if truth is not guess
            )
        ),
    )


def measure_speed(items: Sequence[EvalItem], lexicon: Lexicon) -> Speed:
    typical = [item.text for item in items if len(item.text) < 300]
    ordinary = [item.text for item in items if item.label is None]
    long_text = _long_message([text for text in ordinary if len(text) > 1000])
    dense_text = _long_message([text for text in ordinary if len(text) < 300])

    def naive(text: str) -> object:
        return _BASELINE.search(text.lower())

    def ours(text: str) -> object:
        return detect(text, lexicon)

    typical_ours = _best_time(ours, typical) / len(typical)
    typical_naive = _best_time(naive, typical) / len(typical)
    long_ours, long_naive = _best_time(ours, [long_text]), _best_time(naive, [long_text])
    dense_ours, dense_naive = _best_time(ours, [dense_text]), _best_time(naive, [dense_text])
    return Speed(
        typical_us=typical_ours * 1e6,
        typical_ratio=typical_ours / typical_naive,
        long_ms=long_ours * 1e3,
        long_ratio=long_ours / long_naive,
        dense_ms=dense_ours * 1e3,
        dense_ratio=dense_ours / dense_naive,
        adversarial_ms=max(
            _best_time(ours, [text], repeats=1)
            for text in ("💊" * 5000, "kill myself " * 400, "i want to " * 500, "a" * 5000)
        )
        * 1e3,
    )


def _long_message(texts: Sequence[str], size: int = 5000) -> str:
    """5,000 characters of the given texts with one dangerous sentence in the middle."""
    filler = " ".join(texts) * (1 + size // max(1, sum(map(len, texts))))
    danger = ". I took all my pills an hour ago. "
    half = (size - len(danger)) // 2
    return filler[:half] + danger + filler[half : size - len(danger)]


def _best_time(run: Callable[[str], object], texts: Sequence[str], repeats: int = 5) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for text in texts:
            run(text)
        best = min(best, time.perf_counter() - start)
    return best


def report(items: Sequence[EvalItem], lexicon: Lexicon) -> tuple[str, bool]:
    predicted = predict(items, lexicon)
    overall = score(items, predicted)
    lines = [
        f"Distress detector on {len(items)} messages "
        f"({sum(i.lang == 'es' for i in items)} Spanish, "
        f"{sum(i.label is None for i in items)} without distress)",
        "",
        _table(overall),
    ]
    for split in sorted({item.split for item in items}):
        chosen = [(i, p) for i, p in zip(items, predicted, strict=True) if i.split == split]
        part = score([i for i, _ in chosen], [p for _, p in chosen])
        lines += ["", f"split {split}: {part.items} messages", _table(part)]
    lines += ["", "confusions (true -> predicted: count)"]
    lines += [
        f"  {truth:>11} -> {guess:<11} {count}"
        for (truth, guess), count in sorted(overall.confusions.items(), key=lambda kv: -kv[1])
    ] or ["  none"]
    speed = measure_speed(items, lexicon)
    lines += [
        "",
        "speed (ratio = detect() time / str.lower()+regex search on the same text, same run)",
        f"  typical message: {speed.typical_us:8.1f} us   ratio {speed.typical_ratio:6.0f}x",
        f"  5,000-char message: {speed.long_ms:8.2f} ms   ratio {speed.long_ratio:6.0f}x",
        f"  5,000 chars packed with hard negatives: {speed.dense_ms:.2f} ms   "
        f"ratio {speed.dense_ratio:.0f}x",
        f"  worst adversarial 5,000-char input: {speed.adversarial_ms:.1f} ms",
        "",
        f"targets (recall >= {MIN_RECALL}, false-positive rate <= {MAX_FPR}): "
        + ("met" if overall.meets_targets() else "MISSED"),
    ]
    return "\n".join(lines), overall.meets_targets()


def holdout_report(items: Sequence[EvalItem], lexicon: Lexicon) -> str:
    """The honest number: messages by an author nobody tuned or trained on."""
    detector = Detector(lexicon, load_model())
    rules = score(items, predict(items, lexicon))
    both = score(items, [d.category if (d := screen(i.text, detector)) else None
                         for i in items])
    return "\n".join([
        f"held-out set: {len(items)} messages never tuned or trained on "
        f"({sum(i.lang == 'es' for i in items)} Spanish)",
        "rules only", _table(rules),
        "rules + learned backstop (what the bot runs)", _table(both),
    ])


def _table(scores: Scores) -> str:
    header = f"  {'category':<12} {'support':>7} {'recall':>7} {'FP':>4} {'FPR':>7}"
    rows = [
        f"  {category.value:<12} {s.support:>7} {s.recall:>7.3f} {s.false_positives:>4} "
        f"{s.false_positive_rate:>7.3f}"
        for category, s in scores.categories.items()
    ]
    positives = sum(s.support for s in scores.categories.values())
    rows.append(
        f"  {'any distress':<12} {positives:>7} {scores.any_recall:>7.3f} {'':>4} "
        f"{scores.any_false_positive_rate:>7.3f}"
    )
    return "\n".join([header, *rows])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval", type=Path, default=EVAL_PATH)
    parser.add_argument("--lexicon", type=Path, default=None)
    parser.add_argument("--extra", type=Path, default=None, help="clinic lexicon merged on top")
    parser.add_argument("--holdout", type=Path, default=HOLDOUT_PATH)
    args = parser.parse_args(argv)
    lexicon = load_lexicon(args.lexicon, extra=args.extra)
    text, ok = report(load_eval(args.eval), lexicon)
    print(text)
    print()
    print(holdout_report(load_eval(args.holdout), lexicon))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
