"""The sealed message sets hold the line: figures only, never their lines.

``messages-3.tsv`` (800 messages, a third writer) is reported and was never read;
``messages-4.tsv`` (800 messages, a fourth writer who never saw ``nlp/data``) was measured
before any change and then served as the development set of the branch that tuned to it.
``messages-5.tsv`` (800 messages, a fifth writer who saw neither ``nlp/`` nor ``tests/``) was
measured once, after all of that work, and stays sealed. ``messages-6.tsv`` (800 messages, a sixth
writer who saw neither) was measured before any change and then was the development set of the
branch that tuned to it (nlp14). ``messages-7.tsv`` (800 messages, a seventh writer who saw neither)
was measured once, after that work. ``messages-8.tsv`` (800 messages,
an eighth writer who saw neither) was measured before any change and then was the development set of
branch nlp14c: before 0.9675 / 0.97 / 0.50 % / 0.96 / 0.67 %, after 0.9725 / 0.97 / 0.50 % / 0.96 / 0.67 %.
``messages-9.tsv`` (800 messages, a ninth writer who saw neither) was measured once, after that
work. ``messages-10.tsv`` (800 messages, a tenth writer who saw
neither: a 东北/天津 retirees' estate) was measured before any change and then was the development
set of branch nlp14d: before 0.925 / 0.945 / 0.67 % / 0.945 / 0.50 %, after 0.9425 / 1.00 / 0.17 % /
1.00 / 0 %. ``messages-11.tsv`` (800 messages, an eleventh writer who saw neither: a newer
high-rise estate, 江浙沪 and 福建) was measured once, after all of that work and the conversation
work beside it. ``messages-12.tsv`` (a twelfth writer who saw neither) was measured before any
change and then was the development set of the seventh session; ``messages-13.tsv`` (a thirteenth
writer who saw neither) was measured once after that work. ``messages-14.tsv`` was measured before
any change and then was the development set of the eighth session; ``messages-15.tsv`` was
measured once after it, and is the set to report now.
The floors (ceilings for false alarms) are just under the figures measured; a failure names
the figure, not the messages.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from nlp import understand
from nlp.intent import read_labelled

HELDOUT = Path(__file__).resolve().parent / "heldout"

# name: (accuracy, emergency recall, false-alarm ceiling, policy recall, policy false-alarm ceiling)
FLOORS = {
    # measured after the nlptune work: 0.9563, 0.9625, 1.41 %, 0.9625, 1.09 % (before: 0.9537, 0.9437,
    # 0.94 %, 0.95, 0.78 %; the false alarms rose with buried_danger.tsv, see the branch report)
    "messages-3.tsv": (0.955, 0.96, 0.015, 0.96, 0.011),
    # before any change: 0.9213, 0.97, 3.33 %, 0.98, 3.33 %; after (tuned to it): 0.95, 1.00, 0 %, 1.00, 0 %
    "messages-4.tsv": (0.945, 1.0, 0.003, 1.0, 0.003),
    # a fifth writer who never saw nlp/ or tests/, measured once after all of the day's work and
    # never read: 0.9263, 0.9938, 2.66 %, 0.9938, 2.66 % (false alarms mostly questions about
    # past or imagined incidents: scenario style 12.5 %)
    "messages-5.tsv": (0.92, 0.99, 0.027, 0.99, 0.027),
    # before any change: 0.955, 0.975, 0.33 %, 0.97, 0.50 %; after (branch nlp14, tuned to it):
    # 0.9775, 1.00, 0 %, 1.00, 0.17 %
    "messages-6.tsv": (0.97, 1.0, 0.003, 1.0, 0.003),
    # a seventh writer who saw neither nlp/ nor tests/, measured once after the work tuned to set 6
    # and never read: 0.9637, 0.995, 1.17 %, 0.995, 1.33 % (one emergency of 200 missed; false
    # alarms mostly scenario questions, 6 % of that style)
    "messages-7.tsv": (0.96, 0.99, 0.012, 0.99, 0.014),
    # a ninth writer who saw neither nlp/ nor tests/, measured once after the work tuned to set 8
    # (branch nlp14c) and never read: 0.9725, 0.985, 0.33 %, 0.975, 0.17 %
    "messages-9.tsv": (0.97, 0.98, 0.004, 0.97, 0.002),
    "messages-8.tsv": (0.97, 0.97, 0.005, 0.96, 0.007),
    # before any change: 0.925, 0.945, 0.67 %, 0.945, 0.50 %; after (branch nlp14d, tuned to it):
    # 0.9425, 1.00, 0.17 %, 1.00, 0 %
    "messages-10.tsv": (0.94, 1.0, 0.002, 1.0, 0.002),
    # an eleventh writer who saw neither nlp/ nor tests/ (a newer high-rise estate, 江浙沪 and 福建),
    # measured once after the work tuned to set 10 (branches nlp14d, emerg14e, conv14f) and never
    # read: 0.915, 0.95, 1.33 %, 0.95, 1.17 % — the figures to report now
    "messages-11.tsv": (0.91, 0.945, 0.014, 0.945, 0.012),
    # a twelfth writer who saw neither (成渝/湖北, an old danwei compound), measured before any change:
    # 0.9237, 0.96, 0.33 %, 0.96, 0.33 %; then the development set of the seventh session: 0.935,
    # 0.995, 0 %, 0.99, 0 %
    "messages-12.tsv": (0.93, 0.99, 0.002, 0.985, 0.002),
    # a thirteenth writer who saw neither (粤/桂 and 豫/鲁 speech, a resettlement estate of towers),
    # measured once after all of the seventh session's work and never read: 0.9012, 0.945, 1.33 %,
    # 0.95, 1.33 % (at the sixth session's end: 0.90, 0.94, 1.33 %, 0.945, 1.33 %) — the figures to
    # report now
    # after the eighth session (figures only): 0.9175, 0.95, 1.17 %, 0.955, 1.17 %
    "messages-13.tsv": (0.90, 0.94, 0.014, 0.945, 0.014),
    # a fourteenth writer who saw neither (西北 and 江西/安徽 speech, a 1990s walk-up estate), measured
    # before any change: 0.9287, 0.975, 1.0 %, 0.965, 1.0 %; then the development set of the eighth
    # session: 0.9487, 1.00, 0.33 %, 1.00, 0.33 %
    "messages-14.tsv": (0.945, 1.0, 0.004, 1.0, 0.004),
    # a fifteenth writer who saw neither (京冀晋 and 湖南 speech, a 2000s estate of young families and
    # tenants), measured once after all of the eighth session's work and never read: 0.91, 0.955,
    # 1.0 %, 0.95, 0.83 % — the figures to report now
    "messages-15.tsv": (0.905, 0.95, 0.011, 0.945, 0.009),
}


def _figures(path: Path) -> tuple[float, float, float, float, float]:
    from bot.policy import danger

    rows = []
    for gold, text, _ in read_labelled(path):
        nlu = understand(text)
        rows.append((gold, nlu.intent, danger(nlu, text) is not None))
    alarms = [(p, a) for g, p, a in rows if g == "emergency"]
    ordinary = [(p, a) for g, p, a in rows if g != "emergency"]
    return (
        sum(g == p for g, p, _ in rows) / len(rows),
        sum(p == "emergency" for p, _ in alarms) / len(alarms),
        sum(p == "emergency" for p, _ in ordinary) / len(ordinary),
        sum(a for _, a in alarms) / len(alarms),
        sum(a for _, a in ordinary) / len(ordinary),
    )


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_sealed_message_sets_hold_the_line(name: str) -> None:
    accuracy, recall, false_alarms, policy_recall, policy_false = _figures(HELDOUT / name)
    print(
        name,
        round(accuracy, 4),
        round(recall, 4),
        round(false_alarms, 4),
        round(policy_recall, 4),
        round(policy_false, 4),
    )
    floor = FLOORS[name]
    assert accuracy >= floor[0], f"accuracy {accuracy:.4f}"
    assert recall >= floor[1], f"emergency recall {recall:.4f}"
    assert false_alarms <= floor[2], f"false alarms {false_alarms:.4f}"
    assert policy_recall >= floor[3], f"alarms raised {policy_recall:.4f}"
    assert policy_false <= floor[4], f"false alarms raised {policy_false:.4f}"
