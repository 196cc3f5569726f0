#!/usr/bin/python3
"""Fan-out benchmarks (issue 15): one fan-out job over 12 projects, and several daemon jobs at once.

Called from run_bench.py (`rows(ctx, helpers)` adds its rows to the results table); also runs on
its own against any build, e.g. to measure a build from before a change:
    python3 bench/fanout_bench.py --build-dir build [--ccetl /path/to/other/ccetl]

1. Fan-out: 12 projects x 3 pages (1000 rows of the benchmark's 12 fields each, ~2.5 MB a page),
   300 ms simulator latency, the API's 10 req/s per endpoint, max_in_flight 6. The reference is
   what the budget allows: requests x latency / max_in_flight. Also checked: rows exact (36 000
   in the table and read), 0 x 429, peak RSS.
2. Multi-job: 3 jobs on different endpoints in one `ccetl daemon`, each latency-bound
   (max_in_flight 2 at 300 ms = 6.67 pages/s, below the 10 req/s limit), 60 pages each. The
   aggregate pages/s over the span of their requests (first request to last answer) is compared
   with the sum of their ceilings.
"""
import argparse
import datetime
import os
import signal
import subprocess
import sys
import time

LATENCY = 0.3
FAN_PROJECTS = 12
FAN_PAGES = 3
FAN_IN_FLIGHT = 6
MULTI_JOBS = 3
MULTI_PAGES = 60
MULTI_IN_FLIGHT = 2


def _ts(r):
    return datetime.datetime.fromisoformat(r["timestamp"].replace("Z", "+00:00")).timestamp()


def _config(path, sim, pg, in_flight, jobs, daemon=""):
    with open(path, "w") as f:
        f.write(f"""centercode:
  base_url: {sim.base}/api/v1
  api_key: {sim.api_key}
  allow_insecure_http: true
  rate_limit: 10
  max_in_flight: {in_flight}
warehouse:
  dsn: "{pg.dsn}"
  schema: fan
{daemon}jobs:
{jobs}""")


def bench_fanout(ctx, h, ccetl):
    sim = h.Simulator(ctx.bin("centercode-sim"), ["--rate-limit", "10", "--fault-latency-ms", str(int(LATENCY * 1000))],
                      os.path.join(ctx.tmp, "sim-fanout.log"))
    sim.api_key = h.API_KEY
    ctx.sims.append(sim)
    projects = [f"P{i:02d}" for i in range(1, FAN_PROJECTS + 1)]
    for i, p in enumerate(projects):
        sim.call("PUT", "/_sim/datasets", {
            "path": f"/projects/{p}/feedbackDataPackages/Fan", "resultsPerPage": 1000,
            "synthetic": {"rows": 1000 * FAN_PAGES, "seed": i + 1, "fields": h.FIELD_TYPES, "emptyRatio": 0.1,
                          "multiRatio": 0.05, "unicode": True}})
    job = "fan_out"
    ctx.pg.sql(f"DROP SCHEMA IF EXISTS fan CASCADE; DELETE FROM ccetl.runs WHERE job = '{job}'"
               if ctx.pg.sql("SELECT to_regclass('ccetl.runs') IS NOT NULL") == "t" else "DROP SCHEMA IF EXISTS fan CASCADE")
    cfg = os.path.join(ctx.tmp, "fanout.yaml")
    _config(cfg, sim, ctx.pg, FAN_IN_FLIGHT, f"""  - name: {job}
    source: {{scope: project_feedback, report: Fan}}
    projects: [{", ".join(projects)}]
    key: [ID]
    deletes: soft
""")
    wall, rss, _ = h.timed([ccetl, "run", "-c", cfg])
    reqs = [r for r in sim.call("GET", "/_sim/requests") if r["path"].endswith("/feedbackDataPackages/Fan")]
    ok = [r for r in reqs if r["status"] == 200]
    times = sorted(_ts(r) for r in ok)
    span = times[-1] - times[0] + LATENCY  # first request to last answer
    # The most requests of different projects in flight at once (a request is in flight from
    # its arrival for LATENCY seconds).
    overlap = max(len({r["path"] for r in ok if _ts(r) <= _ts(q) < _ts(r) + LATENCY}) for q in ok)
    if os.environ.get("CCETL_BENCH_TRACE"):
        for r in sorted(ok, key=_ts):
            h.log(f"{_ts(r) - times[0]:6.3f} {r['path'].split('/')[4]} {r['query'].split('&')[0]}")
    rows = int(ctx.pg.sql(f"SELECT count(*) FROM fan.{job}"))
    read = int(ctx.pg.sql(f"SELECT rows_read FROM ccetl.runs WHERE job = '{job}' ORDER BY started_at DESC LIMIT 1"))
    sim.stop()
    ctx.sims.remove(sim)
    return {"wall": wall, "rss": rss, "requests": len(ok), "r429": sum(1 for r in reqs if r["status"] == 429),
            "other": sum(1 for r in reqs if r["status"] not in (200, 429)), "span": span, "overlap": overlap,
            "rows": rows, "read": read, "expected_rows": FAN_PROJECTS * FAN_PAGES * 1000,
            "ideal": len(ok) * LATENCY / FAN_IN_FLIGHT}


