"""Consultation answers: retrieval quality, confidence, and knowledge-base file validation."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlp import faq
from nlp.faq import DEFAULT_PATH, KnowledgeBase, KnowledgeBaseError


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase.load()


# Questions worded differently from every title/question in the knowledge base.
PARAPHRASES = [
    ("车位费一个月多少", "park-fee"),
    ("楼上扔东西砸了我的车谁负责", "mfd-1254"),
    ("谁从楼上丢了个花盆下来把车玻璃砸碎了", "mfd-1254"),
    ("物业把我家电停了说我没交物业费", "mfd-944-cutoff"),
    ("欠了物业费物业就给我断水", "mfd-944-cutoff"),
    ("装电梯要几成的人同意", "dt-consent"),
    ("一楼邻居反对装电梯", "dt-consent"),
    ("老楼装电梯有补助吗", "dt-subsidy"),
    ("过期的感冒药属于什么垃圾", "lj-hazardous"),
    ("鸡蛋壳扔哪个垃圾桶", "lj-kitchen"),
    ("废报纸是可回收的吗", "lj-recyclable"),
    ("晚上九点以后还能扔垃圾吗", "lj-time"),
    ("礼拜天能不能搞装修", "zx-hours"),
    ("装修保证金退不了", "zx-deposit"),
    ("楼里有人带狗坐电梯不牵狗绳", "dog-leash"),
    ("比特犬能养吗", "dog-banned"),
    ("电动汽车充电桩能在自己车位上装吗", "park-charging"),
    ("有人停我车位上了", "park-occupied"),
    ("电动自行车放家里充电行不行", "ebike"),
    ("小区门口广告牌的收入去哪了", "mfd-282"),
    ("业主表决怎样才算有效", "mfd-278-vote"),
    ("维修资金里还有多少钱怎么查", "wxzj-query"),
    ("生活困难想申请最低生活保障", "sq-dibao"),
    ("社区周六上班吗", "sq-hours"),
    ("我爸七十了能办老年优待证吗", "sq-laonianka"),
    ("楼上漏水把我家墙泡坏了找谁赔", "mfd-1165-leak"),
    ("孩子被邻居家的狗咬伤了", "mfd-1246"),
    ("房东和租客谁交物业费", "wyl-41"),
    ("物业代收电费还要加手续费", "wyl-44"),
    ("对门在楼道放了个大柜子", "xfa-28"),
]

OFF_TOPIC = [
    "今天星期几",
    "帮我叫个出租车",
    "鸡蛋多少钱一斤",
    "怎么治感冒",
    "世界杯谁赢了",
    "怎么做红烧肉",
    "你好",
    "",
]


def test_paraphrases_are_not_copied_from_the_kb(kb: KnowledgeBase) -> None:
    known = {q for e in kb.entries for q in (e.title, *e.questions, *e.keywords)}
    assert not known & {q for q, _ in PARAPHRASES}


@pytest.mark.parametrize(("question", "entry_id"), PARAPHRASES)
def test_paraphrase_finds_the_entry(kb: KnowledgeBase, question: str, entry_id: str) -> None:
    result = kb.answer(question)
    assert result.entry_id == entry_id
    assert result.confident
    assert result.text and result.source


@pytest.mark.parametrize("question", OFF_TOPIC)
def test_off_topic_is_not_confident(kb: KnowledgeBase, question: str) -> None:
    assert not kb.answer(question).confident


def test_objects_thrown_from_buildings_cites_article_1254(kb: KnowledgeBase) -> None:
    result = kb.answer("楼上扔东西砸了我的车谁负责")
    assert "第一千二百五十四条" in result.source
    assert "补偿" in result.text


def test_short_keyword_finds_longer_word(kb: KnowledgeBase) -> None:
    assert kb.answer("停车").entry_id in {"park-fee", "park-rent"}


def test_search_ranks_best_first(kb: KnowledgeBase) -> None:
    hits = kb.search("加装电梯", k=3)
    assert len(hits) == 3
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert {h.entry_id for h in hits} <= {"dt-procedure", "dt-consent", "dt-cost", "dt-subsidy"}
    assert [h.confident for h in hits[1:]] == [False, False]


def test_module_level_answer_uses_packaged_kb() -> None:
    assert faq.answer("车位费一个月多少").entry_id == "park-fee"


def test_packaged_kb_is_complete(kb: KnowledgeBase) -> None:
    assert len(kb.entries) >= 110
    ids = [e.id for e in kb.entries]
    assert len(ids) == len(set(ids))
    for entry in kb.entries:
        assert len(entry.answer) <= 200, entry.id
        assert entry.questions, entry.id
    sources = " ".join(e.source for e in kb.entries)
    for article in [
        "第二百七十一条",
        "第二百七十八条",
        "第二百八十一条",
        "第九百四十四条",
        "第一千二百五十四条",
    ]:
        assert article in sources
    assert "《物业管理条例》" in sources


def test_vote_thresholds_are_stated(kb: KnowledgeBase) -> None:
    entry = kb.get("mfd-278-vote")
    assert entry is not None
    text = entry.answer
    assert "2/3" in text and "3/4" in text and "过半数" in text


ENTRY = """
[[entry]]
id = "{id}"
title = "测试标题"
questions = ["测试问题"]
answer = "测试回答"
source = "测试依据"
"""


def test_load_single_file_replaces_the_kb(tmp_path: Path) -> None:
    path = tmp_path / "only.toml"
    path.write_text(
        ENTRY.format(id="a")
        .replace("测试标题", "小区游泳池几点开放")
        .replace("测试回答", "每天九点到晚上八点"),
        encoding="utf-8",
    )
    kb = KnowledgeBase.load(path)
    result = kb.answer("游泳池开放时间")
    assert (result.entry_id, result.text, result.source) == ("a", "每天九点到晚上八点", "测试依据")


def test_missing_answer_names_file_and_entry(tmp_path: Path) -> None:
    (tmp_path / "bad.toml").write_text(
        ENTRY.format(id="broken").replace('answer = "测试回答"\n', ""), "utf-8"
    )
    with pytest.raises(KnowledgeBaseError, match=r"bad\.toml: entry 'broken': missing or empty 'answer'"):
        KnowledgeBase.load(tmp_path)


def test_missing_source_names_file_and_entry(tmp_path: Path) -> None:
    (tmp_path / "bad.toml").write_text(
        ENTRY.format(id="nosrc").replace('source = "测试依据"', 'source = ""'), "utf-8"
    )
    with pytest.raises(KnowledgeBaseError, match=r"bad\.toml: entry 'nosrc': missing or empty 'source'"):
        KnowledgeBase.load(tmp_path)


def test_missing_id_names_the_position(tmp_path: Path) -> None:
    (tmp_path / "bad.toml").write_text(ENTRY.format(id="x") + ENTRY.replace('id = "{id}"\n', ""), "utf-8")
    with pytest.raises(KnowledgeBaseError, match=r"bad\.toml: entry #2: missing or empty 'id'"):
        KnowledgeBase.load(tmp_path)


def test_duplicate_id_names_both_files(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text(ENTRY.format(id="same"), "utf-8")
    (tmp_path / "b.toml").write_text(ENTRY.format(id="same"), "utf-8")
    with pytest.raises(KnowledgeBaseError, match=r"b\.toml: entry 'same': duplicate id \(also in a\.toml\)"):
        KnowledgeBase.load(tmp_path)


def test_questions_must_be_strings(tmp_path: Path) -> None:
    (tmp_path / "bad.toml").write_text(ENTRY.format(id="q").replace('["测试问题"]', "[1, 2]"), "utf-8")
    with pytest.raises(KnowledgeBaseError, match=r"entry 'q': 'questions' must be a list"):
        KnowledgeBase.load(tmp_path)


def test_toml_syntax_error_names_file(tmp_path: Path) -> None:
    (tmp_path / "broken.toml").write_text('[[entry]]\nid = "x\n', "utf-8")
    with pytest.raises(KnowledgeBaseError, match=r"broken\.toml: cannot read"):
        KnowledgeBase.load(tmp_path)


def test_empty_or_missing_location(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeBaseError, match=r"no \.toml files"):
        KnowledgeBase.load(tmp_path)
    with pytest.raises(KnowledgeBaseError, match="no such"):
        KnowledgeBase.load(tmp_path / "nope")


def test_packaged_files_each_load_alone() -> None:
    for path in sorted(DEFAULT_PATH.glob("*.toml")):
        assert KnowledgeBase.load(path, use_jieba=False).entries
