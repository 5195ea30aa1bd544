"""Volunteering in chat: upcoming activities, sign-up with a confirmation, cancel, my sign-ups,
check-in with the 签到码 and joining a team (visits: handlers.visit)."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from bot.context import Context
from bot.forms import Form, Invalid, start_form
from bot.replies import Reply, Text
from bot.router import Router
from handlers.common import named_in
from models.activities import (
    Activity,
    SignupStatus,
    cancel_signup,
    in_scope,
    my_signups,
    sign_up,
    upcoming,
    when_label,
)
from models.attendance import check_in, volunteer_record
from models.base import by_id
from models.teams import find_team, join_team, teams, teams_of

router = Router("volunteer")

TEXTS = {
    "none_upcoming": "近期暂时没有可以报名的志愿活动，有新活动会第一时间通知大家。",
    "list_head": "近期志愿活动：",
    "list_item": "【{id}】{title}\n  {when}，{place}\n  {state}，参加得 {points} 积分",
    "state_open": "还剩 {left} 个名额",
    "state_full": "名额已满，可报名候补",
    "list_tail": "回复「报名 + 编号」报名，例如「报名 {id}」。",
    "ask_activity": "想报名哪个活动？请回复编号：\n{options}",
    "option": "【{id}】{title}（{when}）",
    "no_named_activity": "社区近期没有「{name}」这个活动。",
    "no_such_activity": "没有找到编号为 {number} 的活动。{hint}",
    "confirm": "确认报名：\n{title}\n时间：{when}\n地点：{place}\n参加得 {points} 积分\n回复「是」确认，回复「取消」放弃。",
    "confirm_waitlist": "确认报名：\n{title}\n时间：{when}\n地点：{place}\n名额已满，报名后进入候补，有人退出会自动转正并通知您。\n回复「是」确认，回复「取消」放弃。",
    "confirmed": "报名成功！「{title}」{when}，地点：{place}。活动前一天和前一小时会提醒您，到场后回复「签到 + 签到码」领取积分。",
    "waitlisted": "名额已满，您已进入候补，排第 {position} 位。有人退出会自动为您转正并通知您。",
    "already_confirmed": "您已经报名了「{title}」，不用重复报名。",
    "already_waitlisted": "您已在「{title}」的候补名单中，排第 {position} 位。",
    "attended": "您已经参加过「{title}」了，感谢您的付出！",
    "closed": "「{title}」已取消或关闭报名。",
    "started": "「{title}」已经开始，不能再报名了。",
    "deadline": "「{title}」报名已截止。",
    "out_of_scope": "「{title}」只面向本楼栋/网格的居民，您暂时不能报名。",
    "not_found": "没有找到这个活动，请回复「志愿活动」看看最近的安排。",
    "mine_none": "您目前没有报名的活动。回复「志愿活动」看看最近的安排。",
    "not_signed_for": "您没有报名「{name}」（或已经取消了）。您现在报名的是：\n{options}\n要取消的话请回复「取消报名 + 编号」。",
    "mine_head": "您报名的活动：",
    "mine_item": "【{id}】{title}，{when}，{place}（{state}）",
    "state_confirmed": "已报名",
    "state_waitlisted": "候补第 {position} 位",
    "state_attended": "已签到",
    "mine_tail": "如需取消，回复「取消报名 + 编号」。",
    "record": "您累计参加志愿活动 {attended} 次，服务时长 {hours} 小时。",
    "which_cancel": "您报名了多个活动，请回复「取消报名 + 编号」：\n{options}",
    "cancelled": "已取消「{title}」的报名。",
    "cancelled_promoted": "已取消「{title}」的报名，名额已转给候补的邻居。",
    "not_signed_up": "您没有报名「{title}」，不需要取消。",
    "cancel_started": "「{title}」已经开始，不能取消了。如有特殊情况请联系组织者。",
    "checkin_how": "请回复「签到 + 签到码」，签到码由活动组织者在现场公布，例如「签到 1234」。",
    "checked_in": "签到成功！感谢参加「{title}」，已为您记入 {points} 积分。",
    "checked_in_no_points": "签到成功！感谢参加「{title}」。",
    "checkin_already": "您已经签到过「{title}」了，积分只记一次。",
    "wrong_code": "签到码不对，或者您没有报名用这个签到码的活动。请核对后再试。",
    "checkin_waitlisted": "您在「{title}」的候补名单中，还没有转为正式报名，请找组织者现场确认。",
    "too_early": "「{title}」还没开始，活动开始前一小时内才能签到。",
    "too_late": "「{title}」的签到时间已过，请联系组织者补登。",
    "teams_none": "社区暂时还没有志愿队伍。",
    "teams_list": "社区志愿队伍：{names}。回复「加入 + 队伍名称」即可加入，例如「加入{example}」。",
    "joined": "欢迎加入「{team}」！有活动会第一时间通知您。",
    "already_member": "您已经是「{team}」的队员了。",
    "my_teams": "您所在的队伍：{names}。",
}

_NUMBER = re.compile(r"(?:第)?\s*([0-9]{1,6})\s*(?:个|号)?")
_MINE = re.compile(r".*(我报名的|我的报名|我的活动|我报了|报了哪些|我参加的|报名记录).*")
# 「取消周六义诊的报名」「那个活动我去不了了 帮我撤了」「报名的包饺子不参加了」
_CANCEL = re.compile(
    r".*((取消|撤销|撤回|撤掉|撤了|退掉|退出|退了)(.{0,12})(报名|活动)|(报名|活动)(.{0,8})(取消|撤|退掉|不参加)"
    r"|去不了|不去了|参加不了|来不了|不参加了|不能参加|没法参加|没空去|退报|帮我撤了|给我撤了).*"
)
_RECORD = re.compile(r".*(志愿时长|服务时长|参加了几次|我的志愿).*")
_TEAM = re.compile(
    r".*(加入|参加|入队|报名参加).*(队|红色管家|志愿者协会|服务社).*|.*(志愿队伍|有哪些队|我的队伍).*"
)
_SIGNUP = re.compile(r".*(报名|参加|我要去|算我一个|我去).*")


def _option(activity: Activity) -> str:
    return TEXTS["option"].format(id=activity.id, title=activity.title, when=when_label(activity.starts_at))


def _number(text: str) -> int | None:
    found = _NUMBER.search(text)
    return int(found.group(1)) if found else None


def _by_title(ctx: Context, text: str) -> Activity | None:
    matches = [a for a in upcoming(ctx.session, person=ctx.person, now=ctx.now, limit=50) if a.title in text]
    return matches[0] if len(matches) == 1 else None


# 「我报扫雪那个」「清理车棚那个」: an activity chosen by a name (perhaps one the community lacks).
_NAMED = re.compile(
    r"^[\s嗯啊哦那个就我想要帮给]*(?:报名|报|参加|选|去)?[\s一下个]*"
    r"(?P<name>[^\s，,。！!？?的]{2,8}?)\s*(?:的)?\s*(?:那个|这个|那场|那次)"
)
_NOT_A_NAME = re.compile(
    r"第|最后|上面|下面|前面|后面|这|那|哪|什么|周|星期|礼拜|今天|明天|后天|[上下]午|晚上|号|月"
)


def _unknown_name(ctx: Context, text: str) -> str | None:
    """The name of an activity said (「扫雪」) when no upcoming activity is called anything like it."""
    found = _NAMED.search(text)
    if (
        found is None
        or re.search(r"什么|哪些|有没有|啥|有冇|吗|[?？]", text)
        or _NOT_A_NAME.search(found.group("name"))
    ):
        return None
    name = found.group("name")
    pairs = {name[i : i + 2] for i in range(len(name) - 1)}
    titles = [a.title for a in upcoming(ctx.session, person=ctx.person, now=ctx.now, limit=50)]
    return None if any(pair in title for title in titles for pair in pairs) else name


def _named_elsewhere(ctx: Context, text: str) -> str | None:
    """The activity a cancelling names (「包饺子那个我不去了」) when it is none of the sign-ups: an
    upcoming activity called like it, or a name said with 「那个」."""
    found = _NAMED.search(text)
    if found is not None and not _NOT_A_NAME.search(found.group("name")):
        return found.group("name")
    other = named_in(text, upcoming(ctx.session, person=ctx.person, now=ctx.now, limit=50), lambda a: a.title)
    return other.title if other is not None else None


# 「第一个」「最后一个」: a place in the list as shown (by time), not the 编号 in brackets.
_POSITION = re.compile(r"(?:第([一二三四五六七八九十]|[1-9])个|(最后一个|最后那个))")
_CHINESE_DIGITS = "一二三四五六七八九十"


def _by_position(ctx: Context, text: str) -> Activity | None:
    found = _POSITION.search(text)
    if found is None:
        return None
    listed = upcoming(ctx.session, person=ctx.person, now=ctx.now)
    if found.group(2):
        return listed[-1] if listed else None
    digit = found.group(1)
    index = int(digit) if digit.isdigit() else _CHINESE_DIGITS.index(digit) + 1
    return listed[index - 1] if 0 < index <= len(listed) else None


class SignupForm(Form):
    name = "volunteer_signup"
    title = "活动报名"
    intent = "volunteer"
    required_slots = ("activity",)
    prompts: ClassVar[dict[str, str]] = {}
    confirm = True

    def extract(self, ctx: Context, asking: str | None) -> dict[str, Any]:
        activity = _by_title(ctx, ctx.text) or _by_position(ctx, ctx.text)
        if activity is None and asking == "activity":  # 「那就报周六上午的楼道清理」: a piece of its title
            activity = named_in(
                ctx.text, upcoming(ctx.session, person=ctx.person, now=ctx.now), lambda a: a.title
            )
        if activity is not None:
            return {"activity": activity.id}
        number = _number(ctx.text)
        return {"activity": number} if number is not None else {}

    def other_request(self, ctx: Context) -> bool:
        """「我的报名」「志愿时长」「取消报名」 while choosing an activity: another request."""
        return any(p.fullmatch(ctx.text) for p in (_MINE, _CANCEL, _RECORD, _TEAM)) or "签到" in ctx.text

    def prompt(self, ctx: Context, slot: str) -> str:
        options = "\n".join(_option(a) for a in upcoming(ctx.session, person=ctx.person, now=ctx.now))
        return TEXTS["ask_activity"].format(options=options)

    def unclear(self, ctx: Context, slot: str) -> str:
        name = _unknown_name(ctx, ctx.text)
        return (
            TEXTS["no_named_activity"].format(name=name) + self.prompt(ctx, slot)
            if name
            else super().unclear(ctx, slot)
        )

    def validate_activity(self, ctx: Context, value: Any) -> int:
        activity = by_id(ctx.session, Activity, value)
        if (
            activity is None
            or activity.starts_at <= ctx.now
            or not in_scope(ctx.session, activity=activity, person=ctx.person)
        ):
            hint = self.prompt(ctx, "activity")
            raise Invalid(TEXTS["no_such_activity"].format(number=value, hint=hint))
        return int(value)

    def confirm_text(self, ctx: Context, slots: dict[str, Any]) -> str:
        activity = ctx.session.get(Activity, slots["activity"])
        assert activity is not None
        key = "confirm" if activity.taken < activity.capacity else "confirm_waitlist"
        return TEXTS[key].format(
            title=activity.title,
            when=when_label(activity.starts_at),
            place=activity.place,
            points=activity.points,
        )

    def submit(self, ctx: Context, slots: dict[str, Any]) -> list[Reply]:
        result = sign_up(ctx.session, activity_id=slots["activity"], person=ctx.person, now=ctx.now)
        activity = result.activity
        if activity is None:
            return [Text(TEXTS["not_found"])]
        facts = {"title": activity.title, "when": when_label(activity.starts_at), "place": activity.place}
        key = result.outcome
        if key == "already":
            waiting = result.signup is not None and result.signup.status == SignupStatus.waitlisted
            key = "already_waitlisted" if waiting else "already_confirmed"
        return [Text(TEXTS[key].format(position=result.position, **facts))]


signup_form = router.form(SignupForm())


@router.intent("volunteer")
def on_volunteer(ctx: Context) -> list[Reply]:
    text = ctx.text
    if _CANCEL.fullmatch(text):
        return cancel(ctx)
    if _MINE.fullmatch(text):
        return show_mine(ctx)
    if "签到" in text:
        return on_checkin(ctx)
    if _RECORD.fullmatch(text):
        return show_record(ctx)
    if _TEAM.fullmatch(text):
        return on_team(ctx)
    if (_SIGNUP.fullmatch(text) and not re.search(r"什么|哪些|有没有", text)) or _unknown_name(ctx, text):
        return start_signup(ctx)
    return show_upcoming(ctx)


def show_upcoming(ctx: Context) -> list[Reply]:
    activities = upcoming(ctx.session, person=ctx.person, now=ctx.now)
    if not activities:
        return [Text(TEXTS["none_upcoming"])]
    lines = [TEXTS["list_head"]]
    for a in activities:
        left = a.capacity - a.taken
        state = TEXTS["state_open"].format(left=left) if left > 0 else TEXTS["state_full"]
        lines.append(
            TEXTS["list_item"].format(
                id=a.id,
                title=a.title,
                when=when_label(a.starts_at),
                place=a.place,
                state=state,
                points=a.points,
            )
        )
    lines.append(TEXTS["list_tail"].format(id=activities[0].id))
    return [Text("\n".join(lines))]


def start_signup(ctx: Context) -> list[Reply]:
    found = signup_form.extract(ctx, None)
    if not found:
        activities = upcoming(ctx.session, person=ctx.person, now=ctx.now)
        if not activities:
            return [Text(TEXTS["none_upcoming"])]
        if len(activities) == 1:
            found = {"activity": activities[0].id}
        elif _unknown_name(ctx, ctx.text):  # 「我报扫雪那个」: say so, and what there is
            start_form(ctx, signup_form, found)
            return [Text(signup_form.unclear(ctx, "activity"))]
    return start_form(ctx, signup_form, found)


@router.command(r"(报名|我要报名|报名参加)\s*(第)?\s*[0-9]{1,6}\s*(个|号)?[。！!]?")
def signup_by_number(ctx: Context) -> list[Reply]:
    return start_signup(ctx)


def show_mine(ctx: Context) -> list[Reply]:
    from models.activities import waitlist_position

    rows = my_signups(ctx.session, person=ctx.person, now=ctx.now)
    if not rows:
        return [Text(TEXTS["mine_none"])]
    lines = [TEXTS["mine_head"]]
    for activity, signup in rows:
        if signup.status == SignupStatus.waitlisted:
            state = TEXTS["state_waitlisted"].format(position=waitlist_position(ctx.session, signup=signup))
        else:
            state = TEXTS[f"state_{signup.status.value}"]
        lines.append(
            TEXTS["mine_item"].format(
                id=activity.id,
                title=activity.title,
                when=when_label(activity.starts_at),
                place=activity.place,
                state=state,
            )
        )
    lines.append(TEXTS["mine_tail"])
    return [Text("\n".join(lines))]


@router.command(r"(取消报名|退出活动)\s*(第)?\s*[0-9]{0,6}\s*(个|号)?[。！!]?")
def cancel(ctx: Context) -> list[Reply]:
    number = _number(ctx.text) or (a.id if (a := _by_title(ctx, ctx.text)) else None)
    if number is None:
        active = [
            (a, s)
            for a, s in my_signups(ctx.session, person=ctx.person, now=ctx.now)
            if s.status != SignupStatus.attended and a.starts_at > ctx.now
        ]
        if not active:
            return [Text(TEXTS["mine_none"])]
        named = named_in(ctx.text, [a for a, _ in active], lambda a: a.title)  # 「夜间巡逻不去了」
        if named is not None:
            active = [(a, s) for a, s in active if a is named]
        elif (
            other := _named_elsewhere(ctx, ctx.text)
        ) is not None:  # 「包饺子那个我不去了」: never another one
            options = "\n".join(_option(a) for a, _ in active)
            return [Text(TEXTS["not_signed_for"].format(name=other, options=options))]
        if len(active) > 1:
            return [Text(TEXTS["which_cancel"].format(options="\n".join(_option(a) for a, _ in active)))]
        number = active[0][0].id
    result = cancel_signup(ctx.session, activity_id=number, person=ctx.person, now=ctx.now)  # type: ignore[arg-type]
    if result.activity is None:
        return [Text(TEXTS["not_found"])]
    key = {"cancelled": "cancelled_promoted" if result.promoted else "cancelled", "started": "cancel_started"}
    return [Text(TEXTS[key.get(result.outcome, result.outcome)].format(title=result.activity.title))]


@router.command(r"(签到|签到码)[\s:：]*[0-9]{3,6}[。！!]?")
def on_checkin(ctx: Context) -> list[Reply]:
    code = re.search(r"[0-9]{3,6}", ctx.text)
    if code is None:
        return [Text(TEXTS["checkin_how"])]
    result = check_in(ctx.session, person=ctx.person, code=code.group(0), now=ctx.now)
    if result.activity is None:
        return [Text(TEXTS["wrong_code"])]
    key = {
        "checked_in": "checked_in" if result.points else "checked_in_no_points",
        "already": "checkin_already",
        "waitlisted": "checkin_waitlisted",
        "not_signed_up": "wrong_code",
    }.get(result.outcome, result.outcome)
    return [Text(TEXTS[key].format(title=result.activity.title, points=result.points))]


def show_record(ctx: Context) -> list[Reply]:
    record = volunteer_record(ctx.session, person_id=ctx.person.id)  # type: ignore[arg-type]
    lines = [TEXTS["record"].format(attended=record.attended, hours=f"{record.hours:g}")]
    mine = teams_of(ctx.session, person_id=ctx.person.id)  # type: ignore[arg-type]
    if mine:
        lines.append(TEXTS["my_teams"].format(names="、".join(t.name for t in mine)))
    return [Text("\n".join(lines))]


@router.command(r"(加入|我要加入|申请加入)\s*\S{2,12}[。！!]?")
def on_team(ctx: Context) -> list[Reply]:
    team = find_team(ctx.session, text=ctx.text)
    if team is None:
        known = teams(ctx.session)
        if not known:
            return [Text(TEXTS["teams_none"])]
        names = "、".join(t.name for t in known)
        return [Text(TEXTS["teams_list"].format(names=names, example=known[0].name))]
    joined = join_team(ctx.session, team_id=team.id, person_id=ctx.person.id, now=ctx.now)  # type: ignore[arg-type]
    return [Text(TEXTS["joined" if joined else "already_member"].format(team=team.name))]
