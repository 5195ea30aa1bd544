"""What happened in the demo community (阳光里社区) in the six weeks before it is seeded.

Times are relative to the moment of seeding: a string is a day and a Beijing clock time as in
the community import (``"-41d 08:40"``: 41 days ago at 08:40), a number is hours before now.
A ticket's steps are hours after it was filed; each is done by the ticket's handler at the
time unless the step names someone. ``bot/demo.py`` plays all of it through the real services.
A story filed on an earlier day is over before today begins, so the history is the same
whatever the time of day it is seeded (``bot/demo.py`` refuses an event after now; the README
chat test seeds at 00:05).
"""

from __future__ import annotations

from dataclasses import dataclass

from models.tickets import TicketKind

WANG, LI, ZHANG, ZHAO = "demo-resident-wang", "demo-resident-li", "demo-resident-zhang", "demo-resident-zhao"
ELDER = "demo-elder-liu"
HEAD_CHEN, HEAD_MA = "demo-head-chen", "demo-head-ma"
GRID_LIU, GRID_SUN = "demo-grid-liu", "demo-grid-sun"
STAFF_WANG = "demo-staff-wang"
ADMIN = "demo-admin-wu"

When = str | float
Step = tuple[float, str, str]  # hours after filing, action, argument


@dataclass(frozen=True)
class Story:
    """One ticket. Actions: accept [who], start, resolve note, rate "总 速 态 评语", fixed,
    reopen note, cancel note, dispatch who, note text, agree text, conclude outcome,
    settled 是|否 (the reporter's answer to 「化解了吗」)."""

    filed: When
    reporter: str
    kind: TicketKind
    text: str
    category: str = ""
    building: str = ""  # the building of a common spot or of the other party (else the reporter's)
    spot: str = ""  # a common spot (else the reporter's home)
    other_party: str = ""
    wants: str = ""
    steps: tuple[Step, ...] = ()


R, D, C, E = TicketKind.repair, TicketKind.dispute, TicketKind.complaint, TicketKind.emergency

