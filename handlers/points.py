"""Points in chat: balance, history, this month, rankings (with an opt-out), the 爱心屋 catalogue,
redeeming with a confirmation (an order with a pickup code), my orders, cancelling an order."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from bot.context import Context
from bot.forms import Form, Invalid, start_form
from bot.policy import is_question
from bot.replies import Reply, Text
from bot.router import Router
from handlers.common import named_in, spoken
from models.attendance import volunteer_record
from models.people import home_of
from models.points import (
    balance,
    history,
    is_opted_out,
    month_summary,
    rank_of,
    ranking,
    set_ranking_opt_out,
)
from models.residency import is_verified
from models.rewards import (
    CATEGORY_NAMES,
    STATUS_NAMES,
    RedemptionStatus,
    Reward,
    cancel_redemption,
    catalogue,
    find_reward,
    orders_of,
    redeem,
)

router = Router("points")

TEXTS = {
    "balance": "您现在有 {balance} 积分。累计参加志愿活动 {attended} 次、服务 {hours} 小时。",
    "balance_tail": "回复「积分明细」看记录，「爱心屋」看可以兑换什么。",
    "history_none": "您还没有积分记录。参加志愿活动就能攒积分，回复「志愿活动」看看。",
    "history_head": "最近的积分记录（余额 {balance}）：",
    "history_item": "{date} {sign}{amount} {reason}",
    "month": "本月（{month}月）您获得 {earned} 积分，使用 {spent} 积分，共 {entries} 笔；当前余额 {balance}。",
    "rank_none": "{scope}还没有人获得积分，快来参加志愿活动吧！",
    "rank_head": "{scope}积分排行：",
    "rank_item": "第{rank}名 {name} {points}分",
    "rank_me": "您排第 {rank} 名。",
    "rank_opted_out": "您已选择不参加排名。回复「参加排名」可以恢复。",
    "rank_tail": "不想上榜可回复「不参加排名」。",
    "scope_month": "本月",
    "scope_all": "累计",
    "scope_building": "{building}",
    "opted_out": "好的，您不会出现在积分排行榜上，积分照常累计和使用。回复「参加排名」可以恢复。",
    "already_out": "您已经不参加排名了。",
    "opted_in": "好的，您重新参加积分排名了。",
    "already_in": "您本来就在排名中。",
    "catalogue_none": "爱心屋暂时没有可兑换的物品，敬请期待。",
    "catalogue_head": "可以兑换（您有 {balance} 积分）：",
    "catalogue_short": "您现在有 {balance} 积分，还不够兑换。参加志愿活动可以攒积分，回复「最近有什么活动」看看。爱心屋现有：",
    "catalogue_item": "【{id}】{name}（{category}）{cost}积分，剩 {stock} 份",
    "catalogue_item_out": "【{id}】{name}（{category}）{cost}积分，已兑完",
    "catalogue_tail": "回复「兑换 + 编号或名称」，例如「兑换 {id}」。",
    "ask_reward": "想兑换什么？请回复编号或名称。\n{options}",
    "unclear_reward": "请回复想兑换的编号或名称，回复「爱心屋」再看一遍能换什么；不换了回复「取消」。",
    "no_such_reward": "没有找到「{name}」，请回复编号或名称。\n{options}",
    "confirm": "确认用 {cost} 积分兑换「{name}」？兑换后余额 {after}。\n回复「是」确认，回复「取消」放弃。",
    "ordered": "兑换成功！「{name}」领取码：{code}\n请到{place}出示领取码领取。如需取消，回复「取消兑换」，积分会退回。",
    "default_place": "爱心屋",
    "insufficient": "积分不够：「{name}」需要 {cost} 积分，您现在有 {balance} 积分。",
    "out_of_stock": "「{name}」已经兑完了，请看看别的。",
    "other": "\n可以回复别的编号或名称，或回复「取消」。",
    "not_found": "这个物品已下架，请回复「爱心屋」看看别的。",
    "orders_none": "您还没有兑换记录。",
    "orders_head": "您的兑换记录：",
    "orders_item": "{date} {name} {cost}积分 {status}{code}",
    "code": "，领取码 {code}",
    "cancel_none": "您没有待领取的兑换，不需要取消。",
    "cancel_which": "您有多个待领取的兑换，请回复「取消兑换 + 领取码」：\n{options}",
    "cancel_option": "{name}，领取码 {code}",
    "cancelled": "已取消兑换「{name}」，{cost} 积分已退回，当前余额 {balance}。",
    "cancel_failed": "这笔兑换已经{status}，不能取消了。",
    "redeem_unbound": "爱心屋兑换需要核实过的住户身份：请先回复「绑定」登记房屋，楼栋长核实后就能兑换。积分照常累计，不会丢失。",
    "redeem_unverified": "您登记的房屋还在等待楼栋长核实，核实后才能在爱心屋兑换。积分照常累计，不会丢失；"
    "也可以带身份证到物业服务中心当场核实。",
}

_HISTORY = re.compile(r".*(明细|记录|流水|怎么来的|历史).*")
_MONTH = re.compile(r".*(本月|这个月|当月|月度).*")
_RANK = re.compile(r".*(排行|排名|榜).*")
_CATALOGUE = re.compile(r".*(爱心屋|幸福食堂|兑换什么|能换什么|可以换|换点什么|有什么可以兑|商品|礼品).*")
_ORDERS = re.compile(r".*(我的兑换|兑换记录|领取码|我换了).*")
# 「兑换 洗衣液」「用积分兑换洗衣液」「拿积分换一袋大米」「积分换点东西」: what follows the verb is the gift.
_REDEEM = re.compile(
    r"\s*(?:那就|那|就|还是|再)?(?:我要|我想|想|要|帮我|给我)?(?:用|拿|把)?(?:我的)?(?:积分)?(?:来)?(?:兑换|换|兑)(?:成)?\s*(?:一下)?\s*(.+?)[。！!]?\s*"
)
_VAGUE_GIFT = re.compile(r"(点|些)?(东西|礼品|礼物|奖品|物品|啥|什么)(吧|呀|啊)?")
# 「不要了」「取消刚才的兑换」「洗衣液不换了」: undo a redemption not yet picked up.
_CANCEL_ORDER = re.compile(
    r".*((取消|撤销|撤回|退掉|退了)(.{0,8})(兑换|换的)|(兑换|换的)(.{0,8})(不要了|取消|退掉)|不换了"
    r"|\S{2,}(不想要了|不要了|不想换了)|(积分|分)(退给我|退回|退还|还给我|退我)|退(积分|分)).*"
)  # and 「午餐券不想要了 积分退给我」「洗衣液不要了」: the gift not wanted any more, the points back


def _points_request(text: str) -> bool:
    """Another request about points (「我的积分」「我的兑换」「积分明细」), which is no gift's name."""
    requests = (_CANCEL_ORDER, _ORDERS, _HISTORY, _MONTH, _RANK, _CATALOGUE)
    return "积分" in text or any(pattern.fullmatch(text) for pattern in requests)


