//! The SQL executors on real databases: SQLite (a temporary file) and PostgreSQL (started
//! by `scripts/services` on a loopback port; the tests fail, never skip, when it cannot
//! start).
//!
//! For each: windows are bound (rows at the window's end and outside it are not counted),
//! results convert to the metric's value, a query that writes is refused by the database
//! (the compiler's MC304 bypassed), a slow query hits the statement time-out and its
//! metric reports `-1` with the error in the ping, and batch counting gives the one
//! query's answer in several statements. PostgreSQL also reconnects after its connection
//! was killed.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use metricc_runtime::sql::postgres::{self, NoTls};
use metricc_runtime::sql::rusqlite::Connection;
use metricc_runtime::sql::{ExecutorOptions, PostgresExecutor, SqliteExecutor};
use metricc_runtime::*;

/// When the pings are made: Saturday 2025-03-15 12:00 UTC. Its `7d` database window is
/// 2025-03-06 12:00 to 2025-03-13 12:00.
fn now() -> Timestamp {
    Timestamp::from_utc(2025, 3, 15, 12, 0, 0)
}

fn recorder() -> Recorder {
    Recorder::new(
        Arc::new(MemoryStore::new()),
        RecorderOptions {
            clock: Arc::new(ManualClock::new(now())),
            ..RecorderOptions::default()
        },
    )
}

/// A database metric with `sql` (leaked: metric tables are static).
fn metric(
    key_path: &str,
    value_type: ValueType,
    time_frame: TimeFrame,
    sql: &str,
) -> &'static MetricSpec {
    let parameters: &'static [&'static str] = if sql.contains(":window_start") {
        &[":window_start", ":window_end"]
    } else {
        &[]
    };
    Box::leak(Box::new(MetricSpec {
        key_path: Box::leak(key_path.to_owned().into_boxed_str()),
        value_type,
        time_frame,
        data_source: DataSource::Database,
        data_category: Some(DataCategory::Operational),
        status: Status::Active,
        roles: &[],
        product_group: None,
        source: ValueSource::Sql {
            text: Box::leak(sql.to_owned().into_boxed_str()),
            parameters,
            tables: &[],
        },
    }))
}

/// Runs one query of `metric` on `executor`, as ping assembly would.
fn query(executor: &dyn SqlExecutor, metric: &'static MetricSpec) -> Result<Value, Error> {
    let context = MetricContext { metric, now: now() };
    let ValueSource::Sql { text, .. } = metric.source else {
        unreachable!()
    };
    let bound: Vec<(&str, Timestamp)> = match context.database_window() {
        Some((start, end)) => vec![(":window_start", start), (":window_end", end)],
        None => Vec::new(),
    };
    executor.query(&context, text, &bound)
}

fn ping(executor: Arc<dyn SqlExecutor>, metrics: Vec<&'static MetricSpec>) -> ServicePing {
    let table: &'static [&'static MetricSpec] = Box::leak(metrics.into_boxed_slice());
    let options = PingOptions {
        sql: Some(executor),
        metric_timeout: Duration::from_secs(20),
        ..PingOptions::new("instance", "1.0")
    };
    let instrument: Arc<Instrument> = Arc::new(|_, _| Err("no instrumentation".into()));
    assemble(table, &recorder(), instrument, &options)
}

fn number(n: i64) -> Value {
    Value::Number(Number::Integer(n))
}

// --- The databases -----------------------------------------------------------------------

/// A scratch SQLite file, fresh for each test.
fn sqlite_file(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("runtime-sql");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.sqlite"));
    let _ = std::fs::remove_file(&path);
    path
}

/// Runs `sql` (statements) on a writable connection to the SQLite file.
fn sqlite_setup(path: &Path, sql: &str) {
    Connection::open(path).unwrap().execute_batch(sql).unwrap();
}

