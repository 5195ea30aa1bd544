"""``hgj`` as an office worker meets it: Chinese help, a version, and messages that say what happened."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from bot.cli import app
from bot.cli_common import STATE, set_now
from tests.support.wechat import WeChatSim

COMMANDS = [
    ["serve"],
    ["worker"],
    ["chat"],
    ["import"],
    ["outbox"],
    ["qrcodes"],
    ["db", "upgrade"],
    ["config", "init"],
    ["token", "create"],
    ["token", "list"],
    ["token", "revoke"],
    ["notices", "publish-due"],
    ["ledger", "import"],
    ["ledger", "show"],
    ["ledger", "correct"],
    ["ledger", "publish"],
    ["residents", "import"],
    ["person", "export"],
    ["person", "erase"],
    ["backup"],
    ["restore"],
]


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.chdir(tmp_path)
    yield CliRunner()
    set_now(None)


def test_version_is_printed(cli: CliRunner) -> None:
    result = cli.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.startswith("红管家 hgj ")


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_has_chinese_help_and_takes_config(cli: CliRunner, command: list[str]) -> None:
    result = cli.invoke(app, [*command, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "用法：" in result.output and "显示帮助并退出" in result.output
    assert "Show this message" not in result.output and "Usage:" not in result.output
    assert "--config" in result.output


def test_config_init_says_where_the_admin_token_is(cli: CliRunner, tmp_path: Path) -> None:
    first = cli.invoke(app, ["config", "init"], env={"COLUMNS": "300"})
    assert first.exit_code == 0, first.output
    token = tomllib.loads((tmp_path / "config.toml").read_text(encoding="utf-8"))["admin"]["tokens"][0]
    assert token in first.output and "[admin] tokens" in first.output
    again = cli.invoke(app, ["config", "init", "--if-missing"], env={"COLUMNS": "300"})
    assert again.exit_code == 0 and "已存在，未改动" in again.output
    refused = cli.invoke(app, ["config", "init"])
    assert refused.exit_code == 2 and "已存在" in refused.output


def test_db_upgrade_says_created_then_current(cli: CliRunner, tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text(f'[database]\nurl = "sqlite:///{tmp_path / "x.db"}"\n', encoding="utf-8")
    created = cli.invoke(app, ["db", "upgrade", "--config", str(config)], env={"COLUMNS": "300"})
    assert created.exit_code == 0, created.output
    assert "已新建数据库" in created.output and str(tmp_path / "x.db") in created.output
    current = cli.invoke(app, ["db", "upgrade", "-c", str(config)], env={"COLUMNS": "300"})
    assert "已是最新结构" in current.output and "已新建" not in current.output


def test_without_a_config_file_the_error_says_so(cli: CliRunner, tmp_path: Path) -> None:
    result = cli.invoke(app, ["token", "list"], env={"COLUMNS": "300"})
    assert result.exit_code == 2
    assert "数据库还没有初始化" in result.output and "没有找到配置文件" in result.output
    assert str(tmp_path) in result.output


def test_a_named_config_that_is_missing_is_named(cli: CliRunner) -> None:
    result = cli.invoke(app, ["outbox", "--config", "nowhere.toml"], env={"COLUMNS": "300"})
    assert result.exit_code == 2 and "找不到配置文件 nowhere.toml" in result.output


def test_now_sets_the_commands_clock_and_a_bad_one_is_refused(cli: CliRunner) -> None:
    cli.invoke(app, ["--now", "2031-05-04T10:00", "--version"])
    bad = cli.invoke(app, ["--now", "yesterday", "token", "list"])
    assert bad.exit_code == 2 and "--now 的时间格式不对" in bad.output
    ok = cli.invoke(app, ["--now", "2031-05-04T10:00+08:00", "token", "list"])
    assert ok.exit_code == 2  # no database here, but the time was accepted
    assert STATE.clock.now().year == 2031


def test_config_init_writes_where_hgj_config_points(cli: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "etc" / "hgj.toml"
    target.parent.mkdir()
    result = cli.invoke(app, ["config", "init"], env={"HGJ_CONFIG": str(target), "COLUMNS": "300"})
    assert result.exit_code == 0, result.output
    assert target.is_file() and not (tmp_path / "config.toml").exists()


def test_residents_import_checks_every_line_then_writes_in_chunks(
    cli: CliRunner, tmp_path: Path, engine: Engine, demo: None
) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("the CLI test uses the SQLite file")
    config = tmp_path / "c.toml"
    config.write_text(f'[database]\nurl = "sqlite:///{engine.url.database}"\n', encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text("楼栋,单元,房号,面积,姓名,电话\n9,1,101,80,张三,\n", encoding="utf-8")
    refused = cli.invoke(app, ["residents", "import", str(bad), "-c", str(config)], env={"COLUMNS": "300"})
    assert (
        refused.exit_code == 1
        and "没有写入任何数据" in refused.output
        and "楼栋「9」不存在" in refused.output
    )
    good = tmp_path / "good.csv"
    lines = [f"3,2,{700 + i},90,住户{i},139{i:08d}" for i in range(1200)]  # more than one chunk
    good.write_text("楼栋,单元,房号,面积,姓名,电话\n" + "\n".join(lines) + "\n", encoding="utf-8")
    done = cli.invoke(app, ["residents", "import", str(good), "-c", str(config)], env={"COLUMNS": "300"})
    assert done.exit_code == 0, done.output
    assert "导入完成：1200 行，新增房屋 1200" in done.output and "新增住户 1200" in done.output
    again = cli.invoke(app, ["residents", "import", str(good), "-c", str(config)], env={"COLUMNS": "300"})
    assert "新增房屋 0" in again.output and "未变 1200" in again.output


def test_the_owners_register_from_the_cli_verifies_a_waiting_claim(
    cli: CliRunner, tmp_path: Path, engine: Engine, demo: None, wechat: WeChatSim
) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("the CLI test uses the SQLite file")
    wechat.send("newcomer-li", "我叫李娜，电话13912345678")
    assert "已收到您的登记" in wechat.send("newcomer-li", "我住3栋2单元402，我是租户")
    config = tmp_path / "c.toml"
    config.write_text(f'[database]\nurl = "sqlite:///{engine.url.database}"\n', encoding="utf-8")
    register = tmp_path / "owners.csv"
    register.write_text(
        "楼栋,单元,房号,面积,姓名,电话,关系\n3,2,402,89.5,李娜,13912345678,租户\n", encoding="utf-8"
    )
    done = cli.invoke(app, ["residents", "import", str(register), "-c", str(config)], env={"COLUMNS": "300"})
    assert done.exit_code == 0, done.output
    assert "已核实的住户登记 1" in done.output
    home = wechat.send("newcomer-li", "我的房屋")
    assert "3栋2单元402" in home and "租户" in home and "已核实" in home