class RedeemForm(Form):
    not_answers = frozenset(
        {"repair", "dispute", "volunteer", "consult", "progress", "notice", "vote", "handoff"}
    )
    name = "points_redeem"
    title = "积分兑换"
    intent = "points"
    required_slots = ("reward",)
    prompts: ClassVar[dict[str, str]] = {}
    confirm = True

    def extract(self, ctx: Context, asking: str | None) -> dict[str, Any]:
        text = spoken(ctx.text)
        match = _REDEEM.fullmatch(text)
        wanted = match.group(1) if match else (text if asking == "reward" else "")
        if _VAGUE_GIFT.fullmatch(wanted.strip()):
            wanted = ""  # 「我想用积分换点东西」: no gift named yet, so the list is shown
        wanted = re.sub(
            r"^([一两二三四五六七八九十几0-9]*(个|份|袋|瓶|桶|斤|张|次|包|盒))", "", wanted.strip()
        )
        # 「积分是不是年底就过期了」「我的兑换」 name no gift: a question or another request of points
        asks = self.not_an_answer(ctx) or is_question(text)
        if wanted and _points_request(text) and find_reward(ctx.session, text=wanted) is None:
            return {}
        if not match and wanted and asks and find_reward(ctx.session, text=wanted) is None:
            return {}  # 「最新通知」 while choosing a gift: let the dispatcher take it elsewhere
        return {"reward": wanted} if wanted else {}

    def other_request(self, ctx: Context) -> bool:
        text = spoken(ctx.text)  # 「我的兑换」「积分明细」; 「用积分换洗衣液」 is an answer
        requests = (_CANCEL_ORDER, _ORDERS, _HISTORY, _MONTH, _RANK, _CATALOGUE)
        return any(p.fullmatch(text) for p in requests) or ("积分" in text and not _REDEEM.fullmatch(text))

    def prompt(self, ctx: Context, slot: str) -> str:
        return TEXTS["ask_reward"].format(options=_options(ctx))

    def unclear(self, ctx: Context, slot: str) -> str:
        return TEXTS["unclear_reward"]  # the list was shown already: one short line, not the list again

    def validate_reward(self, ctx: Context, value: Any) -> int:
        refused = may_not_redeem(ctx)
        if refused:
            raise Invalid(refused)
        reward = find_reward(ctx.session, text=str(value))
        if reward is None:
            raise Invalid(TEXTS["no_such_reward"].format(name=value, options=_options(ctx)))
        have = _balance(ctx)
        if reward.stock < 1:
            raise Invalid(TEXTS["out_of_stock"].format(name=reward.name) + TEXTS["other"])
        if have < reward.cost:
            raise Invalid(
                TEXTS["insufficient"].format(name=reward.name, cost=reward.cost, balance=have)
                + TEXTS["other"]
            )
        return reward.id  # type: ignore[return-value]

    def confirm_text(self, ctx: Context, slots: dict[str, Any]) -> str:
        reward = ctx.session.get(Reward, slots["reward"])
        assert reward is not None
        have = _balance(ctx)
        return TEXTS["confirm"].format(cost=reward.cost, name=reward.name, after=have - reward.cost)

    def submit(self, ctx: Context, slots: dict[str, Any]) -> list[Reply]:
        refused = may_not_redeem(ctx)
        if refused:
            return [Text(refused)]
        result = redeem(
            ctx.session, reward_id=slots["reward"], person_id=ctx.person.id, now=ctx.now, operator="chat"
        )  # type: ignore[arg-type]
        reward = result.reward
        if reward is None:
            return [Text(TEXTS["not_found"])]
        if result.outcome == "ordered":
            assert result.redemption is not None
            place = reward.place or TEXTS["default_place"]
            return [
                Text(
                    TEXTS["ordered"].format(name=reward.name, code=result.redemption.pickup_code, place=place)
                )
            ]
        facts = {"name": reward.name, "cost": reward.cost, "balance": _balance(ctx)}
        return [Text(TEXTS[result.outcome].format(**facts))]


