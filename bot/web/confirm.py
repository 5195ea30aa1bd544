"""Confirm before reach: an action that pushes to people first shows whom it reaches and asks once.

A form posts without ``confirmed``: the route answers with :func:`ask`, a page saying how many and
who (buildings, group chats, residents) with one button that posts the same fields again plus
``confirmed``, a fingerprint of what was asked about. The route acts only when ``confirmed``
matches the fingerprint of what it is about to do, so a changed form (another building ticked,
another text) is asked about again rather than sent to an audience nobody saw.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import HTMLResponse
from sqlmodel import Session

from bot.web.common import page
from models.access import Actor

Confirmed = Annotated[str, Form(max_length=64)]


def fingerprint(*parts: Any) -> str:
    """A short digest of what a person confirms (the audience, the text, the target's state)."""
    text = json.dumps(parts, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:24]


@dataclass(frozen=True)
class Question:
    """What a person is asked before an action reaches people; ``expected`` is its fingerprint."""

    title: str
    question: str
    button: str
    expected: str
    facts: list[str] = field(default_factory=list)
    danger: bool = False


def ask(
    request: Request,
    actor: Actor,
    session: Session,
    question: Question,
    *,
    action: str,
    back_to: str,
    fields: dict[str, str] | None = None,
) -> HTMLResponse:
    """The page that asks once: the facts say whom it reaches; the button posts ``fields`` again."""
    return page(
        request,
        "confirm.html",
        actor,
        session,
        q=question,
        action=action,
        fields=fields or {},
        back_to=back_to,
        active=back_to.split("?")[0],
    )
