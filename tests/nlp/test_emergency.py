"""Emergencies must never be routed anywhere else; drills, fees and past events are not emergencies."""

from __future__ import annotations

import pytest

from nlp import understand
from nlp.emergency import detect, guard
from nlp.evidence import settled
from nlp.normalise import normalise

EMERGENCIES = [
    "着火了快来人",
    "3栋502厨房起火了",
    "楼道里全是烟 看不清路",
    "闻到好浓的煤气味",
    "燃气泄漏了 整层楼都是味道",
    "我奶奶晕倒了叫不醒",
    "我爸心脏病犯了 喘不上气",
    "有人大出血",
    "电梯困人了 里面有个孕妇",
    "我被困在电梯里了",
    "楼下有人持刀伤人",
    "有人在打人 快来",
    "老人摔倒了起不来",
    "我家老人走失了",
    "我妈出去买菜到现在没回来 她有老年痴呆",
    "对门独居老人好几天没见了 敲门没人应",
    "有人触电了",
    "小孩掉进池塘里了",
    "邻居站在楼顶说不想活了",
    "楼塌了",
    "救命",
    "家里的电热毯着了",
    "zhao火了 不对 是着火了",
    "３栋电梯困人！！",
    "路边有个老人倒下了",
    "喊他半天叫也不答应",
    "我爸突然说不出话了",
    "有人拿着菜刀在楼道里转",
    "门口有人在撬锁",
    "有人撬我家门",
    "外面有人一直砸门",
]

NOT_EMERGENCIES = [
    ("上次着火演习什么时候", {"notice", "consult"}),
    ("电梯困人应急演练通知", {"notice"}),
    ("燃气费怎么交", {"consult"}),
    ("如果着火了应该怎么逃生", {"consult"}),
    ("被楼上的噪音困扰好多年了", None),
    ("我要打人工客服", {"handoff"}),
    ("孩子的自行车不见了", None),
    ("楼道堆杂物有火灾隐患", {"dispute"}),
    ("报修好几天没动静", {"progress"}),
    ("电动车轮胎漏气了", None),
    ("楼上吵得我气得说不出话", None),
    # Where the writer is, with nobody in danger (the classifier used to raise the alarm).
    ("我在小区门口", None),
    ("我刚出门", None),
    ("我在外地", None),
    ("我在电梯口", None),
    ("楼下有人吵架", {"dispute"}),
    ("楼下有人一直按喇叭", {"dispute"}),
    ("撬棍放哪了", None),
    # Only an address, answering 「在哪里」: nothing has been said to happen.
    ("十二号楼 三单元 六零一", {"unknown"}),
    ("跑步跑得喘不上气 年纪大了", None),
    # Two or three characters with no word of danger say too little for the classifier alone.
    ("老人", None),
    ("楼里", None),
    ("车钥匙找遍了没找到", None),
]


@pytest.mark.parametrize("text", EMERGENCIES)
def test_emergencies_are_always_emergency(text: str) -> None:
    result = understand(text)
    assert result.intent == "emergency"
    assert result.confidence >= 0.9
    assert result.candidates[0][0] == "emergency"
    assert not result.ambiguous


@pytest.mark.parametrize(("text", "allowed"), NOT_EMERGENCIES)
def test_lookalikes_are_not_emergency(text: str, allowed: set[str] | None) -> None:
    result = understand(text)
    assert result.intent != "emergency"
    if allowed is not None:
        assert result.intent in allowed


def test_detect_reports_kind_and_cue() -> None:
    alarm = detect(normalise("厨房漏气了 味道好大"))
    assert alarm is not None
    assert alarm.kind == "gas"
    assert alarm.cue in "厨房漏气了 味道好大"


def test_guards_name_their_reason() -> None:
    assert guard("消防演练几点开始") == "drill"
    assert guard("万一被困电梯怎么办") == "hypothetical"
    assert guard("去年那次着火的事处理了吗") == "past"
    assert guard("去年就有煤气味 刚刚又闻到了") is None  # present marker wins over past
    assert guard("火已经灭了 没事了") == "over"


def test_the_fall_rule_wants_a_person() -> None:
    assert detect(normalise("路边有个老人倒下了")) is not None
    assert detect(normalise("风太大 小区门口的树倒下了")) is None  # the classifier may still judge it


@pytest.mark.parametrize(
    "text",
    [
        "暖气管爆了的话先关哪个阀门",  # a condition with a planning question
        "上礼拜报的电梯关人那个事 后来有说法了吗",  # an earlier report asked after
        "楼下烧烤烟大得跟着火似的",  # a likeness
        "怕我妈晚上起夜摔倒 楼道灯能不能换个亮的",  # a worry
        "不是我家冒烟 是对面在烧纸",  # the negation names whose
        "电梯里有人抽烟 呛死了",  # someone in the lift, doing something
        "车库门的锁被撬了 关不上",  # found broken
        "空调外机掉下来砸坏了我的电动车 找谁赔",  # who pays for damage already done
        "门口地砖翘起来了 我爸差点被绊倒 赶紧修一下",  # a near miss
        "楼上漏水到我家 去敲门也不开",  # a neighbour who will not answer about a nuisance
        "楼道灯泡啪一声炸了 碎片扫了 换个新的",  # a bulb, not a blast
        "燃气热水器点着火几秒钟就灭了",  # an appliance lighting
        "电梯停了 没人在里面 就是上不去",  # nobody inside
        "楼下两口子又吵又摔东西 不过没听见打人",  # a negated perception
        "出差的时候家里水管爆了 物业能进门关阀吗",  # a planning condition
        "楼上跑水淹了我家地板 他有保险 我该怎么办",  # who pays
    ],
)
def test_a_danger_spoken_of_raises_no_alarm(text: str) -> None:
    assert detect(normalise(text)) is None
    assert understand(text).intent != "emergency"


