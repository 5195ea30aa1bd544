"""A district generated inside the database: communities, grids, buildings, rooms, residents,
staff, tickets, ratings and mediation answers, each table in one ``INSERT … SELECT`` over a
number series (``generate_series`` on PostgreSQL, a recursive CTE on SQLite).

The shape at scale 1: 200 communities of 5 grids and 20 buildings; 2,500 residents per
community (one flat each, owner, following the account); 10 staff per community; 1,000,000
tickets over two years before ``NOW`` (80 % repairs, 10 % disputes, 7 % complaints, 3 %
emergencies; most closed), a rating on a third of the closed ones, and the parties' answers
after every concluded dispute. Values come from the row number by modular arithmetic, so two
runs build the same district. Ids are given explicitly (1..n per table) and the sequences set
after, so the app's own inserts continue from there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, text

NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
GRIDS, BUILDINGS, STAFF = 5, 20, 10  # per community
TWO_YEARS_MIN = 730 * 24 * 60


@dataclass(frozen=True)
class Shape:
    communities: int
    residents: int  # in the whole district
    tickets: int

    @classmethod
    def at(cls, scale: float) -> Shape:
        communities = max(2, round(200 * scale))
        per = max(BUILDINGS, round(500_000 * scale) // communities)
        return cls(communities, per * communities, max(100, round(1_000_000 * scale)))

    @property
    def per_community(self) -> int:
        return self.residents // self.communities


class Dialect:
    def __init__(self, name: str) -> None:
        self.pg = name == "postgresql"

    def series(self, n: int) -> str:
        if self.pg:
            return f"generate_series(1, {n}) AS s(i)"
        return f"(WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {n}) SELECT i FROM s) AS s"

    def at(self, minutes: str) -> str:
        """NOW plus ``minutes`` (an SQL integer expression), as the column type stores it."""
        if self.pg:
            return f"(TIMESTAMPTZ '{NOW:%Y-%m-%d %H:%M:%S}+00' + ({minutes}) * INTERVAL '1 minute')"
        return f"(strftime('%Y-%m-%d %H:%M:%S', '{NOW:%Y-%m-%d %H:%M:%S}', ({minutes}) || ' minutes') || '.000000')"

    def json(self, value: str) -> str:
        return f"CAST('{value}' AS JSON)" if self.pg else f"'{value}'"


def statements(shape: Shape, d: Dialect) -> list[tuple[str, str]]:
    c, per, t = shape.communities, shape.per_community, shape.tickets
    n = shape.residents
    staff0 = n  # staff ids follow the residents
    born = d.at("-(s.i * 37) % " + str(TWO_YEARS_MIN) + " - 60")  # a ticket's created_at
    st = "((s.i / 100 + s.i) * 31) % 100"  # the status draw, apart from the kind's
    kind = "CASE WHEN (s.i * 13) % 100 < 80 THEN 'repair' WHEN (s.i * 13) % 100 < 90 THEN 'dispute' WHEN (s.i * 13) % 100 < 97 THEN 'complaint' ELSE 'emergency' END"
    status = (
        f"CASE WHEN {st} < 85 THEN 'closed' WHEN {st} < 88 THEN 'cancelled'"
        f" WHEN {st} < 92 THEN 'resolved' WHEN {st} < 95 THEN 'in_progress'"
        f" WHEN {st} < 97 THEN 'accepted' WHEN {st} < 99 THEN 'dispatched' ELSE 'submitted' END"
    )
    # Tickets go to communities in blocks of 100 (every kind and status in each), to any resident.
    mix = "((s.i * 2654435761) % 4294967296)"  # Knuth's multiplicative hash of the row number
    reporter = f"((((s.i - 1) / 100) % {c}) * {per} + ({mix} / 7) % {per} + 1)"
    done = f"{st} < 92 AND {st} NOT BETWEEN 85 AND 87"  # closed or resolved
    picked = f"{st} < 97 AND {st} NOT BETWEEN 85 AND 87"  # accepted or later
    dispute_done = f"(s.i * 13) % 100 BETWEEN 80 AND 89 AND {st} < 85"
    return [
        (
            "community",
            f"INSERT INTO community (id, name, hotline) SELECT s.i, '第' || s.i || '社区', '' FROM {d.series(c)}",
        ),
        (
            "grid",
            f"INSERT INTO grid (id, community_id, name) SELECT s.i, (s.i - 1) / {GRIDS} + 1,"
            f" '第' || ((s.i - 1) / {GRIDS} + 1) || '社区' || ((s.i - 1) % {GRIDS} + 1) || '网格' FROM {d.series(c * GRIDS)}",
        ),
        (
            "building",
            f"INSERT INTO building (id, community_id, grid_id, number, group_webhook) SELECT s.i,"
            f" (s.i - 1) / {BUILDINGS} + 1, ((s.i - 1) / {BUILDINGS}) * {GRIDS} + ((s.i - 1) % {BUILDINGS}) / {BUILDINGS // GRIDS} + 1,"
            f" CAST((s.i - 1) % {BUILDINGS} + 1 AS VARCHAR), '' FROM {d.series(c * BUILDINGS)}",
        ),
        (
            "room",
            f"INSERT INTO room (id, building_id, unit, room, area) SELECT s.i,"
            f" ((s.i - 1) / {per}) * {BUILDINGS} + ((s.i - 1) % {per}) % {BUILDINGS} + 1,"
            f" CAST((s.i - 1) % 3 + 1 AS VARCHAR), CAST(((s.i - 1) % {per}) / {BUILDINGS} + 101 AS VARCHAR), 90.0"
            f" FROM {d.series(n)}",
        ),
        (
            "person",
            "INSERT INTO person (id, openid, name, role, phone, room_id, is_owner, skills, subscribed, created_at)"
            f" SELECT s.i, 'd-' || s.i, '', 'resident', '', s.i, {'true' if d.pg else '1'}, {d.json('[]')},"
            f" {'true' if d.pg else '1'}, {d.at('-' + str(TWO_YEARS_MIN * 2))} FROM {d.series(n)}",
        ),
        (
            "staff",
            "INSERT INTO person (id, openid, name, role, phone, is_owner, skills, subscribed, created_at)"
            f" SELECT {staff0} + s.i, 'd-staff-' || s.i, '师傅' || s.i, 'staff', '', {'false' if d.pg else '0'},"
            f" {d.json('[]')}, {'true' if d.pg else '1'}, {d.at('-' + str(TWO_YEARS_MIN * 2))} FROM {d.series(c * STAFF)}",
        ),
        (
            "ticket",
            "INSERT INTO ticket (id, kind, status, category, reporter_id, building_id, room_id, spot, place,"
            " description, photos, preferred_time, mode, assignee_id, limit_hours, due_at, escalation_level,"
            " escalation_step_minutes, accepted_at, resolution, resolution_photos, resident_fixed, urge_count,"
            " other_party, wants, mediation_record, agreement, outcome, department, settled_level, created_at, updated_at)"
            f" SELECT s.i, {kind}, {status}, '', {reporter},"
            f" (({reporter} - 1) / {per}) * {BUILDINGS} + (({reporter} - 1) % {per}) % {BUILDINGS} + 1, {reporter},"
            f" '', '', '水管漏水', {d.json('[]')}, '', 'assign',"
            f" CASE WHEN {st} < 99 THEN {staff0} + (((s.i - 1) / 100) % {c}) * {STAFF} + s.i % {STAFF} + 1 END,"
            f" 168, {d.at('-(s.i * 37) % ' + str(TWO_YEARS_MIN) + ' - 60 + 168 * 60')}, 0, 5040,"
            f" CASE WHEN {picked} THEN {d.at('-(s.i * 37) % ' + str(TWO_YEARS_MIN) + ' - 60 + ((s.i * 17) % 240) * 60')} END,"
            f" '', {d.json('[]')},"
            f" CASE WHEN ({done}) AND (s.i * 11) % 10 < 6 THEN {'true' if d.pg else '1'}"
            f" WHEN ({done}) AND (s.i * 11) % 10 < 8 THEN {'false' if d.pg else '0'} END, 0,"
            f" '', '', {d.json('[]')}, '',"
            f" CASE WHEN {dispute_done} THEN CASE (s.i * 3) % 10 WHEN 0 THEN 'unresolved' WHEN 1 THEN 'referred' ELSE 'resolved' END ELSE '' END,"
            f" '', CASE WHEN {dispute_done} THEN CASE s.i % 3 WHEN 0 THEN 'building' WHEN 1 THEN 'community' ELSE 'street' END ELSE '' END,"
            f" {born}, {born} FROM {d.series(t)}",
        ),
        (
            "rating",
            "INSERT INTO rating (ticket_id, person_id, overall, speed, service, comment, created_at)"
            f" SELECT s.i, {reporter}, 1 + ({mix} / 13) % 5, 1 + ({mix} / 17) % 5, 1 + ({mix} / 19) % 5, '', {born}"
            f" FROM {d.series(t)} WHERE s.i % 3 = 0 AND {st} < 85",
        ),
        (
            "mediation_answer",
            "INSERT INTO mediation_answer (ticket_id, person_id, party, asked_at, settled, answered_at)"
            f" SELECT s.i, {reporter}, 'reporter', {born}, (s.i % 5 <> 0), {born}"
            f" FROM {d.series(t)} WHERE {dispute_done}",
        ),
        (
            "mediation_answer (other party)",
            "INSERT INTO mediation_answer (ticket_id, person_id, party, asked_at, settled, answered_at)"
            f" SELECT s.i, {reporter} % {n} + 1, 'other_party', {born}, (s.i % 7 <> 0), {born}"
            f" FROM {d.series(t)} WHERE {dispute_done} AND s.i % 2 = 0",
        ),
    ]


SEQUENCES = ("community", "grid", "building", "room", "person", "ticket", "rating", "mediation_answer")


def generate(engine: Engine, shape: Shape) -> dict[str, float]:
    """Fill an empty, migrated database; returns seconds per table."""
    import time

    d = Dialect(engine.dialect.name)
    took: dict[str, float] = {}
    with engine.begin() as connection:
        if d.pg:  # the rows are consistent by construction: no foreign-key trigger per row
            connection.execute(text("SET LOCAL session_replication_role = replica"))
        for name, sql in statements(shape, d):
            started = time.perf_counter()
            connection.execute(text(sql))
            took[name] = round(time.perf_counter() - started, 2)
        if d.pg:
            for table in SEQUENCES:
                connection.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                    )
                )
    started = time.perf_counter()
    if d.pg:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    took["vacuum_analyze"] = round(time.perf_counter() - started, 2)
    return took
