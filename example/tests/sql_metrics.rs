//! Every SQL metric of `definitions/` (the generated `metrics` table) through ping assembly
//! on SQLite and on PostgreSQL (started by `scripts/services`; the test fails, never skips,
//! when it cannot start), with the runtime's executors and bound windows.
//!
//! `fixtures/app_db.sql` creates the tables the queries read, with rows inside, outside and
//! at the end of the windows; each metric's value is the one the fixture's comments work
//! out. No query needs a PostgreSQL-only construct: all run on SQLite too. Each database
//! also runs them with batch counting on (batches of 2 rows), which must not change a
//! value.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

// The generated module `metrics`, as in src/main.rs.
#[allow(dead_code)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/metricc/rust/metrics.rs"));
}

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use generated::metrics;
use metricc_runtime::sql::postgres::{self, NoTls};
use metricc_runtime::sql::rusqlite::Connection;
use metricc_runtime::sql::{ExecutorOptions, PostgresExecutor, SqliteExecutor};
use metricc_runtime::{
    Instrument, ManualClock, MemoryStore, MetricSpec, Number, PingOptions, Recorder,
    RecorderOptions, ServicePing, SqlExecutor, Timestamp, Value, ValueSource,
};

const FIXTURE: &str = include_str!("fixtures/app_db.sql");

/// Each SQL metric's value over the fixture.
const EXPECTED: &[(&str, Expected)] = &[
    // all
    ("totals.alerts", Count(6)),
    ("totals.project_approval_rules", Count(6)),
    ("totals.audit_event_destinations", Count(6)),
    ("totals.pending_background_migrations", Count(6)),
    ("totals.issue_boards", Count(6)),
    ("totals.published_catalog_resources", Count(6)),
    ("totals.license_scanning_jobs", Count(6)),
    ("totals.active_pipeline_schedules", Count(6)),
    ("totals.ci_variables", Count(6)),
    ("totals.cluster_agents", Count(6)),
    ("totals.compliance_frameworks", Count(6)),
    ("totals.container_repositories", Count(6)),
    ("totals.dast_site_profiles", Count(6)),
    ("totals.available_environments", Count(6)),
    ("totals.epics", Count(6)),
    ("totals.on_call_schedules", Count(6)),
    ("totals.issues", Count(7)),
    ("totals.merge_requests", Count(6)),
    ("totals.projects_with_observability", Count(6)),
    ("totals.feature_flags", Count(6)),
    ("totals.feature_flag_user_lists", Count(6)),
    ("totals.packages", Count(6)),
    ("totals.pages_deployments", Count(6)),
    ("totals.projects_with_error_tracking", Count(6)),
    ("totals.project_repositories", Count(6)),
    ("totals.imported_projects", Count(6)),
    ("totals.projects", Count(6)),
    ("totals.protected_environments", Count(6)),
    ("totals.releases", Count(6)),
    ("totals.projects_with_push_mirrors", Count(5)),
    ("totals.sbom_occurrences", Count(6)),
    ("totals.security_policy_configurations", Count(6)),
    ("totals.applied_suggestions", Count(6)),
    ("totals.terraform_states", Count(6)),
    ("totals.active_human_users", Count(6)),
    ("totals.open_vulnerabilities", Count(6)),
    ("totals.running_workspaces", Count(6)),
    // 28d: 3 rows, 2 distinct users
    ("activity_monthly.govern.audit_events_recorded", Count(3)),
    ("active_users.foundations.signed_in_users_monthly", Count(2)),
    (
        "activity_monthly.verify.catalog_versions_released",
        Count(3),
    ),
    ("active_users.secure.security_scan_users_monthly", Count(2)),
    ("activity_monthly.verify.failed_jobs", Count(3)),
    ("active_users.verify.pipeline_users_monthly", Count(3)),
    ("activity_monthly.verify.legacy_trigger_pipelines", Count(3)),
    ("activity_monthly.verify.runners_contacted", Count(3)),
    ("activity_monthly.deploy.cluster_agents_created", Count(3)),
    (
        "activity_monthly.package.cleanup_policies_changed",
        Count(3),
    ),
    ("activity_monthly.secure.dast_schedules_created", Count(3)),
    ("active_users.deploy.deployers_monthly", Count(2)),
    ("activity_monthly.deploy.failed_deployments", Count(3)),
    ("activity_monthly.plan.epics_created", Count(3)),
    ("activity_monthly.monitor.incidents_closed", Count(3)),
    ("activity_monthly.plan.issues_with_time_estimate", Count(3)),
    ("activity_monthly.create.merge_requests_merged", Count(3)),
    ("active_users.create.git_pushers_monthly", Count(2)),
    ("activity_monthly.foundations.failed_imports", Count(3)),
    ("active_users.deploy.release_authors_monthly", Count(2)),
    (
        "activity_monthly.secure.projects_with_new_components",
        Count(2),
    ),
    ("active_users.foundations.product_users_monthly", Count(2)),
    ("activity_monthly.govern.vulnerabilities_resolved", Count(3)),
    // 7d: 2 rows
    ("activity_weekly.create.merge_request_approvals", Count(2)),
    ("activity_weekly.verify.pipelines_finished", Count(2)),
    ("activity_weekly.deploy.successful_deployments", Count(2)),
    ("activity_weekly.monitor.error_events_ingested", Count(2)),
    ("activity_weekly.package.package_files_uploaded", Count(2)),
    ("activity_weekly.create.projects_created", Count(3)),
    ("activity_weekly.secure.sast_scans_succeeded", Count(2)),
    ("activity_weekly.govern.vulnerabilities_detected", Count(2)),
    // settings: the latest row
    ("settings.signup_enabled", Flag(false)),
    ("settings.secret_push_protection_available", Flag(true)),
    (
        "settings.service_ping_dependent_features_enabled",
        Flag(true),
    ),
    ("settings.two_factor_required", Flag(false)),
];

