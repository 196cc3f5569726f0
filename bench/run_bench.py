#!/usr/bin/python3
"""The benchmark driver behind scripts/bench (see bench/RESULTS.md for what is measured and why).

Starts a private PostgreSQL 15 cluster and the simulator, runs every measurement of one size in
the same run, prints one markdown table and writes bench/RESULTS.md.
"""
import argparse
import concurrent.futures
import csv
import datetime
import glob
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import fanout_bench

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PGBIN = "/usr/lib/postgresql/15/bin"
API_KEY = "bench-key"
# 12 fields: ID (short string) + 11 typed fields (~200-character strings, integers, doubles,
# dates, a boolean). The simulator's synthetic strings are all ~200 characters; ID is the short one.
FIELD_TYPES = ["string", "string", "string", "integer", "integer", "double", "double",
               "date", "date", "boolean", "string"]
PG_SETTINGS = {
    "shared_buffers": "512MB", "work_mem": "64MB", "maintenance_work_mem": "256MB",
    "effective_cache_size": "4GB", "wal_buffers": "16MB", "max_wal_size": "8GB",
    "checkpoint_timeout": "30min", "fsync": "on", "synchronous_commit": "on",
    "full_page_writes": "on", "logging_collector": "on", "log_destination": "csvlog",
    "log_filename": "'pg.log'", "autovacuum": "on",
}


def log(msg):
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def as_pg(cmd):
    return (["runuser", "-u", "postgres", "--"] + cmd) if os.getuid() == 0 else cmd


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Postgres:
    def __init__(self, tmp):
        self.dir = os.path.join(tmp, "pg")
        self.sock = os.path.join(tmp, "sock")
        os.makedirs(self.dir)
        os.makedirs(self.sock)
        if os.getuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
            shutil.chown(self.sock, "postgres", "postgres")
            shutil.chown(tmp, "postgres", "postgres")
        run(as_pg([f"{PGBIN}/initdb", "-D", self.dir, "-U", "postgres", "-A", "trust", "-E", "UTF8",
                   "--locale=C.UTF-8"]), stdout=subprocess.DEVNULL)
        with open(os.path.join(self.dir, "postgresql.conf"), "a") as f:
            for k, v in PG_SETTINGS.items():
                f.write(f"{k} = {v}\n")
            f.write(f"log_directory = '{self.dir}/log'\n")
        self.port = free_port()
        run(as_pg([f"{PGBIN}/pg_ctl", "-D", self.dir, "-w", "-l", os.path.join(tmp, "pg.out"),
                   "-o", f"-p {self.port} -k {self.sock} -c listen_addresses=", "start"]), stdout=subprocess.DEVNULL)
        self.dsn = f"host={self.sock} port={self.port} user=postgres dbname=postgres"
        self.csvlog = os.path.join(self.dir, "log", "pg.csv")

    def stop(self):
        subprocess.run(as_pg([f"{PGBIN}/pg_ctl", "-D", self.dir, "-m", "fast", "stop"]),
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def sql(self, query):
        out = run(["psql", self.dsn, "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-c", query],
                  capture_output=True, text=True).stdout
        return out.strip()

    def tuples(self, schema, table):
        time.sleep(0.6)  # a finished backend's counters reach the shared stats at its exit
        v = self.sql("SELECT pg_stat_force_next_flush(); SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) "
                     f"FROM pg_stat_user_tables WHERE schemaname = '{schema}' AND relname = '{table}'")
        return int(v.splitlines()[-1] or 0)

    def wal_lsn(self):
        return self.sql("SELECT pg_current_wal_insert_lsn()")

    def wal_since(self, lsn):
        """WAL bytes written since `lsn` (by everyone: autovacuum included)."""
        return int(float(self.sql(f"SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '{lsn}')")))

    def table_bytes(self, rel):
        return int(self.sql(f"SELECT pg_table_size('{rel}')"))

    def log_rows(self):
        time.sleep(0.3)
        if not os.path.exists(self.csvlog):
            return []
        with open(self.csvlog, newline="") as f:
            return [r[13] for r in csv.reader(f) if len(r) > 13]


class Simulator:
    def __init__(self, binary, args, logfile):
        self.proc = subprocess.Popen([binary, "--port", "0", "--api-key", API_KEY, "--no-examples"] + args,
                                     stdout=subprocess.PIPE, stderr=open(logfile, "w"), text=True)
        line = self.proc.stdout.readline()
        m = re.match(r"listening on (\S+)", line)
        if not m:
            raise SystemExit(f"simulator did not start: {line!r}")
        self.addr = m.group(1)
        self.base = f"http://{self.addr}"

    def call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=600) as resp:
            return json.load(resp)

    def put_dataset(self, report, rows, version=0):
        self.call("PUT", "/_sim/datasets", {
            "path": f"/projects/Bench/feedbackDataPackages/{report}", "resultsPerPage": 1000,
            "synthetic": {"rows": rows, "seed": 1, "fields": FIELD_TYPES, "emptyRatio": 0.1, "multiRatio": 0.05,
                          "unicode": True, "version": version, "changeRatio": 0.1, "deleteRatio": 0.01}})

    def page(self, report, page):
        url = f"{self.base}/api/v1/projects/Bench/feedbackDataPackages/{report}?apiKey={API_KEY}&page={page}"
        with urllib.request.urlopen(url, timeout=600) as resp:
            return resp.read()

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=10)


