// Review page: the trainer selects words in the citizen's message and assigns an entity type.
// Spans are kept as [{start, end, entity}] in the hidden "entities" field (character offsets in
// the message as shown); the server checks them again (whole words, no overlap, known type).
"use strict";
(() => {
  const box = document.getElementById("message-text");
  const field = document.getElementById("entities-json");
  const list = document.getElementById("entity-list");
  const addButton = document.getElementById("add-entity");
  const typeSelect = document.getElementById("entity-type");
  const errorLine = document.getElementById("selection-error");
  if (!box || !field || !list || !addButton || !typeSelect) return;
  const text = box.dataset.text || "";
  let spans = [];
  try { spans = JSON.parse(field.value || "[]"); } catch (_) { spans = []; }

  const showError = (message) => {
    errorLine.textContent = message;
    errorLine.hidden = !message;
  };

  const render = () => {
    spans.sort((a, b) => a.start - b.start);
    field.value = JSON.stringify(spans);
    box.textContent = "";
    let cursor = 0;
    for (const span of spans) {
      box.append(text.slice(cursor, span.start));
      const mark = document.createElement("mark");
      mark.textContent = text.slice(span.start, span.end);
      mark.title = span.entity;
      box.append(mark);
      cursor = span.end;
    }
    box.append(text.slice(cursor));
    list.textContent = "";
    if (!spans.length) {
      const empty = document.createElement("li");
      empty.className = "hint";
      empty.textContent = list.dataset.empty;
      list.append(empty);
    }
    spans.forEach((span, index) => {
      const item = document.createElement("li");
      item.textContent = `${span.entity}: “${text.slice(span.start, span.end)}”`;
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "link-button entity-remove";
      remove.textContent = "Bỏ";
      remove.setAttribute("aria-label", `Bỏ ${span.entity} “${text.slice(span.start, span.end)}”`);
      remove.addEventListener("click", () => { spans.splice(index, 1); render(); });
      item.append(remove);
      list.append(item);
    });
  };

  // Character offset of a (node, offset) selection point inside the message box.
  const offsetOf = (node, offset) => {
    const range = document.createRange();
    range.selectNodeContents(box);
    range.setEnd(node, offset);
    return range.toString().length;
  };

  addButton.addEventListener("click", () => {
    const selection = window.getSelection();
    if (!selection || selection.isCollapsed || !box.contains(selection.anchorNode) || !box.contains(selection.focusNode)) {
      showError("Hãy bôi đen một đoạn chữ trong tin nhắn trước.");
      return;
    }
    let start = offsetOf(selection.anchorNode, selection.anchorOffset);
    let end = offsetOf(selection.focusNode, selection.focusOffset);
    if (start > end) [start, end] = [end, start];
    while (start < end && /\s/.test(text[start])) start += 1;  // trim spaces the mouse picked up
    while (end > start && /\s/.test(text[end - 1])) end -= 1;
    if (start === end) { showError("Đoạn đã chọn chỉ có dấu cách."); return; }
    if (spans.some((s) => start < s.end && s.start < end)) {
      showError("Đoạn này chồng lên thông tin đã gán. Hãy bỏ thông tin cũ trước.");
      return;
    }
    spans.push({ start, end, entity: typeSelect.value });
    selection.removeAllRanges();
    showError("");
    render();
  });
  render();
})();
