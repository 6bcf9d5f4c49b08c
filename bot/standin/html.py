"""Telegram's HTML parse mode, modelled on tdlib's parser so errors read like the real ones.

One deliberate difference: Telegram takes a bare ``&`` in text literally, the stand-in rejects it
so that unescaped user input is caught in tests (a bare ``<`` fails on Telegram too).
"""

import re
from urllib.parse import urlsplit

TAGS = {
    "a", "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler",
    "tg-emoji", "code", "pre", "blockquote",
}  # fmt: skip
SIMPLE = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
    "ins": "underline", "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
    "span": "spoiler", "tg-spoiler": "spoiler",
}  # fmt: skip
NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
SPACE = " \t\r\n\v\0"
END = "\0"
PLAIN = re.compile(r"[^&<]+")
SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")


class HTMLError(ValueError):
    """The detail Telegram puts after "can't parse entities: "."""


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def parse_html(html: str) -> tuple[str, list[dict]]:
    """Return the plain text and its entities (offsets in UTF-16 code units)."""
    return _Parser(html).run()


def _entity(s: str, pos: int) -> tuple[str, int] | None:
    """Decode the character reference at ``s[pos] == "&"`` into (character, next position)."""
    end = pos + 1
    if s[end] == "#":
        end += 1
        hexa = s[end] == "x"
        end += hexa
        digits = "0123456789abcdefABCDEF" if hexa else "0123456789"
        start = end
        while s[end] in digits:
            end += 1
        code = int(s[start:end], 16 if hexa else 10) if end > start else 0
        if code == 0 or code >= 0x10FFFF or end - pos >= 10:
            return None
        char = chr(code)
    else:
        while s[end].isascii() and s[end].isalpha():
            end += 1
        char = NAMED.get(s[pos + 1 : end])
        if char is None:
            return None
    return char, end + (s[end] == ";")


def _link(url: str) -> str | None:
    scheme = SCHEME.match(url)
    if scheme is None:
        url = "http://" + url
    elif scheme.group(1).lower() == "tg":
        return url
    elif scheme.group(1).lower() not in ("http", "https"):
        return None
    try:
        return url if urlsplit(url).hostname else None
    except ValueError:
        return None


