"""WeChat's two sides for deploy/smoke.py: a fake of its API (tokens, messages) for the worker's
pushes, and a resident whose messages are signed and encrypted the way WeChat's servers do it
(safe mode, with wechatpy's own crypto)."""

from __future__ import annotations

import hashlib
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import xmltodict
from wechatpy.crypto import WeChatCrypto

APP_ID = "wx5823bf96d3bd56c7"


class SmokeFailure(Exception):
    pass


# -- a fake of WeChat's API -------------------------------------------------------------------


class FakeWeChatApi:
    """Answers the Official Account's token and message calls and records every message."""

    def __init__(self) -> None:
        self.deliveries: list[tuple[str, str, dict[str, Any]]] = []  # (path, idempotency key, body)
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                path = self.path.split("?", 1)[0]
                if path.endswith("/cgi-bin/stable_token") or path.endswith("/cgi-bin/gettoken"):
                    answer: dict[str, Any] = {"access_token": "smoke-token", "expires_in": 7200}
                elif "/cgi-bin/message/" in path or path.endswith("/cgi-bin/webhook/send"):
                    with fake.lock:
                        fake.deliveries.append(
                            (path, self.headers.get("X-Idempotency-Key", ""), json.loads(body or b"{}"))
                        )
                    answer = {"errcode": 0, "errmsg": "ok", "msgid": len(fake.deliveries)}
                else:
                    self.send_error(404)
                    return
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST  # WeCom's gettoken is a GET

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def delivered(self) -> list[tuple[str, str, dict[str, Any]]]:
        with self.lock:
            return list(self.deliveries)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# -- WeChat's side of the webhook -------------------------------------------------------------


class Resident:
    """Sends a resident's messages the way WeChat's servers do in safe mode, and reads replies."""

    def __init__(self, *, token: str, aes_key: str, openid: str) -> None:
        self.token, self.openid = token, openid
        self.crypto = WeChatCrypto(token, aes_key, APP_ID)
        self.next_id = 6_100_000_000_000_000_000

    def request(self, text: str, msg_id: int) -> tuple[dict[str, str], bytes]:
        timestamp, nonce = str(int(time.time())), secrets.token_hex(8)
        xml = (
            f"<xml><ToUserName><![CDATA[gh_smoke]]></ToUserName><FromUserName><![CDATA[{self.openid}]]>"
            f"</FromUserName><CreateTime>{timestamp}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content><![CDATA[{text}]]></Content><MsgId>{msg_id}</MsgId></xml>"
        )
        sealed = xmltodict.parse(self.crypto.encrypt_message(xml, nonce, timestamp))["xml"]
        signature = hashlib.sha1("".join(sorted([self.token, timestamp, nonce])).encode()).hexdigest()
        params = {
            "signature": signature,
            "timestamp": timestamp,
            "nonce": nonce,
            "openid": self.openid,
            "encrypt_type": "aes",
            "msg_signature": sealed["MsgSignature"],
        }
        body = f"<xml><ToUserName><![CDATA[gh_smoke]]></ToUserName><Encrypt><![CDATA[{sealed['Encrypt']}]]></Encrypt></xml>"
        return params, body.encode()

    def say(self, base: str, text: str, msg_id: int | None = None) -> tuple[str, httpx.Response]:
        if msg_id is None:
            self.next_id += 1
            msg_id = self.next_id
        params, body = self.request(text, msg_id)
        response = httpx.post(f"{base}/wechat", params=params, content=body, timeout=10)
        if response.status_code != 200:
            raise SmokeFailure(f"POST {base}/wechat answered {response.status_code}: {response.text[:200]}")
        if response.text == "success":
            return "", response
        sealed = xmltodict.parse(response.text)["xml"]
        plain = self.crypto.decrypt_message(
            response.text, sealed["MsgSignature"], sealed["TimeStamp"], sealed["Nonce"]
        )
        return str(xmltodict.parse(plain)["xml"].get("Content", "")), response
