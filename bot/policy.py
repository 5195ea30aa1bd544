"""The conversation policy: what to do with a message, given what was said and what is open.

NLU says what was said; this module alone decides what happens next (Rasa's split):

0. A staff member's action on a ticket named by its code (「完成 E1040 已经把花盆搬进屋里了」,
   「调解记录 D1046 …有人摔倒了才有响声」) is carried out: its note tells what was done or said,
   it is not a new report. A danger in the note is pointed out after it (``caution``), not filed.
   So are a responder's words, with no code, about an incident they were alerted to or hold
   (「到现场了 是有人在楼道烧纸 已经灭了 没事了」): a report from the scene, not a new alarm.
   A staff member's words about other work they hold (「我到了 正在修」「修好了 换了个新的角阀」)
   are a command of their role (rule 4).
1. Danger outranks everything else. A clear alarm, or the classifier sure of an emergency, is an
   emergency whatever form, confirmation or question is open.
   After an alarm, while the reporter's own (confirmed) incident is open and no form is, words
   that name no hazard and no longer call for help (「好的我们下楼了」「我把门反锁了」) are about
   that incident, not a new one, even when the classifier leans to an emergency: they go to
   ``FOLLOW_UP``. Still calling (「孩子还在里面」「你们人呢」) is the alarm told again, and a hazard
   word may be a new one (``models.emergencies`` finds the incident either belongs to).
   Words that deny anyone is in danger (「电梯里应该没人 我刚看了」) are no alarm when they name no
   hazard: the partial evidence they carry is the denial. The classifier's weak lean (below
   ``SURE_EMERGENCY``) with no hazard word is no alarm either while a form is open
   (「我不是这个小区的 我是来看我妈的 她住1栋2单元302」 asked where one lives, 「四楼到五楼之间那一盏」).
   A staff member's other command of their role (rule 4) is outranked only by words of
   danger: the classifier learnt residents' words, and 「巡查发现楼道有人睡觉」 is a report to
   file, not an alarm.
2. Partial evidence of danger (the classifier leaning to an emergency with a hazard word, or an
   emergency runner-up with a hazard word said in distress) is never filed as ordinary work:
   it is escalated as urgent, with one safety question.
3. The classifier leaning to an emergency with no hazard word at all is not an alarm when the
   message is a few words said inside an open form (「幼儿园门口」 asked where, 「电视后面那个」)
   or a single character; the form takes it, or the fallback asks.
4. An explicit command (a fixed phrase such as 「导出我的信息」「删除我的信息」, never a slot
   value) is taken whatever form is open; the form is put aside and offered back.
   「取消」 ends the open form (or the one put aside); 「转人工」 always reaches a person, and
   stopping said right after it (「算了不用了」) withdraws that request, not an older form.
   Stopping with its reason told first (「哦不对 我周六晚上没空 不报了」) stops as well.
   Thanks and nothing else goes to the open form, which thanks back and repeats its question.
   A staff member's command of their role (「派单 R1009 王师傅」「本月三率」「巡查发现…」
   「核实 B12 通过」「我的任务」) is as sure, and is taken the same way; so are their words about
   the work they hold, said with no code (「我去602敲门聊过了 他们说以后注意」, ``reports_work``).
5. An open form gets the message when the message answers it, unless it is a confident
   question (a question is not a slot value) or the opening of another report (「报修」 inside a
   complaint form starts the repair). A question, a progress question or another
   confident request is handled first; the form is put aside and offered back (「继续」).
   A message of the form's own kind that the form knows for another request (「我的积分」
   「我的兑换」 while choosing a gift, 「我的报名」 while choosing an activity) is no answer either:
   it is handled, the form put aside and offered back, as a question is.
6. Without a form: the intent's handler; an uncertain call goes to the fallback. Right after a
   list (「近期志愿活动：…」), a message that picks one of it (「义诊那个，我想去量量血压」
   「这周六那场」), no question and no sure request of another kind, answers the list (FORM).
   A stop with its reason told first (「那天要带孙子去打疫苗，取消吧」) is a stop (CANCEL); with
   nothing open it reaches what the sender holds (a sign-up).
7. A spot's QR code scanned (码上办) or a location sent with no repair open is a report made
   there, as sure as an explicit command (rule 4): an open form is put aside and offered back
   (「继续」), and the repair starts with its place filled (``scan_puts_aside``). What is said
   next is an answer like any other: rule 1 still comes first.

Precedence inside one message with two intents is the classifier's and the hazard layer's
(emergency first); the handlers acknowledge a second request where they see one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from bot.wording import (
    BARE_CANCEL,
    CANCEL,
    NON_WORD,
    RESUME,
    THANKS_ONLY,
    is_question,
    mentions_stopping,
    stops_with_reason,
)

EMERGENCY_CONFIDENCE = 0.5  # the classifier alone, not ambiguous
SURE_EMERGENCY = 0.8  # the classifier alone, sure enough to outrank an answer to the open form
URGENT_RUNNER_UP = 0.2  # an emergency second or third scoring at least this, with a hazard word in distress
INTERRUPT_CONFIDENCE = 0.75  # another request interrupts a form
SURE_REQUEST = 0.9  # another request interrupts a form that only waits for a yes
QUESTION_CONFIDENCE = 0.5  # a question (consult / progress / notice ...) interrupts a form
SHORT_ANSWER = 8  # characters: 「幼儿园门口」 answering 「在哪里」

# Nobody in danger, said of the place the hint names (「电梯里应该没人」「里面没有人被困」).
_NOBODY = re.compile(r"(里面|里头|电梯里)(应该|肯定|确实|都)?(没|没有)(人|被困)|没有?人被?困住?了?$")
_STILL_CALLING = re.compile(
    r"快|救|急|还在|人呢|到哪|怎么还|没人来|还没来|(?<!物业)(?<!他们)(?<!都)来人|不行了"
)
FOLLOW_UP = "incident_update"  # words about the reporter's open incident
WITHDRAW_HANDOFF = "handoff_withdrawal"  # 「算了不用了」 right after 「转人工」
TOLD_MORE = "report_detail"  # 「师傅姓李」 right after a report was filed: more of it
HANDOFF_CONTACT = "handoff_contact"  # 「13971234567 我姓王」 right after 「喊个人给我打个电话」
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
    caution: bool = False  # an action carried out whose note tells of danger: point it out


def danger(nlu: Any, text: str = "") -> Action | None:
    """EMERGENCY, URGENT or None, from the NLU alone (and the length of what was said)."""
    if nlu.hazard is not None:
        return Action.EMERGENCY
    if len(NON_WORD.sub("", text)) <= 1:
        return None  # 「火」「楼」 alone name no situation: the fallback asks what happened
    if _NOBODY.search(text) and not _STILL_CALLING.search(text):
        return None  # 「电梯里应该没人 我刚看了」: the hint is denied
    lean = nlu.ranks("emergency")
    if lean == 0 and nlu.confidence >= EMERGENCY_CONFIDENCE and not nlu.ambiguous:
        return Action.EMERGENCY
    if lean == 0 and nlu.hint:
        return Action.URGENT
    if lean in (1, 2) and nlu.hint and nlu.candidates[lean][1] >= URGENT_RUNNER_UP:
        return Action.URGENT
    return None


_OWN_HOME = re.compile(r"我家|我们家|到了?家|回家")
_NO_REQUEST = frozenset({"unknown", "greeting", "progress", "emergency"})  # emergency: rule 1 decides


def about_held_work(nlu: Any, text: str, held: Collection[str]) -> bool:
    """Whether a staff member's words of work with no code (「修好了 换了个新的角阀」) are about the
    work they hold, ``held`` its kinds (repair, dispute, complaint, emergency): no question, no home
    of their own (「楼上漏水了 我到了家才发现」), and the classifier not sure of a request of another
    kind (「隔壁装修太吵了 上门说过了没用」 from one who holds no dispute is one to file)."""
    if is_question(text) or _OWN_HOME.search(text):
        return False
    sure = nlu.intent not in _NO_REQUEST and nlu.confidence >= INTERRUPT_CONFIDENCE
    return not sure or nlu.intent in held


def decide(
    nlu: Any,
    *,
    text: str,
    form_intent: str | None,
    has_paused: bool,
    answers_form: Callable[[], bool],
    handles: Callable[[str], bool],
    explicit: bool = False,
    paused_intent: str | None = None,
    answers_paused: Callable[[], bool] | None = None,
    acts_on_ticket: bool = False,
    follows_incident: Callable[[], bool] = lambda: False,
    report_just_filed: Callable[[], str | None] = lambda: None,
    staff_command: bool = False,
    other_request: Callable[[], bool] = lambda: False,
    handed_off: Callable[[], bool] = lambda: False,
    confirming: bool = False,
    reports_work: bool = False,
    on_incident: bool = False,
    choice_intent: str | None = None,
    answers_choice: Callable[[], bool] = lambda: False,
) -> Decision:
    """The next step for a text message.

    ``form_intent`` is the open form's intent (None without one); ``answers_form`` says whether
    the message fills one of its slots; ``handles`` whether an intent has a handler; ``explicit``
    whether the text is an explicit command; ``acts_on_ticket`` whether it is a staff member's action
    on a ticket by its code; ``staff_command`` whether it is another command of the sender's staff
    role; ``other_request`` whether the open form knows the message for another request of its own
    kind, no answer (「我的积分」 while choosing a gift); ``handed_off`` whether the sender's previous
    message asked for a person; ``confirming`` whether the open form waits for a yes and the message
    is no yes, no and no change the form reads (「改成后天上午」); ``follows_incident`` whether the
    sender's own confirmed incident is open (asked only when it matters), ``report_just_filed`` the
    intent of the report the sender filed moments ago (None without one). ``reports_work`` whether it is a staff member's words about the work they hold,
    with no code (「我到了 正在修」), and ``on_incident`` whether that work is an incident they were
    alerted to or hold. ``paused_intent`` is the intent of a form put aside and ``answers_paused``
    whether the message fills one of its slots: an answer that is no question and no other
    report goes back to it (FORM; the dispatcher brings it back first). ``choice_intent`` is the
    intent of the request a list just shown answered (None without one) and ``answers_choice``
    whether the message picks one of the list: with no form open, a pick that is no question and
    no sure request of another kind is an answer to the list (FORM; the dispatcher goes on with it).
    """
    alarm = danger(nlu, text)
    if acts_on_ticket or (reports_work and on_incident):
        return Decision(Action.COMMAND, caution=nlu.hazard is not None)  # a word of danger, not a guess
    staff_command = staff_command or reports_work
    if staff_command and nlu.hazard is None and not nlu.hint:
        alarm = None  # 「巡查发现有人睡在楼道」 from staff: only words of danger outrank it
    # The classifier's guess on a few words with no word of danger, which answer the open form.
    short_answer = nlu.hazard is None and not nlu.hint and len(NON_WORD.sub("", text)) <= SHORT_ANSWER
    # still calling for help (「快点啊…还在喊 你们人呢」「孩子还在里面」) is the alarm told again
    about_incident = form_intent is None and nlu.hazard is None and not _STILL_CALLING.search(text)
    if alarm is not None and about_incident and follows_incident():
        return Decision(Action.ROUTE, FOLLOW_UP)  # 「好的我们下楼了」 after 「楼下冒烟了」
    # 「电视后面那个」 inside a form: a few words with no word of danger are no alarm, answer or not;
    # nor is the classifier's weak lean with no word of danger (「随时都可以，我不出门」 at a confirm
    # step): a false alarm there also takes the real one told next as its follow-up.
    weak = nlu.hazard is None and not nlu.hint and nlu.confidence < SURE_EMERGENCY
    if alarm is not None and form_intent is not None and (short_answer or weak):
        alarm = None
    if form_intent == "emergency" and nlu.hazard is None:
        alarm = None  # the incident's own question is open: with no new danger named, it is about it
    if alarm is not None:
        return Decision(alarm, "emergency" if alarm is Action.EMERGENCY else "urgent")
    if explicit or staff_command:
        return Decision(Action.COMMAND)
    if form_intent is not None and THANKS_ONLY.fullmatch(text):
        return Decision(Action.FORM)  # 「谢谢师傅」 while a form waits: thanks, then its question
    intent = nlu.intent
    if intent == "emergency":  # leaning to it with no word of danger: ask, do not alarm
        intent = "unknown"
    if cancel := CANCEL.fullmatch(text) or stops_with_reason(text):
        if handed_off():
            return Decision(Action.ROUTE, WITHDRAW_HANDOFF)  # withdraws that, not an older form
        open_work = form_intent is not None or has_paused
        bare = cancel.group("word") in BARE_CANCEL
        if open_work or bare or intent in ("unknown", "greeting") or not handles(intent):
            return Decision(Action.CANCEL)  # with nothing open: 「现在没有进行中的事项」
        return Decision(Action.ROUTE, intent)  # 「不报名了」 with no form: cancel the sign-up itself
    if form_intent == "emergency" and nlu.hazard is None and not answers_form() and follows_incident():
        return Decision(Action.ROUTE, FOLLOW_UP)  # 「里面两个人 一个是老人」 when a number was asked
    if _gives_a_number(nlu) and handed_off():
        return Decision(Action.ROUTE, HANDOFF_CONTACT)  # the number to call back on
    if _gives_a_number(nlu) and about_incident and follows_incident():
        return Decision(Action.ROUTE, FOLLOW_UP)  # 「13890012345，姓周」 (his son's) after the alarm
    if form_intent is None:
        if RESUME.fullmatch(text):
            return Decision(Action.RESUME)
        if _picks_from_list(nlu, intent, text, choice_intent) and answers_choice():
            return Decision(Action.FORM)  # 「义诊那个，我想去量量血压」 after 「近期志愿活动：…」
        back = paused_intent is not None and _back_to_paused(nlu, intent, text, paused_intent)
        if back and answers_paused is not None and answers_paused():
            return Decision(Action.FORM)  # 「那行，还是派人来吧，明天上午在家」 after a question
        if about_incident and _tells_of_it(nlu, intent, text) and follows_incident():
            return Decision(Action.ROUTE, FOLLOW_UP)  # 「我已经开窗出来了，在楼下等」
        if _adds_to_it(nlu, intent, text) and (filed := report_just_filed()) and intent in (filed, *_TELLING):
            return Decision(Action.ROUTE, TOLD_MORE)  # 「接电话的是个小姑娘，师傅姓李」 after a complaint
        return Decision(Action.ROUTE, intent)
    if intent == "handoff":
        return Decision(Action.ROUTE, intent)
    if getattr(nlu, "opens", False) and intent != form_intent and handles(intent):
        return Decision(Action.ROUTE, intent)  # 「报修」 inside a complaint form starts the repair
    if confirming and _about_a_visit(nlu, intent, form_intent) and answers_form():
        return Decision(Action.FORM)  # 「能不能明天上午来」 at 「回复“是”提交」: a time for the visit
    if confirming and (other := _not_a_confirmation(nlu, intent, text, form_intent)) and handles(other):
        return Decision(Action.ROUTE, other)  # 「先问下 换玻璃谁出钱」 at 「回复“是”提交」
    question = intent in QUESTION_INTENTS and is_question(text)
    own_request = question or other_request()
    if intent == form_intent and own_request and nlu.confidence >= QUESTION_CONFIDENCE and not answers_form():
        return Decision(Action.ROUTE, intent)  # 「积分是不是年底就过期了」「我的积分」 while choosing a gift
    if nlu.ambiguous or intent in (form_intent, "unknown", "greeting") or not handles(intent):
        return Decision(Action.FORM)
    if question and nlu.confidence >= INTERRUPT_CONFIDENCE:
        return Decision(Action.ROUTE, intent)  # a clear question is not a slot value
    if answers_form():
        return Decision(Action.FORM)
    if question and nlu.confidence >= QUESTION_CONFIDENCE:
        return Decision(Action.ROUTE, intent)
    if nlu.confidence >= INTERRUPT_CONFIDENCE:
        return Decision(Action.ROUTE, intent)
    return Decision(Action.FORM)


def scan_puts_aside(form: str | None) -> bool:
    """Rule 7: whether a report started at a spot puts the open form ``form`` aside."""
    return form is not None


def _gives_a_number(nlu: Any) -> bool:
    """A phone number and no other request (「你让他给我打电话嘛我的电话是一三九…」)."""
    no_request = nlu.intent in ("unknown", "handoff", "greeting") or nlu.confidence < INTERRUPT_CONFIDENCE
    return bool(nlu.slots.get("phone")) and no_request


def _about_a_visit(nlu: Any, intent: str, form_intent: str) -> bool:
    """A time said about the work the form files (「能不能明天上午来」), not about a notice."""
    visit = (
        intent in (form_intent, "progress", "unknown", "greeting") or nlu.confidence < INTERRUPT_CONFIDENCE
    )
    return bool(nlu.slots.get("when")) and visit


def _not_a_confirmation(nlu: Any, intent: str, text: str, form_intent: str) -> str | None:
    """Rule 5 at a confirm step, where the form is complete: the intent a message is for when it is
    not for the form. A question (「那我家热水器要不要关」) is answered, as a consultation when the
    classifier names no question; a request sure to be of another kind (「充电桩那个我同意」 while a
    repair waits) is handled. A time said as a question (「能不能明天上午来」) changes the form."""
    if is_question(text) and not _about_a_visit(nlu, intent, form_intent):
        return intent if intent in QUESTION_INTENTS else "consult"
    other = intent not in (form_intent, "unknown", "greeting", "handoff")
    return intent if other and nlu.confidence >= SURE_REQUEST and not nlu.ambiguous else None


def _tells_of_it(nlu: Any, intent: str, text: str) -> bool:
    """Right after one's own alarm, whether a message tells more of it: no question, no new report
    begun, no thanks alone, and no request of another kind the classifier is sure of (「没砸到人，
    但是上面还有好几块翘着」 leans to a repair; 「好 那个插座你们找人来修一下」 is one)."""
    if is_question(text) or getattr(nlu, "opens", False) or THANKS_ONLY.fullmatch(text):
        return False
    return intent in ("unknown", "greeting") or nlu.confidence < SURE_REQUEST


_TELLING = ("unknown", "progress")  # how what is told after a report leans when it asks nothing
TOLD_MORE_CHARS = 4
_TICKET_CODE = re.compile(r"[RDCErdce]\s*\d{4,}")


def _adds_to_it(nlu: Any, intent: str, text: str) -> bool:
    """Right after filing a report, whether a message may tell more of it: some words, no question,
    no new report begun, no stopping (「R1028不用来了」), no request of another kind the classifier
    is sure of."""
    if is_question(text) or getattr(nlu, "opens", False) or THANKS_ONLY.fullmatch(text):
        return False
    if mentions_stopping(text) or _TICKET_CODE.search(text):
        return False
    return len(NON_WORD.sub("", text)) >= TOLD_MORE_CHARS and (
        nlu.confidence < SURE_REQUEST or intent in _TELLING
    )


def _picks_from_list(nlu: Any, intent: str, text: str, choice_intent: str | None) -> bool:
    """Whether a message may choose from the list just shown: no question, no sure other request
    (「楼道灯坏了」 after a list with 楼道卫生大扫除 in it is a repair)."""
    if choice_intent is None or is_question(text):
        return False
    return intent in (choice_intent, "unknown", "greeting") or nlu.confidence < INTERRUPT_CONFIDENCE


def _back_to_paused(nlu: Any, intent: str, text: str, paused_intent: str) -> bool:
    """Whether a message may answer the form put aside: no question, no hand-off, no new report."""
    if intent in ("handoff", "greeting") or (intent in QUESTION_INTENTS and is_question(text)):
        return False
    new_report = intent in ("repair", "dispute") and intent != paused_intent
    return not (new_report and nlu.confidence >= INTERRUPT_CONFIDENCE)
