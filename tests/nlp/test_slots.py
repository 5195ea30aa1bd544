"""Slot extraction from resident messages: address, floor, spot, category, urgency, phone, when."""

from __future__ import annotations

import datetime as dt

import pytest

from nlp.slots import ADDRESS_FILE, evaluate_addresses, extract_slots

WEDNESDAY = dt.date(2026, 11, 25)
ADDRESS_KEYS = ("building", "unit", "room")


def _address(text: str) -> tuple[str, str, str]:
    slots = extract_slots(text, today=WEDNESDAY)
    return tuple(slots.get(key, "") for key in ADDRESS_KEYS)  # type: ignore[return-value]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("6栋1单元1203卫生间漏水", ("6", "1", "1203")),
        ("四号楼三单元601室", ("4", "3", "601")),
        ("我家2-3-402停电了", ("2", "3", "402")),
        ("9幢2单元801", ("9", "2", "801")),
        ("11号楼305门锁坏了", ("11", "", "305")),
        ("十二栋一单元九零一", ("12", "1", "901")),
        ("阳曲路760弄8号201室", ("8", "", "201")),
        ("B座1803", ("B", "", "1803")),
        ("3号楼2单元502", ("3", "2", "502")),
        ("5#1-301", ("5", "1", "301")),
        ("7栋二单元楼道灯坏了", ("7", "2", "")),
        ("1203室", ("", "", "1203")),
        ("8栋1203", ("8", "", "1203")),
        ("楼上8栋1203一直往下漏水", ("8", "", "1203")),
        ("二号楼三单元六零一下水道反水", ("2", "3", "601")),
        ("三栋二单元六零一一直漏水", ("3", "2", "601")),
        ("十一栋一单元十一零二", ("11", "1", "1102")),
        ("二十栋三单元一千二百零三", ("20", "3", "1203")),
        ("６栋１单元１２０３", ("6", "1", "1203")),
        ("5号楼2门501暖气不热", ("5", "2", "501")),
        ("我家住4栋1单元5楼501", ("4", "1", "501")),
        ("我是十四栋二单元的业主我家一零零二卫生间漏水", ("14", "2", "1002")),
        ("6栋1单元，楼上1502漏水", ("6", "1", "")),
    ],
)
def test_address_forms(text: str, expected: tuple[str, str, str]) -> None:
    assert _address(text) == expected


def test_lane_is_an_extra_key() -> None:
    assert extract_slots("阳曲路760弄8号201室")["lane"] == "760"


@pytest.mark.parametrize(
    "text",
    [
        "我家一直漏水",
        "明天下午3点来修",
        "物业费交了200元",
        "我们家3个人",
        "房子90平",
        "电话13812345678",
        "座机0351-7654321",
        "2026-11-28过来",
        "这个月15号能来吗",
        "隔壁两栋楼的路灯都不亮",
        "等了两个小时",
        "孩子12岁",
        "小区一共有20栋楼",
    ],
)
def test_numbers_that_are_not_addresses(text: str) -> None:
    assert _address(text) == ("", "", "")


def test_phone_next_to_an_address_stays_a_phone() -> None:
    slots = extract_slots("电话18612345678，5栋1单元1101，水管爆了")
    assert (slots["building"], slots["unit"], slots["room"]) == ("5", "1", "1101")
    assert slots["phone"] == "18612345678"


@pytest.mark.parametrize(
    ("text", "floor"),
    [
        ("我住3楼楼上老漏水", "3"),
        ("十二楼的消防门关不上", "12"),
        ("8栋12楼电梯口", "12"),
        ("地下负一楼", "-1"),
    ],
)
def test_floor_is_not_a_building(text: str, floor: str) -> None:
    slots = extract_slots(text)
    assert slots.get("floor") == floor
    assert "building" not in slots or slots["building"] == "8"


@pytest.mark.parametrize(
    ("text", "spot"),
    [
        ("地下车库的灯全灭了", "地下车库"),
        ("电梯间有人抽烟", "电梯间"),
        ("1号楼大堂的灯坏了", "1号楼大堂"),
        ("小区东门的道闸不抬杆", "小区东门"),
        ("单元门口的台阶塌了", "单元门口"),
        ("楼道里堆满了纸箱", "楼道"),
        ("天台的门被锁了", "屋顶"),
        ("绿化带里有死老鼠", "绿化带"),
        ("健身器材坏了好几个", "健身器材"),
        ("垃圾站太臭了", "垃圾站"),
    ],
)
def test_spots(text: str, spot: str) -> None:
    assert extract_slots(text).get("spot") == spot


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("楼上渗水到我家天花板了", "渗漏"),
        ("卫生间顶上一直在滴水", "渗漏"),
        ("外墙渗水墙皮都泡了", "渗漏"),
        ("厨房水管爆了", "水电"),
        ("家里没水了", "水电"),
        ("一开热水器就跳闸", "水电"),
        ("停电了一整天", "水电"),
        ("下水道堵了", "管道下水"),
        ("马桶堵了冲不下去", "管道下水"),
        ("电梯困人了", "电梯"),
        ("电梯坏了三天了", "电梯"),
        ("门禁刷卡没反应", "门禁对讲"),
        ("楼下对讲机按了没声音", "门禁对讲"),
        ("路灯不亮", "照明"),
        ("楼道灯坏了", "照明"),
        ("闻到很大的煤气味", "燃气"),
        ("燃气灶打不着火", "燃气"),
        ("窗户关不严漏风", "门窗"),
        ("门锁坏了进不去家", "门窗"),
        ("停车场道闸不抬杆", "停车道闸"),
        ("充电桩充不进电", "停车道闸"),
        ("小区的树枝快断了", "绿化环境"),
        ("健身器材坏了", "公共设施"),
        ("井盖松了走上去咣咣响", "公共设施"),
        ("空调坏了", "其他"),
    ],
)
def test_category(text: str, category: str) -> None:
    assert extract_slots(text).get("category") == category


