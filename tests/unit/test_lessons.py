import re
from html import escape
from pathlib import Path

import pytest

from bot.content import CONTENT, LIMIT, Content, visible_length
from bot.domain.lessons import (
    INTRO,
    LONG,
    LessonMeta,
    next_lesson,
    parse_front_matter,
    split_intro,
    topics,
    word_count,
)
from bot.lessons import LessonError, Library
from bot.standin import parse_html

TOPICS = [
    "iop", "cravings", "halt", "relapse", "trauma", "co-occurring", "medication", "family",
    "sleep-stress", "overdose", "support-network", "motivation",
]  # fmt: skip
SMALL_STEP = {"en": "<b>One small step:</b>", "es": "<b>Un pequeño paso:</b>"}
TELEGRAM_TAGS = {"b", "i", "u", "s", "a", "code", "blockquote"}
WORD = re.compile(r"\w+(?:[-'’]\w+)*")
LESSON_FILES = sorted((CONTENT / "lessons").glob("*/*.html"))


@pytest.fixture(scope="module")
def library() -> Library:
    return Library()


def check_lesson(parts: list[str], meta: LessonMeta) -> None:
    assert len(parts) in (1, 2)
    words = 0
    for part in parts:
        assert visible_length(part) <= LIMIT
        text, _ = parse_html(part)
        assert set(re.findall(r"</?([A-Za-z][\w-]*)", part)) <= TELEGRAM_TAGS
        assert not re.search(r"\{[{%#]|\bNone\b", text)
        words += len(WORD.findall(text))
    assert 250 <= words <= 600
    assert parts[0].startswith(f"<b>{escape(meta.title, quote=False)}</b>\n")
    marker = SMALL_STEP[meta.language]
    assert sum(part.count(marker) for part in parts) == 1
    assert parts[-1].split("\n\n")[-1].startswith(marker)


def test_every_lesson_renders_in_every_language(content: Content, library: Library) -> None:
    for lang in content.languages:
        for meta in library.curriculum(lang):
            assert meta.language == lang
            check_lesson(library.render(content, meta.id, lang), meta)


def test_lessons_render_without_optional_contacts(profile, library: Library) -> None:
    support = profile.support.model_copy(
        update={"never_use_alone_line": None, "domestic_violence_line": None}
    )
    content = Content(profile.model_copy(update={"support": support}))
    for lang in content.languages:
        for meta in library.curriculum(lang):
            check_lesson(library.render(content, meta.id, lang), meta)


def test_each_language_covers_the_curriculum_in_order(content: Content,
                                                      library: Library) -> None:
    for lang in content.languages:
        curriculum = library.curriculum(lang)
        assert len(curriculum) >= 12
        assert [meta.topic for meta in curriculum[:12]] == TOPICS
        assert [meta.order for meta in curriculum[:12]] == list(range(1, 13))


