"""Admit a set written by a blind author, without reading it.

    .venv/bin/python -m scripts.admit_data RAW.jsonl NAME [--untouched]

Writes tests/data/distress_train_NAME.jsonl from RAW, keeping text, label, lang and kind.
A line is dropped, unread, when it repeats a training message or comes within a fuzzy
ratio of CUTOFF of any message in an untouched set (the bench's, and their conversations),
so no untouched wording is ever trained on. With --untouched it writes an untouched set,
tests/data/distress_blind_NAME.jsonl (severity kept too), dropping the lines within
CUTOFF of any training message instead, so the set measures wording nobody trained on.
Prints counts only, never a message.
"""

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

from rapidfuzz import fuzz, process

from bench.distress_eval import UNTOUCHED
from bot.domain.distress.learned import LABELS, fold
from scripts.train_distress import DATA, INPUTS, labelled

CUTOFF = 70
FIELDS = ("text", "label", "severity", "lang", "kind")


def key(text: str) -> str:
    """The words of a text, folded: punctuation, case and accents do not make it new."""
    return " ".join(re.findall(r"[a-z0-9ñ']+", fold(text)))


def untouched() -> list[str]:
    texts = []
    for _, *paths in UNTOUCHED:
        for path in filter(None, paths):
            for row in map(json.loads, filter(None, path.read_text(encoding="utf-8").splitlines())):
                texts.extend(row.get("messages") or [row["text"]])
    return [key(text) for text in texts]


def admit(rows: list[dict], seen: set[str], guarded: list[str]) -> tuple[list[dict], Counter]:
    kept, dropped = [], Counter[str]()
    for row in rows:
        words = key(row["text"])
        if row["label"] not in LABELS or not words:
            dropped["invalid"] += 1
        elif words in seen:
            dropped["repeats a training message"] += 1
        elif process.extractOne(words, guarded, scorer=fuzz.ratio, score_cutoff=CUTOFF):
            dropped["close to a guarded message"] += 1
        else:
            seen.add(words)
            kept.append({field: row[field] for field in FIELDS if field in row})
    return kept, dropped


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("raw", type=Path)
    parser.add_argument("name")
    parser.add_argument("--untouched", action="store_true", help="admit an untouched set")
    args = parser.parse_args()
    rows = [json.loads(line) for line in args.raw.read_text(encoding="utf-8").splitlines() if line]
    if args.untouched:
        target = DATA.with_name(f"distress_blind_{args.name}.jsonl")
        kept, dropped = admit(rows, set(), [key(row["text"]) for row in labelled(INPUTS)])
    else:
        target = DATA.with_name(f"distress_train_{args.name}.jsonl")
        others = tuple(p for p in DATA.parent.glob("distress_train*.jsonl") if p != target)
        kept, dropped = admit(rows, {key(row["text"]) for row in labelled((DATA, *others))},
                              untouched())
    target.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in kept),
                      encoding="utf-8")
    print(f"{target.name}: kept {len(kept)} of {len(rows)}; dropped {dict(dropped)}; "
          f"labels {dict(Counter(row['label'] for row in kept))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
