"""物业服务评议 in chat: a household scores the property company (five digits at once, or one
dimension at a time) while an evaluation is open, and anyone asks 「物业评了几星」."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from bot.context import Context
from bot.forms import Form, Invalid, start_form
from bot.replies import Reply, Text
from bot.router import Router
from models.evaluation_stars import DIMENSION_NAMES, DIMENSIONS
from models.evaluations import (
    EvaluationRefused,
    answer,
    check_answerer,
    current_evaluation,
    household_answer,
    latest_published,
    result_text,
    scores_text,
)

router = Router("evaluation")

TEXTS = {
    "none_open": "目前没有进行中的物业服务评议。公布过的结果可以问「物业评了几星」。",
    "intro": "{title}：请为物业服务打分，1 到 5 分，5 分最满意。可以一次回复五个数字，"
    "依次是保洁、安保、维修、绿化、客服，例如「5 4 5 3 4」；也可以一项一项回答。",
    "ask": "请给「{name}」打分（1 到 5 分）：",
    "out_of_range": "「{name}」的分数要在 1 到 5 之间，您回复的是 {value}。请重新给「{name}」打分。",
    "wrong_count": "需要五个分数，依次是保洁、安保、维修、绿化、客服，您回复了 {count} 个。"
    "请一次回复五个数字，例如「5 4 5 3 4」，或只回复「{name}」这一项的分数。",
    "unclear": "抱歉，没有看懂。请回复 1 到 5 之间的数字。",
    "already": "您家已经评过了（{scores}）。再评一次会替换之前的评分。",
    "thanks": "谢谢您！已记下您家对{title}的评分：{scores}。截止前再评一次会替换这次的评分。",
    "replaced": "已更新您家的评分：{scores}（替换了之前的 {previous}）。",
    "bind_first": "参与评议需要先绑定房屋，每户一份评分。回复「绑定」，再告诉我楼栋、单元和房号，例如「3栋2单元502」。",
    "unverified": "您登记的房屋还在等待楼栋长核实，核实后才能参与评议。也可以带身份证和房产证到物业服务中心当场核实。",
    "closed": "这次评议已经结束，您的评分没能计入，抱歉。结果公布后可以问「物业评了几星」。",
    "bad_scores": "评分没有记下：五项都要是 1 到 5 分。请回复「评议」重新打分。",
    "no_result": "还没有公布过物业服务评议结果。",
}

_FULL_WIDTH = str.maketrans("０１２３４５６７８９", "0123456789")
_CHINESE = {
    "一": "1",
    "二": "2",
    "两": "2",
    "三": "3",
    "四": "4",
    "五": "5",
    "六": "6",
    "七": "7",
    "八": "8",
    "九": "9",
}
_NAMED = re.compile(r"(保洁|安保|维修|绿化|客服)\s*[:：]?\s*(\d+)")
_DIGITS = re.compile(r"\d+")
# 「评议」「参与物业评议」「给物业打分」: a bare 「打分」 is the rating of a finished repair.
_OPENING = r"\s*((我要|参与|参加)?(物业服务|物业)?评议|(我要)?给物业打分|物业打分)\s*[:：]?"
_LEAD = re.compile(_OPENING)
_BY_NAME = {name: key for key, name in DIMENSION_NAMES.items()}


def _numbers(text: str) -> str:
    said = _LEAD.sub("", text.translate(_FULL_WIDTH))
    said = re.sub(r"([一二两三四五六七八九])\s*(分|星|颗星)", lambda m: _CHINESE[m.group(1)], said)
    return said if re.fullmatch(r"[\d\s,，、。./分星]*", said) else ""


def _ordered(found: dict[str, int]) -> dict[str, int]:
    """Scores in range first: one out of range is asked again, and nothing given in range is lost."""
    return dict(sorted(found.items(), key=lambda item: not 1 <= item[1] <= 5))


class EvaluationForm(Form):
    name = "evaluation"
    title = "物业服务评议"
    intent = "evaluation"
    required_slots = DIMENSIONS
    optional_slots = ("evaluation",)
    prompts: ClassVar[dict[str, str]] = {d: TEXTS["ask"].format(name=DIMENSION_NAMES[d]) for d in DIMENSIONS}

    def extract(self, ctx: Context, asking: str | None) -> dict[str, Any]:
        text = ctx.text.translate(_FULL_WIDTH)
        named = {_BY_NAME[n]: int(v) for n, v in _NAMED.findall(text)}
        if named:
            return _ordered(named)
        numbers = _DIGITS.findall(_numbers(text))
        if len(numbers) == 1 and len(numbers[0]) == len(DIMENSIONS):
            numbers = list(numbers[0])  # 「54534」
        if len(numbers) == len(DIMENSIONS):
            return _ordered({d: int(v) for d, v in zip(DIMENSIONS, numbers, strict=True)})
        if len(numbers) == 1 and asking in DIMENSIONS:
            return {asking: int(numbers[0])}
        return {}

    def unclear(self, ctx: Context, slot: str) -> str:
        numbers = _DIGITS.findall(_numbers(ctx.text))
        if numbers:
            return TEXTS["wrong_count"].format(count=len(numbers), name=DIMENSION_NAMES.get(slot, "保洁"))
        return TEXTS["unclear"] + self.prompt(ctx, slot)

    def validate(self, ctx: Context, slot: str, value: Any) -> Any:
        if slot in DIMENSIONS and not 1 <= int(value) <= 5:
            raise Invalid(TEXTS["out_of_range"].format(name=DIMENSION_NAMES[slot], value=value))
        return value

    def prompt(self, ctx: Context, slot: str) -> str:
        if not any(d in ctx.state.slots for d in DIMENSIONS):
            evaluation = current_evaluation(ctx.session, now=ctx.now)
            title = evaluation.title if evaluation else "物业服务评议"
            return TEXTS["intro"].format(title=title) + "\n" + self.prompts[slot]
        return self.prompts[slot]

    def submit(self, ctx: Context, slots: dict[str, Any]) -> list[Reply]:
        scores = {d: int(slots[d]) for d in DIMENSIONS}
        try:
            if not slots.get("evaluation"):
                raise EvaluationRefused("closed")
            done = answer(
                ctx.session, evaluation_id=slots["evaluation"], person=ctx.person, scores=scores, now=ctx.now
            )
        except EvaluationRefused as refused:
            return [Text(TEXTS[refused.reason])]
        if done.replaced is not None and done.replaced != done.scores:
            return [
                Text(
                    TEXTS["replaced"].format(
                        scores=scores_text(done.scores), previous=scores_text(done.replaced)
                    )
                )
            ]
        return [Text(TEXTS["thanks"].format(title=done.evaluation.title, scores=scores_text(done.scores)))]


evaluation_form = router.form(EvaluationForm())


@router.command(_OPENING + r"\s*[\d０-９\s,，、]*[。！!]?\s*")
def start_evaluation(ctx: Context) -> list[Reply]:
    evaluation = current_evaluation(ctx.session, now=ctx.now)
    if evaluation is None:
        return [Text(TEXTS["none_open"])]
    try:
        check_answerer(ctx.session, person=ctx.person)
    except EvaluationRefused as refused:
        return [Text(TEXTS[refused.reason])]
    earlier = household_answer(ctx.session, evaluation=evaluation, person=ctx.person)
    found = evaluation_form.extract(ctx, None)
    replies = start_form(ctx, evaluation_form, {"evaluation": evaluation.id, **found})
    if earlier is not None and not found:
        return [Text(TEXTS["already"].format(scores=scores_text(earlier.scores))), *replies]
    return replies


@router.command(
    r"\s*(请问)?(我们)?(小区)?(的)?(物业.{0,6}(几星|几颗星|几个星|星级|多少星|评议结果|评分结果)|(物业)?评议结果)"
    r"(是多少|怎么样|如何)?(啊|呀|呢)?[？?。]?\s*"
)
def stars(ctx: Context) -> list[Reply]:
    published = latest_published(ctx.session)
    if published is None:
        return [Text(TEXTS["no_result"])]
    return [Text(result_text(published))]
