"""Evidence around the classifier's own emergency call, when no hazard cue has fired.

``settled`` names narrow evidence that a message tells of danger that is not happening now
(someone was in danger but is out, a story on the news, a question after an earlier report,
who pays for damage done, a condition with a planning question), and the call goes to the
runner-up. It is narrow on purpose: message-wide guards cost more true alarms than they save
(「灯也灭了」 is no fire put out, 「电视」 is on in the flat of an old man not seen for days).

``hint`` finds a word of danger that is not negated: partial evidence the policy escalates as
urgent instead of filing ordinary work.
"""

from __future__ import annotations

import re

from nlp.emergency import CLAUSE_CHAR as _G
from nlp.emergency import detect, explained, guard, negated

__all__ = ["hint", "settled"]

_SETTLED: dict[str, re.Pattern[str]] = {
    "over": re.compile(
        r"人没事|(已经|都)(被)?(救)?(出来|送医院|送医|找到|回来)了|没(有)?人受伤|虚惊一场|没(有)?(伤到|砸到|砸着|伤着)人"
        r"|没(什么|啥)?(大)?事(儿)?(了|的)?$|没(什么|啥)?大碍|不要紧|创可贴|小口子"
        r"|(里面|里头|里边)没(有)?人|没(有)?人在(里面|里头|里边)|没(有)?(人)?被困|没困(着)?人"
        r"|(孩子|老人|小孩|娃|我妈|我爸|老伴儿?|人)(都|也)?没(什么|啥)?事(儿)?(?!吧|吗)"
        r"|救护车(已经)?(到了|来了)|(已经)?(被)?(拉走|接走)了|(虽然|还好|幸好|好在)没(有)?出(什么|啥)?事"
    ),
    "media": re.compile(
        r"直播|表演|(电视|新闻|视频|抖音|快手|电影|电视剧|微博|网上)(里|上)(说|看到|播|报)|看(到|了)?(个|一个|条)?(新闻|视频)|刷(到)?(个|一个|条)?(视频|抖音)"
    ),
    "followup": re.compile(
        rf"(报的|报过的|反映的|投诉的|那个事|那件事|那事|的事|那次|那回|那户){_G}{{0,14}}"
        rf"(后来|结果|说法|处理|查清|查出|看过|来过|修好|换了|怎么样|回复|进展){_G}{{0,10}}(吗|没有|没|呢|\?|了没)"
    ),
    "pay": re.compile(
        rf"谁赔|谁出|谁负责|谁承担|找{_G}{{0,4}}赔|要不要赔|赔不赔|赔偿|医药费|医疗费|损失|理赔|保险"
    ),
    "what_if": re.compile(
        r"(万一|如果|假如|假设|要是|要系|遇到|碰到|遇上|碰上)[^。！!]{0,24}"
        r"(怎么|应该|该|能不能|可不可以|会不会|吗|什么|如何|有用|要不要|咋|啥)"
    ),
    # 「上回那个老人晕倒在电梯里 后来救过来了吗」: an incident of the past, asked after.
    "past_asked": re.compile(
        r"(上次|上回|去年|前年|那次|那回|之前|以前|前几天|前阵子|前些天|上个月|上礼拜|上周)[^。！!]{0,30}"
        r"(后来|最后|结果|查到|查出|处理|救过来|说法|现在还|负责|赔)[^。！!]{0,12}(吗|呢|没有|没|\?|谁|怎么|如何)"
    ),
    "asking_instead": re.compile(
        r"^(没有|没|不是|并不是)[^,.!?;。，！？；\s]{0,10}[,.;。，；\s]*(我)?(就|只)?(是)?(想|只想|就想)(问|知道|了解|咨询|打听)"
    ),
    # A wire pulled across from a flat (飞线充电) is a standing hazard complained of, not danger now.
    "pulled_wire": re.compile(
        rf"私拉|飞线|(电线|插线板|接线板|线){_G}{{0,10}}(拉|牵|扯|接|吊|垂|甩)(出来|下来|到|过来|进|出)|拉{_G}{{0,3}}电线"
    ),
    # 「喂有人在没得」: is anyone there to talk to, not a call for help
    "anyone_there": re.compile(
        r"^((喂|哎|你好|您好)[,.\s]*)*(有人(在)?|在)(吗|没得|没有|不|嘛|么|没)[?!\s]*$"
    ),
    "conditional": re.compile(rf"(?<!说)(?<!讲)的话{_G}{{0,12}}(在哪|怎么|谁|哪|吗|呢|么|什么)"),
}
_ONGOING = re.compile(r"还在|一直|越来越|止不住|不停|救命|快来人|快救")


