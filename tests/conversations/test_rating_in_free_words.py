"""A finished repair rated in the resident's own words: 「给师傅打个五星 修得很好」."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session, select

from handlers.progress import free_rating
from models.tickets import Rating
from tests.support.wechat import WeChatSim, WeComSim


def test_free_words_rate_the_finished_repair(
    wechat: WeChatSim, wecom: WeComSim, demo: None, engine: Engine
) -> None:
    wechat.send("demo-resident-wang", "我家卫生间天花板渗水")
    wechat.send("demo-resident-wang", "是")
    wecom.send("wx-wangshifu", "接单 R1001")
    wecom.send("wx-wangshifu", "完成 R1001 已重做卫生间防水")
    reply = wechat.send("demo-resident-wang", "给师傅打个五星 修得很好")
    assert "谢谢您的评价" in reply and "R1001" in reply
    with Session(engine) as session:
        (rating,) = session.exec(select(Rating)).all()
    assert rating.overall == 5


def test_words_map_to_scores() -> None:
    assert free_rating("给个好评") == 5
    assert free_rating("不太满意 来得太晚") == 2
    assert free_rating("打3分吧") == 3
    assert free_rating("差评") == 1
    assert free_rating("什么时候来修") is None
