"""Telegram's HTML parse mode: turns what a bot sends into plain text plus entities, or refuses it.

The accepted subset is the one the Bot API documents. Offsets and lengths of entities are in
UTF-16 code units, as in the Bot API; error positions are byte offsets into the UTF-8 source,
as in Telegram's own "can't parse entities" messages. The parser is stricter than Telegram about
'&': an ampersand that does not start a supported entity is refused, because a bot that forgets
to escape user input will sooner or later send a '<' too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024

# Tag name -> entity type. span, a, pre, code, blockquote and tg-emoji get special handling.
_SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
}
_SPECIAL_TAGS = {"span", "a", "code", "pre", "blockquote", "tg-emoji"}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


@dataclass(frozen=True)
class Entity:
    """One MessageEntity: a typed range of the plain text, in UTF-16 code units."""

    type: str
    offset: int
    length: int
    url: str | None = None
    language: str | None = None
    custom_emoji_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The entity as the Bot API writes it (optional fields only when set)."""
        data: dict[str, Any] = {"type": self.type, "offset": self.offset, "length": self.length}
        if self.url is not None:
            data["url"] = self.url
        if self.language is not None:
            data["language"] = self.language
        if self.custom_emoji_id is not None:
            data["custom_emoji_id"] = self.custom_emoji_id
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Entity:
        """Reads an entity in Bot API form; unknown fields are ignored."""
        return cls(
            type=str(data["type"]),
            offset=int(data["offset"]),
            length=int(data["length"]),
            url=data.get("url"),
            language=data.get("language"),
            custom_emoji_id=data.get("custom_emoji_id"),
        )


@dataclass(frozen=True)
class FormattedText:
    """Plain text and the entities that format it."""

    text: str
    entities: tuple[Entity, ...] = ()


