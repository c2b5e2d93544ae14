"""End to end through the REST channel: a citizen's question answered from the portal catalog."""

from __future__ import annotations

import uuid

import requests

from launcher.stack import StackLayout


def new_sender() -> str:
    """A sender id like the web widget's (the REST channel rejects malformed ids)."""
    return str(uuid.uuid4())


def ask(stack: StackLayout, sender: str, message: str) -> list[dict]:
    response = requests.post(
        f"{stack.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": message}, timeout=30
    )
    response.raise_for_status()
    return response.json()


def test_documents_question_is_answered_from_the_catalog(assistant_stack: StackLayout) -> None:
    """The skeleton's promise: "Làm căn cước cần giấy tờ gì?" gets the documents of the căn cước
    procedure from the portal service, with the source link and data date."""
    replies = ask(assistant_stack, new_sender(), "Làm căn cước cần giấy tờ gì?")
    text = "\n".join(reply.get("text", "") for reply in replies)
    assert "căn cước" in text.lower()
    assert "Hồ sơ cần nộp:" in text
    assert "•" in text  # a list of documents, not a generic reply
    assert "Nguồn: Cổng Dịch vụ công quốc gia" in text
    links = [button for reply in replies for button in reply.get("buttons") or [] if button.get("type") == "web_url"]
    assert any(button["url"].startswith("https://dichvucong.gov.vn/") for button in links)
    assert "dữ liệu ngày" in text


def test_rasa_http_api_requires_the_token(assistant_stack: StackLayout) -> None:
    """The HTTP API is enabled for operators, but only with the token from the environment."""
    anonymous = requests.get(f"{assistant_stack.rasa_url}/status", timeout=10)
    assert anonymous.status_code == 401
    authorised = requests.get(
        f"{assistant_stack.rasa_url}/status", params={"token": assistant_stack.rasa_token}, timeout=10
    )
    assert authorised.status_code == 200
    assert authorised.json()["model_file"].endswith(".tar.gz")
