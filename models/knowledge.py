"""Editing the knowledge base (TOML files) from the console or the API, never leaving it broken.

Edits go into the configured ``[knowledge] path`` directory; the packaged knowledge base is
read-only. A directory that does not exist yet (or holds no .toml) is first seeded with a copy
of the packaged files. Every change is written to a scratch copy and loaded with
``KnowledgeBase.load`` first; only a knowledge base that loads replaces the file in place.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from nlp.faq import DEFAULT_PATH, Entry, KnowledgeBase, KnowledgeBaseError

NEW_FILE = "console.toml"
FILE_NAME = re.compile(r"^[A-Za-z0-9_-]{1,60}\.toml$")
ENTRY_ID = re.compile(r"^[A-Za-z0-9_.-]{1,60}$")
_lock = threading.Lock()


class KnowledgeEditError(ValueError):
    """The edit is refused; the message says why, in Chinese, for the office."""


@dataclass(frozen=True)
class EntryInput:
    id: str
    title: str
    answer: str
    source: str
    questions: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()


def editable_dir(path: str) -> Path:
    """The directory edits go to, seeded with the packaged files on first use."""
    if not path:
        raise KnowledgeEditError(
            "当前使用内置知识库，不能在线修改：请在配置 [knowledge] path 设一个可写目录后重启。"
        )
    root = Path(path)
    if root.is_file():
        raise KnowledgeEditError(f"[knowledge] path 指向单个文件 {root.name}：在线修改需要它是一个目录。")
    if not root.exists() or not any(root.glob("*.toml")):
        root.mkdir(parents=True, exist_ok=True)
        for file in sorted(DEFAULT_PATH.glob("*.toml")):
            shutil.copy2(file, root / file.name)
    return root


def _string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def render(entries: list[Entry]) -> str:
    """A knowledge-base file holding ``entries`` in the packaged format."""
    blocks = []
    for e in entries:
        lines = ["[[entry]]", f"id = {_string(e.id)}", f"title = {_string(e.title)}"]
        lines.append(f"questions = [{', '.join(_string(q) for q in e.questions)}]")
        if e.keywords:
            lines.append(f"keywords = [{', '.join(_string(k) for k in e.keywords)}]")
        lines += [f"answer = {_string(e.answer)}", f"source = {_string(e.source)}"]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def _check_input(entry: EntryInput) -> None:
    if not ENTRY_ID.match(entry.id):
        raise KnowledgeEditError("编号只能用字母、数字、点、横线和下划线，最长 60 个字符。")
    for label, value in (("标题", entry.title), ("回答", entry.answer), ("依据", entry.source)):
        if not value.strip():
            raise KnowledgeEditError(f"{label}不能为空。")


def _replace_checked(root: Path, name: str, text: str) -> KnowledgeBase:
    """Write ``text`` as ``root/name`` only if the whole directory still loads with it."""
    with tempfile.TemporaryDirectory() as scratch:
        for file in root.glob("*.toml"):
            shutil.copy2(file, Path(scratch) / file.name)
        (Path(scratch) / name).write_text(text, encoding="utf-8")
        try:
            kb = KnowledgeBase.load(scratch)
        except KnowledgeBaseError as exc:
            raise KnowledgeEditError(f"保存后知识库将无法加载，已放弃修改：{exc}") from exc
    fd, temp = tempfile.mkstemp(dir=root, prefix=".edit-", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(temp, root / name)
    return kb


def save_entry(path: str, *, entry: EntryInput, create: bool) -> Entry:
    """Add an entry (``create``) or replace the one with the same id; returns it as loaded."""
    _check_input(entry)
    with _lock:
        root = editable_dir(path)
        current = KnowledgeBase.load(root)
        existing = current.get(entry.id)
        if create and existing is not None:
            raise KnowledgeEditError(f"编号 {entry.id} 已存在，请换一个。")
        if not create and existing is None:
            raise LookupError(f"knowledge entry {entry.id} not found")
        name = existing.file if existing else NEW_FILE
        fresh = Entry(
            id=entry.id,
            title=entry.title.strip(),
            questions=tuple(q.strip() for q in entry.questions if q.strip()),
            answer=entry.answer.strip(),
            source=entry.source.strip(),
            keywords=tuple(k.strip() for k in entry.keywords if k.strip()),
            file=name,
        )
        siblings = [e for e in current.entries if e.file == name]
        entries = [fresh if e.id == entry.id else e for e in siblings] if existing else [*siblings, fresh]
        kb = _replace_checked(root, name, render(entries))
    saved = kb.get(entry.id)
    assert saved is not None
    return saved


def upload_file(path: str, *, name: str, text: str) -> int:
    """Add or replace a whole knowledge-base file; returns how many entries the base now has."""
    if not FILE_NAME.match(name):
        raise KnowledgeEditError("文件名只能用字母、数字、横线和下划线，并以 .toml 结尾。")
    with _lock:
        kb = _replace_checked(editable_dir(path), name, text)
    return len(kb.entries)


def find_entries(entries: list[Entry], text: str) -> list[Entry]:
    """Entries holding every word of ``text`` in their id, title, other questions, keywords,
    answer or cited source (case-insensitive); all of them when ``text`` is blank."""
    words = text.lower().split()
    if not words:
        return list(entries)

    def haystack(entry: Entry) -> str:
        return " ".join(
            (entry.id, entry.title, *entry.questions, *entry.keywords, entry.answer, entry.source)
        ).lower()

    return [entry for entry in entries if all(word in haystack(entry) for word in words)]
