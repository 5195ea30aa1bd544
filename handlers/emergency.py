"""Emergencies: what to do right now for this danger, who was alerted, and how to reach the reporter.

The policy (``bot.policy``) sends here every clear alarm (intent ``emergency``) and every case of
partial evidence (intent ``urgent``: alerted as unconfirmed, with one safety question). The same
danger at the same place told again while its incident is open adds to it (no second ticket, no
second alert) and the reply says which incident and who has it; another danger is a new incident.
When the reporter has no phone on record or no home, they are asked for a callback number (in
the same reply) and the place (the unit and floor when only a building was named); the alarm
never waits for them. Each answer goes to everyone alerted as soon as it comes: the number first,
then the place, which also alerts that building's head and grid worker.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from bot.context import Context
from bot.forms import Form, start_form
from bot.replies import Reply, Text
from bot.router import Router
from handlers.binding import only_an_address
from handlers.common import hotline
from handlers.emergency_texts import TEXTS
from handlers.fallback import fallback
from handlers.safety import GUIDANCE
from models.care import shelter_of
from models.community import Building
from models.emergencies import (
    UNCONFIRMED,
    Incident,
    add_details,
    add_place,
    alerted_people,
    building_named,
    raise_alarm,
    settle_unconfirmed,
    tell_said,
)
from models.incident_matching import latest_own
from models.people import Person, home_of
from models.tickets import Ticket
from models.visit_outcomes import names_elder
from models.visits import rotas_of

router = Router("emergency")

# Dangers that may mean leaving the building: the reply names the community's 应急避难场所.
EVACUATE = frozenset({"fire", "gas", "electric", "flood", "structural", "help"})

# Answers to 「现在有人受伤、被困，或者有火、烟、煤气味吗？」
_SAFE = re.compile(
    r"\s*(没|没有|没事|没事了|没危险|不危险|不是|不用|误会|都没有|没有人|没人受伤|都好|挺好|好着呢)"
)
_UNSAFE = re.compile(r"\s*(有|是的|是|对|对的|有人|快来|救命)")
_PHONE = re.compile(r"1[3-9]\d{9}|0\d{2,3}-?\d{7,8}|\d{7,8}")
_UNSURE = re.compile(r"\s*(不清楚|不知道|说不清|不确定|不太清楚|没看清)[了。！!]*\s*")
_PRECISE = ("unit", "floor", "room")  # slots that place an emergency inside a building
BUILDING_IS_ENOUGH = frozenset({"lift"})  # 「3号楼电梯」: the building's lift is the place


def _phone(ctx: Context) -> str:
    return ctx.settings.tickets.duty_phone or hotline(ctx)


def _names(incident: Incident) -> str:
    return "、".join(p.name for p in incident.alerted[:3] if p.name)


# A call for help that names the thing in trouble (「2栋电梯卡在半截了 里面有个小孩」): that hazard.
_HAZARD_OF_CATEGORY = {"电梯": "lift", "燃气": "gas"}


def hazard_said(ctx: Context) -> str:
    """The hazard kind the words name ("" for none, "help" for a bare call for help)."""
    hazard = ctx.nlu.hazard if ctx.nlu is not None and ctx.nlu.hazard else ""
    if hazard == "help":
        return _HAZARD_OF_CATEGORY.get(str(ctx.slots.get("category") or ""), hazard)
    return hazard


def _raise(ctx: Context, *, confirmed: bool) -> Incident:
    hazard = hazard_said(ctx)
    if not ctx.person.phone and (phone := _phone_in(ctx)):
        ctx.person.phone = phone  # 「3栋着火了 我电话139…」: the first alert carries it
        ctx.session.add(ctx.person)
    alert = TEXTS["push"] if confirmed else TEXTS["push_unconfirmed"]
    if not ctx.person.phone:
        alert = alert.replace("{who}", "{who}" + TEXTS["phone_coming"])
    return raise_alarm(
        ctx.session,
        rules=ctx.settings.tickets,
        reporter=ctx.person,
        text=ctx.text,
        hazard=hazard,
        building_number=ctx.slots.get("building") or _elders_building(ctx),
        alert=alert,
        now=ctx.now,
        confirmed=confirmed,
        witness=TEXTS["push_witness"],
        common_spot=_common_spot(ctx),
        unit=ctx.slots.get("unit"),
        room=ctx.slots.get("room"),
    )


def _common_spot(ctx: Context) -> str:
    """「2单元楼道」 from 「2单元楼道里一股煤气味」; "" when no common part is named."""
    spot = str(ctx.slots.get("spot") or "")
    unit = str(ctx.slots.get("unit") or "")
    return (f"{unit}单元" if unit and spot else "") + spot


def _elders_building(ctx: Context) -> str | None:
    """「刘奶奶家着火了」 from the volunteer who visits 刘桂芳: her building is the place, not his."""
    if ctx.person.id is None:
        return None
    for rota in rotas_of(ctx.session, volunteer_id=ctx.person.id):
        elder = ctx.session.get(Person, rota.elder_id)
        home = (
            home_of(ctx.session, elder) if elder is not None and names_elder(elder.name, ctx.text) else None
        )
        if home is not None:
            return home[0].number
    return None


def _phone_in(ctx: Context) -> str:
    match = _PHONE.search(ctx.text)
    return str(ctx.slots.get("phone") or (match.group(0) if match else ""))[:20]


def _status(ctx: Context, ticket: Ticket) -> str:
    """Truthfully, where the incident stands: who has it, or who was told and that nobody took it yet."""
    holder = ctx.session.get(Person, ticket.assignee_id) if ticket.assignee_id else None
    if holder is not None:
        return TEXTS["status_taken"].format(name=holder.name or "工作人员")
    names = "、".join(p.name for p in alerted_people(ctx.session, ticket)[:3] if p.name) or "值班人员"
    return TEXTS["status_waiting"].format(names=names)


def _follow_up(ctx: Context, incident: Incident) -> list[Reply]:
    """Ask for a callback number and the place when the office has neither.

    A building named with no unit or floor (「5栋楼道冒烟」) is not yet a place to run to, unless
    the building is enough (its lift)."""
    missing_phone = not ctx.person.phone
    homeless = home_of(ctx.session, ctx.person) is None
    named = ctx.slots.get("building")
    coarse = bool(named) and incident.ticket.spot not in BUILDING_IS_ENOUGH
    coarse = coarse and not any(ctx.slots.get(slot) for slot in _PRECISE)
    missing_place = homeless and (not named or coarse)
    if not (missing_phone or missing_place):
        return []
    initial: dict[str, Any] = {"ticket_id": incident.ticket.id}
    if coarse and missing_place:
        initial["building_label"] = incident.ticket.place
    if not missing_phone:
        initial.update(phone=ctx.person.phone, phone_known=True)
    if not missing_place:
        initial.update(place=incident.ticket.place or "已说明", place_known=True)
    return start_form(ctx, EMERGENCY_DETAILS, initial)


@router.intent("emergency")
def on_emergency(ctx: Context) -> list[Reply]:
    if only_an_address(ctx) is not None:
        # 「我住3栋502」: no word of danger, only the classifier's guess; binding or a question.
        return fallback(ctx)
    hazard = hazard_said(ctx) or "help"
    guidance = GUIDANCE.get(hazard, GUIDANCE["help"])
    incident = _raise(ctx, confirmed=True)
    if not incident.new and not incident.named_now and incident.ticket.category == UNCONFIRMED:
        # the danger that was only suspected is now told plainly: everyone alerted hears so
        settle_unconfirmed(
            ctx.session,
            ticket_id=incident.ticket.id,  # type: ignore[arg-type]
            danger=True,
            answer=ctx.text,
            text=TEXTS["push_confirmed"],
            now=ctx.now,
        )
    places = ("building", *_PRECISE)
    no_new_hazard = hazard == "help"  # 「我在家 快来人」: the same danger, called again
    if (
        not incident.new
        and not incident.joined
        and not incident.named_now
        and not (ctx.nlu is not None and ctx.nlu.hazard)  # no word of danger: where it is
        and any(ctx.slots.get(k) for k in places)
    ):
        return _tell_place(ctx, incident.ticket.id, _place_words(ctx.text))  # type: ignore[arg-type]
    if not incident.new and not incident.named_now:
        ticket = incident.ticket
        facts = {"code": ticket.code, "place": ticket.place or "位置未说明", "status": _status(ctx, ticket)}
        key = "joined" if incident.joined else "again"
        if not incident.joined and no_new_hazard:  # 「孩子还在里面」「我在家 快来人」
            tell_said(ctx.session, ticket=ticket, words=ctx.text, push=TEXTS["push_said"], now=ctx.now)
        guidance = GUIDANCE.get(ticket.spot, guidance) if no_new_hazard else guidance
        return [Text(TEXTS[key].format(**facts, guidance=guidance, phone=_phone(ctx)))]
    names = _names(incident)
    notified = TEXTS["notified"].format(names=names) if names else TEXTS["not_notified"]
    if hazard in EVACUATE:
        guidance += shelter_of(ctx.session, incident.ticket.building_id)
    reply = TEXTS["reply"].format(guidance=guidance, phone=_phone(ctx), notified=notified)
    return [Text(reply + TEXTS["logged"].format(code=incident.ticket.code)), *_follow_up(ctx, incident)]


@router.intent("urgent")
def on_urgent(ctx: Context) -> list[Reply]:
    """Partial evidence of danger: alert as unconfirmed and ask one short safety question."""
    incident = _raise(ctx, confirmed=False)
    logged = TEXTS["logged"].format(code=incident.ticket.code)
    names = _names(incident) or "值班人员"
    reply = Text(TEXTS["urgent_reply"].format(phone=_phone(ctx), names=names, logged=logged))
    start_form(ctx, SAFETY_CHECK, {"ticket_id": incident.ticket.id})  # its question is in the reply
    return [reply]


@router.intent("danger_in_note")
def on_danger_in_note(ctx: Context) -> list[Reply]:
    """A staff member's action was carried out; its note told of danger: point it out, page nobody."""
    hazard = ctx.nlu.hazard if ctx.nlu is not None and ctx.nlu.hazard else ""
    what = GUIDANCE.get(hazard, "危险情况：").split("：", 1)[0]
    return [Text(TEXTS["danger_in_note"].format(what=what, phone=_phone(ctx)))]


