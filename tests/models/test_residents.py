"""The room register CSV: every bad line named, nothing written unless all are good, re-import idempotent."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from bot.clock import ManualClock
from models.community import Room
from models.csvfile import decode
from models.residents import Householder, RosterError, import_roster, roster

GOOD = "楼栋,单元,房号,面积,姓名,电话\n3,2,502,96.5,王秀兰,13900000001\n3栋,2单元,502,96.5,王建军,\n1,1,999,70,,\n"


def test_bad_lines_are_named_and_nothing_is_written(session: Session, clock: ManualClock, demo: None) -> None:
    text = GOOD + "9,1,101,80,张三,13900000002\n1,1,101,abc,李四,12345\n1,1,,80,,\n"
    with pytest.raises(RosterError) as caught:
        import_roster(session, text=text, now=clock.now())
    assert caught.value.problems == [
        "第5行：楼栋「9」不存在",
        "第6行：面积「abc」不是有效的平方米数；电话「12345」格式不对",
        "第7行：缺少房号",
    ]
    session.rollback()
    assert session.exec(select(Householder)).all() == []


def test_import_updates_rooms_and_is_idempotent(session: Session, clock: ManualClock, demo: None) -> None:
    report = import_roster(session, text=GOOD, now=clock.now())
    assert (report.rooms_created, report.rooms_updated, report.people_created) == (1, 1, 2)
    again = import_roster(session, text=GOOD, now=clock.now())
    assert (again.rooms_created, again.rooms_updated, again.people_created, again.unchanged) == (0, 0, 0, 2)
    names = [(room.room, h.name, h.phone) for _, room, h in roster(session)]
    assert names == [("502", "王秀兰", "13900000001"), ("502", "王建军", "")]
    assert session.exec(select(Room).where(Room.room == "999")).one().area == 70


def test_header_and_excel_encoding(session: Session, clock: ManualClock, demo: None) -> None:
    with pytest.raises(RosterError, match="表头"):
        import_roster(session, text="building,unit,room\n3,2,502\n", now=clock.now())
    assert decode(GOOD.encode("gb18030")) == GOOD
    assert decode(b"\xef\xbb\xbf" + GOOD.encode()) == GOOD
