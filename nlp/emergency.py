"""The hazard layer: danger to life or safety now, found before the intent classifier runs.

A hazard taxonomy (fire, gas, sparks, active flooding, lift, medical, a fall, someone locked
in, violence, a missing person, welfare, structural danger, self-harm, drowning, a cry for
help), each a list of cue patterns on normalised text. Patterns tolerate wording: gaps of a
few characters (「电梯里面困了个人」), either order (「困在电梯」「电梯困人」), 的/了/在.

Negation is scoped to the cue it touches, not to the message: 「打不着火」「没有煤气味了」
「不是着火，是烧烤的烟」 cancel that one cue, and another cue in the same message still
counts. So is a danger only spoken of: a condition (「电梯困人的话」), a likeness (「跟着火似的」),
a worry (「怕老人滑倒」), an earlier report asked after (「我报的燃气味那个 来看过了吗」).
Guards that speak about the whole message (a drill, a hypothetical, something long over, a
legal question) suppress cues unless the message also says it is happening now.

``detect`` returns a clear alarm; ``denied`` says the message names a danger only to deny it.
What backs or undoes the classifier's own emergency call is in ``nlp.evidence``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nlp.hazard_cues import BUSY, CLAUSE, CUES, GAP, PERSON, ROOM

__all__ = ["HAZARDS", "Alarm", "denied", "detect", "explained", "guard", "guarded", "negated"]

_G = CLAUSE  # a character inside one clause
CLAUSE_CHAR = _G  # for patterns written elsewhere (nlp.evidence)
_PERSON = PERSON
_CUES = CUES
HAZARDS: tuple[str, ...] = tuple(_CUES)


def _compile(alternatives: str) -> re.Pattern[str]:
    body = "|".join(alternatives.split())
    body = body.replace("{P}", _PERSON).replace("{R}", ROOM).replace("{G}", _G).replace("{H}", GAP)
    body = body.replace("{BUSY}", BUSY)
    return re.compile(body)


_CUE_RES = {kind: _compile(alts) for kind, alts in _CUES.items()}
# Cues that only count when a person is mentioned somewhere in the message.
_NEEDS_PERSON = {"welfare"}
_PERSON_RE = re.compile(_PERSON)
_ANY_PERSON = re.compile(_PERSON + r"|独居|孤寡|空巢|隔壁|对门|楼上|楼下|他|她|一个人住")
# A bare fall verb (「摔了」, not 「摔倒」) counts only with a person or a word of injury nearby.
_FALL_CONTEXT = re.compile(_PERSON + r"|起不来|受伤|流血|骨折|疼|痛|动不了|晕")

# Negation right before a cue, or a "stopped / gone" right after it, cancels that cue alone.
_NEGATED_BEFORE = re.compile(
    r"(没有|没得|冇|没|(?<!是)不是|并不是|不像是?|并非|并没有?|无|别|(?<!是)不|不会|没再|不再|(?<!消)防|怕|以免|避免|预防|防止)"
    r"(听见|听到|看见|看到|发现|闻到)?(真的?|我们家|我家|家里|我|这边|这里|现在)?(有)?(人)?(的)?(在)?"
    r"(电线|线路|插座|开关|电器|油锅|锅|厨房|楼道|房子|车|水管|管子)?$"
)
# Negation of a run of danger words: 「不是冒烟着火，是烧纸的烟」 negates 着火 as well as 冒烟.
_NEGATED_RUN = re.compile(r"(不是|没有|没|并非|不像)(冒烟|着火|起火|漏气|漏水|煤气|燃气|味道|烟|火|电){1,3}$")
# Negation inside a cue with a gap: 「电梯停运了没关人」.
_INNER_NEGATION = re.compile(
    r"(没有?|不是|无)(人|有人)?(被)?(困|关|卡|锁|漏|着|冒|烧|倒|摔|喷|淹|漫|灌|涌|打火|出火)|(没有?|无)(有)?人在(里|里面|里头)"
)
# A figure of speech: 「辣得我嘴巴要着火了」「热得我冒烟了」「气得要爆炸了」.
_HYPERBOLE_BEFORE = re.compile(rf"(气|辣|热|急|烦|累|晒|渴|馋|吵|饿|忙|笑|憋|闷)得{_G}{{0,6}}$")
# 「不是地下室被淹，只是排水沟堵了」: what the clause opens by denying, with what it is instead after.
_CONTRAST_OPEN = re.compile(r"(^|[\s,.!?;])(不是|并不是|并非|倒不是)(说)?[^\s,.!?;是]{0,10}$")
_CONTRAST_THEN = re.compile(
    r"^[^,.!?;]{0,12}[\s,.!?;]+(只是|就是|而是|是|我是|我就是|就想|只想|我想|但|但是)"
    r"|^[^,.!?;]{0,3}(只是|而是|我是|我就是|就想|只想|但是)"  # speech with the pause left out
)
_NEGATED_AFTER = re.compile(
    rf"^(的)?{_G}{{0,3}}(已经|早就|都)?(没(有)?了|消失了|散了|散掉了|(?<!急)停了|止住了|(?<!灯)(?<!灯也)(?<!灯都)灭了|修好了|关好了|没事了)"
)
# A cue spoken of rather than happening, scoped to that cue: a condition (「电梯困人的话」), a
# likeness (「烟大得跟着火似的」), a worry (「怕老人滑倒 想装扶手」), an earlier report asked
# after (「我报的燃气味那个 来看过了吗」「前天电梯关人的事 给说法了吗」) unless it goes on now.
_CONDITION_AFTER = re.compile(r"^(了)?(的话|的时候|时候)")
_SAID_BEFORE = re.compile(rf"(说|讲|发|写|留){_G}{{0,6}}$")  # 「说了些不想活的话」 are words said
_LIKENESS = re.compile(r"(?<!好)(跟|像)$")  # with 似的/一样 after: 「烟大得跟着火似的」
_LIKENESS_AFTER = re.compile(r"^(似的|一样|一般)")
_NEAR_MISS_BEFORE = re.compile(rf"(差点|差一点|险些)(儿)?(被|就|没)?{_G}{{0,2}}$")  # 「差点被绊倒」
_WORRY_BEFORE = re.compile(rf"(担心|(?<![恐只])怕(?!是)|以防|防止|避免|免得){_G}{{0,8}}$")
_REPORTED_BEFORE = re.compile(rf"(报|报过|报了|反映|反映过|投诉|提)的{_G}{{0,6}}$")
_AS_A_THING_AFTER = re.compile(r"^(的)?(那个事|那件事|那事|的事|事情|那次|那回|那户|那家|那个)|^的")
_OUTCOME = re.compile(
    r"后来|结果|说法|处理|查清|查出|看过|来过|来看|修好|换了|怎么样|回复|消息|进展|原因|单子|工单|显示|完成"
    r"|了吗|没有$|吗$|[?？]$"
)
_GOING_ON = re.compile(r"还在|越来越|又|一直|仍然|依然|不停")
_STILL = re.compile(r"正在|刚刚|刚才|还在|越来越|仍然|依然|现在|这会儿|此刻|救命|快来|快点|快些|赶紧|急死")
_NOT_A_PERSON = re.compile(
    r"(猫|狗|鸟|宠物|仓鼠|兔子|手机|杯子|碗|盘子|花瓶)(?!{G}{0,6}{P})".replace("{G}", _G).replace(
        "{P}", _PERSON
    )
)
# A nuisance a neighbour is asked about, and what makes an unanswered door a worry instead.
_NUISANCE = re.compile(r"漏水|渗|滴水|吵|噪音|装修|狗叫|油烟|垃圾|空调水|推销|不管|骂")
_ALONE = re.compile(
    r"独居|一个人住|一个人在家|孤寡|空巢|老人|老太|老大爷|老爷子|老奶奶|老爷爷|老头|平时|太安静|几天|没见|没出门|没下楼|担心|不放心|出事"
)
_ME_STILL = re.compile(rf"我{_G}{{0,6}}$")
# Anger told as fire (「俺这火噌噌往上冒，要炸了」「气得肺都要炸了」): the fire words after it are a figure.
_ANGER = re.compile(
    r"(俺|我|心里|肚子|心头|一肚子)(这|的)?(股|一股)?(火|气)(?!灾|警|车)|(火|气)(噌噌|蹭蹭|腾腾|直)(地)?往上"
)
# 「嘛时候来人啊」「咋还不来人啊」: asking when someone comes is no cry for help.
_WHEN_BEFORE = re.compile(
    r"(什么时候|啥时候|嘛时候|几时|多会儿|啥前儿|咋还不|怎么还不|还不|咋不|怎么不|能不能)$"
)
# 「没人受伤，但是电梯里还关着一个人」: what is said to be over before a contrast is not the cue after it.
# The words that surely set a danger apart from now: a condition, a drill, a scare that is over,
# a dream, a time gone by (a guard's looser words, 「电视那边」「差点」, are not enough for that).
_TOLD_NOT_NOW = re.compile(
    r"(如果|万一|假如|要是|假设)(?!{G}{0,4}不(来|快|管))|演习|演练|没事(儿)?了|虚惊|梦见|做梦|上次|上回|去年|前年|曾经|以前|(想|就是)(问|了解|咨询)".replace(
        "{G}", _G
    )
)
_CONTRAST = re.compile(r"但是|不过|可是|但|然而|只是")
_EXERTION = frozenset({"跑得", "爬得", "笑得", "累得", "气得", "喘得"})
_BURST = re.compile(r"灯泡|灯管|轮胎|气球|爆米花|鞭炮|炮仗|玻璃|杯子|瓶子")
_OBJECT_DROPPED = re.compile(r"手机|手表|钥匙|东西|钱包|戒指|眼镜|帽子|球|玩具|衣服|鞋|耳机|包|证件|卡")
# 「打不着火」「点着火就灭」: the appliance will (not) light; 火 there is no fire.
_WONT_LIGHT = re.compile(r"(打|点|引)不?(着|燃)$|烧不(着|燃)$")

_GUARDS: dict[str, str] = {
    "drill": r"""
        演习 演练 培训 讲座 科普 宣传 知识 预案 逃生(路线|指南) 应急(通知|安排|知识) 消防检查
        安全检查 模拟 隐患 风险 宣传栏
    """,
    "hypothetical": r"""
        如果 万一 假如 要是 要系 假设 (没人|不在家|出门|出差|外出|上班)的时候 怎么预防 如何预防 防止 预防 以防 注意事项 (?<!不)容易 小心 差点(?!砸) 险些
        会不会(?!有事|出事|有危险) 怎么办理 应该注意 提前了解 (遇到|碰到|遇上|碰上){G}{0,12}(怎么|应该|该|如何) 用什么灭 怎么灭 想了解 这种情况 应该先 该先 到时候 真要是 都跑不出去 跑都跑不
        有没有{G}{0,16}(服务|设备|装置|手环|产品) (可以|能|怎么|如何)申请 要提前 防走失 平时{G}{0,2}(要注意|该注意|注意|怎么预防)
        (火|火灾|消防车){G}{0,6}车?{G}{0,3}(进不来|进不去|开不进|过不去) 就(晚了|麻烦了|完了|来不及了) 怎么防(?!止) (怎么|咋|什么原因)引起
    """,
    "past": r"""
        上次 上回 去年 前年 那次 曾经 以前 前几年 上个月 上礼拜 上周 之前 前段时间 那天 前几天 前阵子 前些天
    """,
    "over": r"""
        已经(救出|出来|灭|扑灭|没事|送医|好了|处理好|找到|回来) 虚惊 没事(儿)?了 (现在|目前){G}{0,8}(也|都)?(正常|好好的)(?!吗) 没(有)?(伤到|砸到|砸着)人
        没(有)?人受伤 找到了 救出来了 (火|已经|被|给)(扑)?灭了 扑灭了 修好了 人没事 没(有)?伤(到|着)?人 砸不到人 不碍事 误会 误报 搞错了 弄错了 看错了 散掉 才散 现在好了 水已经停了 已经不漏了 已经止住了 后来{G}{0,10}(弄开|打开|救出|出来了|送医|送到医院|灭了|扑灭|修好|没事|好了) 已经(放|拿|捡|收)(到|在)?(地上|下来|起来|屋里)
    """,
    "legal": r"""
        怎么判 判几年 法律 责任 担责 谁负责 谁承担 谁赔 赔偿 民法典 规定 归谁管 谁来修 费用谁出 谁出钱
        负责还是 负责吗 要负责 证据 保险(?!丝|箱|柜|杠) (给|要)(个)?说法 赔吗 要求{G}{0,4}赔 找{G}{0,4}赔 要不要赔 赔不赔 赔钱 理赔 医药费 医疗费
        损失 谁出 谁掏 住宿费 找谁要 不肯赔 不赔 起诉 索赔 补偿 报销 (该不该|应不应该|是不是应该|能不能|可不可以|要不要)(配|装|安装|配备|设|放|买)
    """,
}
# 「没有漏气，我就是想知道闻到煤气味第一步应该干什么」: the danger denied first, then a question.
_GUARDS["asking"] = r"""
        ^(没有|没|不是|并不是){G}{0,10}[,.;\s]*(我)?(就|只)?(是)?(想|只想|就想)(问|知道|了解|咨询|打听)
