"""FAQ curation: validation of staff input, create/edit, publish/unpublish, search.

Everything staff type is NFC-normalized with the project's one tone-mark convention, so
"hoà"/"hòa" typed at two desks are one spelling in the bot's training data and in matching.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy import update as sql_update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from common.text.normalize import fold_accents, normalize_text
from console.models import Faq, User, utcnow
from console.services import audit

KEY_RE = re.compile(r"^[a-z0-9]+(?:_[a-z0-9]+)*$")
MAX_KEY = 60
MAX_TITLE = 200
MAX_QUESTION = 300
MAX_QUESTIONS = 100
MAX_ANSWER = 2000  # Zalo refuses longer messages (see data/nlu/faq_responses.yml)
MAX_TAG = 40
MAX_TAGS = 20
MIN_QUESTIONS_TO_PUBLISH = 2
DUPLICATE_KEY = "Mã câu hỏi này đã được dùng, vui lòng chọn mã khác."
_SPACES = re.compile(r"[ \t\u00a0\u2028\u2029]+")


class FaqConflictError(RuntimeError):
    """Someone saved this FAQ after the editor opened it: saving now would silently undo their work."""

    message = (
        "Câu hỏi này vừa được một cán bộ khác sửa sau khi bạn mở trang. Nội dung bạn nhập vẫn còn bên dưới; "
        "hãy mở bản mới nhất trong tab khác, so sánh rồi lưu lại."
    )


def version_of(faq: Faq) -> str:
    """The edit form's concurrency token: when the FAQ was last saved."""
    return faq.updated_at.isoformat(timespec="microseconds") if faq.updated_at else ""


