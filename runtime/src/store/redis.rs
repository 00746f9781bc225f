//! The Redis store ([`RedisStore`], feature `redis`): one count that every node of an
//! application adds to, on one server ([`RedisStore::open`]) or a Redis Cluster
//! ([`RedisStore::open_cluster`]).
//!
//! # Keys
//!
//! `metricc:<namespace>:{<series>}:<bucket>`, for example
//! `metricc:gitlab:{create_issue/user.id}:2025-W07` or `metricc:gitlab:{create_issue}:all`
//! ([`RedisStore::key`]). The namespace ([`RedisOptions::namespace`]) keeps applications
//! that share a server apart. The braces are Redis Cluster's hash tag: every key of one
//! series (its weeks, its all-time bucket, and the temporary key a sketch is merged
//! through) lands on the same slot.
//!
//! # Values
//!
//! - [`Aggregate::Count`]: an integer, added with `INCRBY`.
//! - [`Aggregate::Sum`]: a number, added with `INCRBYFLOAT` (a whole sum reads back as a
//!   count; the two add up, see [`Aggregate::merge`]).
//! - [`Aggregate::Distinct`]: a HyperLogLog in Redis's own format (so `PFCOUNT` works on
//!   it): the sketch ([`Hll::to_redis`], sparse while Redis would keep it sparse, dense
//!   otherwise) is `SET` into `<key>:merge`, then `PFMERGE <key> <key>:merge` takes the
//!   register-wise maximum and `DEL <key>:merge` removes it. Merging the same sketch twice
//!   changes nothing, so sketches from several nodes (or imported from an
//!   [`EmbeddedStore`](super::EmbeddedStore)) give the count of the union.
//!
//! On one server, a batch is one `MULTI` … `EXEC` transaction sent in one round trip: all
//! of it or none of it is applied (a cluster: see below). Reads are one pipeline of `GET`s;
//! a window's weekly sketches are merged here, so a 28-day count is the count of the union
//! of its four weeks.
//!
//! # Expiry
//!
//! Every write to a weekly key sets its time to live to [`RedisOptions::weekly_ttl`]
//! (default 6 weeks, [`DEFAULT_WEEKLY_TTL`]). The longest window (28 days) reads the 4
//! complete weeks before the current one: a week's key is last read in the fourth week
//! after it, at most 5 weeks after its first write, so 6 weeks leave a week of margin. The
//! all-time keys never expire.
//!
//! # When Redis is away
//!
//! Nothing blocks for long: connecting, sending and waiting for an answer each have a
//! time-out ([`RedisOptions::connect_timeout`], [`RedisOptions::io_timeout`], 1 s by
//! default; a batch's answer may take longer by [`PER_COMMAND`] a command). The first
//! answer that times out fails the whole request (the answers still due are not waited
//! for, one time-out each). A connection that fails is dropped, along with the idle ones;
//! after a failed connection the store does not try again for
//! [`RedisOptions::reconnect_delay`], doubled at each failure up to
//! [`RedisOptions::max_reconnect_delay`], and answers [`StoreError::Unavailable`] at once
//! meanwhile. So a down server costs one attempt now and then: the
//! [`Recorder`](crate::Recorder) keeps buffering (within its bound) and retries, and a ping
//! assembled meanwhile reports its event metrics as failed (`-1`, listed in the metadata)
//! without waiting. Nothing here panics.
//!
//! A request that fails because an idle connection was closed meanwhile (the server
//! restarted, or closed it after its `timeout`) is sent once more on a new connection. A
//! batch whose answer is lost after Redis received it (a time-out, a server gone at that
//! moment) is kept by the recorder and sent again: its counts and sums are then added
//! twice, its sketches are not. What `apply` acknowledged is as durable as the server's
//! persistence (RDB, AOF) makes it.
//!
//! # Redis Cluster
//!
//! [`RedisStore::open_cluster`] takes the URLs of some of a cluster's nodes (one is enough)
//! and uses the redis crate's synchronous cluster client: it reads the slot map from a node,
//! keeps a connection to each master, and sends each command to the master of its key's
//! slot. A cluster refuses a transaction whose keys span slots, and a batch spans many
//! series, so:
//!
//! - A batch is one `MULTI` … `EXEC` transaction per series (its keys, including the
//!   temporary key of a merge, share the slot of its hash tag), with the same commands as
//!   on one server (one function builds them for both). Each series' changes are applied
//!   all or none; the batch as a whole is not: the transactions are sent one after the
//!   other, one round trip each (the crate's cluster pipelines hold no transaction). When
//!   one fails (a master down, a time-out), the series before it are applied, the store
//!   answers [`StoreError::Unavailable`], and the recorder sends the whole batch again:
//!   the counts and sums of those series are then added twice, their sketches are not.
//! - Reads are one `MGET`, which the cluster client splits into one `MGET` per slot (per
//!   series), each sent to its master in turn: a ping's metric, which reads one series,
//!   costs one round trip.
//! - The client retries nothing and never sleeps by itself: time-outs, the reconnection
//!   back-off and the pool of idle connections are the store's, as above (a connection
//!   attempt tries the given nodes in turn, each within [`RedisOptions::connect_timeout`]).
//!   When the cluster redirects a request (`MOVED`, `ASK`: its slots moved) or is down
//!   (`CLUSTERDOWN`), the request fails, the connection is dropped, and the next one reads
//!   the new slot map; a transaction redirected was not applied.
//! - [`RedisStore::check`] pings every master.
//!
//! The first URL's user name and password (`redis://user:password@host:port/`) are used on
//! every node; replicas are not read from.

