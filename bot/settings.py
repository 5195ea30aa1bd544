"""Settings: a TOML file (``--config`` or ``HGJ_CONFIG``) plus ``HGJ_<SECTION>__<KEY>`` overrides."""

from __future__ import annotations

import base64
import binascii
import os
import secrets
import string
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, Field, ValidationError, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from bot.errors import ConfigError
from models.fee_reminders import FeeRules
from models.sla import TicketRules
from models.wish_reminders import PartyRules

DEFAULT_CONFIG_PATH = Path("config.toml")


class DatabaseSettings(BaseModel):
    url: str = "sqlite:///data/hgj.db"
    echo: bool = False
    # PostgreSQL: chat transactions in flight at once per server process (SQLite has one writer).
    pipeline_workers: int = Field(default=1, ge=1, le=32)


class ServerSettings(BaseModel):
    host: str = "127.0.0.1"
    port: int = 8000
    # The webhook answers within this many seconds (WeChat waits 5): with the real answer, or
    # with 「收到，正在处理」 when the database cannot give it in time (the answer is then pushed).
    reply_within_seconds: float = Field(default=4.0, gt=0, le=4.5)
    # Messages answered 「收到，正在处理」 are kept here, one file each, until they are handled, so
    # a crash does not lose them. Empty: ``spool`` beside the SQLite database file, or ``data/spool``
    # under the working directory on PostgreSQL. Must be on a local disk the server can write.
    spool_dir: str = ""
    # Where ``hgj serve`` delivers the outbox and runs the scheduler: "process", a child
    # ``hgj worker`` it starts and stops (the web process only answers), or "thread", beside the
    # web server in its own process.
    delivery: Literal["process", "thread"] = "process"


class WeChatSettings(BaseModel):
    @property
    def effective_mode(self) -> str:
        return self.mode or ("safe" if self.encoding_aes_key else "plain")

    enabled: bool = True
    app_id: str = ""
    app_secret: str = ""
    token: str = ""
    encoding_aes_key: str = ""
    api_base_url: str = "https://api.weixin.qq.com"
    replay_window_seconds: int = 300
    max_body_bytes: int = 64 * 1024
    # "safe" (only encrypted messages), "compatible" (both) or "plain"; empty: safe when an
    # EncodingAESKey is set, else plain. Safe mode refuses plain POSTs (they carry no body signature).
    mode: Literal["", "safe", "compatible", "plain"] = ""
    # Template messages for people outside the 48-hour customer-service window: kind → template
    # id ("default" for every other kind); the text goes into the template field below.
    templates: dict[str, str] = Field(default_factory=dict)
    template_field: str = "content"


class WeComSettings(BaseModel):
    enabled: bool = False
    corp_id: str = ""
    agent_id: str = ""
    secret: str = ""
    token: str = ""
    encoding_aes_key: str = ""
    api_base_url: str = "https://qyapi.weixin.qq.com"
    replay_window_seconds: int = 300
    max_body_bytes: int = 64 * 1024


class AdminSettings(BaseModel):
    tokens: list[str] = Field(default_factory=list)
    # Who the config-file tokens stand for: the name the audit log and ticket timelines show.
    token_name: str = Field(default="社区办公室管理员", min_length=1, max_length=60)
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)  # a request to the admin API or console
    max_upload_bytes: int = Field(default=32 * 1024 * 1024, ge=1024)  # a CSV import or knowledge file


class ConsoleSettings(BaseModel):
    """The web console's sessions and login throttling (see README, "Web console")."""

    # Mark the session cookie Secure (sent over HTTPS only): true behind a TLS reverse proxy.
    secure_cookies: bool = False
    session_idle_minutes: int = Field(default=30, ge=1)  # a session unused this long ends
    session_lifetime_hours: int = Field(default=12, ge=1)  # and every session ends after this
    login_max_failures: int = Field(default=5, ge=1)  # failed logins per address or token prefix...
    login_window_minutes: int = Field(default=10, ge=1)  # ...within this many minutes...
    login_lockout_minutes: int = Field(default=15, ge=1)  # ...refuse further tries for this long
    # Origins besides the request's own host that may post console forms, e.g. "https://hgj.example.cn"
    # when a proxy rewrites the Host header.
    trusted_origins: list[str] = Field(default_factory=list)


class KnowledgeSettings(BaseModel):
    path: str = ""  # a .toml file or a directory of them; empty = the packaged knowledge base


