"""Repairs (报修): one message fills what it can; the bot asks only for what is missing, confirms,
and answers with the ticket number and the promised time. Photos attach while the form is open."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any, ClassVar

from sqlalchemy import bindparam, or_
from sqlmodel import col, select

from bot.context import Context
from bot.forms import Form, Invalid, says_yes, start_form
from bot.replies import Reply, Text
from bot.router import Router
from handlers.binding import address_to_bind, ask_to_bind
from handlers.located import location_place
from models.base import read
from models.community import Building, address_label, find_room, room_label
from models.feedback import follow
from models.people import Person, home_of
from models.routing import open_ticket
from models.tickets import OPEN, Ticket, TicketKind, local_time
from nlp.slots.repair import CATEGORIES
from nlp.slots.when import without_when

router = Router("repair")

COMMON = {"电梯", "门禁对讲", "停车道闸", "公共设施", "绿化环境"}
MAX_PHOTOS = 4

TEXTS = {
    "ask_category": "请简单说说是什么问题，例如「厨房水管漏水」「楼道灯不亮」。",
    "ask_place": "请问在哪里？例如「3栋2单元502」，或公共地方如「3栋电梯」「小区东门」。",
    "ask_description": "请用一句话描述一下问题，例如「卫生间天花板渗水」。",
    "bad_category": "没听明白是哪类问题，请从这些里选一个：{options}。",
    "bad_room": "没有找到「{label}」这个房号，请再说一次，例如「3栋2单元502」。",
    "confirm": (
        "请确认报修：\n类别：{category}\n地点：{place}\n问题：{description}\n照片：{photos} 张{when}\n"
        "回复「是」提交，「取消」放弃；需要的话可以先发照片（最多4张）。"
    ),
    "when": "\n期望时间：{when}",
    "duplicate": "\n\n已有邻居报修了同样的问题：{code}（{place}，{status}）。回复「关注」跟进那一单即可，不用重复报修；仍要新报请回复「是」。",
    "photo": "已收到照片（{count}/4）。",
    "located": "收到您的位置，地点改为「{place}」。",
    "no_location": "没有读到这条位置的经纬度，地点没有改。",
    "with_location": "（已附定位）",
    "too_many_photos": "最多只能附4张照片，这张没有加上。",
    "created": "已登记报修单 {code}，{handled}预计 {due} 前处理。处理进度可回复「我的报修」查看。",
    "handled_by": "已派给{handler}，",
    "pool": "正在安排维修人员，",
    "followed": "好的，您已关注 {code}，处理有进展时会通知您，不用重复报修。",
    "confirm_short": "要提交报修的话请回复「是」，不报了回复「取消」。",
    "confirm_again": "请回复「是」提交，「关注」跟进邻居的报修，或回复「取消」放弃。",
    "change": "好的，请直接告诉我要改的内容，例如「在3栋2单元502」「厨房水龙头漏水」。",
}

_YES = re.compile(r"(是|是的|对|对的|确认|确定|好|好的|嗯|可以|提交|没问题|新报)[!。！.~]*")
# 「关注」「那我也跟进一下邻居那单吧」「不用了 我关注那个就行」: follow the neighbour's ticket.
_FOLLOW = re.compile(
    r".{0,8}(关注|跟进|跟着|一起等)(一下)?(那一?单|那个|邻居的?|他们的?)?(单子|那单|报修)?.{0,8}|不用了[!。！.~]*"
)
_NO = re.compile(r"(否|不|不是|不对|错了|修改|改一下)[!。！.~]*")
_HOME = re.compile(r"(我家|家里|在家|屋里|本户|我屋)")
_START = re.compile(r"(我要)?(报修|报个修|修东西|我要修)")


# What may surround a time when someone says when they can be visited: 「周六上午都在家」「明天下午3点以后可以吗」.
_CORRECTS = re.compile(r"[\s哦噢哎啊,，]*(不是|不对|错了|改成|改为|应该是|其实是)")
_ABOUT_A_VISIT = re.compile(
    r"(?:[\s，,。.！!？?~、]|我|家里?|在家|有人|有空|方便|能不能|可不可以|行不行|可以|能|请|麻烦|那就|就|都|过来|上门|来|修|吧|行|好|的|时候|"
    r"以后|之后|以前|之前|前|后|左右|再|一下|师傅|安排|吗|呢|啊|哦|嗯|那|嘛|撒|搞|呗|都行)*"
)


# A question is not the name of a place (「今天天气怎么样」 in answer to 「请问在哪里？」).
_ASKS = re.compile(r"[?？吗呢]|怎么|什么|为什么|多少|哪(里|儿|个|些)")
OTHER = "其他"
TOLD_ANYWAY = 6  # characters: a problem told in words no category rule knows


# Common places inside one building; a resident naming one without a building means their own.
_BUILDING_SPOTS = ("楼道", "楼梯", "电梯", "单元门", "大堂", "天台", "屋顶", "楼顶", "走廊", "地下室")


def _in_a_building(spot: str) -> bool:
    return any(word in spot for word in _BUILDING_SPOTS)


def _place_from_slots(ctx: Context, slots: dict[str, str], category: str | None) -> dict[str, Any] | None:
    building, room, spot = slots.get("building"), slots.get("room"), slots.get("spot")
    if building and room:
        found = find_room(ctx.session, building=building, unit=slots.get("unit", ""), room=room)
        if found is None:
            label = address_label(building, slots.get("unit", ""), room)
            return {"invalid": label}
        return {"building_id": found[0].id, "room_id": found[1].id, "spot": "", "label": room_label(*found)}
    if building or spot:
        number = (building or "").upper()
        found_building = (
            ctx.session.exec(select(Building).where(Building.number == number)).first() if number else None
        )
        if found_building is None and spot is None and not category:
            return None
        home = home_of(ctx.session, ctx.person)
        if found_building is None and not number and home and (not spot or _in_a_building(spot)):
            found_building = home[0]  # 「楼道灯坏了」 from a resident: their own building's stairwell
        name = spot or (category if category in COMMON else "公共区域")
        label = (found_building.label if found_building else (f"{number}栋" if number else "")) + name
        return {
            "building_id": found_building.id if found_building else None,
            "room_id": None,
            "spot": name,
            "label": label,
        }
    return None


def _keeps_scanned_place(ctx: Context, slots: dict[str, str]) -> bool:
    """A place from a QR code or a location stays unless the words name a building or room."""
    current = ctx.state.slots.get("place") or {}
    scanned = current.get("spot_id") is not None or current.get("latitude") is not None
    return scanned and not (slots.get("building") or slots.get("room"))


def _home_place(ctx: Context, category: str | None) -> dict[str, Any] | None:
    home = home_of(ctx.session, ctx.person)
    if home is None:
        return None
    building, room = home
    if category in COMMON:
        return {
            "building_id": building.id,
            "room_id": None,
            "spot": category,
            "label": f"{building.label}{category}",
        }
    return {"building_id": building.id, "room_id": room.id, "spot": "", "label": room_label(building, room)}


def _told_more(ctx: Context, asking: str | None, text: str) -> str:
    """The problem as told: a detail said at the confirm step (「洗澡那个地漏」) is added to what was
    said before; a correction (「不是厨房，是卫生间」) replaces it."""
    before, category = ctx.state.slots.get("description"), ctx.slots.get("category")
    another = category is not None and category != ctx.state.slots.get("category")  # 「楼道灯也不亮了」
    if asking != "confirmed" or not before or another or _CORRECTS.match(text) or text in before:
        return text
    return f"{before}；{text}"[:500]


class RepairForm(Form):
    not_answers = frozenset({"volunteer", "points", "consult", "notice", "vote", "progress"})
    name = "repair"
    title = "报修"
    intent = "repair"
    required_slots = ("category", "place", "description", "confirmed")
    optional_slots = ("photos", "preferred_time")
    accepts_kinds = ("text", "voice", "image", "location")
    prompts: ClassVar[dict[str, str]] = {
        "category": TEXTS["ask_category"],
        "place": TEXTS["ask_place"],
        "description": TEXTS["ask_description"],
    }

    def extract(self, ctx: Context, asking: str | None) -> dict[str, Any]:
        if ctx.message.kind == "image":
            return self._photo(ctx)
        if ctx.message.kind == "location":
            return self._location(ctx, asking)
        text, slots, found = ctx.text.strip(), ctx.slots, {}
        if asking == "confirmed":
            if _YES.fullmatch(text) or says_yes(text):
                return {"confirmed": "yes"}
            if _FOLLOW.fullmatch(text) and ctx.state.slots.get("duplicate"):
                return {"confirmed": "follow"}
            if _NO.fullmatch(text):
                return {"confirmed": "change"}
        category = slots.get("category") or next((c for c in CATEGORIES if c == text), None)
        if category is None and asking == "category" and self._told_anyway(ctx, text):
            category = OTHER  # 「火早就灭了，现在就是黑」: what it is, told in words no rule knows
        if category:
            found["category"] = category
        place = _place_from_slots(ctx, slots, category or ctx.state.slots.get("category"))
        if place is None and _HOME.search(text):
            place = _home_place(ctx, None)
        if (
            place is None
            and asking == "place"
            and 1 < len(text) <= 12
            and not category
            and not _ASKS.search(text)
            and not self.not_an_answer(ctx)
        ):
            place = {"building_id": None, "room_id": None, "spot": text, "label": text}
        if place is None and asking is None:
            place = _home_place(ctx, category)
        if place is not None and _keeps_scanned_place(ctx, slots):
            place = None  # 「电梯不动了」 at a scanned lift: that lift, not the resident's building
        if place is not None:
            found["place"] = place
        detail = (
            asking == "confirmed" and not found and self._told_anyway(ctx, text)
        )  # 「就是墙烧黑的那一片」
        substantive = category or slots.get("spot") or asking == "description" or detail
        if slots.get("when") and (substantive or _ABOUT_A_VISIT.fullmatch(without_when(text))):
            found["preferred_time"] = slots["when"]  # not from 「今天天气怎么样」
        if substantive and not _START.fullmatch(text) and text not in CATEGORIES:
            found["description"] = _told_more(ctx, asking, text)
        if found and asking == "confirmed":
            found["confirmed"] = None  # changed something: confirm again
        return found

    def _told_anyway(self, ctx: Context, text: str) -> bool:
        """A problem told in words of its own: a few words, no question, no other request."""
        words = re.sub(r"[\W_]+", "", text)
        return len(words) >= TOLD_ANYWAY and not _ASKS.search(text) and not self.not_an_answer(ctx)

    def _photo(self, ctx: Context) -> dict[str, Any]:
        photos = list(ctx.state.slots.get("photos", []))
        if len(photos) >= MAX_PHOTOS:
            ctx.notes.append(TEXTS["too_many_photos"])
            return {"photos": photos}
        photos.append(ctx.message.picture_url or ctx.message.media_id)
        ctx.notes.append(TEXTS["photo"].format(count=len(photos)))
        return {"photos": photos}

    def _location(self, ctx: Context, asking: str | None) -> dict[str, Any]:
        place = location_place(ctx)
        if place is None:
            ctx.notes.append(TEXTS["no_location"])
            return {}
        ctx.notes.append(TEXTS["located"].format(place=place.label))
        found: dict[str, Any] = {"place": place.as_slot()}
        if asking == "confirmed":
            found["confirmed"] = None  # the place changed: confirm again
        return found

    def validate_category(self, ctx: Context, value: str) -> str:
        if value not in CATEGORIES:
            raise Invalid(TEXTS["bad_category"].format(options="、".join(CATEGORIES)))
        return value

    def validate_place(self, ctx: Context, value: dict[str, Any]) -> dict[str, Any]:
        if "invalid" in value:
            raise Invalid(TEXTS["bad_room"].format(label=value["invalid"]))
        return value

    def validate_confirmed(self, ctx: Context, value: str | None) -> str | None:
        if value == "change":
            raise Invalid(TEXTS["change"])
        return value

    def missing_slot(self, ctx: Context, slots: dict[str, Any]) -> str | None:
        if slots.get("confirmed") is None:
            slots.pop("confirmed", None)
        missing = super().missing_slot(ctx, slots)
        # Look for a neighbour's report once per category and place, not on every re-ask.
        checked_for = [slots.get("category"), slots.get("place", {}).get("label")]
        if missing == "confirmed" and ctx.state.slots.get("duplicate_for") != checked_for:
            duplicate = _duplicate(ctx, slots)
            ctx.state.slots["duplicate"] = duplicate.id if duplicate else None
            ctx.state.slots["duplicate_for"] = checked_for
        return missing

    def short_prompt(self, ctx: Context, slot: str) -> str:
        return TEXTS["confirm_short"] if slot == "confirmed" else super().short_prompt(ctx, slot)

    def prompt(self, ctx: Context, slot: str) -> str:
        if slot != "confirmed":
            return self.prompts[slot]
        slots = ctx.state.slots
        when = TEXTS["when"].format(when=slots["preferred_time"]) if slots.get("preferred_time") else ""
        located = TEXTS["with_location"] if slots["place"].get("latitude") is not None else ""
        text = TEXTS["confirm"].format(
            category=slots["category"],
            place=slots["place"]["label"] + located,
            description=slots["description"],
            photos=len(slots.get("photos", [])),
            when=when,
        )
        duplicate = ctx.session.get(Ticket, slots["duplicate"]) if slots.get("duplicate") else None
        if duplicate is not None:
            from models.tickets import STATUS_LABEL

            text += TEXTS["duplicate"].format(
                code=duplicate.code, place=duplicate.place, status=STATUS_LABEL[duplicate.status]
            )
        return text

    def submit(self, ctx: Context, slots: dict[str, Any]) -> list[Reply]:
        if slots.get("confirmed") == "follow" and slots.get("duplicate"):
            ticket = ctx.session.get(Ticket, slots["duplicate"])
            if ticket is not None:
                follow(ctx.session, ticket=ticket, person=ctx.person, now=ctx.now)
                return [Text(TEXTS["followed"].format(code=ticket.code))]
        place = slots["place"]
        ticket = open_ticket(
            ctx.session,
            rules=ctx.settings.tickets,
            kind=TicketKind.repair,
            reporter=ctx.person,
            now=ctx.now,
            category=slots["category"],
            building_id=place.get("building_id"),
            room_id=place.get("room_id"),
            spot=place.get("spot", ""),
            spot_id=place.get("spot_id"),
            latitude=place.get("latitude"),
            longitude=place.get("longitude"),
            place=place["label"],
            description=slots["description"][:500],
            photos=slots.get("photos", []),
            preferred_time=slots.get("preferred_time", ""),
        )
        handler = ctx.session.get(Person, ticket.assignee_id) if ticket.assignee_id else None
        handled = TEXTS["handled_by"].format(handler=handler.name) if handler else TEXTS["pool"]
        return [
            Text(TEXTS["created"].format(code=ticket.code, handled=handled, due=local_time(ticket.due_at)))
        ]

    def confirm_text(self, ctx: Context, slots: dict[str, Any]) -> str:
        return self.prompt(ctx, "confirmed")


_SAME_REPAIR = (
    select(Ticket.id)
    .where(
        Ticket.kind == TicketKind.repair,
        Ticket.category == bindparam("category"),
        or_(*(Ticket.status == status for status in OPEN)),  # constants: no per-call expansion of IN
        col(Ticket.created_at) >= bindparam("since"),
        Ticket.reporter_id != bindparam("reporter"),
    )
    .order_by(col(Ticket.id).desc())
    .limit(1)
)
_SAME_REPAIR_IN_ROOM = _SAME_REPAIR.where(Ticket.room_id == bindparam("room_id"))
_SAME_REPAIR_AT_SPOT = _SAME_REPAIR.where(
    Ticket.building_id == bindparam("building_id"), Ticket.spot == bindparam("spot")
)
_SAME_REPAIR_AT_COMMON_SPOT = _SAME_REPAIR.where(
    col(Ticket.building_id).is_(None), Ticket.spot == bindparam("spot")
)


def _duplicate(ctx: Context, slots: dict[str, Any]) -> Ticket | None:
    """An open ticket of the same category at the same building/spot filed in the last 24 h."""
    place = slots["place"]
    params = {
        "category": slots["category"],
        "since": ctx.now - timedelta(hours=24),
        "reporter": ctx.person.id,
        "room_id": place.get("room_id"),
        "building_id": place.get("building_id"),
        "spot": place.get("spot", ""),
    }
    if place.get("room_id"):
        query = _SAME_REPAIR_IN_ROOM
    elif place.get("building_id") is not None:
        query = _SAME_REPAIR_AT_SPOT
    else:
        query = _SAME_REPAIR_AT_COMMON_SPOT
    # Usually there is none: ask for the id (a plain row), load the ticket only when found.
    # ``read`` flushes first, so a ticket opened earlier in this transaction counts too.
    found = read(ctx.session, query, params).scalar()
    return ctx.session.get(Ticket, found) if found is not None else None


repair_form = router.form(RepairForm())


@router.intent("repair")
def on_repair(ctx: Context) -> list[Reply]:
    address = address_to_bind(ctx)
    if address is not None:  # 「我住3栋2单元502」 from someone not yet bound: a binding, not a repair
        return ask_to_bind(ctx, address)
    return start_form(ctx, repair_form)


def start_repair_at(ctx: Context, initial: dict[str, Any]) -> list[Reply]:
    """A repair started where the resident is (码上办): ``initial`` holds its place, maybe its category."""
    return start_form(ctx, repair_form, initial)


@router.command(r"(我要)?(报修|报个修)[。！!]?")
def start_repair(ctx: Context) -> list[Reply]:
    return start_form(ctx, repair_form, {})
