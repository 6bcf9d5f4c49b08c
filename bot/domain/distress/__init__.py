"""Distress detector: one message in, the most urgent risk category (or None) out.

`detect` runs the lexicon's rules; `screen` adds the learned backstop behind them. Pure
domain code: no I/O besides reading the lexicon and model files when loading.
"""

from bot.domain.distress.detector import detect
from bot.domain.distress.lexicon import Lexicon, load_lexicon
from bot.domain.distress.model import Category, Detection, Severity
from bot.domain.distress.screen import Detector, concern, load_detector, screen, screen_recent

__all__ = ["Category", "Detection", "Detector", "Lexicon", "Severity", "concern", "detect",
           "load_detector", "load_lexicon", "screen", "screen_recent"]