class HtmlParseError(ValueError):
    """The HTML is not something Telegram would accept."""

    def __init__(self, reason: str, byte_offset: int) -> None:
        super().__init__(f"{reason} at byte offset {byte_offset}")
        self.reason = reason
        self.byte_offset = byte_offset

    @property
    def description(self) -> str:
        """The Bot API error description Telegram answers with."""
        return f"Bad Request: can't parse entities: {self}"


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Bot API offsets and length limits."""
    return len(text.encode("utf-16-le")) // 2


@dataclass
class _OpenTag:
    name: str
    source_index: int
    start: int  # UTF-16 offset in the output where the tag's content begins
    attributes: dict[str, str]
    language: str | None = None


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.pos = 0
        self.out: list[str] = []
        self.out_len = 0  # UTF-16 units written so far
        self.stack: list[_OpenTag] = []
        self.entities: list[Entity] = []

    def error(self, reason: str, index: int) -> HtmlParseError:
        return HtmlParseError(reason, len(self.source[:index].encode("utf-8")))

    def emit(self, text: str) -> None:
        self.out.append(text)
        self.out_len += utf16_len(text)

    def parse(self) -> FormattedText:
        source = self.source
        while self.pos < len(source):
            char = source[self.pos]
            if char == "<":
                if source.startswith("</", self.pos):
                    self.end_tag()
                else:
                    self.start_tag()
            elif char == "&":
                self.emit(self.entity(self.pos))
            else:
                # Copy the run of ordinary characters in one go.
                end = self.pos
                while end < len(source) and source[end] not in "<&":
                    end += 1
                self.emit(source[self.pos : end])
                self.pos = end
        if self.stack:
            tag = self.stack[-1]
            raise self.error(
                f'Can\'t find end tag corresponding to start tag "{tag.name}"', tag.source_index
            )
        entities = sorted(self.entities, key=lambda e: (e.offset, -e.length))
        return FormattedText("".join(self.out), tuple(entities))

    def entity(self, start: int) -> str:
        """Decodes the character entity at `start` and moves past it."""
        source = self.source
        semicolon = source.find(";", start, start + 12)
        body = source[start + 1 : semicolon] if semicolon != -1 else ""
        if body.startswith("#"):
            digits = body[1:]
            try:
                code = int(digits[1:], 16) if digits[:1] in ("x", "X") else int(digits, 10)
            except ValueError:
                raise self.error('Character "&" must be escaped as "&amp;"', start) from None
            if code <= 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
                raise self.error("Invalid character code in the HTML entity", start)
            self.pos = semicolon + 1
            return chr(code)
        if body in _NAMED_ENTITIES:
            self.pos = semicolon + 1
            return _NAMED_ENTITIES[body]
        if body and body.isascii() and body.isalnum():
            raise self.error(f'Unsupported HTML entity "&{body};"', start)
        raise self.error('Character "&" must be escaped as "&amp;"', start)

    def name_token(self) -> str:
        start = self.pos
        source = self.source
        while self.pos < len(source) and (
            source[self.pos].isascii() and (source[self.pos].isalnum() or source[self.pos] in "-_")
        ):
            self.pos += 1
        return source[start : self.pos].lower()

    def skip_spaces(self) -> None:
        while self.pos < len(self.source) and self.source[self.pos].isspace():
            self.pos += 1

    def start_tag(self) -> None:
        begin = self.pos
        self.pos += 1
        name = self.name_token()
        if name not in _SIMPLE_TAGS and name not in _SPECIAL_TAGS:
            raise self.error(f'Unsupported start tag "{name}"', begin)
        attributes = self.attributes(name, begin)
        tag = _OpenTag(name, begin, self.out_len, attributes)
        if name == "span" and attributes.get("class") != "tg-spoiler":
            raise self.error('Tag "span" must have class "tg-spoiler"', begin)
        if name == "tg-emoji" and not attributes.get("emoji-id", "").isdigit():
            raise self.error('Tag "tg-emoji" must have a numeric attribute "emoji-id"', begin)
        self.stack.append(tag)

    def attributes(self, tag_name: str, begin: int) -> dict[str, str]:
        """Reads attributes up to and including '>'; unknown attributes are ignored."""
        source = self.source
        attributes: dict[str, str] = {}
        while True:
            self.skip_spaces()
            if self.pos >= len(source):
                raise self.error("Unclosed start tag", begin)
            if source[self.pos] == ">":
                self.pos += 1
                return attributes
            attribute_start = self.pos
            attribute = self.name_token()
            if not attribute:
                raise self.error(f'Empty attribute name in the tag "{tag_name}"', attribute_start)
            self.skip_spaces()
            if self.pos < len(source) and source[self.pos] == "=":
                self.pos += 1
                self.skip_spaces()
                attributes[attribute] = self.attribute_value(begin)
            else:
                attributes[attribute] = ""

    def attribute_value(self, begin: int) -> str:
        source = self.source
        if self.pos >= len(source):
            raise self.error("Unclosed start tag", begin)
        quote = source[self.pos]
        if quote in "\"'":
            end = source.find(quote, self.pos + 1)
            if end == -1:
                raise self.error("Unclosed start tag", begin)
            raw = source[self.pos + 1 : end]
            raw_start = self.pos + 1
            self.pos = end + 1
        else:
            raw_start = self.pos
            while (
                self.pos < len(source)
                and not source[self.pos].isspace()
                and (source[self.pos] != ">")
            ):
                self.pos += 1
            raw = source[raw_start : self.pos]
        return self.decode_attribute(raw, raw_start)

    def decode_attribute(self, raw: str, raw_start: int) -> str:
        if "&" not in raw:
            return raw
        saved = self.pos
        parts: list[str] = []
        index = 0
        while index < len(raw):
            if raw[index] == "&":
                self.pos = raw_start + index
                parts.append(self.entity(raw_start + index))
                index = self.pos - raw_start
            else:
                parts.append(raw[index])
                index += 1
        self.pos = saved
        return "".join(parts)

    def end_tag(self) -> None:
        begin = self.pos
        self.pos += 2
        name = self.name_token()
        self.skip_spaces()
        if self.pos >= len(self.source) or self.source[self.pos] != ">":
            raise self.error("Unclosed end tag", begin)
        self.pos += 1
        if not self.stack:
            raise self.error("Unexpected end tag", begin)
        tag = self.stack[-1]
        if tag.name != name:
            raise self.error(
                f'Unmatched end tag, expected "</{tag.name}>", found "</{name}>"', begin
            )
        self.stack.pop()
        self.close(tag)

    def close(self, tag: _OpenTag) -> None:
        length = self.out_len - tag.start
        parent = self.stack[-1] if self.stack else None
        if tag.name == "code" and parent is not None and parent.name == "pre":
            # <pre><code class="language-x"> is how a pre block names its language;
            # Telegram keeps one pre entity rather than a code inside a pre.
            language = tag.attributes.get("class", "")
            if language.startswith("language-") and len(language) > len("language-"):
                parent.language = language[len("language-") :]
            return
        entity: Entity | None
        if tag.name in _SIMPLE_TAGS:
            entity = Entity(_SIMPLE_TAGS[tag.name], tag.start, length)
        elif tag.name == "span":
            entity = Entity("spoiler", tag.start, length)
        elif tag.name == "a":
            href = tag.attributes.get("href", "")
            # Telegram silently drops links without a target rather than refusing them.
            entity = Entity("text_link", tag.start, length, url=href) if href else None
        elif tag.name == "code":
            entity = Entity("code", tag.start, length)
        elif tag.name == "pre":
            entity = Entity("pre", tag.start, length, language=tag.language)
        elif tag.name == "blockquote":
            kind = "expandable_blockquote" if "expandable" in tag.attributes else "blockquote"
            entity = Entity(kind, tag.start, length)
        else:  # tg-emoji
            entity = Entity(
                "custom_emoji", tag.start, length, custom_emoji_id=tag.attributes["emoji-id"]
            )
        if entity is not None and entity.length > 0:
            self.entities.append(entity)


def parse_html(source: str) -> FormattedText:
    """Parses Telegram HTML into plain text and entities; raises HtmlParseError if refused."""
    return _Parser(source).parse()


def trim(formatted: FormattedText) -> FormattedText:
    """Strips leading and trailing whitespace the way Telegram does, keeping entities aligned."""
    text = formatted.text
    stripped_left = text.lstrip()
    lead = utf16_len(text[: len(text) - len(stripped_left)])
    result = stripped_left.rstrip()
    end = utf16_len(result)
    entities: list[Entity] = []
    for entity in formatted.entities:
        start = max(entity.offset - lead, 0)
        stop = min(entity.offset + entity.length - lead, end)
        if stop > start:
            entities.append(
                Entity(
                    entity.type,
                    start,
                    stop - start,
                    url=entity.url,
                    language=entity.language,
                    custom_emoji_id=entity.custom_emoji_id,
                )
            )
    return FormattedText(result, tuple(entities))
