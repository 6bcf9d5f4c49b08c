"""Lesson metadata and the order lessons are offered in."""

import re
import tomllib
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

_FRONT_MATTER = re.compile(r"\{#(.*?)#\}", re.DOTALL)
_TAG = re.compile(r"<[^>]*>")
LONG = 250
INTRO = 120

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]


class LessonMeta(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Slug
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
    topic: Slug
    order: int = Field(ge=1)
    language: Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")]


def parse_front_matter(text: str) -> LessonMeta:
    """Read the TOML inside the `{# ... #}` comment that opens a lesson file."""
    body = text.lstrip()
    if not body.startswith("{#"):
        raise ValueError("front matter missing: a lesson must open with a {# ... #} comment")
    match = _FRONT_MATTER.match(body)
    if match is None:
        raise ValueError("front matter is not closed: no '#}' after the opening '{#'")
    try:
        data = tomllib.loads(match[1])
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"front matter is not valid TOML: {exc}") from None
    try:
        return LessonMeta.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(part) for part in err["loc"]) or "front matter"
        raise ValueError(f"front matter field {where}: {err['msg']}") from None


def topics(curriculum: list[LessonMeta]) -> list[LessonMeta]:
    return sorted(curriculum, key=lambda lesson: lesson.order)


def next_lesson(curriculum: list[LessonMeta], delivered: set[str]) -> LessonMeta | None:
    """The lowest-ordered lesson whose id is not in `delivered`."""
    return next((lesson for lesson in topics(curriculum) if lesson.id not in delivered), None)


def word_count(markup: str) -> int:
    return len(_TAG.sub(" ", markup).split())


def split_intro(parts: list[str]) -> tuple[list[str], list[str]]:
    """A lesson over LONG words as a short opening and the rest: the first paragraphs up to
    about INTRO words (at least the title and one more), split at a blank line so tags stay
    whole. A shorter lesson is all opening."""
    if sum(map(word_count, parts)) <= LONG:
        return parts, []
    paragraphs = parts[0].split("\n\n")
    keep, words = 0, 0
    while keep < len(paragraphs) and (keep < 2 or words + word_count(paragraphs[keep]) <= INTRO):
        words += word_count(paragraphs[keep])
        keep += 1
    rest = "\n\n".join(paragraphs[keep:])
    return ["\n\n".join(paragraphs[:keep])], ([rest] if rest else []) + parts[1:]