fn sqlite_count(path: &Path, table: &str) -> i64 {
    Connection::open(path)
        .unwrap()
        .query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

/// The test database on the PostgreSQL of `scripts/services` (started if it is not
/// running), created afresh once per run.
fn pg_config() -> postgres::Config {
    static CONFIG: OnceLock<Result<postgres::Config, String>> = OnceLock::new();
    CONFIG
        .get_or_init(|| {
            let services = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/services");
            let started = Command::new(&services)
                .args(["start", "postgres"])
                .output()
                .map_err(|e| e.to_string())?;
            if !started.status.success() {
                return Err(format!(
                    "scripts/services start postgres failed: {}",
                    String::from_utf8_lossy(&started.stderr)
                ));
            }
            let env = Command::new(&services)
                .args(["env", "postgres"])
                .output()
                .map_err(|e| e.to_string())?;
            let env = String::from_utf8_lossy(&env.stdout).into_owned();
            let var = |name: &str| {
                env.lines()
                    .filter_map(|l| l.strip_prefix("export ")?.split_once('='))
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.to_owned())
                    .ok_or_else(|| format!("scripts/services env postgres has no {name}: {env}"))
            };
            let mut config = postgres::Config::new();
            config
                .host(&var("PGHOST")?)
                .port(var("PGPORT")?.parse().map_err(|e| format!("PGPORT: {e}"))?)
                .user(&var("PGUSER")?)
                .password(var("PGPASSWORD")?)
                .dbname(&var("PGDATABASE")?)
                .connect_timeout(Duration::from_secs(10));
            let mut admin = config.connect(NoTls).map_err(|e| e.to_string())?;
            // Two statements: CREATE DATABASE cannot run in the implicit transaction of
            // several.
            for statement in [
                "DROP DATABASE IF EXISTS metricc_runtime_sql WITH (FORCE)",
                "CREATE DATABASE metricc_runtime_sql",
            ] {
                admin
                    .batch_execute(statement)
                    .map_err(|e| format!("{statement}: {e:?}"))?;
            }
            config.dbname("metricc_runtime_sql");
            Ok(config)
        })
        .clone()
        .unwrap_or_else(|e| panic!("{e}"))
}

fn pg_setup(sql: &str) {
    let mut client = pg_config().connect(NoTls).unwrap();
    if let Err(e) = client.batch_execute(sql) {
        panic!("{sql}: {e:?}");
    }
}

fn pg_count(table: &str) -> i64 {
    pg_config()
        .connect(NoTls)
        .unwrap()
        .query_one(&format!("SELECT COUNT(*) FROM {table}"), &[])
        .unwrap()
        .get(0)
}

fn pg_executor(options: ExecutorOptions) -> PostgresExecutor {
    PostgresExecutor::new(pg_config(), options)
}

// --- Windows and values ------------------------------------------------------------------

/// Rows around the `7d` window (2025-03-06 12:00 to 2025-03-13 12:00): three inside (by
/// users 1, 1 and 2; one of them not `done`), one before, one exactly at its end, one after.
const WINDOW_ROWS: &str = "
    INSERT INTO jobs (id, user_id, done, created_at) VALUES
        (1, 1, TRUE, '2025-03-06 12:00:00'),
        (2, 1, TRUE, '2025-03-10 08:30:00'),
        (3, 2, FALSE, '2025-03-13 11:59:59'),
        (4, 3, TRUE, '2025-03-06 11:59:59'),
        (5, 4, TRUE, '2025-03-13 12:00:00'),
        (6, 5, TRUE, '2025-03-14 00:00:00');
    CREATE TABLE settings (id INTEGER, enabled BOOLEAN, name TEXT, ratio NUMERIC, doc TEXT);
    INSERT INTO settings VALUES (1, FALSE, 'old', 0.25, '{}'), (2, TRUE, 'current', 1.5, '{\"a\": [1, 2]}');";

