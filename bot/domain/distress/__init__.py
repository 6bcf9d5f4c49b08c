"""Distress detector: one message in, the most urgent risk category (or None) out.

Pure domain code: no I/O besides reading the lexicon file in load_lexicon().
"""

from bot.domain.distress.detector import detect
from bot.domain.distress.lexicon import Lexicon, load_lexicon
from bot.domain.distress.model import Category, Detection, Severity

__all__ = ["Category", "Detection", "Lexicon", "Severity", "detect", "load_lexicon"]
