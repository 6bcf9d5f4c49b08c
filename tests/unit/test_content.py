from datetime import UTC, datetime

import pytest
from jinja2 import UndefinedError

from bot.content import LIMIT, PART_BREAK, Content, MessageTooLong, visible_length
from bot.standin import parse_html
from tests import samples


def test_every_message_renders_in_every_language(content):
    names = content.message_names()
    assert {"welcome", "help", "sos", "error", "unreadable"} <= set(names)
    for lang in content.languages:
        for name in names:
            for context in samples.values(name, content.labels(lang)):
                for part in content.parts(name, lang, **context):
                    assert 0 < visible_length(part) <= LIMIT, name
                    parse_html(part)


def test_labels_cover_every_language(content):
    base = set(content.labels("en"))
    for lang in content.languages:
        assert set(content.labels(lang)) == base


def test_unknown_language_falls_back_to_default(content):
    assert content.lang("fr-CA") == "en"
    assert content.lang("es-MX") == "es"
    assert content.render("welcome", "de", client=None) == content.render("welcome", "en",
                                                                          client=None)


def test_values_are_escaped_for_telegram_html(tmp_path, profile):
    (tmp_path / "messages" / "en").mkdir(parents=True)
    (tmp_path / "labels").mkdir()
    (tmp_path / "labels" / "en.toml").write_text("[menu]\nx = 'y'\n")
    (tmp_path / "messages" / "en" / "hello.html").write_text("Hi <b>{{ name }}</b>")
    content = Content(profile, root=tmp_path)
    text = content.render("hello", name='<script>&"x"')
    assert text == "Hi <b>&lt;script&gt;&amp;&#34;x&#34;</b>"


def test_strict_undefined(tmp_path, profile):
    (tmp_path / "messages" / "en").mkdir(parents=True)
    (tmp_path / "messages" / "en" / "hello.html").write_text("Hi {{ nobody }}")
    with pytest.raises(UndefinedError):
        Content(profile, root=tmp_path).render("hello")


def test_long_message_splits_at_author_breaks_or_is_refused(tmp_path, profile):
    (tmp_path / "messages" / "en").mkdir(parents=True)
    body = "<b>" + "a" * 4000 + "</b>"
    (tmp_path / "messages" / "en" / "split.html").write_text(f"{body}\n{PART_BREAK}\n{body}")
    (tmp_path / "messages" / "en" / "huge.html").write_text("a" * (LIMIT + 1))
    content = Content(profile, root=tmp_path)
    assert len(content.parts("split")) == 2
    with pytest.raises(MessageTooLong):
        content.render("split")
    with pytest.raises(MessageTooLong):
        content.parts("huge")


def test_visible_length_counts_like_telegram():
    assert visible_length("<b>a&amp;b</b>") == 3
    assert visible_length("😀") == 2


def test_a_clinic_overlay_overrides_packaged_files(tmp_path, profile, content):
    (tmp_path / "messages" / "en").mkdir(parents=True)
    (tmp_path / "messages" / "en" / "welcome.html").write_text("Hello from {{ clinic.name }}")
    (tmp_path / "messages" / "en" / "extra.html").write_text("Only here")
    (tmp_path / "labels").mkdir()
    (tmp_path / "labels" / "es.toml").write_text("[menu]\nconsult = 'Pedir cita'\n")
    clinic = Content(profile, overlay=tmp_path)
    assert clinic.render("welcome") == f"Hello from {profile.clinic.name}"
    assert clinic.render("welcome", "es", client=None) == content.render("welcome", "es",
                                                                        client=None)
    assert clinic.render("help", client=False) == content.render("help", client=False)
    assert set(clinic.message_names()) == {*content.message_names(), "extra"}
    assert clinic.label("menu.consult", "es") == "Pedir cita"
    assert clinic.labels("es") == content.labels("es") | {"menu.consult": "Pedir cita"}
    assert clinic.label("menu.consult", "en") == content.label("menu.consult", "en")


def test_content_dir_reaches_the_application(tmp_path, monkeypatch):
    from bot.app import build_application
    from bot.config import load_settings

    (tmp_path / "messages" / "en").mkdir(parents=True)
    (tmp_path / "messages" / "en" / "welcome.html").write_text("Our own welcome")
    monkeypatch.setenv("CONTENT_DIR", str(tmp_path))
    services = build_application(load_settings(), token="1:x").bot_data["services"]
    assert services.content.render("welcome") == "Our own welcome"


@pytest.mark.parametrize(("start", "minutes", "span"), [
    (datetime(2026, 11, 28, 0, 0, tzinfo=UTC), 180, "Fri Nov 27, 6:00–9:00 PM CST"),
    (datetime(2026, 11, 27, 17, 30, tzinfo=UTC), 60, "Fri Nov 27, 11:30 AM–12:30 PM CST"),
    (datetime(2026, 11, 28, 5, 30, tzinfo=UTC), 60,
     "Fri Nov 27, 11:30 PM CST – Sat Nov 28, 12:30 AM CST"),
])
def test_a_session_reads_as_start_to_end(content, start, minutes, span):
    assert content.local_span(start, minutes) == span


@pytest.mark.parametrize(("start", "minutes", "span"), [
    (datetime(2026, 11, 28, 0, 0, tzinfo=UTC), 180, "vie 27 nov, 6:00–9:00 p. m. CST"),
    (datetime(2026, 11, 27, 17, 30, tzinfo=UTC), 60, "vie 27 nov, 11:30 a. m.–12:30 p. m. CST"),
    (datetime(2026, 11, 28, 5, 30, tzinfo=UTC), 60,
     "vie 27 nov, 11:30 p. m. CST – sáb 28 nov, 12:30 a. m. CST"),
])
def test_a_session_reads_in_spanish_for_spanish_speakers(content, start, minutes, span):
    assert content.local_span(start, minutes, "es") == span


def test_templates_show_dates_in_their_own_language(content):
    moment = datetime(2027, 1, 4, 15, 5, tzinfo=UTC)
    template = content.env.from_string("{{ when | local }}")
    assert template.render(when=moment, lang="es") == "lun 4 ene, 9:05 a. m. CST"
    assert template.render(when=moment, lang="en") == "Mon Jan 4, 9:05 AM CST"
    assert content.local_time(moment) == "Mon Jan 4, 9:05 AM CST"


def test_possessive_and_first_capital(content):
    render = content.env.from_string("{{ a | possessive }}, {{ b | possessive }}, "
                                     "{{ c | capfirst }}")
    assert render.render(a="Lakeshore Recovery Partners", b="Maya", c="tyler mcKay") == (
        "Lakeshore Recovery Partners&#39;, Maya&#39;s, Tyler mcKay")
