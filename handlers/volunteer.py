"""Volunteering in chat: upcoming activities, sign-up with a confirmation, cancel, my sign-ups,
check-in with the 签到码 and joining a team (visits: handlers.visit)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any, ClassVar

from bot.choices import Chooser, offer
from bot.context import Context
from bot.forms import Form, Invalid, start_form
from bot.policy import CANCEL
from bot.replies import Reply, Text
from bot.router import Router
from handlers.activity_choice import by_name, on_day, picked, said_name, the_one, unknown_name
from handlers.common import named_in
from handlers.volunteer_texts import TEXTS
from models.activities import (
    Activity,
    Signup,
    SignupStatus,
    cancel_signup,
    in_scope,
    my_signups,
    sign_up,
    upcoming,
    when_label,
)
from models.attendance import check_in, volunteer_record
from models.base import LOCAL_TZ, by_id
from models.teams import find_team, join_team, teams, teams_of

router = Router("volunteer")
JUST_NOW = timedelta(minutes=30)  # a sign-up this recent is the one a stop with no name is about


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
_SIGNUP = re.compile(r".*(报(个|一个|上)?名|参加|我要去|算我一个|我去).*")


def _option(activity: Activity) -> str:
    return TEXTS["option"].format(id=activity.id, title=activity.title, when=when_label(activity.starts_at))


def _number(text: str) -> int | None:
    found = _NUMBER.search(text)
    return int(found.group(1)) if found else None


def _by_title(ctx: Context, text: str) -> Activity | None:
    matches = [a for a in upcoming(ctx.session, person=ctx.person, now=ctx.now, limit=50) if a.title in text]
    return matches[0] if len(matches) == 1 else None


def _today(ctx: Context) -> date:
    return ctx.now.astimezone(LOCAL_TZ).date()


def _shown(ctx: Context, ids: list[int]) -> list[Activity]:
    """The activities of ``ids`` still upcoming, in the order shown."""
    by = {a.id: a for a in upcoming(ctx.session, person=ctx.person, now=ctx.now, limit=50)}
    return [by[i] for i in ids if i in by]


def _unknown_name(ctx: Context, text: str) -> str | None:
    """The name of an activity said (「扫雪」) when no upcoming activity is called anything like it."""
    titles = [a.title for a in upcoming(ctx.session, person=ctx.person, now=ctx.now, limit=50)]
    return unknown_name(text, titles)


def _named_elsewhere(ctx: Context, text: str) -> str | None:
    """The activity a cancelling names (「包饺子那个我不去了」) when it is none of the sign-ups: an
    upcoming activity called like it, or a name said with 「那个」."""
    if (name := said_name(text)) is not None:
        return name
    other = named_in(text, upcoming(ctx.session, person=ctx.person, now=ctx.now, limit=50), lambda a: a.title)
    return other.title if other is not None else None


class SignupForm(Form):
    name = "volunteer_signup"
    title = "活动报名"
    intent = "volunteer"
    required_slots = ("activity",)
    prompts: ClassVar[dict[str, str]] = {}
    confirm = True

    def extract(self, ctx: Context, asking: str | None) -> dict[str, Any]:
        shown = self._options(ctx)
        activity = _by_title(ctx, ctx.text) or the_one(ctx.text, shown, today=_today(ctx), by_day=False)
        if activity is None and asking == "activity":  # 「那就报周六上午的楼道清理」「下周六上午那场」
            everything = upcoming(ctx.session, person=ctx.person, now=ctx.now)
            activity = the_one(ctx.text, shown, today=_today(ctx)) or the_one(
                ctx.text, everything, today=_today(ctx)
            )
        if activity is not None:
            return {"activity": activity.id}
        number = _number(ctx.text)
        return {"activity": number} if number is not None else {}

    def other_request(self, ctx: Context) -> bool:
        """「我的报名」「志愿时长」「取消报名」 while choosing an activity: another request."""
        return any(p.fullmatch(ctx.text) for p in (_MINE, _CANCEL, _RECORD, _TEAM)) or "签到" in ctx.text

    @staticmethod
    def _options(ctx: Context) -> list[Activity]:
        """The activities asked between: those a loose name matched (「清扫楼道」), or all upcoming."""
        listed = ctx.state.slots.get("listed")
        shown = _shown(ctx, listed) if listed else []
        return shown or upcoming(ctx.session, person=ctx.person, now=ctx.now)

    def prompt(self, ctx: Context, slot: str) -> str:
        options = "\n".join(_option(a) for a in self._options(ctx))
        key = "ask_which" if ctx.state.slots.get("listed") else "ask_activity"
        return TEXTS[key].format(options=options)

    def confirm_unclear(self, ctx: Context) -> str | None:
        """「这周六那场」 at the confirmation: whether the day said is the activity's."""
        activity = ctx.session.get(Activity, ctx.state.slots.get("activity"))
        same = on_day(ctx.text, activity, today=_today(ctx)) if activity is not None else None
        if activity is None or same is None:
            return None
        key = "confirm_day_same" if same else "confirm_day_differs"
        return TEXTS[key].format(title=activity.title, when=when_label(activity.starts_at))

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
    lines.append(TEXTS["list_tail"].format(id=activities[0].id, title=_short(activities[0].title)))
    offer(ctx, "activity", [a.id for a in activities])  # 「义诊那个」「这周六那场」 next
    return [Text("\n".join(lines))]


