"""The realistic workload is what it claims: a big enough community and every kind of traffic, in order."""

from __future__ import annotations

import tomllib
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path

from typer.testing import CliRunner

from bot.cli import app
from bot.demo_generate import generate_community, to_toml
from models.onboarding import validate
from tests.support import traffic_shapes
from tests.support.traffic import INTENTS, Step, Traffic

NOW = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)
# Within one conversation, the form questions are answered in this order.
ANSWER_ORDER = ("address", "place", "photos", "other_party", "matter", "wants", "cancel", "confirmed")


def test_the_community_has_the_households_and_everyone_the_bench_needs() -> None:
    data = generate_community(2000, seed=7)
    assert len(data["rooms"]) >= 2000
    assert validate(data, now=NOW) == []
    roles = Counter(p["role"] for p in data["people"])
    assert roles["building_head"] == len(data["buildings"])  # one per building
    assert roles["grid_worker"] == len(data["grids"])
    assert (
        roles["resident"] > len(data["rooms"])
        and roles["staff"] >= 6
        and roles["admin"]
        and roles["secretary"]
    )
    assert len({p["openid"] for p in data["people"]}) == len(data["people"])
    assert data["activities"] and data["rewards"] and data["teams"]
    assert generate_community(2000, seed=7) == data != generate_community(2000, seed=8)


def test_hgj_demo_generate_writes_an_importable_file(tmp_path: Path) -> None:
    path = tmp_path / "community.toml"
    result = CliRunner().invoke(
        app, ["demo", "generate", "--households", "80", "--seed", "3", "-o", str(path)]
    )
    assert result.exit_code == 0, result.output
    assert tomllib.loads(path.read_text(encoding="utf-8")) == generate_community(80, seed=3)
    assert tomllib.loads(to_toml(generate_community(80, seed=3))) == generate_community(80, seed=3)


def _plan() -> tuple[Traffic, list[list[tuple[str, Step]]]]:
    traffic = Traffic(generate_community(300, seed=11), seed=5)
    return traffic, traffic.lanes(32, 40)


def test_the_traffic_covers_every_intent_and_kind_of_message() -> None:
    traffic, plan = _plan()
    assert sum(len(lane) for lane in plan) == 32 * 40
    intents = {step.intent for lane in plan for _, step in lane}
    assert set(INTENTS) <= intents and "binding" in intents
    kinds = Counter(step.kind for lane in plan for _, step in lane)
    assert {"text", "voice", "image", "location", "event"} <= set(kinds)
    assert all(step.text for lane in plan for _, step in lane if step.kind == "voice")  # a Recognition
    conversations = len(traffic.senders)
    assert 0.01 <= traffic.tally["first_contacts"] / conversations <= 0.08  # a few per cent
    templates = sum(len(v) for k, v in vars(traffic_shapes).items() if k.isupper() and isinstance(v, tuple))
    assert templates >= 100
    assert _plan()[1] == plan  # deterministic for a seed


def test_each_resident_talks_in_one_lane_and_answers_forms_in_order() -> None:
    _, plan = _plan()
    lanes_of: defaultdict[str, set[int]] = defaultdict(set)
    for number, lane in enumerate(plan):
        runs: list[tuple[str, list[Step]]] = []
        for openid, step in lane:
            lanes_of[openid].add(number)
            if runs and runs[-1][0] == openid:
                runs[-1][1].append(step)
            else:
                runs.append((openid, [step]))
        assert len({openid for openid, _ in runs}) == len(runs)  # one conversation each, not split
        for openid, steps in runs:
            assert not steps[0].answers, (openid, steps)  # a conversation opens, then answers
            order = [ANSWER_ORDER.index(s.answers) for s in steps if s.answers]
            assert order == sorted(order), (openid, steps)
            if steps[0].kind == "event":  # a first contact: subscribe, then who they are
                assert steps[0].text == "subscribe" and openid.startswith("new-")
                assert len(steps) == 1 or steps[1].intent == "binding"
    assert all(len(lanes) == 1 for lanes in lanes_of.values())
    answered = [s for lane in plan for _, s in lane if s.answers == "confirmed"]
    assert len(answered) > 50
