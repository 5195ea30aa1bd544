"""Text normalisation applied to every resident message before any NLU step.

WeChat text arrives typed on phones or from speech recognition: full-width digits and
letters, stray emoji, zero-width characters, doubled punctuation and odd whitespace.
``normalise`` folds all of that into one canonical form so the tokeniser, the emergency
layer, the classifier and slot extraction see the same string, with the keyboard's slips of sound mended.  Pure and
idempotent.
"""

from __future__ import annotations

import re
import unicodedata

from nlp.spelling import correct

__all__ = ["normalise"]

# Zero-width and bidi formatting characters that survive NFKC.
_INVISIBLE = dict.fromkeys(
    map(ord, "\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff\u00ad"),
    None,
)
# Sentence punctuation is kept as a single space-free marker; runs of it collapse to one.
_MARKS = "!?,.;:~\u3002\u3001\u2026"  # after NFKC, full-width ,!?;: are already ASCII
_PUNCT_RUN = re.compile(f"([{_MARKS}])[{_MARKS}]+")
_SPACES = re.compile(r"\s+")
# A space between two CJK characters carries no meaning (speech input inserts them).
_CJK_GAP = re.compile(r"(?<=[\u3400-\u9fff]) (?=[\u3400-\u9fff])")


def _keep(ch: str) -> str:
    """Map one character: drop controls, symbols and emoji; keep letters, digits, punctuation."""
    cat = unicodedata.category(ch)
    if ch.isspace():
        return " "
    if cat[0] == "C":  # control, format, unassigned, private use
        return ""
    if cat == "So" or cat == "Sk" or cat == "Cs":  # emoji, dingbats, modifiers
        return " "
    return ch


def normalise(text: str, *, mend: bool = True) -> str:
    """Return the canonical form of ``text``.

    NFKC (full-width to half-width), lower-case Latin, invisible and control characters
    removed, emoji turned into spaces, punctuation runs collapsed to their first mark,
    whitespace collapsed, spaces between Chinese characters dropped, ends stripped, and common
    pinyin-keyboard slips put right (``nlp.spelling``: 楼到 → 楼道, meiqi → 煤气) unless ``mend``
    is false (the classifier learns from the training lines as written, slips and all, so a
    message that has no slip is read by the same model as before the mending came).
    A message made only of punctuation or symbols normalises to ``""``.
    """
    if not text:
        return ""
    s = unicodedata.normalize("NFKC", text).translate(_INVISIBLE)
    s = "".join(_keep(ch) for ch in s).lower()
    s = _PUNCT_RUN.sub(r"\1", s)
    s = _SPACES.sub(" ", s).strip()
    s = _CJK_GAP.sub("", s)
    if mend:
        s = correct(s)
    if not any(ch.isalnum() for ch in s):
        return ""
    return s