use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use redis::cluster::{ClusterClient, ClusterConnection, Connect};
use redis::{
    Client, Connection, ConnectionLike, ErrorKind, IntoConnectionInfo, Pipeline, RedisError,
    ServerErrorKind, Value,
};

use super::{Aggregate, Batch, Store, StoreError};
use crate::hll::Hll;
use crate::time::Bucket;

/// How long a weekly key lives after its last write, by default: 6 weeks.
pub const DEFAULT_WEEKLY_TTL: Duration = Duration::from_secs(6 * 7 * 86_400);

/// How much longer than [`RedisOptions::io_timeout`] a batch's answer may take, per
/// command it holds.
pub const PER_COMMAND: Duration = Duration::from_micros(20);

/// How a [`RedisStore`] connects and names its keys.
#[derive(Clone, Debug)]
pub struct RedisOptions {
    /// The application's name in the key names (`metricc:<namespace>:…`): nodes that share
    /// counts use the same one. Neither empty nor holding `{`, `}`, `:` or white space.
    pub namespace: String,
    /// How long connecting (and the connection's handshake) may take.
    pub connect_timeout: Duration,
    /// How long sending a request, and waiting for its answer, may take.
    pub io_timeout: Duration,
    /// After a failed connection, no new attempt before this long (doubled at every
    /// failure in a row).
    pub reconnect_delay: Duration,
    /// The longest wait between two connection attempts.
    pub max_reconnect_delay: Duration,
    /// How long a weekly key lives after its last write.
    pub weekly_ttl: Duration,
    /// How many idle connections are kept for the next request (one is used at a time per
    /// concurrent request: the flush, each ping lane).
    pub max_idle_connections: usize,
}

impl RedisOptions {
    /// Defaults for `namespace`: 1 s time-outs, reconnection after 100 ms then up to 5 s,
    /// weekly keys kept 6 weeks, up to 4 idle connections.
    pub fn new(namespace: impl Into<String>) -> RedisOptions {
        RedisOptions {
            namespace: namespace.into(),
            connect_timeout: Duration::from_secs(1),
            io_timeout: Duration::from_secs(1),
            reconnect_delay: Duration::from_millis(100),
            max_reconnect_delay: Duration::from_secs(5),
            weekly_ttl: DEFAULT_WEEKLY_TTL,
            max_idle_connections: 4,
        }
    }
}

/// A [`Store`] in Redis (one server, [`RedisStore::open`], or a Redis Cluster,
/// [`RedisStore::open_cluster`]), shared by every node of an application. Connects lazily:
/// opening it needs no server, and it reconnects by itself after the server went away.
pub struct RedisStore {
    target: Target,
    /// `host:port` (a cluster's nodes: `host:port,host:port`), for messages (the URLs may
    /// hold a password).
    address: String,
    /// `metricc:<namespace>:`.
    prefix: String,
    options: RedisOptions,
    idle: Mutex<Vec<Conn>>,
    health: Mutex<Health>,
}

/// What the store talks to.
enum Target {
    Server(Client),
    /// A Redis Cluster, through the redis crate's synchronous cluster client: it reads the
    /// slot map from a node and routes every command to the master of its key's slot.
    Cluster(ClusterClient),
}

/// A connection to the target: to one server, or to every master of a cluster.
enum Conn {
    Server(Guarded),
    Cluster(Box<ClusterConnection<Guarded>>),
}

