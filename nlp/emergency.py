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

__all__ = ["HAZARDS", "Alarm", "denied", "detect", "guard", "negated"]

_G = r"[^,.!?;。，！？；]"  # a character inside one clause
CLAUSE_CHAR = _G  # for patterns written elsewhere (nlp.evidence)
_PERSON = (
    r"(老人|老太太|老大爷|老爷子|老大娘|老头|老奶奶|老爷爷|爷爷|奶奶|外婆|外公|姥姥|姥爷|我爸|我妈|爸爸|妈妈"
    r"|我爹|我娘|老爸|老妈|父亲|母亲|老伴|孩子|孩儿|小孩|儿子|女儿|闺女|宝宝|娃|孙子|孙女|老公|老婆|丈夫|妻子"
    r"|邻居|病人|孕妇|大爷|大妈|阿姨|叔叔|婆婆|公公|人(?!工|员|家|口|民|大))"
)
# A gap that does not run into the next thought (「不是电梯困人 就是电梯里…」).
_H = r"[^,.!?;。，！？；就是但不没]"
# What people do in a lift that is no danger (「电梯里有人贴小广告」「电梯里有人抽烟」).
_BUSY = r"把|贴|抽烟|吸烟|吐痰|吐口水|尿|乱|扔|涂|画|吃|遛|堆|吵|骂|打电话|说话|聊天|放|刷|发广告"
_ROOM = r"(屋|家|房间|卧室|厨房|卫生间|厕所|洗手间|阳台|车里|车内|里面|屋里|家里)"

