"""Browser tests for the chat widget: headless Debian Chromium driven by Playwright, against a fake Rasa."""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Iterator

import pytest

from tests.browser import SCREENSHOTS, launch_context
from tests.missing import import_or_missing

from .conftest import BUTTONS, LINK_BUTTONS, XSS_TEXT

pytestmark = [
    pytest.mark.browser,
    pytest.mark.usefixtures("chromium"),
]
playwright_api = import_or_missing("playwright.sync_api", "the PyPI package playwright is not installed")
expect = playwright_api.expect

UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
QUESTION = "Làm thẻ căn cước cần gì?"


@pytest.fixture
def browser(tmp_path) -> Iterator:
    """A fresh Chromium with a new, empty profile for every test."""
    with playwright_api.sync_playwright() as pw:
        context = launch_context(pw, tmp_path / "profile")
        yield context
        context.close()


@pytest.fixture
def site(fake_rasa, make_web_server) -> str:
    return make_web_server(fake_rasa.url)


class Widget:
    """Small page object: what a citizen sees and does."""

    def __init__(self, context, base: str, config: dict | None = None, before_load: str = "") -> None:
        self.page = context.pages[0] if context.pages else context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("console", lambda msg: msg.type == "error" and self.errors.append(msg.text))
        if config:
            self.page.add_init_script(f"window.CHAT_CONFIG = {json.dumps(config)};")
        if before_load:
            self.page.add_init_script(before_load)
        self.page.goto(base + "/")
        self.launcher = self.page.get_by_role("button", name="Hỏi trợ lý ảo", exact=True)
        self.panel = self.page.get_by_role("dialog", name="Trợ lý ảo dịch vụ công")
        self.input = self.page.get_by_label("Câu hỏi của bạn")
        self.log = self.page.get_by_role("log")

    def open(self) -> None:
        self.launcher.click()
        expect(self.panel).to_be_visible()

    def ask(self, text: str) -> None:
        self.input.fill(text)
        self.input.press("Enter")

    def bot_texts(self):
        return self.log.locator(".chat-msg-bot:not(.chat-welcome) .chat-text")

    def user_texts(self):
        return self.log.locator(".chat-msg-user .chat-text")

    def wait_idle(self) -> None:
        expect(self.page.locator(".chat-typing")).to_be_hidden()


def test_question_gets_a_rendered_answer(browser, site, fake_rasa):
    """Typing a question and pressing Enter posts it to Rasa; the reply shows bold text, a safe link and buttons."""
    w = Widget(browser, site)
    w.open()
    w.ask(QUESTION)
    expect(w.user_texts().last).to_have_text(QUESTION)
    expect(w.bot_texts().first).to_contain_text("Hồ sơ gồm tờ khai CC01.")
    w.wait_idle()

    body = fake_rasa.wait_for(1)[0]
    assert body["message"] == QUESTION
    assert UUID4.match(body["sender"])
    assert body["metadata"]["input_type"] == "text"

    first = w.bot_texts().first
    expect(first.locator("strong")).to_have_text("tờ khai CC01")
    link = first.get_by_role("link")
    expect(link).to_have_attribute("href", "https://dichvucong.example.vn/can-cuoc")  # trailing dot left out
    expect(link).to_have_attribute("rel", "noopener noreferrer")
    expect(link).to_have_attribute("target", "_blank")
    assert "\n" in first.text_content()  # the line break is kept (shown by white-space: pre-wrap)
    for button in BUTTONS:
        expect(w.log.get_by_role("button", name=button["title"])).to_be_visible()
    expect(w.input).to_be_focused()
    assert w.errors == [], "no script error or CSP violation on the happy path"


def test_button_sends_its_payload_and_shows_its_title(browser, site, fake_rasa):
    """Clicking a reply button sends the payload to Rasa while the chat shows the button's title as the user's turn."""
    w = Widget(browser, site)
    w.open()
    w.ask(QUESTION)
    choice = w.log.get_by_role("button", name="Cấp thẻ căn cước")
    choice.click()
    expect(w.bot_texts().last).to_have_text("Bạn đã chọn thủ tục cấp thẻ căn cước.")

    last = fake_rasa.wait_for(2)[-1]
    assert last["message"] == BUTTONS[0]["payload"]
    assert last["metadata"]["input_type"] == "button"
    expect(w.user_texts().last).to_have_text("Cấp thẻ căn cước")
    assert BUTTONS[0]["payload"] not in w.log.text_content()


def test_link_buttons_open_their_page_and_send_nothing(browser, site, fake_rasa):
    """A link button (type web_url) is a labelled link to its page, not a payload sent to Rasa;
    a non-http link is dropped; ordinary buttons beside it still send their payload."""
    w = Widget(browser, site)
    w.open()
    w.ask("liên kết")
    link = w.log.get_by_role("link", name=re.compile("^Xem đầy đủ trên Cổng"))
    expect(link).to_have_attribute("href", LINK_BUTTONS[1]["url"])
    expect(link).to_have_attribute("target", "_blank")
    expect(w.log.get_by_role("button", name=LINK_BUTTONS[0]["title"])).to_be_visible()
    assert w.log.get_by_text("Liên kết lạ").count() == 0
    assert "javascript:" not in w.log.inner_html()
    assert fake_rasa.messages() == ["liên kết"]