/// A connection to one server that gives up at its first time-out: every request after it
/// fails at once. (The redis crate reads a pipeline's answers one by one, each with the
/// read time-out: on a server that hangs, a pipeline of `n` commands would wait `n`
/// time-outs.) The store drops it after the failure.
struct Guarded {
    con: Connection,
    timed_out: bool,
}

impl Guarded {
    fn new(con: Connection) -> Guarded {
        Guarded {
            con,
            timed_out: false,
        }
    }

    fn usable(&self) -> Result<(), RedisError> {
        if self.timed_out {
            return Err(RedisError::from(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "an earlier answer on this connection timed out",
            )));
        }
        Ok(())
    }

    fn note<T>(&mut self, outcome: Result<T, RedisError>) -> Result<T, RedisError> {
        if outcome.as_ref().is_err_and(RedisError::is_timeout) {
            self.timed_out = true;
        }
        outcome
    }
}

impl ConnectionLike for Guarded {
    fn req_packed_command(&mut self, cmd: &[u8]) -> Result<Value, RedisError> {
        self.usable()?;
        let outcome = self.con.req_packed_command(cmd);
        self.note(outcome)
    }

    /// Sends `cmd` and reads `offset + count` answers, keeping the last `count`; stops at
    /// the first that fails. A transaction refused as a whole (`EXECABORT`: a command was
    /// refused before `EXEC`, a cluster's redirection for one) is that error.
    fn req_packed_commands(
        &mut self,
        cmd: &[u8],
        offset: usize,
        count: usize,
    ) -> Result<Vec<Value>, RedisError> {
        self.usable()?;
        let sent = self.con.send_packed_command(cmd);
        self.note(sent)?;
        let mut answers = Vec::with_capacity(count);
        let mut due = offset + count;
        let mut read = 0;
        while read < due {
            let answer = self.con.recv_response();
            match self.note(answer)? {
                // RESP3 may put pushed data between the answers.
                Value::Push { .. } => due += 1,
                Value::ServerError(e) if offset > 0 && read >= offset => return Err(e.into()),
                answer if read >= offset => answers.push(answer),
                _ => {}
            }
            read += 1;
        }
        Ok(answers)
    }

    fn get_db(&self) -> i64 {
        self.con.get_db()
    }

    fn check_connection(&mut self) -> bool {
        !self.timed_out && self.con.check_connection()
    }

    fn is_open(&self) -> bool {
        !self.timed_out && self.con.is_open()
    }
}

impl Connect for Guarded {
    fn connect<T: IntoConnectionInfo>(
        info: T,
        timeout: Option<Duration>,
    ) -> Result<Guarded, RedisError> {
        let client = Client::open(info)?;
        match timeout {
            Some(timeout) => client.get_connection_with_timeout(timeout),
            None => client.get_connection(),
        }
        .map(Guarded::new)
    }

    fn send_packed_command(&mut self, cmd: &[u8]) -> Result<(), RedisError> {
        self.usable()?;
        let sent = self.con.send_packed_command(cmd);
        self.note(sent)
    }

    fn set_write_timeout(&self, timeout: Option<Duration>) -> Result<(), RedisError> {
        self.con.set_write_timeout(timeout)
    }

    fn set_read_timeout(&self, timeout: Option<Duration>) -> Result<(), RedisError> {
        self.con.set_read_timeout(timeout)
    }

    fn recv_response(&mut self) -> Result<Value, RedisError> {
        self.usable()?;
        let answer = self.con.recv_response();
        self.note(answer)
    }
}

impl Conn {
    fn like(&mut self) -> &mut dyn ConnectionLike {
        match self {
            Conn::Server(con) => con,
            Conn::Cluster(con) => &mut **con,
        }
    }

    fn set_read_timeout(&self, timeout: Duration) -> Result<(), RedisError> {
        match self {
            Conn::Server(con) => con.con.set_read_timeout(Some(timeout)),
            Conn::Cluster(con) => con.set_read_timeout(Some(timeout)),
        }
    }

    fn is_open(&self) -> bool {
        match self {
            Conn::Server(con) => con.is_open(),
            Conn::Cluster(con) => con.is_open(),
        }
    }
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStore")
            .field("address", &self.address)
            .field("namespace", &self.options.namespace)
            .finish_non_exhaustive()
    }
}