class SafetyCheckForm(Form):
    """The one safety question after an unconfirmed alarm: yes confirms it, no stands it down."""

    name = "safety_check"
    title = "安全确认"
    intent = "emergency"
    kept_aside = False
    required_slots = ("danger",)
    optional_slots = ("ticket_id",)
    prompts: ClassVar[dict[str, str]] = {"danger": "请问现在有没有危险？回复「有」或「没有」。"}

    def extract(self, ctx: Context, asking: str | None) -> dict[str, Any]:
        if _SAFE.match(ctx.text):
            return {"danger": False}
        if _UNSAFE.match(ctx.text):
            return {"danger": True}
        return {}

    def submit(self, ctx: Context, slots: dict[str, Any]) -> list[Reply]:
        danger = bool(slots["danger"])
        settle_unconfirmed(
            ctx.session,
            ticket_id=int(slots.get("ticket_id", 0)),
            danger=danger,
            answer=ctx.text,
            text=TEXTS["push_confirmed" if danger else "push_stood_down"],
            now=ctx.now,
        )
        if danger:
            return [Text(TEXTS["confirmed"].format(guidance=GUIDANCE["help"]))]
        return [Text(TEXTS["stood_down"].format(phone=_phone(ctx)))]


SAFETY_CHECK = router.form(SafetyCheckForm())