#[derive(Clone, Copy, Debug)]
enum Expected {
    Count(i64),
    Flag(bool),
}
use Expected::*;

impl Expected {
    fn value(self) -> Value {
        match self {
            Count(n) => Value::Number(Number::Integer(n)),
            Flag(b) => Value::Boolean(b),
        }
    }
}

/// The generated table's SQL metrics.
fn sql_metrics() -> &'static [&'static MetricSpec] {
    let sql: Vec<&'static MetricSpec> = metrics::metrics()
        .iter()
        .copied()
        .filter(|m| matches!(m.source, ValueSource::Sql { .. }))
        .collect();
    Box::leak(sql.into_boxed_slice())
}

/// The ping of the SQL metrics on Saturday 2025-03-15 12:00 UTC.
fn ping(executor: Arc<dyn SqlExecutor>) -> ServicePing {
    let recorder = Recorder::new(
        Arc::new(MemoryStore::new()),
        RecorderOptions {
            clock: Arc::new(ManualClock::new(Timestamp::from_utc(2025, 3, 15, 12, 0, 0))),
            ..RecorderOptions::default()
        },
    );
    let options = PingOptions {
        sql: Some(executor),
        metric_timeout: Duration::from_secs(30),
        ..PingOptions::new("sql-metrics", "1.0")
    };
    let instrument: Arc<Instrument> = Arc::new(|_, _| Err("not a SQL metric".into()));
    metricc_runtime::assemble(sql_metrics(), &recorder, instrument, &options)
}

