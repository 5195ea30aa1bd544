"""Which channel reaches a push's recipient, chosen per row when it is sent.

- a building → its group chat's robot (``Building.group_webhook``);
- a person with a WeCom userid and a working role (building head, grid worker, staff, secretary,
  admin), or reachable only through WeCom → WeCom app message;
- a person who wrote to the Official Account within 48 hours (``Person.last_seen_at``) →
  customer-service message, falling back to a template message if WeChat says the window closed;
- anyone else with an openid → template message.

A channel that is not configured becomes the console (``[outbox] unconfigured = "console"``,
development) or a dead letter naming what is missing (``"dead"``, the default).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from hashlib import sha1

import httpx
from sqlmodel import Session

from bot.outbound.channels import (
    Channel,
    ConsoleChannel,
    GroupRobotChannel,
    MpCustomChannel,
    MpTemplateChannel,
    WeComAppChannel,
)
from bot.outbound.errors import Permanent
from bot.outbound.tokens import MpApp, TokenCache, WeComApp
from bot.settings import Settings
from models.community import Building
from models.outbox import OutboxMessage
from models.people import Person, Role

CUSTOMER_SERVICE_WINDOW = timedelta(hours=48)
WORKING_ROLES = frozenset({Role.building_head, Role.grid_worker, Role.staff, Role.secretary, Role.admin})


@dataclass(frozen=True)
class Route:
    channel: Channel
    address: str  # openid, WeCom userid or webhook URL
    recipient: str  # the per-recipient rate-limit key
    fallback: Route | None = None  # tried at once when the customer-service window has closed


def _configured(*values: str) -> bool:
    return all(value and not value.startswith("REPLACE_WITH") for value in values)


class Channels:
    """The channels built from the settings; ``route(...)`` picks one for an outbox row."""

    def __init__(self, settings: Settings, *, tokens: TokenCache, client: httpx.Client) -> None:
        self.settings = settings
        wechat, wecom = settings.wechat, settings.wecom
        self.console = ConsoleChannel()
        self.robot = GroupRobotChannel(client=client, wecom_base_url=wecom.api_base_url)
        self.mp_custom: MpCustomChannel | None = None
        self.mp_template: MpTemplateChannel | None = None
        self.wecom_app: WeComAppChannel | None = None
        if _configured(wechat.app_id, wechat.app_secret):
            mp = MpApp(wechat.api_base_url.rstrip("/"), wechat.app_id, wechat.app_secret)
            self.mp_custom = MpCustomChannel(client=client, tokens=tokens, app=mp)
            self.mp_template = MpTemplateChannel(
                client=client, tokens=tokens, app=mp, templates=wechat.templates, field=wechat.template_field
            )
        if wecom.enabled and _configured(wecom.corp_id, wecom.secret, wecom.agent_id):
            app = WeComApp(wecom.api_base_url.rstrip("/"), wecom.corp_id, wecom.agent_id, wecom.secret)
            self.wecom_app = WeComAppChannel(client=client, tokens=tokens, app=app)
        self.by_name: dict[str, Channel | None] = {
            "console": self.console,
            "group_robot": self.robot,
            "mp_custom": self.mp_custom,
            "mp_template": self.mp_template,
            "wecom_app": self.wecom_app,
        }

    def _unconfigured(self, what: str, address: str, recipient: str) -> Route:
        if self.settings.outbox.unconfigured == "console":
            return Route(self.console, address, recipient)
        raise Permanent(f"{what} is not configured")

    def route(self, session: Session, message: OutboxMessage, *, now: datetime) -> Route:
        """The channel for this row now; raises Permanent when the recipient cannot be reached."""
        if self.settings.outbox.console_only:
            return self._console(session, message)
        if message.building_id is not None:
            return self._building(session, message.building_id)
        person = session.get(Person, message.person_id) if message.person_id is not None else None
        if person is None:
            raise Permanent(f"person {message.person_id} not found")
        if person.erased_at is not None:
            raise Permanent(f"person {person.id} erased their personal data")
        recipient = f"person:{person.id}"
        if message.channel != "auto":
            return self._forced(message.channel, person, recipient)
        if person.wecom_userid and (person.role in WORKING_ROLES or not person.openid):
            if self.wecom_app is not None:
                return Route(self.wecom_app, person.wecom_userid, recipient)
            if not person.openid:
                return self._unconfigured("[wecom] app messages", person.wecom_userid, recipient)
        if not person.openid:
            raise Permanent(f"person {person.id} has neither an openid nor a WeCom userid")
        if not person.subscribed:
            raise Permanent(f"person {person.id} has unfollowed the Official Account")
        if self.mp_custom is None or self.mp_template is None:
            return self._unconfigured("[wechat] app_id/app_secret", person.openid, recipient)
        template = Route(self.mp_template, person.openid, recipient)
        seen = person.last_seen_at
        if seen is not None and now - seen < CUSTOMER_SERVICE_WINDOW:
            return Route(self.mp_custom, person.openid, recipient, fallback=template)
        return template

    def _console(self, session: Session, message: OutboxMessage) -> Route:
        if message.building_id is not None:
            building = session.get(Building, message.building_id)
            label = building.label if building else f"building {message.building_id}"
            return Route(self.console, f"{label}群", f"building:{message.building_id}")
        person = session.get(Person, message.person_id) if message.person_id is not None else None
        if person is None:
            raise Permanent(f"person {message.person_id} not found")
        return Route(self.console, person.name or person.openid or "", f"person:{person.id}")

    def _building(self, session: Session, building_id: int) -> Route:
        building = session.get(Building, building_id)
        if building is None:
            raise Permanent(f"building {building_id} not found")
        if not building.group_webhook:
            return self._unconfigured(
                f"the group robot of building {building.number}", building.label, f"building:{building_id}"
            )
        digest = sha1(building.group_webhook.encode()).hexdigest()[:16]
        return Route(self.robot, building.group_webhook, f"robot:{digest}")

    def _forced(self, name: str, person: Person, recipient: str) -> Route:
        channel = self.by_name.get(name)
        if name not in self.by_name:
            raise Permanent(f"unknown channel {name!r}")
        address = (person.wecom_userid if name == "wecom_app" else person.openid) or ""
        if channel is None:
            return self._unconfigured(name, address, recipient)
        if not address and name != "console":
            raise Permanent(f"person {person.id} has no address for {name}")
        return Route(channel, address or recipient, recipient)