/// Whether the server is thought to be away, and when to try it again.
#[derive(Default)]
struct Health {
    /// No connection is attempted before then.
    retry_at: Option<Instant>,
    /// How long the next failure makes the store wait.
    delay: Duration,
    /// Why the last attempt failed.
    last_error: String,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Whether the connection is still usable after `e`: the server answered with an error
/// about the request itself (a cluster's redirection or refusal, or an aborted transaction,
/// is not one: the connection is dropped, and a new one reads the cluster's slots again).
fn answered(e: &RedisError) -> bool {
    matches!(e.kind(), ErrorKind::Server(_) | ErrorKind::Extension)
        && !e.is_unrecoverable_error()
        && !e.is_cluster_error()
        && !matches!(
            e.kind(),
            ErrorKind::Server(
                ServerErrorKind::ExecAbort
                    | ServerErrorKind::CrossSlot
                    | ServerErrorKind::MasterDown
                    | ServerErrorKind::ReadOnly
            )
        )
}

/// Refuses a namespace that would break the key names.
fn check_namespace(namespace: &str) -> Result<(), StoreError> {
    if namespace.is_empty()
        || namespace
            .chars()
            .any(|c| matches!(c, '{' | '}' | ':') || c.is_whitespace() || c.is_control())
    {
        return Err(StoreError::Unavailable(format!(
            "the Redis namespace {namespace:?} must be a non-empty name without braces, \
             colons or white space"
        )));
    }
    Ok(())
}

impl RedisStore {
    /// A store on the server at `url` (`redis://host:port/db`, `redis://:password@host/`,
    /// `redis+unix:///path`), with `options`. Does not connect yet: a wrong URL or
    /// namespace is the only error.
    pub fn open(url: &str, options: RedisOptions) -> Result<RedisStore, StoreError> {
        check_namespace(&options.namespace)?;
        let client = Client::open(url)
            .map_err(|e| StoreError::Unavailable(format!("{url:?} is not a Redis URL: {e}")))?;
        let address = client.get_connection_info().addr().to_string();
        Ok(RedisStore::new(Target::Server(client), address, options))
    }

    /// A store on the Redis Cluster that `nodes` belong to (`redis://host:port/` each, one
    /// is enough: the others are found from its slot map; more are tried in turn when one
    /// is down), with `options`. Every command goes to the master of its key's slot; a
    /// batch is one `MULTI` … `EXEC` transaction per series (see the module's "Redis
    /// Cluster" section). Does not connect yet: a wrong URL or namespace, or no node, is
    /// the only error.
    pub fn open_cluster(
        nodes: impl IntoIterator<Item = impl AsRef<str>>,
        options: RedisOptions,
    ) -> Result<RedisStore, StoreError> {
        check_namespace(&options.namespace)?;
        let mut infos = Vec::new();
        for url in nodes {
            let url = url.as_ref();
            let info = url
                .into_connection_info()
                .map_err(|e| StoreError::Unavailable(format!("{url:?} is not a Redis URL: {e}")))?;
            infos.push(info);
        }
        if infos.is_empty() {
            return Err(StoreError::Unavailable(
                "a Redis Cluster needs the URL of one of its nodes at least".into(),
            ));
        }
        let address = infos
            .iter()
            .map(|info| info.addr().to_string())
            .collect::<Vec<_>>()
            .join(",");
        // No retry, and so no sleep, inside the client: a failure is the store's to handle
        // (a time-out, a back-off); a redirection drops the connection, and the next one
        // reads the new slot map.
        let client = ClusterClient::builder(infos)
            .connection_timeout(options.connect_timeout)
            .response_timeout(options.io_timeout)
            .retries(0)
            .build()
            .map_err(|e| StoreError::Unavailable(format!("Redis Cluster at {address}: {e}")))?;
        Ok(RedisStore::new(Target::Cluster(client), address, options))
    }

    fn new(target: Target, address: String, options: RedisOptions) -> RedisStore {
        RedisStore {
            target,
            address,
            prefix: format!("metricc:{}:", options.namespace),
            health: Mutex::new(Health {
                delay: options.reconnect_delay,
                ..Health::default()
            }),
            options,
            idle: Mutex::new(Vec::new()),
        }
    }

    /// Whether the store talks to a Redis Cluster ([`RedisStore::open_cluster`]).
    pub fn is_cluster(&self) -> bool {
        matches!(self.target, Target::Cluster(_))
    }

    /// The options the store was opened with.
    pub fn options(&self) -> &RedisOptions {
        &self.options
    }

