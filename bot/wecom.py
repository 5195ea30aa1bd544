"""The WeCom (企业微信) app callback: ``GET/POST /wecom`` for staff and volunteers (always AES)."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import PlainTextResponse
from wechatpy.exceptions import InvalidSignatureException
from wechatpy.work.crypto import WeChatCrypto as WorkCrypto

from bot.clock import Clock
from bot.errors import BadSignature, DecryptFailed
from bot.pipeline import Pipeline
from bot.settings import WeComSettings
from bot.webhook import TEXT, XML, Webhook
from bot.wire import check_fresh, guard, parse_envelope, parse_wecom, render

log = logging.getLogger(__name__)


class WeComGateway:
    """Verifies and decrypts WeCom callbacks. No replay memory is needed here: WeCom signs every
    request with ``msg_signature``, which covers the encrypted body, so a triple cannot carry
    another body; the same body again is a retry, which dedupe answers."""

    def __init__(self, settings: WeComSettings, clock: Clock) -> None:
        self.settings = settings
        self.clock = clock
        self.crypto = WorkCrypto(settings.token, settings.encoding_aes_key, settings.corp_id)

    def check_fresh(self, timestamp: str) -> None:
        check_fresh(timestamp, now=self.clock.now().timestamp(), window=self.settings.replay_window_seconds)

    def echo(self, msg_signature: str, timestamp: str, nonce: str, echostr: str) -> str:
        self.check_fresh(timestamp)
        try:
            return self.crypto.check_signature(msg_signature, timestamp, nonce, echostr)
        except InvalidSignatureException as exc:
            raise BadSignature("msg_signature does not match") from exc
        except Exception as exc:
            log.error(
                "企业微信回调验证解密失败：请核对 [wecom] encoding_aes_key 和 corp_id（%s）",
                type(exc).__name__,
            )
            raise DecryptFailed("could not decrypt echostr: check encoding_aes_key and corp_id") from exc

    def decrypt(self, body: bytes, params: dict[str, str]) -> str:
        guard(body, limit=self.settings.max_body_bytes)
        timestamp = params.get("timestamp", "")
        self.check_fresh(timestamp)
        envelope = parse_envelope(body)
        if not envelope.get("Encrypt"):
            raise DecryptFailed("the body has no <Encrypt>")
        try:
            return self.crypto.decrypt_message(
                envelope, params.get("msg_signature", ""), timestamp, params.get("nonce", "")
            )
        except InvalidSignatureException as exc:
            raise BadSignature("msg_signature does not match") from exc
        except Exception as exc:
            log.error(
                "企业微信消息解密失败：请核对 [wecom] encoding_aes_key 和 corp_id（%s）", type(exc).__name__
            )
            raise DecryptFailed("could not decrypt: check encoding_aes_key and corp_id") from exc


def wecom_router(gateway: WeComGateway) -> APIRouter:
    """``GET`` (URL verification); ``POST`` is the fast path of ``bot.webhook``."""
    router = APIRouter(tags=["wecom"])

    @router.get("/wecom", response_class=PlainTextResponse)
    def verify_url(
        msg_signature: Annotated[str, Query()] = "",
        timestamp: Annotated[str, Query()] = "",
        nonce: Annotated[str, Query()] = "",
        echostr: Annotated[str, Query()] = "",
    ) -> str:
        return gateway.echo(msg_signature, timestamp, nonce, echostr)

    return router


def wecom_webhook(gateway: WeComGateway, pipeline: Pipeline) -> Webhook:
    """``POST /wecom``: one message in, the encrypted passive reply out (served by ``bot.webhook``)."""

    async def receive(body: bytes, params: dict[str, str]) -> tuple[bytes, str]:
        xml = gateway.decrypt(body, params)
        guard(xml.encode("utf-8"), limit=gateway.settings.max_body_bytes)
        message = parse_wecom(xml)
        replies = await pipeline.answer(message)
        reply = render(replies, to_user=message.user_id, from_user=str(message.extra.get("ToUserName", "")))
        if reply is None:
            return b"success", TEXT
        sealed = gateway.crypto.encrypt_message(reply, params.get("nonce", ""), params.get("timestamp", ""))
        return sealed.encode("utf-8"), XML

    return Webhook(receive, gateway.settings.max_body_bytes)
