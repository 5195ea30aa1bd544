"""Addresses inside a residential compound: building, unit, room, floor, lane, named spots.

Recognised forms (numbers Arabic, full-width or Chinese): 6栋1单元1203, 四号楼三单元601室,
2-3-402, 5#1-301, 9幢2单元801, 11号楼305, 十二栋一单元九零一, 阳曲路760弄8号201室, B座1803,
7栋二单元, 1203室, 住1203, 住3楼 (a floor, not a building). Text is expected half-width and with
phone numbers already masked (see `nlp.slots.phone`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from nlp.numerals import to_arabic

__all__ = ["Address", "find_address", "find_floor", "find_spot"]

_CN = "零〇一二三四五六七八九十百千幺两"
# A building or unit number: Arabic digits or a short Chinese numeral not led by 两/零 (两栋楼: a count).
_BNUM = r"(?:\d{1,3}|[一二三四五六七八九十][零〇一二三四五六七八九十]{0,2})"
_UNUM = r"(?:\d{1,2}|[一二三四五六七八九十][一二三四五六七八九十]?)"
# A room: 3-4 Arabic digits, or a Chinese run that stops before a following 一直/一下 (六零一一直漏水 → 601).
_ROOM = rf"(?:\d{{3,4}}(?!\d)|[{_CN}]{{2,7}}?(?=一[直起定样些般共会阵]|(?![{_CN}])))"
_LETTER = r"(?<![A-Za-z])[A-Za-z]"
# What may not follow a bare number for it to be a room: units of money, time, count, area, floors.
_NOT_ROOM_AFTER = r"(?!\s*(?:元|块|个|平|米|岁|点|分|号|月|年|次|人|多|层|%|万|斤|公斤|毫|厘|度|ml|kg))"

_UNIT_AHEAD = rf"\s*{_UNUM}\s*(?:单元|门洞)"
_BUILDING = re.compile(
    rf"(?:第\s*)?(?P<b>(?<![\d{_CN}月共有每])(?:{_BNUM})|{_LETTER})\s*(?:"
    r"号楼|号栋|号幢|栋楼?|幢楼?|座|#楼?"
    rf"|号(?=\s*(?:{_UNUM}\s*(?:单元|门)|{_ROOM}))"
    rf"|楼(?={_UNIT_AHEAD})"
    r"|\s*[-/](?=\s*\d{1,2}\s*[-/]\s*\d{3,4}(?!\d))"
    r"|\s*-(?=\s*\d{3,4}(?![\d:.]))"
    ")"
)
_CONNECT = r"[\s,，、的]{0,3}"
# A floor said between the unit and the room (4栋1单元5楼501) is skipped over.
_FLOOR_SKIP = re.compile(
    r"[\s,，、的]{0,3}(?:\d{1,2}|[一二三四五六七八九十]{1,3})\s*[楼层](?=\s*(?:\d{3,4}|[零〇一二三四五六七八九十幺]{3}))"
)
_UNIT_AT = re.compile(
    rf"{_CONNECT}(?:第\s*)?(?P<u>{_UNUM})\s*(?:单元|门洞|门(?=\s*{_ROOM})|\s*[-/](?=\s*\d{{3,4}}(?!\d)))"
)
_ROOM_AT = re.compile(rf"{_CONNECT}(?P<r>{_ROOM})(?:\s*(?P<suffix>室|号房|房间|房|户|号)|{_NOT_ROOM_AFTER})")
_SHORT_ROOM_AT = re.compile(r"[\s,，、的]{0,3}(?P<r>\d{1,2})\s*(?:室|号房|户|号)(?![楼栋幢])")
_UNIT_ANYWHERE = re.compile(rf"(?<![\d{_CN}])(?:第\s*)?(?P<u>{_UNUM})\s*(?:单元|门洞)")
_ROOM_SUFFIXED = re.compile(rf"(?<![\d{_CN}])(?P<r>{_ROOM})\s*(?:室|号房|房间)")
_ROOM_MARKED = re.compile(
    rf"(?P<who>住|家|是|在|户|楼上|楼下|隔壁|对门|对面)\s*(?:在\s*)?(?P<r>{_ROOM}){_NOT_ROOM_AFTER}"
)
_OWN_HOME = {"住", "家", "是", "在", "户"}
_LANE = re.compile(rf"(?P<lane>\d{{1,4}}|[{_CN}]{{1,6}})\s*弄\s*$")
_FLOOR = re.compile(
    rf"(?<![\d{_CN}])(?P<f>\d{{1,2}}|[一二三四五六七八九十]{{1,3}}|负[一二三\d])\s*(?:楼|层)"
    rf"(?!{_UNIT_AHEAD}|道|梯|栋|房|顶|盘|主|下|上)"
)

# (name, pattern); an empty name means "use the words as written" (小区东门, 1号楼大堂).
_SPOTS: list[tuple[str, re.Pattern[str]]] = [
    ("地下车库", re.compile(r"地下(?:车库|停车场)|地库|车库")),
    ("电梯间", re.compile(r"电梯(?:间|厅|口)")),
    ("", re.compile(rf"(?:(?:{_BNUM}|[A-Za-z])\s*(?:号楼|栋|幢|座)\s*的?)?(?:一楼)?(?:大堂|大厅)")),
    ("", re.compile(r"小区(?:[东南西北]|正)?大?门口?|[东南西北]大?门口?(?![窗锁])")),
    ("单元门口", re.compile(r"单元(?:门口|门)")),
    ("楼道", re.compile(r"楼道|楼梯间?|走廊|过道")),
    ("屋顶", re.compile(r"屋顶|天台|楼顶|房顶")),
    ("绿化带", re.compile(r"绿化带|草坪|草地|花坛|树")),
    ("健身器材", re.compile(r"健身器材|健身区|健身路径")),
    ("垃圾站", re.compile(r"垃圾(?:站|房|桶|点|亭|箱)")),
    ("车棚", re.compile(r"车棚|非机动车")),
    ("消防通道", re.compile(r"消防通道|消防栓")),
    ("地下室", re.compile(r"地下室")),
    ("儿童游乐区", re.compile(r"游乐(?:区|场|设施)|滑梯|秋千")),
]


@dataclass(frozen=True)
class Address:
    """A building/unit/room found in a message; `span` is its (start, end) in the text."""

    span: tuple[int, int]
    building: str | None = None
    unit: str | None = None
    room: str | None = None
    lane: str | None = None
    own_room: bool = False  # a room-only match the resident gave as their own home (住/家 1203)

    @property
    def size(self) -> int:
        return sum(x is not None for x in (self.building, self.unit, self.room))


def _number(raw: str, *, digits: tuple[int, int]) -> str | None:
    value = to_arabic(raw)
    if value is None or not digits[0] <= len(value) <= digits[1] or value.startswith("0"):
        return None
    return value


def _building_value(raw: str) -> str | None:
    if raw.isascii() and raw.isalpha():
        return raw.upper()
    return _number(raw, digits=(1, 3))


def _continue(text: str, pos: int) -> tuple[int, str | None, str | None]:
    """From `pos`, read an optional unit and then an optional room; return (end, unit, room)."""
    unit = room = None
    m = _UNIT_AT.match(text, pos)
    if m and (u := _number(m.group("u"), digits=(1, 2))):
        unit, pos = u, m.end()
    m = _ROOM_AT.match(text, (f.end() if (f := _FLOOR_SKIP.match(text, pos)) else pos))
    if m and (r := _number(m.group("r"), digits=(3, 4))):
        return m.end(), unit, r
    if unit is not None:
        m = _SHORT_ROOM_AT.match(text, pos)
        if m and (r := _number(m.group("r"), digits=(1, 2))):
            return m.end(), unit, r
    return pos, unit, room


def _candidates(text: str) -> list[Address]:
    found: list[Address] = []
    for m in _BUILDING.finditer(text):
        building = _building_value(m.group("b"))
        if building is None:
            continue
        end, unit, room = _continue(text, m.end())
        lane_m = _LANE.search(text, 0, m.start())
        lane = _number(lane_m.group("lane"), digits=(1, 4)) if lane_m else None
        found.append(Address((m.start(), end), building, unit, room, lane))
    for m in _UNIT_ANYWHERE.finditer(text):
        if (unit := _number(m.group("u"), digits=(1, 2))) is not None:
            end, _, room = _continue(text, m.end())
            found.append(Address((m.start(), end), None, unit, room))
    for pattern in (_ROOM_SUFFIXED, _ROOM_MARKED):
        for m in pattern.finditer(text):
            if (room := _number(m.group("r"), digits=(3, 4))) is not None:
                own = "who" not in m.groupdict() or m.group("who") in _OWN_HOME
                found.append(Address(m.span("r"), None, None, room, own_room=own))
    return found


def find_address(text: str) -> Address | None:
    """The most complete address in `text` (ties go to the earliest), or None.

    A building/unit without a room takes the room the resident gives for their own home later in
    the message (十四栋二单元的业主，我家一零零二 → 14/2/1002).
    """
    candidates = _candidates(text)
    best: Address | None = None
    for cand in candidates:
        if best is None or (cand.size, -cand.span[0]) > (best.size, -best.span[0]):
            best = cand
    if best is not None and best.room is None and best.building is not None:
        for cand in candidates:
            if cand.own_room and cand.room and cand.span[0] >= best.span[1]:
                return replace(best, room=cand.room, span=(best.span[0], cand.span[1]))
    return best


def find_floor(text: str) -> str | None:
    """A floor (住3楼, 十二层, 负一楼) as a string ("-1" below ground); 3号楼 and 3楼2单元 are buildings."""
    for m in _FLOOR.finditer(text):
        raw = m.group("f")
        if raw.startswith("负"):
            value = to_arabic(raw[1:])
            return f"-{value}" if value else None
        value = to_arabic(raw)
        if value and value != "0" and len(value) <= 2:
            return value
    return None


def find_spot(text: str) -> str | None:
    """A named common place (地下车库, 电梯间, 楼道, 屋顶 ...) mentioned in the message."""
    for name, pattern in _SPOTS:
        if m := pattern.search(text):
            return name or re.sub(r"\s|的|口$", "", m.group())
    return None