@pytest.mark.parametrize("path", LESSON_FILES, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_front_matter_matches_the_file(path: Path) -> None:
    meta = parse_front_matter(path.read_text(encoding="utf-8"))
    assert meta.language == path.parent.name
    assert path.name.startswith(f"{meta.order:02d}-")


@pytest.mark.parametrize("path", LESSON_FILES, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_clinic_facts_come_from_the_profile(path: Path, profile) -> None:
    source = path.read_text(encoding="utf-8")
    facts = [profile.clinic.name, profile.clinic.phone, profile.clinic.hours,
             profile.support.emergency, profile.support.lifeline, profile.support.on_call_phone,
             profile.support.samhsa_helpline, profile.support.crisis_text_number,
             profile.support.recovery_app]
    assert [fact for fact in facts if fact in source] == []


def test_lookup_and_language_fallback(content: Content, library: Library) -> None:
    assert library.curriculum("fr") == library.curriculum("en") == library.curriculum(None)
    assert library.get("cravings", "es").language == "es"
    assert library.get("cravings", "fr") == library.get("cravings", "en")
    assert library.get("no-such-lesson", "en") is None
    assert library.render(content, "halt", "fr") == library.render(content, "halt", "en")
    assert library.render(content, "halt", "es") != library.render(content, "halt", "en")
    with pytest.raises(KeyError):
        library.render(content, "no-such-lesson", "en")


def front(lesson_id: str = "cravings", order: int = 2, language: str = "en",
          title: str = "Riding out a craving", topic: str = "cravings") -> str:
    return (f'{{#\nid = "{lesson_id}"\ntitle = "{title}"\ntopic = "{topic}"\n'
            f'order = {order}\nlanguage = "{language}"\n#}}\n<b>{title}</b>\n')


def test_parse_front_matter() -> None:
    assert parse_front_matter("\n\n" + front()) == LessonMeta(
        id="cravings", title="Riding out a craving", topic="cravings", order=2, language="en"
    )


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("<b>Riding out a craving</b>", "missing"),
        ("<b>Hi</b>\n" + front(), "missing"),
        ('{#\nid = "cravings"\n', "not closed"),
        ("{#\nid = cravings\n#}", "not valid TOML"),
        (front().replace('order = 2\n', ""), "order"),
        (front(order=0), "order"),
        (front(lesson_id="Riding Out"), "id"),
        (front(language="eng"), "language"),
        (front(title=""), "title"),
        (front(title="x" * 81), "title"),
        (front().replace("#}", 'extra = "x"\n#}'), "extra"),
    ],
)
def test_parse_front_matter_names_the_problem(text: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        parse_front_matter(text)


def meta(lesson_id: str, order: int) -> LessonMeta:
    return LessonMeta(id=lesson_id, title=lesson_id, topic=lesson_id, order=order, language="en")


CURRICULUM = [meta("halt", 3), meta("iop", 1), meta("cravings", 2)]


@pytest.mark.parametrize(
    ("delivered", "expected"),
    [
        (set(), "iop"),
        ({"iop"}, "cravings"),
        ({"cravings"}, "iop"),
        ({"iop", "cravings"}, "halt"),
        ({"iop", "halt", "something-retired"}, "cravings"),
        ({"iop", "cravings", "halt"}, None),
    ],
)
def test_next_lesson_is_the_lowest_order_not_delivered(delivered: set[str],
                                                       expected: str | None) -> None:
    found = next_lesson(CURRICULUM, delivered)
    assert (found.id if found else None) == expected


def test_next_lesson_never_repeats(library: Library) -> None:
    delivered: list[str] = []
    while (lesson := next_lesson(library.curriculum("en"), set(delivered))) is not None:
        delivered.append(lesson.id)
    assert delivered == [lesson.id for lesson in library.curriculum("en")]
    assert len(set(delivered)) == len(delivered)


def test_topics_are_in_order() -> None:
    assert [lesson.id for lesson in topics(CURRICULUM)] == ["iop", "cravings", "halt"]


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / "lessons" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


GOOD = {
    "en/01-iop.html": front("iop", 1, "en", "IOP", "iop"),
    "en/02-cravings.html": front("cravings", 2, "en"),
    "es/01-iop.html": front("iop", 1, "es", "IOP", "iop"),
    "es/02-cravings.html": front("cravings", 2, "es", "Antojos"),
}


def test_a_consistent_library_loads(tmp_path: Path) -> None:
    library = Library(write(tmp_path, GOOD))
    assert [lesson.id for lesson in library.curriculum("es")] == ["iop", "cravings"]
    assert library.get("cravings", "es").title == "Antojos"


def test_the_default_language_is_a_parameter(tmp_path: Path) -> None:
    files = {name: text for name, text in GOOD.items() if name.startswith("es/")}
    library = Library(write(tmp_path, files), default="es")
    assert library.curriculum("en") == library.curriculum("es")


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"es/02-cravings.html": front("cravings", 2, "en")}, "language is 'en'"),
        ({"en/03-again.html": front("cravings", 3, "en")}, "used twice"),
        ({"en/03-halt.html": front("halt", 2, "en", "HALT", "halt")}, "already taken"),
        ({"es/02-cravings.html": None}, "lacks cravings"),
        ({"es/03-halt.html": front("halt", 3, "es", "HALT", "halt")}, "has halt"),
        ({"es/02-cravings.html": None, "es/02-antojos.html": front("cravings", 2, "es")},
         "same file name"),
        ({"es/02-cravings.html": front("cravings", 3, "es")}, "order 3"),
        ({"en/02-cravings.html": "<b>no front matter</b>"}, "02-cravings.html: front matter"),
    ],
)
def test_an_inconsistent_library_is_refused(tmp_path: Path, change: dict, problem: str) -> None:
    files = {name: text for name, text in (GOOD | change).items() if text is not None}
    with pytest.raises(LessonError, match=problem):
        Library(write(tmp_path, files))


def test_a_library_without_the_default_language_is_refused(tmp_path: Path) -> None:
    files = {name: text for name, text in GOOD.items() if name.startswith("es/")}
    with pytest.raises(LessonError, match="default language"):
        Library(write(tmp_path, files))


def test_an_overlay_replaces_and_adds_lessons(tmp_path: Path) -> None:
    base = write(tmp_path / "base", GOOD)
    overlay = write(tmp_path / "clinic", {
        "en/02-cravings.html": front("cravings", 2, "en", "Urges"),
        "en/03-halt.html": front("halt", 3, "en", "HALT", "halt"),
        "es/03-halt.html": front("halt", 3, "es", "HALT", "halt"),
    })
    library = Library(base, overlay=overlay)
    assert [lesson.id for lesson in library.curriculum("en")] == ["iop", "cravings", "halt"]
    assert library.get("cravings", "en").title == "Urges"
    assert library.get("cravings", "es").title == "Antojos"


def test_a_short_lesson_is_all_opening() -> None:
    parts = ["<b>Title</b>\n\n" + "word " * (LONG - 1)]
    assert split_intro(parts) == (parts, [])


def test_a_long_lesson_opens_with_its_first_paragraphs() -> None:
    title, first, second = "<b>Title here</b>", "one " * 60, "<b>Two</b>\n" + "two " * 70
    rest = "three " * 200
    opening, more = split_intro([f"{title}\n\n{first}\n\n{second}\n\n{rest}", "last part"])
    assert opening == [f"{title}\n\n{first}"]
    assert more == [f"{second}\n\n{rest}", "last part"]


def test_the_opening_has_the_title_and_one_paragraph_however_long() -> None:
    opening, more = split_intro(["<b>T</b>\n\n" + "w " * 300])
    assert opening == ["<b>T</b>\n\n" + "w " * 300] and more == []
    opening, more = split_intro(["<b>T</b>\n\n" + "w " * 200, "x " * 200])
    assert len(opening) == 1 and more == ["x " * 200]


def test_every_long_lesson_gets_a_short_valid_opening(content: Content,
                                                      library: Library) -> None:
    for lang in content.languages:
        for meta in library.curriculum(lang):
            opening, rest = split_intro(library.render(content, meta.id, lang))
            assert rest and word_count(opening[0]) <= INTRO
            assert opening[0].startswith(f"<b>{escape(meta.title, quote=False)}</b>\n")
            for part in opening + rest:
                parse_html(part)