class ConversationSettings(BaseModel):
    form_timeout_minutes: int = 30


class PointsSettings(BaseModel):
    attendance_default: int = Field(default=2, ge=0)  # points per attendance when none is given
    per_kind: dict[str, int] = Field(default_factory=dict)  # e.g. {"治安巡逻" = 3}
    visit: int = Field(default=1, ge=0)  # points for each recorded elder visit
    wish: int = Field(default=5, ge=0)  # points to the party member for a 微心愿 the resident confirms

    def for_kind(self, kind: str) -> int:
        return self.per_kind.get(kind, self.attendance_default)


class PrivacySettings(BaseModel):
    """Residents' own data (「导出我的信息」「删除我的信息」, see README "Personal data")."""

    # The address residents reach this service at, e.g. "https://hgj.example.org": export links
    # point there. Empty: the chat gives a summary and names the office for the full copy.
    public_url: str = ""
    link_minutes: int = Field(default=60, ge=5, le=7 * 24 * 60)  # an export link works this long
    # Signs export links. Empty: derived from the [wechat]/[wecom] secrets (every process of one
    # deployment then agrees); with none of those either, a random key per process.
    link_secret: str = ""


class OutboxSettings(BaseModel):
    """The delivery worker (see README, "Outbound messages")."""

    poll_seconds: float = 2.0
    batch: int = 50  # at most this many rows per claim (fewer while sends are slow)
    # A claimed row is the worker's for this long, renewed before each send and every third of
    # it while sending; a worker that died is taken over after it. Longer than one HTTP call.
    lease_seconds: float = Field(default=120.0, gt=0)
    max_attempts: int = 8
    backoff_seconds: float = 30.0  # first retry; doubles each attempt
    backoff_max_seconds: float = 3600.0
    http_timeout_seconds: float = 10.0
    robot_per_minute: int = 20  # WeCom group robots accept 20 messages a minute each
    person_per_minute: int = 6
    channel_per_minute: dict[str, int] = Field(
        default_factory=lambda: {"mp_custom": 600, "mp_template": 600, "wecom_app": 600}
    )
    # What to do with a push whose channel is not configured: "console" (log it; development)
    # or "dead" (dead-letter it with the reason, to retry once configured).
    unconfigured: str = "dead"
    # Development and demos: print every push on the console instead of calling WeChat at all.
    console_only: bool = False

    @model_validator(mode="after")
    def _lease_outlasts_a_call(self) -> OutboxSettings:
        if self.lease_seconds <= self.http_timeout_seconds:
            raise ValueError(
                f"[outbox] lease_seconds（{self.lease_seconds:g}）必须大于 http_timeout_seconds"
                f"（{self.http_timeout_seconds:g}）：租约比一次发送还短，慢的时候同一条推送会被两个进程各发一次。"
                "建议 lease_seconds 至少是 http_timeout_seconds 的 3 倍。"
            )
        return self


# -- operations: logs and metrics (see deploy/README.md) ----------------------------------------


class LogSettings(BaseModel):
    """``[log]``: how ``hgj serve`` and ``hgj worker`` write their log (stderr)."""

    format: Literal["text", "json"] = "text"  # json: one object a line, for a log collector
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    access: bool = False  # one line per HTTP request (method, route, status, milliseconds)


class MetricsSettings(BaseModel):
    """``[metrics]``: Prometheus figures at ``GET /metrics``."""

    enabled: bool = True
    # Empty: /metrics is open (keep it off the internet: the reverse proxy refuses it). Set: a
    # scraper must send ``Authorization: Bearer <token>``.
    token: str = ""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HGJ_", env_nested_delimiter="__", extra="ignore")
    toml_path: ClassVar[Path | None] = None

    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    server: ServerSettings = Field(default_factory=ServerSettings)
    wechat: WeChatSettings = Field(default_factory=WeChatSettings)
    wecom: WeComSettings = Field(default_factory=WeComSettings)
    admin: AdminSettings = Field(default_factory=AdminSettings)
    console: ConsoleSettings = Field(default_factory=ConsoleSettings)
    conversation: ConversationSettings = Field(default_factory=ConversationSettings)
    knowledge: KnowledgeSettings = Field(default_factory=KnowledgeSettings)
    tickets: TicketRules = Field(default_factory=TicketRules)
    points: PointsSettings = Field(default_factory=PointsSettings)
    party: PartyRules = Field(default_factory=PartyRules)
    fees: FeeRules = Field(default_factory=FeeRules)
    privacy: PrivacySettings = Field(default_factory=PrivacySettings)

    outbox: OutboxSettings = Field(default_factory=OutboxSettings)

    log: LogSettings = Field(default_factory=LogSettings)
    metrics: MetricsSettings = Field(default_factory=MetricsSettings)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if cls.toml_path is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=cls.toml_path))
        return tuple(sources)


