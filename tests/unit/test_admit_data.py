from scripts.admit_data import admit, untouched
from scripts.train_distress import INPUTS, labelled


def test_drops_repeats_and_lines_close_to_untouched_messages():
    rows = [{"text": "i took all my pills", "label": "suicide", "lang": "en", "kind": "plain"},
            {"text": "I took ALL my pills!!", "label": "suicide"},
            {"text": "see you at group", "label": "none", "extra": "dropped"},
            {"text": "i want to die tonight", "label": "suicide"},
            {"text": "hello", "label": "sadness"}]
    kept, dropped = admit(rows, {"see you at group"}, ["i want to die tonite"])
    assert kept == [{"text": "i took all my pills", "label": "suicide", "lang": "en",
                     "kind": "plain"}]
    assert dropped == {"repeats a training message": 2, "close to a guarded message": 1,
                       "invalid": 1}


def test_no_training_message_is_close_to_an_untouched_one():
    """What admit_data guarantees for the blind-authored training sets."""
    from rapidfuzz import fuzz, process

    from scripts.admit_data import CUTOFF, key

    guarded = untouched()
    blind = [row for row in labelled(INPUTS) if row["group"].startswith("train_")]
    assert blind
    assert not [row["group"] for row in blind
                if process.extractOne(key(row["text"]), guarded, scorer=fuzz.ratio,
                                      score_cutoff=CUTOFF)]