"""
_GUARDS["story"] = r"""
        电视 电影 新闻 视频 抖音 快手 游戏 王者 小说 电视剧 隔壁市 老家{G}{0,3}(发|下|遭|闹|地震|洪水|大水|着火|起火) 梦见 做梦 直播 表演 节目 综艺 叫家长 哈哈 嘻嘻 (?<!不是)(?<!没在)(?<!没有在)开玩笑 火锅(?!店|城) 太辣
"""
# 「昨天高层电梯困人了，后来怎么样了」: what became of it is asked, so it is over.
_GUARDS["aftermath"] = r"""
        (后来|最后|结果)(怎么样|咋样|怎样|如何|呢|处理|解决|人)
"""
_GUARD_RES = {name: re.compile("|".join(alts.split()).replace("{G}", _G)) for name, alts in _GUARDS.items()}
# Saying it is happening now overrides the message-wide guards (「之前就有煤气味 现在更大了」).
_NOW = re.compile(r"正在|刚刚|刚才|马上|赶紧|快来|还在|又(?![不没])|救命|快点|快报警|快叫")
_DENIED_GUARD = re.compile(r"(不是|并不是|并非|没在|不是在|哪是)$")  # 「不是演习 真的着火了」
_OVERRIDABLE = {"past", "hypothetical", "legal", "aftermath"}
_NOW_WORD = re.compile(r"现在|今天|这会儿|眼下|此刻")
# Danger to a person: who pays is asked later, the alarm comes first when it is happening now.
_TO_A_PERSON = frozenset({"lift", "medical", "fall", "locked_in"})
_STILL_IN_IT = re.compile(r"(现在|这会儿|此刻)(?!没事|好了|已经|没|不)")
_COME_NOW = re.compile(r"(先|快|赶紧|赶快|马上|立刻)(点)?(来|派)(个)?(人|师傅|电工)|快来人")


@dataclass(frozen=True)
class Alarm:
    """A hazard cue that survived negation and the guards: what kind and which words."""

    kind: str
    cue: str


def guard(text: str, cue_at: int | None = None) -> str | None:
    """Name of the message-wide guard that suppresses hazard cues in ``text``, or None.

    With ``cue_at`` (where the cue ends), a word of the past counts only before or inside the
    cue and with no word of now between them: 「上次报的漏水没人修 现在管子爆了」 is happening
    now, 「我妈那天在小区里走丢了」 is not.
    """
    now = _NOW.search(text) is not None
    for name, rx in _GUARD_RES.items():
        if name == "over" and cue_at is not None:
            if any(not _CONTRAST.search(text, m.end(), cue_at) for m in rx.finditer(text)):
                return name
            continue
        if name == "past" and cue_at is not None:
            if _past_before(text, cue_at):
                return name
            continue
        if any(not _DENIED_GUARD.search(text, 0, m.start()) for m in rx.finditer(text)):
            if name in _OVERRIDABLE and now:
                continue
            return name
    return None


def _past_before(text: str, cue_at: int) -> bool:
    for match in _GUARD_RES["past"].finditer(text, 0, cue_at):
        between = text[match.end() : cue_at]
        if not (_NOW.search(between) or _NOW_WORD.search(between)):
            return True
    return False


def _negated(text: str, start: int, end: int) -> bool:
    before = text[max(0, start - 5) : start]
    if _NEGATED_BEFORE.search(before) or _NEGATED_AFTER.search(text[end : end + 10]):
        return True
    if _NEGATED_RUN.search(text[max(0, start - 10) : start]):
        return True
    if _INNER_NEGATION.search(text[start:end]):
        return True
    if _HYPERBOLE_BEFORE.search(text[max(0, start - 10) : start]):
        return True
    if _CONTRAST_OPEN.search(text[max(0, start - 14) : start]) and _CONTRAST_THEN.search(text[end:]):
        return True
    return text[start] == "着" and _WONT_LIGHT.search(text[max(0, start - 2) : start + 1]) is not None


def _spoken_of(text: str, start: int, end: int) -> bool:
    """Whether the cue at ``start:end`` names a danger without saying it is happening now."""
    after = text[end:]
    before = text[max(0, start - 12) : start]
    if _CONDITION_AFTER.search(after) and not _SAID_BEFORE.search(before) and not _STILL.search(after):
        return True
    if _LIKENESS.search(before) and _LIKENESS_AFTER.search(after):
        return True
    if _NEAR_MISS_BEFORE.search(before) and not _GOING_ON.search(after):
        return True
    if _WORRY_BEFORE.search(before) and not (text[end - 1] == "了" or after.startswith("了")):
        return True
    reported = _REPORTED_BEFORE.search(text[max(0, start - 9) : start]) or _AS_A_THING_AFTER.search(after)
    return bool(reported) and _OUTCOME.search(after) is not None and _STILL.search(text) is None


def _counts(kind: str, text: str, match: re.Match[str]) -> bool:
    start, end = match.span()
    cue = match.group(0)
    rest = text[:start] + text[end:]
    if kind in _NEEDS_PERSON and not _ANY_PERSON.search(rest):
        return False
    if kind == "missing" and cue.startswith(("找", "转")) and not _PERSON_RE.search(rest):
        return False  # 「找遍了没找到」 a person, not the car keys
    if kind == "fall" and len(match.group(0)) == 1 and not _FALL_CONTEXT.search(text):
        return False
    if kind == "welfare" and _NUISANCE.search(text) and not _ALONE.search(rest):
        return False  # 「楼上漏水 敲门也不开」「楼上装修这几天没动静了」: a nuisance, not a worry
    if _something_else(kind, text, match):
        return False
    if kind == "violence" and text.startswith("撬", start) and text[start - 1 : start] == "被":
        return False  # 「信报箱的锁被撬了」: found broken, a repair
    return not (_negated(text, start, end) or _spoken_of(text, start, end))


# A danger denied and what it is instead told after it: 「好多烟,不是着火,是烧烤摊」「煤气味 也不是煤气
# 就是炖肉的味」. Smoke or a smell told before such a clause is explained by it; a danger told after
# the 是 (「不是煤气,是着火了」) is another kind, or says it is happening after all.
_EXPLAINED = {
    "fire": re.compile(
        r"(不是|并不是|也不是|倒不是|不像是?|没有?)(着火|失火|起火|火灾|烧起来|冒烟|火)了?(的烟)?[,.;!?\s]*"
        r"(而|其实|原来|就|只|人家)?(是|系)"
    ),
    "gas": re.compile(
        r"(不是|并不是|也不是|倒不是|不像是?)(煤气|燃气|天然气|漏气|液化气)(泄漏|漏了)?(的)?(味道?)?[,.;!?\s]*"
        r"(而|其实|原来|就|只)?(是|系)"
    ),
}


# What the smoke or smell is instead, when it is harmless: cooking, a barbecue, a drain, paint...
_HARMLESS_SOURCE = re.compile(
    r"烧烤|烤串|撸串|炒菜|炒辣椒|做饭|烧饭|炖|煎|炸东西|油烟|火锅|熏|腊肉|香肠|烧纸|烧香|上香|蚊香|艾灸|抽烟|吸烟"
    r"|下水道|地漏|化粪池|垃圾|臭|装修|油漆|涂料|胶水|甲醛|雾霾|灰尘|水蒸气|蒸汽|热气|烟花|鞭炮|炮仗|饭菜|菜味|肉味"
)


def explained(text: str, kind: str | None = None) -> re.Match[str] | None:
    """The clause that denies a danger of ``kind`` (any, when None) and tells the harmless thing it
    is instead (within a few words after the 是)."""
    kinds = (kind,) if kind is not None else tuple(_EXPLAINED)
    for name in kinds:
        told = _EXPLAINED[name].search(text) if name in _EXPLAINED else None
        if told is not None and _HARMLESS_SOURCE.search(text, told.end(), told.end() + 14):
            return told
    return None


def _something_else(kind: str, text: str, match: re.Match[str]) -> bool:
    """Whether the cue's words tell of something else than the danger (exertion, an object, a pet)."""
    start, cue = match.start(), match.group(0)
    if kind == "medical" and text[max(0, start - 2) : start] in _EXERTION:
        return True  # 「跑步跑得喘不上气」
    me = _ME_STILL.search(text[max(0, start - 8) : start]) if cue == "一动不动" else None
    if me is not None and not _PERSON_RE.search(me.group(0)):
        return True  # 「我在屋里一动不动都出汗」: the speaker keeps still
    if kind == "fire" and _ANGER.search(text, 0, start) and not _STILL.search(text, 0, start):
        return True  # 「俺这火噌噌往上冒，要炸了」
    if kind == "help" and _WHEN_BEFORE.search(text, 0, start):
        return True  # 「嘛时候来人啊」
    if kind == "drowning" and _OBJECT_DROPPED.search(text[max(0, start - 6) : start]):
        return True  # 「手机掉水里了」
    if cue == "炸了" and text[start - 1 : start] != "烧" and _BURST.search(text[max(0, start - 6) : start]):
        return True  # 「灯泡炸了」
    told_instead = explained(text, kind)
    if told_instead is not None and start < told_instead.start():
        return True  # 「好多烟,不是着火,是烧烤摊」: the smoke told is the barbecue's
    return (
        kind == "fall" and _NOT_A_PERSON.search(text[max(0, start - 8) : start]) is not None
    )  # 「猫摔下来」


