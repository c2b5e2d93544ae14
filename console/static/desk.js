// Desk conversation page: refresh the transcript every 3 s so staff see the citizen's new
// messages without reloading (the reply form keeps what is being typed). Text only, no innerHTML.
"use strict";
// The queue page reloads itself every 20 s (new requests appear without staff pressing F5).
(() => {
  const queue = document.querySelector("[data-auto-refresh]");
  const seconds = queue ? Number(queue.dataset.autoRefresh) : 0;
  if (seconds > 0) setInterval(() => document.hidden || window.location.reload(), seconds * 1000);
})();

(() => {
  const box = document.getElementById("transcript");
  if (!box || !box.dataset.source) return;
  const WHO = { user: "Người dân", bot: "Trợ lý ảo", staff: "Cán bộ" };
  const pad = (n) => String(n).padStart(2, "0");
  // Same shape as the server's "23/11/2026 14:05", so refreshed lines look like the first ones.
  const fmt = (d) => `${pad(d.getDate())}/${pad(d.getMonth() + 1)}/${d.getFullYear()} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
  let shown = "";

  function lineNode(line) {
    const node = document.createElement("div");
    node.className = `line line-${WHO[line.role] ? line.role : "bot"}`;
    const who = document.createElement("span");
    who.className = "who";
    who.textContent = WHO[line.role] || WHO.bot;
    const at = document.createElement("span");
    at.className = "at";
    at.textContent = fmt(new Date(line.at));
    const text = document.createElement("div");
    text.className = "text";
    text.textContent = line.text;
    node.append(who, " ", at, text);
    return node;
  }

  async function refresh() {
    try {
      const response = await fetch(box.dataset.source, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (!response.ok) return;
      const data = await response.json();
      if (!Array.isArray(data.lines)) return;
      const signature = JSON.stringify([data.lines.length, data.lines[data.lines.length - 1] || null]);
      if (signature === shown) return;
      const nearBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
      box.replaceChildren(...data.lines.map(lineNode));
      shown = signature;
      if (nearBottom) box.scrollTop = box.scrollHeight;
      if (data.status !== box.dataset.status) {
        const status = document.getElementById("handoff-status");
        if (status) status.textContent = { open: "Đang chờ", taken: "Đang xử lý", closed: "Đã xong" }[data.status] || data.status;
      }
    } catch {
      // Offline for a moment: the next tick tries again.
    }
  }

  box.scrollTop = box.scrollHeight;
  if (box.dataset.status !== "closed") setInterval(refresh, 3000);
})();
