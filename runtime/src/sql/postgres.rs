//! The PostgreSQL executor (feature `postgres`): the blocking `postgres` client.
//!
//! Every statement runs in `BEGIN TRANSACTION READ ONLY` with `SET LOCAL
//! statement_timeout` and `SET LOCAL TimeZone = 'UTC'`, and is rolled back. Named
//! parameters become `$1..$n` ([`super::positional`]); window bounds are bound as
//! `timestamptz`, batch bounds as `int8`. Connections are kept in a small pool; a broken
//! one is dropped and the query retried once on a new one.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use postgres::types::{FromSql, ToSql, Type};
use postgres::{Client, Config, NoTls};

use super::{Cell, ExecutorOptions, Param, Session};
use crate::ping::{MetricContext, SqlExecutor};
use crate::time::Timestamp;
use crate::value::{Error, Value};

type Connect = dyn Fn() -> Result<Client, postgres::Error> + Send + Sync;

/// Runs database metrics' SQL on PostgreSQL.
pub struct PostgresExecutor {
    connect: Box<Connect>,
    idle: Mutex<Vec<Client>>,
    options: ExecutorOptions,
    statements: AtomicU64,
}

impl PostgresExecutor {
    /// An executor that connects with `config`, without TLS (a server on the same host or
    /// network). Connections are opened when queries need them.
    pub fn new(config: Config, options: ExecutorOptions) -> PostgresExecutor {
        PostgresExecutor::with_connector(move || config.connect(NoTls), options)
    }

    /// An executor that opens its connections with `connect` (with TLS, say:
    /// `move || config.connect(tls.clone())`).
    pub fn with_connector(
        connect: impl Fn() -> Result<Client, postgres::Error> + Send + Sync + 'static,
        options: ExecutorOptions,
    ) -> PostgresExecutor {
        PostgresExecutor {
            connect: Box::new(connect),
            idle: Mutex::new(Vec::new()),
            options,
            statements: AtomicU64::new(0),
        }
    }

    /// How many statements the executor has run (batch counting runs several per query).
    pub fn statements(&self) -> u64 {
        self.statements.load(Ordering::Relaxed)
    }

    fn run_on(
        &self,
        client: &mut Client,
        context: &MetricContext,
        sql: &str,
        parameters: &[(&str, Timestamp)],
    ) -> Result<Value, Error> {
        let mut session = PostgresSession {
            client,
            executor: self,
        };
        super::run(&mut session, &self.options, context, sql, parameters)
    }
}

impl SqlExecutor for PostgresExecutor {
    fn query(
        &self,
        context: &MetricContext,
        sql: &str,
        parameters: &[(&str, Timestamp)],
    ) -> Result<Value, Error> {
        let pooled = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let (mut client, from_pool) = match pooled {
            Some(client) if !client.is_closed() => (client, true),
            _ => (self.connect()?, false),
        };
        let mut result = self.run_on(&mut client, context, sql, parameters);
        if result.is_err() && from_pool && client.is_closed() {
            // The connection broke while idle (a server restart, say): once more, anew.
            client = self.connect()?;
            result = self.run_on(&mut client, context, sql, parameters);
        }
        if !client.is_closed() {
            let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
            if idle.len() < self.options.idle_connections {
                idle.push(client);
            }
        }
        result
    }
}

impl PostgresExecutor {
    fn connect(&self) -> Result<Client, Error> {
        (self.connect)()
            .map_err(|e| format!("cannot connect to PostgreSQL: {}", described(e)).into())
    }
}

struct PostgresSession<'a> {
    client: &'a mut Client,
    executor: &'a PostgresExecutor,
}

