"""Short elliptical follow-ups about the procedure under discussion.

"còn lệ phí thì sao?", "nộp ở đâu?", "mất bao lâu?" name no procedure and, read without context,
are as close to general FAQs ("hoàn phí", "giờ làm việc") as to a procedure question; the NLU
sees one message at a time and may pick the FAQ. The dialogue knows the context: when a procedure
is under discussion and a short message is only an aspect cue, or a message points back to it
("thủ tục này gồm mấy bước"), it is a question about that procedure. Only short messages qualify
otherwise, so a real FAQ question is still answered as one. Cues: :mod:`actions.aspects`.
"""

from __future__ import annotations

from actions.aspects import INTENT_OF_ASPECT, aspects_in, folded_words, refers_to_context

MAX_FOLLOW_UP_WORDS = 7


def follow_up_aspects(text: str) -> list[str]:
    """The aspects of a follow-up like "thế còn phí và thời gian?", else []."""
    words = folded_words(text).split()
    if not words or (len(words) > MAX_FOLLOW_UP_WORDS and not refers_to_context(text)):
        return []
    return aspects_in(text)


def follow_up_aspect(text: str) -> str | None:
    """The intent of the first aspect of a follow-up, else None."""
    aspects = follow_up_aspects(text)
    return INTENT_OF_ASPECT[aspects[0]] if aspects else None
