import warnings
from datetime import timedelta

from telegram.error import RetryAfter
from telegram.warnings import PTBDeprecationWarning


def retry_seconds(exc: RetryAfter) -> float:
    """PTB 22 warns that retry_after will become a timedelta; accept either."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        pause = exc.retry_after
    return pause.total_seconds() if isinstance(pause, timedelta) else float(pause)
