"""Chinese numerals and full-width digits to Arabic digit strings.

Meant for short spans already known to be numbers (a building, unit or room number, a phone
number): 九零一 → "901", 十二 → "12", 二十三 → "23", 一千二百零三 → "1203", 十二零一 → "1201".
Never run it over a whole sentence: 一直 is not a number.
"""

from __future__ import annotations

__all__ = ["DIGITS", "NUMERAL_CHARS", "UNITS", "parse_positional", "to_arabic", "to_halfwidth"]

#: Single digits as spoken or typed. 幺 is "one" when reading out phone and room numbers.
_SPELLINGS = ("零〇○洞", "一幺壹", "二两贰", "三叁", "四肆", "五伍", "六陆", "七柒拐", "八捌", "九玖勾")
DIGITS: dict[str, int] = {ch: value for value, chars in enumerate(_SPELLINGS) for ch in chars}
# 洞/拐/勾 are radio-style readings; they are only digits inside a span already known to be a number.
_PLAIN_DIGITS = "零〇○一幺壹二两贰三叁四肆五伍六陆七柒八捌九玖"

UNITS: dict[str, int] = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}

#: Characters that may make up a number written in Chinese (for building regular expressions).
NUMERAL_CHARS: str = _PLAIN_DIGITS + "十拾百佰千仟"

_HALFWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_HALFWIDTH[0x3000] = 0x20  # ideographic space
_HALFWIDTH.update({ord("—"): ord("-"), ord("－"): ord("-"), ord("–"): ord("-"), ord("―"): ord("-")})


def to_halfwidth(text: str) -> str:
    """Full-width ASCII (１２３, ＡＢ, ＃, －) and dashes to plain ASCII; the length never changes."""
    return text.translate(_HALFWIDTH)


def parse_positional(s: str) -> int | None:
    """Parse a positional Chinese numeral below 10 000 (十二, 二十三, 一千二百零三, 六百一).

    Returns None when `s` is not a well-formed positional numeral (e.g. 十二零一 or 九零一).
    The colloquial clipped tail is understood: 六百一 is 610, 一千二 is 1200.
    """
    if not s:
        return None
    total = 0
    pending: int | None = None  # a digit waiting for its unit
    last_unit = 100_000
    after_zero = False
    saw_unit = False
    for i, ch in enumerate(s):
        if ch in UNITS:
            unit = UNITS[ch]
            if unit >= last_unit:
                return None
            if pending is None:
                if i != 0 or unit != 10:  # only a leading 十 may omit its 一
                    return None
                pending = 1
            total += pending * unit
            pending = None
            last_unit = unit
            after_zero = False
            saw_unit = True
        elif ch in DIGITS:
            value = DIGITS[ch]
            if value == 0:
                if pending is not None or after_zero or not saw_unit:
                    return None
                after_zero = True
                continue
            if pending is not None:
                return None
            pending = value
        else:
            return None
    if not saw_unit:
        return None
    if pending is not None:
        if after_zero or last_unit == 10:
            total += pending
        else:  # 六百一 → 610, 一千二 → 1200
            total += pending * last_unit // 10
    elif after_zero:
        return None
    return total


def _digit_by_digit(s: str) -> str | None:
    if s and all((ch.isascii() and ch.isdigit()) or ch in DIGITS for ch in s):
        return "".join(ch if ch.isascii() else str(DIGITS[ch]) for ch in s)
    return None


def to_arabic(span: str) -> str | None:
    """Convert a number span to an Arabic digit string, or None if it is not a number.

    Arabic and full-width digits pass through; all-digit Chinese is read digit by digit
    (一二零三 → "1203", 幺零一 → "101"); positional forms are evaluated (二十三 → "23");
    a positional head followed by read-out digits is joined (十二零一 → "1201").
    """
    s = to_halfwidth(span).strip().replace(" ", "")
    if not s:
        return None
    plain = _digit_by_digit(s)
    if plain is not None:
        return plain
    value = parse_positional(s)
    if value is not None:
        return str(value)
    # Mixed: the longest positional head, then digits read out one by one (十二零一, 二十零五).
    for cut in range(len(s) - 1, 0, -1):
        head = parse_positional(s[:cut])
        tail = _digit_by_digit(s[cut:])
        if head is not None and tail is not None:
            return f"{head}{tail}"
    return None
