"""Disputes between neighbours (纠纷) and complaints about the property company (投诉).

A dispute names the other party only by place (「楼上 8栋1203」), the matter and what the reporter
wants; a mediator (building head, else grid worker, else secretary) is assigned. The reporter is
never revealed to the other party: nothing is ever sent to them. Complaints about the property
company or its staff go to the property lead and are counted apart; the community side (the
building's grid worker, else the secretary) is told too and follows them up (红色物业).
After a mediation, both parties answer 「化解了」 or 「没化解」.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from sqlmodel import select

from bot.context import Context
from bot.forms import Form, start_form
from bot.replies import Reply, Text
from bot.router import Router
from models.community import Building, address_label, room_label
from models.dispatch import handler_label
from models.mediation import answer, awaiting_answer, neighbour_flat
from models.people import Person, home_of
from models.routing import open_ticket
from models.tickets import TicketKind, local_time
from models.workers import complaint_overseers

router = Router("dispute")

TEXTS = {
    "ask_other_party": "请问对方在哪里？只说位置就行，例如「楼上 8栋1203」「隔壁502」。我们不会向对方透露您的信息。",
    "ask_matter": "请简单说说是什么事，例如「每天半夜有很大的噪音」。",
    "ask_wants": "您希望怎么解决？例如「晚上10点后保持安静」。",
    "ask_wants_leak": "您希望怎么解决？例如「尽快查清漏点、修好防水」。",
    "leak_repair": "漏水要赶紧堵住，已同时登记报修单 {code}，{who}会先上门查看漏点。",
    "leak_repair_who": "由{name}",
    "leak_repair_nobody": "物业",
    "confirm": "请确认：\n对方：{other_party}{flat}\n事情：{matter}\n您的诉求：{wants}\n回复「是」提交，「取消」放弃。我们不会向对方透露您的身份。",
    "flat": "（按您的住址推算是 {flat}，不对请直接说门牌号）",
    "created": "已登记调解单 {code}，由{handler}负责调解，预计 {due} 前给您答复。我们不会向对方透露您的身份。",
    "created_nobody": "已登记调解单 {code}，社区会尽快安排人员调解。",
    "ask_complaint": "请具体说说要投诉的事情（时间、地点、涉及的人员或服务）。",
    "complaint_created": "已登记投诉 {code}，已转物业负责人{handler}处理，预计 {due} 前答复您。{overseer}",
    "complaint_overseen": "社区{overseer}也会跟进督办。",
    "settled": "谢谢您的反馈，已记下：{answer}。",
    "settled_yes": "问题已化解",
    "settled_no": "问题还没化解，社区会再跟进",
    "nothing_to_answer": "现在没有需要您评价的调解。",
    "settled_which": "您是说邻里之间的问题化解了吗？回复「化解了」或「没化解」。",
}

_PROPERTY = re.compile(r"物业|保安|保洁|管家|客服|维修工|维修人员|工作人员|门卫|收费|师傅|网格员|楼栋长")
_COMPLAIN = re.compile(r"投诉|态度|不作为|乱收费|不负责|推诿|不管")
_RELATION = re.compile(r"(楼上|楼下|隔壁|对门|对面|邻居|上面|下面)")
# A shared place left uncared for: 「垃圾桶满了好几天了 都臭了 也没人管」 is the service complained of.
_NEGLECT = re.compile(r"没人(管|清|收|扫|打扫|弄|处理|修|理)|好几天(了)?(都)?没(人)?(清|收|扫|管|弄)")
# Where the other party lives and nothing else: 「隔壁702」「就是楼上那家」「8栋1203」.
_PLACE_WORDS = re.compile(
    r"楼上|楼下|隔壁|对门|对面|上面|下面|邻居|\d+|[一二三四五六七八九十零〇两]+(?=[楼层栋号单室户])|栋|幢|号楼|楼|单元|室|号|层"
    r"|就是|是|在|住|那家|那户|这家|那个|他家|她家|他们家|的|家|[\s\W_]"
)
# The words that only open a complaint (「我要投诉邻居」) say no matter yet.
_OPENING_WORDS = re.compile(r"我|要|想|得|投诉|举报|反映|一下|个|下|邻居|问题|情况|事情|的|[\s\W_]")
MATTER_CHARS = 4
_UNSURE = re.compile(r"不知道|不清楚|不确定|说不准|不晓得|搞不清")


class DisputeForm(Form):
    not_answers = frozenset({"volunteer", "points", "notice", "vote", "progress"})
    name = "dispute"
    title = "纠纷调解"
    intent = "dispute"
    required_slots = ("other_party", "matter", "wants")
    optional_slots = ("other_flat",)
    confirm = True
    prompts: ClassVar[dict[str, str]] = {
        "other_party": TEXTS["ask_other_party"],
        "matter": TEXTS["ask_matter"],
        "wants": TEXTS["ask_wants"],
    }

    def extract(self, ctx: Context, asking: str | None) -> dict[str, Any]:
        text, found = ctx.text.strip(), {}
        place = _place(ctx, text)
        if asking in ("matter", "wants") and place and not _PLACE_WORDS.sub("", text):
            return _with_flat(ctx, {"other_party": place})  # 「隔壁702」 asked what one wants: who
        if asking in ("other_party", "matter", "wants") and self.not_an_answer(ctx):
            return {}
        if asking == "other_party" and not place and "matter" not in ctx.state.slots and _tells_matter(text):
            return {"matter": text}  # asked where, told what: the matter, and where is asked again
        if asking in ("other_party", "matter", "wants"):
            return _with_flat(ctx, {asking: text})
        if place and place != "邻居":  # 「邻居」 says who, not where: asked
            found["other_party"] = place
        if asking is None and len(_OPENING_WORDS.sub("", _PLACE_WORDS.sub("", text))) >= MATTER_CHARS:
            found["matter"] = text
        return _with_flat(ctx, found)

    def prompt(self, ctx: Context, slot: str) -> str:
        if slot == "wants" and _LEAK.search(str(ctx.state.slots.get("matter", ""))):
            return TEXTS["ask_wants_leak"]
        return self.prompts[slot]

    def confirm_text(self, ctx: Context, slots: dict[str, Any]) -> str:
        flat = slots.get("other_flat") or ""
        return TEXTS["confirm"].format(**slots, flat=TEXTS["flat"].format(flat=flat) if flat else "")

    def submit(self, ctx: Context, slots: dict[str, Any]) -> list[Reply]:
        other = " ".join(p for p in (slots["other_party"], slots.get("other_flat") or "") if p)
        building = _building_of(ctx, other)
        ticket = open_ticket(
            ctx.session,
            rules=ctx.settings.tickets,
            kind=TicketKind.dispute,
            reporter=ctx.person,
            now=ctx.now,
            building_id=building,
            place=other,
            description=slots["matter"][:500],
            other_party=other,
            wants=slots["wants"][:500],
        )
        handler = ctx.session.get(Person, ticket.assignee_id) if ticket.assignee_id else None
        if handler is None:
            text = TEXTS["created_nobody"].format(code=ticket.code)
        else:
            text = TEXTS["created"].format(
                code=ticket.code, handler=handler_label(handler), due=local_time(ticket.due_at)
            )
        return [Text(text + _leak_repair(ctx, slots["matter"]))]


_LEAK = re.compile(r"漏水|渗水|滴水|往下漏|漏到|渗漏|漏下来|天花板.{0,4}(湿|水)")


def _leak_repair(ctx: Context, matter: str) -> str:
    """Water coming through from a neighbour is a leak to stop now, not only a matter to mediate:
    a 渗漏 repair at the reporter's home goes to the property beside the dispute."""
    home = home_of(ctx.session, ctx.person)
    if home is None or not _LEAK.search(matter):
        return ""
    repair = open_ticket(
        ctx.session,
        rules=ctx.settings.tickets,
        kind=TicketKind.repair,
        reporter=ctx.person,
        now=ctx.now,
        category="渗漏",
        building_id=home[0].id,
        room_id=home[1].id,
        place=room_label(*home),
        description=("邻居家漏水到我家：" + matter)[:500],
    )
    worker = ctx.session.get(Person, repair.assignee_id) if repair.assignee_id else None
    who = TEXTS["leak_repair_who"].format(name=worker.name) if worker else TEXTS["leak_repair_nobody"]
    return "\n" + TEXTS["leak_repair"].format(code=repair.code, who=who)


