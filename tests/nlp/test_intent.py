"""understand(): contract, held-out quality, off-topic -> unknown, ambiguity flag."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest

from nlp import INTENTS, Understanding, understand
from nlp.intent import MARGIN_THRESHOLD, RULE_INTENTS, SCORE_THRESHOLD, read_examples, read_training

ROOT = Path(__file__).resolve().parents[2]
HELDOUT = ROOT / "nlp" / "data" / "heldout.tsv"
TRAIN = ROOT / "nlp" / "data" / "train.tsv"


@pytest.fixture(scope="module")
def heldout_metrics() -> dict[str, object]:
    proc = subprocess.run(
        [sys.executable, "-m", "nlp.evaluate", str(HELDOUT)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(proc.stdout)


def test_heldout_accuracy(heldout_metrics: dict[str, object]) -> None:
    # This older set predates the label guide (docs/labels.md); the new held-out set is the measure.
    assert heldout_metrics["accuracy"] >= 0.94


def test_heldout_macro_f1(heldout_metrics: dict[str, object]) -> None:
    assert heldout_metrics["macro_f1"] >= 0.93


def test_heldout_emergency_recall_is_perfect(heldout_metrics: dict[str, object]) -> None:
    assert heldout_metrics["emergency_recall"] == 1.0


def test_heldout_covers_all_intents_and_never_copies_training() -> None:
    heldout = read_examples(HELDOUT)
    train_texts = {text for _, text in read_examples(TRAIN)}
    assert len(heldout) >= 300
    assert {label for label, _ in heldout} == set(INTENTS) - set(RULE_INTENTS)  # wish came later
    assert not [text for _, text in heldout if text in train_texts]


def test_training_set_is_large_and_balanced() -> None:
    # train.tsv plus nlp/data/train/*.tsv: relabelling phone-number questions from handoff to
    # consult (label guide) leaves train.tsv alone with fewer than 80 handoff lines.
    train = read_training()
    assert len(train) >= 1200
    for label in INTENTS:
        if label in RULE_INTENTS:  # recognised by its words (nlp.wishes): never learnt
            assert not any(y == label for y, _ in train), label
            continue
        assert sum(1 for y, _ in train if y == label) >= 80, label


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("3栋2单元502厨房下水道堵了", "repair"),
        ("楼上天天半夜拖椅子吵得睡不着", "dispute"),
        ("我想报名这周六的志愿活动", "volunteer"),
        ("我的积分还有多少", "points"),
        ("装修押金什么时候退", "consult"),
        ("我的报修怎么样了 师傅什么时候来", "progress"),
        ("明天停水吗", "notice"),
        ("转人工", "handoff"),
        ("你好", "greeting"),
        ("加装电梯的表决结果出来了吗", "vote"),
    ],
)
def test_everyday_messages(text: str, intent: str) -> None:
    assert understand(text).intent == intent


@pytest.mark.parametrize(
    "text",
    [
        "今天天气怎么样",
        "推荐一只股票",
        "梅西今晚进球了吗",
        "给我讲个笑话",
        "asdkjhqwe",
        "ｑｗｅｒｔｙ",
        "",
        "。。。",
    ],
)
def test_off_topic_is_unknown(text: str) -> None:
    result = understand(text)
    assert result.intent == "unknown"
    assert not result.ambiguous


def test_contract_shape() -> None:
    result = understand("电梯坏了")
    assert isinstance(result, Understanding)
    assert result.intent in INTENTS
    assert 0.0 <= result.confidence <= 1.0
    assert isinstance(result.slots, dict)
    scores = [score for _, score in result.candidates]
    assert scores == sorted(scores, reverse=True)
    assert all(label in INTENTS for label, _ in result.candidates)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.intent = "unknown"  # type: ignore[misc]
    assert set(result.as_dict()) == {
        "intent",
        "confidence",
        "slots",
        "candidates",
        "ambiguous",
        "hazard",
        "hint",
        "also",
        "opens",
    }


def test_ambiguous_means_close_call_above_threshold() -> None:
    # A bare noun that fits two intents: the bot should ask rather than guess.
    flagged = [t for t in ("业委会", "垃圾桶", "志愿积分活动报名", "停车") if understand(t).ambiguous]
    assert flagged
    for text in flagged:
        result = understand(text)
        (_, p1), (_, p2) = result.candidates[:2]
        assert p1 >= SCORE_THRESHOLD
        assert p1 - p2 < MARGIN_THRESHOLD
        assert result.intent == result.candidates[0][0]


def test_clear_messages_are_not_ambiguous() -> None:
    for text in ("我家卫生间漏水了麻烦派人来看看", "我要投票 同意加装电梯", "查一下我的积分"):
        assert not understand(text).ambiguous


def test_deterministic() -> None:
    assert understand("电梯门关不上") == understand("电梯门关不上")
