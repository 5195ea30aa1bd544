"""The conversation policy: what to do with a message, given what was said and what is open.

NLU says what was said; this module alone decides what happens next (Rasa's split):

1. Danger outranks everything. A clear alarm, or the classifier sure of an emergency, is an
   emergency whatever form, confirmation or question is open. A staff member's command of their
   role (rule 4) is outranked only by words of danger: the classifier learnt residents' words, and
   「巡查发现楼道有人睡觉」 is a report to file, not an alarm.
2. Partial evidence of danger (the classifier leaning to an emergency with a hazard word, or an
   emergency runner-up with a hazard word said in distress) is never filed as ordinary work:
   it is escalated as urgent, with one safety question.
3. The classifier leaning to an emergency with no hazard word at all is not an alarm when the
   message is a short answer to the open form (「幼儿园门口」 asked where) or a single character;
   the form takes it, or the fallback asks.
4. An explicit command (a fixed phrase such as 「导出我的信息」「删除我的信息」, never a slot
   value) is taken whatever form is open; the form is put aside and offered back.
   「取消」 ends the open form (or the one put aside); 「转人工」 always reaches a person.
   A staff member's command of their role (「派单 R1009 王师傅」「本月三率」「巡查发现…」
   「核实 B12 通过」「我的任务」) is as sure, and is taken the same way.
5. An open form gets the message when the message answers it, unless it is a confident
   question (a question is not a slot value). A question, a progress question or another
   confident request is handled first; the form is put aside and offered back (「继续」).
6. Without a form: the intent's handler; an uncertain call goes to the fallback.

Precedence inside one message with two intents is the classifier's and the hazard layer's
(emergency first); the handlers acknowledge a second request where they see one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

EMERGENCY_CONFIDENCE = 0.5  # the classifier alone, not ambiguous
URGENT_RUNNER_UP = 0.2  # an emergency second or third scoring at least this, with a hazard word in distress
INTERRUPT_CONFIDENCE = 0.75  # another request interrupts a form
QUESTION_CONFIDENCE = 0.5  # a question (consult / progress / notice ...) interrupts a form
SHORT_ANSWER = 8  # characters: 「幼儿园门口」 answering 「在哪里」

_FILLER = r"[\s嗯啊哎唉那就还是我先这个那个吧了哈呀嘛,，。！!.~]*"
_CANCEL_WORD = (
    r"取消|算了|不用了|退出|不办了|不弄了|先不了|不要了|不报了|不修了|不用修了|不需要了|不搞了|撤了|撤销|不想办了"
    r"|不报名了|不换了|不投诉了|不投了|先不投|不参加了|不去了|不用来了|不用过来了|别来了"
)
# Why one stops, said beside the word that stops it: 「取消 我再想想」「算了不用了 刚才它又亮了」.
_REASON = (
    r"我?(再|还要|还得)(想想|考虑考虑|考虑一下|考虑|攒攒|看看|等等)|以后再说|下次再说|回头再说|先这样"
    r"|我?(还是)?(自己|自个儿)[^，,。!！?？]{0,12}"
    r"|刚才?[^，,。!！?？]{0,8}(好了|亮了|通了|来了|修好了|弄好了)|[^，,。!！?？]{0,6}又(好|亮|通)了"
)
# One or more words of stopping, perhaps with a reason, and nothing else.
CANCEL = re.compile(
    rf"{_FILLER}(?:(?:{_REASON}){_FILLER})*(?P<word>{_CANCEL_WORD})(?:{_FILLER}(?:{_CANCEL_WORD}|{_REASON}))*{_FILLER}"
)
RESUME = re.compile(r"\s*(继续|接着办|接着来|继续办|继续刚才的|回到刚才的)\s*[。！!.]*\s*")
_QUESTION = re.compile(
    r"[?？吗呢么]\s*$|怎么|怎样|如何|谁|哪|什么|多少|几|是不是|能不能|可不可以|可以.{0,8}吗|有没有"
    r"|(了|过)没有?\s*$|([^\W\d_不])不\2|问问|问一下|请问|打听"  # 「修了没有」「要不要钱」「我就问问」
)
_WORDS = re.compile(r"[\s\W_]+")
BARE_CANCEL = frozenset(
    {"取消", "算了", "不用了", "退出", "不要了", "撤销", "不办了", "不弄了", "先不了", "不搞了"}
)
QUESTION_INTENTS = frozenset({"consult", "progress", "notice", "points", "vote", "volunteer"})


class Action(StrEnum):
    EMERGENCY = "emergency"  # alert now, whatever is open
    URGENT = "urgent"  # alert as unconfirmed, ask one safety question
    CANCEL = "cancel"
    RESUME = "resume"  # bring back the form put aside
    FORM = "form"  # the open form takes the message
    ROUTE = "route"  # the handler of ``intent`` (an open form is put aside first)
    COMMAND = "command"  # the explicit command the text is (an open form is put aside first)


@dataclass(frozen=True)
class Decision:
    action: Action
    intent: str = ""


def danger(nlu: Any, text: str = "") -> Action | None:
    """EMERGENCY, URGENT or None, from the NLU alone (and the length of what was said)."""
    if nlu.hazard is not None:
        return Action.EMERGENCY
    if len(_WORDS.sub("", text)) <= 1:
        return None  # 「火」「楼」 alone name no situation: the fallback asks what happened
    lean = nlu.ranks("emergency")
    if lean == 0 and nlu.confidence >= EMERGENCY_CONFIDENCE and not nlu.ambiguous:
        return Action.EMERGENCY
    if lean == 0 and nlu.hint:
        return Action.URGENT
    if lean in (1, 2) and nlu.hint and nlu.candidates[lean][1] >= URGENT_RUNNER_UP:
        return Action.URGENT
    return None


def is_question(text: str) -> bool:
    return _QUESTION.search(text) is not None


def decide(
    nlu: Any,
    *,
    text: str,
    form_intent: str | None,
    has_paused: bool,
    answers_form: Callable[[], bool],
    handles: Callable[[str], bool],
    explicit: bool = False,
    staff_command: bool = False,
) -> Decision:
    """The next step for a text message.

    ``form_intent`` is the open form's intent (None without one); ``answers_form`` says whether
    the message fills one of its slots; ``handles`` whether an intent has a handler; ``explicit``
    whether the text is an explicit command; ``staff_command`` whether it is a command of the
    sender's staff role.
    """
    alarm = danger(nlu, text)
    if staff_command and nlu.hazard is None and not nlu.hint:
        alarm = (
            None  # a staff member's own command (「巡查发现有人睡在楼道」): only words of danger outrank it
        )
    # The classifier's guess on a few words with no word of danger, which answer the open form.
    short_answer = nlu.hazard is None and not nlu.hint and len(_WORDS.sub("", text)) <= SHORT_ANSWER
    if alarm is not None and not (short_answer and form_intent is not None and answers_form()):
        return Decision(alarm, "emergency" if alarm is Action.EMERGENCY else "urgent")
    if explicit or staff_command:
        return Decision(Action.COMMAND)
    intent = nlu.intent
    if intent == "emergency":  # leaning to it with no word of danger: ask, do not alarm
        intent = "unknown"
    if cancel := CANCEL.fullmatch(text):
        open_work = form_intent is not None or has_paused
        bare = cancel.group("word") in BARE_CANCEL
        if open_work or bare or intent in ("unknown", "greeting") or not handles(intent):
            return Decision(Action.CANCEL)  # with nothing open: 「现在没有进行中的事项」
        return Decision(Action.ROUTE, intent)  # 「不报名了」 with no form: cancel the sign-up itself
    if form_intent is None:
        if RESUME.fullmatch(text):
            return Decision(Action.RESUME)
        return Decision(Action.ROUTE, intent)
    if intent == "handoff":
        return Decision(Action.ROUTE, intent)
    if nlu.ambiguous or intent in (form_intent, "unknown", "greeting") or not handles(intent):
        return Decision(Action.FORM)
    question = intent in QUESTION_INTENTS and is_question(text)
    if question and nlu.confidence >= INTERRUPT_CONFIDENCE:
        return Decision(Action.ROUTE, intent)  # a clear question is not a slot value
    if answers_form():
        return Decision(Action.FORM)
    if question and nlu.confidence >= QUESTION_CONFIDENCE:
        return Decision(Action.ROUTE, intent)
    if nlu.confidence >= INTERRUPT_CONFIDENCE:
        return Decision(Action.ROUTE, intent)
    return Decision(Action.FORM)
