"""网上议事 in chat: open proposals with live turnout, voting, 「我家投过票了吗」, results, raising one."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlmodel import col, select

from bot.clock import LOCAL_TZ
from bot.context import Context
from bot.replies import Reply, Text
from bot.router import Router
from handlers.common import home
from models.ballots import current_tally, household_ballot, vote_in_chat
from models.base import by_id
from models.proposals import (
    CHOICE_NAMES,
    Proposal,
    ProposalStatus,
    VoteRefused,
    add_comment,
    create_proposal,
    open_proposals,
)
from models.residency import is_verified

router = Router("vote")

TEXTS = {
    "none_open": "目前没有需要您参与的议题。有新议题时会第一时间通知您。",
    "open_head": "正在进行的议题：",
    "item": "{code}「{title}」{phase}，截止 {close}；目前参与面积 {area} / 人数 {head}",
    "how_to_vote": "回复「投票 {code} 同意」（或 反对、弃权）参与表决，截止前可以改票；发表意见请回复「{code} 意见：……」。",
    "discussion": "讨论中（{open} 开始投票）",
    "voting": "投票中",
    "cast": "已记录您对 {code}「{title}」的投票：{choice}。截止前可以改票。",
    "changed": "已把您对 {code} 的投票由「{previous}」改为「{choice}」。",
    "which": "您想对哪个议题投票？请回复「投票 议题编号 同意」，例如「投票 {code} 同意」。",
    "no_such": "没有找到议题 {code}，请核对编号。",
    "not_owner": "只有已绑定房屋的业主本人可以投票。家庭成员或租户请和业主商量后由业主投票。",
    "bind_first": "投票需要先绑定房屋，回复「绑定」即可。",
    "unverified": "您登记的房屋还在等待楼栋长核实，核实后才能投票。核实结果会通知您；也可以带身份证和房产证到物业服务中心当场核实。",
    "unverified_ballot": "您登记的房屋还在等待楼栋长核实，核实后才能查看您家的投票情况。",
    "not_voting:discussion": "{code} 还在讨论阶段，{open} 开始投票。",
    "not_voting:counting": "{code} 的投票已经截止，正在计票。",
    "not_voting:closed": "{code} 的投票已经结束。回复「{code} 结果」查看结果。",
    "not_voting:cancelled": "{code} 已经取消。",
    "not_voting:pending_review": "{code} 还在审核中，还不能投票。",
    "voted": "{code}「{title}」：您家已投「{choice}」（{when}，{channel}）。",
    "not_voted": "{code}「{title}」：您家还没有投票。",
    "result": "{code}「{title}」{verdict}。{reason}",
    "no_result": "{code} 还没有结果。",
    "raised": "已收到您发起的议题「{title}」，管理员审核后会发布给相关业主。",
    "raise_how": "请这样发起：「发起议题 标题：… 内容：…」。",
    "choose": "请说明同意、反对还是弃权，例如「投票 {code} 同意」。",
    "commented": "已收到您对 {code} 的意见，目前共有 {count} 条意见，管理员和业委会都能看到。",
    "not_open_comment": "{code} 现在不在讨论或投票期，暂时不能发表意见。",
}

_CHOICES = {
    "同意": "agree",
    "赞成": "agree",
    "支持": "agree",
    "反对": "disagree",
    "不同意": "disagree",
    "弃权": "abstain",
}
_CHOICE_RE = "不同意|同意|赞成|支持|反对|弃权"
_VOTE = re.compile(rf"\s*投票?\s*[Pp]?(\d+)\s*[:：,，]?\s*({_CHOICE_RE})\s*[。！!]?\s*")
_CODE = re.compile(r"[Pp](\d+)")


def _local(moment: datetime) -> str:
    return moment.astimezone(LOCAL_TZ).strftime("%m月%d日 %H:%M")


def _percent(value: float) -> str:
    return f"{value * 100:.0f}%"


def _summary(ctx: Context, proposal: Proposal) -> str:
    phase = proposal.phase(ctx.now)
    result = current_tally(ctx.session, proposal)
    label = (
        TEXTS["voting"]
        if phase == "voting"
        else TEXTS["discussion"].format(open=_local(proposal.votes_open_at))
    )
    return TEXTS["item"].format(
        code=proposal.code,
        title=proposal.title,
        phase=label,
        close=_local(proposal.votes_close_at),
        area=_percent(float(result.area_participation)),
        head=_percent(float(result.head_participation)),
    )


def _cast(ctx: Context, proposal: Proposal, choice: str) -> list[Reply]:
    if not home(ctx):
        return [Text(TEXTS["bind_first"])]
    try:
        cast = vote_in_chat(ctx.session, proposal=proposal, person=ctx.person, choice=choice, now=ctx.now)  # type: ignore[arg-type]
    except VoteRefused as refused:
        key = refused.reason if refused.reason in TEXTS else "not_owner"
        return [Text(TEXTS[key].format(code=proposal.code, open=_local(proposal.votes_open_at)))]
    if cast.previous and cast.previous != cast.choice:
        return [
            Text(
                TEXTS["changed"].format(
                    code=proposal.code, previous=CHOICE_NAMES[cast.previous], choice=CHOICE_NAMES[choice]
                )
            )
        ]
    return [Text(TEXTS["cast"].format(code=proposal.code, title=proposal.title, choice=CHOICE_NAMES[choice]))]


@router.command(rf"\s*投票?\s*[Pp]?\d+\s*[:：,，]?\s*({_CHOICE_RE})\s*[。！!]?\s*")
def vote_command(ctx: Context) -> list[Reply]:
    match = _VOTE.fullmatch(ctx.text)
    assert match is not None
    proposal = by_id(ctx.session, Proposal, match.group(1))
    if proposal is None:
        return [Text(TEXTS["no_such"].format(code=f"P{match.group(1)}"))]
    return _cast(ctx, proposal, _CHOICES[match.group(2)])


@router.command(r"\s*[Pp](\d+)\s*(的)?(结果|表决结果|投票结果)\s*[？?]?\s*")
def result_command(ctx: Context) -> list[Reply]:
    match = _CODE.search(ctx.text)
    assert match is not None
    proposal = by_id(ctx.session, Proposal, match.group(1))
    if proposal is None:
        return [Text(TEXTS["no_such"].format(code=f"P{match.group(1)}"))]
    return [_result_text(proposal)]


@router.command(r"\s*[Pp]\d+\s*(的)?(意见|建议|看法)\s*[:：].+")
def comment_command(ctx: Context) -> list[Reply]:
    match = _CODE.search(ctx.text)
    assert match is not None
    proposal = by_id(ctx.session, Proposal, match.group(1))
    if proposal is None:
        return [Text(TEXTS["no_such"].format(code=f"P{match.group(1)}"))]
    if not home(ctx):
        return [Text(TEXTS["bind_first"])]
    opinion = re.split(r"[:：]", ctx.text, maxsplit=1)[1]
    try:
        count = add_comment(ctx.session, proposal=proposal, person=ctx.person, text=opinion, now=ctx.now)
    except VoteRefused:
        return [Text(TEXTS["not_open_comment"].format(code=proposal.code))]
    return [Text(TEXTS["commented"].format(code=proposal.code, count=count))]


@router.command(r"\s*发起议题.*")
def raise_proposal(ctx: Context) -> list[Reply]:
    match = re.search(r"标题[:：]\s*(.+?)\s*(?:内容[:：]\s*(.+))?$", ctx.text, re.S)
    if not match:
        return [Text(TEXTS["raise_how"])]
    if not home(ctx):
        return [Text(TEXTS["bind_first"])]
    title, body = match.group(1).strip(), (match.group(2) or "").strip()
    create_proposal(
        ctx.session,
        title=title,
        body=body,
        matter=9,
        votes_open_at=ctx.now + timedelta(days=7),
        votes_close_at=ctx.now + timedelta(days=21),
        now=ctx.now,
        raised_by=f"resident:{ctx.person.id}",
        raised_by_person=ctx.person,
        publish=False,
    )
    return [Text(TEXTS["raised"].format(title=title))]


def _result_text(proposal: Proposal) -> Reply:
    if proposal.status != ProposalStatus.closed:
        return Text(TEXTS["no_result"].format(code=proposal.code))
    result = proposal.result
    verdict = "通过" if result.get("passed") else "未通过"
    return Text(
        TEXTS["result"].format(
            code=proposal.code, title=proposal.title, verdict=verdict, reason=result.get("reason", "")
        )
    )


@router.intent("vote")
def on_vote(ctx: Context) -> list[Reply]:
    proposals = open_proposals(ctx.session, person=ctx.person, now=ctx.now)
    text = ctx.text
    if re.search(r"投过|投了没|投没投|有没有投", text):
        return [_ballot_status(ctx, p) for p in proposals] or [Text(TEXTS["none_open"])]
    if re.search(r"结果", text) and not re.search(_CHOICE_RE, text):
        closed = ctx.session.exec(
            select(Proposal)
            .where(Proposal.status == ProposalStatus.closed)
            .order_by(col(Proposal.closed_at).desc())
        ).first()
        return [_result_text(closed)] if closed else [Text(TEXTS["none_open"])]
    found = re.search(_CHOICE_RE, text)  # "不同意" is tried before "同意"
    if found is not None:
        chosen = _CHOICES[found.group()]
        voting = [p for p in proposals if p.phase(ctx.now) == "voting"]
        code_match = _CODE.search(text)
        if code_match:
            target = by_id(ctx.session, Proposal, code_match.group(1))
            if target is None:
                return [Text(TEXTS["no_such"].format(code=f"P{code_match.group(1)}"))]
            return _cast(ctx, target, chosen)
        if len(voting) == 1:
            return _cast(ctx, voting[0], chosen)
        if voting:
            return [Text(TEXTS["which"].format(code=voting[0].code))]
    if not proposals:
        return [Text(TEXTS["none_open"])]
    lines = [TEXTS["open_head"], *(_summary(ctx, p) for p in proposals)]
    return [Text("\n".join(lines)), Text(TEXTS["how_to_vote"].format(code=proposals[0].code))]


def _ballot_status(ctx: Context, proposal: Proposal) -> Reply:
    if not is_verified(ctx.session, ctx.person):
        return Text(TEXTS["unverified_ballot"])
    ballot = household_ballot(ctx.session, proposal=proposal, person=ctx.person)
    if ballot is None:
        return Text(TEXTS["not_voted"].format(code=proposal.code, title=proposal.title))
    return Text(
        TEXTS["voted"].format(
            code=proposal.code,
            title=proposal.title,
            choice=CHOICE_NAMES[ballot.choice],
            when=_local(ballot.cast_at),
            channel="微信投票" if ballot.channel == "chat" else "纸质票",
        )
    )
