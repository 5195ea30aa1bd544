"""Consultation retrieval for questions asked as situations, not article titles.

`data/faq_dev.tsv` holds situation questions written apart from the knowledge-base entries
(``entry_id<TAB>question``); the thresholds leave a margin below what was measured when they
were set (top-1 0.937, confident and right 0.80, confident and wrong 0.05 on 143 questions).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from nlp.faq import SUGGEST_SCORE, KnowledgeBase
from nlp.numerals import DIGITS, parse_positional

DEV = Path(__file__).with_name("data") / "faq_dev.tsv"
MIN_TOP1 = 0.88
# A confident wrong answer cites the wrong rule; an unsure one offers two titles and a person.
# Coverage 0.18 (was 0.08) trades confident-right 0.79 -> ~0.72 for confident-wrong 0.049 -> ~0.03.
MIN_CONFIDENT_RIGHT = 0.68
MAX_CONFIDENT_WRONG = 0.04


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase.load()


def dev_set() -> list[tuple[str, str]]:
    rows = []
    for line in DEV.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            entry_id, question = line.split("\t")
            rows.append((entry_id, question))
    return rows


def test_dev_set_is_sound(kb: KnowledgeBase) -> None:
    rows = dev_set()
    assert len(rows) >= 100
    ids = {e.id for e in kb.entries}
    assert {entry_id for entry_id, _ in rows} <= ids
    known = {q for e in kb.entries for q in (e.title, *e.questions, *e.keywords)}
    assert not known & {q for _, q in rows}, "dev questions must not be copied into the entries"


def test_dev_set_accuracy(kb: KnowledgeBase) -> None:
    rows = dev_set()
    top1 = right = wrong = 0
    for entry_id, question in rows:
        best = kb.answer(question)
        top1 += best.entry_id == entry_id
        right += best.confident and best.entry_id == entry_id
        wrong += best.confident and best.entry_id != entry_id
    n = len(rows)
    assert top1 / n >= MIN_TOP1
    assert right / n >= MIN_CONFIDENT_RIGHT
    assert wrong / n <= MAX_CONFIDENT_WRONG


# Reported by residents: each must be answered, confidently, from the right entry.
REPORTED = [
    ("楼上漏水淹了我家谁赔", "mfd-1165-leak"),
    ("开发商把车位都卖给外面的人了", "mfd-276"),
    ("外墙渗水物业说要等维修资金投票", "wxzj-emergency"),
    ("邻居不让工人进他家修外墙", "mfd-292"),
    ("楼上掉下来的瓷砖砸了我的车", "mfd-1253"),
    ("小区井盖丢了孩子差点掉下去 谁负责", "mfd-1258"),
    ("物业不作为怎么办", "wy-inaction"),
    ("物业能随便涨价吗", "wyl-fee-raise"),
    ("物业公司能随便涨物业费吗", "wyl-fee-raise"),
    ("怎么交物业费", "wy-fee-pay"),
    ("物业费怎么交", "wy-fee-pay"),
    ("无业费怎么交", "wy-fee-pay"),
    ("小区停车位收入归谁", "mfd-282"),
    ("物业电话多少", "wy-hotline"),
    ("开发商签的旧合同我们要认吗", "mfd-939"),
    ("业主大会怎么开", "wyl-assembly"),
    ("我们小区怎么成立业主大会", "mfd-277"),
    ("业主大会投票要多少人同意", "mfd-278-vote"),
    ("屋顶漏水物业说要等维修资金表决", "wxzj-emergency"),
    ("维休基金紧急情况能先用吗", "wxzj-emergency"),
]


@pytest.mark.parametrize(("question", "entry_id"), REPORTED)
def test_reported_question_gets_the_right_entry(kb: KnowledgeBase, question: str, entry_id: str) -> None:
    best = kb.answer(question)
    assert (best.entry_id, best.confident) == (entry_id, True)


def test_word_order_does_not_matter(kb: KnowledgeBase) -> None:
    assert kb.answer("怎么交物业费").entry_id == kb.answer("物业费怎么交").entry_id == "wy-fee-pay"


UNRELATED = [
    "今天天气怎么样",
    "明天会下雨吗",
    "天气预报说下周降温",
    "股票什么时候涨",
    "这只股票能涨吗",
    "茅台股价多少",
    "大盘今天跌了吗",
    "基金要不要卖",
    "比特币能买吗",
]


@pytest.mark.parametrize("question", UNRELATED)
def test_unrelated_question_gets_no_answer(kb: KnowledgeBase, question: str) -> None:
    assert not kb.answer(question).confident


def test_a_close_call_offers_the_runner_up(kb: KnowledgeBase) -> None:
    best = kb.answer("开发商把车位留着自己不卖")  # ownership (275) or owners first (276)?
    assert not best.confident
    assert best.runner_up is not None and best.runner_up.score >= SUGGEST_SCORE
    assert {best.entry_id, best.runner_up.entry_id} == {"mfd-275", "mfd-276"}
    assert not best.runner_up.confident


def test_runner_up_is_left_out_when_weak(kb: KnowledgeBase) -> None:
    best = kb.answer("今天天气怎么样")
    assert best.runner_up is None or best.runner_up.score >= SUGGEST_SCORE


def test_the_hotline_is_a_placeholder_for_the_handler(kb: KnowledgeBase) -> None:
    entry = kb.get("wy-hotline")
    assert entry is not None and "{hotline}" in entry.answer


ARTICLE = re.compile(r"第([一二三四五六七八九十百千零]+)条")


def cited(kb: KnowledgeBase, law: str) -> set[int]:
    """Article numbers of ``law`` cited in any entry's source."""
    numbers: set[int] = set()
    for entry in kb.entries:
        for part in entry.source.split("；"):
            if part.startswith(law):
                for numeral in ARTICLE.findall(part):
                    number = DIGITS[numeral] if numeral in DIGITS else parse_positional(numeral)
                    assert number is not None, f"{entry.id}: cannot read 第{numeral}条"
                    numbers.add(number)
    return numbers


def test_the_civil_code_chapters_are_covered_article_by_article(kb: KnowledgeBase) -> None:
    articles = cited(kb, "《中华人民共和国民法典》")
    # 业主的建筑物区分所有权 and 相邻关系; 物业服务合同; 建筑物和物件损害责任
    for first, last in [(271, 296), (937, 950), (1252, 1258)]:
        missing = set(range(first, last + 1)) - articles
        assert not missing, f"articles not cited: {sorted(missing)}"


def test_property_regulation_articles_residents_meet_are_covered(kb: KnowledgeBase) -> None:
    articles = cited(kb, "《物业管理条例》")
    # rights and duties, the owners' assembly and committee, handover, fees, use, decoration, fund
    assert {6, 7, 10, 12, 13, 14, 15, 16, 27, 29, 31, 37, 40, 41, 44, 48, 50, 51, 52, 53, 55} <= articles
