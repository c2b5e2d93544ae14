"""Lexical FAQ matching: accent-insensitive, rare words decide, unrelated questions get nothing."""

from __future__ import annotations

import pytest

from console.models import Faq
from console.services.matching import MatchIndex, similarity

FAQS = [
    Faq(
        key="gio_lam_viec",
        title="Giờ làm việc",
        questions=["bộ phận một cửa làm việc mấy giờ", "thứ bảy có nhận hồ sơ không"],
    ),
    Faq(key="ngay_le", title="Ngày lễ", questions=["nghỉ lễ có nhận hồ sơ không", "Tết cơ quan nghỉ đến ngày nào"]),
    Faq(
        key="khai_sinh", title="Đăng ký khai sinh", questions=["làm giấy khai sinh cho con", "đăng ký khai sinh ở đâu"]
    ),
    Faq(key="otp", title="Không nhận được mã OTP", questions=["không nhận được mã otp", "mã xác thực không gửi về"]),
]


def test_identical_text_scores_one_and_accents_do_not_matter() -> None:
    """Typing without diacritics or in capitals gives the same score as the accented text."""
    assert similarity("Đăng ký khai sinh", "dang ky KHAI SINH") == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("question", "key"),
    [
        ("mot cua lam viec may gio", "gio_lam_viec"),
        ("nghi le co nhan ho so khong", "ngay_le"),
        ("dang ky khai sinh cho be o dau", "khai_sinh"),
        ("khong nhan dc ma otp", "otp"),
    ],
)
def test_unaccented_questions_find_their_faq(question: str, key: str) -> None:
    assert MatchIndex(FAQS).best(question)[0].faq.key == key


def test_common_words_alone_do_not_match() -> None:
    """ "có ... không" appears everywhere; sharing only those words is not a match."""
    assert MatchIndex(FAQS).best("vậy có không ạ") == []
    assert MatchIndex(FAQS).best("xin chào") == []


def test_scores_sorted_limited_and_bounded() -> None:
    results = MatchIndex(FAQS).best("nhận hồ sơ không", limit=2, min_score=0.0)
    assert len(results) == 2 and results[0].score >= results[1].score
    assert all(0.0 <= r.score <= 1.0 for r in results)


def test_no_published_faqs_no_results() -> None:
    assert MatchIndex([]).best("bất cứ câu gì") == []