def test_markup_in_messages_is_shown_as_text(browser, site, fake_rasa):
    """HTML in a bot reply or in the user's own text is displayed literally and never becomes elements."""
    w = Widget(browser, site)
    w.open()
    w.ask("xss")
    expect(w.bot_texts().last).to_have_text(XSS_TEXT)
    w.ask("<b>đậm</b> <img src=y onerror=alert(1)>")
    expect(w.user_texts().last).to_have_text("<b>đậm</b> <img src=y onerror=alert(1)>")
    w.wait_idle()
    assert w.log.locator("img, script, b").count() == 0
    assert w.page.evaluate("window.__xss") is None


def test_typed_slash_text_is_sent_as_typed_text(browser, site, fake_rasa):
    """Text typed with a leading '/' is sent verbatim as a typed message, not treated as a button payload."""
    w = Widget(browser, site)
    w.open()
    w.ask("/restart")
    expect(w.bot_texts().last).to_have_text("Bạn vừa hỏi: /restart")
    body = fake_rasa.wait_for(1)[0]
    assert body["message"] == "/restart"
    assert body["metadata"]["input_type"] == "text"


def test_history_survives_reload_until_a_new_conversation(browser, site, fake_rasa):
    """After a reload the messages and sender id are kept; 'Cuộc trò chuyện mới' clears them and picks a new id."""
    w = Widget(browser, site)
    w.open()
    w.ask(QUESTION)
    expect(w.bot_texts()).to_have_count(2)
    w.wait_idle()

    w.page.reload()
    expect(w.panel).to_be_visible()  # it was open before the reload
    expect(w.bot_texts()).to_have_count(2)
    expect(w.user_texts().first).to_have_text(QUESTION)
    w.ask("Lệ phí bao nhiêu?")
    expect(w.bot_texts().last).to_have_text("Bạn vừa hỏi: Lệ phí bao nhiêu?")
    first, second = fake_rasa.wait_for(2)[:2]
    assert first["sender"] == second["sender"]

    w.page.get_by_role("button", name="Cuộc trò chuyện mới").click()
    expect(w.user_texts()).to_have_count(0)
    expect(w.log).to_contain_text("Xin chào!")
    expect(w.input).to_be_focused()
    w.ask("Xin chào")
    expect(w.bot_texts().last).to_have_text("Bạn vừa hỏi: Xin chào")
    third = fake_rasa.wait_for(3)[2]
    assert UUID4.match(third["sender"]) and third["sender"] != first["sender"]


def test_keyboard_open_send_and_close(browser, site, fake_rasa):
    """Tab reaches the launcher, Enter opens the panel with focus in the input, Enter sends, Escape closes."""
    w = Widget(browser, site)
    for _ in range(40):
        w.page.keyboard.press("Tab")
        if w.page.evaluate("document.activeElement.classList.contains('chat-launcher')"):
            break
    expect(w.launcher).to_be_focused()
    expect(w.launcher).to_have_attribute("aria-expanded", "false")

    w.page.keyboard.press("Enter")
    expect(w.panel).to_be_visible()
    expect(w.input).to_be_focused()
    w.page.keyboard.type("Giờ làm việc?")
    w.page.keyboard.press("Enter")
    expect(w.bot_texts().last).to_have_text("Bạn vừa hỏi: Giờ làm việc?")

    w.page.keyboard.press("Escape")
    expect(w.panel).to_be_hidden()
    expect(w.launcher).to_be_focused()
    expect(w.launcher).to_have_attribute("aria-expanded", "false")


def test_accessible_structure(browser, site):
    """The message list is a polite live log, and every control has an accessible name."""
    w = Widget(browser, site)
    w.open()
    expect(w.log).to_have_attribute("aria-live", "polite")
    expect(w.log).to_have_attribute("aria-label", "Nội dung cuộc trò chuyện")
    expect(w.page.get_by_role("button", name="Gửi câu hỏi")).to_be_visible()
    expect(w.page.get_by_role("button", name="Đóng cửa sổ trò chuyện")).to_be_visible()
    expect(w.input).to_have_attribute("maxlength", "2000")
    unnamed = w.page.evaluate(
        """[...document.querySelectorAll('.chat-widget button, .chat-widget textarea')]
             .filter(e => !(e.getAttribute('aria-label') || e.textContent.trim() || e.labels?.length)).length"""
    )
    assert unnamed == 0
    assert w.page.locator("[onclick], [onerror], [onload]").count() == 0