class EmergencyDetailsForm(Form):
    """After an alarm from someone the office cannot reach: a callback number and the place."""

    name = "emergency_details"
    title = "紧急求助的联系方式"
    intent = "emergency"
    kept_aside = False
    required_slots = ("phone", "place")
    optional_slots = ("ticket_id", "phone_known", "place_known", "building_label")
    prompts: ClassVar[dict[str, str]] = {"phone": TEXTS["ask_phone"], "place": TEXTS["ask_place"]}

    def extract(self, ctx: Context, asking: str | None) -> dict[str, Any]:
        found: dict[str, Any] = {}
        if phone := _phone_in(ctx):
            found["phone"] = phone
        if (asking == "place" and ctx.text.strip() and not found) or ctx.slots.get("building"):
            found["place"] = ctx.text.strip()[:60]
        elif asking != "place" and "phone" in found and any(ctx.slots.get(s) for s in _PRECISE):
            found["place"] = _PHONE.sub("", ctx.text).strip(" ，,。")[:60]  # 「139… 2单元3楼」
        return found

    def validate_place(self, ctx: Context, place: Any) -> str:
        """A place told before the number goes to the incident and its building at once."""
        if "phone" not in ctx.state.slots and not ctx.state.slots.get("place_known"):
            told = _tell_place(ctx, int(ctx.state.slots.get("ticket_id", 0)), str(place))
            ctx.notes.extend(reply.content for reply in told)
        return str(place)

    def validate_phone(self, ctx: Context, phone: Any) -> str:
        """A number the office did not have goes to the ticket and to everyone alerted at once."""
        phone = str(phone)[:20]
        if phone != ctx.person.phone:
            ctx.person.phone = ctx.person.phone or phone
            ctx.session.add(ctx.person)
            add_details(
                ctx.session,
                ticket_id=int(ctx.state.slots.get("ticket_id", 0)),
                text=TEXTS["push_phone"],
                phone=phone,
                place="",
                now=ctx.now,
                key="phone",
            )
        return phone

    def prompt(self, ctx: Context, slot: str) -> str:
        slots = ctx.state.slots
        ask_place = TEXTS["ask_place"]
        if slot == "place" and slots.get("building_label"):
            ask_place = TEXTS["ask_unit"].format(building=slots["building_label"])
        if slot == "place" and "phone" in slots and not slots.get("phone_known"):
            return TEXTS["phone_sent"] + ask_place
        return ask_place if slot == "place" else self.prompts[slot]

    def submit(self, ctx: Context, slots: dict[str, Any]) -> list[Reply]:
        place = str(slots["place"])
        if slots.get("place_known") or _UNSURE.fullmatch(place):
            return [Text(TEXTS["phone_sent"])]  # the number went out as soon as it came
        return _tell_place(ctx, int(slots["ticket_id"]), place)