    /// The key of `series` in `bucket`: `metricc:<namespace>:{<series>}:<bucket>`.
    pub fn key(&self, series: &str, bucket: Bucket) -> String {
        format!("{}{{{series}}}:{bucket}", self.prefix)
    }

    /// Whether the server (every master of a cluster) answers (`PING`), connecting if
    /// needed.
    pub fn check(&self) -> Result<(), StoreError> {
        self.run(Duration::ZERO, |con| {
            redis::cmd("PING").query::<Value>(con.like()).map(|_| ())
        })
    }

    /// Adds aggregates kept elsewhere, for example
    /// [`EmbeddedStore::entries`](super::EmbeddedStore::entries) when an application moves
    /// to Redis, in batches of 1,000. Sketches merge (importing twice counts nothing
    /// twice); counts and sums add up, so import them once. Returns how many were added;
    /// on an error, the batches before it were added.
    pub fn import(
        &self,
        aggregates: impl IntoIterator<Item = (String, Bucket, Aggregate)>,
    ) -> Result<usize, StoreError> {
        let mut batch = Batch::default();
        let mut added = 0;
        for change in aggregates {
            batch.changes.push(change);
            if batch.changes.len() == 1_000 {
                self.apply(&batch)?;
                added += batch.changes.len();
                batch.changes.clear();
            }
        }
        self.apply(&batch)?;
        Ok(added + batch.changes.len())
    }

    /// A connection: an idle one, else a new one unless the server is resting after a
    /// failure. The flag says whether it was idle (and may have gone stale).
    fn connection(&self) -> Result<(Conn, bool), StoreError> {
        if let Some(con) = lock(&self.idle).pop() {
            return Ok((con, true));
        }
        {
            let health = lock(&self.health);
            if let Some(at) = health.retry_at {
                let now = Instant::now();
                if now < at {
                    return Err(StoreError::Unavailable(format!(
                        "Redis at {} is unavailable ({}); next attempt in {} ms",
                        self.address,
                        health.last_error,
                        (at - now).as_millis()
                    )));
                }
            }
        }
        self.connect().map(|con| (con, false))
    }

    fn connect(&self) -> Result<Conn, StoreError> {
        let io = Some(self.options.io_timeout);
        let connected = match &self.target {
            Target::Server(client) => client
                .get_connection_with_timeout(self.options.connect_timeout)
                .and_then(|con| {
                    con.set_read_timeout(io)?;
                    con.set_write_timeout(io)?;
                    Ok(Conn::Server(Guarded::new(con)))
                }),
            // The cluster client over our own connections (`get_generic_connection`, public
            // but left out of the crate's documentation: the version is pinned).
            Target::Cluster(client) => client.get_generic_connection().and_then(|con| {
                con.set_read_timeout(io)?;
                con.set_write_timeout(io)?;
                Ok(Conn::Cluster(Box::new(con)))
            }),
        };
        match connected {
            Ok(con) => {
                let mut health = lock(&self.health);
                health.retry_at = None;
                health.delay = self.options.reconnect_delay;
                Ok(con)
            }
            Err(e) => Err(self.failed(&e, "cannot connect")),
        }
    }

    /// Notes a failure of the server or the connection: no attempt before the delay.
    fn failed(&self, e: &RedisError, what: &str) -> StoreError {
        lock(&self.idle).clear();
        let mut health = lock(&self.health);
        let delay = health.delay;
        health.retry_at = Some(Instant::now() + delay);
        health.delay = (delay * 2)
            .min(self.options.max_reconnect_delay)
            .max(self.options.reconnect_delay);
        health.last_error = format!("{what}: {e}");
        StoreError::Unavailable(format!(
            "Redis at {}: {what}: {e} (no new attempt for {} ms)",
            self.address,
            delay.as_millis()
        ))
    }

    fn release(&self, con: Conn) {
        if con.is_open() {
            let mut idle = lock(&self.idle);
            if idle.len() < self.options.max_idle_connections {
                idle.push(con);
            }
        }
    }

