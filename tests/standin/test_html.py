import pytest

from bot.standin import HTMLError, parse_html


def entity(kind: str, offset: int, length: int, **extra: str) -> dict:
    return {"type": kind, "offset": offset, "length": length, **extra}


@pytest.mark.parametrize(
    ("html", "text", "entities"),
    [
        ("plain", "plain", []),
        ("<b>b</b><strong>s</strong>", "bs", [entity("bold", 0, 1), entity("bold", 1, 1)]),
        ("<i>i</i><em>e</em>", "ie", [entity("italic", 0, 1), entity("italic", 1, 1)]),
        ("<u>u</u><ins>n</ins>", "un", [entity("underline", 0, 1), entity("underline", 1, 1)]),
        (
            "<s>s</s><strike>t</strike><del>d</del>",
            "std",
            [entity("strikethrough", i, 1) for i in range(3)],
        ),
        (
            '<span class="tg-spoiler">a</span><tg-spoiler>b</tg-spoiler>',
            "ab",
            [entity("spoiler", 0, 1), entity("spoiler", 1, 1)],
        ),
        (
            '<a href="https://x.org/?a=1&b=2">x</a>',
            "x",
            [entity("text_link", 0, 1, url="https://x.org/?a=1&b=2")],
        ),
        ("<a href='tg://user?id=1'>u</a>", "u", [entity("text_link", 0, 1, url="tg://user?id=1")]),
        ('<a href="javascript:alert(1)">j</a>', "j", []),
        ("<code>c</code>", "c", [entity("code", 0, 1)]),
        ('<code class="language-py">c</code>', "c", [entity("code", 0, 1)]),
        ("<pre>p</pre>", "p", [entity("pre", 0, 1)]),
        (
            '<pre><code class="language-python">x = 1</code></pre>',
            "x = 1",
            [entity("pre", 0, 5, language="python")],
        ),
        ("<blockquote>q</blockquote>", "q", [entity("blockquote", 0, 1)]),
        ("<blockquote expandable>q</blockquote>", "q", [entity("expandable_blockquote", 0, 1)]),
        (
            '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>',
            "👍",
            [entity("custom_emoji", 0, 2, custom_emoji_id="5368324170671202286")],
        ),
        ("<b>bold <i>both</i></b>", "bold both", [entity("bold", 0, 9), entity("italic", 5, 4)]),
        ("<b></b>x", "x", []),
        ("&lt;&gt;&amp;&quot;&#65;&#x42;", '<>&"AB', []),
        ("😀<b>é</b>", "😀é", [entity("bold", 2, 1)]),
    ],
)
def test_parses_text_and_entities(html: str, text: str, entities: list[dict]) -> None:
    assert parse_html(html) == (text, entities)


@pytest.mark.parametrize(
    ("html", "error"),
    [
        ("<b>bold", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</i>", 'Can\'t find end tag corresponding to start tag "b"'),
        ("hello <div>x</div>", 'Unsupported start tag "div" at byte offset 6'),
        ("é <br>", 'Unsupported start tag "br" at byte offset 3'),
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("ends with <", "Unclosed start tag at byte offset 10"),
        ("Tom & Jerry", 'Unescaped "&" at byte offset 4'),
        ("&nbsp;", 'Unescaped "&" at byte offset 0'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        (
            "<a href>x</a>",
            'Expected equal sign in declaration of an attribute of the tag "a" at byte offset 0',
        ),
        ("<tg-emoji>x</tg-emoji>", "Invalid custom emoji identifier specified"),
    ],
)
def test_rejects_what_telegram_rejects(html: str, error: str) -> None:
    with pytest.raises(HTMLError) as caught:
        parse_html(html)
    assert str(caught.value) == error
