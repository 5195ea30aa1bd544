"""Why a delivery failed, and whether trying again can help.

DeliveryError
├── Retryable        network error, timeout, HTTP 5xx, "system busy", rate limited, a token
│   │                still refused after one refresh: back off and try again
│   └── AnswerLost   the request went out but no answer came back (read timeout, connection
│                    dropped): it may have been delivered, so trying again may repeat it
├── TokenRejected    40001 / 42001 / 40014: the cached access token is invalid or expired
│                    (refreshed once and retried once by the caller, never in a loop)
└── Permanent        the recipient cannot be reached this way (unsubscribed, unknown user,
    │                no template configured, ...): dead-letter with the reason
    └── OutOfWindow  45015 / 45047: the 48-hour customer-service window has closed
"""

from __future__ import annotations

from bot.errors import HgjError


class DeliveryError(HgjError):
    """A push could not be delivered."""


class Retryable(DeliveryError):
    pass


class AnswerLost(Retryable):
    pass


class TokenRejected(DeliveryError):
    pass


class Permanent(DeliveryError):
    pass


class OutOfWindow(Permanent):
    pass


TOKEN_ERRCODES = frozenset({40001, 40014, 42001})
RETRYABLE_ERRCODES = frozenset({-1, 45009, 45033, 44002})  # busy, api freq, robot/app limits
WINDOW_ERRCODES = frozenset({45015, 45047})


def check_errcode(body: object, *, what: str) -> None:
    """Raise the right error for a WeChat/WeCom JSON answer whose errcode is not 0."""
    if not isinstance(body, dict):
        raise Retryable(f"{what}: unexpected answer {str(body)[:200]}")
    code = body.get("errcode", 0)
    if code in (0, None):
        return
    message = f"{what}: errcode {code} {body.get('errmsg', '')}".strip()
    if code in TOKEN_ERRCODES:
        raise TokenRejected(message)
    if code in WINDOW_ERRCODES:
        raise OutOfWindow(message)
    if code in RETRYABLE_ERRCODES:
        raise Retryable(message)
    raise Permanent(message)