def write_config(path, sim, pg, job, report, rate_limit, history=False):
    # CCETL_BENCH_MAX_IN_FLIGHT overrides ccetl's default (for experiments).
    mif = os.environ.get("CCETL_BENCH_MAX_IN_FLIGHT")
    mif = f"  max_in_flight: {int(mif)}\n" if mif else ""
    with open(path, "w") as f:
        f.write(f"""centercode:
  base_url: {sim.base}/api/v1
  api_key: {API_KEY}
  allow_insecure_http: true
  rate_limit: {rate_limit}
{mif}warehouse:
  dsn: "{pg.dsn}"
  schema: bench
jobs:
  - name: {job}
    source: {{scope: project_feedback, project: Bench, report: {report}}}
    key: [ID]
    deletes: soft
""" + ("    history: true\n" if history else ""))


def timed(cmd, env=None):
    """Runs cmd under /usr/bin/time -v; returns (wall seconds, peak RSS in MB, stdout)."""
    t0 = time.monotonic()
    p = subprocess.run(["/usr/bin/time", "-v"] + cmd, capture_output=True, text=True, env=env)
    wall = time.monotonic() - t0
    if p.returncode != 0:
        raise SystemExit(f"{cmd[0]} failed ({p.returncode}):\n{p.stdout[-3000:]}\n{p.stderr[-3000:]}")
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr).group(1)) / 1024
    cpu = sum(float(re.search(rf"{k} time \(seconds\): ([\d.]+)", p.stderr).group(1)) for k in ("User", "System"))
    log(f"{os.path.basename(cmd[0])}: wall {wall:.1f} s, CPU {cpu:.1f} s, peak RSS {rss:.1f} MB")
    return wall, rss, p.stdout


def ccetl_sync(ctx, cfg, job, history=False):
    """One `ccetl run`. With history, also the tuples written to the job's history table."""
    env = dict(os.environ, PGOPTIONS="-c log_statement=all")
    before = ctx.pg.tuples("bench", job)
    hist_before = ctx.pg.tuples("bench", f"{job}_history") if history else 0
    nlog = len(ctx.pg.log_rows())
    lsn = ctx.pg.wal_lsn()
    wall, rss, _ = timed([ctx.bin("ccetl"), "run", "-c", cfg], env=env)
    wal = ctx.pg.wal_since(lsn)
    tuples = ctx.pg.tuples("bench", job) - before
    hist_tuples = ctx.pg.tuples("bench", f"{job}_history") - hist_before if history else 0
    stmts = ctx.pg.log_rows()[nlog:]
    r = ctx.pg.sql(f"SELECT rows_read, inserted, updated, unchanged, deleted, status FROM ccetl.runs "
                   f"WHERE job = '{job}' ORDER BY started_at DESC LIMIT 1").split("|")
    return {"wall": wall, "rss": rss, "rows": int(r[0]), "tuples": tuples, "stmts": stmts, "wal": wal,
            "history_tuples": hist_tuples, "counts": f"ins {r[1]} upd {r[2]} same {r[3]} del {r[4]}"}


