"""The wire-independent inbound message every channel is turned into."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u2028\u2029\ufeff]")
MAX_TEXT = 2000


def clean_text(text: str | None) -> str:
    """Drop control and zero-width characters (PostgreSQL rejects NUL) and cap the length."""
    return _CONTROL.sub("", text or "").strip()[:MAX_TEXT]


@dataclass(frozen=True)
class Message:
    channel: str  # mp | wecom | console
    user_id: str  # openid, or WeCom userid
    kind: str  # text | voice | image | video | location | link | event | unknown
    text: str = ""  # typed text, or WeChat's speech recognition for voice
    msg_id: str = ""
    create_time: int = 0
    event: str = ""  # subscribe | unsubscribe | scan | click | view | location | ...
    event_key: str = ""
    media_id: str = ""
    picture_url: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    # The signed triple still to be checked against every process's (``bot.replay.Signed``), in
    # the message's own transaction; None when there is nothing left to check.
    signed: Any = field(default=None, compare=False, repr=False)

    @property
    def user_key(self) -> str:
        return f"{self.channel}:{self.user_id}"

    @property
    def dedupe_key(self) -> str:
        if self.msg_id:
            return f"{self.channel}:msg:{self.msg_id}"
        return f"{self.channel}:evt:{self.user_id}:{self.create_time}:{self.event}"