impl Session for PostgresSession<'_> {
    fn row(&mut self, sql: &str, params: &[(&str, Param)]) -> Result<Vec<Cell>, Error> {
        let names: Vec<&str> = params.iter().map(|(name, _)| *name).collect();
        let (text, order) = super::positional(sql, &names)?;
        let mut types = Vec::with_capacity(order.len());
        let mut values: Vec<Box<dyn ToSql + Sync>> = Vec::with_capacity(order.len());
        for name in order {
            match params.iter().find(|(n, _)| *n == name).map(|(_, v)| *v) {
                Some(Param::Time(at)) => {
                    types.push(Type::TIMESTAMPTZ);
                    values.push(Box::new(system_time(at)));
                }
                Some(Param::Integer(i)) => {
                    types.push(Type::INT8);
                    values.push(Box::new(i));
                }
                None => return Err(format!("no value for {name}").into()),
            }
        }
        let refs: Vec<&(dyn ToSql + Sync)> = values.iter().map(|v| v.as_ref()).collect();
        let mut transaction = self
            .client
            .build_transaction()
            .read_only(true)
            .start()
            .map_err(described)?;
        // SET takes no parameters: the time-out is a number written here.
        transaction
            .batch_execute(&format!(
                "SET LOCAL statement_timeout = {}; SET LOCAL TimeZone = 'UTC'",
                self.executor.options.timeout_ms()
            ))
            .map_err(described)?;
        self.executor.statements.fetch_add(1, Ordering::Relaxed);
        let statement = transaction
            .prepare_typed(&text, &types)
            .map_err(described)?;
        let rows = transaction.query(&statement, &refs).map_err(described)?;
        // Rolled back: a read-only transaction has nothing to commit.
        transaction.rollback().map_err(described)?;
        let mut rows = rows.into_iter();
        let Some(row) = rows.next() else {
            return Err("the query returned no row".into());
        };
        if rows.next().is_some() {
            return Err("the query returned more than one row".into());
        }
        let mut cells = Vec::with_capacity(row.len());
        for i in 0..row.len() {
            cells.push(row.try_get::<_, PgCell>(i).map_err(described)?.0);
        }
        Ok(cells)
    }
}

/// The client's error with what the server said (its own text is only "db error").
fn described(e: postgres::Error) -> Error {
    if let Some(db) = e.as_db_error() {
        return db.to_string().into();
    }
    match std::error::Error::source(&e) {
        Some(source) => format!("{e}: {source}").into(),
        None => e.into(),
    }
}

fn system_time(at: Timestamp) -> SystemTime {
    let offset = Duration::from_secs(at.0.unsigned_abs());
    let time = if at.0 >= 0 {
        UNIX_EPOCH.checked_add(offset)
    } else {
        UNIX_EPOCH.checked_sub(offset)
    };
    time.unwrap_or(UNIX_EPOCH)
}

/// A result value of any type a metric's value can come from.
struct PgCell(Cell);

type FromSqlError = Box<dyn std::error::Error + Sync + Send>;

impl<'a> FromSql<'a> for PgCell {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<PgCell, FromSqlError> {
        Ok(PgCell(match *ty {
            Type::BOOL => Cell::Boolean(bool::from_sql(ty, raw)?),
            Type::INT2 => Cell::Integer(i16::from_sql(ty, raw)?.into()),
            Type::INT4 => Cell::Integer(i32::from_sql(ty, raw)?.into()),
            Type::INT8 => Cell::Integer(i64::from_sql(ty, raw)?),
            Type::OID => Cell::Integer(u32::from_sql(ty, raw)?.into()),
            Type::FLOAT4 => Cell::Float(f32::from_sql(ty, raw)?.into()),
            Type::FLOAT8 => Cell::Float(f64::from_sql(ty, raw)?),
            Type::NUMERIC => numeric(raw)?,
            Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN => {
                Cell::Text(String::from_sql(ty, raw)?)
            }
            Type::JSON => Cell::Json(serde_json::from_slice(raw)?),
            Type::JSONB => match raw.split_first() {
                Some((1, json)) => Cell::Json(serde_json::from_slice(json)?),
                _ => return Err("jsonb in an unknown format".into()),
            },
            _ => return Err(format!("a value of type {ty} is no metric's value").into()),
        }))
    }

