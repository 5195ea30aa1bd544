"""Who the resident is to the office: binding to a room (房屋绑定: 楼栋/单元/房号) and the contact number."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from bot.context import Context
from bot.forms import Form, Invalid, start_form
from bot.policy import is_question
from bot.replies import Reply, Text
from bot.router import Router
from handlers.common import home
from models.binding import bind_room
from models.community import building_layout, units_of
from models.people import change_phone
from models.residency import (
    RELATIONSHIP_NAMES,
    Relationship,
    ResidencyStatus,
    ask_deciders,
    deciders,
    home_residency,
    latest_residency,
    match_register,
    room_of,
    unbind,
)

router = Router("binding")

TEXTS = {
    "ask_building": "请告诉我您住在哪里，例如「3栋2单元502」。",
    "ask_unit": "{building}栋有几个单元，请问您是几单元？",
    "ask_room": "请问房号是多少？例如「502」。",
    "no_building": "本小区没有找到「{building}」栋，现有楼栋：{known}。请再说一次楼栋号。",
    "no_unit": "{building}栋没有{unit}单元，现有：{known}单元。请再说一次您住几单元几号，例如「1单元301」。",
    "verified": "绑定成功！已与业主名册核对一致：{label}（{relationship}）。以后报修、查积分、参与议事都会用这个地址。",
    "claimed": "已收到您的登记：{label}（{relationship}）。楼栋长核实后即可参与投票和兑换，核实结果会通知您；"
    "现在就可以报修、反映问题和咨询。",
    "claimed_tail": "如果您在物业的业主名册上，回复「我叫张三，电话138……」可以马上自动核对。",
    "already_bound": "您已经绑定了 {label}，不用重复绑定。",
    "already_claimed": "您登记的 {label} 正在等待楼栋长核实，核实后会通知您。现在就可以报修、反映问题和咨询。",
    "requested_missing": "房屋信息里暂时没有 {label}，已提交给管理员核实，审核后会通知您。",
    "already_requested": "您绑定 {label} 的申请正在审核中，请耐心等待，审核后会通知您。",
    "my_home": "您绑定的房屋是 {label}（{relationship}，{status}）。如需更换，请回复「重新绑定」；不再住这里请回复「解除绑定」。",
    "status_verified": "已核实",
    "status_claimed": "等待楼栋长核实",
    "no_home": "您还没有绑定房屋。",
    "unbound": "已解除您与 {label} 的绑定。以后如需绑定，回复「绑定」即可。",
    "unbind_confirm": "您与 {label} 的绑定已经核实过。解除后再绑定要重新核实，核实前不能投票和兑换。"
    "确定要解除，请回复「确定解除」；不解除就不用回复。",
    "status_none": "您还没有登记房屋。回复「绑定」登记后，楼栋长核实即可投票和兑换。",
    "status_verified_long": "您登记的 {label}（{relationship}）已核实，可以投票和兑换。",
    "status_waiting": "您登记的 {label}（{relationship}）还在等{deciders}核实，核实前可以报修、反映问题和咨询，"
    "暂时不能投票和兑换。想快一些：回复「我叫张三，电话138……」与业主名册自动核对，"
    "或带身份证和房产证（租户带租房合同）到物业服务中心当场核实。",
    "status_refused": "您登记的 {label} 未通过核实{reason}。如有疑问请联系楼栋长，"
    "或带身份证和房产证（租户带租房合同）到物业服务中心办理。",
    "register_matched": "已与业主名册核对一致，您登记的 {label}（{relationship}）已核实，现在可以参与投票和爱心屋兑换了。",
    "phone_changed": "好的，您的联系电话已改为 {phone}，以后工作人员会打这个号码联系您。",
    "phone_same": "您登记的电话就是 {phone}，不用改。",
    "visitor": "好的，来探望的亲友不用绑定房屋。有事直接告诉我，说清楚在几栋几单元几号，我们按那里处理；"
    "遇到危险请同时拨打 119/120/110。",
    "introduced": "{name}您好，已记下您的联系电话 {phone}。有什么需要帮忙的，直接告诉我就行。",
}

# Not living here at all (「我不是这个小区的 我是来看我妈的 她住1栋2单元302」): the flat named is someone else's.
_VISITOR = re.compile(
    r"不是(这个|本|你们|咱们?)?小区的?|不住(在)?(这|本小区|这个小区|你们小区)|我是(来)?(访客|客人)"
    r"|来(看|探望|看望)(一下)?(我|我的)?(妈|爸|父母|老人|奶奶|爷爷|外婆|姥姥|家人|亲戚|朋友)"
)
_BARE = re.compile(r"\s*([0-9]{1,5}|[A-Za-z])\s*(栋|号楼|幢|座|单元|室|号)?\s*[。.]?\s*")


class BindingForm(Form):
    name = "binding"
    title = "房屋绑定"
    intent = "binding"
    required_slots = ("building", "room")
    optional_slots = ("unit", "relationship", "visitor")
    prompts: ClassVar[dict[str, str]] = {
        "building": TEXTS["ask_building"],
        "room": TEXTS["ask_room"],
    }

    def extract(self, ctx: Context, asking: str | None) -> dict[str, Any]:
        if _VISITOR.search(ctx.text):
            return {"visitor": True}  # the address said is the person visited: nothing to bind
        found: dict[str, Any] = {
            k: v for k, v in ctx.slots.items() if k in ("building", "unit", "room") and v
        }
        said = relationship_said(ctx.text)
        if said:
            found["relationship"] = said
        if not found and asking:
            bare = _BARE.fullmatch(ctx.text)
            if bare:
                found[asking] = bare.group(1).upper()
        return found

    def prompt(self, ctx: Context, slot: str) -> str:
        if slot == "unit":
            return TEXTS["ask_unit"].format(building=ctx.state.slots.get("building", ""))
        return self.prompts[slot]

    def validate_building(self, ctx: Context, value: str) -> str:
        number = str(value).upper()
        known = building_layout(ctx.session)
        if known and number not in known:
            listed = "、".join(sorted(known, key=lambda n: (len(n), n)))
            raise Invalid(TEXTS["no_building"].format(building=number, known=listed))
        return number

    def validate_unit(self, ctx: Context, value: str) -> str:
        building = str(ctx.slots.get("building") or ctx.state.slots.get("building") or "")
        units = units_of(ctx.session, building) if building else []
        if units and str(value) not in units:  # 「3栋5单元301」 where 3栋 has units 1 and 2
            raise Invalid(TEXTS["no_unit"].format(building=building, unit=value, known="、".join(units)))
        return str(value)

    def missing_slot(self, ctx: Context, slots: dict[str, Any]) -> str | None:
        if slots.get("visitor"):
            return None
        missing = super().missing_slot(ctx, slots)
        if missing is None and "unit" not in slots and building_layout(ctx.session).get(slots["building"]):
            return "unit"
        return missing

    def submit(self, ctx: Context, slots: dict[str, Any]) -> list[Reply]:
        if slots.get("visitor"):
            return [Text(TEXTS["visitor"])]
        result = bind_room(
            ctx.session,
            person=ctx.person,
            building=slots["building"],
            unit=slots.get("unit", ""),
            room=slots["room"],
            now=ctx.now,
            relationship=Relationship(slots["relationship"]) if slots.get("relationship") else None,
        )
        key = {"requested": "requested_missing"}.get(result.outcome, result.outcome)
        names = {"relationship": RELATIONSHIP_NAMES.get(result.reason, "")}
        replies: list[Reply] = [Text(TEXTS[key].format(label=result.label, **names))]
        if result.outcome == "claimed" and not (ctx.person.name and ctx.person.phone):
            replies.append(Text(TEXTS["claimed_tail"]))
        return replies


binding_form = router.form(BindingForm())

_RELATIONSHIPS = (
    (re.compile(r"租户|租客|租的房|租房|房客"), "tenant"),
    (re.compile(r"家属|家人|家庭成员|子女|儿子|女儿|父母|老人"), "member"),
    (re.compile(r"业主|房主|产权人"), "owner"),
)


def relationship_said(text: str) -> str | None:
    """「我是租户」「我是业主」: the relationship a resident claims, if the message says one."""
    return next((value for pattern, value in _RELATIONSHIPS if pattern.search(text)), None)


# What may surround an address in 「我住3栋2单元502」「我家是5号楼1单元301室」.
_AROUND_ADDRESS = re.compile(
    r"[\s0-9A-Za-z一二三四五六七八九十我家住在是的号楼栋幢座单元室房间租户客业主属，。,.!！~]"
)


# Said of oneself beside the address: 「我住2栋2单元301，刚搬来租房子的」.
_ABOUT_MOVING_IN = re.compile(
    r"(?:刚|新|才)(?:搬|住|来|入住)(?:过来|进来|来|进)?(?:不久|没多久|的|了)*|租(?:的)?(?:房子|房)?|(?:跟|和)[^，,。]{1,4}(?:一起)?住"
)


def only_an_address(ctx: Context) -> dict[str, str] | None:
    """The address of a message that says nothing but where someone lives or is: 「我住3栋2单元502」."""
    slots = ctx.slots
    if not (slots.get("building") and slots.get("room")):
        return None
    said = _AROUND_ADDRESS.sub("", _ABOUT_MOVING_IN.sub("", ctx.text))
    if slots.get("category") or slots.get("spot") or slots.get("hazard") or said:
        return None
    return {key: slots[key] for key in ("building", "unit", "room") if slots.get(key)}


def address_to_bind(ctx: Context) -> dict[str, str] | None:
    """The address of a message that only says where someone lives, from someone not yet bound."""
    return only_an_address(ctx) if ctx.person.room_id is None else None


def ask_to_bind(ctx: Context, initial: dict[str, Any] | None = None) -> list[Reply]:
    """Start binding, using whatever address (and relationship: 「租房子的」) the message already gave."""
    said = relationship_said(ctx.text)
    return start_form(ctx, binding_form, {**initial, "relationship": said} if initial and said else initial)


def _tells_where_one_lives(ctx: Context) -> bool:
    """「我住2栋2单元301，刚搬来租房子的」 from someone not yet bound, with nothing else open: whatever
    the classifier makes of the words around the address, that is a binding."""
    return ctx.state.form is None and not is_question(ctx.text) and address_to_bind(ctx) is not None


@router.reader(_tells_where_one_lives)
def on_where_one_lives(ctx: Context) -> list[Reply]:
    return ask_to_bind(ctx, address_to_bind(ctx))


@router.command(
    r"(绑定|绑定房屋|房屋绑定|绑定房间|重新绑定|换绑|更换房屋|认证|房屋认证)"
    r"(?:[：:，,\s]*[0-9A-Za-z一二三四五六七八九十号楼栋幢座单元室房间\s-]+)?[。！!]?"
)
def start_binding(ctx: Context) -> list[Reply]:
    """「绑定」, or 「绑定 1栋3单元503」 with the address already given."""
    address = {key: ctx.slots[key] for key in ("building", "unit", "room") if ctx.slots.get(key)}
    return ask_to_bind(ctx, address or None)


@router.command(r"(我的房屋|我的房子|我家地址|我住哪|我住哪里|查看绑定)[？?。]?")
def show_home(ctx: Context) -> list[Reply]:
    label = home(ctx)
    if not label:
        return [Text(TEXTS["no_home"]), *ask_to_bind(ctx, {})]
    residency = home_residency(ctx.session, ctx.person)
    if residency is None:
        return [Text(TEXTS["already_bound"].format(label=label))]
    status = "status_verified" if residency.status == ResidencyStatus.verified else "status_claimed"
    relationship = RELATIONSHIP_NAMES[residency.relationship]
    return [Text(TEXTS["my_home"].format(label=label, relationship=relationship, status=TEXTS[status]))]


@router.command(r"(解除绑定|取消绑定|解绑|解除房屋绑定)[。！!]?")
def unbind_home(ctx: Context) -> list[Reply]:
    """A verified home is kept until 「确定解除」: unbinding it costs the verification."""
    label = home(ctx)
    if not label:
        return [Text(TEXTS["no_home"])]
    residency = home_residency(ctx.session, ctx.person)
    if residency is not None and residency.status == ResidencyStatus.verified:
        return [Text(TEXTS["unbind_confirm"].format(label=label))]
    return _unbind(ctx, label)


@router.command(r"\s*确定解除(绑定)?[。！!]?\s*")
def confirm_unbind(ctx: Context) -> list[Reply]:
    label = home(ctx)
    return _unbind(ctx, label) if label else [Text(TEXTS["no_home"])]


def _unbind(ctx: Context, label: str) -> list[Reply]:
    residency = home_residency(ctx.session, ctx.person)
    if residency is not None:
        unbind(ctx.session, residency=residency, by="本人", now=ctx.now)
    else:
        ctx.person.room_id, ctx.person.is_owner = None, False
        ctx.session.add(ctx.person)
    return [Text(TEXTS["unbound"].format(label=label))]


# 「我换手机号了 新号码13912345678」「电话改成 139…」: the contact number the office calls.
_NEW_PHONE = (
    r".{0,12}((换|改|更换|变更|新)(了)?(个)?(手机|电话|联系方式)(号|号码)?"
    r"|(手机|电话|联系方式)(号|号码)?(换|改|变)(成|为|了)?).{0,10}?(1[3-9]\d{9}).{0,6}"
)


@router.command(_NEW_PHONE)
def on_new_phone(ctx: Context) -> list[Reply]:
    phone = re.search(r"1[3-9]\d{9}", ctx.text)
    assert phone is not None
    if ctx.person.phone == phone.group(0):
        return [Text(TEXTS["phone_same"].format(phone=phone.group(0)))]
    change_phone(ctx.session, person=ctx.person, phone=phone.group(0))
    return [Text(TEXTS["phone_changed"].format(phone=phone.group(0)))]


# 「我叫刘洋，电话13812345678」「我姓马，电话…」: a name (or a surname) and a number to be reached at, nothing else asked.
_INTRODUCTION = r"\s*(?:你好|您好)?[，,\s]*我(?:是[\u4e00-\u9fff]{2,4}的(?:儿子|女儿|儿媳|女婿|孙子|孙女|外孙|外孙女|侄子|侄女|亲戚|家属|老伴|爱人)[，,\s]*(?:我叫|叫)?|叫|是|姓)([\u4e00-\u9fff]{1,4}?)[，,。\s]*(?:我的)?(?:电话|手机|手机号|联系电话)(?:号码?)?(?:是)?[：:\s]*(1[3-9]\d{9})[。！!]?\s*"


@router.command(_INTRODUCTION)
def on_introduction(ctx: Context) -> list[Reply]:
    match = re.fullmatch(_INTRODUCTION, ctx.text)
    assert match is not None
    name, phone = match.group(1), match.group(2)
    if not ctx.person.name:
        ctx.person.name = name
    change_phone(ctx.session, person=ctx.person, phone=phone)
    return [Text(TEXTS["introduced"].format(name=name, phone=phone)), *_check_register(ctx)]


def _check_register(ctx: Context) -> list[Reply]:
    """A name and a number given after a claim: the owners' register may verify it now."""
    residency = home_residency(ctx.session, ctx.person)
    if residency is None:
        return []
    if not match_register(ctx.session, residency, person=ctx.person, now=ctx.now, notify=False):
        if residency.status == ResidencyStatus.claimed:  # the head now has a name and phone to check
            ask_deciders(ctx.session, residency, person=ctx.person, now=ctx.now, again=":named")
        return []
    relationship = RELATIONSHIP_NAMES[residency.relationship]
    return [Text(TEXTS["register_matched"].format(label=home(ctx), relationship=relationship))]


