"""The Zalo output channel against a fake Zalo OA API on a local port: message shapes, splitting,
buttons, and the single-use refresh token under concurrency."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.channels.guard import MessageGuard
from bot.channels.zalo.api import ZaloApiClient
from bot.channels.zalo.output import ZaloDeliveryError, ZaloOutput, failures_logged_only
from bot.channels.zalo.settings import ZaloSettings
from bot.channels.zalo.tokens import FileTokenStore, MemoryTokenStore, TokenManager, TokenPair, TokenStore
from tests.channels.fakes import APP_ID, APP_SECRET, FakeZaloServer
from tests.channels.test_text_split import long_answer

RECIPIENT = "zalo:84900001"


@pytest.fixture
def fake_zalo() -> Iterator[FakeZaloServer]:
    with FakeZaloServer() as server:
        yield server


def settings_for(server: FakeZaloServer, **overrides: object) -> ZaloSettings:
    values: dict[str, object] = {
        "app_id": APP_ID,
        "oa_secret_key": "unused-here",
        "app_secret": APP_SECRET,
        "access_token": "access-1",
        "refresh_token": "refresh-1",
        "api_base_url": server.base_url,
        "oauth_url": server.base_url + "/v4/oa/access_token",
        **overrides,
    }
    return ZaloSettings(**values)  # type: ignore[arg-type]


def make_output(settings: ZaloSettings, store: TokenStore | None = None) -> tuple[ZaloOutput, TokenManager]:
    client = ZaloApiClient(settings)
    tokens = TokenManager(
        store or MemoryTokenStore(), client.refresh_tokens, settings.access_token, settings.refresh_token
    )
    return ZaloOutput(settings, client, tokens, MessageGuard(b"k")), tokens


def test_text_reaches_the_user_with_token_header(fake_zalo: FakeZaloServer) -> None:
    """One text -> one customer-service message to recipient.user_id (namespace removed)."""
    output, _ = make_output(settings_for(fake_zalo))

    async def run() -> None:
        await output.send_text_message(RECIPIENT, "Xin chào bạn.")
        await output.client.close()

    asyncio.run(run())
    assert fake_zalo.state.rejected == []
    assert fake_zalo.state.sent == [{"recipient": {"user_id": "84900001"}, "message": {"text": "Xin chào bạn."}}]


def test_5000_characters_arrive_as_three_messages_in_order(fake_zalo: FakeZaloServer) -> None:
    """Zalo's 2,000-character limit: three messages, in order, content preserved."""
    output, _ = make_output(settings_for(fake_zalo))
    text = long_answer(5000)

    async def run() -> None:
        await output.send_text_message(RECIPIENT, text)
        await output.client.close()

    asyncio.run(run())
    texts = fake_zalo.state.texts()
    assert len(texts) == 3 and all(len(t) <= 2000 for t in texts)
    assert " ".join(texts) == text


def test_buttons_become_zalo_buttons_with_signed_payloads(fake_zalo: FakeZaloServer) -> None:
    """Intent buttons -> oa.query.hide (the citizen never sees the signed payload echoed) with a payload
    the guard trusts back, in the v3 template shape; URL buttons -> oa.open.url."""
    output, _ = make_output(settings_for(fake_zalo))
    message = {
        "text": "Bạn muốn hỏi gì?",
        "buttons": [
            {"title": "Lệ phí", "payload": "/ask_fee"},
            {"title": "Cổng DVC", "url": "https://dichvucong.gov.vn", "type": "web_url"},
        ],
    }

    async def run() -> None:
        await output.send_response(RECIPIENT, message)
        await output.client.close()

    asyncio.run(run())
    assert fake_zalo.state.rejected == []
    (sent,) = fake_zalo.state.sent
    assert sent["message"]["attachment"]["payload"]["template_type"]
    fee, portal = sent["message"]["attachment"]["payload"]["buttons"]
    assert fee["type"] == "oa.query.hide" and fee["payload"] != "/ask_fee"
    assert output.guard.admit(fee["payload"], RECIPIENT).text == "/ask_fee"
    assert portal == {"title": "Cổng DVC", "type": "oa.open.url", "payload": {"url": "https://dichvucong.gov.vn"}}


