"""Phone numbers: Chinese mobiles and landlines, typed or read out in Chinese digits."""

from __future__ import annotations

import re

from nlp.numerals import DIGITS, to_halfwidth

__all__ = ["find_phones", "mask_phones"]

_SEP = r"[\s-]?"
_MOBILE = re.compile(rf"(?<!\d)(?:\+?86{_SEP})?(1[3-9]\d){_SEP}(\d{{4}}){_SEP}(\d{{4}})(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)(0\d{2,3})(?:-|\s)?([2-9]\d{6,7})(?!\d)")
_CN_DIGIT = "零〇一幺二三四五六七八九"
_SPOKEN_MOBILE = re.compile(rf"(?<![{_CN_DIGIT}])[一幺][三四五六七八九][{_CN_DIGIT}]{{9}}(?![{_CN_DIGIT}])")


def find_phones(text: str) -> list[tuple[int, int, str]]:
    """Return (start, end, digits) for every phone number in `text`, in order of appearance."""
    s = to_halfwidth(text)
    found: list[tuple[int, int, str]] = []
    for m in _MOBILE.finditer(s):
        found.append((m.start(), m.end(), "".join(m.groups())))
    for m in _LANDLINE.finditer(s):
        if not any(a < m.end() and m.start() < b for a, b, _ in found):
            found.append((m.start(), m.end(), m.group(1) + m.group(2)))
    for m in _SPOKEN_MOBILE.finditer(s):
        found.append((m.start(), m.end(), "".join(str(DIGITS[c]) for c in m.group())))
    return sorted(found)


def mask_phones(text: str, phones: list[tuple[int, int, str]]) -> str:
    """Blank out phone spans (same length) so their digits are not read as an address."""
    for start, end, _ in phones:
        text = text[:start] + "※" * (end - start) + text[end:]
    return text
