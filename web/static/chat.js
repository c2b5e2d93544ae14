/*
 * Chat widget for the citizen assistant (Rasa REST channel). No dependencies, no build step.
 * Every bot or user string reaches the page as text nodes: never through innerHTML.
 * Page hooks: [data-chat-open] opens the panel; [data-chat-ask="question"] opens it and asks.
 * Staff replies: when the bot's answer carries the custom payload {"handoff": true}, the widget
 * polls GET /api/messages (web/server.py) every 3 s and shows staff messages labelled "Cán bộ",
 * until the staff member hands the conversation back (or 30 minutes pass without anyone taking it).
 */
(() => {
  "use strict";

  const STORAGE_KEY = "citizen-chat:v1";
  const MAX_LEN = 2000;
  const MAX_HISTORY = 200;
  const MAX_BUTTONS = 12;
  const POLL_MS = 3000;
  const UNTAKEN_GIVE_UP_MS = 30 * 60 * 1000; // nobody took the request: stop asking the server
  const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
  // A Markdown link [title](https://...) or a bare http(s) URL.
  const LINK_RE = /\[([^\]\n]{1,200})\]\((https?:\/\/[^\s()<>]+)\)|https?:\/\/[^\s<>"'`]+/g;
  const BOLD_RE = /\*\*([^\n*][^\n]*?)\*\*/g;

  const T = {
    launcher: "Hỏi trợ lý ảo",
    title: "Trợ lý ảo dịch vụ công",
    subtitle: "Trả lời tự động, để tham khảo",
    newChat: "Cuộc trò chuyện mới",
    close: "Đóng cửa sổ trò chuyện",
    log: "Nội dung cuộc trò chuyện",
    inputLabel: "Câu hỏi của bạn",
    placeholder: "Nhập câu hỏi của bạn…",
    send: "Gửi câu hỏi",
    hint: "Nhấn Enter để gửi, Shift + Enter để xuống dòng.",
    limitReached: "Đã đạt giới hạn 2.000 ký tự.",
    you: "Bạn: ",
    bot: "Trợ lý: ",
    staff: "Cán bộ",
    typing: "Trợ lý đang soạn câu trả lời…",
    suggestions: "Gợi ý câu hỏi",
    choices: "Lựa chọn trả lời",
    newTab: " (mở trong thẻ mới)",
    image: "Hình ảnh do trợ lý gửi",
    welcome:
      "Xin chào! Tôi là trợ lý ảo của Cổng Dịch vụ công. Tôi có thể giúp bạn tìm hiểu thủ tục hành chính, " +
      "giấy tờ cần chuẩn bị, lệ phí, thời hạn giải quyết và tra cứu tình trạng hồ sơ.",
    privacy: "Vui lòng không nhập mật khẩu, mã OTP hay thông tin tài khoản ngân hàng.",
    empty: "Xin lỗi, tôi chưa có câu trả lời cho nội dung này. Bạn vui lòng diễn đạt lại câu hỏi nhé.",
    unreachable: "Không kết nối được với máy chủ trợ lý ảo. Vui lòng kiểm tra kết nối mạng và thử lại.",
    timeout: "Máy chủ trợ lý ảo phản hồi quá chậm. Vui lòng thử lại sau ít phút.",
    serverError: "Máy chủ trợ lý ảo đang gặp sự cố. Vui lòng thử lại sau ít phút.",
    retry: "Thử lại",
  };
  const SUGGESTIONS = [
    "Làm thẻ căn cước cần những giấy tờ gì?",
    "Thủ tục đăng ký khai sinh cho con",
    "Tra cứu tình trạng hồ sơ của tôi",
  ];

  // ---------- configuration, identity, storage ----------

  function readConfig() {
    const config = { rasaUrl: "http://127.0.0.1:5005", timeoutMs: 10000 };
    const node = document.getElementById("chat-config");
    if (node) {
      try {
        Object.assign(config, JSON.parse(node.textContent));
      } catch {
        // Page opened without the server (placeholder not replaced): keep the defaults.
      }
    }
    if (window.CHAT_CONFIG && typeof window.CHAT_CONFIG === "object") Object.assign(config, window.CHAT_CONFIG);
    config.rasaUrl = String(config.rasaUrl).replace(/\/+$/, "");
    config.timeoutMs = Number(config.timeoutMs) > 0 ? Number(config.timeoutMs) : 10000;
    return config;
  }

  function newSenderId() {
    if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
    // crypto.randomUUID needs a secure context; getRandomValues does not (plain http on a LAN address).
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  /** Reply buttons; a link button ({type: "web_url", url}) opens its page instead of sending a payload. */
  function cleanButtons(buttons) {
    if (!Array.isArray(buttons)) return [];
    return buttons
      .filter((b) => b && typeof b.title === "string" && b.title.trim())
      .map((b) => (b.type === "web_url" || b.url !== undefined ? (isHttpUrl(b.url) ? { title: b.title, url: b.url } : null)
        : typeof b.payload === "string" ? { title: b.title, payload: b.payload } : null))
      .filter(Boolean)
      .slice(0, MAX_BUTTONS);
  }

  function cleanMessage(m) {
    if (!m || (m.from !== "user" && m.from !== "bot" && m.from !== "staff")) return null;
    const msg = { from: m.from, text: typeof m.text === "string" ? m.text : "" };
    if (m.from === "bot") {
      msg.buttons = cleanButtons(m.buttons);
      if (typeof m.image === "string" && isHttpUrl(m.image)) msg.image = m.image;
    }
    return msg.text || msg.buttons?.length || msg.image ? msg : null;
  }

  function loadState() {
    try {
      const saved = JSON.parse(localStorage.getItem(STORAGE_KEY));
      if (saved && UUID_RE.test(saved.senderId) && Array.isArray(saved.messages)) {
        const messages = saved.messages.map(cleanMessage).filter(Boolean).slice(-MAX_HISTORY);
        const staffAfter = Number(saved.staffAfter) > 0 ? Number(saved.staffAfter) : 0;
        return { senderId: saved.senderId, messages, open: saved.open === true, handoff: cleanHandoff(saved.handoff), staffAfter };
      }
    } catch {
      // Unreadable or blocked storage: start fresh.
    }
    return { senderId: newSenderId(), messages: [], open: false, handoff: null, staffAfter: 0 };
  }

  /** Handoff state: {since: ms, taken: a staff member has owned the conversation}. */
  function cleanHandoff(value) {
    if (!value || typeof value !== "object") return null;
    const since = Number(value.since);
    if (!Number.isFinite(since)) return null;
    return { since, taken: value.taken === true };
  }

  function saveState(state) {
    state.messages = state.messages.slice(-MAX_HISTORY);
    try {
      localStorage.setItem(STORAGE_KEY, JSON.stringify(state));
    } catch {
      // Private mode or full storage: the conversation simply won't survive a reload.
    }
  }

  // ---------- safe rendering ----------

  function h(tag, props = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props)) {
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (key === "hidden") node.hidden = value;
      else node.setAttribute(key, value);
    }
    node.append(...children); // strings become text nodes
    return node;
  }

  function icon(pathData) {
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    const path = document.createElementNS(ns, "path");
    path.setAttribute("d", pathData);
    svg.append(path);
    return svg;
  }
  const ICON_CHAT = "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z";
  const ICON_CLOSE = "M6 6l12 12M18 6L6 18";
  const ICON_SEND = "M3 11.5 21 3l-8.5 18-2.2-7.3L3 11.5z";
  const ICON_NEW = "M12 5v14M5 12h14";

  function isHttpUrl(value) {
    try {
      const url = new URL(value);
      return url.protocol === "http:" || url.protocol === "https:";
    } catch {
      return false;
    }
  }

  function link(href, label) {
    return h("a", { href, target: "_blank", rel: "noopener noreferrer" }, label, h("span", { class: "visually-hidden", text: T.newTab }));
  }

  /** Append text to parent, turning http(s) URLs and [title](url) into <a> elements. */
  function appendLinked(parent, text) {
    let last = 0;
    for (const match of text.matchAll(LINK_RE)) {
      let [raw, title, href] = match;
      if (!title) {
        raw = raw.replace(/[.,;:!?'"”’»]+$/, "");
        if (raw.endsWith(")") && !raw.includes("(")) raw = raw.slice(0, -1);
        href = raw;
      }
      parent.append(text.slice(last, match.index));
      parent.append(isHttpUrl(href) ? link(href, title || raw) : raw);
      last = match.index + raw.length;
    }
    parent.append(text.slice(last));
  }

  /** Bot text: **bold** and links; line breaks are kept by CSS (white-space: pre-wrap). */
  function richText(text) {
    const frag = document.createDocumentFragment();
    text.split(BOLD_RE).forEach((part, i) => {
      if (i % 2 === 1) {
        const strong = h("strong");
        appendLinked(strong, part);
        frag.append(strong);
      } else {
        appendLinked(frag, part);
      }
    });
    return frag;
  }

  // ---------- the widget ----------

  function createWidget() {
    const config = readConfig();
    const endpoint = `${config.rasaUrl}/webhooks/rest/webhook`;
    const state = loadState();
    let inFlight = null; // AbortController of the pending request
    let opener = null;

    const launcher = h(
      "button",
      { type: "button", class: "chat-launcher", "aria-expanded": "false", "aria-controls": "chat-panel" },
      icon(ICON_CHAT),
      h("span", { text: T.launcher }),
    );
    const newButton = h("button", { type: "button", class: "chat-new" }, icon(ICON_NEW), h("span", { text: T.newChat }));
    const closeButton = h("button", { type: "button", class: "chat-close", "aria-label": T.close, title: T.close }, icon(ICON_CLOSE));
    const log = h("div", { class: "chat-log", role: "log", "aria-live": "polite", "aria-label": T.log });
    const typing = h(
      "div",
      { class: "chat-typing", hidden: true },
      h("span", { class: "dots", "aria-hidden": "true" }, h("span"), h("span"), h("span")),
      h("span", { class: "chat-typing-text", text: T.typing }),
    );
    const status = h("div", { class: "visually-hidden", role: "status" });
    const errorBox = h("div", { class: "chat-error", role: "alert", hidden: true });
    const body = h("div", { class: "chat-body" }, log, typing, errorBox);
    const input = h("textarea", {
      id: "chat-input",
      class: "chat-input",
      rows: "1",
      maxlength: String(MAX_LEN),
      placeholder: T.placeholder,
      autocomplete: "off",
      "aria-describedby": "chat-hint chat-counter",
    });
    const sendButton = h("button", { type: "submit", class: "chat-send", "aria-label": T.send, title: T.send }, icon(ICON_SEND));
    const counter = h("span", { id: "chat-counter", class: "chat-counter" });
    const hint = h("span", { id: "chat-hint", class: "chat-hint", text: T.hint });
    const form = h(
      "form",
      { class: "chat-form" },
      h("label", { for: "chat-input", class: "visually-hidden", text: T.inputLabel }),
      h("div", { class: "chat-input-row" }, input, sendButton),
      h("div", { class: "chat-meta" }, hint, counter),
    );
    const panel = h(
      "section",
      { id: "chat-panel", class: "chat-panel", role: "dialog", "aria-labelledby": "chat-title", "aria-describedby": "chat-subtitle", hidden: true },
      h("div", { class: "chat-header" }, h("h2", { id: "chat-title", text: T.title }), closeButton),
      h("div", { class: "chat-toolbar" }, h("p", { id: "chat-subtitle", text: T.subtitle }), newButton),
      body,
      status,
      form,
    );

    // ----- messages -----

    function messageNode(msg) {
      const bubble = h("div", { class: "chat-bubble" });
      if (msg.from === "staff") {
        bubble.append(h("div", { class: "chat-staff-label", text: T.staff }));
        bubble.append(h("div", { class: "chat-text" }, richText(msg.text)));
      } else if (msg.text) {
        bubble.append(h("span", { class: "visually-hidden", text: msg.from === "user" ? T.you : T.bot }));
        bubble.append(h("div", { class: "chat-text" }, msg.from === "bot" ? richText(msg.text) : msg.text));
      }
      if (msg.image) {
        bubble.append(h("img", { class: "chat-image", src: msg.image, alt: T.image, loading: "lazy", referrerpolicy: "no-referrer" }));
      }
      const node = h("div", { class: `chat-msg chat-msg-${msg.from}` }, bubble);
      if (msg.buttons?.length) node.append(choiceGroup(msg.buttons, T.choices, (b) => ask(b.payload, b.title, "button")));
      return node;
    }

    function choiceGroup(items, label, onPick) {
      const group = h("div", { class: "chat-choices", role: "group", "aria-label": label });
      for (const item of items) {
        if (item.url) {
          const anchor = link(item.url, item.title);
          anchor.className = "chat-choice chat-choice-link";
          group.append(anchor);
          continue;
        }
        const button = h("button", { type: "button", class: "chat-choice", text: item.title });
        button.addEventListener("click", () => onPick(item));
        group.append(button);
      }
      return group;
    }

    function welcomeNode() {
      return h(
        "div",
        { class: "chat-msg chat-msg-bot chat-welcome" },
        h("div", { class: "chat-bubble" }, h("div", { class: "chat-text", text: T.welcome }), h("p", { class: "chat-privacy", text: T.privacy })),
        choiceGroup(
          SUGGESTIONS.map((s) => ({ title: s })),
          T.suggestions,
          (s) => ask(s.title, s.title, "text"),
        ),
      );
    }

    function renderAll() {
      log.replaceChildren(...(state.messages.length ? state.messages.map(messageNode) : [welcomeNode()]));
      scrollToEnd();
    }

    function addMessage(msg) {
      const clean = cleanMessage(msg);
      if (!clean) return;
      if (!state.messages.length) log.replaceChildren(); // drop the welcome
      state.messages.push(clean);
      saveState(state);
      log.append(messageNode(clean));
      scrollToEnd();
    }

    function scrollToEnd() {
      body.scrollTop = body.scrollHeight;
    }

    // ----- talking to Rasa -----

    function setBusy(busy) {
      typing.hidden = !busy;
      status.textContent = busy ? T.typing : "";
      sendButton.disabled = busy;
      panel.setAttribute("aria-busy", String(busy));
      if (busy) scrollToEnd();
    }

    function showError(text, retry) {
      const button = h("button", { type: "button", class: "chat-retry", text: T.retry });
      button.addEventListener("click", () => {
        input.focus();
        retry();
      });
      errorBox.replaceChildren(h("p", { text }), button);
      errorBox.hidden = false;
      scrollToEnd();
    }

    function hideError() {
      errorBox.hidden = true;
      errorBox.replaceChildren();
    }

    /** Show `shown` as the user's message and send `message` (typed text or a button payload). */
    function ask(message, shown, inputType) {
      if (inFlight) return;
      addMessage({ from: "user", text: shown });
      deliver(message, inputType);
    }

    async function deliver(message, inputType) {
      const controller = new AbortController();
      const senderId = state.senderId;
      const timer = setTimeout(() => controller.abort("timeout"), config.timeoutMs);
      inFlight = controller;
      hideError();
      setBusy(true);
      try {
        const response = await fetch(endpoint, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({
            sender: senderId,
            message,
            metadata: { channel: "web", input_type: inputType, locale: "vi-VN" },
          }),
          signal: controller.signal,
        });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        const replies = await response.json();
        if (senderId !== state.senderId) return; // a new conversation started meanwhile
        const list = Array.isArray(replies) ? replies : [];
        if (list.some((r) => r?.custom && typeof r.custom === "object" && r.custom.handoff === true)) startHandoff();
        const shown = list
          .map((r) => cleanMessage({ from: "bot", text: r?.text, buttons: r?.buttons, image: r?.image }))
          .filter(Boolean);
        // While a person owns the conversation the bot is silent on purpose: no "not understood".
        if (!shown.length && !state.handoff) {
          // Silence may mean a staff member owns the conversation: ask once before apologising.
          if (await pollStaff(true)) return;
          shown.push({ from: "bot", text: T.empty });
        }
        shown.forEach(addMessage);
      } catch (error) {
        if (senderId !== state.senderId) return;
        const text = controller.signal.aborted ? T.timeout : /^HTTP 5/.test(error.message) ? T.serverError : T.unreachable;
        showError(text, () => deliver(message, inputType));
      } finally {
        clearTimeout(timer);
        if (inFlight === controller) {
          inFlight = null;
          setBusy(false);
        }
      }
    }

    // ----- staff replies (handoff) -----

    let pollTimer = null;

    function startHandoff() {
      if (!state.handoff) state.handoff = { since: Date.now(), taken: false };
      saveState(state);
      schedulePoll(0);
    }

    function stopHandoff() {
      clearTimeout(pollTimer);
      pollTimer = null;
      state.handoff = null;
      saveState(state);
    }

    function schedulePoll(delay) {
      clearTimeout(pollTimer);
      pollTimer = setTimeout(pollStaff, delay);
    }

    /**
     * One request for staff messages; with `once` it runs outside a handoff (answers to complaints,
     * or the bot fell silent). Resolves to true when a staff member owns the conversation.
     */
    async function pollStaff(once = false) {
      const senderId = state.senderId;
      const handoff = state.handoff;
      if (!handoff && !once) return false;
      try {
        const query = `sender=${encodeURIComponent(senderId)}&after=${state.staffAfter || 0}`;
        const response = await fetch(`/api/messages?${query}`, {
          headers: { Accept: "application/json" },
          cache: "no-store",
        });
        if (!response.ok || senderId !== state.senderId) throw new Error(`HTTP ${response.status}`);
        const data = await response.json();
        const messages = Array.isArray(data.messages) ? data.messages : [];
        for (const m of messages) {
          if (typeof m?.text !== "string" || !(Number(m.ts) > 0)) continue;
          if (Number(m.ts) <= (state.staffAfter || 0)) continue;
          state.staffAfter = Number(m.ts);
          addMessage({ from: "staff", text: m.text });
        }
        if (once && data.handoff_active === true && !state.handoff) {
          state.handoff = { since: Date.now(), taken: true };
          saveState(state);
          schedulePoll(POLL_MS);
          return true;
        }
        if (once || !state.handoff) return data.handoff_active === true;
        if (data.handoff_active === true) state.handoff.taken = true;
        const released = state.handoff.taken && data.handoff_active === false;
        const abandoned = !state.handoff.taken && Date.now() - state.handoff.since > UNTAKEN_GIVE_UP_MS;
        if (released || abandoned) {
          stopHandoff();
          return false;
        }
        saveState(state);
      } catch {
        // Network hiccup: keep trying at the same pace.
      }
      if (!once && state.handoff && senderId === state.senderId) schedulePoll(POLL_MS);
      return Boolean(state.handoff?.taken);
    }

    // ----- opening, closing, keyboard -----

    const fullScreen = window.matchMedia("(max-width: 600px)");
    const root = h("div", { class: "chat-widget", lang: "vi" }, launcher, panel);

    /** On phones the open panel covers the page: make it modal so Tab cannot wander behind it. */
    function syncModal() {
      const modal = !panel.hidden && fullScreen.matches;
      panel.setAttribute("aria-modal", String(modal));
      for (const child of document.body.children) {
        if (child !== root) child.inert = modal;
      }
    }

    function open(from) {
      opener = from instanceof HTMLElement ? from : launcher;
      panel.hidden = false;
      launcher.hidden = true;
      launcher.setAttribute("aria-expanded", "true");
      document.documentElement.classList.add("chat-is-open");
      state.open = true;
      saveState(state);
      syncModal();
      scrollToEnd();
      input.focus();
    }

    function close() {
      panel.hidden = true;
      launcher.hidden = false;
      launcher.setAttribute("aria-expanded", "false");
      document.documentElement.classList.remove("chat-is-open");
      state.open = false;
      saveState(state);
      syncModal();
      (opener && opener.isConnected && !opener.hidden ? opener : launcher).focus();
    }

    function startOver() {
      inFlight?.abort();
      inFlight = null;
      setBusy(false);
      hideError();
      state.senderId = newSenderId();
      state.messages = [];
      state.staffAfter = 0;
      stopHandoff();
      renderAll();
      input.value = "";
      updateCounter();
      input.focus();
    }

    function updateCounter() {
      const length = input.value.length;
      counter.textContent = `${length.toLocaleString("vi-VN")}/${MAX_LEN.toLocaleString("vi-VN")}`;
      counter.classList.toggle("is-near", length >= MAX_LEN * 0.9);
      hint.textContent = length >= MAX_LEN ? T.limitReached : T.hint;
      input.style.height = "auto";
      input.style.height = `${Math.min(input.scrollHeight, 140)}px`;
    }

    function submit() {
      const text = input.value.trim().slice(0, MAX_LEN);
      if (!text || inFlight) return;
      input.value = "";
      updateCounter();
      ask(text, text, "text");
    }

    launcher.addEventListener("click", () => open(launcher));
    closeButton.addEventListener("click", close);
    newButton.addEventListener("click", startOver);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      submit();
    });
    input.addEventListener("input", updateCounter);
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
        event.preventDefault();
        submit();
      }
    });
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && !event.isComposing && !panel.hidden) {
        event.preventDefault();
        close();
      }
    });
    document.addEventListener("click", (event) => {
      const trigger = event.target instanceof Element ? event.target.closest("[data-chat-open], [data-chat-ask]") : null;
      if (!trigger) return;
      event.preventDefault();
      open(trigger);
      const question = trigger.getAttribute("data-chat-ask");
      if (question) {
        if (inFlight) input.value = question;
        else ask(question, question, "text");
      }
    });

    renderAll();
    updateCounter();
    if (state.handoff) schedulePoll(0);
    else if (state.messages.length) pollStaff(true);
    fullScreen.addEventListener("change", syncModal);
    document.body.append(root);
    if (state.open) {
      panel.hidden = false;
      launcher.hidden = true;
      launcher.setAttribute("aria-expanded", "true");
      document.documentElement.classList.add("chat-is-open");
      syncModal();
      scrollToEnd();
    }
    return { open, close, startOver };
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", createWidget);
  else createWidget();
})();