# kind -> whitespace-separated alternatives; {P} a person, {G} one in-clause character, {R} a room.
_CUES: dict[str, str] = {
    "fire": r"""
        着火(?!苗) 着伙 起火 失火 火灾(?!隐患|险|预防|逃生|演练|保险) 烧起来 烧着了 烧起了 冒烟 冒黑烟 冒浓烟 浓烟 黑烟 冒着(黑|浓|白)?烟
        好大的烟(?!味) (蹿|窜|冒)(出)?火苗 火苗(蹿|窜|好高|很高|老高) 火光 火很大 火势 爆炸 炸了 自燃 放火 纵火 (全|都)是烟(?!头|味|蒂) 好多烟 一屋子烟
        (锅|油|车|线|房子|屋子|柜|帘|毯|被子|床|沙发|衣服|灶|电器|插头|插座|电视|冰箱|空调|电动车|电瓶车)(烧)?着了
        (木头|纸箱|垃圾|杂物|车棚|棚子|棚|仓库|柴火|草垛|草堆)(烧)?着了 火(老|好|贼|特别|非常|可)大 着了火 火着起来 烧糊了{G}{0,4}(冒烟|火)
        (电线|电瓶|电池|电动车|电瓶车|插座|油锅|锅|充电器)(头)?{G}{0,4}(烧起来|起火|冒火|着火|炸(了|开|裂))
    """,
    "gas": r"""
        (煤气|燃气|天然气|液化气|瓦斯|媒气|煤汽)(的)?{G}{0,3}(泄漏|泄露|漏了|漏气|在漏|味|臭味|漏出)
        (厨房|家里|灶|管道|阀门|罐|管子|接口)(的)?{G}{0,3}漏气 闻到{G}{0,6}(煤气|燃气|天然气|液化气|媒气)
        一氧化碳 煤气中毒 燃气中毒 (臭鸡蛋|臭蛋)味 (煤气|燃气|天然气|液化气){G}{0,10}(嘶嘶|呲呲|哧哧|滋滋)
    """,
    "electric": r"""
        触电 ({P}|师傅|工人|他|她){G}{0,3}出电了 被电到 电到(人|了) 被电击 电击 漏电{G}{0,4}(人|麻) (冒|打|出|蹦|闪)(着)?(电)?火花
        (电线|电闸|配电箱|配电房|配电室|配电柜|变电箱|电箱|电表箱|插座|开关|线路|电路)(的)?{G}{0,4}(冒(着)?烟|冒火|火花|烧焦|焦糊|焦味|糊味|噼啪|滋滋|打火)
        (烧焦|焦糊|塑料烧)(的)?味
        (电线|电缆|高压线|线){G}{0,14}(还)?带(着)?电 (还|正|都)带(着)?电(?!梯|瓶|池|动|脑|视|话|费|表|器) (电线|电缆|高压线)(掉|断|垂|耷拉|落)(下来|了|在){G}{0,12}(有电|冒火|打火|火花)
    """,
    "flood": r"""
        (?<!雨)(?<!落)(?<!下)(?<!烟机的)(?<!烟机)(?<!排烟)(水管|管子|管道|水龙头|阀门|角阀|三角阀|水阀|软管|进水管|暖气管|暖气片|水表|总阀)(的)?{G}{0,4}(爆了|爆开|爆裂|崩了|崩掉|炸了|崩开|断了|断掉|脱落|裂开了|喷水|喷出|呲水|滋水|往外喷|喷得)
        爆管 爆水管 管道爆裂 (水|暖气水){G}{0,3}(喷|呲|滋)(出来|得到处|了一地|个不停|得满|得一地|得老高|得一屋)
        (水|热水|污水|雨水){G}{0,6}(灌进|漫进|涌进|冲进|流进|倒灌|(漫到|漫上)(了)?(屋|客厅|卧室|房间|楼道|走廊|门外|门口|楼下|电梯|家里|床|膝盖|小腿|大腿|腰|轮胎))
        (屋里|家里|屋企|房间|客厅|楼道|车库|地下室|电梯井|地库|配电室){G}{0,4}(进水了|全是水|都是水|水漫|被淹|淹了|积水到|入(晒|咗)?水) (车|屋|屋企|家){G}{0,3}浸(紧|晒|咗)
        (淹了|被淹|水漫金山|发大水) 水{G}{0,8}(流到|淌到|漫到|流进|淌进)(楼道|楼下|邻居|隔壁|走廊|电梯|客厅|卧室|屋里|房间|家里) 止不住{G}{0,4}水 水{G}{0,4}止不住 (流|渗|漏|冒|喷|涌){G}{0,6}止不住 关不住{G}{0,2}水 水{G}{0,4}(往下灌|往屋里灌|漫出来)
        水{G}{0,4}往{G}{0,6}(灌|涌|漫)(?!风) (车库|地库|地下室|负一|负二|屋里|家里|客厅|楼道|电梯井|配电室){G}{0,8}(在|正在|一直|还在|不停)(进水|灌水|冒水) 水位{G}{0,4}(还在|一直|不停|越来越)(涨|上涨|往上涨|升|高) 哗哗{G}{0,4}(灌|往下灌|往外涌|喷|往外喷)(?!风) (车库|地库|停车场|地下室)(度)?{G}{0,3}(入水|水浸)(啦|咗|晒|到|了)
    """,
    "lift": r"""
        (困|卡)(在|住|了)?{H}{0,3}电梯 (困|关|卡|锁)(在|住){H}{0,8}电梯 (关|锁)电梯里 电梯{G}{0,10}(困人|困了|困住|关人|关了人|出不来|卡住人|卡人|被困|困着)
        电梯{G}{0,10}(里面有人|有人在里面|人在里面|关着人|里有人)(?!(在)?({BUSY})) 电梯{G}{0,6}(掉下去|坠落|下坠|往下掉|急坠|突然下滑|冲顶|蹲底|往上冲|停不下来|失控)
        {P}{G}{0,6}(在)?电梯里{G}{0,4}(出不来|困|关|卡)
        电梯{G}{0,3}把{G}{0,4}(关|困|锁|卡)(在)?(里面|里头|里边|住)
        电梯(停|卡|坏){G}{0,8}[,，\s]{1,2}((我|我家|我们家|俺家)?{P}|我们|我){G}{0,3}(还)?在(里面|里头|里边|里)
        (我|我们|人)(在|被困在|困在){G}{0,4}电梯里{G}{0,14}(没信号|出不去|出不来|打不开|不动了|停了|卡住|上不去|下不来|好闷|闷死)
    """,
    "medical": r"""
        晕倒 昏倒 晕过去 昏过去 昏迷 不省人事 心脏病{G}{0,3}(犯|发作|发了) 心梗 心肌梗 脑梗 中风 呼吸困难 喘不上气
        喘不过气 上不来气 大出血 流了很多血 流好多血 血流不止 一直流血 流血不止 血止不住 抽搐 {P}{G}{0,4}抽风 口吐白沫 休克
        没呼吸 没有呼吸 没了呼吸 没心跳 快不行了 噎住 (?<!怕)中毒 叫不醒 一动不动 晕到了 胸口(疼|痛|闷) 心口疼
        (倒|躺)在(地上|电梯|楼道|路边|地下|门口|绿化带|草丛|草地|花坛|楼梯|台阶|路上|马路|院子|车库|地库|血泊|卫生间|厕所|浴室) 吃错药 烫伤 烧伤 (打|叫)(了)?(120|幺二零|一二零|救护车) 急救车 需要急救
        {P}{G}{0,6}(误吃|误服|吃错) 意识不清 没有意识 没意识 晕厥 昏厥 倒地不起 嘴歪 口角歪 半边身子 说话不清
        {P}{G}{0,6}倒下了? 浑身没劲 迷迷糊糊 意识模糊
        见红 羊水破 要生了 (肚子|胸口|头)疼得(厉害|受不了|不行) 叫也不答应 叫(他|她)?不答应 叫不应 喊不醒 摇不醒
        (?<!气得)(?<!急得)(?<!吓得)(?<!说得)说不出话
    """,
    "fall": r"""
        (摔|跌|栽|滑|绊)(倒了?|了一跤|了个跟头|在地|到地上|地上|下去了)(?!以后|之后|过)
        (摔|跌|栽|滑|绊|倒){G}{0,6}(起不来|爬不起来|站不起来|动不了|不能动|起不了身)
        {P}{G}{0,12}(站不起来|起不来|爬不起来|动弹不了)
        摔伤 摔破 摔断 跌伤 摔下来 从{G}{0,6}(楼梯|台阶|床上|梯子|椅子){G}{0,3}(摔|跌|滚|掉)下来
        爬(到|出|上){G}{0,4}(窗|阳台)(户)?(外|台) (站|坐|趴)在(窗台|窗户外|阳台边|栏杆外)
        坠楼 (从|由){G}{0,4}(楼|阳台|窗|屋顶){G}{0,4}(掉|摔|跌|坠)下来
    """,
    "locked_in": r"""
        {P}{G}{0,4}(被)?(反锁|锁|关)在{G}{0,3}{R} 被(反锁|锁|关)在{G}{0,3}{R}?
        (反锁|锁)在{G}{0,3}{R}{G}{0,6}(出不来|哭|打不开)
    """,
    "violence": r"""
        打人(?!工) 打起来了 打架 持刀 拿刀 拿着刀 砍人 动刀 行凶 杀人 捅人 抢劫 家暴 拿棍 斗殴 要杀
        拿着?(菜刀|砍刀|刀子|棍子|铁棍|刀) 撬{G}{0,3}(锁|门|窗) (在|一直|使劲)砸(我家)?门 威胁要 扬言要
        同归于尽 (泼|浇|倒)(了)?汽油 (踹|砸)(我家)?门 威胁(我|着) (要|就|说要|扬言)(打|砍|捅|杀|弄死)(死)?(我|你|人|他|她)(?!工|{G}{0,2}(电话|手机))
    """,
    "missing": r"""
        {P}[^的,.!?;。，！？；]{0,10}(走失|走丢|跑丢|跑没影|找不到|不见了|没回来|没回家|联系不上|没了人影) {P}(又)?丢了(?!个|一|东西|钱|钥匙|手机)
        (找了|转了|找遍|找过){G}{0,6}(没找到|没找着|没见着|没看到)
        (几|两|三|四|五|六|好几|十几|半)(个)?(小时|钟头)(了)?(都|还|也)?(没回来|没回家|没到家|没见人|没回去)
        走失 走丢 失踪 (老年痴呆|失智|阿尔茨海默|糊涂)[^,.!?;。，！？；]{0,10}(没回|出去|不见|找不到|跑出去)
        (没回|出去|不见|找不到){G}{0,12}(老年痴呆|失智|糊涂)
    """,
    "welfare": r"""
        (好|几|两|三|四|五|一个星期|一周|多)天(都)?没(见|看到|看见|出门|露面|下楼|开门|动静|人影)(?!{G}{0,4}(师傅|维修|物业|回复|处理|修|人来|来修))
        敲门{G}{0,4}没(人)?(应|开|反应|动静) 敲{G}{0,3}门{G}{0,4}(没人|没反应)
        (独居|孤寡|空巢|一个人住|自己住|老人){G}{0,12}(没动静|没有动静|没反应|联系不上|打不通|没开门|没人接)
        (狗|猫){G}{0,6}(叫|嚎){G}{0,6}(好几天|几天|两天|三天|整整|两天两夜) (快递|报纸|牛奶|外卖|信箱|菜){G}{0,6}(堆|没人拿|没拿|塞爆|塞满|烂了) (快递|报纸|牛奶|外卖|奶)(就)?(放|堆|搁|摆)(了)?(好几天|几天|两天|三天|一个星期|一周|好些天)
        (一个礼拜|一个星期|一周|这周|几天|两天|三天|四天|五天|好几天|多天){G}{0,8}(没见|没看见|没看到|没声|一点(声音|声|动静)(都|也)?没(有)?|没动静|没有动静|没露面|没下楼|没出门)
        (几天|好几天|两天|三天|一个礼拜|一周|一直){G}{0,10}(电话){G}{0,4}(也)?(不接|没人接|打不通|没人听)
        窗帘{G}{0,4}(一直拉着|好几天没拉开) 灯{G}{0,6}(好几天|几天|一直){G}{0,3}(没关|亮着|开着|没亮)
        {P}{G}{0,3}(也|都)(没动静|没有动静|没声音|没反应)
        尸臭 腐臭 (死|腐烂)(老鼠)?的?(味|臭)
    """,
    "structural": r"""
        坍塌 倒塌 塌方 墙倒了 楼{G}{0,4}(歪|斜)了 地陷 (地|路面)塌
        (楼|房子|房顶|屋顶|墙|阳台|楼板|天花板|吊顶|楼梯|地基)(的)?{G}{0,3}(塌了|塌下来|塌陷)
        (阳台|楼板|天花板|吊顶|房顶)(的)?{G}{0,4}(掉下来|塌|裂开|往下掉)
        (外墙|瓷砖|墙砖|空调外机|外机|窗户|窗框|玻璃|广告牌|花盆|招牌|雨棚|支架)(的)?{G}{0,6}(要掉|快掉|掉下来|往下掉|摇摇欲坠|松了{G}{0,4}掉|悬着|晃晃悠悠|一直晃|砸到人|砸伤人|整块松了|(就|只)剩{G}{0,3}螺丝|风一吹{G}{0,2}(就|直|乱)晃)
        (要|快|随时|马上|眼看)(要|会)?{G}{0,2}(掉下去|掉下来|砸下来|塌下来|倒下来|落下来|落下去|跌下来)
        高空坠物 高空抛物{G}{0,4}(砸(到|着|中|伤)(了)?(人|头|孩子|老人|小孩)|伤人|伤到) 砸到人 砸伤 压到人 压住人 压着(个|一个|两个|好几个)?人 (压|砸)在(下面|底下)
        (掉|断|松|脱)了一半{G}{0,10}(挂|吊|晃|悬) (防盗窗|窗户|窗框|空调|外机|支架|广告牌|招牌|牌子|铁皮|雨棚|太阳能|板|玻璃|瓷砖|花盆|吊篮|栏杆|护栏)[^.!?;。！？；]{0,10}(挂|吊|悬)在{G}{0,8}(外面|半空|楼外|空中){G}{0,4}(晃|摇|荡|悠)
        (裂缝|裂逢|缝){G}{0,6}(越来越大|越来越宽|变大|变宽|在裂) 墙{G}{0,3}(裂开|开裂){G}{0,4}(响|掉)
        (裂|塌){G}{0,10}(还在|一直|不停)(往下)?(掉|响)
        裂开{G}{0,2}(好几|几|十几)(厘米|公分)
    """,
    "self_harm": r"""
        跳楼 自杀 轻生 不想活 活不下去 割腕 寻死 要跳下去 想跳楼 喝农药 吃安眠药(?!{G}{0,2}(睡|才能睡|助眠)) (吃|吞|喝)(了|下)(一瓶|一整瓶|一把|好多|很多|半瓶|一堆|整瓶)(的)?(安眠药|药片|药) 想死 不活了 寻短见
    """,
    "drowning": r"""
        溺水 掉(进|到|入)?{G}{0,4}(水里|河|湖|池|塘|井里|下水道|窨井) 落水(?!管) 淹(死|着)了? 跳河 跳湖 投河
    """,
    "help": r"""
        救命 快来人(?!修|看|处理|维修|弄) 救救 来人啊 出人命 快报警 帮忙报警
    """,
}
HAZARDS: tuple[str, ...] = tuple(_CUES)


