"""Slips of the pinyin keyboard and of speech input, put right before anything reads the message.

Residents type with pinyin input methods and pick the wrong character of the same sound (楼到 for
楼道, 着伙 for 着火, 没气味 for 煤气味), or give up and type the pinyin (meiqi, zhuanrengong).
Every rule and the classifier would otherwise need each slip of each word. ``correct`` mends
the common ones: a wrong word is replaced only where it is no word of its own in that place (a
lookahead or lookbehind keeps 「接着或者」「燃起了希望」「谁管这事」 as they are), and pinyin only
as a whole Latin word. Pure and idempotent: no replacement yields text another one would change.
"""

from __future__ import annotations

import re

__all__ = ["correct"]

# Whole pinyin words (syllables may be typed apart: 「jiu ming」) and the Chinese they spell.
_PINYIN = {
    "jiu ming": "救命",
    "zhao huo": "着火",
    "zhe huo": "着火",
    "qi huo": "起火",
    "mei qi": "煤气",
    "ran qi": "燃气",
    "tian ran qi": "天然气",
    "dian ti": "电梯",
    "lou shui": "漏水",
    "lou dao": "楼道",
    "lou ti": "楼梯",
    "bao xiu": "报修",
    "tou su": "投诉",
    "ji fen": "积分",
    "zhuan ren gong": "转人工",
    "ren gong": "人工",
    "ting shui": "停水",
    "ting dian": "停电",
    "tong zhi": "通知",
    "tou piao": "投票",
    "bao ming": "报名",
    "zhi yuan zhe": "志愿者",
    "ai xin wu": "爱心屋",
    "wu ye": "物业",
    "wu ye fei": "物业费",
    "wang ge yuan": "网格员",
    "ni hao": "你好",
    "xie xie": "谢谢",
    "zai ma": "在吗",
}
_BARE = {key.replace(" ", ""): chinese for key, chinese in _PINYIN.items()}
_PINYIN_WORD = re.compile(
    r"(?<![a-z])("
    + "|".join(sorted((key.replace(" ", " ?") for key in _PINYIN), key=len, reverse=True))
    + r")(?![a-z])"
)
# A pinyin syllable typed beside characters: 「qi火」「mei气」「漏shui」「能来xiu一下」.
_HALF_PINYIN = {
    r"(?<![a-z])(qi|zhao|zhe)(?=火)": "着",
    r"(?<![a-z])mei(?=气)": "煤",
    r"(?<![a-z])ran(?=气)": "燃",
    r"(?<=[漏停喷进])shui(?![a-z])": "水",
    r"(?<=[来去])xiu(?![a-z])": "修",
    r"(?<=有点)sen(?![a-z])": "渗",
}

# Wrong character, right sound: (pattern, replacement). Each pattern names its context.
_SLIPS: tuple[tuple[str, str], ...] = (
    # fire and smoke
    (r"着(伙|活)", "着火"),
    (r"着或(?!者|许)", "着火"),
    (r"(?<=[冒有])眼(?=[了啦味,.!?\s]|$)", "烟"),
    (r"眼味", "烟味"),
    (r"油(国|郭|埚)", "油锅"),
    (r"(?<=[冒打出])火化", "火花"),
    # gas
    (r"(煤汽|媒气|没气)(?=灶|罐|管|阀|表|公司|泄|漏)", "煤气"),
    (r"没气味(?=[很好太特别老贼挺可真]{0,2}[重大浓冲])", "煤气味"),
    (r"燃(汽|起)(?=灶|罐|管|阀|表|公司|味|泄|漏)", "燃气"),
    (r"燃汽", "燃气"),
    (r"(?<=[罐管阀])漏(汽|起)(?!来)", "漏气"),
    (r"((?:气|味)[^.!?;。！？；]{0,12}?)漏(?:汽|起)(?=了|啦)", r"\1漏气"),
    # water
    (r"(?<=[漏停喷进冒淌积])谁(?![家的啊呀])", "水"),
    (r"谁管(?=[爆崩裂断])", "水管"),
    (r"(?<=管)暴(?=[了开裂])", "爆"),
    (r"水笼头", "水龙头"),
    (r"(?<=往下)留", "流"),
    (r"(?<=车库)近水", "进水"),
    (r"膝该", "膝盖"),
    # electricity
    (r"(?<!接)触点了", "触电了"),
    (r"插坐", "插座"),
    (r"配(电|点)相|配点箱", "配电箱"),
    (r"电平车", "电瓶车"),
    # people in danger
    (r"救(明|名)(?=[啊呀了!,\s]|$)", "救命"),
    (r"就护车|救户车|救护册", "救护车"),
    (r"流雪", "流血"),
    (r"中峰(?=了)", "中风"),
    (r"(?<=[摔跌])到(?=了|在|地)", "倒"),
    (r"率倒", "摔倒"),
    (r"晕到(?=了|在)", "晕倒"),
    (r"(?<=[反被])所(?=了|在|住)", "锁"),
    (r"门所", "门锁"),
    (r"老年(吃|持|迟)呆", "老年痴呆"),
    (r"走事(?=了)", "走失"),
    (r"(?<=[人子了])调(?=下去|进去)", "掉"),
    # the building
    (r"电(题|体)", "电梯"),
    (r"楼到(?=里|灯|口|上|的|堆|有)", "楼道"),
    (r"楼提", "楼梯"),
    (r"下水到", "下水道"),
    (r"地下式", "地下室"),
    (r"车酷", "车库"),
    (r"井该", "井盖"),
    (r"瓷转", "瓷砖"),
    (r"(?<=墙)列(?=了|开)", "裂"),
    (r"裂(封|逢)", "裂缝"),
    (r"(?<=[条道])(大|长|小)?封", r"\1缝"),
    (r"马通", "马桶"),
    (r"暖器", "暖气"),
    (r"门(进|金)(?=卡|坏|刷|不)", "门禁"),
    # everyday words of requests
    (r"物(也|叶)(?=费|的|公司|管|人|经理)", "物业"),
    (r"物业废", "物业费"),
    (r"维修基进", "维修基金"),
    (r"头诉|投宿(?=[了吧!。]|$)", "投诉"),
    (r"(报|包)明(?=参加|了|义诊)|包名|报铭", "报名"),
    (r"志原者", "志愿者"),
    (r"积(粉|份)|基分|机分", "积分"),
    (r"爱(心物|新屋)", "爱心屋"),
    (r"转人宫", "转人工"),
    (r"网(格圆|个员)", "网格员"),
    (r"通(治|之)(?=[吗呢?]|$)", "通知"),
    (r"修号(?=了)", "修好"),
    (r"单字(?=到|呢)", "单子"),
    (r"态肚|太度", "态度"),
    (r"车(味|为)(?=被|让)", "车位"),
    (r"停车为", "停车位"),
    (r"造音", "噪音"),
    (r"什么时(后|侯)", "什么时候"),
    (r"谢谢你门", "谢谢你们"),
)
_COMPILED = tuple((re.compile(pattern), right) for pattern, right in _SLIPS)
_HALF = tuple((re.compile(pattern), right) for pattern, right in _HALF_PINYIN.items())


def correct(text: str) -> str:
    """``text`` with common pinyin-keyboard slips and typed pinyin put right (lower-case input)."""
    if any("a" <= ch <= "z" for ch in text):
        text = _PINYIN_WORD.sub(lambda m: _BARE[m.group(1).replace(" ", "")], text)
        for pattern, right in _HALF:
            text = pattern.sub(right, text)
    for pattern, right in _COMPILED:
        text = pattern.sub(right, text)
    return text