fn window_metrics() -> Vec<(&'static MetricSpec, Value)> {
    let window = "created_at >= :window_start AND created_at < :window_end";
    vec![
        (
            metric(
                "counts.jobs_weekly",
                ValueType::Number,
                TimeFrame::SevenDays,
                &format!("SELECT COUNT(*) FROM jobs WHERE {window}"),
            ),
            number(3),
        ),
        (
            metric(
                "counts.done_jobs_weekly",
                ValueType::Number,
                TimeFrame::SevenDays,
                // A comment and a string with a parameter's name in them stay as they are.
                &format!(
                    "SELECT COUNT(*) -- not :window_end\nFROM jobs\nWHERE done = TRUE \
                     AND 'x:window_start' <> '' AND {window};"
                ),
            ),
            number(2),
        ),
        (
            metric(
                "counts.job_users_weekly",
                ValueType::Number,
                TimeFrame::SevenDays,
                &format!("SELECT COUNT(DISTINCT user_id) FROM jobs WHERE {window}"),
            ),
            number(2),
        ),
        (
            metric(
                "counts.jobs",
                ValueType::Number,
                TimeFrame::All,
                "SELECT COUNT(*) FROM jobs",
            ),
            number(6),
        ),
        (
            metric(
                "settings.enabled",
                ValueType::Boolean,
                TimeFrame::None,
                "SELECT enabled FROM settings ORDER BY id DESC LIMIT 1",
            ),
            Value::Boolean(true),
        ),
        (
            metric(
                "settings.name",
                ValueType::String,
                TimeFrame::None,
                "SELECT name FROM settings ORDER BY id DESC LIMIT 1",
            ),
            Value::String("current".into()),
        ),
        (
            metric(
                "settings.ratio",
                ValueType::Number,
                TimeFrame::None,
                "SELECT ratio FROM settings ORDER BY id DESC LIMIT 1",
            ),
            Value::Number(Number::Float(1.5)),
        ),
        (
            metric(
                "settings.doc",
                ValueType::Object,
                TimeFrame::None,
                "SELECT doc FROM settings ORDER BY id DESC LIMIT 1",
            ),
            Value::Object(serde_json::json!({"a": [1, 2]})),
        ),
    ]
}

/// Queries whose results are no metric's value: the metric fails.
fn failing_metrics() -> Vec<(&'static MetricSpec, &'static str)> {
    vec![
        (
            metric(
                "failing.null",
                ValueType::Number,
                TimeFrame::None,
                "SELECT MAX(id) FROM jobs WHERE id < 0",
            ),
            "null",
        ),
        (
            metric(
                "failing.no_row",
                ValueType::Number,
                TimeFrame::None,
                "SELECT id FROM jobs WHERE id < 0",
            ),
            "no row",
        ),
        (
            metric(
                "failing.two_rows",
                ValueType::Number,
                TimeFrame::None,
                "SELECT id FROM jobs",
            ),
            "more than one row",
        ),
        (
            metric(
                "failing.two_columns",
                ValueType::Number,
                TimeFrame::None,
                "SELECT 1, 2",
            ),
            "2 columns",
        ),
    ]
}

fn assert_windows_and_values(executor: Arc<dyn SqlExecutor>, database: &str) {
    let expected = window_metrics();
    let ping = ping(executor.clone(), expected.iter().map(|(m, _)| *m).collect());
    assert!(ping.failed.is_empty(), "{database}: {:#?}", ping.failed);
    for (metric, value) in &expected {
        assert_eq!(
            ping.value(metric.key_path),
            Some(value),
            "{database}: {}",
            metric.key_path
        );
    }
    for (metric, error) in failing_metrics() {
        let e = query(executor.as_ref(), metric).unwrap_err().to_string();
        assert!(
            e.to_lowercase().contains(error),
            "{database}: {}: {e}",
            metric.key_path
        );
    }
}

const JOBS: &str = "CREATE TABLE jobs (id BIGINT PRIMARY KEY, user_id BIGINT, done BOOLEAN, \
                    created_at TIMESTAMP);";
const PG_JOBS: &str = "CREATE TABLE jobs (id BIGINT PRIMARY KEY, user_id BIGINT, done BOOLEAN, \
                       created_at TIMESTAMPTZ);";

#[test]
fn sqlite_binds_windows_and_converts_values() {
    let path = sqlite_file("windows");
    sqlite_setup(&path, &format!("{JOBS}{WINDOW_ROWS}"));
    let executor = SqliteExecutor::open(&path, ExecutorOptions::default()).unwrap();
    assert_windows_and_values(Arc::new(executor), "sqlite");

    // An application's own connection (in memory) works the same.
    let connection = Connection::open_in_memory().unwrap();
    connection
        .execute_batch(&format!("{JOBS}{WINDOW_ROWS}"))
        .unwrap();
    let executor = SqliteExecutor::from_connection(connection, ExecutorOptions::default()).unwrap();
    assert_windows_and_values(Arc::new(executor), "sqlite in memory");
}

