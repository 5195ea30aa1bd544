"""微心愿 in chat: a resident states a wish; the office approves it; a member of the resident's
责任区 claims it (「认领心愿 W3」), says it is done (「心愿完成了」); the resident confirms
(「收到了 谢谢」) or says not yet (「还没有」). The rules are ``models.wishes``'."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from bot.context import Context
from bot.forms import Form, start_form
from bot.replies import Reply, Text
from bot.router import Router
from models import wishes
from models.people import Person, Role
from models.wishes import STATUS_NAMES, Wish, WishStatus

router = Router("wish")

TEXTS = {
    "ask": "您想请党员帮您做点什么？说一句就行，比如「想请人陪我去医院复查」。",
    "too_short": "请再说具体一点，比如「想请人帮我买袋米送上楼」。",
    "received": "您的微心愿 {code} 收到了：{text}\n社区看过后会请附近的党员帮您，有人认领会告诉您。",
    "no_home": "\n您还没有绑定房屋，社区可能会打电话和您核实。",
    "claimed": "认领成功！{code}：{who}想请人帮忙：{text}{phone}\n办好后回复「心愿完成了」。",
    "phone": "\n联系电话 {phone}。",
    "taken": "来晚了一步，{code} 已被{holder}认领。谢谢您的热心！",
    "already_yours": "{code} 您已经认领了，办好后回复「心愿完成了」。",
    "not_member": "微心愿由社区党员认领。您如果是党员，请联系社区登记后再来认领。",
    "not_area": "{code} 不在您的责任区，谢谢您的热心！",
    "own": "这是您自己的心愿，请等其他党员认领。",
    "wrong_status": "{code} 现在{status}，不能认领了。",
    "not_found": "没有找到微心愿 {code}，请核对编号。",
    "none_open": "您的责任区现在没有待认领的微心愿。",
    "which_claim": "您的责任区有这些微心愿待认领：\n{items}\n回复「认领心愿 + 编号」，例如「认领心愿 {code}」。",
    "item": "{code}：{text}",
    "none_held": "您现在没有认领中的微心愿。",
    "which_done": "您认领了这些微心愿：\n{items}\n请回复「完成心愿 + 编号」，例如「完成心愿 {code}」。",
    "done": "好的，已请{who}确认。确认后给您记积分，谢谢您！",
    "done_not_yours": "{code} 不是您认领的，不能由您完成。",
    "done_wrong": "{code} 现在{status}，不用再报完成了。",
    "confirmed": "好的，谢谢您告诉我们！党员{member}的这份心意，社区记下了。",
    "not_yet": "好的，已经告诉{member}，会再和您联系。",
    "approved": "{code} 已发布，推送给了 {reached} 位责任区党员。",
    "approved_nobody": "{code} 已发布，但这户所在的楼栋还没有党员的责任区，请在后台安排。",
    "declined": "{code} 已退回，已告诉居民原因。",
    "review_wrong": "{code} 现在{status}，不用再审核了。",
    "list_held": "您认领的微心愿：\n{items}",
    "list_held_hint": "办好后回复「心愿完成了」。",
    "list_open": "责任区待认领：\n{items}\n回复「认领心愿 + 编号」认领。",
    "list_member_none": "您现在没有认领的微心愿，责任区也没有待认领的。",
    "list_own": "您许的微心愿：\n{items}",
    "list_none": "您还没有许过微心愿。想请党员帮忙，说「我有个微心愿……」就行。",
    "status_item": "{code}（{status}）：{text}",
}

_CODE = r"\s*[Ww]\s*\d{1,9}"
_OPENER = re.compile(
    r"\s*(我|俺)?(想|要)?(有个|有一个|许个|许一个|申请一个|申请个|发个|求个|提个)?(小小的|小)?(微心愿|心愿)(是)?[\s:：，,。!！]*"
)
_CONFIRM = re.compile(
    r"\s*(微?心愿)?(已经|已)?(收到了?|拿到了?|办好了|弄好了|完成了|好了|实现了)[\s，,。!！~]*((谢谢|感谢|多谢|辛苦)[^\s]{0,10})?[\s，,。!！~]*"
)
_NOT_YET = re.compile(r"\s*(还没有?|没有|还没)(收到|拿到|办好|弄好|完成|好)?[\s，,。!！~]*(?P<note>.{0,30})")


def _wish_text(text: str) -> str:
    """What the resident wishes for, without 「我有个微心愿：」."""
    return _OPENER.sub("", text, count=1).strip(" ，,。：:") if _OPENER.match(text) else text.strip()


def _received(ctx: Context, text: str) -> list[Reply]:
    wish = wishes.submit(ctx.session, resident=ctx.person, text=text, now=ctx.now)
    reply = TEXTS["received"].format(code=wish.code, text=wish.text)
    return [Text(reply + (TEXTS["no_home"] if wish.building_id is None else ""))]


@router.intent("wish")
@router.command(r"\s*(我|俺)?(想|要)?(有个|有一个|许个|许一个|申请一个|发个|求个)(小小的|小)?(微心愿|心愿).*")
def on_wish(ctx: Context) -> list[Reply]:
    text = _wish_text(ctx.text)
    if len(text) < 4 or (re.search(r"(怎么|如何|能不能|可以吗|能.{0,4}吗)", text) and len(text) < 10):
        return start_form(ctx, WISH_FORM, {})
    return _received(ctx, text)


class WishForm(Form):
    """One question when the wish itself was not said (「我有个微心愿」)."""

    name = "wish"
    title = "微心愿"
    intent = "wish"
    required_slots = ("wish",)
    prompts: ClassVar[dict[str, str]] = {"wish": TEXTS["ask"]}

    def extract(self, ctx: Context, asking: str | None) -> dict[str, Any]:
        text = _wish_text(ctx.text)
        return {"wish": text} if asking == "wish" and len(text) >= 2 else {}

    def submit(self, ctx: Context, slots: dict[str, Any]) -> list[Reply]:
        return _received(ctx, str(slots["wish"]))


WISH_FORM = router.form(WishForm())


def _item(wish: Wish) -> str:
    return TEXTS["item"].format(code=wish.code, text=wish.text[:30])


@router.command(r"\s*认领(心愿|微心愿)?(" + _CODE + r")?\s*", explicit=True)
def on_claim(ctx: Context) -> list[Reply]:
    named = re.search(r"[Ww]\s*\d+", ctx.text)
    if named is None:
        open_wishes = wishes.open_for(ctx.session, person=ctx.person)
        if len(open_wishes) != 1:
            if not open_wishes:
                return [Text(TEXTS["none_open"] if _is_member(ctx) else TEXTS["not_member"])]
            items = "\n".join(_item(w) for w in open_wishes[:8])
            return [Text(TEXTS["which_claim"].format(items=items, code=open_wishes[0].code))]
        wish: Wish | None = open_wishes[0]
    else:
        wish = wishes.find(ctx.session, named.group(0))
    code = named.group(0).upper().replace(" ", "") if named else ""
    if wish is None:
        return [Text(TEXTS["not_found"].format(code=code))]
    outcome = wishes.claim(ctx.session, wish=wish, person=ctx.person, now=ctx.now)
    if outcome.ok:
        resident = ctx.session.get(Person, wish.resident_id)
        who = wishes.place_of(ctx.session, wish) + ((resident.name if resident else "") or "居民")
        phone = TEXTS["phone"].format(phone=resident.phone) if resident and resident.phone else ""
        return [Text(TEXTS["claimed"].format(code=wish.code, who=who, text=wish.text, phone=phone))]
    status = STATUS_NAMES[wish.status]
    return [Text(TEXTS[outcome.reason].format(code=wish.code, holder=outcome.holder, status=status))]


def _is_member(ctx: Context) -> bool:
    from models.party import membership

    return membership(ctx.session, ctx.person.id) is not None


@router.command(
    r"\s*(心愿(已经)?(完成|办好|实现)了?|完成心愿(" + _CODE + r")?)([\s，,：:。].{0,60})?", explicit=True
)
def on_done(ctx: Context) -> list[Reply]:
    named = re.search(r"[Ww]\s*\d+", ctx.text)
    note = re.sub(
        r"^\s*(心愿(已经)?(完成|办好|实现)了?|完成心愿(" + _CODE + r")?)[\s，,：:。]*", "", ctx.text
    ).strip()
    if named is None:
        held = wishes.held_by(ctx.session, person=ctx.person)
        if len(held) != 1:
            if not held:
                return [Text(TEXTS["none_held"])]
            items = "\n".join(_item(w) for w in held[:8])
            return [Text(TEXTS["which_done"].format(items=items, code=held[0].code))]
        wish: Wish | None = held[0]
    else:
        wish = wishes.find(ctx.session, named.group(0))
    if wish is None:
        return [Text(TEXTS["not_found"].format(code=named.group(0).upper() if named else ""))]
    outcome = wishes.fulfil(ctx.session, wish=wish, person=ctx.person, note=note, now=ctx.now)
    if outcome.ok:
        resident = ctx.session.get(Person, wish.resident_id)
        return [Text(TEXTS["done"].format(who=(resident.name if resident else "") or "居民"))]
    key = "done_not_yours" if outcome.reason in ("taken", "not_yours") else "done_wrong"
    return [Text(TEXTS[key].format(code=wish.code, status=STATUS_NAMES[wish.status]))]


def answers_a_wish(ctx: Context) -> bool:
    """A resident whose wish a member says is done, answering 「收到了」 or 「还没有」 (no alarm)."""
    if ctx.nlu is not None and ctx.nlu.intent == "emergency":
        return False
    text = ctx.text
    if not (_CONFIRM.fullmatch(text) or _NOT_YET.fullmatch(text)):
        return False
    return ctx.person.id is not None and bool(wishes.awaiting(ctx.session, resident=ctx.person))


@router.reader(answers_a_wish)
def on_answer(ctx: Context) -> list[Reply]:
    wish = wishes.awaiting(ctx.session, resident=ctx.person)[0]
    member = ctx.session.get(Person, wish.claimant_id) if wish.claimant_id else None
    name = (member.name if member else "") or "党员"
    if _CONFIRM.fullmatch(ctx.text):
        wishes.confirm(
            ctx.session, wish=wish, resident=ctx.person, points=ctx.settings.points.wish, now=ctx.now
        )
        return [Text(TEXTS["confirmed"].format(member=name))]
    matched = _NOT_YET.fullmatch(ctx.text)
    note = matched.group("note").strip() if matched else ""
    wishes.not_yet(ctx.session, wish=wish, resident=ctx.person, note=note, now=ctx.now)
    return [Text(TEXTS["not_yet"].format(member=name))]


REVIEWERS = (Role.secretary, Role.admin)


@router.command(r"\s*(通过|发布)(心愿|微心愿)?" + _CODE + r"\s*", roles=REVIEWERS)
def on_approve(ctx: Context) -> list[Reply]:
    wish = wishes.find(ctx.session, ctx.text)
    if wish is None:
        return [Text(TEXTS["not_found"].format(code=""))]
    outcome = wishes.approve(ctx.session, wish=wish, by=ctx.person.name or "社区", now=ctx.now)
    if not outcome.ok:
        return [Text(TEXTS["review_wrong"].format(code=wish.code, status=STATUS_NAMES[wish.status]))]
    key = "approved" if outcome.reached else "approved_nobody"
    return [Text(TEXTS[key].format(code=wish.code, reached=outcome.reached))]


@router.command(r"\s*(不通过|退回)(心愿|微心愿)?" + _CODE + r"([\s，,：:。].{0,100})?", roles=REVIEWERS)
def on_decline(ctx: Context) -> list[Reply]:
    wish = wishes.find(ctx.session, ctx.text)
    if wish is None:
        return [Text(TEXTS["not_found"].format(code=""))]
    reason = re.sub(r"^\s*(不通过|退回)(心愿|微心愿)?" + _CODE + r"[\s，,：:。]*", "", ctx.text).strip()
    outcome = wishes.decline(ctx.session, wish=wish, by=ctx.person.name or "社区", reason=reason, now=ctx.now)
    if not outcome.ok:
        return [Text(TEXTS["review_wrong"].format(code=wish.code, status=STATUS_NAMES[wish.status]))]
    return [Text(TEXTS["declined"].format(code=wish.code))]


@router.command(
    r"\s*(我的(微)?心愿(单|清单|列表)?|我认领的(微)?心愿(单)?|(查看?|看看)?(我的)?(微)?心愿单)[\s?？。!！]*",
    explicit=True,
)
@router.command(  # 「上个月提的微心愿，有人认领了吗」: asking after one's wish is no new wish
    r".{0,12}(微)?心愿.{0,12}(有人认领|认领了|有人领|进度|怎么样了|到哪了|实现了|通过了|批了|落实了|有人管)"
    r"(吗|没|没有|呢|了吗|了没)?[\s?？。!！]*",
    explicit=True,
)
def on_list(ctx: Context) -> list[Reply]:
    """「我的心愿单」「我认领的心愿」: a member's claimed wishes and the open ones of their 责任区;
    anyone's own wishes and where they stand."""
    parts: list[str] = []
    if _is_member(ctx):
        held = wishes.claimed_by(ctx.session, person=ctx.person)
        if held:
            hint = TEXTS["list_held_hint"] if any(w.status == WishStatus.claimed for w in held) else ""
            parts.append(TEXTS["list_held"].format(items=_status_items(held)) + ("\n" + hint if hint else ""))
        open_wishes = wishes.open_for(ctx.session, person=ctx.person)
        if open_wishes:
            parts.append(TEXTS["list_open"].format(items="\n".join(_item(w) for w in open_wishes[:8])))
        if not parts:
            parts.append(TEXTS["list_member_none"])
    own = wishes.made_by(ctx.session, resident=ctx.person) if ctx.person.id is not None else []
    if own:
        parts.append(TEXTS["list_own"].format(items=_status_items(own)))
    return [Text("\n\n".join(parts) if parts else TEXTS["list_none"])]


def _status_items(found: list[Wish]) -> str:
    return "\n".join(
        TEXTS["status_item"].format(code=w.code, status=STATUS_NAMES[w.status], text=w.text[:30])
        for w in found[:8]
    )
