"""The care register: imported with the community (every problem named), and personal data like
any other (in the person's export; gone, or no longer pointing at them, after erasure)."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from models.care import CareRecipient
from models.community import Community
from models.erasure import erase_person
from models.onboarding import ImportError_, import_community
from models.people import person_by_openid
from models.personal_data import export_person
from tests.conftest import DEMO

NOW = datetime(2026, 11, 23, tzinfo=UTC)


def _demo() -> dict:
    return tomllib.loads(DEMO.read_text(encoding="utf-8"))


def test_the_import_names_every_problem_of_a_care_entry(session: Session) -> None:
    data = _demo()
    bad = {"name": "", "building": "9", "room": "1", "kind": "old", "consent_by": "guardian"}
    data["care"].append({**bad, "contact_name": "某某", "contact_phone": "1", "contact_openid": "nobody"})
    with pytest.raises(ImportError_) as caught:
        import_community(session, data=data, now=NOW)
    problems = "\n".join(caught.value.problems)
    for expected in ("缺少 name", "9-1 不在 [[rooms]]", "kind 无效", "contact_phone", "consent_name"):
        assert expected in problems
    assert "consented_at" in problems and "contact_openid nobody 不在 [[people]]" in problems


def test_an_entry_is_the_persons_data_and_erasure_takes_it(session: Session) -> None:
    import_community(session, data=_demo(), now=NOW)
    import_community(session, data=_demo(), now=NOW)  # again: still one entry
    entry = session.exec(select(CareRecipient)).one()
    assert entry.name == "孟桂英" and entry.consent_by == "person" and entry.consented_at < NOW
    assert session.exec(select(Community)).one().shelter == "社区广场（东门内）"

    contact = person_by_openid(session, "demo-resident-zhao")
    assert contact is not None
    exported = export_person(session, contact, now=NOW)["care_register"]
    assert [(e["name"], e["contact"]["openid"]) for e in exported] == [("孟桂英", "demo-resident-zhao")]
    erase_person(session, person=contact, now=NOW)
    entry = session.exec(select(CareRecipient)).one()  # she still needs care: the office finds a new contact
    assert entry.contact_person_id is None and "13803510004" not in entry.contact_phone

    elder = person_by_openid(session, "demo-elder-liu")
    assert elder is not None
    entry.person_id = elder.id
    session.add(entry)
    erase_person(session, person=elder, now=NOW)
    assert session.exec(select(CareRecipient)).all() == []