EMERGENCY_DETAILS = router.form(EmergencyDetailsForm())


def _tell_place(ctx: Context, ticket_id: int, place: str) -> list[Reply]:
    """The place told after the alarm goes on the ticket, to everyone alerted, and to its building."""
    named = building_named(ctx.session, ctx.slots.get("building"))
    ticket = ctx.session.get(Ticket, ticket_id)
    if named is None and ticket is not None and ticket.building_id is not None:
        building = ctx.session.get(Building, ticket.building_id)
        label = building.label if building else ""
        place = place if place.startswith(label) else label + place  # 「2单元3楼」 in the 5栋 named first
    else:
        building = named
    newly = add_place(
        ctx.session,
        ticket_id=ticket_id,
        place=place,
        building=building,
        alert=TEXTS["push"],
        text=TEXTS["push_place"].replace("{place}", place),
        now=ctx.now,
    )
    names = "、".join(p.name for p in newly if p.name)
    return [Text(TEXTS["place_alerted"].format(names=names) if names else TEXTS["details_sent"])]


_ONLY_A_PLACE = re.compile(
    r"[\s0-9一二三四五六七八九十两号楼栋幢座单元层楼室户门口东西南北边旁在就是的,，。.]+"
)


def _place_words(text: str) -> str:
    """「在五栋门口的花坛边上」 → 「五栋门口的花坛边上」: the place, for the ticket and the push."""
    return re.sub(r"^\s*(就)?(在|是在|位置在|地点在)", "", text).strip(" ，,。.！!")[:40]


def tells_the_place(ctx: Context) -> bool:
    """Only a place (「2单元3楼」), from someone whose own emergency was just raised: its place
    (while the details form asks for it, the form takes it)."""
    if ctx.state.form == EMERGENCY_DETAILS.name:
        return False
    if not any(ctx.slots.get(slot) for slot in ("building", *_PRECISE)) or not _ONLY_A_PLACE.fullmatch(
        ctx.text
    ):
        return False
    return latest_own(ctx.session, reporter=ctx.person, now=ctx.now) is not None


@router.reader(tells_the_place)
def on_place_after_alarm(ctx: Context) -> list[Reply]:
    ticket = latest_own(ctx.session, reporter=ctx.person, now=ctx.now)
    assert ticket is not None and ticket.id is not None
    return _tell_place(ctx, ticket.id, _place_words(ctx.text))