def merge_script(stmts, target, floor_table, copy_file, first_load=False):
    """ccetl's own statements for a staged load, from the server log, replayed on floor_table with
    \\copy. first_load: the statements a staged loader runs into an empty table (ccetl's own first
    load skips staging, so they are derived from a resync's: no ON CONFLICT, no delete detection)."""
    out = ["BEGIN;"]
    for s in stmts:
        s = s.removeprefix("statement: ")
        deletes = s.startswith(f"SELECT (SELECT count(*) FROM {target}") \
            or s.startswith(f"UPDATE {target} t SET") or s.startswith(f"DELETE FROM {target} t")
        if first_load and deletes:
            continue
        if first_load and s.startswith("WITH src AS"):
            s = re.sub(r"\n  ON CONFLICT .*?\n(?=  RETURNING)", "\n", s, flags=re.S)
        live_count = s.startswith(f"SELECT count(*) FROM {target}")
        if first_load and live_count:
            continue
        if s.startswith("CREATE TEMP TABLE ccetl_staging") or s.startswith("ANALYZE ccetl_staging") \
                or s.startswith("WITH src AS") or s.startswith(f"SELECT 1 FROM {target}") or deletes \
                or s.startswith("SELECT 1 FROM ccetl_staging") or s.startswith("SET LOCAL jit") or live_count:
            out.append(s.replace(target, floor_table) + ";")
        elif s.startswith("COPY ccetl_staging"):
            cols = re.match(r"COPY ccetl_staging \((.*)\) FROM STDIN", s).group(1)
            out.append(f"\\copy ccetl_staging ({cols}) FROM '{copy_file}'")
    out.append("COMMIT;")
    return "\n".join(out) + "\n"


def staging_columns(stmts):
    for s in stmts:
        m = re.match(r"statement: COPY ccetl_staging \((.*)\) FROM STDIN", s)
        if m:
            return [c.strip() for c in m.group(1).split(",")]
    raise SystemExit("no COPY statement in the server log")


def target_table(stmts):
    for s in stmts:
        m = re.search(r"INSERT INTO (\S+) AS t", s)
        if m:
            return m.group(1)
    raise SystemExit("no upsert in the server log")


def export_copy(pg, stmts, target, path, only_live):
    cols = staging_columns(stmts)
    key = cols[1]  # _seq, then the key column (ID comes first in the package)
    # Staging's _same (a marker line, ccetl's own lookup) is not in the table: every exported
    # row is a full row.
    select = ", ".join([f"row_number() OVER (ORDER BY {key})"] + ["false" if c.strip(chr(34)) == "_same" else c for c in cols[1:]])
    where = " WHERE _deleted_at IS NULL" if only_live else ""
    pg.sql(f"COPY (SELECT {select} FROM {target}{where} ORDER BY {key}) TO '{path}'")