def _short(title: str) -> str:
    """How one names an activity in passing: 「社区义诊」 → 「义诊」."""
    return title.removeprefix("社区") if len(title) > 3 else title


def _picks(ctx: Context, ids: list[int]) -> Activity | None:
    return the_one(ctx.text, _shown(ctx, ids), today=_today(ctx))


router.chooser(
    Chooser(
        "activity",
        "volunteer",
        _picks,
        lambda ctx, activity: start_form(ctx, signup_form, {"activity": activity.id}),
    )
)


def start_signup(ctx: Context) -> list[Reply]:
    found = signup_form.extract(ctx, None)
    if not found:
        activities = upcoming(ctx.session, person=ctx.person, now=ctx.now)
        if not activities:
            return [Text(TEXTS["none_upcoming"])]
        if _unknown_name(ctx, ctx.text):  # 「我报扫雪那个」: say so, and what there is
            start_form(ctx, signup_form, found)
            return [Text(signup_form.unclear(ctx, "activity"))]
        if len(activities) == 1:
            found = {"activity": activities[0].id}
        elif len(named := by_name(ctx.text, activities)) > 1:  # 「报个名清扫楼道」: those it may be
            among = picked(ctx.text, named, today=_today(ctx)) or named
            found = {"activity": among[0].id} if len(among) == 1 else {"listed": [a.id for a in among]}
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


def _active(ctx: Context) -> list[tuple[Activity, Signup]]:
    """The sign-ups one can still cancel, soonest first."""
    return [
        (a, s)
        for a, s in my_signups(ctx.session, person=ctx.person, now=ctx.now)
        if s.status != SignupStatus.attended and a.starts_at > ctx.now
    ]


def _stops_a_signup(ctx: Context) -> bool:
    """A stop said with its reason and nothing open (「那天要带孙子去打疫苗，取消吧」) is about a
    sign-up when there is one; a bare 「取消」 still says nothing is in progress."""
    return CANCEL.fullmatch(ctx.text) is None and bool(_active(ctx))


@router.stopper(_stops_a_signup)
@router.command(r"(取消报名|退出活动)\s*(第)?\s*[0-9]{0,6}\s*(个|号)?[。！!]?")
def cancel(ctx: Context) -> list[Reply]:
    number = _number(ctx.text) or (a.id if (a := _by_title(ctx, ctx.text)) else None)
    if number is None:
        active = _active(ctx)
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
        just_made = [(a, s) for a, s in active if ctx.now - s.queued_at < JUST_NOW]
        if len(active) > 1 and named is None and len(just_made) == 1:
            active = just_made  # 「那天有事，取消吧」 right after signing up: that one
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
