//! The SQLite executor (feature `sqlite`): `rusqlite`, with SQLite compiled in.
//!
//! Every statement runs in a transaction on a connection with `PRAGMA query_only = ON`
//! (opened read-only, when the executor opens it from a path), under an authorizer that
//! allows reading and nothing else, and with a progress handler that interrupts it at the
//! statement time-out. Named parameters are SQLite's own (`:window_start`); window bounds
//! are bound as [`SqliteTimestamps`] says.

use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use rusqlite::hooks::{AuthAction, AuthContext, Authorization};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, ErrorCode, OpenFlags};

use super::{Cell, ExecutorOptions, Param, Session, sql_timestamp};
use crate::ping::{MetricContext, SqlExecutor};
use crate::time::Timestamp;
use crate::value::{Error, Value};

/// How window bounds are bound: they must compare correctly with the timestamps the
/// tables hold.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SqliteTimestamps {
    /// Text, `YYYY-MM-DD HH:MM:SS` in UTC (the default): what SQLite's `datetime()` and
    /// `CURRENT_TIMESTAMP` write. Text timestamps in that form, with or without fractional
    /// seconds, compare in time order.
    #[default]
    Text,
    /// Seconds since 1970-01-01 00:00 UTC, an integer (for tables that keep Unix times).
    UnixSeconds,
}

/// Where connections come from.
enum Source {
    /// A database file: read-only connections, opened as needed.
    Path {
        path: PathBuf,
        idle: Mutex<Vec<Connection>>,
    },
    /// One connection the application gave: queries take turns on it.
    Connection(Mutex<Connection>),
}

/// Runs database metrics' SQL on SQLite.
pub struct SqliteExecutor {
    source: Source,
    options: ExecutorOptions,
    timestamps: SqliteTimestamps,
    statements: AtomicU64,
}

impl SqliteExecutor {
    /// An executor on the database file at `path`, opened read-only (one connection now, to
    /// report a missing or unreadable file at once; more as lanes need them).
    pub fn open(path: impl Into<PathBuf>, options: ExecutorOptions) -> Result<Self, Error> {
        let path = path.into();
        let first = open_read_only(&path)?;
        Ok(SqliteExecutor {
            source: Source::Path {
                path,
                idle: Mutex::new(vec![first]),
            },
            options,
            timestamps: SqliteTimestamps::default(),
            statements: AtomicU64::new(0),
        })
    }

    /// An executor on a connection the application opened (an in-memory database, a
    /// connection with its own settings). The executor turns `query_only` on for good: it
    /// only ever reads through it.
    pub fn from_connection(
        connection: Connection,
        options: ExecutorOptions,
    ) -> Result<Self, Error> {
        connection.pragma_update(None, "query_only", true)?;
        Ok(SqliteExecutor {
            source: Source::Connection(Mutex::new(connection)),
            options,
            timestamps: SqliteTimestamps::default(),
            statements: AtomicU64::new(0),
        })
    }

    /// Binds window bounds as `timestamps` says (default: text).
    pub fn with_timestamps(mut self, timestamps: SqliteTimestamps) -> Self {
        self.timestamps = timestamps;
        self
    }

    /// How many statements the executor has run (batch counting runs several per query).
    pub fn statements(&self) -> u64 {
        self.statements.load(Ordering::Relaxed)
    }

    fn run_on(
        &self,
        connection: &Connection,
        context: &MetricContext,
        sql: &str,
        parameters: &[(&str, Timestamp)],
    ) -> Result<Value, Error> {
        let mut session = SqliteSession {
            connection,
            executor: self,
        };
        super::run(&mut session, &self.options, context, sql, parameters)
    }
}

impl SqlExecutor for SqliteExecutor {
    fn query(
        &self,
        context: &MetricContext,
        sql: &str,
        parameters: &[(&str, Timestamp)],
    ) -> Result<Value, Error> {
        match &self.source {
            Source::Connection(connection) => {
                let connection = connection.lock().unwrap_or_else(|e| e.into_inner());
                self.run_on(&connection, context, sql, parameters)
            }
            Source::Path { path, idle } => {
                let taken = idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
                let connection = match taken {
                    Some(connection) => connection,
                    None => open_read_only(path)?,
                };
                let result = self.run_on(&connection, context, sql, parameters);
                let mut idle = idle.lock().unwrap_or_else(|e| e.into_inner());
                if idle.len() < self.options.idle_connections && connection.is_autocommit() {
                    idle.push(connection);
                }
                result
            }
        }
    }
}

fn open_read_only(path: &std::path::Path) -> Result<Connection, Error> {
    let connection = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI,
    )
    .map_err(|e| format!("cannot open {} read-only: {e}", path.display()))?;
    connection.pragma_update(None, "query_only", true)?;
    Ok(connection)
}

struct SqliteSession<'a> {
    connection: &'a Connection,
    executor: &'a SqliteExecutor,
}