def resolve_config_path(path: str | os.PathLike[str] | None = None) -> Path | None:
    """The config file to read: the argument, else ``HGJ_CONFIG``, else ./config.toml if present."""
    if path:
        chosen = Path(path)
    elif os.environ.get("HGJ_CONFIG"):
        chosen = Path(os.environ["HGJ_CONFIG"])
    elif DEFAULT_CONFIG_PATH.exists():
        return DEFAULT_CONFIG_PATH
    else:
        return None
    if not chosen.is_file():
        raise ConfigError(f"找不到配置文件 {chosen}：请检查 --config 参数或 HGJ_CONFIG 环境变量。")
    return chosen


def load_settings(path: str | os.PathLike[str] | None = None, **overrides: Any) -> Settings:
    """Read settings from the config file and the environment; ``overrides`` win over both."""
    config_path = resolve_config_path(path)
    Settings.toml_path = config_path
    try:
        return Settings(**overrides)
    except ValueError as exc:  # pydantic ValidationError and TOML decode errors
        where = f"（{config_path}）" if config_path else ""
        raise ConfigError(f"配置有误{where}：{_first_line(exc)}") from exc
    finally:
        Settings.toml_path = None


def _first_line(exc: Exception) -> str:
    if isinstance(exc, ValidationError) and exc.errors()[0]["type"] == "value_error":
        return str(exc.errors()[0]["msg"]).removeprefix("Value error, ")  # our own sentence
    return " ".join(str(exc).split())[:300]


def check_aes_key(key: str, section: str) -> None:
    """An EncodingAESKey is 43 characters of base64 that decode to 32 bytes."""
    try:
        ok = len(key) == 43 and len(base64.b64decode(key + "=", validate=True)) == 32
    except (binascii.Error, ValueError):
        ok = False
    if not ok:
        raise ConfigError(
            f"[{section}] encoding_aes_key 格式不对：应为后台给出的 43 位字符，请复制完整后再试。"
        )


def validate_for_serving(settings: Settings) -> None:
    """Refuse to serve an enabled channel that cannot verify or decrypt its messages."""
    channels = (("wechat", settings.wechat), ("wecom", settings.wecom))
    for section, channel in channels:
        if not channel.enabled:
            continue
        env = f"HGJ_{section.upper()}"
        if not channel.token:
            raise ConfigError(
                f"[{section}] 已启用但没有配置 token：请在配置文件 [{section}] 中填写 token，"
                f"或设置环境变量 {env}__TOKEN（不用此渠道可设 enabled = false）。"
            )
        if not channel.encoding_aes_key:
            raise ConfigError(
                f"[{section}] 已启用但没有配置 encoding_aes_key：请在配置文件 [{section}] 中填写，"
                f"或设置环境变量 {env}__ENCODING_AES_KEY。"
            )
        check_aes_key(channel.encoding_aes_key, section)
    if settings.wecom.enabled and not settings.wecom.corp_id:
        raise ConfigError("[wecom] 已启用但没有配置 corp_id：请填写企业微信的 CorpID。")


def generate_local_config(example: Path, target: Path) -> None:
    """Write a development config from the example, with fresh random token and AES keys."""
    text = example.read_text(encoding="utf-8")
    alphabet = string.ascii_letters + string.digits
    for placeholder in ("REPLACE_WITH_WECHAT_TOKEN", "REPLACE_WITH_WECOM_TOKEN"):
        text = text.replace(placeholder, "".join(secrets.choice(alphabet) for _ in range(32)))
    for placeholder in ("REPLACE_WITH_WECHAT_AES_KEY", "REPLACE_WITH_WECOM_AES_KEY"):
        key = base64.b64encode(secrets.token_bytes(32)).decode().rstrip("=")
        text = text.replace(placeholder, key)
    text = text.replace("REPLACE_WITH_ADMIN_TOKEN", secrets.token_urlsafe(24))
    # A local config talks to no real WeChat: pushes are printed, not sent.
    text = text.replace("console_only = false", "console_only = true")
    target.write_text(text, encoding="utf-8")
