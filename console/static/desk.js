// Desk conversation page: refresh the transcript every 3 s so staff see the citizen's new
// messages without reloading (the reply form keeps what is being typed). Text only, no innerHTML.
"use strict";
(() => {
  const box = document.getElementById("transcript");
  if (!box || !box.dataset.source) return;
  const WHO = { user: "Người dân", bot: "Trợ lý ảo", staff: "Cán bộ" };
  const fmt = new Intl.DateTimeFormat("vi-VN", { day: "2-digit", month: "2-digit", year: "numeric", hour: "2-digit", minute: "2-digit" });
  let shown = box.querySelectorAll(".line").length;

  function lineNode(line) {
    const node = document.createElement("div");
    node.className = `line line-${WHO[line.role] ? line.role : "bot"}`;
    const who = document.createElement("span");
    who.className = "who";
    who.textContent = WHO[line.role] || WHO.bot;
    const at = document.createElement("span");
    at.className = "at";
    at.textContent = fmt.format(new Date(line.at)).replace(",", "");
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
      if (!Array.isArray(data.lines) || data.lines.length === shown) return;
      const nearBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
      box.replaceChildren(...data.lines.map(lineNode));
      shown = data.lines.length;
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