    fn from_sql_null(_: &Type) -> Result<PgCell, FromSqlError> {
        Ok(PgCell(Cell::Null))
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

/// A `numeric` in PostgreSQL's binary form: digit count, weight (of the first base-10000
/// digit), sign, display scale, then the base-10000 digits. An integer when it is a whole
/// number that fits, a float otherwise.
fn numeric(raw: &[u8]) -> Result<Cell, FromSqlError> {
    let word = |i: usize| -> Result<u16, FromSqlError> {
        match raw.get(2 * i..2 * i + 2) {
            Some(&[a, b]) => Ok(u16::from_be_bytes([a, b])),
            _ => Err("a numeric cut short".into()),
        }
    };
    let count = usize::from(word(0)?);
    let weight = i64::from(word(1)? as i16);
    let sign = word(2)?;
    match sign {
        0x0000 | 0x4000 => {}
        0xC000 => return Ok(Cell::Float(f64::NAN)),
        0xD000 => return Ok(Cell::Float(f64::INFINITY)),
        0xF000 => return Ok(Cell::Float(f64::NEG_INFINITY)),
        _ => return Err(format!("a numeric with sign {sign:#x}").into()),
    }
    let mut digits = Vec::with_capacity(count);
    for i in 0..count {
        digits.push(word(4 + i)?);
    }
    let digit = |k: i64| -> u16 {
        usize::try_from(k)
            .ok()
            .and_then(|k| digits.get(k))
            .copied()
            .unwrap_or(0)
    };
    let mut text = String::new();
    if sign == 0x4000 {
        text.push('-');
    }
    if weight < 0 {
        text.push('0');
    }
    for k in 0..=weight {
        if k == 0 {
            text.push_str(&digit(k).to_string());
        } else {
            text.push_str(&format!("{:04}", digit(k)));
        }
    }
    let fraction: String = (weight + 1..i64::try_from(count).unwrap_or(0))
        .map(|k| format!("{:04}", digit(k)))
        .collect();
    if fraction.bytes().all(|b| b == b'0') {
        if let Ok(i) = text.parse::<i64>() {
            return Ok(Cell::Integer(i));
        }
        return Ok(Cell::Float(text.parse()?));
    }
    text.push('.');
    text.push_str(&fraction);
    Ok(Cell::Float(text.parse()?))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn encode(weight: i16, sign: u16, digits: &[u16]) -> Vec<u8> {
        let mut raw = Vec::new();
        for w in [digits.len() as u16, weight as u16, sign, 0] {
            raw.extend_from_slice(&w.to_be_bytes());
        }
        for d in digits {
            raw.extend_from_slice(&d.to_be_bytes());
        }
        raw
    }

    #[test]
    fn numerics_decode() {
        // 12345678 = 1234 5678
        assert_eq!(
            numeric(&encode(1, 0, &[1234, 5678])).unwrap(),
            Cell::Integer(12_345_678)
        );
        // 0
        assert_eq!(numeric(&encode(0, 0, &[])).unwrap(), Cell::Integer(0));
        // 20000 = 2 0000, trailing zero digit left out
        assert_eq!(numeric(&encode(1, 0, &[2])).unwrap(), Cell::Integer(20_000));
        // -1.5 = 1 . 5000
        assert_eq!(
            numeric(&encode(0, 0x4000, &[1, 5000])).unwrap(),
            Cell::Float(-1.5)
        );
        // 0.00012 = 0 . 0001 2000
        assert_eq!(
            numeric(&encode(-1, 0, &[1, 2000])).unwrap(),
            Cell::Float(0.00012)
        );
        // 0.000001 = 0 . 0000 0100
        assert_eq!(
            numeric(&encode(-2, 0, &[100])).unwrap(),
            Cell::Float(0.000001)
        );
        assert!(matches!(numeric(&encode(0, 0xC000, &[])).unwrap(), Cell::Float(x) if x.is_nan()));
        assert_eq!(
            numeric(&encode(0, 0xD000, &[])).unwrap(),
            Cell::Float(f64::INFINITY)
        );
        assert_eq!(
            numeric(&encode(0, 0xF000, &[])).unwrap(),
            Cell::Float(f64::NEG_INFINITY)
        );
        assert!(numeric(&encode(0, 0x1234, &[])).is_err());
        assert!(numeric(&[0, 1]).is_err());
    }
}
