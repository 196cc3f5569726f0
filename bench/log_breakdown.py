#!/usr/bin/python3
"""Where a ccetl run's time goes, from the server's csvlog that scripts/bench writes.

scripts/bench runs ccetl with log_statement=all; every statement's start time is logged, so the
gap to the session's next statement is that statement's time (plus the client's time before the
next one). The COPY's gap is the streaming phase: fetch + decode + COPY, overlapped. A first
load COPYs straight into its new table and then builds the primary key (ALTER TABLE).
usage: log_breakdown.py PG_DATA/log/pg.csv
"""
import csv
import datetime
import sys

PHASES = [("CREATE TEMP TABLE ccetl_staging", "prepare"), ("COPY ccetl_staging", "fetch+decode+COPY"),
          ("ALTER TABLE", "primary key"),
          ("ANALYZE ccetl_staging", "ANALYZE staging"), ("SELECT 1 FROM ccetl_staging GROUP BY", "duplicate check"),
          ("SELECT 1 FROM", "target empty?"), ("SELECT count(*) FROM", "live count"),
          ("WITH src AS", "upsert"), ("SELECT count(*), count(*) FILTER", "delete counts"),
          ("SELECT (SELECT count(*)", "delete counts"), ("UPDATE", "soft delete"), ("DELETE FROM", "delete"),
          ("INSERT INTO ccetl.rejects", "rejects"), ("UPDATE ccetl.runs", "run row + COMMIT")]


def ts(s):
    fmt = "%Y-%m-%d %H:%M:%S.%f" if s[19] == "." else "%Y-%m-%d %H:%M:%S"
    return datetime.datetime.strptime(s[:23] if s[19] == "." else s[:19], fmt).timestamp()


def main():
    sessions = {}
    with open(sys.argv[1], newline="") as f:
        for r in csv.reader(f):
            if len(r) > 13 and r[13].startswith("statement: "):
                sessions.setdefault(r[5], []).append((ts(r[0]), r[13][11:], ts(r[8])))
    for sid, stmts in sessions.items():
        if not any(s.startswith("COPY ") and "FROM STDIN" in s for _, s, _ in stmts):
            continue
        # The session's end: the COMMIT is the last statement; its gap is unknown, count it as 0.
        parts = []
        for i, (t, s, _) in enumerate(stmts):
            nxt = stmts[i + 1][0] if i + 1 < len(stmts) else t
            name = next((n for p, n in PHASES if s.startswith(p)), None)
            if s.startswith("COPY ") and s.endswith("WITH (FREEZE)"):
                name = "fetch+decode+COPY (first load, no staging)"
            if name:
                parts.append((name, nxt - t))
        total = stmts[-1][0] - stmts[0][2]
        print(f"session {sid} ({total:.1f} s from connect to COMMIT): " +
              ", ".join(f"{n} {d:.2f} s" for n, d in parts if d >= 0.005))


if __name__ == "__main__":
    main()