    /// Runs `request` on a connection, whose answer may take `extra` longer than the
    /// time-out. A request that failed because an idle connection was closed meanwhile (the
    /// server restarted, or closed it after its idle time-out) runs once more on a new one.
    fn run<T>(
        &self,
        extra: Duration,
        mut request: impl FnMut(&mut Conn) -> Result<T, RedisError>,
    ) -> Result<T, StoreError> {
        let (mut con, mut reused) = self.connection()?;
        loop {
            if !extra.is_zero() {
                if let Err(e) = con.set_read_timeout(self.options.io_timeout + extra) {
                    return Err(self.failed(&e, "the connection failed"));
                }
            }
            let outcome = request(&mut con);
            if !extra.is_zero() && con.set_read_timeout(self.options.io_timeout).is_err() {
                drop(con);
                return outcome.map_err(|e| self.failed(&e, "the request failed"));
            }
            match outcome {
                Ok(value) => {
                    self.release(con);
                    return Ok(value);
                }
                Err(e) if answered(&e) => {
                    self.release(con);
                    return Err(StoreError::Unavailable(format!(
                        "Redis at {} refused the request: {e}",
                        self.address
                    )));
                }
                Err(e) if reused && e.is_connection_dropped() && !e.is_timeout() => {
                    drop(con);
                    lock(&self.idle).clear();
                    con = self.connect()?;
                    reused = false;
                }
                Err(e) => {
                    drop(con);
                    return Err(self.failed(&e, "the request failed"));
                }
            }
        }
    }
}

/// Reads a value as [`RedisStore`] keeps it: a HyperLogLog, an integer or a number.
fn decode(key: &str, bytes: &[u8]) -> Result<Aggregate, StoreError> {
    if bytes.starts_with(b"HYLL") {
        return Hll::from_redis(bytes)
            .map(Aggregate::Distinct)
            .map_err(|e| StoreError::Corrupt(format!("{key}: {e}")));
    }
    let text = std::str::from_utf8(bytes).ok();
    if let Some(n) = text.and_then(|t| t.parse::<u64>().ok()) {
        return Ok(Aggregate::Count(n));
    }
    match text.and_then(|t| t.parse::<f64>().ok()) {
        Some(x) if x.is_finite() => Ok(Aggregate::Sum(x)),
        _ => Err(StoreError::Corrupt(format!(
            "{key} holds {:?}, not a count, a sum or a HyperLogLog",
            String::from_utf8_lossy(&bytes[..bytes.len().min(40)])
        ))),
    }
}

/// How much longer than the time-out the answer to `commands` commands may take.
fn extra(commands: usize) -> Duration {
    PER_COMMAND * u32::try_from(commands).unwrap_or(u32::MAX)
}

impl RedisStore {
    /// Adds to `pipe` the commands that apply `changes` (indexes in `batch`), and to `keys`
    /// the change each command applies. Both modes build their transactions with it: the
    /// whole batch for one server, each series for a cluster.
    fn commands(
        &self,
        pipe: &mut Pipeline,
        batch: &Batch,
        changes: impl IntoIterator<Item = usize>,
        keys: &mut Vec<usize>,
    ) {
        let ttl = self.options.weekly_ttl.as_secs().max(1);
        for i in changes {
            let (series, bucket, change) = &batch.changes[i];
            let key = self.key(series, *bucket);
            match change {
                Aggregate::Count(0) => continue,
                Aggregate::Count(n) => {
                    pipe.cmd("INCRBY")
                        .arg(&key)
                        .arg(i64::try_from(*n).unwrap_or(i64::MAX));
                    keys.push(i);
                }
                Aggregate::Sum(x) => {
                    if !x.is_finite() {
                        log::warn!("metricc: {key}: a sum of {x} is not kept");
                        continue;
                    }
                    pipe.cmd("INCRBYFLOAT").arg(&key).arg(*x);
                    keys.push(i);
                }
                Aggregate::Distinct(hll) => {
                    if hll.is_empty() {
                        continue;
                    }
                    // The same hash tag as the key: the same slot in a cluster.
                    let merge = format!("{key}:merge");
                    pipe.cmd("SET").arg(&merge).arg(hll.to_redis());
                    pipe.cmd("PFMERGE").arg(&key).arg(&merge);
                    pipe.cmd("DEL").arg(&merge);
                    keys.extend([i, i, i]);
                }
            }
            if let Bucket::Week(_) = bucket {
                pipe.cmd("EXPIRE").arg(&key).arg(ttl);
                keys.push(i);
            }
        }
    }