def _first_cue(text: str) -> Alarm | None:
    for kind, rx in _CUE_RES.items():
        pos = 0
        while (match := rx.search(text, pos)) is not None:
            if _counts(kind, text, match):
                return Alarm(kind=kind, cue=match.group(0))
            pos = match.start() + 1  # 「不是电梯慢 是电梯一直往下掉」: the second 电梯 may still count
    return None


def denied(text: str) -> bool:
    """Whether the message names a danger only to deny it (「不是着火」「没有煤气味了」) or to tell of
    something else (「我在屋里一动不动都出汗」「手机掉水里了」)."""
    if _first_cue(text) is not None:
        return False
    return any(
        _negated(text, *match.span()) or _something_else(kind, text, match)
        for kind, rx in _CUE_RES.items()
        for match in rx.finditer(text)
    )


def detect(text: str) -> Alarm | None:
    """The first hazard cue in normalised ``text`` not negated and not under a guard, or None."""
    alarm = _first_cue(text)
    if alarm is None:
        return None
    suppressed = guard(text, text.find(alarm.cue) + len(alarm.cue))
    if suppressed == "legal" and alarm.kind in _TO_A_PERSON and _STILL_IN_IT.search(text):
        return alarm  # 「电梯停在半截 我老公在里面 现在怎么办谁负责」: the question waits
    if suppressed == "legal" and _COME_NOW.search(text):
        return alarm  # 「暖气片爆了在喷水，维修费谁出，先来人关阀门」: someone is asked to come now
    return None if suppressed is not None else alarm


def guarded(text: str) -> str | None:
    """The guard under which ``text`` names a danger not happening now (「要是电梯困人了」), or None."""
    alarm = _first_cue(text)
    if alarm is None or detect(text) is not None or not _TOLD_NOT_NOW.search(text):
        return None
    if _NOW.search(text) or _NOW_WORD.search(text):
        return None  # 「上次报过燃气味 今天又闻到了」: it is back now
    return guard(text, text.find(alarm.cue) + len(alarm.cue))


def negated(text: str, start: int, end: int) -> bool:
    """Whether the words at ``start:end`` of normalised ``text`` are negated (「没有烟」「不是着火」)."""
    return _negated(text, start, end)