TICKETS: tuple[Story, ...] = (
    Story(
        "-41d 08:40",
        WANG,
        R,
        "卫生间水龙头关不紧，一直滴水",
        "水电",
        steps=(
            (1.5, "accept", ""),
            (3, "start", ""),
            (4, "resolve", "更换了水龙头阀芯"),
            (6, "rate", "5 5 5 师傅很专业"),
        ),
    ),
    Story(
        "-38d 10:15",
        LI,
        R,
        "1栋电梯按钮失灵，按了不亮",
        "电梯",
        building="1",
        spot="电梯",
        steps=((2, "accept", ""), (5, "start", ""), (10, "resolve", "更换了按钮面板"), (13, "rate", "4 4 5")),
    ),
    Story(
        "-35d 16:20",
        ZHANG,
        R,
        "单元门禁刷卡没反应",
        "门禁对讲",
        building="5",
        spot="门禁",
        steps=(
            (30, "accept", ""),
            (31, "start", ""),
            (50, "resolve", "读卡器受潮，已更换"),
            (128, "fixed", ""),
        ),
    ),
    Story(
        "-33d 21:10",
        WANG,
        D,
        "楼上装修，中午和晚上也在用电钻",
        building="3",
        other_party="楼上 3栋2单元602",
        wants="按规定的时间施工",
        steps=(
            (14, "note", "已上门了解情况，装修队答应午休和晚上不施工"),
            (40, "agree", "装修时间限定为工作日 8:00-12:00、14:00-18:00"),
            (41, "conclude", "resolved"),
            (44, "settled", "是"),
        ),
    ),
    Story(
        "-30d 07:50",
        ZHAO,
        R,
        "卫生间天花板渗水，墙皮起泡",
        "渗漏",
        steps=(
            (2, "accept", ""),
            (4, "start", ""),
            (26, "resolve", "楼上防水层破损，已重做局部防水"),
            (44, "reopen", "又开始渗了"),
            (46, "accept", ""),
            (47, "start", ""),
            (70, "resolve", "重新做了闭水试验，不渗了"),
            (75, "fixed", ""),
            (76, "rate", "3 3 4 第二次才修好"),
        ),
    ),
    Story(
        "-28d 09:30",
        LI,
        C,
        "保洁好几天没打扫楼道，垃圾都堆着",
        steps=((3, "accept", ""), (8, "resolve", "已调整保洁排班，每天上午打扫一次"), (12, "rate", "4 4 4")),
    ),
    Story(
        "-26d 18:40",
        ZHANG,
        R,
        "厨房下水道堵了，水下不去",
        "管道下水",
        steps=(
            (1, "accept", ""),
            (2, "start", ""),
            (3.5, "resolve", "疏通了厨房下水管"),
            (4.5, "rate", "5 5 5 当天就修好了"),
        ),
    ),
    Story(
        "-24d 19:10",
        ELDER,
        E,
        "家里燃气味很大，头有点晕",
        "紧急",
        steps=(
            (0.3, "accept", STAFF_WANG),
            (0.5, "start", ""),
            (1.5, "resolve", "关闭燃气总阀开窗通风，燃气公司已到场检修"),
            (3, "rate", "5 5 5 来得很快"),
        ),
    ),
    Story(
        "-21d 20:30",
        ZHAO,
        D,
        "隔壁养的狗天天晚上叫",
        building="2",
        other_party="隔壁 2栋2单元201",
        wants="晚上把狗关在屋里",
        steps=(
            (20, "note", "与养犬户沟通，对方同意晚上把狗带进卧室"),
            (70, "conclude", "resolved"),
            (74, "settled", "是"),
        ),
    ),
    Story(
        "-19d 08:20",
        WANG,
        R,
        "小区东门路灯不亮，晚上很黑",
        "公共设施",
        spot="小区东门",
        steps=(
            (3, "dispatch", STAFF_WANG),
            (4, "accept", ""),
            (9, "resolve", "更换了灯泡和感应开关"),
            (12, "rate", "4 5 5"),
        ),
    ),
    Story(
        "-17d 20:00",
        LI,
        D,
        "楼下烧烤的油烟飘进家里",
        building="1",
        other_party="楼下 1栋1单元201",
        wants="不要在阳台烧烤",
        steps=(
            (24, "note", "双方意见分歧较大，约定再谈"),
            (96, "conclude", "unresolved"),
            (99, "settled", "否"),
        ),
    ),
    Story(
        "-16d 12:00",
        LI,
        R,
        "客厅插座没电",
        "水电",
        steps=((2, "accept", ""), (5, "resolve", "空开跳闸，更换了插座"), (8, "rate", "5 5 4")),
    ),
    Story(
        "-13d 09:10",
        WANG,
        R,
        "3栋电梯运行有异响",
        "电梯",
        building="3",
        spot="电梯",
        steps=(
            (26, "accept", ""),
            (28, "start", ""),
            (30, "resolve", "更换了曳引机轴承"),
            (36, "rate", "3 3 4 还是有点响"),
        ),
    ),
    Story(
        "-11d 15:30",
        ZHANG,
        C,
        "物业费收据迟迟不给开",
        steps=((4, "accept", ""), (20, "resolve", "已补开收据并送到家")),
    ),
    Story(
        "-9d 10:45",
        ZHAO,
        R,
        "地库出口道闸抬杆很慢，早上排队",
        "停车道闸",
        spot="地库出口",
        steps=((2, "accept", ""), (6, "resolve", "调整了道闸电机"), (9, "rate", "5 4 5")),
    ),
    Story("-8d 19:00", LI, R, "家里门铃对讲不响", "门禁对讲", steps=((1.5, "cancel", "换了电池，已经好了"),)),
    Story(
        "-7d 09:00",
        WANG,
        D,
        "有人在楼道堆放杂物，挡住了消防通道",
        building="3",
        other_party="3栋2单元楼道",
        wants="清理楼道",
        steps=(
            (5, "note", "已通知住户两天内清理"),
            (50, "agree", "住户已清理，承诺不再堆放"),
            (51, "conclude", "resolved"),
            (55, "settled", "是"),
        ),
    ),
    # Still open when the demo starts: overdue and escalated, reopened, accepted, in progress, done, new.
    Story(120, ZHANG, R, "阳台下雨往屋里倒灌", "渗漏", steps=((2, "accept", ""),)),
    Story(72, LI, R, "1栋电梯门关不上", "电梯", building="1", spot="电梯"),
    Story(
        80,
        WANG,
        R,
        "单元门开了以后关不上",
        "门禁对讲",
        building="3",
        spot="门禁",
        steps=((2, "accept", ""), (6, "resolve", "调整了闭门器"), (30, "reopen", "又关不上了")),
    ),
    Story(
        96,
        ZHAO,
        D,
        "楼上漏水到我家，对方不配合维修",
        building="2",
        other_party="楼上 2栋2单元302",
        wants="对方配合修好防水",
        steps=((3, "accept", ""), (4, "start", ""), (6, "note", "已约双方周末面谈")),
    ),
    Story(
        22,
        ZHAO,
        R,
        "热水器不出热水",
        "水电",
        steps=((1, "accept", ""), (2, "start", ""), (20, "resolve", "更换了温控器")),
    ),
    Story(10, WANG, R, "厨房顶灯不亮", "水电", steps=((1, "accept", ""), (3, "start", ""))),
    Story(6, LI, R, "卫生间地漏返臭味", "管道下水", steps=((1, "accept", ""),)),
    Story(5, WANG, C, "夜里保安不巡逻，单元门一直开着"),
    Story(3, ZHANG, R, "5栋2单元楼道灯坏了", "公共设施", building="5", spot="楼道"),
    Story(1.5, ZHAO, R, "单元门对讲没有声音", "门禁对讲", building="2", spot="门禁"),
)


