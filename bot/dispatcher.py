"""The dispatcher: who is speaking, which form or handler gets the message, what state remains.

For a text, an expired form is dropped and the NLU runs. Handlers that deal with danger
themselves claim their messages first (「已走访 …」, a volunteer's words about the elder they
visit, the place of the sender's own alarm). Then ``bot.policy`` decides: a staff member's action
on a ticket by its code (a danger in its note pointed out after it) or their words about the work
they hold with no code (「我到了 正在修」, ``handlers.work_report``), emergency, urgent check,
cancel, resume, the open form, a pick from the list just shown (``bot.choices``), or a handler
(commands first, those of the sender's role before the rest, then the intent's handler, then the
fallback). A form that gives way is put aside and offered back. A stop with nothing open goes to
what the sender holds that it can be about (a sign-up), if any.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from bot import policy
from bot.choices import Chooser, pending
from bot.context import Context
from bot.forms import (
    Form,
    answers_paused,
    at_confirm,
    bring_back,
    clear_form,
    continue_form,
    corrected_value,
    pause_form,
    reads_at_confirm,
    resume_form,
)
from bot.just_done import follows_incident, report_just_filed
from bot.logs import MESSAGE_KEY, REQUEST_ID, REQUEST_OF
from bot.message import Message
from bot.metrics import form_outcome, intent_recognised
from bot.policy import Action, Decision
from bot.replies import Reply, Text, as_list
from bot.router import Handler, Router
from bot.settings import Settings
from models.base import LOCAL_TZ
from models.conversation import ConversationState, load_state, save_state
from models.held_work import held_work, meant, reports_own
from models.outbox import handoff_just_asked
from models.people import Person, get_or_create_resident, person_by_wecom, seen_later
from models.ticket_actions import said_alone
from models.tickets import TicketKind
from models.workers import WORKER_ROLES, is_worker

log = logging.getLogger(__name__)

TEXT_KINDS = frozenset({"text", "voice"})
LAST_SEEN_PRECISION = timedelta(minutes=5)
CAUTION_INTENT = "danger_in_note"  # what to add when an action's note tells of danger

TEXTS = {
    "expired": "刚才的「{title}」很久没有继续，已自动取消；需要的话随时重新开始。",
    "cancelled": "好的，已取消「{title}」。",
    "nothing_to_cancel": "现在没有进行中的事项，有需要随时告诉我。",
    "also": "您还提到「{words}」，这件办好后再单独跟我说一声，我接着帮您。",
    "offer_back": "刚才的「{title}」还没办完，回复「继续」接着办，回复「取消」就不办了。",
    "kept": "您刚才的「{title}」已为您保留，紧急情况处理好后回复「继续」接着办。",
    "resumed": "好的，接着办「{title}」。",
    "nothing_to_resume": "刚才没有没办完的事，有需要请直接告诉我。",
    "unknown_wecom": "您的企业微信账号还没有在红管家登记，请联系社区管理员添加。",
}


class Dispatcher:
    def __init__(
        self,
        routers: Sequence[Router],
        *,
        settings: Settings,
        understand: Callable[..., Any],  # nlp.understand(text, today=...)
        fallback: Handler,
    ) -> None:
        self.routers = list(routers)
        self.settings = settings
        self.understand = understand
        self.fallback = fallback
        self.forms: dict[str, Form] = {}
        self.intents: dict[str, Handler] = {}
        self.events: dict[str, Handler] = {}
        self.kinds: dict[str, Handler] = {}
        self.commands: list[tuple[re.Pattern[str], Handler]] = []
        self.first_commands: list[tuple[re.Pattern[str], Handler]] = []
        self.explicit_commands: list[tuple[re.Pattern[str], Handler]] = []
        self.role_commands: list[tuple[re.Pattern[str], frozenset[str], Handler]] = []
        self.staff_commands: list[tuple[re.Pattern[str], Handler]] = []
        self.ticket_actions: set[re.Pattern[str]] = set()
        self.first_readers: list[tuple[Callable[[Context], bool], Handler]] = []
        self.work_reports: list[Handler] = []
        for router in self.routers:
            for form in router.forms:
                self.forms[form.name] = form
            self.intents.update(router.intents)
            self.events.update(router.events)
            self.kinds.update(router.kinds)
            self.commands.extend(router.commands)
            self.first_commands.extend(router.first_commands)
            self.explicit_commands.extend(router.explicit_commands)
            self.role_commands.extend(router.role_commands)
            self.staff_commands.extend(router.staff_commands)
            self.ticket_actions |= router.ticket_actions
            self.first_readers.extend(router.first_readers)
            self.work_reports.extend(router.work_reports)
        self.choosers: dict[str, Chooser] = {k: c for r in self.routers for k, c in r.choosers.items()}
        self.stoppers = [stopper for router in self.routers for stopper in router.stoppers]

    def dispatch(
        self,
        session: Session,
        message: Message,
        now: datetime,
        *,
        person: Person | None = None,
        state: ConversationState | None = None,
        unsaved: dict[str, tuple[ConversationState, datetime]] | None = None,
    ) -> list[Reply]:
        """The replies to ``message``.

        ``person`` and ``state`` when the caller loaded them already; with ``unsaved``, a changed
        state is put there for the caller to save (with others) instead of being saved here, and
        the time the person was seen is left for ``models.people.save_last_seen``.
        What is logged meanwhile carries the message's request id and dedupe key (``bot.logs``).
        """
        key = MESSAGE_KEY.set(message.dedupe_key)  # (set and reset inline: this runs per message)
        request = REQUEST_OF.get().get(message.dedupe_key)
        rid = REQUEST_ID.set(request) if request else None
        try:
            return self._dispatch(session, message, now, person=person, state=state, unsaved=unsaved)
        finally:
            if rid is not None:
                REQUEST_ID.reset(rid)
            MESSAGE_KEY.reset(key)

    def _dispatch(
        self,
        session: Session,
        message: Message,
        now: datetime,
        *,
        person: Person | None,
        state: ConversationState | None,
        unsaved: dict[str, tuple[ConversationState, datetime]] | None,
    ) -> list[Reply]:
        if person is not None and person.erased_at is not None:
            person = None  # erased earlier in this batch: whoever writes now is someone new
        person = person or self._identify(session, message, now)
        if person is None:
            return [Text(TEXTS["unknown_wecom"])]
        if person.last_seen_at is None or now - person.last_seen_at > LAST_SEEN_PRECISION:
            # For WeChat's 48-hour customer-service window; a batch writes all its senders' at once.
            if unsaved is None:
                person.last_seen_at = now
                session.add(person)
            else:
                seen_later(session, person, now)
        state = state or load_state(session, user_key=message.user_key)
        before = state.snapshot()
        ctx = Context(
            session=session, message=message, person=person, now=now, settings=self.settings, state=state
        )
        replies = self._route(ctx)
        if state.snapshot() != before or state.form:  # an active form's idle clock restarts too
            if unsaved is None:
                save_state(session, state=state, now=now)
            else:
                unsaved[state.user_key] = (state, now)
        return [Text(note) for note in ctx.notes] + replies

    def _identify(self, session: Session, message: Message, now: datetime) -> Person | None:
        if message.channel == "wecom":
            return person_by_wecom(session, message.user_id)
        return get_or_create_resident(session, openid=message.user_id, now=now)

    def _route(self, ctx: Context) -> list[Reply]:
        message, form = ctx.message, self._active_form(ctx)
        if message.kind == "event":
            handler = self.events.get(message.event)
            return as_list(handler(ctx)) if handler else []
        if message.kind not in TEXT_KINDS or not message.text:
            if form is not None and message.kind in form.accepts_kinds:
                return continue_form(ctx, form)
            handler = self.kinds.get(message.kind, self.kinds.get("*", self.fallback))
            return as_list(handler(ctx))
        # Relative times (「明天上午」) are the community's days, on the injected clock.
        ctx.nlu = self.understand(message.text, today=ctx.now.astimezone(LOCAL_TZ).date())
        intent_recognised(ctx.session, ctx.nlu.intent)
        choice = pending(ctx, self.choosers, self._timeout)  # 「义诊那个」 after the list
        for pattern, handler in self.first_commands:
            if pattern.fullmatch(message.text.strip()):
                if form is not None:
                    self._put_aside(ctx, form)
                return as_list(handler(ctx))
        if form is not None and form.handles_danger and form.extract(ctx, ctx.state.asking):
            return continue_form(ctx, form)
        for claims, handler in self.first_readers:
            if claims(ctx):
                if form is not None:
                    self._put_aside(ctx, form)
                return as_list(handler(ctx))
        action = self._ticket_action(ctx)
        explicit = self._explicit(message.text) or action
        staff = self._staff_command(ctx) if action is None else None
        report = self._work_report(ctx) if action is None and staff is None else None
        paused = self.forms.get(ctx.state.paused.get("form", "")) if form is None else None
        decision = policy.decide(
            ctx.nlu,
            text=message.text,
            form_intent=form.intent if form is not None else None,
            has_paused=bool(ctx.state.paused),
            answers_form=lambda: form is not None and bool(form.extract(ctx, ctx.state.asking)),
            handles=lambda intent: intent in self.intents,
            explicit=explicit is not None,
            paused_intent=paused.intent if paused is not None else None,
            answers_paused=lambda: paused is not None and answers_paused(ctx, paused),
            acts_on_ticket=action is not None,
            follows_incident=lambda: follows_incident(ctx),
            report_just_filed=lambda: report_just_filed(ctx),
            staff_command=staff is not None,
            reports_work=report is not None,
            on_incident=report is not None and report[1],
            other_request=lambda: form is not None and form.other_request(ctx),
            confirming=self._awaits_yes(ctx, form),
            handed_off=lambda: bool(
                handoff_just_asked(ctx.session, user_id=message.user_id, dedupe_key=message.dedupe_key)
            ),
            choice_intent=choice.chooser.intent if choice is not None else None,
            answers_choice=lambda: choice is not None and choice.picked(ctx) is not None,
        )
        if decision.action is Action.COMMAND and (
            command := explicit or staff or (report[0] if report else None)
        ):
            replies = self._command(ctx, form, command)
            caution = self.intents.get(CAUTION_INTENT) if decision.caution else None
            return replies + (as_list(caution(ctx)) if caution else [])
        if decision.action is Action.CANCEL:
            return self._cancel(ctx, form)
        if decision.action is Action.RESUME:
            return self._resume(ctx)
        if decision.action is Action.FORM and form is not None:
            if at_confirm(ctx) and (value := corrected_value(message.text)) is not None:
                self._read_only(ctx, value)  # 「不对 改成后天上午」: the form reads 「后天上午」
            return continue_form(ctx, form) + self._offer_after(ctx, form)
        if decision.action is Action.FORM and choice is not None and choice.picked(ctx) is not None:
            return choice.take(ctx)
        if decision.action is Action.FORM and paused is not None:
            bring_back(ctx, paused)  # the answer is for the form put aside
            return continue_form(ctx, paused)
        if form is not None:
            self._put_aside(ctx, form)
        replies = self._handle(ctx, decision)
        also = getattr(ctx.nlu, "also", None)
        if decision.action is Action.ROUTE and also and also[0] != decision.intent:
            replies.append(Text(TEXTS["also"].format(words=also[1][:30])))
        aside = self.forms.get(ctx.state.paused.get("form", "")) if form is not None else None
        if aside is not None and decision.action is Action.ROUTE and ctx.state.form is None:
            replies.append(Text(TEXTS["offer_back"].format(title=aside.title)))
        elif aside is not None and aside.kept_aside and self._alarmed(decision, ctx):
            replies.append(Text(TEXTS["kept"].format(title=aside.title)))  # the lamp repair is not lost
        return replies

    @staticmethod
    def _awaits_yes(ctx: Context, form: Form | None) -> bool:
        """The open form waits for a yes, and reads this message as no yes, no or change of its own
        (「改成后天上午」; 「那我也跟进一下邻居那单吧」 where a neighbour reported it first)."""
        if form is None or not at_confirm(ctx) or reads_at_confirm(ctx.text):
            return False
        return ctx.state.asking != "confirmed" or not form.extract(ctx, "confirmed").get("confirmed")

    @staticmethod
    def _alarmed(decision: Decision, ctx: Context) -> bool:
        """An alarm with no question after it pending (one pending brings the form back once answered)."""
        return decision.action in (Action.EMERGENCY, Action.URGENT) and ctx.state.form is None

    def _put_aside(self, ctx: Context, form: Form) -> None:
        """Put the open form aside; a question after an alarm gives way to a form already aside."""
        if not form.kept_aside and ctx.state.paused.get("form") in self.forms:
            clear_form(ctx)
        else:
            pause_form(ctx)

    def _offer_after(self, ctx: Context, form: Form) -> list[Reply]:
        """Once the question after an alarm is answered, the form put aside before it is offered back."""
        aside = self.forms.get(ctx.state.paused.get("form", ""))
        if form.kept_aside or ctx.state.form is not None or aside is None:
            return []
        return [Text(TEXTS["offer_back"].format(title=aside.title))]

    def _read_only(self, ctx: Context, value: str) -> None:
        """Let the form read only the corrected value, understood on its own."""
        ctx.message = replace(ctx.message, text=value)
        ctx.nlu = self.understand(value, today=ctx.now.astimezone(LOCAL_TZ).date())

    def _handle(self, ctx: Context, decision: Decision) -> list[Reply]:
        if decision.action is Action.ROUTE:
            text, role = ctx.text.strip(), ctx.person.role
            for pattern, roles, handler in self.role_commands:
                if role in roles and pattern.fullmatch(text):
                    return as_list(handler(ctx))
            for pattern, handler in self.commands:
                if pattern.fullmatch(ctx.text.strip()):
                    return as_list(handler(ctx))
        handler = self.intents.get(decision.intent, self.fallback)
        return as_list(handler(ctx))

    def _ticket_action(self, ctx: Context) -> Handler | None:
        """The handler of a staff member's action on a ticket by its code (「完成 E1040 …」), if any."""
        if not is_worker(ctx.person):
            return None
        text, role = ctx.text.strip(), ctx.person.role
        role_actions = ((p, h) for p, roles, h in self.role_commands if role in roles)
        for pattern, handler in (*role_actions, *self.commands):
            if pattern in self.ticket_actions and pattern.fullmatch(text):
                return handler
        return None

    def _work_report(self, ctx: Context) -> tuple[Handler, bool] | None:
        """A staff member's words about the work they hold, with no code (「我到了 正在修」
        「到现场了 …没事了」): its handler, and whether all the work they can be about is incidents
        the sender was alerted to. With no work held they are still staff words (told so), unless
        the sender has a report of their own open that they may be about."""
        if not self.work_reports or ctx.person.role not in WORKER_ROLES:
            return None
        if said_alone(ctx.text) is None:
            return None
        held = meant(held_work(ctx.session, person=ctx.person), ctx.text)
        if not policy.about_held_work(ctx.nlu, ctx.text, {t.kind.value for t in held}):
            return None
        if not held and reports_own(ctx.session, person=ctx.person):
            return None
        return self.work_reports[0], bool(held) and all(t.kind == TicketKind.emergency for t in held)

    def _explicit(self, text: str) -> Handler | None:
        stripped = text.strip()
        return next((h for pattern, h in self.explicit_commands if pattern.fullmatch(stripped)), None)

    def _staff_command(self, ctx: Context) -> Handler | None:
        """The command of the sender's staff role the text is (「派单 R1009 王师傅」「我的任务」), if any."""
        role = ctx.person.role
        if role not in WORKER_ROLES:
            return None
        text = ctx.text.strip()
        for pattern, roles, handler in self.role_commands:
            if role in roles and pattern.fullmatch(text):
                return handler
        return next((h for pattern, h in self.staff_commands if pattern.fullmatch(text)), None)

    def _command(self, ctx: Context, form: Form | None, handler: Handler) -> list[Reply]:
        """An explicit command: the open form is put aside, and offered back if still aside after."""
        if form is not None:
            self._put_aside(ctx, form)
        replies = as_list(handler(ctx))
        aside = self.forms.get(ctx.state.paused.get("form", "")) if form is not None else None
        if aside is not None and ctx.state.form is None:
            replies.append(Text(TEXTS["offer_back"].format(title=aside.title)))
        return replies

    def _cancel(self, ctx: Context, form: Form | None) -> list[Reply]:
        if form is not None:
            form_outcome(ctx.session, form.name, "cancelled")
            clear_form(ctx)
            return [Text(TEXTS["cancelled"].format(title=form.title))]
        paused = self.forms.get(ctx.state.paused.get("form", ""))
        if paused is not None:
            form_outcome(ctx.session, paused.name, "cancelled")
            ctx.state.paused = {}
            return [Text(TEXTS["cancelled"].format(title=paused.title))]
        stopper = next((handler for holds, handler in self.stoppers if holds(ctx)), None)
        return as_list(stopper(ctx)) if stopper else [Text(TEXTS["nothing_to_cancel"])]

    def _resume(self, ctx: Context) -> list[Reply]:
        form = self.forms.get(ctx.state.paused.get("form", ""))
        if form is None:
            ctx.state.paused = {}
            return [Text(TEXTS["nothing_to_resume"])]
        return [Text(TEXTS["resumed"].format(title=form.title)), *resume_form(ctx, form)]

    @property
    def _timeout(self) -> timedelta:
        return timedelta(minutes=self.settings.conversation.form_timeout_minutes)

    def _active_form(self, ctx: Context) -> Form | None:
        state, timeout = ctx.state, self._timeout
        if state.paused and state.updated_at is not None and ctx.now - state.updated_at > timeout:
            if state.paused.get("form") in self.forms:
                form_outcome(ctx.session, state.paused["form"], "expired")
            state.paused = {}  # a form put aside long ago is forgotten quietly
        if state.form is None:
            return None
        form = self.forms.get(state.form)
        if form is None or (state.updated_at is not None and ctx.now - state.updated_at > timeout):
            if form is not None:
                form_outcome(ctx.session, form.name, "expired")
                ctx.notes.append(TEXTS["expired"].format(title=form.title))
            clear_form(ctx)
            return None
        return form