#[test]
fn postgres_binds_windows_and_converts_values() {
    pg_setup(&format!(
        "CREATE SCHEMA windows; SET search_path = windows; SET TimeZone = 'UTC'; \
         {PG_JOBS}{}",
        WINDOW_ROWS.replace("doc TEXT", "doc JSONB")
    ));
    let mut config = pg_config();
    config.options("-c search_path=windows");
    let executor = PostgresExecutor::new(config, ExecutorOptions::default());
    // Floating-point columns too (the settings' ratio is a `numeric`).
    let float = metric(
        "settings.ratio_float",
        ValueType::Number,
        TimeFrame::None,
        "SELECT CAST(ratio AS DOUBLE PRECISION) / 2 FROM settings ORDER BY id DESC LIMIT 1",
    );
    assert_eq!(
        query(&executor, float).unwrap(),
        Value::Number(Number::Float(0.75))
    );
    assert_windows_and_values(Arc::new(executor), "postgres");
    // A `timestamp without time zone` column compares in UTC too, whatever the server's
    // time zone.
    pg_setup(
        "CREATE SCHEMA naive; SET search_path = naive; \
         CREATE TABLE jobs (id BIGINT, created_at TIMESTAMP); \
         INSERT INTO jobs VALUES (1, '2025-03-06 12:00:00'), (2, '2025-03-06 11:59:59'), \
         (3, '2025-03-13 11:59:59'), (4, '2025-03-13 12:00:00');",
    );
    let mut config = pg_config();
    config.options("-c search_path=naive -c TimeZone=America/New_York");
    let executor = PostgresExecutor::new(config, ExecutorOptions::default());
    let weekly = metric(
        "counts.naive_weekly",
        ValueType::Number,
        TimeFrame::SevenDays,
        "SELECT COUNT(*) FROM jobs WHERE created_at >= :window_start AND created_at < :window_end",
    );
    assert_eq!(query(&executor, weekly).unwrap(), number(2));
}

#[test]
fn sqlite_binds_unix_seconds_when_asked() {
    use metricc_runtime::sql::SqliteTimestamps;
    let path = sqlite_file("unix");
    let start = Timestamp::from_utc(2025, 3, 6, 12, 0, 0).0;
    let end = Timestamp::from_utc(2025, 3, 13, 12, 0, 0).0;
    sqlite_setup(
        &path,
        &format!(
            "CREATE TABLE jobs (id INTEGER PRIMARY KEY, created_at INTEGER);
             INSERT INTO jobs VALUES (1, {}), (2, {start}), (3, {}), (4, {end});",
            start - 1,
            end - 1
        ),
    );
    let weekly = metric(
        "counts.unix_weekly",
        ValueType::Number,
        TimeFrame::SevenDays,
        "SELECT COUNT(*) FROM jobs WHERE created_at >= :window_start AND created_at < :window_end",
    );
    let executor = SqliteExecutor::open(&path, ExecutorOptions::default())
        .unwrap()
        .with_timestamps(SqliteTimestamps::UnixSeconds);
    assert_eq!(query(&executor, weekly).unwrap(), number(2));
    // As text, the bounds compare with no integer: nothing counts.
    let executor = SqliteExecutor::open(&path, ExecutorOptions::default()).unwrap();
    assert_eq!(query(&executor, weekly).unwrap(), number(0));
}

// --- Writes are refused ------------------------------------------------------------------

fn writing_metrics(statements: &[&str]) -> Vec<&'static MetricSpec> {
    statements
        .iter()
        .enumerate()
        .map(|(i, sql)| {
            metric(
                &format!("writes.w{i}"),
                ValueType::Number,
                TimeFrame::None,
                sql,
            )
        })
        .collect()
}