def test_racing_sends_with_expired_token_refresh_exactly_once(fake_zalo: FakeZaloServer) -> None:
    """Two sends hit 'token expired' together: one refresh call (refresh tokens are single use),
    both messages are then delivered with the new token."""
    output, tokens = make_output(settings_for(fake_zalo))
    fake_zalo.state.refresh_delay = 0.3

    async def run() -> None:
        await tokens.access_token()  # the client holds access-1 ...
        fake_zalo.state.expire_access_token()  # ... which Zalo no longer accepts
        await asyncio.gather(
            output.send_text_message(RECIPIENT, "Tin thứ nhất."),
            output.send_text_message(RECIPIENT, "Tin thứ hai."),
        )
        await output.client.close()

    asyncio.run(run())
    assert fake_zalo.state.refresh_calls == 1
    assert fake_zalo.state.expired_answers == 2
    assert sorted(fake_zalo.state.texts()) == ["Tin thứ hai.", "Tin thứ nhất."]
    assert tokens.refresh_count == 1


class OrderCheckingStore(FileTokenStore):
    """Records how many messages Zalo had accepted when the new pair was saved."""

    def __init__(self, path: Path, server: FakeZaloServer) -> None:
        super().__init__(path)
        self.server = server
        self.sent_when_saved: list[int] = []

    def save(self, pair: TokenPair) -> None:
        self.sent_when_saved.append(len(self.server.state.sent))
        super().save(pair)


def test_new_tokens_are_stored_atomically_before_use(fake_zalo: FakeZaloServer, tmp_path: Path) -> None:
    """Expired token -> refresh -> store new pair (file, mode 600) -> resend once."""
    store = OrderCheckingStore(tmp_path / "tokens.json", fake_zalo)
    output, _ = make_output(settings_for(fake_zalo), store)
    fake_zalo.state.expire_access_token()

    async def run() -> None:
        await output.send_text_message(RECIPIENT, "Hồ sơ của bạn đang được xử lý.")
        await output.client.close()

    asyncio.run(run())
    assert store.sent_when_saved == [0]  # saved before the retried send
    assert fake_zalo.state.texts() == ["Hồ sơ của bạn đang được xử lý."]
    saved = json.loads((tmp_path / "tokens.json").read_text())
    assert saved["refresh_token"] == fake_zalo.state.refresh_token
    assert saved["access_token"] == fake_zalo.state.access_token
    assert os.stat(tmp_path / "tokens.json").st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["tokens.json"]  # no temporary file left


def test_stored_tokens_survive_restart_and_new_seed_wins(fake_zalo: FakeZaloServer, tmp_path: Path) -> None:
    """After a refresh, a restarted server uses the stored pair, not the consumed seed from the
    environment; when the operator seeds new tokens, those win over the stored chain."""
    path = tmp_path / "tokens.json"
    settings = settings_for(fake_zalo)
    output, _ = make_output(settings, FileTokenStore(path))
    fake_zalo.state.expire_access_token()

    async def first() -> None:
        await output.send_text_message(RECIPIENT, "Một.")
        await output.client.close()

    asyncio.run(first())
    _, restarted = make_output(settings, FileTokenStore(path))
    assert asyncio.run(restarted.access_token()) == fake_zalo.state.access_token
    _, reseeded = make_output(
        settings_for(fake_zalo, access_token="new-a", refresh_token="new-r"), FileTokenStore(path)
    )
    assert asyncio.run(reseeded.access_token()) == "new-a"


def test_refused_refresh_is_logged_without_text(fake_zalo: FakeZaloServer, caplog: pytest.LogCaptureFixture) -> None:
    """A dead refresh token: nothing is sent, the failure is logged, the citizen's text is not."""
    output, _ = make_output(settings_for(fake_zalo, refresh_token="consumed"))
    fake_zalo.state.expire_access_token()

    async def run() -> None:
        with failures_logged_only():  # a citizen's own turn: Rasa must go on and save it
            await output.send_text_message(RECIPIENT, "Nội dung riêng tư 0912345678")
        await output.client.close()

    with caplog.at_level(logging.DEBUG):
        asyncio.run(run())
    assert fake_zalo.state.sent == []
    assert "zalo.send.failed" in caplog.text
    assert "0912345678" not in caplog.text


