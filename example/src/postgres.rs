//! The application's database in PostgreSQL (`--postgres`): the tables the definitions' SQL
//! reads (`database.sql`), filled with the rows the simulation wrote, so that database
//! metrics run as real SQL through `metricc_runtime`'s `PostgresExecutor`.

use std::fmt::Write as _;
use std::io::Write as _;

use metricc_runtime::Timestamp;
use metricc_runtime::sql::postgres::{Config, NoTls};
use metricc_runtime::sql::{ExecutorOptions, PostgresExecutor};

use crate::simulation::Database;

/// The tables and their one settings row.
const SCHEMA: &str = include_str!("database.sql");

/// Creates the example's tables in the database `conninfo` names (libpq's `key=value`
/// form, or a `postgresql://` URL), replacing earlier ones, writes the simulated rows into
/// them, and returns an executor on that database.
pub fn load(database: &Database, conninfo: &str) -> Result<PostgresExecutor, String> {
    let config: Config = conninfo
        .parse()
        .map_err(|e| format!("--postgres: not a connection string: {e}"))?;
    let mut client = config
        .connect(NoTls)
        .map_err(|e| format!("cannot connect to PostgreSQL: {e}"))?;
    let failed =
        |e: metricc_runtime::sql::postgres::Error| format!("cannot fill the database: {e}");
    let mut transaction = client.transaction().map_err(failed)?;
    transaction.batch_execute(SCHEMA).map_err(failed)?;
    let mut rows = database.rows();
    rows.sort_by_key(|(table, ..)| *table);
    for table_rows in rows.chunk_by(|a, b| a.0 == b.0) {
        let table = table_rows[0].0;
        let Some(columns) = columns(table) else {
            continue;
        };
        let mut text = String::new();
        for (n, (_, at, user)) in table_rows.iter().enumerate() {
            row(&mut text, table, n as u64 + 1, *at, *user);
        }
        copy(&mut transaction, table, columns, &text).map_err(failed)?;
    }
    transaction.commit().map_err(failed)?;
    Ok(PostgresExecutor::new(config, ExecutorOptions::default()))
}

fn copy(
    client: &mut impl metricc_runtime::sql::postgres::GenericClient,
    table: &str,
    columns: &str,
    text: &str,
) -> Result<(), metricc_runtime::sql::postgres::Error> {
    let mut writer = client.copy_in(&format!("COPY {table} ({columns}) FROM STDIN"))?;
    // The writer only fails when the server does; `finish` reports that error.
    let _ = writer.write_all(text.as_bytes());
    writer.finish().map(|_| ())
}

/// The columns the simulated rows of `table` fill, in the order [`row`] writes them;
/// `None` for a table the simulation writes that no metric reads.
fn columns(table: &str) -> Option<&'static str> {
    Some(match table {
        "users" => "id, state, user_type",
        "projects" => "id, pending_delete, import_type, created_at",
        "authentication_events" => "id, user_id, result, created_at",
        "user_activity_events" => "id, user_id, created_at",
        "issues" => "id, issue_type, time_estimate, created_at, closed_at",
        "project_events" => "id, author_id, action, created_at",
        "ci_pipelines" => "id, user_id, source, status, created_at, finished_at",
        "ci_builds" => "id, name, status, user_id, created_at",
        "deployments" => "id, status, user_id, created_at, finished_at",
        "releases" => "id, author_id, created_at",
        "vulnerabilities" => "id, state, created_at, resolved_at",
        "project_import_states" => "id, status, updated_at",
        "packages" => "id, status",
        "merge_requests" | "ci_variables" => "id",
        "epics" | "approvals" | "package_files" => "id, created_at",
        "merge_request_metrics" => "id, merged_at",
        "ci_runners" => "id, contacted_at",
        _ => return None,
    })
}

/// One row of `table` in `COPY`'s text format: the `n`-th the simulation wrote, by `user`
/// at `at`. The row number varies what the simulation does not say (an issue or an
/// incident, a failed or a successful job, ...).
fn row(text: &mut String, table: &str, n: u64, at: Timestamp, user: u64) {
    let later = |seconds: i64| Timestamp(at.0 + seconds);
    let every = |k: u64| n % k == 0;
    let _ = match table {
        "users" => writeln!(text, "{n}\tactive\t0"),
        "projects" => {
            let import = if every(4) { "github" } else { "\\N" };
            writeln!(text, "{n}\tf\t{import}\t{at}")
        }
        "authentication_events" => {
            let result = if every(10) { "failed" } else { "success" };
            writeln!(text, "{n}\t{user}\t{result}\t{at}")
        }
        "user_activity_events" => writeln!(text, "{n}\t{user}\t{at}"),
        "issues" => {
            let estimate = if every(3) { 3_600 } else { 0 };
            if every(8) {
                writeln!(text, "{n}\tincident\t0\t{at}\t{}", later(3_600))
            } else {
                writeln!(text, "{n}\tissue\t{estimate}\t{at}\t\\N")
            }
        }
        "project_events" => writeln!(text, "{n}\t{user}\tpushed\t{at}"),
        "ci_pipelines" => {
            let source = if every(5) { "trigger" } else { "push" };
            let status = if every(6) { "failed" } else { "success" };
            writeln!(
                text,
                "{n}\t{user}\t{source}\t{status}\t{at}\t{}",
                later(600)
            )
        }
        "ci_builds" => {
            let name = if every(7) { "license_scanning" } else { "test" };
            let status = if every(6) { "failed" } else { "success" };
            writeln!(text, "{n}\t{name}\t{status}\t{user}\t{at}")
        }
        "deployments" => {
            let status = if every(5) { "failed" } else { "success" };
            writeln!(text, "{n}\t{status}\t{user}\t{at}\t{}", later(300))
        }
        "releases" => writeln!(text, "{n}\t{user}\t{at}"),
        "vulnerabilities" => {
            if every(3) {
                writeln!(text, "{n}\tresolved\t{at}\t{}", later(86_400))
            } else {
                writeln!(text, "{n}\tdetected\t{at}\t\\N")
            }
        }
        "project_import_states" => {
            let status = if every(4) { "failed" } else { "finished" };
            writeln!(text, "{n}\t{status}\t{at}")
        }
        "packages" => writeln!(text, "{n}\tdefault"),
        "merge_requests" | "ci_variables" => writeln!(text, "{n}"),
        _ => writeln!(text, "{n}\t{at}"),
    };
}
