"""Rules first; the learned backstop only when the rules found nothing.

The backstop is two models voting: the hashed n-gram model (learned.py, spelling and
phrasing it has seen) and the semantic head over multilingual sentence embeddings
(semantic.py, meaning in words it has not seen). Their probabilities are averaged, the
n-gram model weighing the head's `share`. The encoder is the costly half, so it is asked
only about parts of a message where its vote can still tip the average below the
threshold, at most MAX_ASKED of them, and never about a part longer than LONG characters
(those keep the n-gram model's own threshold).
"""

from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from bot.domain.distress import semantic
from bot.domain.distress.detector import detect, escalate, framed
from bot.domain.distress.learned import LABELS, MODEL, Model, load_model, parts, probabilities
from bot.domain.distress.lexicon import Lexicon, load_lexicon
from bot.domain.distress.model import DEFAULT_SEVERITY, Category, Detection

MAX_ASKED = 2
LONG = 600
# A message framed as talk about the topic or a settled past (detector.framed) fires the
# backstop only below this share of its threshold; chosen by scripts/tune_distress.py.
DAMPEN = 0.25
# A vote below this, though not below the head's threshold, asks the person whether they are
# safe (a check-in) instead of sending the crisis reply; chosen on E, F, P and Q (docs/safety.md).
CHECK_IN = 0.6


class Detector(NamedTuple):
    lexicon: Lexicon
    model: Model | None
    head: semantic.Head | None = None


def load_detector(extra: Path | None = None, model: Path | None = MODEL,
                  threshold: float | None = None,
                  head: Path | None = semantic.MODEL) -> Detector:
    """The shipped lexicon plus a clinic's extra file; `model=None` turns the backstop off,
    `head=None` leaves only its n-gram half, and `threshold` overrides the most
    P(no distress) at which the backstop still fires."""
    learned = load_model(model) if model else None
    vote = semantic.load_head(head) if learned is not None and head else None
    if threshold is not None:
        if vote is not None:
            vote = vote.model_copy(update={"threshold": threshold})
        elif learned is not None:
            learned = learned.model_copy(update={"threshold": threshold})
    if vote is not None:
        semantic.encoder()
    return Detector(load_lexicon(extra=extra), learned, vote)


def screen(text: str, detector: Detector) -> Detection | None:
    found = detect(text, detector.lexicon)
    if found is None and detector.model is not None:
        found = backstop(text, detector)
    return found


def backstop(text: str, detector: Detector) -> Detection | None:
    """The learned models' verdict on a message the rules let through."""
    model, head = detector.model, detector.head
    if model is None:
        return None
    pieces = list(parts(text[:5000]))
    hashed = [probabilities(piece, model) for piece in pieces]
    strict = DAMPEN if framed(text, detector.lexicon) else 1.0
    verdicts = [p for piece, p in zip(pieces, hashed, strict=True)
                if (head is None or len(piece) > LONG) and p[0] < model.threshold * strict]
    if head is not None:
        verdicts += _voted(pieces, hashed, head, head.threshold * strict)
    if not verdicts:
        return None
    best = min(verdicts, key=lambda p: p[0])
    category = Category(LABELS[max(range(1, len(LABELS)), key=lambda i: best[i])])
    severity, rule = escalate(category, DEFAULT_SEVERITY[category], text, detector.lexicon)
    return Detection(category=category, severity=severity,
                     rule=rule or f"learned.{category.value}")


def concern(text: str, detector: Detector) -> bool:
    """Does the backstop lean toward distress, its vote below CHECK_IN? Asked only about a
    message `screen` let through. It asks the encoder about most messages of three words or
    more (about 2 ms each), so the bot asks it only once the crisis path is done."""
    head = detector.head
    if head is None or head.threshold >= CHECK_IN:
        return False
    wider = detector._replace(head=head.model_copy(update={"threshold": CHECK_IN}))
    return backstop(text, wider) is not None


def _voted(pieces: Sequence[str], hashed: Sequence[Sequence[float]],
           head: semantic.Head, threshold: float) -> list[list[float]]:
    """Votes below `threshold`; the encoder is asked only where it can matter: its
    P(none) is at least 0, so the vote stays above the threshold when the n-gram model's
    P(none) times its share already reaches it."""
    asked = sorted((i for i, piece in enumerate(pieces)
                    if len(piece) <= LONG and hashed[i][0] * head.share < threshold),
                   key=lambda i: hashed[i][0])[:MAX_ASKED]
    if not asked:
        return []
    votes = semantic.probabilities(semantic.embed([pieces[i] for i in asked]), head)
    voted = [vote(hashed[i], row, head.share) for i, row in zip(asked, votes.tolist(),
                                                                   strict=True)]
    return [p for p in voted if p[0] < threshold]


def vote(hashed: Sequence[float], meaning: Sequence[float], share: float) -> list[float]:
    """The two models' probabilities, weighted: `share` for the n-gram model."""
    return [share * a + (1 - share) * b for a, b in zip(hashed, meaning, strict=True)]


# A later message joins the earlier ones only when it leans toward distress on its own.
SUGGESTIVE = 0.9


def screen_recent(text: str, earlier: Sequence[str], detector: Detector) -> Detection | None:
    """Screen `text` together with the same person's `earlier` messages (oldest first).

    Some danger shows only across messages: "I can't do this anymore", then "I have the
    pills here". The window fires when the message alone does not, it leans toward
    distress by itself, and the messages together fire while the earlier ones together
    did not. So a neutral message after a disclosure never fires again, and neither does
    a later message that adds nothing. The caller keeps `earlier` (in memory only).
    """
    found = screen(text, detector)
    if found is not None or not earlier or not _suggestive(text, detector):
        return found
    together = screen("\n".join([*earlier, text]), detector)
    if together is None or screen("\n".join(earlier), detector) is not None:
        return None
    return together.model_copy(update={"rule": f"window.{together.rule}"})


def _suggestive(text: str, detector: Detector) -> bool:
    if detector.model is None:
        return True
    return min(probabilities(piece, detector.model)[0] for piece in parts(text[:5000])) \
        < SUGGESTIVE
