"""Signed, expiring links to a resident's own data export (``GET /me/export/{token}``).

A token is ``<person id>.<expiry, unix seconds>.<signature>``: an HMAC-SHA256 over the id, the
expiry and the person's current openid, with a key only the server knows. Nothing is stored:
the link stops working when it expires, and at once when the person erases their data (their
openid is gone, so no signature matches any more). A link is not single-use: WeChat's browser
reloads pages and a resident may open it twice; its short life is the limit instead.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta

from sqlmodel import Session

from bot.settings import Settings
from models.base import by_id
from models.people import Person

_PROCESS_KEY = secrets.token_bytes(32)  # only when no secret at all is configured (development)
_CONTEXT = b"hgj personal-data export link v1"
_DIGITS = re.compile(r"[0-9]{1,12}")


def _key(settings: Settings) -> bytes:
    if settings.privacy.link_secret:
        return hashlib.sha256(_CONTEXT + settings.privacy.link_secret.encode()).digest()
    material = "\x00".join(
        (
            settings.wechat.token,
            settings.wechat.encoding_aes_key,
            settings.wechat.app_secret,
            settings.wecom.secret,
            settings.wecom.encoding_aes_key,
        )
    )
    if not material.strip("\x00"):
        return _PROCESS_KEY
    return hmac.new(material.encode(), _CONTEXT, hashlib.sha256).digest()


def _signature(settings: Settings, person_id: int, expires: int, openid: str) -> str:
    digest = hmac.new(_key(settings), f"{person_id}.{expires}.{openid}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def issue_token(settings: Settings, person: Person, *, now: datetime) -> tuple[str, datetime]:
    """A token for ``person``'s export and the moment it expires."""
    if person.id is None or not person.openid:
        raise ValueError("export links are for residents with an openid")
    expires = now + timedelta(minutes=settings.privacy.link_minutes)
    stamp = int(expires.timestamp())
    return f"{person.id}.{stamp}.{_signature(settings, person.id, stamp, person.openid)}", expires


def export_url(settings: Settings, token: str) -> str:
    """The address a resident opens; "" when ``[privacy] public_url`` is not set."""
    base = settings.privacy.public_url.rstrip("/")
    return f"{base}/me/export/{token}" if base else ""


def person_for_token(session: Session, settings: Settings, token: str, *, now: datetime) -> Person | None:
    """The person a valid, unexpired token was issued to, or None (forged, expired, erased)."""
    parts = token.split(".")
    # ASCII digits only: str.isdigit() also takes 「²」, which int() refuses
    if len(parts) != 3 or len(token) > 200 or not all(_DIGITS.fullmatch(part) for part in parts[:2]):
        return None
    stamp = int(parts[1])
    if stamp > 2**40 or now.timestamp() >= stamp:
        return None
    person = by_id(session, Person, parts[0])
    if person is None or person.erased_at is not None or not person.openid:
        return None
    expected = _signature(settings, person.id, stamp, person.openid)  # type: ignore[arg-type]
    return person if hmac.compare_digest(expected, parts[2]) else None
