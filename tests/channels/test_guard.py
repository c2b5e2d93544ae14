"""Unit tests of the message guard: what Rasa may receive from a public channel."""

from __future__ import annotations

import unicodedata

import pytest

from bot.channels.guard import EMPTY_REPLY, InvalidSenderError, MessageGuard

SENDER = "web:3f2b8c1e-0d1a-4c5e-9b7a-2f1e0c9d8b7a"


@pytest.fixture
def guard() -> MessageGuard:
    return MessageGuard(b"test-key", min_sender_length=1)


def test_typed_intent_is_neutralised(guard: MessageGuard) -> None:
    """Typed `/intent{...}` must not force an intent or set slots: slashes go, words stay for NLU."""
    admission = guard.admit('/ask_fee{"procedure_code": "1.004222"}', SENDER)
    assert admission.text == 'ask_fee{"procedure_code": "1.004222"}'
    assert admission.neutralised and not admission.trusted_payload


@pytest.mark.parametrize("typed", ["/restart", "  /restart", "//restart", "/ /restart", "\n/restart"])
def test_every_slash_form_is_neutralised(guard: MessageGuard, typed: str) -> None:
    """Leading whitespace or repeated slashes do not sneak a command past the guard."""
    admission = guard.admit(typed, SENDER)
    assert admission.text == "restart"


def test_bot_payload_signed_for_this_sender_is_trusted(guard: MessageGuard) -> None:
    """A button payload the bot offered to this conversation reaches Rasa unchanged."""
    payload = '/ask_fee{"procedure_code":"1.004222"}'
    signed = guard.sign_payload(payload, SENDER)
    assert signed != payload
    admission = guard.admit(signed, SENDER)
    assert admission.text == payload and admission.trusted_payload


def test_payload_signed_for_another_conversation_is_neutralised(guard: MessageGuard) -> None:
    """A payload copied from someone else's conversation (or forged) does not act as an intent."""
    signed = guard.sign_payload("/restart", "web:other-conversation-id")
    admission = guard.admit(signed, SENDER)
    assert admission.text == "restart" and not admission.trusted_payload


def test_payload_signed_with_another_key_is_neutralised(guard: MessageGuard) -> None:
    """Signatures depend on the server's key: a client cannot compute them."""
    forged = MessageGuard(b"attacker-key").sign_payload("/restart", SENDER)
    assert guard.admit(forged, SENDER).text == "restart"


def test_plain_text_payloads_are_not_signed(guard: MessageGuard) -> None:
    """Text payloads go through NLU anyway; they stay readable."""
    assert guard.sign_payload("Có", SENDER) == "Có"


def test_sign_message_signs_buttons_quick_replies_and_elements(guard: MessageGuard) -> None:
    """Every place Rasa carries buttons gets signed payloads; the original message is not mutated."""
    message = {
        "text": "Chọn",
        "buttons": [{"title": "Phí", "payload": "/ask_fee"}],
        "quick_replies": [{"title": "Có", "payload": "Có"}],
        "elements": [{"title": "x", "buttons": [{"title": "Giấy tờ", "payload": "/ask_documents"}]}],
    }
    signed = guard.sign_message(message, SENDER)
    assert guard.admit(signed["buttons"][0]["payload"], SENDER).trusted_payload
    assert signed["quick_replies"][0]["payload"] == "Có"
    assert guard.admit(signed["elements"][0]["buttons"][0]["payload"], SENDER).text == "/ask_documents"
    assert message["buttons"][0]["payload"] == "/ask_fee"


def test_text_is_normalised_to_nfc_and_one_tone_convention(guard: MessageGuard) -> None:
    """NFD input and the other tone placement reach NLU as one spelling."""
    nfd = unicodedata.normalize("NFD", "Đăng ký hoà giải")
    assert guard.admit(nfd, SENDER).text == "Đăng ký hòa giải"


def test_overlong_message_gets_polite_reply_instead_of_nlu(guard: MessageGuard) -> None:
    """Over 2,000 characters: no text for Rasa, a Vietnamese request to shorten."""
    admission = guard.admit("a " * 1001, SENDER)
    assert admission.text is None
    assert admission.reply is not None and "rút gọn" in admission.reply


def test_exactly_2000_characters_is_accepted(guard: MessageGuard) -> None:
    """The limit is inclusive; NFD input is measured after normalisation."""
    assert guard.admit("x" * 2000, SENDER).text == "x" * 2000
    nfd = unicodedata.normalize("NFD", "ệ" * 2000)  # 6,000 code points in NFD, 2,000 in NFC
    assert guard.admit(nfd, SENDER).text == "ệ" * 2000


@pytest.mark.parametrize("text", ["", "   ", "/", "///", None, 42])
def test_empty_or_non_text_gets_prompt(guard: MessageGuard, text: object) -> None:
    """Nothing to understand: ask for a question instead of sending Rasa an empty message."""
    assert guard.admit(text, SENDER).reply == EMPTY_REPLY


def test_control_characters_are_removed(guard: MessageGuard) -> None:
    """NULs and other control characters never reach NLU or the tracker."""
    assert guard.admit("lệ\x00 phí\x1b", SENDER).text == "lệ phí"


@pytest.mark.parametrize("raw", ["", "a" * 65, "zalo:123", "abc def", "ab/cd", "ví-dụ", 123, None])
def test_invalid_sender_ids_are_refused(guard: MessageGuard, raw: object) -> None:
    """Length and charset are checked; ':' is refused so no client can forge another namespace."""
    with pytest.raises(InvalidSenderError):
        guard.namespaced_sender("web", raw)


def test_senders_are_namespaced_per_channel(guard: MessageGuard) -> None:
    """The same platform id on two channels is two conversations."""
    assert guard.namespaced_sender("web", "123") != guard.namespaced_sender("zalo", "123")
    assert guard.local_sender("zalo", "zalo:123") == "123"


def test_minimum_sender_length_is_enforced() -> None:
    """Web ids must be long (UUIDs) so conversations cannot be guessed."""
    strict = MessageGuard(b"k", min_sender_length=16)
    with pytest.raises(InvalidSenderError):
        strict.namespaced_sender("web", "1")
