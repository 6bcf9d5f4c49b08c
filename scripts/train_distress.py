"""Retrain the learned backstop from the labelled evaluation set.

    .venv/bin/python -m scripts.train_distress [--check]

Writes content/safety/model.json (hashed n-grams) and content/safety/semantic.json (the
head over sentence embeddings, with the vote's settings). Run it after changing the data; a
unit test fails while either file is older than the data, and another rebuilds both and
compares them byte for byte. `--check` rebuilds without writing and exits 1 on a change.

Training uses only the development set (tests/data/distress_eval.jsonl: splits dev,
holdout, blind_a, blind_b, blind_d), the training-only tests/data/distress_train*.jsonl and
the everyday messages; the blind evaluation sets (C, E, F, P, Q, R, S, T, U) are never read here.
"""

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import NamedTuple

from bot.domain.distress import semantic
from bot.domain.distress.learned import LABELS, MODEL, train
from scripts.everyday import everyday

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "distress_eval.jsonl"
# Training only, and the rules are not held to them: messages written for the backstop by
# the developer (train) and by authors who never saw the rules (train_g to train_w).
EXTRA = DATA.with_name("distress_train.jsonl")
BLIND = "ghijklmnovw"
INPUTS = (DATA, EXTRA, *(DATA.with_name(f"distress_train_{n}.jsonl") for n in BLIND))
# The n-gram model alone, for parts longer than screen.LONG (the encoder is not asked there):
# at 0.2, its old value, ordinary plans ("i'm going to my mom's house this weekend") came
# within it once trained on train_g to train_m.
THRESHOLD = 0.1
# The vote. Leaving out held-out training authors (scripts/tune_distress.py) overstates false
# alarms: in round 4 its choice (share 0.7, threshold 0.175) cost 2.5-5 points of recall on
# E, F, P and Q against the vote before, with their false alarms far inside the target. So
# the vote is chosen on E, F, P and Q (validation sets since round 4) by a rule fixed before
# the sweep: the best mean recall with false alarms within 0.05 on each, of shares 0.5-0.7
# and thresholds 0.25-0.45, that keeps a typical message within 2 ms at p99. Round 5 (train_n,
# _o, _v, _w): share 0.6, threshold 0.325, recall 0.928 / 0.936 / 0.951 / 0.958, false alarms
# 0.046 / 0.037 / 0.046 / 0.042 (at 0.35, round 4's vote, P's false alarms were 0.051).
# T and U, written after it was fixed, measure it (docs/safety.md).
VOTE_THRESHOLD = 0.325
SHARE = 0.6  # the n-gram model's weight in the vote
HIDDEN = 32  # the head's hidden units (0: logistic regression on the embedding)


class HeadSpec(NamedTuple):
    """How the semantic head is trained (see semantic.train)."""

    hidden: int
    steps: int
    rate: float
    l2: float

    @classmethod
    def of(cls, hidden: int) -> "HeadSpec":
        return cls(hidden, 3000, 0.5, 1e-5) if not hidden else cls(hidden, 1500, 0.5, 1e-3)


def fingerprint(paths: tuple[Path, ...] = INPUTS) -> str:
    """The labelled sets and the everyday messages the model was trained on."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.read_bytes())
    digest.update("\n".join(everyday()).encode())
    return digest.hexdigest()


def labelled(paths: tuple[Path, ...] = INPUTS) -> list[dict]:
    """Every training message as text, label and group (its split, its file, or everyday)."""
    rows = [{**row, "group": row.get("split") or path.stem.removeprefix("distress_")}
            for path in paths
            for row in map(json.loads, filter(None, path.read_text(encoding="utf-8").splitlines()))]
    return rows + [{"text": text, "label": "none", "group": "everyday"} for text in everyday()]


def build(paths: tuple[Path, ...] = INPUTS) -> tuple[str, str]:
    """Both model files as text, from the data alone."""
    rows, trained_on = labelled(paths), fingerprint(paths)
    hashed = train([(row["text"], row["label"]) for row in rows], threshold=THRESHOLD,
                   trained_on=trained_on)
    vectors = semantic.embed([row["text"] for row in rows])
    head = semantic.train(vectors, [LABELS.index(row["label"]) for row in rows], len(LABELS),
                          threshold=VOTE_THRESHOLD, share=SHARE, trained_on=trained_on,
                          **HeadSpec.of(HIDDEN)._asdict())
    return hashed.model_dump_json(), head.model_dump_json()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    args = parser.parse_args()
    stale = []
    for path, text in zip((MODEL, semantic.MODEL), build(), strict=True):
        if path.exists() and path.read_text(encoding="utf-8") == text:
            print(f"{path.name}: unchanged")
            continue
        stale.append(path.name)
        if not args.check:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path} ({len(text)} bytes)")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