fn assert_expected(ping: &ServicePing, database: &str) {
    let metrics = sql_metrics();
    assert!(metrics.len() >= 60, "{} SQL metrics", metrics.len());
    assert!(ping.failed.is_empty(), "{database}: {:#?}", ping.failed);
    let mut wrong = Vec::new();
    for metric in metrics {
        let Some((_, expected)) = EXPECTED.iter().find(|(k, _)| *k == metric.key_path) else {
            panic!(
                "{}: no expected value; give the fixture rows for it and the test its value",
                metric.key_path
            );
        };
        let value = ping.value(metric.key_path);
        if value != Some(&expected.value()) {
            wrong.push(format!(
                "{}: {value:?}, expected {expected:?}",
                metric.key_path
            ));
        }
    }
    assert!(wrong.is_empty(), "{database}:\n{}", wrong.join("\n"));
}

fn batched() -> ExecutorOptions {
    ExecutorOptions {
        batch_size: Some(2),
        ..ExecutorOptions::default()
    }
}

#[test]
fn sql_metrics_run_on_sqlite_with_bound_windows() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("example-sql");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("app_db.sqlite");
    let _ = std::fs::remove_file(&path);
    Connection::open(&path)
        .unwrap()
        .execute_batch(FIXTURE)
        .unwrap();

    let executor = Arc::new(SqliteExecutor::open(&path, ExecutorOptions::default()).unwrap());
    let first = ping(executor.clone());
    assert_expected(&first, "sqlite");
    assert_eq!(executor.statements(), sql_metrics().len() as u64);

    let executor = Arc::new(SqliteExecutor::open(&path, batched()).unwrap());
    assert_expected(&ping(executor.clone()), "sqlite, batch counting");
    assert!(executor.statements() > 2 * sql_metrics().len() as u64);
}

/// The fixture in a fresh database of the PostgreSQL of `scripts/services`.
fn postgres_database() -> postgres::Config {
    let services = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/services");
    let started = Command::new(&services)
        .args(["start", "postgres"])
        .output()
        .unwrap();
    assert!(
        started.status.success(),
        "scripts/services start postgres failed: {}",
        String::from_utf8_lossy(&started.stderr)
    );
    let env = Command::new(&services)
        .args(["env", "postgres"])
        .output()
        .unwrap();
    let env = String::from_utf8_lossy(&env.stdout).into_owned();
    let var = |name: &str| -> String {
        env.lines()
            .filter_map(|l| l.strip_prefix("export ")?.split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_owned())
            .unwrap_or_else(|| panic!("scripts/services env postgres has no {name}: {env}"))
    };
    let mut config = postgres::Config::new();
    config
        .host(&var("PGHOST"))
        .port(var("PGPORT").parse().unwrap())
        .user(&var("PGUSER"))
        .password(var("PGPASSWORD"))
        .dbname(&var("PGDATABASE"))
        .connect_timeout(Duration::from_secs(10));
    let mut admin = config.connect(NoTls).unwrap();
    admin
        .batch_execute("DROP DATABASE IF EXISTS metricc_example_sql WITH (FORCE)")
        .unwrap();
    admin
        .batch_execute("CREATE DATABASE metricc_example_sql")
        .unwrap();
    config.dbname("metricc_example_sql");
    let mut client = config.connect(NoTls).unwrap();
    if let Err(e) = client.batch_execute(&format!("SET TimeZone = 'UTC';\n{FIXTURE}")) {
        panic!("fixtures/app_db.sql on PostgreSQL: {e:?}");
    }
    config
}

#[test]
fn sql_metrics_run_on_postgres_with_bound_windows() {
    let config = postgres_database();
    let executor = Arc::new(PostgresExecutor::new(
        config.clone(),
        ExecutorOptions::default(),
    ));
    let first = ping(executor.clone());
    assert_expected(&first, "postgres");
    assert_eq!(executor.statements(), sql_metrics().len() as u64);
    eprintln!(
        "{} SQL metrics on PostgreSQL in {:.1?}",
        sql_metrics().len(),
        first.duration
    );

    let executor = Arc::new(PostgresExecutor::new(config, batched()));
    assert_expected(&ping(executor.clone()), "postgres, batch counting");
    assert!(executor.statements() > 2 * sql_metrics().len() as u64);
}
