"""Evaluate the distress detector: accuracy per category and split, confusions, speed.

Run from the repo root:  .venv/bin/python bench/distress_eval.py [--lexicon PATH] [--extra PATH]

1. The rules alone on the development set (everything the rules were tuned on).
2. Every set written blind and never trained on (C, E, F, P, Q, R, S, T, U), with the
   rules alone and with what the bot runs (rules + learned backstop): recall, false-alarm
   rate, per-category recall, category and severity accuracy, p50/p99 time per message,
   what check-ins add (distress reached by a crisis reply or a check-in, check-ins on
   messages without distress), and the misses and false alarms grouped by the author's
   `kind`; then the first-run figures recorded for each set before anything was changed
   because of it.
3. The conversation windows of E and F, screened message by message as the bot does.
4. Speed of rules + backstop, as ratios to a naive regex measured in the same run, and of
   the check-in's question.

Exit status 1 when the development set misses a target (recall >= 0.98, false-positive
rate <= 0.05); the untouched sets are reported, not enforced.
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

from bot.domain.distress import (
    Category,
    Detection,
    Detector,
    Lexicon,
    concern,
    detect,
    load_detector,
    load_lexicon,
    screen,
    screen_recent,
)

EVAL_PATH = Path(__file__).resolve().parents[1] / "tests" / "data" / "distress_eval.jsonl"
HOLDOUT_PATH = EVAL_PATH.with_name("distress_holdout.jsonl")
# The untouched sets: (name, messages, conversations or None).
UNTOUCHED = (
    ("C", HOLDOUT_PATH, None),
    ("E", EVAL_PATH.with_name("distress_blind_e.jsonl"),
     EVAL_PATH.with_name("distress_blind_e_conversations.jsonl")),
    ("F", EVAL_PATH.with_name("distress_blind_f.jsonl"),
     EVAL_PATH.with_name("distress_blind_f_conversations.jsonl")),
    ("P", EVAL_PATH.with_name("distress_blind_p.jsonl"), None),
    ("Q", EVAL_PATH.with_name("distress_blind_q.jsonl"), None),
    ("R", EVAL_PATH.with_name("distress_blind_r.jsonl"), None),
    ("S", EVAL_PATH.with_name("distress_blind_s.jsonl"), None),
    ("T", EVAL_PATH.with_name("distress_blind_t.jsonl"), None),
    ("U", EVAL_PATH.with_name("distress_blind_u.jsonl"), None),
)
WINDOW = 3  # as bot/handlers/safety.py: this message and the two before it
# Recorded when each set first ran, before any change it prompted (rules + backstop as
# shipped then), and before later steps. (set, when) -> (recall, false alarms, category acc.)
FIRST_RUN = {
    ("C", "first run, rules + n-gram backstop"): (0.884, 0.076, None),
    ("C", "before issue 9, rules + n-gram backstop"): (0.921, 0.094, 0.89),
    ("E", "first run, rules only"): (0.580, 0.032, 0.948),
    ("E", "first run, rules + n-gram backstop"): (0.822, 0.056, 0.889),
    ("F", "first run, rules only"): (0.500, 0.032, 0.962),
    ("F", "first run, rules + n-gram backstop"): (0.780, 0.060, 0.883),
    ("C", "before train_g and train_h, rules + backstop"): (0.974, 0.088, 0.919),
    ("E", "before train_g and train_h, rules + backstop"): (0.871, 0.051, 0.896),
    ("F", "before train_g and train_h, rules + backstop"): (0.856, 0.056, 0.898),
    ("C", "before the framing dampener and rule families of issue 9's second round"):
        (0.979, 0.124, 0.903),
    ("E", "before the framing dampener and rule families of issue 9's second round"):
        (0.932, 0.051, 0.939),
    ("F", "before the framing dampener and rule families of issue 9's second round"):
        (0.917, 0.060, 0.942),
    ("C", "before the rules' framing exclusion for mentions"): (0.979, 0.094, 0.903),
    ("E", "before the rules' framing exclusion for mentions"): (0.932, 0.051, 0.935),
    ("F", "before the rules' framing exclusion for mentions"): (0.917, 0.056, 0.946),
    ("C", "before round 4 (training sets I-M, retrained vote)"): (0.979, 0.094, 0.903),
    ("E", "before round 4 (training sets I-M, retrained vote)"): (0.932, 0.046, 0.935),
    ("F", "before round 4 (training sets I-M, retrained vote)"): (0.917, 0.051, 0.946),
    ("P", "first run, rules only"): (0.466, 0.037, 0.951),
    ("P", "first run, rules + backstop (as of a001f2e)"): (0.920, 0.046, 0.885),
    ("Q", "first run, rules only"): (0.542, 0.032, 0.972),
    ("Q", "first run, rules + backstop (as of a001f2e)"): (0.939, 0.042, 0.927),
    ("R", "first run, rules only"): (0.460, 0.028, 0.959),
    ("R", "first run, rules + backstop (round 4, as shipped)"): (0.939, 0.044, 0.915),
    ("R", "the detector before round 4 (a001f2e), run afterwards"): (0.906, 0.056, 0.907),
    ("S", "first run, rules only"): (0.390, 0.057, 0.944),
    ("S", "first run, rules + backstop (round 4, as shipped)"): (0.904, 0.063, 0.903),
    ("S", "the detector before round 4 (a001f2e), run afterwards"): (0.895, 0.075, 0.902),
    ("R", "after round 4's step 8, before round 5"): (0.939, 0.039, 0.915),
    ("S", "after round 4's step 8, before round 5"): (0.904, 0.063, 0.903),
    ("T", "first run, rules only"): (0.492, 0.059, 0.940),
    ("T", "first run, rules + backstop (round 5, as shipped; with check-ins 0.987 reached)"):
        (0.962, 0.097, 0.925),
    ("U", "first run, rules only"): (0.456, 0.065, 0.970),
    ("U", "first run, rules + backstop (round 5, as shipped; with check-ins 0.977 reached)"):
        (0.945, 0.076, 0.941),
}
MIN_RECALL = 0.98
MAX_FPR = 0.05
NONE = "none"

# What a naive detector would do; the speed ratio is measured against it in the same run.
_BASELINE = re.compile(r"\b(?:suicid\w*|kill (?:my)?self|overdos\w*|want to die|self.?harm)\b")


class EvalItem(BaseModel, frozen=True):
    text: str
    label: Category | None
    lang: str
    split: str = ""
    note: str | None = None
    severity: str | None = None  # the blind sets' expected severity ("none" when no label)
    kind: str | None = None  # the blind sets' main difficulty of the line


class Conversation(BaseModel, frozen=True):
    messages: list[str]
    labels: list[Category | None]
    lang: str


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
    # rules + learned backstop, what the bot runs (per message; p99 over the typical set)
    full_p50_ms: float
    full_p99_ms: float
    full_p99_ratio: float
    everyday_p99_ms: float
    full_long_ms: float
    full_long_ratio: float
    full_plain_ms: float  # 5,000 ordinary characters, no rule fires: the backstop runs
    # the check-in's question, asked after the crisis path about messages it let through
    check_in_p50_ms: float
    check_in_p99_ms: float
    check_in_long_ms: float


def load_eval(path: Path = EVAL_PATH) -> list[EvalItem]:
    rows = (json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line)
    return [
        EvalItem.model_validate({**row, "label": None if row["label"] == NONE else row["label"]})
        for row in rows
    ]


def load_conversations(path: Path) -> list[Conversation]:
    rows = (json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line)
    return [Conversation.model_validate(
        {**row, "labels": [None if label == NONE else label for label in row["labels"]]})
        for row in rows]


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


def measure_speed(items: Sequence[EvalItem], detector: Detector) -> Speed:
    lexicon = detector.lexicon
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
    full = [_best_time(lambda t: screen(t, detector), [text], repeats=3) for text in typical]
    naive_each = [_best_time(naive, [text], repeats=3) for text in typical]
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from scripts.everyday import everyday

    daily = [_best_time(lambda t: screen(t, detector), [t], repeats=3) for t in everyday()]
    full_long = _best_time(lambda t: screen(t, detector), [long_text], repeats=3)
    plain = _long_message([text for text in ordinary if len(text) > 1000], danger="")
    full_plain = _best_time(lambda t: screen(t, detector), [plain], repeats=3)
    quiet = [text for text in typical if screen(text, detector) is None]
    check_in = [_best_time(lambda t: concern(t, detector), [t], repeats=3) for t in quiet]
    return Speed(
        check_in_p50_ms=_percentile(check_in, 50),
        check_in_p99_ms=_percentile(check_in, 99),
        check_in_long_ms=_best_time(lambda t: concern(t, detector), [plain], repeats=3) * 1e3,
        full_plain_ms=full_plain * 1e3,
        full_p50_ms=_percentile(full, 50),
        full_p99_ms=_percentile(full, 99),
        full_p99_ratio=_percentile(full, 99) / _percentile(naive_each, 99),
        everyday_p99_ms=_percentile(daily, 99),
        full_long_ms=full_long * 1e3,
        full_long_ratio=full_long / long_naive,
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


def _long_message(texts: Sequence[str], size: int = 5000,
                  danger: str = ". I took all my pills an hour ago. ") -> str:
    """5,000 characters of the given texts with one dangerous sentence in the middle."""
    filler = " ".join(texts) * (1 + size // max(1, sum(map(len, texts))))
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


def report(items: Sequence[EvalItem], detector: Detector) -> tuple[str, bool]:
    lexicon = detector.lexicon
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
    speed = measure_speed(items, detector)
    lines += [
        "",
        "speed (ratio = our time / str.lower()+regex search on the same text, same run)",
        f"  rules + backstop, typical message: p50 {speed.full_p50_ms:.2f} ms, "
        f"p99 {speed.full_p99_ms:.2f} ms (ratio at p99 {speed.full_p99_ratio:.0f}x); "
        f"p99 over everyday messages {speed.everyday_p99_ms:.2f} ms",
        f"  rules + backstop, 5,000-char message: {speed.full_long_ms:.2f} ms   "
        f"ratio {speed.full_long_ratio:.0f}x; without the dangerous sentence (so the "
        f"backstop runs too): {speed.full_plain_ms:.2f} ms",
        f"  check-in (after the crisis path, on typical messages it let through): p50 "
        f"{speed.check_in_p50_ms:.2f} ms, p99 {speed.check_in_p99_ms:.2f} ms; 5,000 ordinary "
        f"characters {speed.check_in_long_ms:.2f} ms",
        f"  rules alone, typical message: {speed.typical_us:8.1f} us   "
        f"ratio {speed.typical_ratio:6.0f}x",
        f"  rules alone, 5,000-char message: {speed.long_ms:8.2f} ms   "
        f"ratio {speed.long_ratio:6.0f}x",
        f"  5,000 chars packed with hard negatives: {speed.dense_ms:.2f} ms   "
        f"ratio {speed.dense_ratio:.0f}x",
        f"  worst adversarial 5,000-char input: {speed.adversarial_ms:.1f} ms",
        "",
        f"targets (recall >= {MIN_RECALL}, false-positive rate <= {MAX_FPR}): "
        + ("met" if overall.meets_targets() else "MISSED"),
    ]
    return "\n".join(lines), overall.meets_targets()


def untouched_report(name: str, items: Sequence[EvalItem], detector: Detector) -> str:
    """The honest numbers: messages by an author nobody tuned or trained on."""
    rules = [detect(item.text, detector.lexicon) for item in items]
    found, times = [], []
    for item in items:
        start = time.perf_counter()
        found.append(screen(item.text, detector))
        times.append(time.perf_counter() - start)
    lines = [f"set {name}: {len(items)} messages never tuned or trained on "
             f"({sum(i.lang == 'es' for i in items)} Spanish, "
             f"{sum(i.label is None for i in items)} without distress)"]
    for title, detections in (("rules only", rules),
                              ("rules + learned backstop (what the bot runs)", found)):
        scores = score(items, [d.category if d else None for d in detections])
        lines += [f"{title}:", _table(scores), "  " + _accuracy(items, detections)]
    lines.append(f"  time per message (rules + backstop): p50 {_percentile(times, 50):.2f} ms, "
                 f"p99 {_percentile(times, 99):.2f} ms")
    checked = [not d and concern(i.text, detector) for i, d in zip(items, found, strict=True)]
    reached = sum(bool(d) or c for i, d, c in zip(items, found, checked, strict=True) if i.label)
    asked = sum(c for i, c in zip(items, checked, strict=True) if not i.label)
    lines.append(f"  with check-ins: distress reached (crisis reply or check-in) "
                 f"{_ratio(reached, sum(bool(i.label) for i in items))}; check-ins on messages "
                 f"without distress {_ratio(asked, sum(not i.label for i in items))}")
    if any(item.kind for item in items):
        missed = Counter(i.kind for i, d in zip(items, found, strict=True) if i.label and not d)
        false = Counter(i.kind for i, d in zip(items, found, strict=True) if not i.label and d)
        lines.append(f"  misses by kind: {_counts(missed)}")
        lines.append(f"  false alarms by kind: {_counts(false)}")
        unreached = Counter(i.kind for i, d, c in zip(items, found, checked, strict=True)
                            if i.label and not d and not c)
        lines.append(f"  not reached even by a check-in, by kind: {_counts(unreached)}")
    for (which, when), (recall, fpr, category) in FIRST_RUN.items():
        if which == name:
            lines.append(f"  recorded {when}: recall {recall:.3f}, false alarms {fpr:.3f}"
                         + (f", category accuracy {category:.3f}" if category else ""))
    return "\n".join(lines)


def conversation_report(name: str, conversations: Sequence[Conversation],
                        detector: Detector) -> str:
    """Each window screened message by message, as the gate does, with and without the
    earlier messages; a message counts as flagged when the bot would reply to it."""
    lines = [f"set {name} conversations: {len(conversations)} windows, "
             f"{sum(len(c.messages) for c in conversations)} messages"]
    for title, window in (("each message alone", 1), (f"last {WINDOW} messages", WINDOW)):
        tp = fn = fp = tn = caught = danger = quiet_end = neutral_end = safe_fired = 0
        for conversation in conversations:
            flags = []
            for index, text in enumerate(conversation.messages):
                earlier = conversation.messages[max(0, index - window + 1):index]
                flags.append(screen_recent(text, earlier, detector) is not None)
            for flag, label in zip(flags, conversation.labels, strict=True):
                tp, fn = tp + (flag and label is not None), fn + (not flag and label is not None)
                fp, tn = fp + (flag and label is None), tn + (not flag and label is None)
            if any(conversation.labels):
                danger += 1
                caught += any(f and label for f, label in zip(flags, conversation.labels,
                                                               strict=True))
                if conversation.labels[-1] is None:
                    neutral_end += 1
                    quiet_end += not flags[-1]
            else:
                safe_fired += any(flags)
        safe = sum(1 for c in conversations if not any(c.labels))
        lines.append(
            f"  {title}: message recall {_ratio(tp, tp + fn)}, false alarms {_ratio(fp, fp + tn)}"
            f"; danger windows caught {caught}/{danger}; safe windows with any alarm "
            f"{safe_fired}/{safe}; neutral last message quiet {quiet_end}/{neutral_end}")
    return "\n".join(lines)


def _accuracy(items: Sequence[EvalItem], detections: Sequence[Detection | None]) -> str:
    hits = [(i, d) for i, d in zip(items, detections, strict=True) if i.label and d]
    category = sum(d.category is i.label for i, d in hits)
    text = f"category accuracy {_ratio(category, len(hits))} of detected distress"
    rated = [(i, d) for i, d in hits if i.severity]
    if rated:
        severity = sum(d.severity.value == i.severity for i, d in rated)
        text += f"; severity accuracy {_ratio(severity, len(rated))}"
    return text


def _ratio(part: int, whole: int) -> str:
    return f"{part / whole:.3f} ({part}/{whole})" if whole else "n/a"


def _counts(counter: Counter) -> str:
    return ", ".join(f"{k} {v}" for k, v in counter.most_common()) or "none"


def _percentile(seconds: Sequence[float], q: float) -> float:
    ordered = sorted(seconds)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))] * 1e3


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
    parser.add_argument("--only", default="", help="just these untouched sets, e.g. P,Q")
    args = parser.parse_args(argv)
    detector = load_detector(extra=args.extra)
    if args.lexicon is not None:
        detector = detector._replace(lexicon=load_lexicon(args.lexicon, extra=args.extra))
    ok, only = True, set(filter(None, args.only.split(",")))
    if not only:
        text, ok = report(load_eval(args.eval), detector)
        print(text, flush=True)
    for name, messages, conversations in UNTOUCHED:
        if only and name not in only:
            continue
        if messages.exists():
            print()
            print(untouched_report(name, load_eval(messages), detector), flush=True)
        if conversations is not None and conversations.exists():
            print(conversation_report(name, load_conversations(conversations), detector),
                  flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
