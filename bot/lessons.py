"""The psycho-education library: lessons under content/lessons/<lang>/, checked at load."""

from pathlib import Path

from bot.content import CONTENT, Content
from bot.domain.lessons import LessonMeta, parse_front_matter, topics


class LessonError(ValueError):
    """A lesson file, or the library as a whole, is not fit to serve."""


class Library:
    """Lessons under `root`; a file of the same name under `overlay` replaces one, and a new
    file there adds one."""

    def __init__(self, root: Path = CONTENT, default: str = "en",
                 overlay: Path | None = None) -> None:
        self.default = default
        self._lessons: dict[str, dict[str, LessonMeta]] = {}
        self._files: dict[str, str] = {}
        found: dict[str, dict[str, Path]] = {}
        for base in [root, overlay] if overlay else [root]:
            for path in sorted((base / "lessons").glob("*/*.html")):
                found.setdefault(path.parent.name, {})[path.name] = path
        for lang in sorted(found, key=lambda name: (name != default, name)):
            self._load(lang, sorted(found[lang].values(), key=lambda path: path.name))
        if default not in self._lessons:
            raise LessonError(f"no lessons for the default language in {root / 'lessons'}")
        self._check_same_lessons()

    def curriculum(self, lang: str | None = None) -> list[LessonMeta]:
        return topics(list(self._for(lang).values()))

    def get(self, lesson_id: str, lang: str | None = None) -> LessonMeta | None:
        return self._for(lang).get(lesson_id)

    def render(self, content: Content, lesson_id: str, lang: str | None = None) -> list[str]:
        """The lesson's messages, in `lang` when the clinic offers it."""
        if lesson_id not in self._files:
            raise KeyError(f"no lesson {lesson_id!r}")
        return content.render_path(f"lessons/{{}}/{self._files[lesson_id]}", lang)

    def _for(self, lang: str | None) -> dict[str, LessonMeta]:
        return self._lessons.get(lang or self.default) or self._lessons[self.default]

    def _load(self, lang: str, paths: list[Path]) -> None:
        lessons: dict[str, LessonMeta] = {}
        orders: dict[int, str] = {}
        for path in paths:
            try:
                meta = parse_front_matter(path.read_text(encoding="utf-8"))
            except ValueError as exc:
                raise LessonError(f"{path}: {exc}") from None
            if meta.language != lang:
                raise LessonError(f"{path}: language is {meta.language!r}, "
                                  f"but the file is in {lang}/")
            if meta.id in lessons:
                raise LessonError(f"{path}: id {meta.id!r} is used twice in {lang}/")
            if meta.order in orders:
                raise LessonError(f"{path}: order {meta.order} is already taken by "
                                  f"{orders[meta.order]!r} in {lang}/")
            if self._files.setdefault(meta.id, path.name) != path.name:
                raise LessonError(f"{path}: lesson {meta.id!r} lives in "
                                  f"{self._files[meta.id]} in the default language; "
                                  "use the same file name")
            lessons[meta.id] = meta
            orders[meta.order] = meta.id
        if lessons:
            self._lessons[lang] = lessons

    def _check_same_lessons(self) -> None:
        base = self._lessons[self.default]
        for lang, lessons in self._lessons.items():
            if missing := sorted(base.keys() - lessons.keys()):
                raise LessonError(f"lessons/{lang}/ lacks {', '.join(missing)}")
            if extra := sorted(lessons.keys() - base.keys()):
                raise LessonError(f"lessons/{lang}/ has {', '.join(extra)}, "
                                  f"which lessons/{self.default}/ does not")
            for lesson_id, meta in lessons.items():
                if meta.order != base[lesson_id].order:
                    raise LessonError(f"lessons/{lang}/: {lesson_id!r} has order {meta.order}, "
                                      f"{base[lesson_id].order} in lessons/{self.default}/")
