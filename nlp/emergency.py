"""High-recall emergency layer that runs before the intent classifier.

An emergency (danger to life or safety now) must never be routed anywhere else, so this
layer matches cue phrases for fire, gas, medical crises, people trapped, violence, falls,
missing vulnerable people, residents not seen for days, electrocution, drowning, suicide
threats and collapses.  Obvious false positives are suppressed by guards: drills and
training (「消防演习」), hypotheticals and prevention (「如果着火了怎么办」), events in the
past that are already over (「上次着火」「已经救出来了」) and explicit negation (「没有着火」).
A guarded message is not declared safe: it simply goes to the classifier, which also
knows the emergency intent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Alarm", "detect", "guard"]

_PERSON = (
    r"(老人|老太太|老大爷|老爷子|老大娘|老头|老奶奶|老爷爷|爷爷|奶奶|外婆|外公|姥姥|姥爷|我爸|我妈|爸爸|妈妈"
    r"|父亲|母亲|老伴|孩子|小孩|儿子|女儿|闺女|宝宝|娃|老公|老婆|丈夫|妻子|邻居|病人|人(?!工))"
)

# kind -> whitespace-separated alternative patterns, run on normalised text; {P} is a person word.
_CUES: dict[str, str] = {
    "fire": r"""
        着火 着伙 起火 失火 火灾(?!隐患|险) 烧起来 烧着了 烧起了 冒烟 冒黑烟 浓烟 好大的烟 火苗
        火很大 火势 爆炸 自燃 放火 纵火 冒火花 (全|都)是烟(?!头|味|蒂) 好多烟 一屋子烟
        (锅|油|车|线|房子|屋子|柜|帘|毯|被子|床|沙发|衣服|灶|电器|插头|插座|电视|冰箱|空调)(烧)?着了
        (木头|纸箱|垃圾)(烧)?着了 着了火
        (电线|电瓶|电池|电动车|电瓶车|插座|油锅|锅)[^,.!?]{0,4}(烧|起火|冒火|炸)
    """,
    "gas": r"""
        (煤气|燃气|天然气|液化气|瓦斯)[^,.!?]{0,3}(泄漏|泄露|漏了|漏气|在漏|味)
        (厨房|家里|灶|管道|阀门|罐)[^,.!?]{0,3}漏气 闻到[^,.!?]{0,6}(煤气|燃气|天然气|液化气)
        一氧化碳 煤气中毒
    """,
    "medical": r"""
        晕倒 昏倒 晕过去 昏过去 昏迷 不省人事 心脏病 心梗 心肌梗 脑梗 中风 呼吸困难 喘不上气
        喘不过气 上不来气 大出血 流了很多血 流好多血 血流不止 一直流血 抽搐 抽风 口吐白沫 休克
        没呼吸 没有呼吸 没了呼吸 没心跳 快不行了 噎住 中毒 叫不醒 一动不动 晕到了
        (倒|躺)在(地上|电梯|楼道|路边) 吃错药 烫伤 烧伤 (打|叫)(了)?(120|救护车) 急救车 需要急救
        误吃 误服 昏昏沉沉 意识不清 没有意识 没意识 晕厥 昏厥 倒地不起 出事了
        {P}[^,.!?]{0,6}倒下了? 叫也不答应 叫(他|她)?不答应 叫不应
        (?<!气得)(?<!急得)(?<!吓得)(?<!说得)说不出话 半边身子
    """,
    "trapped": r"""
        困在 被困(?!扰) 困住 关在电梯 卡在电梯 电梯[^,.!?]{0,6}(困人|困了|关人|出不来|卡住人) 困人
        夹住人 夹到人 电梯[^,.!?]{0,10}(里面有人|有人在里面|人在里面|关着人) 被(锁|关)在
        {P}[^,.!?]{0,4}(锁|关)在(屋|家|车|房间)?里
    """,
    "violence": r"""
        打人(?!工) 打起来了 打架 持刀 拿刀 拿着刀 砍人 动刀 行凶 杀人 捅人 抢劫 家暴 拿棍 斗殴 要杀
        拿着?(菜刀|砍刀|刀子|棍子) 撬[^,.!?]{0,3}(锁|门|窗) (在|一直|使劲)砸(我家)?门
    """,
    "fall": r"""
        爬(到|出|上)[^,.!?]{0,4}(窗|阳台)(户)?(外|台) (站|坐)在窗台
        摔倒 跌倒 摔了一跤 摔伤 摔[^,.!?]{0,4}起不来 倒[^,.!?]{0,4}起不来 摔下来
        掉下来[^,.!?]{0,6}(人|砸) 砸到人 砸伤 坠楼 压到人 压住人
        (从|由)[^,.!?]{0,4}(楼|阳台|窗|屋顶)[^,.!?]{0,4}(掉|摔|跌|坠)下来
    """,
    "missing": r"""
        {P}[^的,.!?]{0,10}(走失|走丢|丢了|找不到|不见了|没回来|没回家|联系不上) 走失 走丢 失踪
        (老年痴呆|失智|阿尔茨海默)[^,.!?]{0,8}(没回|出去|不见|找不到)
        (没回|出去|不见|找不到)[^,.!?]{0,12}(老年痴呆|失智)
    """,
    "welfare": r"""
        (好|几|两|三|四|五)天没(见|看到|看见|出门|露面|下楼)(?![^,.!?]{0,4}(师傅|维修|物业|回复|处理|修|人来|来修))
        敲门[^,.!?]{0,4}没人
        (独居|孤寡|空巢|老人)[^,.!?]{0,10}(没动静|没有动静|没反应|联系不上|打不通|没开门) 尸臭 腐臭
    """,
    "electric": r"""
        触电 被电到 电到(人|了) 被电击 电击
    """,
    "drowning": r"""
        溺水 掉(进|到|入)?[^,.!?]{0,4}(水里|河|湖|池|塘|井里) 落水 淹(死|着)了? 跳河 跳湖 投河
    """,
    "suicide": r"""
        跳楼 自杀 轻生 不想活 活不下去 割腕 寻死 要跳下去 想跳楼 喝农药 吃安眠药
    """,
    "collapse": r"""
        坍塌 倒塌 塌了 塌下来 塌方 墙倒了 楼[^,.!?]{0,4}(歪|斜)了 地陷
        (阳台|楼板|天花板|吊顶)[^,.!?]{0,4}掉下来
    """,
    "help": r"""
        救命 快来人(?!修|看|处理|维修|弄) 救救 来人啊 出人命
    """,
}
_CUE_RES = {kind: re.compile("|".join(alts.split()).replace("{P}", _PERSON)) for kind, alts in _CUES.items()}
# Cues that only count when a person is mentioned somewhere in the message.
_NEEDS_PERSON = {"welfare"}
_ANY_PERSON = re.compile(_PERSON + r"|独居|孤寡|空巢|隔壁|对门|楼上|楼下|他|她")

_GUARDS: dict[str, str] = {
    "drill": r"""
        演习 演练 培训 讲座 科普 宣传 知识 预案 逃生(路线|指南) 应急(通知|安排|知识) 消防检查
        安全检查 模拟 隐患 风险
    """,
    "hypothetical": r"""
        如果 万一 假如 要是 假设 怎么预防 如何预防 防止 预防 以防 注意事项 容易 小心 差点 险些
        会不会
    """,
    "past": r"""
        上次 上回 去年 前年 那次 曾经 以前 前几年 上个月 上礼拜 上周
    """,
    "over": r"""
        已经(救出|出来|灭|扑灭|没事|送医|好了|处理好|找到) 虚惊 没事了 没(有)?(伤到|砸到|砸着)人
        没(有)?人受伤 找到了 救出来了 灭了
    """,
    "negation": r"""
        (没有|没|不是|并没|并没有)(着火|起火|冒烟|漏气|泄漏|晕倒|困人|被困|打人)
    """,
    "legal": r"""
        怎么判 判几年 法律责任 谁负责 谁承担 赔偿 民法典 法律规定
    """,
}
_GUARD_RES = {name: re.compile("|".join(alts.split())) for name, alts in _GUARDS.items()}
# A present-tense marker overrides the "past" guard (「之前就有煤气味 现在更大了」).
_NOW = re.compile(r"正在|刚刚|刚才|马上|赶紧|快来|还在|又|救命")


@dataclass(frozen=True)
class Alarm:
    """An emergency cue that survived the guards: what kind and which words triggered it."""

    kind: str
    cue: str


def guard(text: str) -> str | None:
    """Name of the guard that suppresses emergency cues in ``text``, or None."""
    for name, rx in _GUARD_RES.items():
        if rx.search(text):
            if name == "past" and _NOW.search(text):
                continue
            return name
    return None


def detect(text: str) -> Alarm | None:
    """Return the first emergency cue in normalised ``text`` unless a guard suppresses it."""
    for kind, rx in _CUE_RES.items():
        m = rx.search(text)
        if m and (kind not in _NEEDS_PERSON or _ANY_PERSON.search(text[: m.start()] + text[m.end() :])):
            if guard(text) is not None:
                return None
            return Alarm(kind=kind, cue=m.group(0))
    return None
