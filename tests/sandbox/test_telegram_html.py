"""What the HTML parse mode accepts, the entities it yields, and how it refuses the rest."""

from __future__ import annotations

import pytest

from sandbox.telegram_html import (
    Entity,
    FormattedText,
    HtmlParseError,
    parse_html,
    trim,
    utf16_len,
)


def test_every_simple_tag_becomes_its_entity() -> None:
    parsed = parse_html(
        "<b>a</b><strong>b</strong><i>c</i><em>d</em><u>e</u><ins>f</ins>"
        "<s>g</s><strike>h</strike><del>i</del><tg-spoiler>j</tg-spoiler>"
        '<span class="tg-spoiler">k</span><code>l</code>'
    )
    assert parsed.text == "abcdefghijkl"
    assert [e.type for e in parsed.entities] == [
        "bold",
        "bold",
        "italic",
        "italic",
        "underline",
        "underline",
        "strikethrough",
        "strikethrough",
        "strikethrough",
        "spoiler",
        "spoiler",
        "code",
    ]
    assert [e.offset for e in parsed.entities] == list(range(12))


def test_offsets_and_lengths_are_utf16_code_units() -> None:
    parsed = parse_html("😀 <b>团员 😀</b>")
    assert parsed.text == "😀 团员 😀"
    assert parsed.entities == (Entity("bold", 3, 5),)
    assert utf16_len(parsed.text) == 8


def test_nested_tags_are_ordered_by_offset_then_longest_first() -> None:
    parsed = parse_html("<b>bold <i>both</i></b>")
    assert parsed.entities == (Entity("bold", 0, 9), Entity("italic", 5, 4))


def test_links_pre_with_language_blockquotes_and_custom_emoji() -> None:
    parsed = parse_html(
        '<a href="https://example.org/?a=1&amp;b=2">link</a>\n'
        '<pre><code class="language-python">x = 1</code></pre>\n'
        "<blockquote>quote</blockquote><blockquote expandable>more</blockquote>"
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>'
    )
    assert parsed.text == "link\nx = 1\nquotemore👍"
    assert parsed.entities == (
        Entity("text_link", 0, 4, url="https://example.org/?a=1&b=2"),
        Entity("pre", 5, 5, language="python"),
        Entity("blockquote", 11, 5),
        Entity("expandable_blockquote", 16, 4),
        Entity("custom_emoji", 20, 2, custom_emoji_id="5368324170671202286"),
    )


def test_named_and_numeric_entities_are_decoded() -> None:
    parsed = parse_html("&lt;b&gt; &amp; &quot;x&quot; &#20013; &#x1F600;")
    assert parsed.text == '<b> & "x" 中 😀'
    assert parsed.entities == ()


def test_tag_names_are_case_insensitive_and_unknown_attributes_ignored() -> None:
    parsed = parse_html('<B data-x="1">x</B>')
    assert parsed == FormattedText("x", (Entity("bold", 0, 1),))


def test_empty_entities_and_links_without_href_are_dropped() -> None:
    assert parse_html("<b></b><a>x</a>").entities == ()


@pytest.mark.parametrize(
    ("source", "reason", "offset"),
    [
        ("<br>", 'Unsupported start tag "br"', 0),
        ("团 <p>x</p>", 'Unsupported start tag "p"', 4),
        ("a < b", 'Unsupported start tag ""', 2),
        ("<b>x</i>", 'Unmatched end tag, expected "</b>", found "</i>"', 4),
        ("x</b>", "Unexpected end tag", 1),
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"', 0),
        ("<b x", "Unclosed start tag", 0),
        ("<b>x</b", "Unclosed end tag", 4),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler"', 0),
        ("<tg-emoji>x</tg-emoji>", 'Tag "tg-emoji" must have a numeric attribute "emoji-id"', 0),
        ("Q&A", 'Character "&" must be escaped as "&amp;"', 1),
        ("&nbsp;", 'Unsupported HTML entity "&nbsp;"', 0),
        ("&lt", 'Character "&" must be escaped as "&amp;"', 0),
        ("&#0;", "Invalid character code in the HTML entity", 0),
        ("&#xD800;", "Invalid character code in the HTML entity", 0),
    ],
)
def test_html_telegram_would_refuse_is_refused_with_a_byte_offset(
    source: str, reason: str, offset: int
) -> None:
    with pytest.raises(HtmlParseError) as refused:
        parse_html(source)
    assert refused.value.reason == reason
    assert refused.value.byte_offset == offset
    assert refused.value.description == (
        f"Bad Request: can't parse entities: {reason} at byte offset {offset}"
    )


def test_trimming_strips_outer_whitespace_and_keeps_entities_aligned() -> None:
    trimmed = trim(parse_html("\n  <b> hi </b> there \n"))
    assert trimmed == FormattedText("hi  there", (Entity("bold", 0, 3),))