@pytest.mark.parametrize(
    "text",
    ["你好", "积分怎么查", "我要报名志愿者", "谢谢你们", "停车费多少钱一个月", "帮我查下昨天报修的进度"],
)
def test_no_category_without_evidence(text: str) -> None:
    assert "category" not in extract_slots(text)


@pytest.mark.parametrize(
    ("text", "urgency"),
    [
        ("水管爆了赶紧来人", "urgent"),
        ("卫生间一直在漏水", "urgent"),
        ("家里淹了", "urgent"),
        ("配电箱冒烟了", "urgent"),
        ("电梯困人了", "urgent"),
        ("家里有老人小孩停电了", "urgent"),
        ("停电了一整天", "urgent"),
        ("家里开关冒火花了", "urgent"),
        ("楼道灯坏了", "normal"),
        ("窗户把手松了有空来看看", "normal"),
    ],
)
def test_urgency(text: str, urgency: str) -> None:
    assert extract_slots(text)["urgency"] == urgency


@pytest.mark.parametrize(
    ("text", "phone"),
    [
        ("我电话13812345678", "13812345678"),
        ("联系 139 1234 5678", "13912345678"),
        ("手机 186-1234-5678", "18612345678"),
        ("+86 15912345678", "15912345678"),
        ("座机0351-7654321", "03517654321"),
        ("打010 87654321", "01087654321"),
        ("幺三八一二三四五六七八", "13812345678"),
    ],
)
def test_phone(text: str, phone: str) -> None:
    assert extract_slots(text)["phone"] == phone


@pytest.mark.parametrize("text", ["6栋1单元1203", "订单号12345678901234", "12812345678", "物业费2400元"])
def test_not_a_phone(text: str) -> None:
    assert "phone" not in extract_slots(text)


@pytest.mark.parametrize(
    ("text", "when"),
    [
        ("今天下午来修", "2026-11-25 下午"),
        ("明天上午在家", "2026-11-26 上午"),
        ("后天吧", "2026-11-27"),
        ("周六", "2026-11-28"),
        ("星期六上午", "2026-11-28 上午"),
        ("礼拜六", "2026-11-28"),
        ("周一", "2026-11-30"),
        ("周三", "2026-11-25"),
        ("下周三", "2026-12-02"),
        ("这周末", "2026-11-28"),
        ("晚上7点", "2026-11-25 19:00"),
        ("明天下午3点半", "2026-11-26 15:30"),
        ("明天3点", "2026-11-26 15:00"),
        ("周日上午10点", "2026-11-29 10:00"),
        ("12月3号下午", "2026-12-03 下午"),
        ("下个月5号", "2026-12-05"),
        ("明晚八点", "2026-11-26 20:00"),
    ],
)
def test_when(text: str, when: str) -> None:
    assert extract_slots(text, today=WEDNESDAY)["when"] == when


@pytest.mark.parametrize(
    "text", ["有一点漏水", "快点来", "每周一次", "6栋1单元1203", "一直漏水", "楼上天天晚上吵"]
)
def test_no_when(text: str) -> None:
    assert "when" not in extract_slots(text, today=WEDNESDAY)


def test_when_is_deterministic_given_today() -> None:
    assert extract_slots("明天", today=dt.date(2026, 12, 31))["when"] == "2027-01-01"


def test_address_file_exact_match() -> None:
    report = evaluate_addresses(ADDRESS_FILE)
    assert report["total"] >= 150
    assert report["address_exact_match"] >= 0.97, report["errors"]


def test_evaluate_addresses_reports_mismatches(tmp_path: pytest.TempPathFactory) -> None:
    path = tmp_path / "a.tsv"  # type: ignore[operator]
    path.write_text("6栋1单元1203\t6\t1\t1203\n6栋1单元1203\t7\t1\t1203\n", encoding="utf-8")
    report = evaluate_addresses(path)
    assert report == {
        "address_exact_match": 0.5,
        "total": 2,
        "errors": [{"text": "6栋1单元1203", "expected": ["7", "1", "1203"], "got": ["6", "1", "1203"]}],
    }
