// Training run page: while the run is queued or running, poll its JSON status every 2 seconds,
// show the phase, elapsed time and log tail, and reload the page once it ends (to show scores
// and the activate/discard buttons, rendered by the server).
"use strict";
(() => {
  const box = document.getElementById("run-progress");
  if (!box || box.dataset.finished === "true") return;
  const phaseLine = document.getElementById("run-phase");
  const log = document.getElementById("run-log");
  const badge = document.getElementById("run-status");
  const phases = { training: "Đang huấn luyện", evaluating: "Đang đánh giá trên bộ kiểm thử" };
  const labels = { queued: "Đang chờ", running: "Đang chạy", succeeded: "Hoàn tất", failed: "Thất bại" };
  let failures = 0;
  const poll = async () => {
    try {
      const response = await fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (!response.ok || !(response.headers.get("content-type") || "").includes("json")) throw new Error(String(response.status));
      const status = await response.json();
      failures = 0;
      if (status.finished) { window.location.reload(); return; }
      badge.textContent = labels[status.status] || status.status;
      phaseLine.textContent = `${phases[status.phase] || "Đang chờ bắt đầu"}… đã chạy ${status.elapsed_seconds} giây. Trang tự cập nhật.`;
      if (status.log_tail) { log.textContent = status.log_tail; log.scrollTop = log.scrollHeight; }
    } catch (_) {
      failures += 1;
      if (failures >= 3) phaseLine.textContent = "Mất kết nối với bảng điều khiển; đang thử lại… (quá trình huấn luyện vẫn tiếp tục).";
    }
    window.setTimeout(poll, 2000);
  };
  window.setTimeout(poll, 1000);
})();
