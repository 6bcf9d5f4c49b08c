"""Lesson metadata and the order lessons are offered in."""

import re
import tomllib
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

_FRONT_MATTER = re.compile(r"\{#(.*?)#\}", re.DOTALL)

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
