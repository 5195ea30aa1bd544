"""The dispatcher: who is speaking, which form or handler gets the message, what state remains.

Order for a text: an expired form is dropped; 「取消」 cancels; emergencies and 「转人工」
always interrupt; an active form gets the message unless a confident different intent
interrupts it; then commands; then the handler of the NLU intent; then the fallback.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from bot.context import Context
from bot.forms import Form, clear_form, continue_form
from bot.message import Message
from bot.replies import Reply, Text, as_list
from bot.router import Handler, Router
from bot.settings import Settings
from models.base import LOCAL_TZ
from models.conversation import ConversationState, load_state, save_state
from models.people import Person, get_or_create_resident, person_by_wecom

log = logging.getLogger(__name__)

CANCEL = re.compile(r"\s*(取消|算了|不用了|退出|不办了)\s*[。！!.]*\s*")
INTERRUPT_CONFIDENCE = 0.75
EMERGENCY_INTERRUPT_CONFIDENCE = 0.9
TEXT_KINDS = frozenset({"text", "voice"})
LAST_SEEN_PRECISION = timedelta(minutes=5)

TEXTS = {
    "expired": "刚才的「{title}」很久没有继续，已自动取消；需要的话随时重新开始。",
    "cancelled": "好的，已取消「{title}」。",
    "nothing_to_cancel": "现在没有进行中的事项，有需要随时告诉我。",
    "paused": "（已放下刚才的「{title}」，需要时再说。）",
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
        for router in self.routers:
            for form in router.forms:
                self.forms[form.name] = form
            self.intents.update(router.intents)
            self.events.update(router.events)
            self.kinds.update(router.kinds)
            self.commands.extend(router.commands)

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
        state is put there for the caller to save (with others) instead of being saved here.
        """
        person = person or self._identify(session, message, now)
        if person is None:
            return [Text(TEXTS["unknown_wecom"])]
        if person.last_seen_at is None or now - person.last_seen_at > LAST_SEEN_PRECISION:
            person.last_seen_at = now  # for WeChat's 48-hour customer-service window
            session.add(person)
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
        if CANCEL.fullmatch(message.text):
            if form is None:
                return [Text(TEXTS["nothing_to_cancel"])]
            clear_form(ctx)
            return [Text(TEXTS["cancelled"].format(title=form.title))]
        # Relative times (「明天上午」) are the community's days, on the injected clock.
        ctx.nlu = self.understand(message.text, today=ctx.now.astimezone(LOCAL_TZ).date())
        if form is not None:
            if not self._interrupts(ctx, form):
                return continue_form(ctx, form)
            clear_form(ctx)
            ctx.notes.append(TEXTS["paused"].format(title=form.title))
        for pattern, handler in self.commands:
            if pattern.fullmatch(message.text.strip()):
                return as_list(handler(ctx))
        handler = self.intents.get(ctx.nlu.intent, self.fallback)
        return as_list(handler(ctx))

    def _active_form(self, ctx: Context) -> Form | None:
        state = ctx.state
        if state.form is None:
            return None
        form = self.forms.get(state.form)
        timeout = timedelta(minutes=self.settings.conversation.form_timeout_minutes)
        if form is None or (state.updated_at is not None and ctx.now - state.updated_at > timeout):
            if form is not None:
                ctx.notes.append(TEXTS["expired"].format(title=form.title))
            clear_form(ctx)
            return None
        return form

    def _interrupts(self, ctx: Context, form: Form) -> bool:
        nlu = ctx.nlu
        if nlu.intent == "handoff" or (
            nlu.intent == "emergency" and nlu.confidence >= EMERGENCY_INTERRUPT_CONFIDENCE
        ):
            return True
        if getattr(nlu, "ambiguous", False):
            return False
        if nlu.intent in (form.intent, "unknown", "greeting"):
            return False
        if form.extract(ctx, ctx.state.asking):
            return False
        return nlu.confidence >= INTERRUPT_CONFIDENCE and nlu.intent in self.intents