@pytest.mark.parametrize(
    "text",
    [
        "我爸在电梯里出不来的话怎么办 现在就在里面",  # 现在 outweighs the condition
        "燃气味越来越大 我之前报的怎么还没人来",  # the earlier report goes on
        "我怕是煤气漏了 一股臭味",  # 怕是 is "probably", not a worry
        "孩子说了句想死的话 现在站在阳台上",  # 的话 after 说 is words said
        "楼上水管爆了 水往我家客厅灌",
        "有人在楼下威胁我 说要砍我",
        "我被关电梯里了",
        "阿拉隔壁屋顶上的瓦片要落下来了 下头有小囡",  # 落下来, the Wu word for falling
        "我爸出去散步五个钟头了还没回来",  # hours and not back
        "洗衣机的水管脱了 水往外冒 止不住",
        "我在电梯里 门开了又关 上不去下不来",
        "电梯一下子往下坠 又急停了 灯都灭了 我们在里面",  # 急停/灯灭 is no all-clear
        "外墙瓷砖差点砸到人 上面的还在往下掉",  # a near miss that goes on
        "独居的老太太好几天没见了 敲门也不开",
        "孩子丢了",
        "液化气罐的阀门拧不紧 呲呲地响",  # hissing gas
        "楼梯间的墙裂了个口子 一直往下掉砖",  # cracked and still falling
        "我家闺女出去玩 小区找遍了没找到",  # searched for a person
        "上班的时候接到电话 我妈被困在电梯里 现在还在里面",  # a condition, but now
        "卫生间水管爆了一直在喷 这个钱谁出啊 先派个师傅来关阀门",  # who pays waits: come now
        "空调外机就剩一颗螺丝吊着 下面是人行道",  # hanging by its last screw
        "十七楼那扇窗的玻璃整块松了",
        "地库水浸咗 啲车都浸住",  # Cantonese: the garage is flooding
        "有个人拎着一桶汽油在大堂 说要同归于尽",
    ],
)
def test_a_danger_happening_now_still_alarms(text: str) -> None:
    assert detect(normalise(text)) is not None


@pytest.mark.parametrize(
    "text",
    [
        "刚才电梯卡了我一下 人已经出来了 没事 就是得修",
        "刷视频看到别的小区着火 我们小区的消防栓有水吗",
        "刷到一个视频 有人困在电梯里好几个小时 吓人",
        "切菜切到手了 流了点血 贴了个创可贴",
    ],
)
def test_the_classifier_alone_does_not_alarm_on_a_danger_that_is_over(text: str) -> None:
    assert understand(text).intent != "emergency"


def test_settled_names_why_and_yields_to_what_goes_on() -> None:
    assert settled(normalise("电梯卡了一下 人没事")) == "over"
    assert settled(normalise("新闻里说外地着火了")) == "media"
    assert settled(normalise("水管还在喷 人没事 快来")) is None


def test_a_gas_topic_with_its_leak_denied_is_no_word_of_danger() -> None:
    from nlp.evidence import hint

    assert hint("燃气管道改造那个 同意 现在没漏气 就是管子太老了", distress=False) is None
    assert hint("电梯维修那个 同意 没困人", distress=False) is None
    assert hint("燃气管道那里 一股味 快来", distress=False) is not None


@pytest.mark.parametrize(
    "text",
    [
        "饿得我胃里都要着火了",  # a figure of speech
        "晒得人都要冒烟了",
        "不是车库被淹 只是门口的地漏堵了",  # denied, then what it is instead
        "碰到有人被困电梯应该先做什么",  # what one should do if
        "要是闻到燃气味 能不能开排风扇",
        "没有着火 我就是想问问灭火器放哪",  # the danger denied, then a question
        "上午报的冒烟是误会 是楼下熏腊肉",
        "昨晚看直播 有人表演吞火",
        "我妈吃安眠药也睡不着 想问问社区医生几点上班",
        "楼上装修这几天一点动静都没有了 挺好",
        "天热得要命 我坐在屋里一动不动都出汗",  # the speaker keeps still
    ],
)
def test_spoken_of_not_happening(text: str) -> None:
    assert understand(text).intent != "emergency"


@pytest.mark.parametrize(
    "text",
    [
        "不是演练 是真的着火了",  # the drill denied
        "我哋屋企入晒水 快啲嚟",  # Cantonese: the flat is flooding
        "嗯就是那个 水管那里哗哗的往外喷 止都止不住",
        "那个外卖小哥倒在草丛里 叫也不动",
        "我表哥吃了一瓶安眠药 现在叫不醒",
        "邻居孩儿在小区里跑丢了 急死了",
        "配电室门口一股焦味 里面冒着烟",
        "隔壁独居的老人 这几天一点声音都没有",
        "我进门一看 我妈躺在沙发边上一动不动",
    ],
)
def test_dangers_in_other_words(text: str) -> None:
    assert understand(text).intent == "emergency"


def test_nobody_inside_is_no_alarm() -> None:
    assert understand("电梯里面没人 我刚看过了").intent != "emergency"