redeem_form = router.form(RedeemForm())


def may_not_redeem(ctx: Context) -> str:
    """Why this person cannot redeem yet ("" when they can): only verified residents redeem."""
    if ctx.person.room_id is None:
        return TEXTS["redeem_unbound"]
    return "" if is_verified(ctx.session, ctx.person) else TEXTS["redeem_unverified"]


def _balance(ctx: Context) -> int:
    return balance(ctx.session, person_id=ctx.person.id)  # type: ignore[arg-type]


def _options(ctx: Context) -> str:
    return "\n".join(
        TEXTS["catalogue_item" if r.stock > 0 else "catalogue_item_out"].format(
            id=r.id, name=r.name, category=CATEGORY_NAMES[r.category], cost=r.cost, stock=r.stock
        )
        for r in catalogue(ctx.session)
    )


def _date(moment: Any) -> str:
    from models.points import LOCAL_TZ

    local = moment.astimezone(LOCAL_TZ)
    return f"{local.month}月{local.day}日"


@router.intent("points")
def on_points(ctx: Context) -> list[Reply]:
    text = spoken(ctx.text)
    if _CANCEL_ORDER.fullmatch(text):
        return cancel_order(ctx)
    if _ORDERS.fullmatch(text):
        return show_orders(ctx)
    if _RANK.fullmatch(text):
        return show_ranking(ctx)
    if _REDEEM.fullmatch(text) and not re.search(r"什么|哪些|啥|吗|多少|[？?]", text):
        refused = may_not_redeem(ctx)
        return [Text(refused)] if refused else start_form(ctx, redeem_form, redeem_form.extract(ctx, None))
    if _CATALOGUE.fullmatch(text):
        return show_catalogue(ctx)
    if _HISTORY.fullmatch(text):
        return show_history(ctx)
    if _MONTH.fullmatch(text):
        return show_month(ctx)
    return show_balance(ctx)


def show_balance(ctx: Context) -> list[Reply]:
    record = volunteer_record(ctx.session, person_id=ctx.person.id)  # type: ignore[arg-type]
    line = TEXTS["balance"].format(balance=_balance(ctx), attended=record.attended, hours=f"{record.hours:g}")
    return [Text(line + "\n" + TEXTS["balance_tail"])]


def show_history(ctx: Context) -> list[Reply]:
    entries = history(ctx.session, person_id=ctx.person.id)  # type: ignore[arg-type]
    if not entries:
        return [Text(TEXTS["history_none"])]
    lines = [TEXTS["history_head"].format(balance=_balance(ctx))]
    for e in entries:
        sign = "+" if e.amount > 0 else "-"
        lines.append(
            TEXTS["history_item"].format(
                date=_date(e.created_at), sign=sign, amount=abs(e.amount), reason=e.reason
            )
        )
    return [Text("\n".join(lines))]


def show_month(ctx: Context) -> list[Reply]:
    summary = month_summary(ctx.session, person_id=ctx.person.id, now=ctx.now)  # type: ignore[arg-type]
    from models.points import month_start

    month = month_start(ctx.now).month
    return [Text(TEXTS["month"].format(month=month, **summary.__dict__))]