class FaqValidationError(ValueError):
    """Field -> Vietnamese message, shown next to each form field."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


@dataclass
class FaqInput:
    """What the form (or the importer) submits, before validation."""

    key: str = ""
    title: str = ""
    questions: str | list[str] = ""
    answer: str = ""
    tags: str | list[str] = ""


@dataclass
class CleanFaq:
    key: str
    title: str
    questions: list[str] = field(default_factory=list)
    answer: str = ""
    tags: list[str] = field(default_factory=list)


def clean_line(text: str) -> str:
    """One line of text: normalized, whitespace collapsed, no line breaks."""
    return _SPACES.sub(" ", normalize_text(text).replace("\r", " ").replace("\n", " ")).strip()


def clean_answer(text: str) -> str:
    """Answer text keeps its line breaks (the widget shows them) but loses trailing spaces and \\r."""
    lines = [_SPACES.sub(" ", line).rstrip() for line in normalize_text(text).replace("\r\n", "\n").split("\n")]
    return "\n".join(lines).strip("\n ").replace("\r", "")


def slugify(text: str) -> str:
    """A key from a title: "Cấp lại hộ chiếu" -> "cap_lai_ho_chieu"."""
    folded = fold_accents(normalize_text(text))
    return re.sub(r"[^a-z0-9]+", "_", folded).strip("_")[:MAX_KEY].strip("_")


def _split(value: str | list[str], separators: str) -> list[str]:
    if isinstance(value, list):
        return value
    return re.split(separators, value)


def unique_questions(values: list[str]) -> list[str]:
    """Cleaned variants without duplicates (case-insensitive), first spelling kept, order kept."""
    seen: set[str] = set()
    out: list[str] = []
    for value in values:
        text = clean_line(value)
        if text and text.casefold() not in seen:
            seen.add(text.casefold())
            out.append(text)
    return out


def validate(data: FaqInput, *, key_required: bool = True) -> CleanFaq:
    """Clean and check the input; raises :class:`FaqValidationError` with every problem at once."""
    errors: dict[str, str] = {}
    title = clean_line(data.title)
    key = data.key.strip().lower() or (slugify(title) if key_required else "")
    questions = unique_questions(_split(data.questions, r"\n"))
    answer = clean_answer(data.answer)
    tags: list[str] = []
    for tag in _split(data.tags, r"[,\n]"):
        tag = clean_line(tag).lower()
        if tag and tag not in tags:
            tags.append(tag)

    if key_required:
        if not key:
            errors["key"] = "Vui lòng nhập mã câu hỏi (ví dụ: cap_lai_ho_chieu)."
        elif len(key) > MAX_KEY or not KEY_RE.match(key):
            errors["key"] = (
                f"Mã chỉ gồm chữ thường không dấu, số và dấu gạch dưới, tối đa {MAX_KEY} ký tự "
                "(ví dụ: cap_lai_ho_chieu)."
            )
    if not title:
        errors["title"] = "Vui lòng nhập tiêu đề."
    elif len(title) > MAX_TITLE:
        errors["title"] = f"Tiêu đề dài tối đa {MAX_TITLE} ký tự."
    if not questions:
        errors["questions"] = "Vui lòng nhập ít nhất một cách hỏi (mỗi dòng một câu)."
    elif len(questions) > MAX_QUESTIONS:
        errors["questions"] = f"Tối đa {MAX_QUESTIONS} cách hỏi."
    elif any(len(q) > MAX_QUESTION for q in questions):
        errors["questions"] = f"Mỗi cách hỏi dài tối đa {MAX_QUESTION} ký tự."
    if not answer:
        errors["answer"] = "Vui lòng nhập câu trả lời."
    elif len(answer) > MAX_ANSWER:
        errors["answer"] = f"Câu trả lời dài tối đa {MAX_ANSWER} ký tự."
    if len(tags) > MAX_TAGS or any(len(t) > MAX_TAG for t in tags):
        errors["tags"] = f"Tối đa {MAX_TAGS} nhãn, mỗi nhãn tối đa {MAX_TAG} ký tự."
    if errors:
        raise FaqValidationError(errors)
    return CleanFaq(key=key, title=title, questions=questions, answer=answer, tags=tags)


def _search_text(faq: Faq) -> str:
    parts = [faq.key.replace("_", " "), faq.title, *(faq.questions or []), *(faq.tags or []), faq.answer]
    return fold_accents(" \n".join(parts))


def _apply(faq: Faq, clean: CleanFaq, actor: User | None) -> None:
    faq.title = clean.title
    faq.questions = clean.questions
    faq.answer = clean.answer
    faq.tags = clean.tags
    faq.search_text = _search_text(faq)
    faq.updated_at = utcnow()
    faq.updated_by = actor.id if actor else None


def get(session: Session, key: str) -> Faq | None:
    return session.execute(select(Faq).where(Faq.key == key)).scalar_one_or_none()


def create(session: Session, data: FaqInput, actor: User | None, status: str = "draft") -> Faq:
    """A new FAQ (draft unless told otherwise, e.g. by the importer)."""
    clean = validate(data)
    if get(session, clean.key) is not None:
        raise FaqValidationError({"key": DUPLICATE_KEY})
    faq = Faq(key=clean.key, status="draft")
    _apply(faq, clean, actor)
    try:
        with session.begin_nested():  # two desks creating the same key at the same moment
            session.add(faq)
    except IntegrityError:
        raise FaqValidationError({"key": DUPLICATE_KEY}) from None
    audit.record(session, actor, "faq.create", "faq", faq.key, None, audit.faq_snapshot(faq))
    if status == "published":
        publish(session, faq, actor)
    return faq


def update(session: Session, faq: Faq, data: FaqInput, actor: User | None, expected_version: str | None = None) -> bool:
    """Edit the FAQ (its key never changes: the bot's training data refers to it). True if changed.

    A published FAQ stays published and must stay publishable. ``expected_version`` is the
    :func:`version_of` the editor saw; when another save came in between, nothing is written and
    :class:`FaqConflictError` is raised (checked again in the database, so two saves racing each
    other cannot both win)."""
    if expected_version is not None and expected_version != version_of(faq):
        raise FaqConflictError(FaqConflictError.message)
    clean = validate(
        FaqInput(key=faq.key, title=data.title, questions=data.questions, answer=data.answer, tags=data.tags)
    )
    if faq.status == "published" and len(clean.questions) < MIN_QUESTIONS_TO_PUBLISH:
        raise FaqValidationError({"questions": _publish_message()})
    before = audit.faq_snapshot(faq)
    candidate = {
        **before,
        "title": clean.title,
        "questions": clean.questions,
        "answer": clean.answer,
        "tags": clean.tags,
    }
    if candidate == before:
        return False
    claimed = session.execute(
        sql_update(Faq)
        .where(Faq.id == faq.id, Faq.updated_at == faq.updated_at)
        .values(updated_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        raise FaqConflictError(FaqConflictError.message)
    _apply(faq, clean, actor)
    audit.record(session, actor, "faq.update", "faq", faq.key, before, audit.faq_snapshot(faq))
    return True


def _publish_message() -> str:
    return f"Cần ít nhất {MIN_QUESTIONS_TO_PUBLISH} cách hỏi khác nhau để trợ lý nhận ra câu hỏi này."


def publish(session: Session, faq: Faq, actor: User | None) -> None:
    """Make the FAQ answerable by the assistant now (API) and at the next training (export)."""
    if len(faq.questions or []) < MIN_QUESTIONS_TO_PUBLISH:
        raise FaqValidationError({"questions": _publish_message()})
    if faq.status == "published":
        return
    before = audit.faq_snapshot(faq)
    faq.status = "published"
    faq.published_at = utcnow()
    faq.updated_at = faq.published_at
    faq.updated_by = actor.id if actor else None
    audit.record(session, actor, "faq.publish", "faq", faq.key, before, audit.faq_snapshot(faq))


def unpublish(session: Session, faq: Faq, actor: User | None) -> None:
    """Back to draft: the API stops answering with it at once."""
    if faq.status != "published":
        return
    before = audit.faq_snapshot(faq)
    faq.status = "draft"
    faq.updated_at = utcnow()
    faq.updated_by = actor.id if actor else None
    audit.record(session, actor, "faq.unpublish", "faq", faq.key, before, audit.faq_snapshot(faq))


def search(session: Session, text: str = "", status: str = "", limit: int = 200) -> list[Faq]:
    """FAQs whose folded text contains every folded word of ``text`` ("ho chieu" finds "hộ chiếu")."""
    query = select(Faq)
    if status:
        query = query.where(Faq.status == status)
    for word in fold_accents(normalize_text(text)).split()[:10]:
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(Faq.search_text.like(f"%{escaped}%", escape="\\"))
    return list(session.execute(query.order_by(Faq.updated_at.desc(), Faq.id.desc()).limit(limit)).scalars().all())


def published(session: Session) -> list[Faq]:
    return list(session.execute(select(Faq).where(Faq.status == "published").order_by(Faq.key)).scalars().all())


def count(session: Session) -> int:
    return int(session.execute(select(func.count(Faq.id))).scalar_one())