def test_slow_server_shows_error_and_retry_works(browser, site, fake_rasa):
    """A reply slower than the timeout shows a Vietnamese error; 'Thử lại' resends the same message."""
    w = Widget(browser, site, config={"timeoutMs": 1000})
    fake_rasa.slow_once["Chờ lâu"] = 2.5
    w.open()
    w.ask("Chờ lâu")
    alert = w.page.get_by_role("alert")
    expect(alert).to_contain_text("phản hồi quá chậm")
    expect(w.page.get_by_role("button", name="Gửi câu hỏi")).to_be_enabled()

    alert.get_by_role("button", name="Thử lại").click()
    expect(w.bot_texts().last).to_have_text("Bạn vừa hỏi: Chờ lâu")
    expect(alert).to_be_hidden()
    assert fake_rasa.messages() == ["Chờ lâu", "Chờ lâu"]
    expect(w.user_texts()).to_have_count(1)  # the retry does not duplicate the user's message


def test_unreachable_server_shows_error(browser, make_web_server):
    """When nothing listens at the Rasa URL the citizen sees a Vietnamese connection error, not a silent failure."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    w = Widget(browser, make_web_server(f"http://127.0.0.1:{closed_port}"))
    w.open()
    w.ask("Có ai không?")
    expect(w.page.get_by_role("alert")).to_contain_text("Không kết nối được với máy chủ trợ lý ảo")
    expect(w.page.get_by_role("button", name="Thử lại")).to_be_visible()


def test_input_is_limited_to_2000_characters(browser, site, fake_rasa):
    """The input stops at 2,000 characters, the counter says so, and no longer text reaches Rasa."""
    w = Widget(browser, site)
    w.open()
    expect(w.page.locator("#chat-counter")).to_have_text("0/2.000")
    w.input.fill("a" * 2100)
    expect(w.page.locator("#chat-counter")).to_have_text("2.000/2.000")
    expect(w.page.locator("#chat-hint")).to_have_text("Đã đạt giới hạn 2.000 ký tự.")
    w.input.press("Enter")
    assert len(fake_rasa.wait_for(1)[0]["message"]) == 2000


def test_phone_layout_and_screenshots(browser, site, fake_rasa):
    """At 360x740 nothing scrolls sideways and the open panel fills the screen as a modal; screenshots are saved."""
    w = Widget(browser, site)
    w.page.set_viewport_size({"width": 360, "height": 740})
    assert w.page.evaluate("document.documentElement.scrollWidth") <= 360
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    w.page.screenshot(path=str(SCREENSHOTS / "page-phone-360x740.png"))

    w.open()
    assert w.panel.bounding_box() == {"x": 0, "y": 0, "width": 360, "height": 740}
    expect(w.panel).to_have_attribute("aria-modal", "true")
    assert w.page.evaluate("document.querySelector('main').inert"), "page behind a full-screen panel is inert"
    w.ask(QUESTION)
    expect(w.log.get_by_role("button", name="Đăng ký khai sinh")).to_be_visible()
    w.wait_idle()
    assert w.page.evaluate("document.querySelector('.chat-body').scrollWidth") <= 360
    w.page.screenshot(path=str(SCREENSHOTS / "widget-phone-360x740.png"))

    w.page.set_viewport_size({"width": 1280, "height": 800})
    expect(w.panel).to_have_attribute("aria-modal", "false")
    assert not w.page.evaluate("document.querySelector('main').inert"), "desktop panel leaves the page usable"
    box = w.panel.bounding_box()
    assert box["width"] == 400 and box["x"] + box["width"] <= 1280
    w.page.screenshot(path=str(SCREENSHOTS / "widget-desktop-1280x800.png"))
    assert w.errors == []


def test_page_shortcut_opens_the_widget_and_asks(browser, site, fake_rasa):
    """A 'Hỏi về thủ tục này' card button opens the chat, asks its question, and gets focus back on Escape."""
    w = Widget(browser, site)
    card_button = w.page.locator("[data-chat-ask]").first
    question = card_button.get_attribute("data-chat-ask")
    card_button.click()
    expect(w.panel).to_be_visible()
    expect(w.user_texts().last).to_have_text(question)
    assert fake_rasa.wait_for(1)[0]["message"] == question
    w.page.keyboard.press("Escape")
    expect(card_button).to_be_focused()


def test_tampered_storage_never_yields_a_chosen_sender_id(browser, site, fake_rasa):
    """A sender id planted in localStorage that is not a UUID v4 is discarded for a fresh random one."""
    planted = {"senderId": "admin", "messages": [{"from": "bot", "text": "cũ", "buttons": "x"}], "open": True}
    plant = f"localStorage.setItem('citizen-chat:v1', {json.dumps(json.dumps(planted))});"
    w = Widget(browser, site, before_load=plant)
    expect(w.bot_texts()).to_have_count(0)  # history tied to the planted id is dropped too
    w.open()
    w.ask("Xin chào")
    sender = fake_rasa.wait_for(1)[0]["sender"]
    assert sender != "admin" and UUID4.match(sender)
