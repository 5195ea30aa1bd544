"""The text folding and concept table knowledge-base retrieval compares on."""

from __future__ import annotations

from nlp.faq_terms import Terms, fold, terms, tokens


def test_typos_and_spoken_forms_are_folded() -> None:
    assert fold("无业费咋交") == "物业费怎么交"
    assert fold("维休基金") == "维修资金"
    assert fold("电瓶车") == "电动车"
    assert fold("ＡＢＣ１２３") == "abc123"


def test_lost_is_not_thrown() -> None:
    assert "丢" in fold("井盖丢了")


def test_different_words_for_one_thing_share_a_concept() -> None:
    table = terms()
    garage, space = table.concepts(fold("地下车库")), table.concepts(fold("车位"))
    assert garage == space == [("c", "车位")]
    assert table.concepts(fold("谁赔")) == table.concepts(fold("谁负责")) == [("f", "责任")]


def test_longest_phrase_wins() -> None:
    table = Terms({}, {"a": ["消防通道"], "b": ["通道"]})
    assert table.concepts("消防通道") == [("c", "a")]
    assert table.concepts("通道通道") == [("c", "b"), ("c", "b")]


def test_tokens_hold_grams_words_and_concepts() -> None:
    bag = tokens("楼上漏水谁赔")
    assert (2, "漏水") in bag and ("w", "漏水") in bag
    assert ("c", "漏水") in bag and ("f", "责任") in bag
    assert (1, "谁") not in bag  # function characters alone carry nothing


def test_glue_characters_weigh_little() -> None:
    bag = tokens("开发商把车位卖了")
    assert bag[(2, "把车")] < bag[(2, "车位")] / 2


def test_the_packaged_table_loads_and_is_clean() -> None:
    table = Terms.load()
    assert all(len(phrase) >= 1 for phrase in table.phrases)
    assert all(wrong != right for wrong, right in table.typos.items())
