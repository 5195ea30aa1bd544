"""Reply values that handlers return; only the gateways turn them into wire formats."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Text:
    content: str


Reply = Text
_KINDS: dict[str, type[Reply]] = {"text": Text}


_NAMES: dict[type[Reply], str] = {cls: name for name, cls in _KINDS.items()}


def encode(replies: list[Reply]) -> list[dict[str, Any]]:
    # vars(), not dataclasses.asdict: the fields are plain values, and this is on every message.
    return [{"kind": _NAMES[type(reply)], **vars(reply)} for reply in replies]


def decode(stored: list[dict[str, Any]]) -> list[Reply]:
    return [_KINDS[item["kind"]](**{k: v for k, v in item.items() if k != "kind"}) for item in stored]


def as_list(result: Reply | list[Reply] | str | None) -> list[Reply]:
    if result is None:
        return []
    if isinstance(result, str):
        return [Text(result)]
    if isinstance(result, list):
        return result
    return [result]


def joined_text(replies: list[Reply]) -> str:
    """WeChat takes one passive reply: several texts are sent as one, blank-line separated."""
    return "\n\n".join(reply.content for reply in replies if reply.content)