def _tells_matter(text: str) -> bool:
    """「天天半夜装修很吵」: a story of what happens, not where the other party lives."""
    content = _OPENING_WORDS.sub("", _PLACE_WORDS.sub("", text))
    return len(content) >= MATTER_CHARS and not _UNSURE.search(text)


def _place(ctx: Context, text: str) -> str:
    """The other party's place the message names (relation and address), or ""."""
    slots, relation, address = ctx.slots, _RELATION.search(text), ""
    if slots.get("building"):
        address = address_label(slots["building"], slots.get("unit", ""), slots.get("room", ""))
    elif slots.get("room"):
        address = slots["room"]
    return " ".join(p for p in (relation.group(1) if relation else "", address) if p)


def _with_flat(ctx: Context, found: dict[str, Any]) -> dict[str, Any]:
    """「楼上」 alone, from a bound reporter: the flat it means, when only one fits."""
    other = found.get("other_party")
    if other is None:
        return found
    relation, home = _RELATION.search(other), home_of(ctx.session, ctx.person)
    flat = None
    if relation and home is not None and not re.search(r"\d", other):
        flat = neighbour_flat(ctx.session, home=home, relation=relation.group(1))
    return {**found, "other_flat": flat or ""}


def _building_of(ctx: Context, place: str) -> int | None:
    """The other party's building if named, else the reporter's (neighbours share it)."""
    match = re.search(r"(\d+)\s*栋", place)
    if match:
        building = ctx.session.exec(select(Building).where(Building.number == match.group(1))).first()
        if building is not None:
            return building.id
    home = home_of(ctx.session, ctx.person)
    return home[0].id if home else None


