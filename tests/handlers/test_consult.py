"""Consultation answers cite their source; unsure answers offer a person instead of guessing."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from handlers.safety import GUIDANCE
from nlp.faq import DEFAULT_PATH, default_kb
from tests.support.wechat import WeChatSim


def test_a_legal_question_is_answered_with_its_source(wechat: WeChatSim, demo: None) -> None:
    reply = wechat.send("demo-resident-wang", "高空抛物砸车法律上谁担责")
    assert "——依据：《中华人民共和国民法典》第一千二百五十四条" in reply


def test_a_spoken_question_is_answered_too(wechat: WeChatSim, demo: None) -> None:
    reply = wechat.voice("demo-resident-wang", "维修资金怎么申请使用")
    assert "依据" in reply and "第二百八十一条" in reply


def test_an_unclear_question_offers_a_person(wechat: WeChatSim, demo: None) -> None:
    reply = wechat.send("demo-resident-wang", "请问小区的量子计算机政策怎么规定的")
    assert "依据" not in reply
    assert "转人工" in reply or "没太明白" in reply


def test_an_admin_supplied_knowledge_file_replaces_the_packaged_one(
    wechat: WeChatSim, demo: None, tmp_path: Path
) -> None:
    kb_dir = tmp_path / "knowledge"
    shutil.copytree(DEFAULT_PATH, kb_dir)  # the community's copy of the packaged files ...
    kb = kb_dir / "90_clubhouse.toml"  # ... plus one file of its own
    kb.write_text(
        '[[entry]]\nid = "sauna"\ntitle = "桑拿房开放时间"\nquestions = ["桑拿房几点开门", "桑拿房开放时间"]\n'
        'answer = "桑拿房每天 8:00-22:00 开放。"\nsource = "阳光里社区会所管理规定第3条"\n',
        encoding="utf-8",
    )
    wechat.client.app.state.settings.knowledge.path = str(kb_dir)  # type: ignore[attr-defined]
    reply = wechat.send("demo-resident-wang", "请问桑拿房几点开门")
    assert "8:00-22:00" in reply and "会所管理规定第3条" in reply


def test_an_answer_fills_in_the_community_hotline(wechat: WeChatSim, demo: None) -> None:
    reply = wechat.send("demo-resident-wang", "怎么交物业费")
    assert "0351-6012345" in reply and "{hotline}" not in reply
    assert "——依据：《物业管理条例》第七条" in reply


def test_a_situation_is_answered_with_its_article(wechat: WeChatSim, demo: None) -> None:
    reply = wechat.send("demo-resident-wang", "小区停车位收入归谁")
    assert "——依据：《中华人民共和国民法典》第二百八十二条" in reply


def test_a_close_call_offers_the_best_two_entries(wechat: WeChatSim, demo: None) -> None:
    reply = wechat.send("demo-resident-wang", "开发商的车位只租不卖 业主能优先吗")
    assert "您是不是想问「车位车库归谁所有」还是「车位要先满足本小区业主」" in reply
    assert "依据" not in reply and "转人工" in reply


def test_a_message_the_classifier_cannot_place_is_answered_when_the_base_is_sure(
    wechat: WeChatSim, demo: None
) -> None:
    reply = wechat.send("demo-resident-wang", "外墙渗水物业说要等维修资金投票")
    assert "——依据：《中华人民共和国民法典》第二百八十一条第二款" in reply


def test_every_guidance_placeholder_in_the_knowledge_base_names_a_known_danger() -> None:
    named = {m for e in default_kb().entries for m in re.findall(r"\{guidance:(\w+)\}", e.answer)}
    assert named and named <= set(GUIDANCE)