def bench_multi_job(ctx, h, ccetl):
    sim = h.Simulator(ctx.bin("centercode-sim"), ["--rate-limit", "10", "--fault-latency-ms", str(int(LATENCY * 1000))],
                      os.path.join(ctx.tmp, "sim-multi.log"))
    sim.api_key = h.API_KEY
    ctx.sims.append(sim)
    jobs = ""
    for j in range(1, MULTI_JOBS + 1):
        sim.call("PUT", "/_sim/datasets", {
            "path": f"/projects/M{j}/feedbackDataPackages/Multi", "resultsPerPage": 100,
            "synthetic": {"rows": 100 * MULTI_PAGES, "seed": j, "fields": 4}})
        jobs += f"""  - name: multi_{j}
    source: {{scope: project_feedback, project: M{j}, report: Multi}}
    key: [ID]
    interval: 1h
"""
    names = [f"multi_{j}" for j in range(1, MULTI_JOBS + 1)]
    if ctx.pg.sql("SELECT to_regclass('ccetl.runs') IS NOT NULL") == "t":
        ctx.pg.sql("DELETE FROM ccetl.runs WHERE job LIKE 'multi_%'")
    ctx.pg.sql("DROP TABLE IF EXISTS " + ", ".join(f"fan.{n}" for n in names) + " CASCADE")
    cfg = os.path.join(ctx.tmp, "multi.yaml")
    # Never run before: each job is due at once when the daemon starts (catch-up).
    _config(cfg, sim, ctx.pg, MULTI_IN_FLIGHT, jobs,
            f"daemon:\n  max_concurrent_jobs: {MULTI_JOBS + 1}\n  listen: 127.0.0.1:{h.free_port()}\n")
    with open(os.path.join(ctx.tmp, "daemon-multi.log"), "w") as logf:
        proc = subprocess.Popen([ccetl, "daemon", "-c", cfg], stdout=logf, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 300
        done = 0
        while time.monotonic() < deadline:
            time.sleep(0.5)
            if ctx.pg.sql("SELECT to_regclass('ccetl.runs') IS NOT NULL") != "t":
                continue
            done = int(ctx.pg.sql("SELECT count(*) FROM ccetl.runs WHERE job LIKE 'multi_%' "
                                  "AND status <> 'running' AND finished_at IS NOT NULL"))
            if done >= MULTI_JOBS:
                break
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    ok_runs = int(ctx.pg.sql("SELECT count(*) FROM ccetl.runs WHERE job LIKE 'multi_%' AND status = 'succeeded'"))
    reqs = [r for r in sim.call("GET", "/_sim/requests") if r["path"].endswith("/feedbackDataPackages/Multi")]
    ok = [r for r in reqs if r["status"] == 200]
    times = sorted(_ts(r) for r in ok)
    span = times[-1] - times[0] + LATENCY
    per_job = {}
    for r in ok:
        per_job.setdefault(r["path"], []).append(_ts(r))
    # Each job's own span, to show they overlapped: the sum of the spans vs the whole span.
    job_spans = sum(max(t) - min(t) + LATENCY for t in per_job.values())
    ceiling = MULTI_JOBS * min(10.0, MULTI_IN_FLIGHT / LATENCY)
    sim.stop()
    ctx.sims.remove(sim)
    return {"pages": len(ok), "span": span, "rate": len(ok) / span, "ceiling": ceiling, "job_spans": job_spans,
            "r429": sum(1 for r in reqs if r["status"] == 429), "succeeded": ok_runs}


def rows(ctx, h, ccetl=None):
    """Measures both and returns the table rows (run_bench.py's format), plus the raw results."""
    ccetl = ccetl or ctx.bin("ccetl")
    h.log("fan-out: 12 projects x 3 pages, 300 ms latency")
    f = bench_fanout(ctx, h, ccetl)
    h.log(f"fan-out: {f}")
    h.log("multi-job: 3 daemon jobs on different endpoints")
    m = bench_multi_job(ctx, h, ccetl)
    h.log(f"multi-job: {m}")
    out = []
    ratio = f["wall"] / f["ideal"]
    rows_ok = f["rows"] == f["expected_rows"] and f["read"] == f["expected_rows"]
    out.append(f"| fan-out: 12 projects × 3 pages, 300 ms latency, max_in_flight {FAN_IN_FLIGHT} | "
               f"{f['rows']} | {f['wall']:.2f} s (requests {f['span']:.2f} s), {f['requests']} requests, "
               f"{f['r429']} × 429, rows {'exact' if rows_ok else 'WRONG'}, up to {f['overlap']} projects in flight | "
               f"{f['requests']} × 0.3 s / {FAN_IN_FLIGHT} = {f['ideal']:.2f} s | {ratio:.2f} | ≤ 1.3, rows exact, 0 × 429 | "
               f"{'yes' if ratio <= 1.3 and rows_ok and f['r429'] == 0 else '**no**'} |")
    out.append(f"| fan-out peak RSS | {f['rows']} | {f['rss']:.1f} MB | — | — | ≤ 48 MB | "
               f"{'yes' if f['rss'] <= 48 else '**no**'} |")
    mr = m["rate"] / m["ceiling"]
    out.append(f"| multi-job: {MULTI_JOBS} daemon jobs, different endpoints, max_in_flight {MULTI_IN_FLIGHT}, "
               f"300 ms | {m['pages']} pages | {m['rate']:.1f} pages/s over {m['span']:.1f} s ({m['succeeded']} runs "
               f"succeeded, {m['r429']} × 429; jobs' own spans sum to {m['job_spans']:.1f} s) | "
               f"sum of ceilings {m['ceiling']:.1f} pages/s | {mr:.2f} | ≥ 0.9 | {'yes' if mr >= 0.9 else '**no**'} |")
    return out, {"fanout": f, "multi": m}


def main():
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import run_bench as h
    ap = argparse.ArgumentParser()
    ap.add_argument("--build-dir", default="build-release")
    ap.add_argument("--ccetl", help="the ccetl binary to measure (default: the build dir's)")
    args = ap.parse_args()
    ctx = h.Ctx(args)
    try:
        ctx.pg = h.Postgres(ctx.tmp)
        table, _ = rows(ctx, h, args.ccetl)
        print("\n".join(table))
    finally:
        ctx.stop_servers()


if __name__ == "__main__":
    main()
