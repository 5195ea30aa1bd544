"""A choice a list leaves pending (「近期志愿活动：【2】…【1】…」): the next message may pick from the
list in its own words (「义诊那个，我想去量量血压」「这周六那场」), and the policy takes it as an answer to
the list; a message that picks nothing is handled as ever, and the choice is dropped.

A handler module registers a :class:`Chooser` for a kind of list (``Router.chooser``) and calls
:func:`offer` with the ids it showed; the dispatcher takes the choice off the state as each text
arrives (:func:`pending`), so a choice lives for one message at most.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from bot.replies import Reply, as_list

if TYPE_CHECKING:
    from bot.context import Context
    from bot.router import HandlerResult


@dataclass(frozen=True)
class Chooser:
    kind: str
    intent: str  # the intent of the request the list answered (「有什么活动」: volunteer)
    picks: Callable[[Context, list[int]], Any]  # the item the message picks among the ids, or None
    take: Callable[[Context, Any], HandlerResult]  # go on with it (the sign-up asks to confirm)


@dataclass
class Pending:
    chooser: Chooser
    ids: list[int]
    _picked: list[Any] = field(default_factory=list)  # [] until read, then [pick or None]

    def picked(self, ctx: Context) -> Any:
        if not self._picked:
            self._picked.append(self.chooser.picks(ctx, self.ids))
        return self._picked[0]

    def take(self, ctx: Context) -> list[Reply]:
        return as_list(self.chooser.take(ctx, self.picked(ctx)))


def offer(ctx: Context, kind: str, ids: Sequence[int | None]) -> None:
    """Leave the list just shown for the next message to choose from."""
    ctx.state.choice = {"kind": kind, "ids": [i for i in ids if i is not None]}


def pending(ctx: Context, choosers: dict[str, Chooser], timeout: timedelta) -> Pending | None:
    """The choice left by the last message, taken off the state (one that picks nothing leaves none)."""
    choice, ctx.state.choice = ctx.state.choice, {}
    chooser = choosers.get(choice.get("kind", ""))
    updated = ctx.state.updated_at
    if chooser is None or (updated is not None and ctx.now - updated > timeout):
        return None
    return Pending(chooser, list(choice.get("ids", [])))
