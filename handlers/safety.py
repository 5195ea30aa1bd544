"""What to do in the first minute of each danger: said in alarms and in answers to 「…怎么办」.

``handlers.emergency`` gives it with every alarm; the knowledge base cites it as
``{guidance:<hazard>}`` (``handlers.consult``), so a question asked ahead of time gets the same advice.
"""

from __future__ import annotations

# First guidance per hazard: the one or two things that matter in the first minute.
GUIDANCE = {
    "fire": "着火冒烟：马上拨打 119；用湿毛巾捂住口鼻，弯腰走楼梯撤离，不要乘电梯，不要回去拿东西。",
    "gas": "燃气泄漏：不要开关电灯电器、不要点火，关掉燃气总阀，打开门窗，马上离开房间，到屋外再打电话。",
    "electric": "电器冒火花或有人触电：先拉下电闸断电，不要用手直接碰触电的人，用干木棍挑开电线；有人受伤拨打 120。",
    "flood": "跑水：马上关闭家里的进水总阀，远离插座和电器，必要时拉下电闸；贵重物品移到高处。",
    "lift": "电梯困人：不要扒门、不要撬门，按电梯里的警铃或对讲呼救，保持冷静等待救援；也可拨打电梯应急电话 96333。",
    "medical": "有人突发疾病：马上拨打 120；不要随意搬动病人，保持呼吸通畅，有人会急救就先急救。",
    "fall": "有人摔倒：不要急着扶起或搬动，先看能否说话、哪里疼；起不来或头部受伤马上拨打 120。",
    "locked_in": "有人被锁在屋里：隔着门安抚他，不要离开；有危险（着火、煤气、孩子单独在家）马上拨打 119 或 110。",
    "violence": "遇到暴力或威胁：先躲到安全的地方，锁好门，马上拨打 110，不要与对方争执。",
    "missing": "有人走失：马上拨打 110 报警，准备好照片和穿着；请家人守在家里等消息，我们会发动网格员和志愿者一起找。",
    "welfare": "担心有人在家出事：请先打电话、敲门确认；没有回应请拨打 110，我们会马上派人上门查看。",
    "structural": "有东西可能掉落或坍塌：马上让人离开下方和周围，拉起警戒，不要靠近；有人受伤拨打 120。",
    "self_harm": "有人想轻生：请陪着他，不要让他一个人待着，马上拨打 110 或 120；心理援助热线 12356。",
    "drowning": "有人落水：马上拨打 110 和 120，呼喊周围的人，用绳子、竹竿等施救，不要贸然下水。",
    "help": "请先保证自身安全；有人受伤拨打 120，着火拨打 119，遇到危险拨打 110。",
}
