-- ccetl's own catalog: run history, rejected values, generated columns, reverse-ETL push log.
-- Idempotent. The build compiles this file into ccetl (the single source; CMakeLists.txt) and
-- ccetl applies it on `ensure_catalog()`; it is installed here for review and manual setup.
-- (CREATE SCHEMA IF NOT EXISTS would need CREATE on the database even when the schema exists.)
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_namespace WHERE nspname = 'ccetl') THEN
    CREATE SCHEMA ccetl;
  END IF;
END
$$;

-- One row per run of a job. `running` rows whose process died are marked `abandoned` by the
-- next start of the same job.
CREATE TABLE IF NOT EXISTS ccetl.runs (
  run_id      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  job         text NOT NULL,
  status      text NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'abandoned')),
  started_at  timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  pid         integer,
  hostname    text,
  pages       bigint NOT NULL DEFAULT 0,
  rows_read   bigint NOT NULL DEFAULT 0,
  inserted    bigint NOT NULL DEFAULT 0,
  updated     bigint NOT NULL DEFAULT 0,
  unchanged   bigint NOT NULL DEFAULT 0,
  deleted     bigint NOT NULL DEFAULT 0,
  rejected    bigint NOT NULL DEFAULT 0,
  duplicates  bigint NOT NULL DEFAULT 0,
  messages    text,
  error       text
);
-- Indexes and added columns are created only when missing, never with IF NOT EXISTS alone:
-- CREATE INDEX and ALTER TABLE take their lock (SHARE, ACCESS EXCLUSIVE) before they look, so
-- every start would queue behind a run that holds a catalog table (a history run reads
-- ccetl.runs in its transaction; a run writes its rejects), and every reader behind the start.
DO $$
BEGIN
  IF to_regclass('ccetl.runs_job_started') IS NULL THEN
    CREATE INDEX runs_job_started ON ccetl.runs (job, started_at DESC);
  END IF;
  -- Push runs: rows whose outcome is unknown (sent, count under `inserted`; failed, under
  -- `rejected`).
  IF NOT EXISTS (SELECT FROM pg_attribute WHERE attrelid = 'ccetl.runs'::regclass
                 AND attname = 'unknown' AND NOT attisdropped) THEN
    ALTER TABLE ccetl.runs ADD COLUMN unknown bigint NOT NULL DEFAULT 0;
  END IF;
  -- Pull runs: whether the run kept the table's history (`history: true`). A run with history
  -- after one without catches the history up with the table (docs/warehouse.md, History tables).
  IF NOT EXISTS (SELECT FROM pg_attribute WHERE attrelid = 'ccetl.runs'::regclass
                 AND attname = 'history' AND NOT attisdropped) THEN
    ALTER TABLE ccetl.runs ADD COLUMN history boolean;
  END IF;
END
$$;

-- Values (or rows) that could not be loaded; written in the run's transaction.
CREATE TABLE IF NOT EXISTS ccetl.rejects (
  run_id      uuid NOT NULL,
  job         text NOT NULL,
  page        bigint NOT NULL,
  row_seq     bigint NOT NULL,
  field       text NOT NULL,
  raw_value   text NOT NULL,
  reason      text NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now()
);
DO $$
BEGIN
  IF to_regclass('ccetl.rejects_run') IS NULL THEN
    CREATE INDEX rejects_run ON ccetl.rejects (run_id);
  END IF;
  IF to_regclass('ccetl.rejects_job_recorded') IS NULL THEN
    CREATE INDEX rejects_job_recorded ON ccetl.rejects (job, recorded_at);
  END IF;
END
$$;

-- Generated columns by field identity (questionId-based when the API sends one), so a renamed
-- question keeps its column across runs.
CREATE TABLE IF NOT EXISTS ccetl.columns (
  job         text NOT NULL,
  schema_name text NOT NULL,
  table_name  text NOT NULL,
  identity    text NOT NULL,
  field_name  text NOT NULL,
  column_name text NOT NULL,
  sql_type    text NOT NULL,
  first_seen  timestamptz NOT NULL DEFAULT now(),
  last_seen   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (schema_name, table_name, identity)
);

-- Reverse-ETL: one row per (job, source row) pushed to Centercode, written before sending
-- (`intent`) so that a crash between send and record is detectable (`unknown`).
CREATE TABLE IF NOT EXISTS ccetl.push_log (
  job             text NOT NULL,
  row_key         text NOT NULL,
  payload_hash    text NOT NULL,
  http_status     integer,
  created_id      text,
  created_key     text,
  status_endpoint text,
  final_status    text,
  attempts        integer NOT NULL DEFAULT 0,
  first_sent_at   timestamptz,
  last_sent_at    timestamptz,
  state           text NOT NULL DEFAULT 'intent'
                  CHECK (state IN ('intent', 'sent', 'succeeded', 'failed', 'unknown')),
  error           text,
  PRIMARY KEY (job, row_key)
);

-- Feedback attachments of a push_log row, one row per file: planned (`pending`) when the
-- feedback is created, `uploading` before its request, `uploaded` / `failed` / `unknown` after
-- it, so that a run stopped during the uploads is resumed with only the missing files.
CREATE TABLE IF NOT EXISTS ccetl.push_files (
  job          text NOT NULL,
  row_key      text NOT NULL,
  element_key  text NOT NULL,
  file_index   integer NOT NULL,
  file_name    text NOT NULL,
  content_hash text NOT NULL,
  url          text,
  state        text NOT NULL CHECK (state IN ('pending', 'uploading', 'uploaded', 'failed', 'unknown')),
  http_status  integer,
  error        text,
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (job, row_key, element_key, file_index)
);