def plain_merge_script(stmts, plain_table, copy_file):
    """The staged merge a careful user writes by hand (the headline reference): \\copy the rows into
    a temp table, then one INSERT ... SELECT ... ON CONFLICT (key) DO UPDATE ... WHERE (...) IS
    DISTINCT FROM (...). No deduplication, no ANALYZE, no delete detection, no bookkeeping. The temp
    table has the copy file's columns (ccetl's staging columns: _seq, the key, the data columns)."""
    cols = staging_columns(stmts)
    # ccetl's _row_hash is in the file (the same file the replay uses) but not in this merge.
    used = [c for c in cols[1:] if c.strip(chr(34)) not in ("_row_hash", "_same")]
    key, data = used[0], used[1:]
    lst = ", ".join(used)
    return "\n".join([
        "BEGIN;",
        f"CREATE TEMP TABLE plain_stage ON COMMIT DROP AS SELECT 0::bigint AS _seq, "
        f"{', '.join('false AS _same' if c.strip(chr(34)) == '_same' else c for c in cols[1:])} FROM {plain_table} LIMIT 0;",
        f"\\copy plain_stage ({', '.join(cols)}) FROM '{copy_file}'",
        f"INSERT INTO {plain_table} AS t ({lst}, _synced_at) SELECT {lst}, now() FROM plain_stage\n"
        f"  ON CONFLICT ({key}) DO UPDATE SET " + ", ".join(f"{c} = EXCLUDED.{c}" for c in data) + ", _synced_at = now()\n"
        f"  WHERE ({', '.join('t.' + c for c in data)}) IS DISTINCT FROM ({', '.join('EXCLUDED.' + c for c in data)});",
        "COMMIT;"]) + "\n"