#[test]
fn sqlite_refuses_writes() {
    let path = sqlite_file("writes");
    sqlite_setup(
        &path,
        "CREATE TABLE t (id INTEGER); INSERT INTO t VALUES (1), (2);",
    );
    let writes = writing_metrics(&[
        "DELETE FROM t RETURNING 1",
        "INSERT INTO t VALUES (3) RETURNING id",
        "UPDATE t SET id = 5 RETURNING id",
        "DROP TABLE t",
        "SELECT COUNT(*) FROM t; DELETE FROM t",
        "PRAGMA query_only = OFF",
        "ATTACH DATABASE ':memory:' AS other",
        "COMMIT",
    ]);
    let executors: Vec<(&str, SqliteExecutor)> = vec![
        (
            "file",
            SqliteExecutor::open(&path, ExecutorOptions::default()).unwrap(),
        ),
        (
            "connection",
            SqliteExecutor::from_connection(
                Connection::open(&path).unwrap(),
                ExecutorOptions::default(),
            )
            .unwrap(),
        ),
    ];
    for (name, executor) in &executors {
        for metric in &writes {
            let result = query(executor, metric);
            assert!(
                result.is_err(),
                "{name}: {:?} ran: {result:?}",
                metric.source
            );
        }
        // Still readable, and still read-only after all that.
        let count = metric(
            "counts.t",
            ValueType::Number,
            TimeFrame::None,
            "SELECT COUNT(*) FROM t",
        );
        assert_eq!(query(executor, count).unwrap(), number(2), "{name}");
        assert!(query(executor, writes[0]).is_err(), "{name}");
    }
    assert_eq!(sqlite_count(&path, "t"), 2);
}

#[test]
fn postgres_refuses_writes() {
    pg_setup(
        "CREATE SCHEMA writes; SET search_path = writes; \
         CREATE TABLE t (id INTEGER); INSERT INTO t VALUES (1), (2); \
         CREATE SEQUENCE s;",
    );
    let mut config = pg_config();
    config.options("-c search_path=writes");
    let executor = PostgresExecutor::new(config, ExecutorOptions::default());
    let writes = writing_metrics(&[
        "WITH d AS (DELETE FROM t RETURNING 1) SELECT COUNT(*) FROM d",
        "WITH i AS (INSERT INTO t VALUES (3) RETURNING id) SELECT COUNT(*) FROM i",
        "SELECT nextval('s')",
        "SELECT COUNT(*) FROM t; DELETE FROM t",
        "SELECT COUNT(*) FROM (SELECT set_config('default_transaction_read_only', 'off', false)) x; \
         DELETE FROM t",
    ]);
    for metric in &writes {
        let result = query(&executor, metric);
        let e = result.unwrap_err().to_string();
        assert!(!e.is_empty(), "{:?}", metric.source);
    }
    let e = query(&executor, writes[0]).unwrap_err().to_string();
    assert!(e.contains("read-only transaction"), "{e}");
    assert_eq!(pg_count("writes.t"), 2);
}

// --- Time-outs ---------------------------------------------------------------------------

fn assert_times_out(executor: Arc<dyn SqlExecutor>, slow: &'static MetricSpec, database: &str) {
    let quick = metric(
        "counts.quick",
        ValueType::Number,
        TimeFrame::None,
        "SELECT COUNT(*) FROM (SELECT 1) AS one",
    );
    let started = Instant::now();
    let ping = ping(executor, vec![slow, quick]);
    let elapsed = started.elapsed();
    assert_eq!(
        ping.value("counts.slow"),
        Some(&number(FALLBACK)),
        "{database}"
    );
    assert_eq!(ping.value("counts.quick"), Some(&number(1)), "{database}");
    let failure = ping.failure("counts.slow").unwrap();
    let json = ping.to_json();
    assert_eq!(
        json["metadata"]["failed_metrics"][0]["error"].as_str(),
        Some(failure.error.as_str())
    );
    assert!(
        failure.error.contains("time-out") || failure.error.contains("statement timeout"),
        "{database}: {}",
        failure.error
    );
    // The database stopped it, not the ping's limit per metric (20 s).
    assert!(elapsed < Duration::from_secs(5), "{database}: {elapsed:?}");
}

fn quick_timeout() -> ExecutorOptions {
    ExecutorOptions {
        statement_timeout: Duration::from_millis(300),
        ..ExecutorOptions::default()
    }
}