@dataclass(frozen=True)
class PastActivity:
    title: str
    kind: str
    place: str
    capacity: int
    points: int
    organiser: str
    created: When
    starts: When
    ends: When
    checkin_code: str
    signups: tuple[tuple[str, When], ...]
    attended: tuple[str, ...] = ()  # confirmed by the organiser at the end


ACTIVITIES: tuple[PastActivity, ...] = (
    PastActivity(
        "敬老院文艺慰问",
        "助老",
        "阳光里敬老院",
        8,
        5,
        HEAD_CHEN,
        "-33d 10:00",
        "-26d 14:30",
        "-26d 16:30",
        "3261",
        ((WANG, "-32d 09:00"), (LI, "-31d 20:00"), (HEAD_MA, "-30d 12:00"), (ZHAO, "-29d 19:00")),
        attended=(WANG, LI, HEAD_MA),
    ),
    PastActivity(
        "垃圾分类宣传进楼栋",
        "宣讲",
        "各楼栋单元门口",
        8,
        3,
        HEAD_MA,
        "-12d 09:00",
        "-4d 09:00",
        "-4d 11:00",
        "4104",
        ((LI, "-11d 08:00"), (ZHANG, "-10d 21:00"), (ZHAO, "-9d 12:30"), (HEAD_CHEN, "-8d 09:00")),
        attended=(LI, ZHANG, HEAD_CHEN),
    ),
    PastActivity(  # full, with one on the waitlist
        "助老包饺子",
        "助老",
        "社区老年食堂",
        4,
        3,
        HEAD_CHEN,
        "-6d 10:00",
        "+2d 14:00",
        "+2d 16:30",
        "2214",
        (
            (WANG, "-6d 12:00"),
            (LI, "-5d 08:30"),
            (ZHANG, "-4d 19:00"),
            (ZHAO, "-3d 21:00"),
            (HEAD_MA, "-1d 18:00"),
        ),
    ),
)

REDEMPTION = (LI, "幸福食堂午餐券", "-3d 11:00", "-3d 11:40")  # who, what, ordered, picked up

NOTICES: tuple[tuple[When, str, str, str], ...] = (  # published, category, title, body ({cut} = a date)
    (
        "-6d 10:00",
        "活动",
        "招募助老志愿者",
        "社区「红色管家」助老服务队招募志愿者，陪伴独居老人、帮忙做饭理发。回复「最近有什么志愿活动」报名。",
    ),
    (
        "-1d 16:00",
        "停水停电",
        "二次供水水箱清洗停水通知",
        "因二次供水水箱清洗消毒，{cut} 9:00-12:00 全小区停水，请提前储水。给您带来不便，敬请谅解。",
    ),
)
WATER_CUT = ("+1d 09:00", "+1d 12:00")  # the cut the notice announces; it expires at the end

PROPOSAL = {
    "title": "小区增设电动自行车充电桩",
    "body": "拟在1栋、5栋北侧空地增设30个电动自行车充电桩，由物业招标运营，收益计入公共收益。",
    "matter": 8,
    "opens": "-3d 10:00",
    "closes": "+7d 20:00",
}
BALLOTS: tuple[tuple[str, str, When], ...] = (
    (WANG, "agree", "-3d 12:10"),
    (LI, "agree", "-2d 08:30"),
    (ZHANG, "disagree", "-2d 21:00"),
    (ZHAO, "agree", "-1d 19:45"),
)

LEDGER: tuple[tuple[str, str, int, str, str, str], ...] = (  # kind, item, fen, note, building, account
    ("income", "停车费", 1_286_000, "地面车位 86 个", "", "公共收益"),
    ("income", "广告位租金", 360_000, "电梯广告", "", "公共收益"),
    ("income", "快递柜场地费", 120_000, "", "", "公共收益"),
    ("income", "电梯广告分成", 48_000, "5栋电梯轿厢广告", "5", "公共收益"),
    ("expense", "公共照明维修", 65_000, "东门路灯、楼道灯", "", "公共收益"),
    ("expense", "绿化养护", 210_000, "", "", "公共收益"),
    ("expense", "3栋楼顶防水", 480_000, "业主大会表决同意", "3", "专项维修资金"),
)


def people() -> set[str]:
    """Every openid the history needs (the demo community's people)."""
    return (
        {s.reporter for s in TICKETS}
        | {x for s in TICKETS for _, action, x in s.steps if action in ("accept", "dispatch") and x}
        | {a.organiser for a in ACTIVITIES}
        | {p for a in ACTIVITIES for p, _ in a.signups}
        | {p for p, _, _ in BALLOTS}
        | {REDEMPTION[0], ADMIN}
    )