def test_refresh_token_alone_is_enough_to_start(fake_zalo: FakeZaloServer) -> None:
    """An operator may configure only the refresh token: the first send refreshes, then delivers."""
    output, tokens = make_output(settings_for(fake_zalo, access_token=""))

    async def run() -> None:
        await output.send_text_message(RECIPIENT, "Xin chào.")
        await output.client.close()

    asyncio.run(run())
    assert fake_zalo.state.refresh_calls == 1 and tokens.refresh_count == 1
    assert fake_zalo.state.texts() == ["Xin chào."]


def test_expired_or_removed_token_error_220_refreshes_and_resends(fake_zalo: FakeZaloServer) -> None:
    """Zalo's -220 ("access_token is expired or removed", seen after ~25 h) is an expiry like -216:
    one refresh, then the message is delivered."""
    output, tokens = make_output(settings_for(fake_zalo))
    fake_zalo.state.fail_codes = [-220]

    async def run() -> None:
        await output.send_text_message(RECIPIENT, "Sau 25 giờ vẫn trả lời được.")
        await output.client.close()

    asyncio.run(run())
    assert tokens.refresh_count == 1 and fake_zalo.state.refresh_calls == 1
    assert fake_zalo.state.texts() == ["Sau 25 giờ vẫn trả lời được."]


def test_token_is_refreshed_ahead_of_its_announced_expiry(fake_zalo: FakeZaloServer) -> None:
    """After a refresh Zalo says the new token lives ``expires_in`` seconds: shortly before that, the
    next send refreshes first, so Zalo never has to refuse a message."""
    clock = [1_000_000.0]
    settings = settings_for(fake_zalo, access_token="")
    client = ZaloApiClient(settings)
    tokens = TokenManager(MemoryTokenStore(), client.refresh_tokens, "", settings.refresh_token, clock=lambda: clock[0])
    output = ZaloOutput(settings, client, tokens, MessageGuard(b"k"))

    async def run() -> None:
        await output.send_text_message(RECIPIENT, "Một.")  # refresh-only start: first refresh
        clock[0] = time.time() + 90000 - 60  # one minute before the announced expiry
        await output.send_text_message(RECIPIENT, "Hai.")
        await output.client.close()

    asyncio.run(run())
    assert fake_zalo.state.refresh_calls == 2 and fake_zalo.state.expired_answers == 0
    assert fake_zalo.state.texts() == ["Một.", "Hai."]


def test_refused_button_message_still_delivers_its_text(fake_zalo: FakeZaloServer) -> None:
    """When Zalo refuses a message because of its buttons, the text goes alone with the choices
    written out: the answer is never lost with its buttons."""
    output, _ = make_output(settings_for(fake_zalo))
    fake_zalo.state.refuse_buttons = True
    message = {"text": "Bạn hỏi thủ tục nào?", "buttons": [{"title": "Cấp thẻ căn cước", "payload": "/inform"}]}

    async def run() -> None:
        await output.send_response(RECIPIENT, message)
        await output.client.close()

    asyncio.run(run())
    assert fake_zalo.state.rejected == ["buttons refused"]
    assert fake_zalo.state.texts() == ["Bạn hỏi thủ tục nào?\n• Cấp thẻ căn cước"]


@pytest.mark.parametrize("code", [-213, -217, -230, -232])
def test_undelivered_staff_message_raises_so_the_console_knows(fake_zalo: FakeZaloServer, code: int) -> None:
    """Reply-window and quota errors mean nothing reached the citizen: a message pushed through Rasa's
    API (staff reply, complaint answer) raises, so the API call fails and the console does not mark
    it delivered; inside the citizen's own turn it is logged only, so Rasa still saves the turn."""
    output, _ = make_output(settings_for(fake_zalo))
    fake_zalo.state.fail_codes = [code, code]

    async def run() -> None:
        with pytest.raises(ZaloDeliveryError) as raised:
            await output.send_text_message(RECIPIENT, "Trả lời phản ánh PA-0001.")
        assert raised.value.code == code
        with failures_logged_only():
            await output.send_text_message(RECIPIENT, "Trả lời trong lượt của người dân.")
        await output.client.close()

    asyncio.run(run())
    assert fake_zalo.state.sent == []
