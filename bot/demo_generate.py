"""``hgj demo generate``: a made-up community of any size, in the format of ``examples/demo-community.toml``.

Deterministic for a seed: buildings with units and floors, one room per household, owners and
their family members (each with an openid, so they are bound), a building head per building, a
grid worker per grid of buildings, repair staff, a secretary, admins, teams, activities and
rewards. The webhook bench and its tests load it (``generate_community`` then
``models.onboarding.import_community``), and ``to_toml`` writes it for ``hgj import``.
"""

from __future__ import annotations

import random
from typing import Any

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
)
GIVEN = (
    "秀兰建国伟敏桂芳红梅国庆志强丽静磊洋艳军勇杰娟涛明超霞平刚玉兰海燕文华建华淑珍永红春梅金凤宇浩然子轩欣怡"
)
STAFF_SKILLS = (
    ["水电", "照明"],
    ["管道下水", "渗漏"],
    ["电梯"],
    ["门禁对讲", "停车道闸"],
    ["燃气", "门窗"],
    ["公共设施", "绿化环境", "其他"],
)
ACTIVITIES = (
    ("社区义诊", "义诊", "社区广场", "量血压、测血糖，需要志愿者引导和登记。"),
    ("夜间治安巡逻", "治安巡逻", "{b}栋楼下集合", ""),
    ("楼道卫生大扫除", "环境卫生", "{b}栋各单元楼道", ""),
    ("垃圾分类宣传", "环境卫生", "东门宣传栏", "在投放点旁讲解垃圾分类。"),
    ("陪老人理发", "助老", "社区服务中心一楼", ""),
    ("周末读书角", "文化", "社区图书室", "陪孩子读书、讲故事。"),
    ("消防安全演练", "治安巡逻", "北门空地", ""),
    ("绿地认养补种", "环境卫生", "中心花园", ""),
)
REWARDS = (
    ("大米5斤", "goods", 20, 300),
    ("洗衣液", "goods", 10, 500),
    ("幸福食堂午餐券", "meal", 6, 1000),
    ("理发一次", "service", 8, 200),
    ("食用油一桶", "goods", 25, 200),
    ("家电清洗一次", "service", 30, 100),
)


def _name(rng: random.Random) -> str:
    given = "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
    return rng.choice(SURNAMES) + given


def _layout(households: int, rng: random.Random) -> list[tuple[str, int, int, int]]:
    """(building number, units, floors, rooms per floor) until the households are reached."""
    buildings: list[tuple[str, int, int, int]] = []
    total = 0
    while total < households:
        units, floors, per_floor = rng.choice((2, 3, 4)), rng.choice((6, 6, 11, 18)), rng.choice((2, 2, 3, 4))
        buildings.append((str(len(buildings) + 1), units, floors, per_floor))
        total += units * floors * per_floor
    return buildings


def generate_community(households: int = 2000, *, seed: int = 2026, name: str = "") -> dict[str, Any]:
    """A community description with at least ``households`` rooms (``import_community`` format)."""
    rng = random.Random(seed)
    layout = _layout(households, rng)
    numbers = [number for number, *_ in layout]
    grids = [numbers[i : i + 6] for i in range(0, len(numbers), 6)]
    data: dict[str, Any] = {
        "community": {"name": name or f"生成社区{seed}", "hotline": "0351-6000000"},
        "grids": [{"name": f"第{i + 1}网格", "buildings": group} for i, group in enumerate(grids)],
        "buildings": [{"number": n} for n in numbers],
        "rooms": [],
        "people": [],
    }
    serial = iter(range(1, 10**7))

    def person(role: str, **fields: Any) -> dict[str, Any]:
        n = next(serial)
        entry = {"openid": f"gen{seed}-{role}-{n:06d}", "name": _name(rng), "role": role}
        entry["phone"] = f"139{seed % 100:02d}{n:06d}"
        return {**entry, **fields}

    for number, units, floors, per_floor in layout:
        head_placed = False
        for unit in range(1, units + 1):
            for floor in range(1, floors + 1):
                for door in range(1, per_floor + 1):
                    room = f"{floor}{door:02d}"
                    area = round(rng.uniform(55, 140), 1)
                    data["rooms"].append({"building": number, "unit": str(unit), "room": room, "area": area})
                    if rng.random() > 0.92:
                        continue  # an empty or unregistered flat
                    where = {"building": number, "unit": str(unit), "room": room}
                    role = "resident" if head_placed else "building_head"
                    head_placed = True
                    data["people"].append(person(role, **where))
                    for _ in range(rng.choice((0, 0, 1, 1, 1, 2))):
                        data["people"].append(person("resident", owner=False, **where))
    for grid in data["grids"]:
        data["people"].append(
            person("grid_worker", grid=grid["name"], wecom_userid=f"wx-grid-{grid['name']}")
        )
    for i, skills in enumerate(STAFF_SKILLS * max(1, len(numbers) // 20)):
        data["people"].append(person("staff", wecom_userid=f"wx-staff-{i}", skills=skills))
    data["people"].append(person("staff", wecom_userid="wx-staff-lead", skills=["物业负责人"]))
    data["people"].append(person("secretary", wecom_userid="wx-secretary"))
    data["people"] += [person("admin", wecom_userid=f"wx-admin-{i}") for i in range(2)]
    heads = [p["openid"] for p in data["people"] if p["role"] == "building_head"]
    data["teams"] = [
        {"name": "红色管家", "kind": "助老", "leader": heads[0]},
        {"name": "巡逻队", "kind": "治安巡逻", "leader": heads[-1]},
    ]
    data["activities"] = [
        {
            "title": title,
            "kind": kind,
            "starts_at": f"+{i + 2}d {9 + i % 3 * 5:02d}:00",
            "ends_at": f"+{i + 2}d {11 + i % 3 * 5:02d}:00",
            "place": place.format(b=rng.choice(numbers)),
            "capacity": rng.choice((10, 20, 50, 200)),
            "points": rng.choice((1, 2, 3)),
            "organiser": rng.choice(heads),
            "checkin_code": f"{rng.randrange(1000, 10000)}",
            **({"description": about} if about else {}),
        }
        for i, (title, kind, place, about) in enumerate(ACTIVITIES)
    ]
    data["rewards"] = [
        {"name": n, "category": c, "cost": cost, "stock": stock, "place": "爱心屋（社区服务中心一楼）"}
        for n, c, cost, stock in REWARDS
    ]
    return data


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def to_toml(data: dict[str, Any]) -> str:
    """The community as TOML: ``[community]`` then one ``[[section]]`` table per entry."""
    lines = ["# 生成的虚构社区（hgj demo generate）；格式见 README「Community import format」。", ""]
    lines += ["[community]", *(f"{k} = {_value(v)}" for k, v in data["community"].items()), ""]
    for section, entries in data.items():
        if section == "community":
            continue
        for entry in entries:
            lines += [f"[[{section}]]", *(f"{k} = {_value(v)}" for k, v in entry.items()), ""]
    return "\n".join(lines)
