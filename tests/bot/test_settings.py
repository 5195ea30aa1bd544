"""Settings from TOML and environment, and the one-sentence refusal to serve a broken channel."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.errors import ConfigError
from bot.settings import generate_local_config, load_settings, validate_for_serving

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for key in list(os.environ):
        if key.startswith("HGJ_"):
            monkeypatch.delenv(key)


def test_toml_file_and_env_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[database]\nurl = "sqlite:///x.db"\n[wechat]\ntoken = "from-file"\n', encoding="utf-8")
    monkeypatch.setenv("HGJ_WECHAT__TOKEN", "from-env")
    settings = load_settings(config)
    assert settings.database.url == "sqlite:///x.db"
    assert settings.wechat.token == "from-env"


def test_hgj_config_env_names_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[admin]\ntokens = ["t1"]\n', encoding="utf-8")
    monkeypatch.setenv("HGJ_CONFIG", str(config))
    assert load_settings().admin.tokens == ["t1"]


def test_missing_config_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="找不到配置文件"):
        load_settings(tmp_path / "nope.toml")


def test_example_config_documents_every_section() -> None:
    text = (ROOT / "config.example.toml").read_text(encoding="utf-8")
    for key in (
        "[database]",
        "[wechat]",
        "[wecom]",
        "[admin]",
        "api_base_url",
        "encoding_aes_key",
        "app_secret",
    ):
        assert key in text


def test_enabled_channel_without_token_is_refused(tmp_path: Path) -> None:
    settings = load_settings(None, wechat={"token": "", "encoding_aes_key": ""})
    with pytest.raises(ConfigError, match=r"\[wechat\] 已启用但没有配置 token"):
        validate_for_serving(settings)


def test_malformed_aes_key_is_refused() -> None:
    settings = load_settings(None, wechat={"token": "t", "encoding_aes_key": "short"})
    with pytest.raises(ConfigError, match="43 位"):
        validate_for_serving(settings)


def test_generated_local_config_is_servable(tmp_path: Path) -> None:
    target = tmp_path / "config.toml"
    generate_local_config(ROOT / "config.example.toml", target)
    settings = load_settings(target)
    validate_for_serving(settings)
    assert "REPLACE_WITH" not in settings.wechat.token + settings.admin.tokens[0]
    again = tmp_path / "again.toml"
    generate_local_config(ROOT / "config.example.toml", again)
    assert load_settings(again).wechat.encoding_aes_key != settings.wechat.encoding_aes_key


def test_serve_with_missing_token_prints_one_sentence(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[wechat]\nenabled = true\ntoken = ""\n', encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "bot", "serve", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "[wechat] 已启用但没有配置 token" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