def floor_load(ctx, script_text, floor_rel, name):
    path = os.path.join(ctx.tmp, f"{name}.sql")
    with open(path, "w") as f:
        f.write(script_text)
    before = ctx.pg.tuples("bench", floor_rel)
    lsn = ctx.pg.wal_lsn()
    t0 = time.monotonic()
    run(["psql", ctx.pg.dsn, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", path], stdout=subprocess.DEVNULL)
    wall = time.monotonic() - t0
    wal = ctx.pg.wal_since(lsn)
    return {"wall": wall, "tuples": ctx.pg.tuples("bench", floor_rel) - before, "wal": wal}


class Ctx:
    def __init__(self, args):
        self.args = args
        self.tmp = tempfile.mkdtemp(prefix="ccetl-bench-")
        os.chmod(self.tmp, 0o755)
        self.pg = None
        self.sims = []

    def bin(self, name):
        return os.path.join(ROOT, self.args.build_dir, name)

    def stop_servers(self):
        """Stops every simulator and the PostgreSQL cluster this context started."""
        for s in self.sims:
            try:
                s.stop()
            except Exception:
                pass
        if self.pg:
            self.pg.stop()


def bench_size(ctx, sim, n):
    report, job = f"Feedback{n}", f"feedback_{n}"
    sim.put_dataset(report, n, version=0)
    res = {"n": n}
    # The source's own ceiling: every page fetched 4 at a time (ccetl's max_in_flight), bodies dropped.
    log(f"{n}: simulator alone")
    t0 = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda p: len(sim.page(report, p)), range(1, (n + 999) // 1000 + 2)))
    res["source"] = {"wall": time.monotonic() - t0}
    # 4. The Python baseline, first sync (version 0); its rate does not depend on the size, so
    # sizes above --python-max-rows leave it out (it needs ~3 minutes per million rows).
    ctx.pg.sql("CREATE SCHEMA IF NOT EXISTS py")
    if n <= ctx.args.python_max_rows:
        log(f"{n}: python baseline")
        wall, rss, out = timed(["/usr/bin/python3", os.path.join(ROOT, "bench", "baseline_sync.py"),
                                sim.base + "/api/v1", f"/projects/Bench/feedbackDataPackages/{report}", API_KEY,
                                ctx.pg.dsn, f"py.{job}"])
        res["py"] = {"wall": wall, "rss": rss, "rows": json.loads(out)["rows"]}
    # 2. ccetl: first sync, unchanged resync, changed resync.
    cfg = os.path.join(ctx.tmp, f"{job}.yaml")
    write_config(cfg, sim, ctx.pg, job, report, 10000)
    log(f"{n}: ccetl first sync")
    res["first"] = ccetl_sync(ctx, cfg, job)
    log(f"{n}: ccetl unchanged resync")
    res["same"] = ccetl_sync(ctx, cfg, job)
    target = target_table(res["same"]["stmts"])
    v0 = os.path.join(ctx.tmp, f"{job}.v0.copy")
    export_copy(ctx.pg, res["same"]["stmts"], target, v0, False)
    # 5. History's cost: a second job with `history: true` on the same package loads it (and an
    # unchanged resync) at version 0, so that both jobs meet version 1's changes from the same state.
    hjob = f"{job}_h"
    hcfg = os.path.join(ctx.tmp, f"{hjob}.yaml")
    if "history" not in ctx.args.skip:
        write_config(hcfg, sim, ctx.pg, hjob, report, 10000, history=True)
        log(f"{n}: ccetl first sync with history")
        res["h_first"] = ccetl_sync(ctx, hcfg, hjob, history=True)
        log(f"{n}: ccetl unchanged resync with history")
        res["h_same"] = ccetl_sync(ctx, hcfg, hjob, history=True)
    sim.put_dataset(report, n, version=1)
    log(f"{n}: ccetl changed resync")
    res["changed"] = ccetl_sync(ctx, cfg, job)
    if "history" not in ctx.args.skip:
        log(f"{n}: ccetl changed resync with history")
        res["h_changed"] = ccetl_sync(ctx, hcfg, hjob, history=True)
        res["h_versions"] = int(ctx.pg.sql(f"SELECT count(*) FROM bench.{hjob}_history"))
        for k in ("h_first", "h_same", "h_changed"):
            res[k].pop("stmts")
        ctx.pg.sql(f"DROP VIEW bench.{hjob}_v, bench.{hjob}_history_v; DROP TABLE bench.{hjob}, bench.{hjob}_history")
    v1 = os.path.join(ctx.tmp, f"{job}.v1.copy")
    export_copy(ctx.pg, res["changed"]["stmts"], target, v1, True)
    # 3. PostgreSQL's limit: the same rows as COPY text, \copy into staging + ccetl's merge SQL.
    floor_rel = f"floor_{n}"
    floor = f"bench.{floor_rel}"
    ctx.pg.sql(f"CREATE TABLE {floor} (LIKE {target} INCLUDING ALL)")
    log(f"{n}: PostgreSQL floor")
    res["floor_first"] = floor_load(ctx, merge_script(res["same"]["stmts"], target, floor, v0, True), floor_rel, "f1")
    res["floor_same"] = floor_load(ctx, merge_script(res["same"]["stmts"], target, floor, v0), floor_rel, "f2")
    res["floor_changed"] = floor_load(ctx, merge_script(res["changed"]["stmts"], target, floor, v1), floor_rel, "f3")
    # The headline reference: the plain staged merge a careful user writes by hand, same rows.
    plain_rel = f"plain_{n}"
    plain = f"bench.{plain_rel}"
    ctx.pg.sql(f"CREATE TABLE {plain} (LIKE {target} INCLUDING ALL)")
    log(f"{n}: plain staged merge")
    res["plain_first"] = floor_load(ctx, plain_merge_script(res["same"]["stmts"], plain, v0), plain_rel, "p1")
    res["plain_same"] = floor_load(ctx, plain_merge_script(res["same"]["stmts"], plain, v0), plain_rel, "p2")
    res["plain_changed"] = floor_load(ctx, plain_merge_script(res["changed"]["stmts"], plain, v1), plain_rel, "p3")
    ctx.pg.sql(f"DROP TABLE {plain}")
    res["table_bytes"] = ctx.pg.table_bytes(target)
    res["copy_bytes"] = os.path.getsize(v0)
    for k in ("first", "same", "changed"):
        res[k].pop("stmts")
    for p in (v0, v1):
        os.remove(p)
    ctx.pg.sql(f"DROP TABLE {floor}; DROP TABLE IF EXISTS py.{job}")
    return res


def bench_rss(ctx, sim, n):
    """Peak RSS of a first sync of n rows (no resyncs, no references): flat to 5M rows."""
    report, job = f"Feedback{n}", f"feedback_{n}"
    sim.put_dataset(report, n, version=0)
    cfg = os.path.join(ctx.tmp, f"{job}.yaml")
    write_config(cfg, sim, ctx.pg, job, report, 10000)
    log(f"{n}: ccetl first sync (RSS only)")
    r = ccetl_sync(ctx, cfg, job)
    r.pop("stmts")
    ctx.pg.sql(f"DROP VIEW IF EXISTS bench.{job}_v; DROP TABLE bench.{job}")
    return {"n": n, "first": r}


def bench_decode(ctx, sim):
    """1. The decoder alone on pages recorded from the simulator (20 pages of the same package)."""
    pages = os.path.join(ctx.tmp, "pages")
    os.makedirs(pages)
    sim.put_dataset("Recorded", 20000)
    for p in range(1, 21):
        with open(os.path.join(pages, f"{p:04d}.json"), "wb") as f:
            f.write(sim.page("Recorded", p))
    env = dict(os.environ, CCETL_BENCH_PAGES=pages)
    out = run([ctx.bin("bench/decode_bench"), "--benchmark_filter=BM_DecodeRecorded",
               "--benchmark_format=json", "--benchmark_min_time=3"], capture_output=True, text=True, env=env).stdout
    b = json.loads(out)["benchmarks"][0]
    size = sum(os.path.getsize(p) for p in glob.glob(pages + "/*.json"))
    return {"mbps": b["bytes_per_second"] / 1e6, "rows_per_s": b["rows/s"], "page_bytes": size / 20}


def bench_rate(ctx):
    """5. Rate budget: 10 requests/s, 300 ms latency per request, 200 pages."""
    sim = Simulator(ctx.bin("centercode-sim"), ["--rate-limit", "10", "--fault-latency-ms", "300"],
                    os.path.join(ctx.tmp, "sim-rate.log"))
    ctx.sims.append(sim)
    sim.put_dataset("Rate", 200000)
    cfg = os.path.join(ctx.tmp, "rate.yaml")
    write_config(cfg, sim, ctx.pg, "rate_budget", "Rate", 10)
    wall, rss, _ = timed([ctx.bin("ccetl"), "run", "-c", cfg])
    reqs = [r for r in sim.call("GET", "/_sim/requests") if "/Rate" in r["path"]]
    ok = [r for r in reqs if r["status"] == 200]
    times = sorted(datetime.datetime.fromisoformat(r["timestamp"].replace("Z", "+00:00")).timestamp() for r in ok)
    # Requests spaced exactly at the limit (one every 0.1 s) give 10.0: n / (span + 1/limit).
    rate = len(ok) / (times[-1] - times[0] + 0.1)
    return {"pages": len(ok), "rate": rate, "r429": sum(1 for r in reqs if r["status"] == 429),
            "other": sum(1 for r in reqs if r["status"] not in (200, 429)), "wall": wall}


def machine():
    model = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    mem = next((int(l.split()[1]) for l in open("/proc/meminfo") if l.startswith("MemTotal")), 0)
    return (f"`nproc` {os.cpu_count()}, {model}, {mem / 1048576:.1f} GiB RAM, {platform.system()} "
            f"{platform.release()}, {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC")


def fmt_rate(x):
    return f"{x / 1e6:.2f} M" if x >= 1e6 else f"{x / 1e3:.1f} k" if x >= 1e3 else f"{x:.1f}"


def table(decode, sizes, rate, big=None):
    rows = ["| measurement | rows | value | reference (same run) | ratio | target | met |",
            "| --- | ---: | --- | --- | ---: | --- | --- |"]
    def add(what, n, value, ref, ratio, target, met):
        rows.append(f"| {what} | {n} | {value} | {ref} | {ratio} | {target} | {'—' if met is None else 'yes' if met else '**no**'} |")
    if decode:
        add("decode (1 thread)", "20 000", f"{decode['mbps']:.0f} MB/s, {fmt_rate(decode['rows_per_s'])}rows/s",
            "1 GB/s per core", f"{decode['mbps'] / 1000:.2f}", "≥ 1.0", decode["mbps"] >= 1000)
    for s in sizes:
        n = s["n"]
        for phase, label, tgt in (("first", "first sync", 1.5), ("same", "unchanged resync", 1.0),
                                  ("changed", "resync 10% changed, 1% gone", 1.0)):
            r, f = s[phase], s["plain_" + phase]
            cr, fr = r["rows"] / r["wall"], r["rows"] / f["wall"]
            add(f"**ccetl {label} vs plain merge**", n,
                f"{r['wall']:.1f} s, {fmt_rate(cr)}rows/s, {r['tuples']} tuples ({r['counts']})",
                f"plain merge {f['wall']:.1f} s, {fmt_rate(fr)}rows/s, {f['tuples']} tuples", f"{cr / fr:.2f}",
                f"≥ {tgt}", cr / fr >= tgt)
        for phase, label in (("first", "first sync"), ("same", "unchanged resync"),
                             ("changed", "resync 10% changed, 1% gone")):
            r, f = s[phase], s["floor_" + phase]
            cr, fr = r["rows"] / r["wall"], r["rows"] / f["wall"]
            add(f"ccetl {label} vs replay floor", n, f"{r['wall']:.1f} s",
                f"replay of ccetl's SQL {f['wall']:.1f} s, {fmt_rate(fr)}rows/s, {f['tuples']} tuples",
                f"{cr / fr:.2f}", "(context)", None)
        same = s["same"]["tuples"]
        add("unchanged resync writes nothing (xmin unchanged)", n, f"{same} tuples", "—", "—", "0", same == 0)
        add("WAL of the unchanged resync", n, f"{s['same']['wal'] / 1e6:.1f} MB (table {s['table_bytes'] / 1e6:.0f} MB)",
            f"plain merge {s['plain_same']['wal'] / 1e6:.1f} MB", "—", "(report)", None)
        if "h_changed" in s:
            h, c = s["h_changed"], s["changed"]
            add("history: resync 10% changed, 1% gone", n,
                f"{h['wall']:.1f} s, {h['tuples']} table + {h['history_tuples']} history tuples ({h['counts']})",
                f"same resync without history {c['wall']:.1f} s, {c['tuples']} tuples",
                f"{c['wall'] / h['wall']:.2f}", "(context)", None)
            hs = s["h_same"]["tuples"] + s["h_same"]["history_tuples"]
            add("history: unchanged resync writes nothing", n, f"{hs} tuples ({s['h_same']['wall']:.1f} s)",
                f"without history {s['same']['wall']:.1f} s", "—", "0", hs == 0)
        src = n / s["source"]["wall"]
        add("simulator alone (4 in flight, no decode)", n, f"{s['source']['wall']:.1f} s, {fmt_rate(src)}rows/s",
            "ccetl first sync / this", f"{s['first']['rows'] / s['first']['wall'] / src:.2f}", "(context)", None)
        cr = s["first"]["rows"] / s["first"]["wall"]
        if "py" in s:
            py = s["py"]["rows"] / s["py"]["wall"]
            add("ccetl vs Python baseline (first sync)", n, f"{fmt_rate(cr)}rows/s",
                f"Python {s['py']['wall']:.1f} s, {fmt_rate(py)}rows/s", f"{cr / py:.1f}", "≥ 5", cr / py >= 5)
        rss = max(s[p]["rss"] for p in ("first", "same", "changed"))
        py_rss = f"Python {s['py']['rss']:.0f} MB" if "py" in s else "—"
        add("ccetl peak RSS", n, f"{rss:.1f} MB", py_rss, "—", "≤ 48 MB", rss <= 48)
    if big:
        add("ccetl peak RSS (first sync only)", big["n"], f"{big['first']['rss']:.1f} MB",
            f"{big['first']['wall']:.1f} s, {fmt_rate(big['first']['rows'] / big['first']['wall'])}rows/s",
            "—", "≤ 48 MB", big["first"]["rss"] <= 48)
    last = big or (sizes[-1] if len(sizes) > 1 else None)
    if sizes and last:
        lo = max(sizes[0][p]["rss"] for p in ("first", "same", "changed"))
        hi = max(last[p]["rss"] for p in ("first", "same", "changed") if p in last)
        add("peak RSS flat", f"{last['n']} vs {sizes[0]['n']}", f"{hi:.1f} MB", f"{lo:.1f} MB",
            f"{hi / lo:.2f}", "≤ 1.10", hi <= lo * 1.10)
    if rate:
        add("rate budget (10 req/s, 300 ms latency)", "200 pages",
            f"{rate['rate']:.2f} pages/s, {rate['r429']} × 429", "ceiling 10 pages/s", f"{rate['rate'] / 10:.2f}",
            "≥ 0.95, 0 × 429", rate["rate"] / 10 >= 0.95 and rate["r429"] == 0)
    return "\n".join(rows)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="100000,300000,1000000")
    ap.add_argument("--rss-size", type=int, default=5000000,
                    help="a first sync of this many rows for peak RSS only (0: none)")
    ap.add_argument("--quick", action="store_true", help="20 000 rows, a smoke run")
    ap.add_argument("--build-dir", default="build-release")
    ap.add_argument("--python-max-rows", type=int, default=1000000,
                    help="run the Python baseline only at sizes up to this (default 1000000)")
    ap.add_argument("--skip", default="", help="comma list of: decode,sync,rate,history,fanout")
    ap.add_argument("--results", default=os.path.join(ROOT, "bench", "RESULTS.md"))
    args = ap.parse_args()
    sizes = [20000] if args.quick else [int(x) for x in args.sizes.split(",") if x]
    skip = set(filter(None, args.skip.split(",")))
    ctx = Ctx(args)
    try:
        log(f"work dir {ctx.tmp}")
        ctx.pg = Postgres(ctx.tmp)
        sim = Simulator(ctx.bin("centercode-sim"), ["--rate-limit", "0"], os.path.join(ctx.tmp, "sim.log"))
        ctx.sims.append(sim)
        decode = None if "decode" in skip else bench_decode(ctx, sim)
        results = [] if "sync" in skip else [bench_size(ctx, sim, n) for n in sizes]
        big = None if "sync" in skip or args.quick or not args.rss_size else bench_rss(ctx, sim, args.rss_size)
        rate = None if "rate" in skip else bench_rate(ctx)
        fanout = None if "fanout" in skip else fanout_bench.rows(ctx, sys.modules[__name__])
        md = table(decode, results, rate, big) + ("\n" + "\n".join(fanout[0]) if fanout else "")
        print(md)
        with open(os.path.join(ctx.tmp, "results.json"), "w") as f:
            json.dump({"decode": decode, "sizes": results, "rss": big, "rate": rate,
                       "fanout": fanout and fanout[1]}, f, indent=1)
        write_results(args, md, decode, results, rate)
    finally:
        ctx.stop_servers()
        if not os.environ.get("CCETL_BENCH_KEEP"):
            shutil.rmtree(ctx.tmp, ignore_errors=True)


def write_results(args, md, decode, results, rate):
    """Replaces the measured block of bench/RESULTS.md, keeping the hand-written analysis around it."""
    block = (f"<!-- measured: begin -->\nMachine: {machine()}.\n"
             f"Command: `scripts/bench {' '.join(sys.argv[1:])}`; PostgreSQL 15 settings: "
             + ", ".join(f"{k}={v.strip(chr(39))}" for k, v in PG_SETTINGS.items()
                         if k not in ("logging_collector", "log_destination", "log_filename"))
             + f".\n\n{md}\n<!-- measured: end -->")
    text = open(args.results).read() if os.path.exists(args.results) else "# Benchmark results\n\n<!-- measured: begin -->\n<!-- measured: end -->\n"
    text = re.sub(r"<!-- measured: begin -->.*<!-- measured: end -->", lambda _: block, text, flags=re.S)
    with open(args.results, "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