def _compile(alternatives: str) -> re.Pattern[str]:
    body = "|".join(alternatives.split())
    body = body.replace("{P}", _PERSON).replace("{R}", _ROOM).replace("{G}", _G).replace("{H}", _H)
    body = body.replace("{BUSY}", _BUSY)
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
    r"(没有|没得|冇|没|不是|并不是|不像是?|并非|并没有?|无|别|不|不会|没再|不再|(?<!消)防|怕|以免|避免|预防|防止)"
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
        如果 万一 假如 要是 要系 假设 (没人|不在家|出门|出差|外出|上班)的时候 怎么预防 如何预防 防止 预防 以防 注意事项 (?<!不)容易 小心 差点 险些
        会不会(?!有事|出事|有危险) 怎么办理 应该注意 提前了解 (遇到|碰到|遇上|碰上){G}{0,12}(怎么|应该|该|如何) 用什么灭 怎么灭 想了解 这种情况 应该先 该先 到时候 真要是 都跑不出去 跑都跑不
        有没有{G}{0,16}(服务|设备|装置|手环|产品) (可以|能|怎么|如何)申请 要提前 防走失 平时{G}{0,2}(要注意|该注意|注意|怎么预防)
        (火|火灾|消防车){G}{0,6}车?{G}{0,3}(进不来|进不去|开不进|过不去) 就(晚了|麻烦了|完了|来不及了)
    """,
    "past": r"""
        上次 上回 去年 前年 那次 曾经 以前 前几年 上个月 上礼拜 上周 之前 前段时间 那天 前几天 前阵子 前些天
    """,
    "over": r"""
        已经(救出|出来|灭|扑灭|没事|送医|好了|处理好|找到|回来) 虚惊 没事了 没(有)?(伤到|砸到|砸着)人
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
        电视 电影 新闻 视频 抖音 快手 游戏 王者 小说 电视剧 隔壁市 老家{G}{0,3}(发|下|遭|闹|地震|洪水|大水|着火|起火) 梦见 做梦 直播 表演 节目 综艺 叫家长 哈哈 嘻嘻 (?<!不是)(?<!没在)(?<!没有在)开玩笑 火锅 太辣
