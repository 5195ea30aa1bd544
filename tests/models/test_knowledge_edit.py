"""Editing the knowledge base: seeded from the packaged files, validated before saving, never broken."""

from __future__ import annotations

from pathlib import Path

import pytest

from models.knowledge import EntryInput, KnowledgeEditError, save_entry, upload_file
from nlp.faq import KnowledgeBase

NEW = EntryInput(
    id="hgj-parking-card",
    title="停车卡怎么办理",
    answer="带上身份证和行驶证到物业服务中心办理。",
    source="小区停车管理规定",
    questions=("办停车卡去哪", "月租车位怎么申请"),
)


def test_the_packaged_base_is_read_only() -> None:
    with pytest.raises(KnowledgeEditError, match="内置知识库"):
        save_entry("", entry=NEW, create=True)


def test_first_edit_seeds_the_directory_then_adds(tmp_path: Path) -> None:
    root = tmp_path / "kb"
    saved = save_entry(str(root), entry=NEW, create=True)
    assert saved.file == "console.toml" and saved.questions == NEW.questions
    kb = KnowledgeBase.load(root)
    assert kb.get("mfd-942") is not None  # the packaged entries were copied
    assert kb.answer("停车卡怎么办理").entry_id == "hgj-parking-card"
    with pytest.raises(KnowledgeEditError, match="已存在"):
        save_entry(str(root), entry=NEW, create=True)


def test_editing_keeps_the_file_and_other_entries(tmp_path: Path) -> None:
    root = tmp_path / "kb"
    before = KnowledgeBase.load()
    edited = EntryInput(id="mfd-942", title="物业的职责", answer="新的回答", source="民法典第九百四十二条")
    save_entry(str(root), entry=edited, create=False)
    kb = KnowledgeBase.load(root)
    assert kb.get("mfd-942").answer == "新的回答"  # type: ignore[union-attr]
    assert len(kb.entries) == len(before.entries)
    with pytest.raises(LookupError):
        save_entry(str(root), entry=EntryInput(id="nope", title="t", answer="a", source="s"), create=False)


def test_a_broken_upload_changes_nothing(tmp_path: Path) -> None:
    root = tmp_path / "kb"
    save_entry(str(root), entry=NEW, create=True)
    files = {f.name: f.read_text(encoding="utf-8") for f in root.glob("*.toml")}
    duplicate = '[[entry]]\nid = "mfd-942"\ntitle = "x"\nanswer = "y"\nsource = "z"\n'
    for bad in ("[[entry]\nid=", duplicate):
        with pytest.raises(KnowledgeEditError, match="已放弃修改"):
            upload_file(str(root), name="extra.toml", text=bad)
    assert {f.name: f.read_text(encoding="utf-8") for f in root.glob("*.toml")} == files
    ok = '[[entry]]\nid = "x-1"\ntitle = "快递柜在哪"\nanswer = "东门。"\nsource = "物业告知"\n'
    assert upload_file(str(root), name="extra.toml", text=ok) == len(KnowledgeBase.load(root).entries)
