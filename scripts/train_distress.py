"""Retrain the learned backstop from the labelled evaluation set.

    .venv/bin/python scripts/train_distress.py [--threshold 0.15]

Writes content/safety/model.json. Run it after changing tests/data/distress_eval.jsonl;
a unit test fails while the model is older than the data.
"""

import argparse
import hashlib
import json
from pathlib import Path

from bot.domain.distress.learned import MODEL, train
from scripts.everyday import everyday

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "distress_eval.jsonl"


def fingerprint(path: Path = DATA) -> str:
    """The labelled set and the everyday messages the model was trained on."""
    digest = hashlib.sha256(path.read_bytes())
    digest.update("\n".join(everyday()).encode())
    return digest.hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--threshold", type=float, default=0.2,
                        help="the highest P(no distress) at which the model still fires")
    args = parser.parse_args()
    rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line]
    labelled = [(row["text"], row["label"]) for row in rows]
    labelled += [(text, "none") for text in everyday()]
    model = train(labelled, threshold=args.threshold, trained_on=fingerprint())
    MODEL.write_text(model.model_dump_json(), encoding="utf-8")
    print(f"wrote {MODEL} ({len(model.weights)} features, threshold {model.threshold})")


if __name__ == "__main__":
    main()