"""
_GUARD_RES = {name: re.compile("|".join(alts.split()).replace("{G}", _G)) for name, alts in _GUARDS.items()}
# Saying it is happening now overrides the message-wide guards (「之前就有煤气味 现在更大了」).
_NOW = re.compile(r"正在|刚刚|刚才|马上|赶紧|快来|还在|又|救命|快点|快报警|快叫")
_DENIED_GUARD = re.compile(r"(不是|并不是|并非|没在|不是在|哪是)$")  # 「不是演习 真的着火了」
_OVERRIDABLE = {"past", "hypothetical", "legal"}
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


def _something_else(kind: str, text: str, match: re.Match[str]) -> bool:
    """Whether the cue's words tell of something else than the danger (exertion, an object, a pet)."""
    start, cue = match.start(), match.group(0)
    if kind == "medical" and text[max(0, start - 2) : start] in _EXERTION:
        return True  # 「跑步跑得喘不上气」
    me = _ME_STILL.search(text[max(0, start - 8) : start]) if cue == "一动不动" else None
    if me is not None and not _PERSON_RE.search(me.group(0)):
        return True  # 「我在屋里一动不动都出汗」: the speaker keeps still
    if kind == "drowning" and _OBJECT_DROPPED.search(text[max(0, start - 6) : start]):
        return True  # 「手机掉水里了」
    if cue == "炸了" and text[start - 1 : start] != "烧" and _BURST.search(text[max(0, start - 6) : start]):
        return True  # 「灯泡炸了」
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


def negated(text: str, start: int, end: int) -> bool:
    """Whether the words at ``start:end`` of normalised ``text`` are negated (「没有烟」「不是着火」)."""
    return _negated(text, start, end)