#[test]
fn sqlite_slow_queries_hit_the_statement_time_out() {
    let path = sqlite_file("slow");
    sqlite_setup(&path, "CREATE TABLE t (id INTEGER);");
    let executor = SqliteExecutor::open(&path, quick_timeout()).unwrap();
    let slow = metric(
        "counts.slow",
        ValueType::Number,
        TimeFrame::None,
        "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) \
         SELECT COUNT(*) FROM n",
    );
    assert_times_out(Arc::new(executor), slow, "sqlite");
}

#[test]
fn postgres_slow_queries_hit_the_statement_time_out() {
    let executor = pg_executor(quick_timeout());
    let slow = metric(
        "counts.slow",
        ValueType::Number,
        TimeFrame::None,
        "SELECT COUNT(*) FROM pg_sleep(10)",
    );
    assert_times_out(Arc::new(executor), slow, "postgres");
}

// --- Batch counting ----------------------------------------------------------------------

/// Rows 1 to 20,000 of `events` but every 7th: user `id % 977`, `flag` on every third row,
/// created one minute apart from 2025-03-01 (the `7d` window holds about half of them).
const EVENTS_ROWS: i64 = 20_000;

fn batch_metrics() -> Vec<&'static MetricSpec> {
    let window = "created_at >= :window_start AND created_at < :window_end";
    vec![
        metric(
            "batch.all",
            ValueType::Number,
            TimeFrame::All,
            "SELECT COUNT(*) FROM events",
        ),
        metric(
            "batch.flagged_weekly",
            ValueType::Number,
            TimeFrame::SevenDays,
            &format!(
                "SELECT COUNT(*)\nFROM events\nWHERE flag = TRUE\n  AND {window} -- in the window"
            ),
        ),
        metric(
            "batch.users_weekly",
            ValueType::Number,
            TimeFrame::SevenDays,
            &format!("SELECT COUNT(DISTINCT user_id) FROM events WHERE {window}"),
        ),
        // Not a shape batch counting rewrites: one statement.
        metric(
            "batch.joined",
            ValueType::Number,
            TimeFrame::All,
            "SELECT COUNT(*) FROM events e JOIN events f ON f.id = e.id + 1",
        ),
    ]
}

/// Every batch metric's value with and without batch counting: the same, and batch
/// counting ran several statements per batchable metric.
fn assert_batches_agree(
    one: impl Fn(ExecutorOptions) -> Box<dyn SqlExecutorWithStats>,
    database: &str,
) {
    let whole = one(ExecutorOptions::default());
    let batched = one(ExecutorOptions {
        batch_size: Some(1_000),
        ..ExecutorOptions::default()
    });
    for metric in batch_metrics() {
        let before = (whole.statements(), batched.statements());
        let expected = query(whole.executor(), metric).unwrap();
        let value = query(batched.executor(), metric).unwrap();
        assert_eq!(value, expected, "{database}: {}", metric.key_path);
        let statements = (
            whole.statements() - before.0,
            batched.statements() - before.1,
        );
        assert_eq!(statements.0, 1, "{database}: {}", metric.key_path);
        match metric.key_path {
            // The bounds, then 20 batches of ids 1 to 20,000.
            "batch.all" | "batch.flagged_weekly" => {
                assert_eq!(statements.1, 21, "{database}: {}", metric.key_path)
            }
            // Users 0 to 976: one batch.
            "batch.users_weekly" => assert_eq!(statements.1, 2, "{database}"),
            _ => assert_eq!(statements.1, 1, "{database}: {}", metric.key_path),
        }
        if metric.key_path == "batch.all" {
            assert_eq!(value, number(EVENTS_ROWS - EVENTS_ROWS / 7));
        }
    }
    // An empty table counts 0 in one statement (the bounds are NULL).
    let empty = metric(
        "batch.empty",
        ValueType::Number,
        TimeFrame::All,
        "SELECT COUNT(*) FROM empty",
    );
    assert_eq!(query(batched.executor(), empty).unwrap(), number(0));
    // A table without the batch column: its count in one statement.
    let keyless = metric(
        "batch.keyless",
        ValueType::Number,
        TimeFrame::All,
        "SELECT COUNT(*) FROM keyless",
    );
    assert_eq!(query(batched.executor(), keyless).unwrap(), number(3));
}