    /// Sends the transaction `pipe` to a cluster and returns `EXEC`'s answers, one a
    /// command; when Redis refused a command while the others ran, the cluster client
    /// reports that error instead of the answers (`Ok(Err(…))`).
    fn transaction(&self, pipe: &Pipeline) -> Result<Result<Vec<Value>, RedisError>, StoreError> {
        // `Pipeline::query` refuses a cluster connection, whose own pipelines hold no
        // transaction: the packed `MULTI` … `EXEC` goes to the master of its first key, and
        // the answer is `EXEC`'s.
        let packed = pipe.get_packed_pipeline();
        self.run(extra(pipe.len()), |con| {
            match con.like().req_packed_commands(&packed, pipe.len() + 1, 1) {
                Ok(mut exec) => match exec.pop() {
                    Some(Value::Array(answers)) if answers.len() == pipe.len() => Ok(Ok(answers)),
                    other => Err(RedisError::from((
                        ErrorKind::UnexpectedReturnType,
                        "EXEC's answer is not one for each command",
                        format!("{other:?}"),
                    ))),
                },
                // The transaction ran (it is not an aborted one, see `answered`).
                Err(e) if answered(&e) => Ok(Err(e)),
                Err(e) => Err(e),
            }
        })
    }

    /// Logs the changes whose command Redis refused.
    fn refused(&self, batch: &Batch, answers: &[Value], keys: &[usize]) {
        for (answer, &i) in answers.iter().zip(keys) {
            if let Value::ServerError(e) = answer {
                let (series, bucket, _) = &batch.changes[i];
                log::warn!(
                    "metricc: Redis refused a change of {}: {e:?}; the change is lost",
                    self.key(series, *bucket)
                );
            }
        }
    }
}

impl Store for RedisStore {
    fn apply(&self, batch: &Batch) -> Result<(), StoreError> {
        // The transactions ran: a command Redis refused (a key holding another kind of
        // value) is lost, the rest is kept. Sending the batch again would count it twice.
        match &self.target {
            Target::Server(_) => {
                let mut pipe = redis::pipe();
                pipe.atomic().ignore_errors();
                let mut keys = Vec::new();
                self.commands(&mut pipe, batch, 0..batch.changes.len(), &mut keys);
                if pipe.is_empty() {
                    return Ok(());
                }
                let answers: Vec<Value> =
                    self.run(extra(pipe.len()), |con| pipe.query(con.like()))?;
                self.refused(batch, &answers, &keys);
            }
            Target::Cluster(_) => {
                // A transaction per series: its keys share a slot, so one master.
                let mut series: Vec<(&str, Vec<usize>)> = Vec::new();
                let mut index: std::collections::HashMap<&str, usize> =
                    std::collections::HashMap::new();
                for (i, (name, _, _)) in batch.changes.iter().enumerate() {
                    let at = *index.entry(name.as_str()).or_insert_with(|| {
                        series.push((name.as_str(), Vec::new()));
                        series.len() - 1
                    });
                    series[at].1.push(i);
                }
                for (name, changes) in series {
                    let mut pipe = redis::pipe();
                    pipe.atomic().ignore_errors();
                    let mut keys = Vec::new();
                    self.commands(&mut pipe, batch, changes, &mut keys);
                    if pipe.is_empty() {
                        continue;
                    }
                    match self.transaction(&pipe)? {
                        Ok(answers) => self.refused(batch, &answers, &keys),
                        Err(e) => log::warn!(
                            "metricc: Redis refused a change of the series {name}: {e}; the \
                             refused changes are lost, the series' others are kept"
                        ),
                    }
                }
            }
        }
        Ok(())
    }

    fn read(&self, series: &str, bucket: Bucket) -> Result<Option<Aggregate>, StoreError> {
        self.read_many(&[(series, bucket)])
            .map(|mut v| v.pop().flatten())
    }

    fn read_many(&self, keys: &[(&str, Bucket)]) -> Result<Vec<Option<Aggregate>>, StoreError> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let names: Vec<String> = keys.iter().map(|(s, b)| self.key(s, *b)).collect();
        // One pipeline of `GET`s to a server; to a cluster, one `MGET`, which the cluster
        // client splits into one `MGET` a slot (a series), each sent to the slot's master.
        let values: Vec<Option<Vec<u8>>> = self.run(extra(names.len()), |con| match con {
            Conn::Server(con) => {
                let mut pipe = redis::pipe();
                for name in &names {
                    pipe.cmd("GET").arg(name);
                }
                pipe.query(con)
            }
            Conn::Cluster(con) => redis::cmd("MGET").arg(&names).query(&mut **con),
        })?;
        names
            .iter()
            .zip(values)
            .map(|(name, value)| value.map(|bytes| decode(name, &bytes)).transpose())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::TimeFrame;
    use crate::time::{Timestamp, Week, event_buckets};

