"""One Router per handler module (aiogram style): intents, events, commands, forms and media."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from bot.replies import Reply

if TYPE_CHECKING:
    from bot.choices import Chooser
    from bot.context import Context
    from bot.forms import Form

HandlerResult = Reply | list[Reply] | str | None
Handler = Callable[["Context"], HandlerResult]


class Router:
    def __init__(self, name: str) -> None:
        self.name = name
        self.intents: dict[str, Handler] = {}
        self.events: dict[str, Handler] = {}
        self.commands: list[tuple[re.Pattern[str], Handler]] = []
        # Commands whose handler deals with danger itself (「已走访 敲门没人应」): they run first.
        self.first_commands: list[tuple[re.Pattern[str], Handler]] = []
        # Explicit commands (「导出我的信息」): never a slot value, taken whatever form is open.
        self.explicit_commands: list[tuple[re.Pattern[str], Handler]] = []
        # Commands of some roles only (「派单 R1009 王师傅」「本月三率」): tried before the others,
        # for those roles; anyone else's message goes on to the ordinary commands and intents.
        self.role_commands: list[tuple[re.Pattern[str], frozenset[str], Handler]] = []
        # Ordinary commands that are staff work (「接单 R1001」「我的任务」): from a staff member they
        # are as sure as a role command (the policy lets them through an open form).
        self.staff_commands: list[tuple[re.Pattern[str], Handler]] = []
        # Actions on a ticket by its code (「完成 E1040 说明」): from staff, their note is no report.
        self.ticket_actions: set[re.Pattern[str]] = set()
        # Readers that claim a message from who sends it, before the policy, as first commands do:
        # 「刘奶奶家敲门没人开」 from the volunteer who visits her is that visit's report.
        self.first_readers: list[tuple[Callable[[Context], bool], Handler]] = []
        # Staff words about the work they hold, with no code (「我到了 正在修」): the dispatcher
        # decides a message is one (``models.ticket_actions.said_alone``), this handles it.
        self.work_reports: list[Handler] = []
        self.kinds: dict[str, Handler] = {}
        self.forms: list[Form] = []
        # Lists the next message may choose from in its own words (``bot.choices``), by kind.
        self.choosers: dict[str, Chooser] = {}
        # A stop said with nothing open (「那天要带孙子去打疫苗，取消吧」) when the sender holds what
        # it can be about (a sign-up): the first whose test says so handles it.
        self.stoppers: list[tuple[Callable[[Context], bool], Handler]] = []

    def intent(self, *names: str) -> Callable[[Handler], Handler]:
        """Handle messages the NLU labels with one of ``names``."""
        return self._register(self.intents, names)

    def event(self, *names: str) -> Callable[[Handler], Handler]:
        """Handle WeChat events (``subscribe``, ``click``, ...), lower-case names."""
        return self._register(self.events, names)

    def kind(self, *names: str) -> Callable[[Handler], Handler]:
        """Handle message kinds that carry no text (``image``, ``location``, ...)."""
        return self._register(self.kinds, names)

    def command(
        self,
        pattern: str,
        *,
        handles_danger: bool = False,
        explicit: bool = False,
        roles: Iterable[str] = (),
        staff: bool = False,
        on_ticket: bool = False,
    ) -> Callable[[Handler], Handler]:
        """Handle texts matching ``pattern`` (full match) in place of the NLU intent's handler.

        ``handles_danger``: the handler itself escalates what the text reports (a welfare visit that
        found no one), so it runs before the policy's emergency check.
        ``explicit``: a fixed phrase that is never an answer to a form (「导出我的信息」): it is taken
        even while a form is open (after the emergency check); the form is put aside and offered back.
        ``roles``: only people with one of these roles (``Role`` values) are routed here.
        ``staff``: staff work that anyone may send (a resident is refused politely); from a staff
        member it is a confident command, taken even while a form is open, like a role command.
        ``on_ticket``: an action on a ticket named by its code; from staff it is carried out even when
        its note tells of danger (the policy decides; the note is pointed out, not filed).
        """
        compiled = re.compile(pattern)
        if on_ticket:
            self.ticket_actions.add(compiled)
        if roles:
            allowed = frozenset(roles)

            def for_roles(handler: Handler) -> Handler:
                self.role_commands.append((compiled, allowed, handler))
                return handler

            return for_roles
        table = (
            self.first_commands if handles_danger else self.explicit_commands if explicit else self.commands
        )

        def decorator(handler: Handler) -> Handler:
            table.append((compiled, handler))
            if staff:
                self.staff_commands.append((compiled, handler))
            return handler

        return decorator

    def reader(self, claims: Callable[[Context], bool]) -> Callable[[Handler], Handler]:
        """Handle the texts ``claims`` says are this handler's (it may look at the sender), before
        the policy's emergency check: the handler deals with any danger the words tell itself."""

        def decorator(handler: Handler) -> Handler:
            self.first_readers.append((claims, handler))
            return handler

        return decorator

    def work_report(self, handler: Handler) -> Handler:
        """Handle a staff member's words about the work they hold, said with no ticket code."""
        self.work_reports.append(handler)
        return handler

    def form(self, form: Form) -> Form:
        self.forms.append(form)
        return form

    def chooser(self, chooser: Chooser) -> Chooser:
        self.choosers[chooser.kind] = chooser
        return chooser

    def stopper(self, holds: Callable[[Context], bool]) -> Callable[[Handler], Handler]:
        """Handle a stop said with nothing open when ``holds`` says the sender has what it is about."""

        def decorator(handler: Handler) -> Handler:
            self.stoppers.append((holds, handler))
            return handler

        return decorator

    @staticmethod
    def _register(table: dict[str, Handler], names: tuple[str, ...]) -> Callable[[Handler], Handler]:
        def decorator(handler: Handler) -> Handler:
            for name in names:
                table[name] = handler
            return handler

        return decorator