trait SqlExecutorWithStats {
    fn executor(&self) -> &dyn SqlExecutor;
    fn statements(&self) -> u64;
}

impl SqlExecutorWithStats for SqliteExecutor {
    fn executor(&self) -> &dyn SqlExecutor {
        self
    }
    fn statements(&self) -> u64 {
        SqliteExecutor::statements(self)
    }
}

impl SqlExecutorWithStats for PostgresExecutor {
    fn executor(&self) -> &dyn SqlExecutor {
        self
    }
    fn statements(&self) -> u64 {
        PostgresExecutor::statements(self)
    }
}

#[test]
fn sqlite_batch_counting_agrees_with_one_query() {
    let path = sqlite_file("batches");
    sqlite_setup(
        &path,
        &format!(
            "CREATE TABLE events (id INTEGER PRIMARY KEY, user_id INTEGER, flag BOOLEAN, \
                                  created_at TEXT);
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {EVENTS_ROWS})
             INSERT INTO events
             SELECT i, i % 977, i % 3 = 0, datetime('2025-03-01 00:00:00', '+' || i || ' minutes')
             FROM n WHERE i % 7 <> 0;
             CREATE INDEX events_user_id ON events (user_id);
             CREATE TABLE empty (id INTEGER PRIMARY KEY);
             CREATE TABLE keyless (name TEXT);
             INSERT INTO keyless VALUES ('a'), ('b'), ('c');"
        ),
    );
    assert_batches_agree(
        |options| Box::new(SqliteExecutor::open(&path, options).unwrap()),
        "sqlite",
    );
}

#[test]
fn postgres_batch_counting_agrees_with_one_query() {
    pg_setup(&format!(
        "CREATE SCHEMA batches; SET search_path = batches;
         CREATE TABLE events (id BIGINT PRIMARY KEY, user_id BIGINT, flag BOOLEAN,
                              created_at TIMESTAMPTZ);
         INSERT INTO events
         SELECT i, i % 977, i % 3 = 0, TIMESTAMPTZ '2025-03-01 00:00:00+00' + i * INTERVAL '1 minute'
         FROM generate_series(1, {EVENTS_ROWS}) AS i WHERE i % 7 <> 0;
         CREATE INDEX events_user_id ON events (user_id);
         CREATE TABLE empty (id INTEGER PRIMARY KEY);
         CREATE TABLE keyless (name TEXT);
         INSERT INTO keyless VALUES ('a'), ('b'), ('c');"
    ));
    let mut config = pg_config();
    config.options("-c search_path=batches");
    assert_batches_agree(
        |options| Box::new(PostgresExecutor::new(config.clone(), options)),
        "postgres",
    );
}

// --- Connections -------------------------------------------------------------------------

#[test]
fn postgres_reconnects_after_its_connection_broke() {
    let mut config = pg_config();
    config.application_name("metricc_reconnect_test");
    let executor = PostgresExecutor::new(config, ExecutorOptions::default());
    let one = metric(
        "counts.one",
        ValueType::Number,
        TimeFrame::None,
        "SELECT COUNT(*) FROM (SELECT 1) AS one",
    );
    assert_eq!(query(&executor, one).unwrap(), number(1));
    // One query after another: the same connection, kept idle between them.
    let backend = metric(
        "counts.backend",
        ValueType::Number,
        TimeFrame::None,
        "SELECT pg_backend_pid()",
    );
    let first = query(&executor, backend).unwrap();
    assert_eq!(query(&executor, backend).unwrap(), first);
    // Kill the executor's idle connection.
    let mut admin = pg_config().connect(NoTls).unwrap();
    admin
        .execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE application_name = 'metricc_reconnect_test'",
            &[],
        )
        .unwrap();
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(query(&executor, one).unwrap(), number(1));

    // A server that is not there: an error, no panic.
    let mut nowhere = pg_config();
    nowhere.port(1).connect_timeout(Duration::from_secs(2));
    let executor = PostgresExecutor::new(nowhere, ExecutorOptions::default());
    let e = query(&executor, one).unwrap_err().to_string();
    assert!(e.contains("cannot connect"), "{e}");
}