@router.command(
    r".{0,10}(核实了吗|核实了没|核实没有|审核了吗|通过了吗|通过没有|为什么没通过|为什么不通过|怎么没通过"
    r"|怎么才能核实|怎样才能核实|怎么核实|如何核实|我还差什么|还差什么|为什么不能投票|为什么投不了票"
    r"|为什么不能兑换|为什么兑换不了).{0,10}"
)
def claim_status(ctx: Context) -> list[Reply]:
    """「我的房子核实了吗」「为什么没通过」「我还差什么」: where the claim stands and what helps."""
    latest = latest_residency(ctx.session, ctx.person)
    if latest is None:
        return [Text(TEXTS["status_none"])]
    _, _, label = room_of(ctx.session, latest.room_id)
    relationship = RELATIONSHIP_NAMES[latest.relationship]
    if latest.status == ResidencyStatus.verified:
        return [Text(TEXTS["status_verified_long"].format(label=label, relationship=relationship))]
    if latest.status == ResidencyStatus.refused:
        reason = f"：{latest.note}" if latest.note else ""
        return [Text(TEXTS["status_refused"].format(label=label, reason=reason))]
    building, _, _ = room_of(ctx.session, latest.room_id)
    names = "、".join(p.name for p in deciders(ctx.session, building.id) if p.name) or "楼栋长"  # type: ignore[arg-type]
    return [Text(TEXTS["status_waiting"].format(label=label, relationship=relationship, deciders=names))]