@router.command(r"(积分)?(排行榜?|排名|本楼排行|本楼排名|总排行|总排名|累计排行|排行榜总榜)[？?。]?")
def show_ranking(ctx: Context) -> list[Reply]:
    text = ctx.text
    monthly = not re.search(r"总|累计|全部|历史", text)
    building_id = None
    scope = TEXTS["scope_month" if monthly else "scope_all"]
    if re.search(r"本楼|我们楼|楼栋", text):
        home = home_of(ctx.session, ctx.person)
        if home is not None:
            building_id = home[0].id
            scope = home[0].label + scope
    rows = ranking(ctx.session, now=ctx.now, monthly=monthly, building_id=building_id)
    if not rows:
        return [Text(TEXTS["rank_none"].format(scope=scope))]
    lines = [TEXTS["rank_head"].format(scope=scope)]
    lines += [TEXTS["rank_item"].format(rank=r.rank, name=r.name, points=r.points) for r in rows]
    if is_opted_out(ctx.session, person_id=ctx.person.id):  # type: ignore[arg-type]
        lines.append(TEXTS["rank_opted_out"])
    else:
        mine = rank_of(ctx.session, person_id=ctx.person.id, now=ctx.now, monthly=monthly)  # type: ignore[arg-type]
        if mine is not None and building_id is None:
            lines.append(TEXTS["rank_me"].format(rank=mine))
        lines.append(TEXTS["rank_tail"])
    return [Text("\n".join(lines))]


@router.command(r"(不参加排名|不参与排名|退出排名|不想上榜|不上榜|隐藏排名)[。！!]?")
def opt_out(ctx: Context) -> list[Reply]:
    changed = set_ranking_opt_out(ctx.session, person_id=ctx.person.id, opt_out=True)  # type: ignore[arg-type]
    return [Text(TEXTS["opted_out" if changed else "already_out"])]


@router.command(r"(参加排名|参与排名|恢复排名|重新排名|我要上榜)[。！!]?")
def opt_in(ctx: Context) -> list[Reply]:
    changed = set_ranking_opt_out(ctx.session, person_id=ctx.person.id, opt_out=False)  # type: ignore[arg-type]
    return [Text(TEXTS["opted_in" if changed else "already_in"])]


def show_catalogue(ctx: Context) -> list[Reply]:
    rewards = catalogue(ctx.session)
    if not rewards:
        return [Text(TEXTS["catalogue_none"])]
    points = _balance(ctx)
    if points < min(r.cost for r in rewards):  # 「可以兑换（您有 0 积分）」 over things one cannot have
        return [Text("\n".join([TEXTS["catalogue_short"].format(balance=points), _options(ctx)]))]
    lines = [TEXTS["catalogue_head"].format(balance=points), _options(ctx)]
    lines.append(TEXTS["catalogue_tail"].format(id=rewards[0].id))
    return [Text("\n".join(lines))]


def show_orders(ctx: Context) -> list[Reply]:
    orders = orders_of(ctx.session, person_id=ctx.person.id)  # type: ignore[arg-type]
    if not orders:
        return [Text(TEXTS["orders_none"])]
    lines = [TEXTS["orders_head"]]
    for order, reward in orders:
        code = (
            TEXTS["code"].format(code=order.pickup_code) if order.status == RedemptionStatus.pending else ""
        )
        lines.append(
            TEXTS["orders_item"].format(
                date=_date(order.created_at),
                name=reward.name,
                cost=order.cost,
                status=STATUS_NAMES[order.status],
                code=code,
            )
        )
    return [Text("\n".join(lines))]


@router.command(r"取消兑换\s*[0-9]{0,6}[。！!]?")
def cancel_order(ctx: Context) -> list[Reply]:
    pending = orders_of(ctx.session, person_id=ctx.person.id, pending_only=True)  # type: ignore[arg-type]
    code = re.search(r"[0-9]{6}", ctx.text)
    if code is not None:
        pending = [(o, r) for o, r in pending if o.pickup_code == code.group(0)]
    elif (named := named_in(ctx.text, [r for _, r in pending], lambda r: r.name)) is not None:
        pending = [(o, r) for o, r in pending if r is named]  # 「午餐券不想要了」 of two orders
    if not pending:
        return [Text(TEXTS["cancel_none"])]
    if len(pending) > 1:
        options = "\n".join(
            TEXTS["cancel_option"].format(name=r.name, code=o.pickup_code) for o, r in pending
        )
        return [Text(TEXTS["cancel_which"].format(options=options))]
    order, reward = pending[0]
    try:
        cancel_redemption(
            ctx.session,
            redemption_id=order.id,
            now=ctx.now,
            by="chat",
            person_id=ctx.person.id,  # type: ignore[arg-type]
        )
    except ValueError:
        return [Text(TEXTS["cancel_failed"].format(status=STATUS_NAMES[order.status]))]
    return [Text(TEXTS["cancelled"].format(name=reward.name, cost=order.cost, balance=_balance(ctx)))]
