/**
 * Numbered schema migrations, applied in order inside one transaction each; `PRAGMA user_version`
 * holds the number of the last one applied. Append new ones; never edit an applied one. They run with
 * foreign keys off, so a migration may rebuild a table that others reference (SQLite's way to change a
 * CHECK constraint) without cascading deletes; `foreign_key_check` is verified before each commits.
 */
export const migrations: readonly string[] = [
  // 1: runs and their results
  `
  CREATE TABLE runs (
    id TEXT PRIMARY KEY,
    status TEXT NOT NULL CHECK (status IN ('running','completed','failed','interrupted')),
    target TEXT NOT NULL,
    target_name TEXT NOT NULL,
    scheme TEXT NOT NULL,
    system TEXT NOT NULL,
    workload TEXT NOT NULL,
    spec_json TEXT NOT NULL,
    load_model TEXT NOT NULL,
    concurrency INTEGER NOT NULL,
    rate REAL,
    seed INTEGER NOT NULL,
    semantics_json TEXT NOT NULL,
    capabilities_json TEXT NOT NULL,
    environment_json TEXT NOT NULL,
    dataset TEXT,
    suite_id TEXT,
    schedule_id TEXT,
    started_at TEXT NOT NULL,
    ended_at TEXT,
    measured_seconds REAL,
    error TEXT,
    host TEXT NOT NULL,
    pid INTEGER NOT NULL,
    progress_json TEXT,
    regression_json TEXT
  );
  CREATE INDEX runs_started ON runs (started_at);
  CREATE INDEX runs_target_workload ON runs (target_name, workload, status, started_at);
  CREATE INDEX runs_suite ON runs (suite_id);
  CREATE INDEX runs_schedule ON runs (schedule_id, started_at);

  CREATE TABLE run_ops (
    run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    op TEXT NOT NULL,
    count INTEGER NOT NULL,
    errors INTEGER NOT NULL,
    errors_json TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    items INTEGER NOT NULL,
    ops_per_sec REAL NOT NULL,
    mib_per_sec REAL NOT NULL,
    latency_json TEXT NOT NULL,
    service_json TEXT,
    ttfb_json TEXT,
    mean_io_rate REAL,
    histogram TEXT NOT NULL,
    service_histogram TEXT,
    ttfb_histogram TEXT,
    PRIMARY KEY (run_id, op)
  );

  CREATE TABLE run_segments (
    run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    second INTEGER NOT NULL,
    op TEXT NOT NULL,
    ops INTEGER NOT NULL,
    bytes INTEGER NOT NULL,
    errors INTEGER NOT NULL,
    latency_sum_us REAL NOT NULL,
    latency_max_us REAL NOT NULL,
    PRIMARY KEY (run_id, second, op)
  );

  CREATE TABLE run_errors (
    run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    op TEXT NOT NULL,
    kind TEXT NOT NULL,
    count INTEGER NOT NULL,
    message TEXT NOT NULL,
    PRIMARY KEY (run_id, op, kind)
  );
  `,
  // 2: schedules and the jobs they fired (src/scheduler/)
  `
  CREATE TABLE schedules (
    id TEXT PRIMARY KEY,
    cron TEXT NOT NULL,
    suite_json TEXT NOT NULL,
    enabled INTEGER NOT NULL CHECK (enabled IN (0, 1)),
    missed TEXT NOT NULL CHECK (missed IN ('skip','run-once')),
    thresholds_json TEXT NOT NULL,
    webhook TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    last_due_at TEXT
  );

  CREATE TABLE schedule_jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    schedule_id TEXT NOT NULL REFERENCES schedules (id) ON DELETE CASCADE,
    trigger TEXT NOT NULL CHECK (trigger IN ('cron','missed','manual')),
    due_at TEXT NOT NULL,
    started_at TEXT NOT NULL,
    ended_at TEXT,
    status TEXT NOT NULL CHECK (status IN ('running','completed','failed','skipped','interrupted')),
    reason TEXT,
    targets_json TEXT NOT NULL,
    suite_id TEXT,
    host TEXT NOT NULL,
    pid INTEGER NOT NULL
  );
  CREATE INDEX schedule_jobs_schedule ON schedule_jobs (schedule_id, id);
  CREATE INDEX schedule_jobs_running ON schedule_jobs (status) WHERE status = 'running';
  `,
  // 3: the status `degraded` (too many operations failed), and what became of each run's objects. Runs
  // stored before are classified from what they recorded: a run killed while it measured ("the process
  // running it ended...") or during its cleanup (left `running`) may have left its objects; nothing of a
  // mem:// or null:// run outlives its process.
  `
  CREATE TABLE runs_new (
    id TEXT PRIMARY KEY,
    status TEXT NOT NULL CHECK (status IN ('running','completed','degraded','failed','interrupted')),
    target TEXT NOT NULL,
    target_name TEXT NOT NULL,
    scheme TEXT NOT NULL,
    system TEXT NOT NULL,
    workload TEXT NOT NULL,
    spec_json TEXT NOT NULL,
    load_model TEXT NOT NULL,
    concurrency INTEGER NOT NULL,
    rate REAL,
    seed INTEGER NOT NULL,
    semantics_json TEXT NOT NULL,
    capabilities_json TEXT NOT NULL,
    environment_json TEXT NOT NULL,
    dataset TEXT,
    suite_id TEXT,
    schedule_id TEXT,
    started_at TEXT NOT NULL,
    ended_at TEXT,
    measured_seconds REAL,
    error TEXT,
    host TEXT NOT NULL,
    pid INTEGER NOT NULL,
    progress_json TEXT,
    regression_json TEXT,
    cleanup TEXT NOT NULL DEFAULT 'pending' CHECK (cleanup IN ('pending','done','failed','kept'))
  );
  INSERT INTO runs_new (id, status, target, target_name, scheme, system, workload, spec_json, load_model, concurrency, rate, seed,
    semantics_json, capabilities_json, environment_json, dataset, suite_id, schedule_id, started_at, ended_at,
    measured_seconds, error, host, pid, progress_json, regression_json, cleanup)
  SELECT id, status, target, target_name, scheme, system, workload, spec_json, load_model, concurrency, rate, seed,
    semantics_json, capabilities_json, environment_json, dataset, suite_id, schedule_id, started_at, ended_at,
    measured_seconds, error, host, pid, progress_json, regression_json,
    CASE
      WHEN dataset IS NOT NULL OR json_extract(spec_json, '$.cleanup') = 0 THEN 'kept'
      WHEN scheme IN ('mem', 'null') THEN 'done'
      WHEN status = 'running' THEN 'pending'
      WHEN error LIKE 'cleanup of % failed: %' THEN 'failed'
      WHEN status = 'interrupted' AND error = 'the process running it ended before it finished' THEN 'pending'
      ELSE 'done'
    END
  FROM runs;
  DROP TABLE runs;
  ALTER TABLE runs_new RENAME TO runs;
  CREATE INDEX runs_started ON runs (started_at);
  CREATE INDEX runs_target_workload ON runs (target_name, workload, status, started_at);
  CREATE INDEX runs_suite ON runs (suite_id);
  CREATE INDEX runs_schedule ON runs (schedule_id, started_at);
  CREATE INDEX runs_leftovers ON runs (cleanup) WHERE cleanup <> 'done';
  `,
  // 4: the driver's caveats as typed warnings ([{ code, text }]), and the baseline of the suite a run belongs
  // to. Runs stored before get the caveats their environment told in prose: file://'s `cacheWarning` becomes
  // `page-cache` (the key stays), and its async engine on a local file system `threadpool-handoff` (the
  // network file system prefixes are src/drivers/file/fs-type.ts's isNetworkFileSystem, as of this migration).
  `
  ALTER TABLE runs ADD COLUMN warnings_json TEXT NOT NULL DEFAULT '[]';
  ALTER TABLE runs ADD COLUMN suite_baseline TEXT;
  UPDATE runs SET warnings_json = json_array(json_object('code', 'page-cache', 'text', json_extract(environment_json, '$.cacheWarning')))
  WHERE json_type(environment_json, '$.cacheWarning') = 'text';
  UPDATE runs SET warnings_json = json_insert(warnings_json, '$[#]', json_object('code', 'threadpool-handoff',
    'text', 'io=async on a local file system: every call is a hand-off to libuv''s threadpool'))
  WHERE json_extract(environment_json, '$.ioEngine') LIKE 'async%' AND NOT EXISTS (
    SELECT 1 FROM json_each('["nfs","fuse","lustre","gpfs","ceph","beegfs","cifs","smb","9p","ocfs2","gfs2"]') AS network
    WHERE coalesce(json_extract(environment_json, '$.fsType'), '') GLOB network.value || '*');
  `,
  // 5: the clients of multi-client runs (`run --engine E --clients N`): one row per rank, and each client's own
  // per-operation figures (the run's run_ops are all clients merged exactly).
  `
  CREATE TABLE run_clients (
    run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    rank INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('completed','failed','lost','never-registered')),
    error TEXT,
    host TEXT,
    pid INTEGER,
    engine_task TEXT,
    clock_offset_ms REAL,
    rtt_ms REAL,
    start_skew_ms REAL,
    measured_seconds REAL,
    environment_json TEXT NOT NULL,
    PRIMARY KEY (run_id, rank)
  );
  CREATE TABLE run_client_ops (
    run_id TEXT NOT NULL,
    rank INTEGER NOT NULL,
    op TEXT NOT NULL,
    count INTEGER NOT NULL,
    errors INTEGER NOT NULL,
    errors_json TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    items INTEGER NOT NULL,
    ops_per_sec REAL NOT NULL,
    mib_per_sec REAL NOT NULL,
    latency_json TEXT NOT NULL,
    service_json TEXT,
    ttfb_json TEXT,
    mean_io_rate REAL,
    histogram TEXT NOT NULL,
    service_histogram TEXT,
    ttfb_histogram TEXT,
    PRIMARY KEY (run_id, rank, op),
    FOREIGN KEY (run_id, rank) REFERENCES run_clients (run_id, rank) ON DELETE CASCADE
  );
  `,
  // 6: each second's p50 and p99 latency (src/runner/second-latency.ts), NULL in runs stored before; and each
  // worker thread's own figures of a run on several threads
  `
  ALTER TABLE run_segments ADD COLUMN latency_p50_us REAL;
  ALTER TABLE run_segments ADD COLUMN latency_p99_us REAL;
  CREATE TABLE run_threads (
    run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    thread INTEGER NOT NULL,
    op TEXT NOT NULL,
    count INTEGER NOT NULL,
    errors INTEGER NOT NULL,
    ops_per_sec REAL NOT NULL,
    p99_us REAL NOT NULL,
    PRIMARY KEY (run_id, thread, op)
  );
  `,
];
