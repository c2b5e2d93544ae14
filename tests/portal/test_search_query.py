"""Query understanding (portal/search/query.py): what the engines are asked to find.

These protect the vocabulary rules citizens rely on, independently of any database.
"""

from __future__ import annotations

import pytest

from portal.search.query import MAX_QUERY_CHARS, Vocabulary, document_key, extract_code, load_vocabulary, parse_query


def readings(q: str) -> list[str]:
    return [" ".join(v) for v in parse_query(q).variants]


def test_question_cues_and_filler_are_removed() -> None:
    """ "cho hỏi ... mất bao lâu / cần giấy tờ gì ạ" leaves only what is asked about."""
    assert readings("cho hoi lam cccd mat bao lau") == ["cap the can cuoc"]
    assert readings("Cho hỏi làm căn cước cần giấy tờ gì ạ") == ["cap the can cuoc"]
    assert parse_query("cho hỏi bao lâu ở đâu ạ").is_empty


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("đk hkd", "dang ky thanh lap ho kinh doanh"),
        ("dk tam tru", "dang ky tam tru"),
        ("doi gplx", "doi giay phep lai xe"),
        ("rút bhxh 1 lần", "huong bao hiem xa hoi mot lan"),
        ("passport", "ho chieu pho thong"),
        ("xin giấy độc thân", "cap xac nhan tinh trang hon nhan"),
        ("lam lai bang lai", "cap lai giay phep lai xe"),
    ],
)
def test_abbreviations_teencode_and_colloquial_names_become_catalog_words(q: str, expected: str) -> None:
    """Abbreviations, teencode and colloquial names map to the catalog's own phrasing."""
    assert any(expected in reading for reading in readings(q)), readings(q)


def test_colloquial_name_with_several_meanings_keeps_each_reading() -> None:
    """ "nhập khẩu" is residence registration for citizens but also customs import: both stay,
    unless the words around it settle it ("nhập khẩu cho con" is a household matter)."""
    assert readings("nhập khẩu") == ["dang ky thuong tru", "nhap khau"]
    assert [r.split()[:4] for r in readings("nhập khẩu cho con")] == [["dang", "ky", "thuong", "tru"]]


def test_accented_input_only_matches_accented_rules() -> None:
    """ "sơ đồ" (diagram) is not "sổ đỏ"; unaccented "so do" may be either, so it maps."""
    assert readings("sơ đồ") == ["so do"]
    assert "giay chung nhan quyen su dung dat" in readings("so do")
    assert "giay chung nhan quyen su dung dat" in readings("sổ đỏ")


def test_unaccented_stop_words_never_eat_catalog_words() -> None:
    """Unaccented "can" may be "căn" (căn cước): only the accented "cần" is filler."""
    assert readings("can cuoc") == ["can cuoc"]
    assert readings("cần căn cước") == ["can cuoc"]


def test_nfd_and_tone_placement_do_not_change_the_reading() -> None:
    """NFD text and the other tone-mark placement read the same as NFC."""
    import unicodedata

    assert readings(unicodedata.normalize("NFD", "hoà giải")) == readings("hòa giải")


@pytest.mark.parametrize(
    ("text", "code"),
    [("1.004222", "1.004222"), ("ma 1004222", "1.004222"), ("thủ tục 1. 004222 ạ", "1.004222"), ("12.0042221", None)],
)
def test_procedure_codes_are_recognised_in_the_forms_citizens_type(text: str, code: str | None) -> None:
    """A national code typed with or without its dot is picked out; longer digit runs are not codes."""
    assert extract_code(text) == code


def test_terms_are_safe_for_every_engine_syntax() -> None:
    """Only [0-9a-z] words leave the parser, whatever was typed."""
    parsed = parse_query("\" * NEAR(' OR -x) ; DROP TABLE 😀 申请 khai_sinh")
    assert all(t.isascii() and t.isalnum() and t == t.lower() for t in parsed.terms)


def test_overlong_query_is_truncated() -> None:
    """10,000 pasted characters are cut before any work is done."""
    assert len(parse_query("khai sinh " * 1000).text) <= MAX_QUERY_CHARS


def test_document_keys_expand_abbreviations_in_names() -> None:
    """Names write "BHXH", "TNCN": indexed as the full words a citizen may type."""
    assert document_key("Cấp lại, đổi, điều chỉnh thông tin trên sổ BHXH, thẻ BHYT") == (
        "cap lai doi dieu chinh thong tin tren so bao hiem xa hoi the bao hiem y te"
    )


def test_staff_can_extend_the_vocabulary_with_data() -> None:
    """A new colloquial name is a data change: from_mapping (as from synonyms.yml) is enough."""
    vocab = Vocabulary.from_mapping({"colloquial": {"giấy phép câu cá": ["giấy phép khai thác thủy sản"]}})
    assert [" ".join(v) for v in parse_query("xin giay phep cau ca", vocab).variants] == [
        "xin giay phep khai thac thuy san"
    ]


def test_shipped_vocabulary_loads_and_lists_popular_codes() -> None:
    """synonyms.yml parses, and its popular list holds national codes."""
    vocab = load_vocabulary()
    assert "1.014061" in vocab.popular
    assert all(len(c) == 8 and c[1] == "." for c in vocab.popular)


def test_full_width_letters_from_phone_keyboards_are_read_as_plain_letters() -> None:
    """Full-width "ｋｈａｉ ｓｉｎｈ" reads as "khai sinh"."""
    assert readings("ｋｈａｉ ｓｉｎｈ") == ["khai sinh"]
