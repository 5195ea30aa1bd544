"""The Official Account (公众号) webhook: ``GET/POST /wechat`` in plain, compatible and safe mode."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import PlainTextResponse, Response
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidSignatureException
from wechatpy.utils import check_signature

from bot.clock import Clock
from bot.errors import BadSignature, DecryptFailed
from bot.message import Message
from bot.pipeline import Pipeline
from bot.replay import ReplayGuard, ReplayMemory, Signed
from bot.settings import WeChatSettings
from bot.webhook import TEXT, XML, Webhook, collect_body
from bot.wire import check_fresh, guard, parse_envelope, parse_mp, render

log = logging.getLogger(__name__)


class WeChatGateway:
    """Verifies, decrypts and parses Official Account requests; encrypts replies when asked to."""

    def __init__(self, settings: WeChatSettings, clock: Clock, seen: ReplayGuard | None = None) -> None:
        self.settings = settings
        self.clock = clock
        self.crypto = (
            WeChatCrypto(settings.token, settings.encoding_aes_key, settings.app_id)
            if settings.encoding_aes_key
            else None
        )
        # Signed triples seen (see bot.replay): shared through the database on PostgreSQL.
        self.seen = seen or ReplayMemory(settings.replay_window_seconds)

    def verify(self, signature: str, timestamp: str, nonce: str, body: bytes = b"") -> None:
        """A fresh, valid signature not used before for another body (GET: the echostr)."""
        triple = self._signed(signature, timestamp, nonce)
        self.seen.check(triple, body, now=self.clock.now().timestamp())

    def _signed(self, signature: str, timestamp: str, nonce: str) -> tuple[str, str, str]:
        check_fresh(timestamp, now=self.clock.now().timestamp(), window=self.settings.replay_window_seconds)
        try:
            check_signature(self.settings.token, signature, timestamp, nonce)
        except InvalidSignatureException as exc:
            raise BadSignature("signature does not match the configured token") from exc
        return signature, timestamp, nonce

    def open(self, body: bytes, params: dict[str, str]) -> tuple[Message, bool]:
        """The message in ``body`` and whether the reply must be encrypted. Never waits: what is
        left of the replay check rides on the message to the pipeline's transaction (``bot.replay``)."""
        guard(body, limit=self.settings.max_body_bytes)
        triple = self._signed(
            params.get("signature", ""), params.get("timestamp", ""), params.get("nonce", "")
        )
        signed = self.seen.note(triple, body, now=self.clock.now().timestamp())
        envelope = parse_envelope(body)
        encrypted = params.get("encrypt_type", "raw") == "aes"
        if not encrypted:
            if self.settings.effective_mode == "safe":
                raise BadSignature("a plain message in safe mode: [wechat] mode refuses unencrypted POSTs")
            return _with(parse_mp(body), signed), False
        xml = self.decrypt(envelope, params)
        guard(xml.encode("utf-8"), limit=self.settings.max_body_bytes)
        return _with(parse_mp(xml), signed), True

    def decrypt(self, envelope: dict[str, str], params: dict[str, str]) -> str:
        if self.crypto is None:
            log.error("收到安全模式消息，但 [wechat] encoding_aes_key 没有配置，无法解密。")
            raise DecryptFailed("safe-mode message but no EncodingAESKey is configured")
        if not envelope.get("Encrypt"):
            raise DecryptFailed("encrypt_type=aes but the body has no <Encrypt>")
        try:
            return self.crypto.decrypt_message(
                envelope,
                params.get("msg_signature", ""),
                params.get("timestamp", ""),
                params.get("nonce", ""),
            )
        except InvalidSignatureException as exc:
            raise BadSignature("msg_signature does not match") from exc
        except Exception as exc:
            log.error(
                "公众号消息解密失败：请核对配置中的 [wechat] encoding_aes_key 和 app_id 与公众号后台一致（%s）",
                type(exc).__name__,
            )
            raise DecryptFailed("could not decrypt: check encoding_aes_key and app_id") from exc

    def answer(self, xml: str | None, *, encrypted: bool, nonce: str, timestamp: str) -> tuple[bytes, str]:
        """The reply body and its media type: ``success`` for nothing to say, else (encrypted) XML."""
        if xml is None:
            return b"success", TEXT
        if encrypted and self.crypto is not None:
            xml = self.crypto.encrypt_message(xml, nonce, timestamp)
        return xml.encode("utf-8"), XML

    def seal(self, xml: str | None, *, encrypted: bool, nonce: str, timestamp: str) -> Response:
        content, media_type = self.answer(xml, encrypted=encrypted, nonce=nonce, timestamp=timestamp)
        return Response(content=content, media_type=media_type)


def wechat_router(gateway: WeChatGateway) -> APIRouter:
    """``GET`` (URL verification); ``POST`` is the fast path of ``bot.webhook``."""
    router = APIRouter(tags=["wechat"])

    @router.get("/wechat", response_class=PlainTextResponse)
    def verify_url(
        signature: Annotated[str, Query()] = "",
        timestamp: Annotated[str, Query()] = "",
        nonce: Annotated[str, Query()] = "",
        echostr: Annotated[str, Query()] = "",
    ) -> str:
        gateway.verify(signature, timestamp, nonce, echostr.encode())
        return echostr

    return router


def wechat_webhook(gateway: WeChatGateway, pipeline: Pipeline) -> Webhook:
    """``POST /wechat``: one message in, the passive reply out (served by ``bot.webhook``)."""

    async def receive(body: bytes, params: dict[str, str]) -> tuple[bytes, str]:
        message, encrypted = gateway.open(body, params)  # the shared replay check: in the pipeline
        replies = await pipeline.answer(message)
        xml = render(replies, to_user=message.user_id, from_user=str(message.extra.get("ToUserName", "")))
        nonce, timestamp = params.get("nonce", ""), params.get("timestamp", "")
        return gateway.answer(xml, encrypted=encrypted, nonce=nonce, timestamp=timestamp)

    return Webhook(receive, gateway.settings.max_body_bytes)


def _with(message: Message, signed: Signed | None) -> Message:
    return message if signed is None else replace(message, signed=signed)


async def read_body(request: Request, *, limit: int) -> bytes:
    """The request body, refusing to buffer more than ``limit`` bytes."""
    declared = request.headers.get("content-length", "")
    return await collect_body(request.stream(), declared=declared, limit=limit)
