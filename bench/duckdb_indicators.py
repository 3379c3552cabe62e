"""The indicators of domain.md §7 for one unit's subtree and period, computed by DuckDB from
the raw rows of a chibo SQLite database exported to Parquet: the yardstick issue 11 compares
chibo's board view with (bench/duckdb.sh runs it). Written from the definitions in domain.md,
not from chibo's statements, and reading no roll-up: meetings from `meeting_stats` (one row a
meeting, its figures as the meeting's page computes them), the tree as it was on each row's
day from `unit_versions`.

Prints the median and p95 time of computing them all, and, given chibo's answer for the same
request (`GET /api/v1/units/{id}/indicators`), every figure on which the two disagree.

Usage: python duckdb_indicators.py --sqlite FILE --parquet DIR --unit ID --from D --to D
                                   [--today D] [--runs N] [--chibo FILE.json]
"""
import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import time

import duckdb

# The tables the indicators read, and their columns (booleans are 0/1 in SQLite).
TABLES = {
    "units": "id, established_on, dissolved_on",
    "unit_versions": "unit_id, parent_id, path, kind, valid_from, valid_to",
    "member_units": "member_id, unit_id, kind, valid_from, valid_to",
    "positions": "member_id, unit_id, term_from, term_to",
    "courses": "id, unit_id, ends_on",
    "course_participants": "id, course_id, member_id, completed",
    "inspections": "cell_id, status, done_on",
    "meeting_stats": "cell_id, meeting_date, kind, combined, held, sheet_members, present, "
    "tasked, attendance_ok, full_procedure, has_end_time, duration_ok, documents_on_time, "
    "superior_attended, level, tasks_given, tasks_reviewed, next_regular_on",
    "candidates": "unit_id, decided_on",
    "member_badges": "member_id, awarded_on",
    "thematic_topics": "unit_id, year",
    "cadre_tasks": "unit_id, member_id, year, status",
    "unit_reviews": "unit_id, year, level",
    "member_reviews": "cell_id, year, level",
}

DATES = {"established_on", "dissolved_on", "valid_from", "valid_to", "term_from", "term_to",
         "ends_on", "done_on", "meeting_date", "next_regular_on", "decided_on", "awarded_on"}


def export(sqlite_file, parquet_dir):
    """Each table to DIR/table.parquet through CSV (the SQLite shell's), once."""
    os.makedirs(parquet_dir, exist_ok=True)
    con = duckdb.connect()
    for table, columns in TABLES.items():
        target = os.path.join(parquet_dir, f"{table}.parquet")
        if os.path.exists(target):
            continue
        csv = os.path.join(parquet_dir, f"{table}.csv")
        names = [c.strip() for c in columns.split(",")]
        # The header written here: the shell writes none for an empty table.
        with open(csv, "w") as out:
            out.write(",".join(names) + "\n")
            out.flush()
            subprocess.run(["sqlite3", "-csv", sqlite_file, f"SELECT {columns} FROM {table}"],
                           stdout=out, check=True)
        types = {c: ("DATE" if c in DATES else "VARCHAR" if c in
                     ("path", "kind", "status", "level") else "BIGINT") for c in names}
        con.execute(f"COPY (SELECT * FROM read_csv('{csv}', header = true, delim = ',', quote = '\"', columns = {types!r})) "
                    f"TO '{target}' (FORMAT parquet)")
        os.remove(csv)


def year_end(y, to):
    return min(dt.date(y, 12, 31), to)


