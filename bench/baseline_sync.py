#!/usr/bin/python3
"""What integrators write today: page through a Centercode data package and upsert into PostgreSQL.

The baseline scripts/bench compares ccetl with. Written the way a careful integrator would:
stdlib urllib + json, Debian's python3-psycopg2, one typed table created from the package's
`fields`, one request per page (page size is the package's: 1000 rows), and per page one
psycopg2.extras.execute_values(... ON CONFLICT (id) DO UPDATE ...) with page_size=1000 followed
by a COMMIT (a crash loses at most a page; typical of such scripts). No deletes are detected.

usage: baseline_sync.py BASE_URL PACKAGE_PATH API_KEY DSN TABLE
prints one JSON line: {"rows": N, "pages": P, "seconds": S}
"""
import json
import sys
import time
import urllib.parse
import urllib.request

import psycopg2
import psycopg2.extras

SQL_TYPES = {"integer": "bigint", "double": "double precision", "date": "timestamp", "boolean": "boolean"}


def fetch(base_url, path, api_key, page):
    query = urllib.parse.urlencode({"apiKey": api_key, "page": page})
    for attempt in range(6):
        try:
            with urllib.request.urlopen(f"{base_url}{path}?{query}", timeout=60) as resp:
                return json.load(resp)
        except urllib.error.HTTPError as e:
            if e.code not in (429, 500, 502, 503) or attempt == 5:
                raise
            time.sleep(0.5 * (attempt + 1))


def column_name(field_name):
    return "".join(c if c.isalnum() else "_" for c in field_name.lower()).strip("_")


def cell_value(cell, data_type):
    values = cell.get("values") or []
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    # Multi-valued: text gets the joined display value, other types keep the first value.
    return cell.get("computedValue") if data_type not in SQL_TYPES else values[0]


def main():
    base_url, path, api_key, dsn, table = sys.argv[1:6]
    started = time.monotonic()
    conn = psycopg2.connect(dsn)
    cur = conn.cursor()
    page, total_pages, rows, upsert = 1, None, 0, None
    while total_pages is None or page <= total_pages:
        body = fetch(base_url, path, api_key, page)
        if upsert is None:
            fields = body["fields"]
            types = [f["dataType"] for f in fields]
            cols = [column_name(f["name"]) for f in fields]
            defs = ", ".join(f"{c} {SQL_TYPES.get(t, 'text')}" for c, t in zip(cols, types))
            cur.execute(f"CREATE TABLE IF NOT EXISTS {table} ({defs}, synced_at timestamptz, PRIMARY KEY ({cols[0]}))")
            sets = ", ".join(f"{c} = EXCLUDED.{c}" for c in cols[1:])
            upsert = (f"INSERT INTO {table} ({', '.join(cols)}, synced_at) VALUES %s "
                      f"ON CONFLICT ({cols[0]}) DO UPDATE SET {sets}, synced_at = EXCLUDED.synced_at")
            template = "(" + ", ".join(["%s"] * len(cols)) + ", now())"
        total_pages = body["paging"]["totalPages"]
        data = [[cell_value(cell, t) for cell, t in zip(row, types)] for row in body["data"]]
        if data:
            psycopg2.extras.execute_values(cur, upsert, data, template=template, page_size=1000)
        conn.commit()
        rows += len(data)
        page += 1
    conn.close()
    print(json.dumps({"rows": rows, "pages": page - 1, "seconds": time.monotonic() - started}))


if __name__ == "__main__":
    main()