class _Parser:
    def __init__(self, html: str) -> None:
        self.html = html
        self.s = html + END
        self.out: list[str] = []
        self.offset = 0
        self.open: list[tuple[str, str, int, int]] = []
        self.entities: list[dict] = []

    def at(self, pos: int) -> str:
        return f"at byte offset {len(self.html[:pos].encode('utf-8', 'surrogatepass'))}"

    def emit(self, chars: str) -> None:
        self.out.append(chars)
        self.offset += utf16_len(chars)

    def run(self) -> tuple[str, list[dict]]:
        s, i = self.s, 0
        while i < len(self.html):
            if s[i] == "&":
                decoded = _entity(s, i)
                if decoded is None:
                    raise HTMLError(f'Unescaped "&" {self.at(i)}')
                char, i = decoded
                self.emit(char)
            elif s[i] != "<":
                plain = PLAIN.match(self.html, i).group()
                self.emit(plain)
                i += len(plain)
            elif s[i + 1] == "/":
                i = self.close(i) + 1
            else:
                i = self.start(i) + 1
        if self.open:
            raise HTMLError(f'Can\'t find end tag corresponding to start tag "{self.open[-1][0]}"')
        text = "".join(self.out)
        try:
            text.encode()
        except UnicodeEncodeError:
            raise HTMLError(
                "Text contains invalid Unicode characters after decoding HTML entities, "
                "check for unmatched surrogate code units"
            ) from None
        for entity in self.entities:
            if entity["type"] == "code":
                entity.pop("language", None)
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return text, self.entities

    def skip_space(self, i: int) -> int:
        while self.s[i] != END and self.s[i] in SPACE:
            i += 1
        return i

    def start(self, begin: int) -> int:
        s, i = self.s, begin + 1
        while s[i] not in SPACE and s[i] != ">":
            i += 1
        if s[i] == END:
            raise HTMLError(f"Unclosed start tag {self.at(begin)}")
        tag = s[begin + 1 : i].lower()
        if tag not in TAGS:
            raise HTMLError(f'Unsupported start tag "{tag}" {self.at(begin)}')
        argument = ""
        while s[i] != ">":
            i = self.skip_space(i)
            if s[i] == ">":
                break
            name_start = i
            while s[i] not in SPACE and s[i] not in "=>":
                i += 1
            name = s[name_start:i]
            if not name:
                raise HTMLError(f'Empty attribute name in the tag "{tag}" {self.at(begin)}')
            i = self.skip_space(i)
            if s[i] != "=":
                if tag == "blockquote" and name == "expandable":
                    argument = "expandable"
                    continue
                raise HTMLError(
                    "Expected equal sign in declaration of an attribute of the tag "
                    f'"{tag}" {self.at(begin)}'
                )
            i = self.skip_space(i + 1)
            if s[i] == END:
                raise HTMLError(f'Unclosed start tag "{tag}" {self.at(begin)}')
            value, i = self.value(i)
            if s[i] == END:
                raise HTMLError(f"Unclosed start tag {self.at(begin)}")
            argument = self.argument(tag, name, value, argument)
        if tag == "span" and argument != "spoiler":
            raise HTMLError(f'Tag "span" must have class "tg-spoiler" {self.at(begin)}')
        self.open.append((tag, argument, self.offset, len(self.out)))
        return i

    def value(self, i: int) -> tuple[str, int]:
        s = self.s
        if s[i] not in "'\"":
            start = i
            while s[i].isascii() and (s[i].isalnum() or s[i] in ".-"):
                i += 1
            if s[i] not in SPACE and s[i] != ">":
                raise HTMLError(f"Unexpected end of name token {self.at(start)}")
            return s[start:i].lower(), i
        quote, chars = s[i], []
        i += 1
        while s[i] != quote and s[i] != END:
            decoded = _entity(s, i) if s[i] == "&" else None
            char, i = decoded or (s[i], i + 1)
            chars.append(char)
        return "".join(chars), i + (s[i] == quote)

    @staticmethod
    def argument(tag: str, name: str, value: str, current: str) -> str:
        if tag == "a" and name == "href":
            return value
        if tag == "code" and name == "class" and value.startswith("language-"):
            return value.removeprefix("language-")
        if tag == "span" and name == "class" and value.startswith("tg-"):
            return value.removeprefix("tg-")
        if tag == "tg-emoji" and name == "emoji-id":
            return value
        return current

    def close(self, begin: int) -> int:
        s, i = self.s, begin + 2
        if not self.open:
            raise HTMLError(f"Unexpected end tag {self.at(begin)}")
        while s[i] not in SPACE and s[i] != ">":
            i += 1
        name = s[begin + 2 : i]
        i = self.skip_space(i)
        if s[i] != ">":
            raise HTMLError(f"Unclosed end tag {self.at(begin)}")
        tag, argument, offset, first = self.open[-1]
        if name and name != tag:
            raise HTMLError(
                f'Unmatched end tag {self.at(begin)}, expected "</{tag}>", found "</{name}>"'
            )
        self.open.pop()
        if self.offset > offset:
            self.add(tag, argument, offset, self.offset - offset, "".join(self.out[first:]))
        return i

    def add(self, tag: str, argument: str, offset: int, length: int, inner: str) -> None:
        entity: dict = {"type": SIMPLE.get(tag, tag), "offset": offset, "length": length}
        last = self.entities[-1] if self.entities else None
        same_span = last is not None and (last["offset"], last["length"]) == (offset, length)
        if tag == "a":
            url = _link(argument or inner)
            if url is None:
                return
            entity.update(type="text_link", url=url)
        elif tag == "tg-emoji":
            if not argument.isdigit() or int(argument) == 0:
                raise HTMLError("Invalid custom emoji identifier specified")
            entity.update(type="custom_emoji", custom_emoji_id=argument)
        elif tag == "blockquote" and argument:
            entity["type"] = "expandable_blockquote"
        elif tag == "pre" and same_span and last["type"] == "code" and "language" in last:
            last["type"] = "pre"
            return
        elif tag == "code" and same_span and last["type"] == "pre" and argument:
            last["language"] = argument
            return
        elif tag == "code" and argument:
            entity["language"] = argument
        self.entities.append(entity)
