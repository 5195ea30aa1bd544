"""Access tokens: one per app for every worker, no stampede, one refresh on 40001/42001."""

from __future__ import annotations

import threading

import httpx
import pytest
from sqlalchemy import Engine

from bot.clock import ManualClock
from bot.outbound.channels import MpCustomChannel, Outgoing
from bot.outbound.errors import Retryable
from bot.outbound.tokens import MpApp, TokenCache, WeComApp
from bot.settings import Settings
from tests.support.fake_wechat import FakeWeChat


def mp_app(settings: Settings) -> MpApp:
    return MpApp(settings.wechat.api_base_url, settings.wechat.app_id, settings.wechat.app_secret)


def test_many_threads_in_two_workers_fetch_one_token(
    engine: Engine, settings: Settings, clock: ManualClock, fake_wechat: FakeWeChat
) -> None:
    app = mp_app(settings)
    with httpx.Client(timeout=5) as one, httpx.Client(timeout=5) as two:
        caches = [TokenCache(engine=engine, clock=clock, client=c) for c in (one, two)]
        start = threading.Barrier(8)
        tokens: list[str] = []

        def ask(cache: TokenCache) -> None:
            start.wait()
            tokens.append(cache.get(app))

        threads = [threading.Thread(target=ask, args=(caches[i % 2],)) for i in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert fake_wechat.token_requests["mp"] == 1
    assert len(tokens) == 8 and len(set(tokens)) == 1


def test_a_token_is_reused_until_shortly_before_it_expires(
    engine: Engine, settings: Settings, clock: ManualClock, fake_wechat: FakeWeChat
) -> None:
    wecom = WeComApp(settings.wecom.api_base_url, settings.wecom.corp_id, "1000002", "s")
    with httpx.Client(timeout=5) as client:
        cache = TokenCache(engine=engine, clock=clock, client=client)
        first = cache.get(wecom)
        clock.advance(minutes=100)
        assert cache.get(wecom) == first
        clock.advance(minutes=16)  # 4 minutes before the 2-hour expiry: ask (WeChat repeats it)
        assert cache.get(wecom) == first
        clock.advance(seconds=50)
        assert cache.get(wecom) == first  # not asked again for the same answer every time
        assert fake_wechat.token_requests["qy"] == 2
        clock.advance(minutes=3, seconds=11)  # expired: a new one
        assert cache.get(wecom) != first
    assert fake_wechat.token_requests["qy"] == 3


@pytest.mark.parametrize("trouble", ["invalidate_tokens", "expire_tokens"])
def test_a_rejected_token_is_refreshed_once_and_the_call_retried_once(
    engine: Engine, settings: Settings, clock: ManualClock, fake_wechat: FakeWeChat, trouble: str
) -> None:
    app = mp_app(settings)
    with httpx.Client(timeout=5) as client:
        cache = TokenCache(engine=engine, clock=clock, client=client)
        channel = MpCustomChannel(client=client, tokens=cache, app=app)
        channel.send("o-1", Outgoing(key="a", text="一"))
        getattr(fake_wechat, trouble)()
        channel.send("o-1", Outgoing(key="b", text="二"))
        assert [d.key for d in fake_wechat.delivered()] == ["a", "b"]
        assert fake_wechat.token_requests["mp"] == 2
        # A second worker still holding nothing stale reads the new token from the database.
        other = TokenCache(engine=engine, clock=clock, client=client)
        MpCustomChannel(client=client, tokens=other, app=app).send("o-1", Outgoing(key="c", text="三"))
        assert fake_wechat.token_requests["mp"] == 2


def test_a_token_refused_even_after_refresh_is_not_retried_in_a_loop(
    engine: Engine, settings: Settings, clock: ManualClock, fake_wechat: FakeWeChat
) -> None:
    with httpx.Client(timeout=5) as client:
        cache = TokenCache(engine=engine, clock=clock, client=client)
        channel = MpCustomChannel(client=client, tokens=cache, app=mp_app(settings))
        fake_wechat.force_errcode = [40001, 40001, 40001]
        with pytest.raises(Retryable, match="after one token refresh"):
            channel.send("o-1", Outgoing(key="a", text="一"))
    assert fake_wechat.errors == [("/mp/cgi-bin/message/custom/send", 40001)] * 2
    assert fake_wechat.token_requests["mp"] == 2
    assert fake_wechat.delivered() == []
