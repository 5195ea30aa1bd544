"""``hgj person export|erase``: the office handles a resident's request from the shell."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.cli_common import set_now
from tests.conftest import DEMO

WIDE = {"COLUMNS": "300"}


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "c.toml"
    path.write_text(f'[database]\nurl = "sqlite:///{tmp_path / "x.db"}"\n', encoding="utf-8")
    cli = CliRunner()
    set_now("2026-11-23T09:30+08:00")
    assert cli.invoke(app, ["db", "upgrade", "-c", str(path)], env=WIDE).exit_code == 0
    assert cli.invoke(app, ["import", str(DEMO), "-c", str(path)], env=WIDE).exit_code == 0
    yield str(path)
    set_now(None)


def test_export_then_erase(config: str, tmp_path: Path) -> None:
    cli = CliRunner()
    target = tmp_path / "wang.json"
    exported = cli.invoke(
        app, ["person", "export", "demo-resident-wang", "--out", str(target), "-c", config], env=WIDE
    )
    assert exported.exit_code == 0, exported.output
    data = json.loads(target.read_text(encoding="utf-8"))
    assert data["profile"]["name"] == "王秀兰" and data["profile"]["home"] == "3栋2单元502"

    refused = cli.invoke(app, ["person", "erase", "demo-resident-wang", "-c", config], env=WIDE)
    assert refused.exit_code == 2 and "--yes" in refused.output
    erased = cli.invoke(app, ["person", "erase", "demo-resident-wang", "--yes", "-c", config], env=WIDE)
    assert erased.exit_code == 0 and "已注销居民" in erased.output, erased.output
    again = cli.invoke(app, ["person", "erase", "demo-resident-wang", "--yes", "-c", config], env=WIDE)
    assert again.exit_code == 2 and "找不到" in again.output


def test_a_building_head_leaves_a_note_for_the_office(config: str) -> None:
    result = CliRunner().invoke(app, ["person", "erase", "demo-head-chen", "--yes", "-c", config], env=WIDE)
    assert result.exit_code == 0 and "需要另行指定楼长" in result.output, result.output
    staff = CliRunner().invoke(app, ["person", "erase", "demo-staff-wang", "--yes", "-c", config], env=WIDE)
    assert staff.exit_code == 2 and "社区工作人员" in staff.output