def _explained_instead(text: str) -> bool:
    """「屋里有股怪味,不是煤气,是下水道返上来的臭味」: the danger denied, what it is told after."""
    told = explained(text)
    return told is not None and detect(text[told.end() :]) is None and not _ONGOING.search(text)


def settled(text: str) -> str | None:
    """Why the classifier's emergency call on ``text`` is no alarm now (a name), or None.

    Someone was in danger but is out (「人没事」「已经出来了」), a story on the news, a question
    after an earlier report or incident (「报的那个…后来查清楚了吗」「上回…后来救过来了吗」), who pays for damage already done, a
    condition with a planning question (「水管爆了的话总阀在哪」), a wire pulled across from a flat
    (「电线从他家门缝拉出来」); never while it still goes on.
    """
    if _ONGOING.search(text):
        return None
    if _explained_instead(text):
        return "explained"
    return next((name for name, rx in _SETTLED.items() if rx.search(text)), None)


# Words of danger or harm: the classifier's emergency guess counts only with one of these.
_HAZARD_WORD = re.compile(
    r"火|烟(?!感|雾报警|雾探测|头|蒂|灰|囱|酒|草)|煤气|燃气|天然气|媒气|气味|味道|漏电|电线|电闸|电箱|冒|焦|电梯(?!口|间|厅|旁|边|对面|前|门口|那边|这边)|血|伤|疼|痛|晕|昏|醒|呼吸|喘|抽|吐|"
    r"摔|跌|栽|倒|起不来|动不了|困|锁|关在|出不来|水漫|淹|喷|灌|爆|冲|塌|裂|掉|坠|砸|打人|打起来|刀|砍|抢|烫|发热|火星|"
    r"威胁|杀|不见|找不到|走丢|走失|没回|联系不上|没见|没动静|没人应|没人接|跳|死|不想活|救|急|快来|"
    r"120|119|110|危险|出事|不行了|要命"
)
# A thing that is only dangerous by what it does, and that doing denied (「燃气管道改造 现在没漏气」):
# the thing named is the topic of the message, not a word of danger.
_TOPIC = frozenset({"煤气", "燃气", "天然气", "媒气", "电梯", "电线", "电闸", "电箱"})
_DENIED_DOING = re.compile(
    r"(没有?|不是|并没有?|也没有?|无|不)(在|再|有)?(漏气|泄漏|泄露|漏|味|气味|异味|臭味|困人|关人|关着人|卡人|冒烟|冒火|漏电|打火|火花|烧)"
)
_DISTRESS = re.compile(r"救|快|急|怎么办|吓死|害怕|危险|不得了|出事|赶紧|来人|要命|!|！")


def hint(text: str, *, distress: bool = True) -> str | None:
    """A hazard word that is not negated; the word, or None.

    With ``distress`` (partial evidence on its own) it must come with distress and no guard;
    without (backing the classifier's own emergency call) any word of danger will do.
    """
    if distress and (guard(text) is not None or not _DISTRESS.search(text)):
        return None
    for match in _HAZARD_WORD.finditer(text):
        if match.group(0) in _TOPIC and _DENIED_DOING.search(text):
            continue
        if not negated(text, match.start(), match.end()):
            return match.group(0)
    return None


# A smoke detector beeping or going off by itself (「屋头那个烟感一直叫」): a device to repair. Any
# smoke, fire or smell told beside it, unless denied (「没得烟」「没着火」), keeps it a danger.
_DETECTOR = re.compile(r"烟感器?|烟雾(报警器?|探测器|感应器)|烟感报警器|消防报警器?")
_BEEPS = re.compile(r"叫|响|滴|嘀|哔|误报|乱报|报警|闪")
_SMOKE_TOLD = re.compile(r"(?<![没无])(?<!没有)(?<!没得)(?<!不是)(烟|火|焦|糊|味)")


def detector_fault(text: str) -> bool:
    """Whether ``text`` tells of a smoke detector sounding with no smoke, fire or smell told."""
    if _DETECTOR.search(text) is None:
        return False
    rest = _DETECTOR.sub("", text)
    return _BEEPS.search(rest) is not None and _SMOKE_TOLD.search(rest) is None
