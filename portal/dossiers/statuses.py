"""The 10 national dossier statuses and what each means for the citizen, in plain Vietnamese.

Codes are the ones synchronised with the national portal. "Quá hạn" (overdue) is not a status: it is
derived from the appointment date for dossiers that are still open.
"""

from __future__ import annotations

from datetime import date, timedelta

NEW, RECEIVED, REJECTED, PROCESSING, SUPPLEMENT, PAYMENT, WITHDRAWN, STOPPED, DONE, RETURNED = range(1, 11)

OFFICIAL_NAMES: dict[int, str] = {
    NEW: "Mới đăng ký",
    RECEIVED: "Được tiếp nhận",
    REJECTED: "Không được tiếp nhận",
    PROCESSING: "Đang xử lý",
    SUPPLEMENT: "Yêu cầu bổ sung giấy tờ",
    PAYMENT: "Yêu cầu thực hiện nghĩa vụ tài chính",
    WITHDRAWN: "Công dân yêu cầu rút hồ sơ",
    STOPPED: "Dừng xử lý",
    DONE: "Đã xử lý xong",
    RETURNED: "Đã trả kết quả",
}

# What the status means, said the way a one-stop desk officer would say it to a citizen.
PLAIN_LABELS: dict[int, str] = {
    NEW: "Hồ sơ đã được nộp, đang chờ cơ quan kiểm tra và tiếp nhận.",
    RECEIVED: "Hồ sơ đã được tiếp nhận và sẽ được chuyển đến bộ phận giải quyết.",
    REJECTED: "Hồ sơ không được tiếp nhận.",
    PROCESSING: "Hồ sơ đang được cơ quan giải quyết.",
    SUPPLEMENT: "Cơ quan đề nghị bạn bổ sung giấy tờ.",
    PAYMENT: "Bạn cần nộp phí, lệ phí để hồ sơ được tiếp tục giải quyết.",
    WITHDRAWN: "Hồ sơ đã được rút theo đề nghị của bạn.",
    STOPPED: "Hồ sơ đã bị dừng xử lý.",
    DONE: "Hồ sơ đã giải quyết xong, kết quả đang chờ bạn nhận.",
    RETURNED: "Kết quả đã được trả cho bạn.",
}

FINISHED = frozenset({DONE, RETURNED})
CLOSED = frozenset({REJECTED, WITHDRAWN, STOPPED})
CHANNEL_LABELS = {"in_person": "Trực tiếp", "online": "Trực tuyến", "post": "Dịch vụ bưu chính"}


def is_open(status: int) -> bool:
    return status not in FINISHED and status not in CLOSED


def is_overdue(status: int, appointment: date | None, today: date) -> bool:
    """Past the appointment date (ngày hẹn trả) and neither finished nor closed."""
    return appointment is not None and is_open(status) and today > appointment


def format_date(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def format_vnd(amount: int) -> str:
    """20000 -> "20.000 đồng" (Vietnamese thousands separator)."""
    return f"{amount:,}".replace(",", ".") + " đồng"


def add_working_days(start: date, days: int) -> date:
    """``start`` plus ``days`` working days, skipping Saturdays and Sundays (public holidays ignored)."""
    current = start
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            remaining -= 1
    return current


def next_step(
    status: int,
    *,
    unit: str,
    channel: str,
    appointment: date | None,
    today: date,
    fee_due: int,
    supplement_documents: list[str],
    supplement_due: date | None,
) -> str:
    """What the citizen should do now, in one or two plain sentences."""
    # Overdue while the agency holds the dossier: the citizen can chase it. (For 5 and 6 the
    # dossier waits on the citizen, so the action comes first.)
    if status in (RECEIVED, PROCESSING) and is_overdue(status, appointment, today):
        return (
            f"Hồ sơ đã quá ngày hẹn trả ({format_date(appointment)}). Bạn có thể liên hệ {unit} để hỏi tiến độ, "
            "hoặc gửi phản ánh, kiến nghị trên Cổng Dịch vụ công quốc gia."
        )
    if status == NEW:
        return "Bạn chưa cần làm gì thêm. Cơ quan sẽ kiểm tra và thông báo khi hồ sơ được tiếp nhận."
    if status in (RECEIVED, PROCESSING):
        when = f" Ngày hẹn trả kết quả: {format_date(appointment)}." if appointment else ""
        return f"Bạn chưa cần làm gì thêm, hồ sơ đang được giải quyết.{when}"
    if status == SUPPLEMENT:
        documents = "; ".join(supplement_documents) or "các giấy tờ theo thông báo của cơ quan"
        deadline = f" trước ngày {format_date(supplement_due)}" if supplement_due else ""
        return (
            f"Bạn cần bổ sung: {documents}. Hãy nộp bổ sung{deadline} tại {unit} "
            "hoặc trực tuyến trên Cổng Dịch vụ công."
        )
    if status == PAYMENT:
        amount = format_vnd(fee_due) if fee_due > 0 else "phí, lệ phí theo thông báo"
        return f"Bạn cần nộp {amount} (trực tuyến trên Cổng Dịch vụ công hoặc tại {unit}) để hồ sơ được tiếp tục."
    if status == REJECTED:
        return f"Bạn xem lý do trong quá trình xử lý bên dưới; nếu cần, hãy chuẩn bị lại hồ sơ hoặc liên hệ {unit}."
    if status == WITHDRAWN:
        return "Hồ sơ đã được rút. Nếu muốn làm lại thủ tục, bạn cần nộp hồ sơ mới."
    if status == STOPPED:
        return f"Bạn liên hệ {unit} để biết lý do dừng xử lý và cách giải quyết tiếp."
    if status == DONE:
        if channel == "post":
            return "Kết quả sẽ được gửi đến bạn qua dịch vụ bưu chính theo địa chỉ đã đăng ký."
        return f"Bạn mang giấy tiếp nhận hồ sơ và thẻ căn cước đến {unit} để nhận kết quả."
    return "Hồ sơ đã hoàn tất, bạn không cần làm gì thêm."
