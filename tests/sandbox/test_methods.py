"""The method table shipped as methods.json and how request parameters are read against it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sandbox import gen_methods
from sandbox.errors import ApiError
from sandbox.methods import RawParams, UploadedFile, decode_params, load_table


def test_the_shipped_table_knows_every_method_and_its_parameters() -> None:
    table = load_table()
    assert table.version.startswith("Bot API ")
    send = table.lookup("sendmessage")
    assert send is not None
    assert send.name == "sendMessage"
    assert send.params["chat_id"].types == ("Integer", "String")
    assert send.params["chat_id"].required
    assert not send.params["reply_markup"].required
    assert "InlineKeyboardMarkup" in send.params["reply_markup"].types
    assert table.lookup("sendTelepathy") is None


def test_the_generator_keeps_names_types_and_required_flags_only(tmp_path: Path) -> None:
    api = {
        "version": "Bot API 0.1",
        "methods": {
            "getMe": {"name": "getMe", "description": ["Who am I"], "fields": []},
            "sendThing": {
                "name": "sendThing",
                "fields": [
                    {"name": "n", "types": ["Integer"], "required": True, "description": "x"}
                ],
            },
        },
    }
    table = gen_methods.build_table(api)
    assert table == {
        "version": "Bot API 0.1",
        "methods": {
            "getMe": {"name": "getMe", "params": []},
            "sendThing": {
                "name": "sendThing",
                "params": [{"name": "n", "types": ["Integer"], "required": True}],
            },
        },
    }
    assert json.loads(gen_methods.render(table)) == table


def _decode(method: str, **text: str):
    spec = load_table().lookup(method)
    assert spec is not None
    return decode_params(spec, RawParams(text=dict(text), json={}, files={}))


def test_form_values_are_read_by_their_types() -> None:
    params = _decode(
        "sendMessage",
        chat_id="-100123",
        text="42",
        disable_notification="true",
        reply_markup='{"inline_keyboard": []}',
    )
    assert params == {
        "chat_id": -100123,
        "text": "42",  # a String-only parameter is never JSON-decoded
        "disable_notification": True,
        "reply_markup": {"inline_keyboard": []},
    }
    assert _decode("sendMessage", chat_id="@channel", text="x")["chat_id"] == "@channel"


def test_a_value_that_fits_no_type_is_refused() -> None:
    with pytest.raises(ApiError) as refused:
        _decode("sendMessage", chat_id="1", text="x", reply_markup="not json")
    assert refused.value.description == (
        'Bad Request: can\'t parse parameter "reply_markup": expected InlineKeyboardMarkup or '
        "ReplyKeyboardMarkup or ReplyKeyboardRemove or ForceReply"
    )


def test_files_may_be_attached_by_name_but_stray_files_are_unknown_parameters() -> None:
    spec = load_table().lookup("sendDocument")
    assert spec is not None
    upload = UploadedFile("a.txt", "text/plain", b"a")
    raw = RawParams(
        text={"chat_id": "1", "document": "attach://part1"}, json={}, files={"part1": upload}
    )
    assert decode_params(spec, raw)["part1"] == upload
    raw = RawParams(text={"chat_id": "1", "document": "x"}, json={}, files={"part1": upload})
    with pytest.raises(ApiError, match='unknown parameter "part1"'):
        decode_params(spec, raw)