def months(frm, to, today):
    """(first, last, quarter key) of each month of the period cut to it, once it is over."""
    out, first = [], frm.replace(day=1)
    while first <= to:
        nxt = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        last = nxt - dt.timedelta(days=1)
        if min(last, to) < today:
            out.append((max(first, frm), min(last, to), first.year * 10 + (first.month - 1) // 3 + 1))
        first = nxt
    return out


def statements(root, frm, to, today):
    """The statements, each with the names of what it counts."""
    valid = lambda a, day: f"{a}.valid_from <= {day} AND ({a}.valid_to IS NULL OR {a}.valid_to > {day})"
    # Under the root as the tree was on `day`: below the root's path of that day, one test
    # for each version of the root (`root`: its paths with the days they held).
    under = lambda day: "(" + " OR ".join(
        f"({day} >= DATE '{since}'" + (f" AND {day} < DATE '{until}'" if until else "")
        + f" AND v.path LIKE '{path}%')" for path, since, until in root) + ")"
    f, t = f"DATE '{frm}'", f"DATE '{to}'"
    cells = "v.kind IN ('cell', 'base_cell')"
    out = []
    out.append((["members"], f"""
        SELECT COUNT(DISTINCT r.member_id) FROM unit_versions v
        JOIN member_units r ON r.unit_id = v.unit_id
        WHERE {valid('v', t)} AND {under(t)} AND {valid('r', t)}"""))
    out.append((["grassroots_orgs", "cells", "cells_with_groups", "cells_inspected"], f"""
        SELECT COUNT(*) FILTER (WHERE v.kind IN ('grassroots', 'base_cell')),
          COUNT(*) FILTER (WHERE {cells}),
          COUNT(*) FILTER (WHERE {cells} AND v.unit_id IN (SELECT g.parent_id FROM unit_versions g
            WHERE g.kind = 'group' AND {valid('g', t)})),
          COUNT(*) FILTER (WHERE {cells} AND v.unit_id IN (SELECT i.cell_id FROM inspections i
            WHERE i.status = 'done' AND i.done_on BETWEEN {f} AND {t}))
        FROM unit_versions v WHERE {valid('v', t)} AND {under(t)}"""))
    out.append((["officers", "officers_trained"], f"""
        WITH o AS (SELECT DISTINCT p.member_id FROM positions p
          JOIN unit_versions v ON v.unit_id = p.unit_id AND {valid('v', t)}
          WHERE {under(t)} AND {cells} AND p.term_from <= {t}
          AND (p.term_to IS NULL OR p.term_to > {t}))
        SELECT COUNT(*), COUNT(*) FILTER (WHERE member_id IN (SELECT cp.member_id
          FROM course_participants cp JOIN courses c ON c.id = cp.course_id
          WHERE cp.completed = 1 AND c.ends_on BETWEEN {f} AND {t})) FROM o"""))
    spans = months(frm, to, today)
    if spans:
        m = " UNION ALL ".join(f"SELECT DATE '{a}' AS start_on, DATE '{b}' AS end_on, {q} AS q"
                               for a, b, q in spans)
        out.append((["cell_months_met", "cell_months", "cells_every_month", "cells_expected",
                      "cells_every_quarter", "cells_with_quarter"], f"""
            WITH m AS ({m}),
            cm AS (SELECT v.unit_id AS cell, m.q,
                EXISTS (SELECT 1 FROM meeting_stats ms WHERE ms.cell_id = v.unit_id
                  AND ms.held = 1 AND ms.kind = 'regular'
                  AND ms.meeting_date BETWEEN m.start_on AND m.end_on)::INT AS regular,
                EXISTS (SELECT 1 FROM meeting_stats ms WHERE ms.cell_id = v.unit_id
                  AND ms.held = 1 AND (ms.kind = 'thematic' OR ms.combined = 1)
                  AND ms.meeting_date BETWEEN m.start_on AND m.end_on)::INT AS thematic
              FROM m JOIN unit_versions v ON {cells} AND {valid('v', 'm.end_on')} AND {under('m.end_on')}
              JOIN units u ON u.id = v.unit_id AND u.established_on <= m.start_on
                AND (u.dissolved_on IS NULL OR u.dissolved_on > m.end_on)),
            cq AS (SELECT cell, q, COUNT(*) AS months, SUM(regular) AS met, MIN(regular) AS every,
              MAX(thematic) AS thematic FROM cm GROUP BY cell, q),
            c AS (SELECT cell, SUM(months) AS months, SUM(met) AS met, MIN(every) AS every,
              MIN(thematic) FILTER (WHERE months = 3) AS quarters FROM cq GROUP BY cell)
            SELECT SUM(met), SUM(months), SUM(every), COUNT(*),
              COUNT(*) FILTER (WHERE quarters = 1), COUNT(quarters) FROM c"""))
    reg = "ms.kind = 'regular'"
    followed = f"ms.next_regular_on IS NOT NULL AND ms.next_regular_on <= {t}"
    out.append((["regular", "present", "sheet", "attendance_ok", "tasked", "held",
                 "full_procedure", "ended", "long_enough", "documents_on_time", "superior",
                 "level_tot", "level_kha", "level_trung_binh", "level_kem", "tasks_due_review",
                 "tasks_reviewed"], f"""
        SELECT COUNT(*) FILTER (WHERE {reg}),
          SUM(ms.present) FILTER (WHERE {reg}), SUM(ms.sheet_members) FILTER (WHERE {reg}),
          COUNT(*) FILTER (WHERE {reg} AND ms.attendance_ok = 1),
          SUM(ms.tasked) FILTER (WHERE {reg}), COUNT(*),
          COUNT(*) FILTER (WHERE ms.full_procedure = 1), COUNT(*) FILTER (WHERE ms.has_end_time = 1),
          COUNT(*) FILTER (WHERE ms.has_end_time = 1 AND ms.duration_ok = 1),
          COUNT(*) FILTER (WHERE ms.documents_on_time = 1),
          COUNT(*) FILTER (WHERE ms.superior_attended = 1),
          COUNT(*) FILTER (WHERE ms.level = 'tot'), COUNT(*) FILTER (WHERE ms.level = 'kha'),
          COUNT(*) FILTER (WHERE ms.level = 'trung_binh'), COUNT(*) FILTER (WHERE ms.level = 'kem'),
          SUM(ms.tasks_given) FILTER (WHERE {followed}),
          SUM(ms.tasks_reviewed) FILTER (WHERE {followed})
        FROM meeting_stats ms JOIN unit_versions v ON v.unit_id = ms.cell_id
          AND {valid('v', 'ms.meeting_date')}
        WHERE ms.held = 1 AND ms.meeting_date BETWEEN {f} AND {t} AND {under('ms.meeting_date')}"""))
    out.append((["courses", "trainee_times"], f"""
        SELECT COUNT(DISTINCT c.id), COUNT(cp.id) FROM courses c
        JOIN unit_versions v ON v.unit_id = c.unit_id AND {valid('v', 'c.ends_on')} AND {under('c.ends_on')}
        LEFT JOIN course_participants cp ON cp.course_id = c.id
        WHERE c.ends_on BETWEEN {f} AND {t}"""))
    out.append((["members_admitted"], f"""
        SELECT COUNT(*) FROM candidates k
        JOIN unit_versions v ON v.unit_id = k.unit_id AND {valid('v', 'k.decided_on')} AND {under('k.decided_on')}
        WHERE k.decided_on BETWEEN {f} AND {t}"""))
    out.append((["badges_awarded"], f"""
        SELECT COUNT(*) FROM member_badges b
        JOIN member_units r ON r.member_id = b.member_id AND r.kind = 'home'
          AND {valid('r', 'b.awarded_on')}
        JOIN unit_versions v ON v.unit_id = r.unit_id AND {valid('v', 'b.awarded_on')} AND {under('b.awarded_on')}
        WHERE b.awarded_on BETWEEN {f} AND {t}"""))
    years = range(frm.year, to.year + 1)
    yearly = lambda table, counts: " UNION ALL ".join(f"""
        SELECT {counts} FROM {table}
        JOIN unit_versions v ON v.unit_id = t.unit_id
          AND {valid('v', f"DATE '{year_end(y, to)}'")} AND {under(f"DATE '{year_end(y, to)}'")}
        WHERE t.year = {y}""" for y in years)
    out.append((["thematic_topics"], f"SELECT SUM(n) FROM ({yearly('thematic_topics t', 'COUNT(*) AS n')})"))
    out.append((["cadres_tasked", "cadre_tasks_given", "cadre_tasks_done"], f"""
        SELECT SUM(a), SUM(b), SUM(c) FROM ({yearly('cadre_tasks t',
            "COUNT(DISTINCT t.member_id) AS a, COUNT(*) AS b, COUNT(*) FILTER (WHERE t.status = 'done') AS c")})"""))
    good = "('excellent', 'good')"
    rated = [y for y in years if frm <= dt.date(y, 12, 31) <= to]
    cells_rated = " UNION ALL ".join(f"""
        SELECT COUNT(*) FILTER (WHERE t.level IN {good}) AS a, COUNT(*) AS b FROM unit_reviews t
        JOIN unit_versions v ON v.unit_id = t.unit_id AND {valid('v', f"DATE '{y}-12-31'")}
          AND {under(f"DATE '{y}-12-31'")} AND {cells} WHERE t.year = {y}""" for y in rated) or "SELECT 0 AS a, 0 AS b"
    members_rated = " UNION ALL ".join(f"""
        SELECT COUNT(*) FILTER (WHERE t.level IN {good}) AS a, COUNT(*) AS b FROM member_reviews t
        JOIN unit_versions v ON v.unit_id = t.cell_id AND {valid('v', f"DATE '{y}-12-31'")}
          AND {under(f"DATE '{y}-12-31'")} WHERE t.year = {y}""" for y in rated) or "SELECT 0 AS a, 0 AS b"
    out.append((["cells_good", "cells_rated"], f"SELECT SUM(a), SUM(b) FROM ({cells_rated})"))
    out.append((["members_good", "members_rated"], f"SELECT SUM(a), SUM(b) FROM ({members_rated})"))
    return out


# chibo's indicator codes as numerator and denominator of the counts above.
FIGURES = {
    "members": ("members", None), "grassroots_orgs": ("grassroots_orgs", None),
    "cells": ("cells", None), "cells_with_groups": ("cells_with_groups", None),
    "cell_months_met": ("cell_months_met", "cell_months"),
    "cells_meeting_monthly": ("cells_every_month", "cells_expected"),
    "cells_thematic_quarterly": ("cells_every_quarter", "cells_with_quarter"),
    "attendance_rate": ("present", "sheet"),
    "meetings_attendance_ok": ("attendance_ok", "regular"),
    "meetings_full_procedure": ("full_procedure", "held"),
    "meetings_min_duration": ("long_enough", "ended"),
    "documents_on_time": ("documents_on_time", "held"),
    "members_tasked": ("tasked", "sheet"),
    "tasks_followed_up": ("tasks_reviewed", "tasks_due_review"),
    "meeting_level_tot": ("level_tot", None), "meeting_level_kha": ("level_kha", None),
    "meeting_level_trung_binh": ("level_trung_binh", None),
    "meeting_level_kem": ("level_kem", None),
    "superior_attended": ("superior", "held"), "thematic_topics": ("thematic_topics", None),
    "cells_inspected": ("cells_inspected", "cells"),
    "officers_trained": ("officers_trained", "officers"),
    "courses": ("courses", None), "trainee_times": ("trainee_times", None),
    "members_admitted": ("members_admitted", None), "badges_awarded": ("badges_awarded", None),
    "cells_good_or_better": ("cells_good", "cells_rated"),
    "members_good_or_better": ("members_good", "members_rated"),
    "cadres_tasked": ("cadres_tasked", None), "cadre_tasks_given": ("cadre_tasks_given", None),
    "cadre_tasks_done": ("cadre_tasks_done", None),
}


def compute(con, stmts):
    counts = {}
    for names, sql in stmts:
        row = con.execute(sql).fetchone()
        counts.update({n: int(v or 0) for n, v in zip(names, row)})
    return counts


def main():
    a = argparse.ArgumentParser()
    a.add_argument("--sqlite", required=True)
    a.add_argument("--parquet", required=True)
    a.add_argument("--unit", type=int, required=True)
    a.add_argument("--from", dest="frm", type=dt.date.fromisoformat, required=True)
    a.add_argument("--to", type=dt.date.fromisoformat, required=True)
    a.add_argument("--today", type=dt.date.fromisoformat, default=dt.date.today())
    a.add_argument("--runs", type=int, default=5)
    a.add_argument("--chibo")
    args = a.parse_args()
    t0 = time.time()
    export(args.sqlite, args.parquet)
    exported = time.time() - t0
    con = duckdb.connect()
    for table in TABLES:
        con.execute(f"CREATE VIEW {table} AS SELECT * FROM "
                    f"read_parquet('{os.path.join(args.parquet, table + '.parquet')}')")
    root = con.execute(f"SELECT path, valid_from, valid_to FROM unit_versions "
                       f"WHERE unit_id = {args.unit}").fetchall()
    stmts = statements(root, args.frm, args.to, args.today)
    times, counts = [], None
    for _ in range(args.runs):
        t = time.perf_counter()
        counts = compute(con, stmts)
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, max(0, round(len(times) * 0.95) - 1))]
    print(f"duckdb {duckdb.__version__}: every indicator of unit {args.unit} from {args.frm} "
          f"to {args.to}, {args.runs} runs: p50 {statistics.median(times):.0f} ms, "
          f"p95 {p95:.0f} ms (export to Parquet {exported:.1f} s)")
    if args.chibo:
        chibo = {i["code"]: i for i in json.load(open(args.chibo))["indicators"]}
        wrong = []
        for code, (num, den) in FIGURES.items():
            c = chibo.get(code)
            want = (counts[num], counts[den] if den else None)
            got = (c["numerator"], c["denominator"]) if c else None
            if got != want:
                wrong.append(f"{code}: chibo {got}, duckdb {want}")
        print("figures: the same as chibo's" if not wrong else
              "figures that differ from chibo's:\n  " + "\n  ".join(wrong))
        return 1 if wrong else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
