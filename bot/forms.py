"""Forms (Rasa style): required slots filled over several turns, validated, confirmed, submitted.

A form asks only for what is missing; one message may fill several slots; ``validate_<slot>``
may normalise a value or raise :class:`Invalid` with a sentence that re-asks.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, ClassVar

from bot.metrics import form_outcome
from bot.policy import THANKS_ONLY
from bot.replies import Reply, Text, as_list

if TYPE_CHECKING:
    from bot.context import Context
    from bot.router import HandlerResult

CONFIRM = "__confirm__"
_YES = re.compile(
    r"(是|是的|对|对的|确认|确定|好|好的|嗯|嗯嗯|可以|行|没问题|提交|yes|y|ok"
    r"|是滴|是哒|是嘞|对头|要得|好嘞|好滴|中|中嘞|得|系|系啊|好嘅)[!。！.~]*",  # 「是滴」「要得」「中」「系」
    re.I,
)
# Going ahead said in everyday words at a confirm step: 「那就报吧」「找人来看吧」「就这样提交吧」.
_GO_AHEAD = re.compile(
    r"[\s嗯哦噢好行对那,，]*(?:那就|就|那|还是|麻烦)?"
    r"(?:(?:报|提交|办|登记|交|发)(?:了|上去|一下)?|(?:找|派|叫|安排)个?(?:人|师傅)(?:来|过来|上门)?"
    r"(?:看看?|修修?|处理|瞧瞧)?(?:一下)?|就这样(?:提交|报)?)吧?[!。！.~]*"
)
# A new value said at a confirm step: 「不对不对 我刚想起来下午要去医院 改成后天上午」 → 「后天上午」.
_CORRECTION = re.compile(
    r"(?:改成|改为|改到|换成|换到|改在)(?P<value>[^，,。!！?？]{1,20}?)(?:吧|吧吧)?[。!！~]*$"
)
_THANKS = re.compile(r".*(谢|感谢|辛苦).*")
# A greeting or thanks in the middle of a form is answered in kind, then the question again.
GREETING_IN_FORM = {"thanks": "不客气！", "hello": "您好！"}
PENDING_CONFIRM = "要提交的话请回复「是」，不办了回复「取消」。"
_NO = re.compile(r"(否|不|不是|不对|错了|不要|重新填|重填|修改|no|n)[!。！.~]*", re.I)


def says_yes(text: str) -> bool:
    """Whether a reply at a confirm step goes ahead: 「是」「好的」, or 「那就报吧」「找人来看吧」."""
    answer = text.strip()
    return _YES.fullmatch(answer) is not None or _GO_AHEAD.fullmatch(answer) is not None


def corrected_value(text: str) -> str | None:
    """The new value a correction names (「…改成后天上午」 → 「后天上午」), or None."""
    found = _CORRECTION.search(text.strip())
    return found.group("value").strip() if found else None


def reads_at_confirm(text: str) -> bool:
    """Whether a confirm step reads the reply as its own: yes, no, or a change (「改成后天上午」)."""
    answer = text.strip()
    return says_yes(answer) or _NO.fullmatch(answer) is not None or corrected_value(answer) is not None


def at_confirm(ctx: Context) -> bool:
    """Whether the open form waits for a yes (the generic step, or a form's own ``confirmed`` slot)."""
    return ctx.state.asking in (CONFIRM, "confirmed")


class Invalid(Exception):
    """A slot value was rejected; ``message`` tells the person why and what to send instead."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


NOT_AN_ANSWER_CONFIDENCE = 0.75


class Form:
    name: ClassVar[str]
    title: ClassVar[str]  # how the form is named to people, e.g. 「房屋绑定」
    intent: ClassVar[str]
    required_slots: ClassVar[tuple[str, ...]]
    optional_slots: ClassVar[tuple[str, ...]] = ()
    prompts: ClassVar[dict[str, str]]
    confirm: ClassVar[bool] = False
    accepts_kinds: ClassVar[tuple[str, ...]] = ("text", "voice")
    # Services whose messages are never an answer to this form's free-text questions.
    not_answers: ClassVar[frozenset[str]] = frozenset()
    # Its answers escalate danger themselves (「没见到」 after a visit opens an urgent check): an
    # answer it recognises is taken before the emergency check, like a handles_danger command.
    handles_danger: ClassVar[bool] = False
    # Put aside by another message, it is kept and offered back (「继续」). False for a question that
    # stands for nothing once left (the safety question after an alarm): it never replaces a form
    # already put aside, and that form is offered back when it is answered.
    kept_aside: ClassVar[bool] = True

    def unclear(self, ctx: Context, slot: str) -> str:
        """What is said when a message answers nothing asked: that, and the question again."""
        return "抱歉，我没有看懂。" + self.prompt(ctx, slot)

    def confirm_unclear(self, ctx: Context) -> str | None:
        """What to say to a message at the confirmation that is no yes, no or change it reads
        (「这周六那场」 when the activity is on Sunday), or None for the usual reminder."""
        return None

    def short_prompt(self, ctx: Context, slot: str) -> str:
        """The question for ``slot`` in one short line (after thanks): the prompt's first line."""
        line = self.prompt(ctx, slot).strip().splitlines()[0].rstrip("：:")
        return line if line.endswith(("？", "。", "！", "?")) else line + "。"

    def not_an_answer(self, ctx: Context) -> bool:
        """Whether a free-text slot should refuse this message: a bare 「好的」 answers nothing, and
        「最新通知」 when asked what one wants is for the dispatcher to take elsewhere."""
        if _YES.fullmatch(ctx.text.strip()):
            return True
        nlu = ctx.nlu
        return (
            nlu is not None and nlu.intent in self.not_answers and nlu.confidence >= NOT_AN_ANSWER_CONFIDENCE
        )

    def other_request(self, ctx: Context) -> bool:
        """Whether the message is another request of the form's own kind, not an answer (「我的积分」
        while choosing a gift): the dispatcher answers it and offers the form back."""
        return False

    def extract(self, ctx: Context, asking: str | None) -> dict[str, Any]:
        """Slot values found in this message; by default the NLU's slots with matching names."""
        wanted = (*self.required_slots, *self.optional_slots)
        return {name: value for name, value in ctx.slots.items() if name in wanted and value}

    def validate(self, ctx: Context, slot: str, value: Any) -> Any:
        validator = getattr(self, f"validate_{slot}", None)
        return validator(ctx, value) if validator else value

    def missing_slot(self, ctx: Context, slots: dict[str, Any]) -> str | None:
        return next((name for name in self.required_slots if name not in slots), None)

    def prompt(self, ctx: Context, slot: str) -> str:
        return self.prompts[slot]

    def confirm_text(self, ctx: Context, slots: dict[str, Any]) -> str:
        raise NotImplementedError

    def submit(self, ctx: Context, slots: dict[str, Any]) -> HandlerResult:
        raise NotImplementedError


def clear_form(ctx: Context) -> None:
    ctx.state.form, ctx.state.slots, ctx.state.asking = None, {}, None


def pause_form(ctx: Context) -> None:
    """Put the open form aside (one at most) so that it can be offered back."""
    state = ctx.state
    state.paused = {"form": state.form, "slots": dict(state.slots), "asking": state.asking}
    if state.form:
        form_outcome(ctx.session, state.form, "paused")
    clear_form(ctx)


def resume_form(ctx: Context, form: Form) -> list[Reply]:
    """Bring back the form put aside and ask again what it was asking."""
    state = ctx.state
    slots, asking = dict(state.paused.get("slots", {})), state.paused.get("asking")
    state.form, state.slots, state.asking, state.paused = form.name, slots, asking, {}
    form_outcome(ctx.session, form.name, "resumed")
    if asking == CONFIRM:
        return [Text(form.confirm_text(ctx, slots))]
    return _advance(ctx, form, {})


def bring_back(ctx: Context, form: Form) -> None:
    """Make the form put aside the open one again, as it was, without asking anything."""
    state = ctx.state
    slots, asking = dict(state.paused.get("slots", {})), state.paused.get("asking")
    state.form, state.slots, state.asking, state.paused = form.name, slots, asking, {}
    form_outcome(ctx.session, form.name, "resumed")


def answers_paused(ctx: Context, form: Form) -> bool:
    """Whether the message answers the form put aside, as if it were open: it confirms it, fills what
    it was asking, or fills a slot still empty. Refilling only what was given (「楼道灯也不亮了」 after
    a kitchen drain) is a report of its own."""
    state = ctx.state
    asking, filled = state.paused.get("asking"), dict(state.paused.get("slots", {}))
    if asking == CONFIRM:
        return says_yes(ctx.text)
    kept = state.form, state.slots
    state.form, state.slots = form.name, dict(filled)
    try:
        found = form.extract(ctx, asking)
    finally:
        state.form, state.slots = kept
    return any(name == asking or filled.get(name) in (None, "", []) for name in found)


def start_form(ctx: Context, form: Form, initial: dict[str, Any] | None = None) -> list[Reply]:
    clear_form(ctx)
    ctx.state.form = form.name
    form_outcome(ctx.session, form.name, "started")
    found = form.extract(ctx, None) if initial is None else initial
    return _advance(ctx, form, found)


def continue_form(ctx: Context, form: Form) -> list[Reply]:
    asking = ctx.state.asking
    if THANKS_ONLY.fullmatch(ctx.text):  # 「好的谢谢」 is no answer, and no 「是」 either
        return [Text(GREETING_IN_FORM["thanks"] + _pending(ctx, form, asking))]
    if asking == CONFIRM:
        answer = ctx.text.strip()
        if says_yes(answer):
            return _submit(ctx, form)
        if _NO.fullmatch(answer):
            form_outcome(ctx.session, form.name, "restarted")
            slots = dict(ctx.state.slots)
            start = start_form(ctx, form, {})
            return [Text("好的，我们重新填一遍。"), *start] if slots else start
    found = form.extract(ctx, asking)
    if not found:
        if asking == CONFIRM:
            return [
                Text(
                    form.confirm_unclear(ctx) or "请回复「是」确认提交，回复「否」重新填写，或回复「取消」。"
                )
            ]
        if not asking:
            return [Text("请再说一遍。")]
        if ctx.nlu is not None and ctx.nlu.intent == "greeting":
            kind = "thanks" if _THANKS.fullmatch(ctx.text) else "hello"
            return [Text(GREETING_IN_FORM[kind] + form.prompt(ctx, asking))]
        return [Text(form.unclear(ctx, asking))]
    return _advance(ctx, form, found)


def _pending(ctx: Context, form: Form, asking: str | None) -> str:
    """The question the form waits on, in one short line."""
    if asking == CONFIRM:
        return PENDING_CONFIRM
    return form.short_prompt(ctx, asking) if asking else ""


def _advance(ctx: Context, form: Form, found: dict[str, Any]) -> list[Reply]:
    replies: list[Reply] = []
    slots = dict(ctx.state.slots)
    for name, value in found.items():
        try:
            slots[name] = form.validate(ctx, name, value)
        except Invalid as problem:
            slots.pop(name, None)
            ctx.state.slots = slots
            ctx.state.asking = name
            return [Text(problem.message)]
    ctx.state.slots = slots
    missing = form.missing_slot(ctx, slots)
    if missing is not None:
        ctx.state.asking = missing
        replies.append(Text(form.prompt(ctx, missing)))
        return replies
    if form.confirm:
        ctx.state.asking = CONFIRM
        return [Text(form.confirm_text(ctx, slots))]
    return _submit(ctx, form)


def _submit(ctx: Context, form: Form) -> list[Reply]:
    slots = dict(ctx.state.slots)
    clear_form(ctx)
    form_outcome(ctx.session, form.name, "completed")
    return as_list(form.submit(ctx, slots))
