"""The WeCom callback: wechatpy's published test vectors, and staff talking to the bot."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.clock import ManualClock
from bot.settings import Settings
from tests.conftest import SAMPLES
from tests.support.wechat import WeComSim

VECTOR_KEY = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"


@pytest.fixture
def vector_client(settings: Settings, engine) -> TestClient:  # type: ignore[no-untyped-def]
    wecom = settings.wecom.model_copy(
        update={"token": "123456", "encoding_aes_key": VECTOR_KEY, "corp_id": "wx49f0ab532d5d035a"}
    )
    clock = ManualClock(datetime.fromtimestamp(1411525903, UTC))
    return TestClient(create_app(settings.model_copy(update={"wecom": wecom}), engine=engine, clock=clock))


def test_url_verification_vector(vector_client: TestClient) -> None:
    echostr = "4ByGGj+sVCYcvGeQYhaKIk1o0pQRNbRjxybjTGblXrBaXlTXeOo1+bXFXDQQb1o6co6Yh9Bv41n7hOchLF6p+Q=="
    params = {
        "msg_signature": "dd6b9c95b495b3f7e2901bfbc76c664930ffdb96",
        "timestamp": "1411525903",
        "echostr": echostr,
    }
    # The vector's own timestamp is 1411443780; the clock is within the replay window of neither, so move it.
    vector_client.app.state.clock.set(datetime.fromtimestamp(1411443780, UTC))  # type: ignore[attr-defined]
    params["timestamp"] = "1411443780"
    ok = vector_client.get("/wecom", params={**params, "nonce": "437374425"})
    assert ok.status_code == 200 and ok.text == "5927782489442352469"
    assert vector_client.get("/wecom", params={**params, "nonce": "437374424"}).status_code == 403


def test_encrypted_inbound_vector_is_decrypted(vector_client: TestClient) -> None:
    body = (SAMPLES / "work-encrypted-inbound.xml").read_bytes()
    params = {
        "msg_signature": "74d92dfeb87ba7c714f89d98870ae5eb62dff26d",
        "timestamp": "1411525903",
        "nonce": "461056294",
    }
    response = vector_client.post("/wecom", params=params, content=body)
    # "messense" is not a registered staff member: a polite, encrypted refusal.
    assert response.status_code == 200 and "<Encrypt>" in response.text


def test_registered_staff_can_talk(wecom: WeComSim, demo: None) -> None:
    assert "王师傅" in wecom.send("wx-wangshifu", "你好")


def test_unregistered_wecom_user_is_told_to_ask_the_admin(wecom: WeComSim, demo: None) -> None:
    assert "还没有在红管家登记" in wecom.send("stranger", "你好")