    /// A 28-day metric read at the very end of a week reads the week that started five
    /// weeks before: its key, written from that week's start on, must still be there.
    #[test]
    fn weekly_keys_outlive_the_longest_window() {
        let sunday_night = Timestamp::from_utc(2025, 3, 16, 23, 59, 59);
        let oldest = event_buckets(TimeFrame::TwentyEightDays, sunday_night)
            .into_iter()
            .filter_map(|b| match b {
                Bucket::Week(w) => Some(w),
                Bucket::All => None,
            })
            .min()
            .unwrap();
        let read_after = sunday_night.0 - oldest.start().0;
        assert!(read_after > 4 * 7 * 86_400);
        assert!(DEFAULT_WEEKLY_TTL.as_secs() as i64 > read_after);
        assert_eq!(DEFAULT_WEEKLY_TTL.as_secs(), 6 * 7 * 86_400);
    }

    #[test]
    fn keys_carry_the_namespace_and_the_series_hash_tag() {
        let store = RedisStore::open("redis://127.0.0.1:1/", RedisOptions::new("app")).unwrap();
        assert_eq!(
            store.key("create_issue/user.id", Bucket::Week(Week(2875))),
            format!("metricc:app:{{create_issue/user.id}}:{}", Week(2875))
        );
        assert_eq!(store.key("a", Bucket::All), "metricc:app:{a}:all");
    }

    #[test]
    fn bad_namespaces_and_urls_are_refused() {
        for bad in ["", "a{b", "a}b", "a:b", "a b"] {
            assert!(RedisStore::open("redis://127.0.0.1/", RedisOptions::new(bad)).is_err());
        }
        assert!(RedisStore::open("http://nowhere/", RedisOptions::new("app")).is_err());
        let cluster = |nodes: &[&str], namespace: &str| {
            RedisStore::open_cluster(nodes, RedisOptions::new(namespace))
        };
        assert!(cluster(&[], "app").is_err());
        assert!(cluster(&["redis://127.0.0.1/", "http://nowhere/"], "app").is_err());
        assert!(cluster(&["redis://127.0.0.1/"], "a:b").is_err());
        let store = cluster(&["redis://127.0.0.1:1/", "redis://127.0.0.1:2/"], "app").unwrap();
        assert!(store.is_cluster());
        assert!(format!("{store:?}").contains("127.0.0.1:1,127.0.0.1:2"));
    }

    #[test]
    fn values_decode_by_their_form() {
        let mut hll = Hll::new();
        hll.insert(b"1");
        assert_eq!(decode("k", b"12").unwrap(), Aggregate::Count(12));
        assert_eq!(decode("k", b"2.5").unwrap(), Aggregate::Sum(2.5));
        assert_eq!(decode("k", b"-3").unwrap(), Aggregate::Sum(-3.0));
        assert_eq!(
            decode("k", &hll.to_redis()).unwrap(),
            Aggregate::Distinct(hll)
        );
        assert!(decode("k", b"HYLLnope").is_err());
        assert!(decode("k", b"text").is_err());
        assert!(decode("k", b"inf").is_err());
    }

    #[test]
    fn a_server_that_is_not_there_fails_fast_then_rests() {
        // Port 1 on loopback: nothing listens there, the connection is refused.
        let mut options = RedisOptions::new("app");
        options.reconnect_delay = Duration::from_secs(60);
        let store = RedisStore::open("redis://127.0.0.1:1/", options).unwrap();
        let started = Instant::now();
        let first = store.read("a", Bucket::All).unwrap_err().to_string();
        assert!(first.contains("cannot connect"), "{first}");
        let second = store.check().unwrap_err().to_string();
        assert!(second.contains("next attempt in"), "{second}");
        assert!(started.elapsed() < Duration::from_secs(2));

        let mut options = RedisOptions::new("app");
        options.reconnect_delay = Duration::from_secs(60);
        let cluster =
            RedisStore::open_cluster(["redis://127.0.0.1:1/", "redis://127.0.0.1:2/"], options)
                .unwrap();
        let started = Instant::now();
        let batch = Batch {
            changes: vec![("a".into(), Bucket::All, Aggregate::Count(1))],
        };
        let first = cluster.apply(&batch).unwrap_err().to_string();
        assert!(first.contains("cannot connect"), "{first}");
        let second = cluster.read("a", Bucket::All).unwrap_err().to_string();
        assert!(second.contains("next attempt in"), "{second}");
        assert!(started.elapsed() < Duration::from_secs(2));
    }
}