impl Session for SqliteSession<'_> {
    fn row(&mut self, sql: &str, params: &[(&str, Param)]) -> Result<Vec<Cell>, Error> {
        let connection = self.connection;
        let timeout = self.executor.options.statement_timeout;
        connection.busy_timeout(timeout)?;
        // Belt and braces: the connection is query-only already.
        connection.pragma_update(None, "query_only", true)?;
        let transaction = connection.unchecked_transaction()?;
        self.executor.statements.fetch_add(1, Ordering::Relaxed);
        let deadline = Instant::now() + timeout;
        connection.progress_handler(1_000, Some(move || Instant::now() >= deadline))?;
        connection.authorizer(Some(read_only))?;
        let result = statement(connection, sql, params, self.executor.timestamps);
        let _ = connection.authorizer(None::<fn(AuthContext<'_>) -> Authorization>);
        let _ = connection.progress_handler(0, None::<fn() -> bool>);
        drop(transaction);
        result.map_err(|e| match e.sqlite_error_code() {
            Some(ErrorCode::OperationInterrupted) => format!(
                "the query ran past the statement time-out of {} ms",
                self.executor.options.timeout_ms()
            )
            .into(),
            _ => Error::from(e),
        })
    }
}

/// What a metric's statement may do: read.
fn read_only(context: AuthContext<'_>) -> Authorization {
    match context.action {
        AuthAction::Select
        | AuthAction::Read { .. }
        | AuthAction::Function { .. }
        | AuthAction::Recursive => Authorization::Allow,
        _ => Authorization::Deny,
    }
}

fn statement(
    connection: &Connection,
    sql: &str,
    params: &[(&str, Param)],
    timestamps: SqliteTimestamps,
) -> Result<Vec<Cell>, rusqlite::Error> {
    let mut statement = connection.prepare(sql)?;
    for index in 1..=statement.parameter_count() {
        let name = statement.parameter_name(index).unwrap_or("?");
        let Some((_, value)) = params.iter().find(|(n, _)| *n == name) else {
            return Err(rusqlite::Error::InvalidParameterName(format!(
                "{name} (the query has no value for it)"
            )));
        };
        match (value, timestamps) {
            (Param::Time(at), SqliteTimestamps::Text) => {
                statement.raw_bind_parameter(index, sql_timestamp(*at))?
            }
            (Param::Time(at), SqliteTimestamps::UnixSeconds) => {
                statement.raw_bind_parameter(index, at.0)?
            }
            (Param::Integer(i), _) => statement.raw_bind_parameter(index, *i)?,
        }
    }
    let columns = statement.column_count();
    let mut rows = statement.raw_query();
    let Some(row) = rows.next()? else {
        return Err(rusqlite::Error::QueryReturnedNoRows);
    };
    let mut cells = Vec::with_capacity(columns);
    for i in 0..columns {
        cells.push(match row.get_ref(i)? {
            ValueRef::Null => Cell::Null,
            ValueRef::Integer(n) => Cell::Integer(n),
            ValueRef::Real(x) => Cell::Float(x),
            ValueRef::Text(text) => Cell::Text(String::from_utf8_lossy(text).into_owned()),
            ValueRef::Blob(_) => {
                return Err(rusqlite::Error::InvalidColumnType(
                    i,
                    "a blob is no metric's value".to_owned(),
                    rusqlite::types::Type::Blob,
                ));
            }
        });
    }
    if rows.next()?.is_some() {
        return Err(rusqlite::Error::QueryReturnedMoreThanOneRow);
    }
    Ok(cells)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    /// Without the authorizer, `query_only` alone refuses writes.
    #[test]
    fn query_only_refuses_writes_by_itself() {
        let connection = Connection::open_in_memory().unwrap();
        connection
            .execute_batch("CREATE TABLE t (id INTEGER); INSERT INTO t VALUES (1);")
            .unwrap();
        connection.pragma_update(None, "query_only", true).unwrap();
        for write in [
            "INSERT INTO t VALUES (2) RETURNING id",
            "DELETE FROM t RETURNING id",
        ] {
            let e = statement(&connection, write, &[], SqliteTimestamps::Text).unwrap_err();
            assert!(e.to_string().contains("readonly"), "{write}: {e}");
        }
        let count = statement(
            &connection,
            "SELECT COUNT(*) FROM t",
            &[],
            SqliteTimestamps::Text,
        );
        assert_eq!(count.unwrap(), [Cell::Integer(1)]);
    }

    /// A file the executor opens itself is opened read-only, whatever the pragmas say.
    #[test]
    fn files_open_read_only() {
        let dir = std::env::temp_dir().join(format!("metricc-sqlite-ro-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("app.db");
        Connection::open(&path)
            .unwrap()
            .execute_batch("CREATE TABLE t (id INTEGER);")
            .unwrap();
        let connection = open_read_only(&path).unwrap();
        assert!(connection.is_readonly(rusqlite::MAIN_DB).unwrap());
        connection.pragma_update(None, "query_only", false).unwrap();
        let e = connection
            .execute("INSERT INTO t VALUES (1)", [])
            .unwrap_err();
        assert!(e.to_string().contains("readonly"), "{e}");
        drop(connection);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