class ComplaintForm(Form):
    name = "complaint"
    title = "投诉"
    intent = "dispute"
    required_slots = ("matter",)
    prompts: ClassVar[dict[str, str]] = {"matter": TEXTS["ask_complaint"]}
    not_answers = frozenset({"volunteer", "points", "notice", "vote"})  # 「报修没人管」 is a complaint

    def extract(self, ctx: Context, asking: str | None) -> dict[str, Any]:
        text = ctx.text.strip()
        if asking == "matter" and self.not_an_answer(ctx):
            return {}
        if asking == "matter" or len(_COMPLAIN.sub("", _PROPERTY.sub("", text))) >= 4:
            return {"matter": text}
        return {}

    def submit(self, ctx: Context, slots: dict[str, Any]) -> list[Reply]:
        home = home_of(ctx.session, ctx.person)
        ticket = open_ticket(
            ctx.session,
            rules=ctx.settings.tickets,
            kind=TicketKind.complaint,
            reporter=ctx.person,
            now=ctx.now,
            building_id=home[0].id if home else None,
            place=home[0].label if home else "",
            description=slots["matter"][:500],
        )
        handler = ctx.session.get(Person, ticket.assignee_id) if ticket.assignee_id else None
        overseers = complaint_overseers(ctx.session, building_id=ticket.building_id)
        overseer = (
            TEXTS["complaint_overseen"].format(overseer=handler_label(overseers[0])) if overseers else ""
        )
        facts = {
            "code": ticket.code,
            "handler": handler.name if handler else "",
            "due": local_time(ticket.due_at),
        }
        return [Text(TEXTS["complaint_created"].format(**facts, overseer=overseer))]


dispute_form = router.form(DisputeForm())
complaint_form = router.form(ComplaintForm())


@router.intent("dispute")
def on_dispute(ctx: Context) -> list[Reply]:
    text = ctx.text
    if _PROPERTY.search(text) and (_COMPLAIN.search(text) or not _RELATION.search(text)):
        return start_form(ctx, complaint_form)
    if _NEGLECT.search(text) and not _RELATION.search(text):
        return start_form(ctx, complaint_form)
    return start_form(ctx, dispute_form)


@router.command(r"\s*(已经?化解了?|化解了|矛盾化解了|没有?化解|未化解|还没有?化解)[。！!~]*\s*")
def on_settled(ctx: Context) -> list[Reply]:
    """A party's answer to 「您觉得问题化解了吗？」 after a mediation."""
    settled = not re.search(r"没|未", ctx.text)
    ticket = answer(ctx.session, person=ctx.person, settled=settled, now=ctx.now)
    if ticket is None:
        return [Text(TEXTS["nothing_to_answer"])]
    return [Text(TEXTS["settled"].format(answer=TEXTS["settled_yes" if settled else "settled_no"]))]


_SETTLED_WORDS = re.compile(r"好多了|好了|没事了|解决了|不吵了|安静了|挺好|可以了|满意|没问题了")
_UNSETTLED_WORDS = re.compile(r"还是|没用|照样|依旧|又开始|还在|没变|不行|没好")


def answer_in_words(ctx: Context) -> list[Reply] | None:
    """「好多了谢谢」「还是吵」 from someone asked 「化解了吗」 is their answer; 「还行吧」 is asked
    once more in so many words. None when no such question waits for them."""
    if not awaiting_answer(ctx.session, person=ctx.person):
        return None
    if _UNSETTLED_WORDS.search(ctx.text):
        settled = False
    elif _SETTLED_WORDS.search(ctx.text):
        settled = True
    else:
        return [Text(TEXTS["settled_which"])]
    answer(ctx.session, person=ctx.person, settled=settled, now=ctx.now)
    return [Text(TEXTS["settled"].format(answer=TEXTS["settled_yes" if settled else "settled_no"]))]
