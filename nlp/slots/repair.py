"""Repair category and urgency from keyword rules.

Rules are tried in order and the first that matches decides, so specific wording comes before
general wording (楼上漏水 → 渗漏 before 水管 → 水电 before a bare 漏水 → 渗漏).
"""

from __future__ import annotations

import re

__all__ = ["CATEGORIES", "find_category", "find_urgency"]

CATEGORIES: tuple[str, ...] = (
    "水电",
    "管道下水",
    "电梯",
    "门禁对讲",
    "照明",
    "燃气",
    "门窗",
    "渗漏",
    "公共设施",
    "绿化环境",
    "停车道闸",
    "其他",
)


def _any(alternatives: str) -> re.Pattern[str]:
    """Compile space-separated alternatives (each may itself be a small regular expression)."""
    return re.compile("|".join(alternatives.split()))


_RULES: list[tuple[str, re.Pattern[str]]] = [
    (
        "燃气",
        _any("燃气 煤气 天然气 液化气 漏气 气味不对 灶(?:具|台)?(?:打不着|点不着) 热水器(?:打不着|点不着)"),
    ),
    ("电梯", _any("电梯 扶梯 困在梯")),
    (
        "渗漏",
        _any(
            "渗水 渗漏 洇水 返潮 发霉 水渍 防水 漏雨 往楼下漏 漏(?:水)?(?:漏)?到(?:了)?(?:楼下|我家|他家) "
            r"(?:楼上|天花板|天花|顶棚|吊顶|屋顶|楼顶|顶上|墙面?|外墙|墙角|窗台|阳台顶)\S{0,8}?(?:漏|渗|滴水|往下滴|湿)"
        ),
    ),
    (
        "管道下水",
        _any(
            "下水 堵了 堵住 堵塞 不通 马桶 地漏 反水 返水 倒灌 冒污水 化粪池 污水 排水 疏通 窨井 粪 "
            "反味 返臭 返味 排污"
        ),
    ),
    (
        "照明",
        _any(
            "路灯 楼道灯 声控灯 感应灯 灯泡 灯管 照明 灯(?:烧|都|也)?(?:不亮|坏|灭|闪|一直亮|黑) 黑灯瞎火 没有灯 灯也不亮"
            " 看不见路 看不清路 摸黑 黑乎乎 一片黑"
        ),
    ),
    (
        "门禁对讲",
        _any(
            "门禁 对讲 可视 刷卡 门卡 刷脸 人脸识别 楼宇门 电子门 密码门 "
            r"单元门\S{0,4}(?:打不开|开不了|坏|关不上|锁不上)"
        ),
    ),
    (
        "停车道闸",
        _any(
            "道闸 抬杆 起杆 栏杆不抬 杆不抬 闸机 充电桩 车牌识别 识别不了车牌 升降杆 地锁 "
            r"停车场\S{0,4}(?:杆|闸)"
        ),
    ),
    (
        "门窗",
        _any(
            "窗户 窗子 纱窗 窗框 玻璃 门锁 锁坏 锁芯 锁不上 防盗门 入户门 房门 门把手? 合页 推拉门 阳台门 "
            "卷帘门 门(?:关不上|打不开|坏了|变形|掉了)"
        ),
    ),
    (
        "水电",
        _any(
            "停水 没水 断水 水压 水管 水龙头 龙头 爆管 水表 电表 跳闸 停电 没电 断电 插座 开关 漏电 电线 "
            "线路 短路 电路 自来水 供水 供电 总闸 电闸 热水 暖气 供暖 地暖 水停了 电停了"
        ),
    ),
    ("渗漏", _any("漏水 在漏 滴水 漏了")),
    (
        "绿化环境",
        _any(
            "绿化 树枝 树木 大树 树倒 草坪 草地 杂草 修剪 垃圾 卫生 好脏 太脏 很脏 臭 蚊子 蟑螂 老鼠 白蚁 "
            "消杀 清扫 保洁 落叶 狗屎 粪便"
        ),
    ),
    (
        "公共设施",
        _any(
            "健身器材 座椅 长椅 椅子 井盖 路面 台阶 扶手 栏杆 围墙 信报箱 信箱 监控 摄像头 消防 灭火器 烟感 烟雾报警 报警器 烟雾探测器 车棚 "
            r"游乐 滑梯 秋千 地砖 外墙\S{0,4}(?:脱落|掉) 道路 坑 凉亭 公告栏 宣传栏 晾衣"
        ),
    ),
    (
        "其他",
        _any("坏了 坏掉 损坏 修一下 修理 故障 出问题 出毛病 不能用 用不了 不好使 不管用 失灵"),
    ),
]

_URGENT = re.compile(
    r"急|马上|赶紧|赶快|快点|快来|尽快|立刻|立即|一直在?漏|哗哗|淹了|水漫|泡了|冒烟|着火|起火|火灾|烧焦|糊味|焦味"
    r"|老人|小孩|孩子|婴儿|孕妇|病人|困(?:在|人|住|了)|关在电梯|出不来|煤气味|燃气味|漏气|漏电|触电|爆了|爆管|喷水"
    r"|一整天|一天一夜|好几天|[两三四五几]天了|一晚上|整晚"
    r"|没法住|危险|砸|塌|掉下来|脱落|救命|受伤"
)
_HAZARD = re.compile(
    r"冒烟|着火|起火|火灾|火花|困(?:在|人|住)|关在电梯|煤气味|燃气味"
    r"|漏气|漏电|触电|淹了|水漫|救命|受伤|塌"
)


def find_category(text: str) -> str | None:
    """The repair category the message is about, or None when nothing points to one."""
    for category, pattern in _RULES:
        if pattern.search(text):
            return category
    return None


def find_urgency(text: str, *, category: str | None) -> str | None:
    """Return "urgent" or "normal" for a repair-like message; None when there is nothing to rate."""
    if _HAZARD.search(text):
        return "urgent"
    if category is None:
        return None
    return "urgent" if _URGENT.search(text) else "normal"
