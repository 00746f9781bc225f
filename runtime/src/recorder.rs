//! Recording events: the [`Recorder`] the generated recording functions call.
//!
//! Recording never waits on I/O and never panics. Each call updates counters in memory (a
//! few shards, one per recording thread, so threads do not contend); a background thread
//! applies them to the [`Store`] in batches every [`RecorderOptions::flush_interval`],
//! and once more when the last handle is dropped. [`Recorder::flush`] applies them now and
//! says whether the store took them: what it acknowledged is durable.
//!
//! If the store fails, the changes stay in memory and are retried; past
//! [`RecorderOptions::max_pending`] buffered counters, further changes are dropped,
//! counted ([`RecorderStats::dropped`]) and logged: the application keeps running.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::hll::{self, Hll};
use crate::spec::{EventSpec, FilterValue, SeriesKind, Unique};
use crate::store::{Aggregate, Batch, EmbeddedStore, MemoryStore, Store, StoreError};
use crate::time::{Bucket, Clock, SystemClock, Timestamp};

/// A user's id (`identifiers: [user]`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct UserId(pub u64);
/// A project's id (`identifiers: [project]`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ProjectId(pub u64);
/// A namespace's id (`identifiers: [namespace]`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct NamespaceId(pub u64);

/// One occurrence of an event, as the generated recording functions pass it on.
#[derive(Clone, Copy, Debug, Default)]
pub struct Event<'a> {
    pub user: Option<UserId>,
    pub project: Option<ProjectId>,
    pub namespace: Option<NamespaceId>,
    pub label: Option<&'a str>,
    pub property: Option<&'a str>,
    pub value: Option<f64>,
    /// The event's own additional properties, by name.
    pub custom: &'a [(&'a str, Option<&'a str>)],
    /// GitLab's `feature_enabled_by_namespace_ids` identifier (not counted by any metric).
    pub feature_enabled_by_namespace_ids: &'a [NamespaceId],
}

/// How a [`Recorder`] buffers and flushes.
#[derive(Clone)]
pub struct RecorderOptions {
    /// Where "now" comes from (events are counted in the week they happen).
    pub clock: Arc<dyn Clock>,
    /// How often buffered changes are applied to the store.
    pub flush_interval: Duration,
    /// How many counters (a series in a bucket) may wait in memory; beyond it, changes to
    /// new counters are dropped and counted.
    pub max_pending: usize,
    /// How long dropping the last handle waits for the final flush.
    pub shutdown_timeout: Duration,
}

impl Default for RecorderOptions {
    fn default() -> RecorderOptions {
        RecorderOptions {
            clock: Arc::new(SystemClock),
            flush_interval: Duration::from_secs(1),
            max_pending: 10_000,
            shutdown_timeout: Duration::from_secs(5),
        }
    }
}

impl std::fmt::Debug for RecorderOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecorderOptions")
            .field("flush_interval", &self.flush_interval)
            .field("max_pending", &self.max_pending)
            .field("shutdown_timeout", &self.shutdown_timeout)
            .finish_non_exhaustive()
    }
}

/// What a recorder has done so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RecorderStats {
    /// Events recorded.
    pub recorded: u64,
    /// Counter changes lost: not buffered (the buffer was full) or thrown away after a
    /// failed flush.
    pub dropped: u64,
    /// Batches the store took.
    pub flushes: u64,
    /// Batches the store refused (they were kept for the next flush).
    pub failed_flushes: u64,
    /// Counters waiting in memory.
    pub pending: u64,
}

const SHARDS: usize = 8;

type Key = (&'static str, Bucket);
type Shard = HashMap<Key, Aggregate, foldhash::fast::RandomState>;

/// The state the recorder's handles, its flushing thread and ping assembly share.
pub(crate) struct Shared {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) clock: Arc<dyn Clock>,
    shards: Vec<Mutex<Shard>>,
    pending: AtomicUsize,
    max_pending: usize,
    flushing: Mutex<()>,
    recorded: AtomicU64,
    dropped: AtomicU64,
    flushes: AtomicU64,
    failed_flushes: AtomicU64,
    /// When a drop was last logged (ms since `started`), to log at most once a minute.
    last_drop_log: AtomicU64,
    started: Instant,
}

/// Records events into a store. Cheap to clone; every clone records into the same buffer.
/// Dropping the last clone flushes.
#[derive(Clone)]
pub struct Recorder {
    pub(crate) shared: Arc<Shared>,
    _flusher: Arc<Flusher>,
}

impl std::fmt::Debug for Recorder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recorder")
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

thread_local! {
    static SHARD: usize = {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        NEXT.fetch_add(1, Ordering::Relaxed) % SHARDS
    };
}

impl Recorder {
    /// A recorder on the embedded store at `path` (created if missing), with default
    /// options.
    pub fn open(path: impl AsRef<Path>) -> Result<Recorder, StoreError> {
        Ok(Recorder::new(
            Arc::new(EmbeddedStore::open(path)?),
            RecorderOptions::default(),
        ))
    }

    /// A recorder that keeps its counts in memory only.
    pub fn in_memory() -> Recorder {
        Recorder::new(Arc::new(MemoryStore::new()), RecorderOptions::default())
    }

    /// A recorder on any store.
    pub fn new(store: Arc<dyn Store>, options: RecorderOptions) -> Recorder {
        let shared = Arc::new(Shared {
            store,
            clock: options.clock,
            shards: (0..SHARDS).map(|_| Mutex::new(Shard::default())).collect(),
            pending: AtomicUsize::new(0),
            max_pending: options.max_pending,
            flushing: Mutex::new(()),
            recorded: AtomicU64::new(0),
            dropped: AtomicU64::new(0),
            flushes: AtomicU64::new(0),
            failed_flushes: AtomicU64::new(0),
            last_drop_log: AtomicU64::new(u64::MAX),
            started: Instant::now(),
        });
        let flusher = Flusher::start(
            shared.clone(),
            options.flush_interval,
            options.shutdown_timeout,
        );
        Recorder {
            shared,
            _flusher: Arc::new(flusher),
        }
    }

    /// Now, by the recorder's clock.
    pub fn now(&self) -> Timestamp {
        self.shared.clock.now()
    }

    /// Records one occurrence of an event: every counter it feeds whose filter it matches
    /// is updated in memory. Never blocks on I/O, never panics.
    pub fn record(&self, event: &'static EventSpec, occurrence: &Event<'_>) {
        self.shared.record(event, occurrence);
        crate::facade::count(event);
    }

    /// Applies every buffered change to the store now. `Ok` means the store took them
    /// (for the embedded store: they are on disk); on `Err` they stay buffered.
    pub fn flush(&self) -> Result<(), StoreError> {
        self.shared.flush()
    }

    pub fn stats(&self) -> RecorderStats {
        self.shared.stats()
    }

    /// What `series` counted in `bucket`: the store's aggregate plus what is still
    /// buffered.
    pub fn read(&self, series: &str, bucket: Bucket) -> Result<Option<Aggregate>, StoreError> {
        self.shared
            .read(&[(series, bucket)])
            .map(|mut v| v.pop().flatten())
    }
}

impl Shared {
    fn record(&self, event: &'static EventSpec, e: &Event<'_>) {
        let now = self.clock.now();
        let week = Bucket::Week(now.week());
        let shard = SHARD.with(|s| *s);
        let mut guard = lock(&self.shards[shard]);
        let mut lost = 0u64;
        for counter in event.counters {
            let selector = &counter.selector;
            if !selector
                .filter
                .iter()
                .all(|(name, wanted)| matches(*wanted, property(e, name)))
            {
                continue;
            }
            let change = match selector.kind() {
                SeriesKind::Count => Change::Count,
                SeriesKind::Sum => match e.value {
                    Some(v) if v.is_finite() => Change::Sum(v),
                    _ => continue,
                },
                SeriesKind::Distinct => {
                    let Some(unique) = selector.unique else {
                        continue;
                    };
                    match distinct_register(unique, e) {
                        Some((index, value)) => Change::Register(index, value),
                        None => continue,
                    }
                }
            };
            if counter.weekly && !self.add(&mut guard, (selector.series, week), change) {
                lost += 1;
            }
            if counter.all_time && !self.add(&mut guard, (selector.series, Bucket::All), change) {
                lost += 1;
            }
        }
        drop(guard);
        self.recorded.fetch_add(1, Ordering::Relaxed);
        if lost > 0 {
            self.dropped.fetch_add(lost, Ordering::Relaxed);
            self.log_drop();
        }
    }

    /// Applies one change to the buffer; `false` when it was dropped (the buffer is full).
    fn add(&self, shard: &mut Shard, key: Key, change: Change) -> bool {
        if let Some(aggregate) = shard.get_mut(&key) {
            change.apply(aggregate);
            return true;
        }
        if self.pending.load(Ordering::Relaxed) >= self.max_pending {
            return false;
        }
        self.pending.fetch_add(1, Ordering::Relaxed);
        let mut aggregate = change.empty();
        change.apply(&mut aggregate);
        shard.insert(key, aggregate);
        true
    }

    fn log_drop(&self) {
        let now = self.started.elapsed().as_millis() as u64;
        let last = self.last_drop_log.load(Ordering::Relaxed);
        if (last == u64::MAX || now.saturating_sub(last) >= 60_000)
            && self
                .last_drop_log
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            log::warn!(
                "metricc: the recording buffer is full ({} counters waiting for the store): \
                 changes are being dropped ({} so far)",
                self.pending.load(Ordering::Relaxed),
                self.dropped.load(Ordering::Relaxed)
            );
        }
    }

    /// Takes every buffered change out of the shards, merged by key.
    fn take(&self) -> Vec<(Key, Aggregate)> {
        let mut merged: Shard = Shard::default();
        for shard in &self.shards {
            let taken = std::mem::take(&mut *lock(shard));
            self.pending.fetch_sub(taken.len(), Ordering::Relaxed);
            for (key, aggregate) in taken {
                match merged.get_mut(&key) {
                    Some(existing) => {
                        existing.merge(&aggregate);
                    }
                    None => {
                        merged.insert(key, aggregate);
                    }
                }
            }
        }
        merged.into_iter().collect()
    }

    /// Puts changes a failed flush took back into the buffer, dropping (and counting) what
    /// does not fit.
    fn restore(&self, changes: Vec<(Key, Aggregate)>) {
        let mut guard = lock(&self.shards[0]);
        let mut lost = 0u64;
        for (key, aggregate) in changes {
            if let Some(existing) = guard.get_mut(&key) {
                existing.merge(&aggregate);
            } else if self.pending.load(Ordering::Relaxed) < self.max_pending {
                self.pending.fetch_add(1, Ordering::Relaxed);
                guard.insert(key, aggregate);
            } else {
                lost += match aggregate {
                    Aggregate::Count(n) => n.max(1),
                    _ => 1,
                };
            }
        }
        drop(guard);
        if lost > 0 {
            self.dropped.fetch_add(lost, Ordering::Relaxed);
            log::warn!("metricc: the store failed and the buffer is full: {lost} changes dropped");
        }
    }

    pub(crate) fn flush(&self) -> Result<(), StoreError> {
        let _one_at_a_time = lock(&self.flushing);
        let taken = self.take();
        if taken.is_empty() {
            return Ok(());
        }
        let keys: Vec<Key> = taken.iter().map(|(k, _)| *k).collect();
        let batch = Batch {
            changes: taken
                .into_iter()
                .map(|((series, bucket), a)| (series.to_owned(), bucket, a))
                .collect(),
        };
        let outcome =
            catch_unwind(AssertUnwindSafe(|| self.store.apply(&batch))).unwrap_or_else(|panic| {
                Err(StoreError::Unavailable(format!(
                    "the store panicked: {}",
                    panic_message(panic.as_ref())
                )))
            });
        match outcome {
            Ok(()) => {
                self.flushes.fetch_add(1, Ordering::Relaxed);
                Ok(())
            }
            Err(e) => {
                self.failed_flushes.fetch_add(1, Ordering::Relaxed);
                let changes = keys
                    .into_iter()
                    .zip(batch.changes)
                    .map(|(k, (_, _, a))| (k, a))
                    .collect();
                self.restore(changes);
                Err(e)
            }
        }
    }

    fn stats(&self) -> RecorderStats {
        RecorderStats {
            recorded: self.recorded.load(Ordering::Relaxed),
            dropped: self.dropped.load(Ordering::Relaxed),
            flushes: self.flushes.load(Ordering::Relaxed),
            failed_flushes: self.failed_flushes.load(Ordering::Relaxed),
            pending: self.pending.load(Ordering::Relaxed) as u64,
        }
    }

    /// The aggregates of several keys: the store's plus the buffered changes.
    pub(crate) fn read(
        &self,
        keys: &[(&str, Bucket)],
    ) -> Result<Vec<Option<Aggregate>>, StoreError> {
        let mut values = catch_unwind(AssertUnwindSafe(|| self.store.read_many(keys)))
            .unwrap_or_else(|panic| {
                Err(StoreError::Unavailable(format!(
                    "the store panicked: {}",
                    panic_message(panic.as_ref())
                )))
            })?;
        values.resize(keys.len(), None);
        for shard in &self.shards {
            let guard = lock(shard);
            let map: &HashMap<(&str, Bucket), Aggregate, _> = &guard;
            for (key, value) in keys.iter().zip(values.iter_mut()) {
                if let Some(buffered) = map.get(key) {
                    match value {
                        Some(v) => {
                            v.merge(buffered);
                        }
                        None => *value = Some(buffered.clone()),
                    }
                }
            }
        }
        Ok(values)
    }
}

/// One counter change, before it is applied.
#[derive(Clone, Copy)]
enum Change {
    Count,
    Sum(f64),
    Register(u16, u8),
}

impl Change {
    fn empty(self) -> Aggregate {
        match self {
            Change::Count => Aggregate::Count(0),
            Change::Sum(_) => Aggregate::Sum(0.0),
            Change::Register(..) => Aggregate::Distinct(Hll::new()),
        }
    }

    fn apply(self, aggregate: &mut Aggregate) {
        match (self, aggregate) {
            (Change::Count, Aggregate::Count(n)) => *n = n.saturating_add(1),
            (Change::Sum(x), Aggregate::Sum(s)) => *s += x,
            (Change::Register(i, v), Aggregate::Distinct(h)) => h.offer(i, v),
            // A series has one kind; nothing else reaches here.
            (change, other) => {
                *other = change.empty();
                change.apply(other);
            }
        }
    }
}

/// The value of an event property, as a filter compares it.
enum Actual<'a> {
    Text(&'a str),
    Number(f64),
    Missing,
}

fn property<'a>(e: &Event<'a>, name: &str) -> Actual<'a> {
    let text = |t: Option<&'a str>| t.map_or(Actual::Missing, Actual::Text);
    match name {
        "label" => text(e.label),
        "property" => text(e.property),
        "value" => e.value.map_or(Actual::Missing, Actual::Number),
        _ => e
            .custom
            .iter()
            .find(|(n, _)| *n == name)
            .map_or(Actual::Missing, |(_, v)| text(*v)),
    }
}

fn matches(wanted: FilterValue, actual: Actual<'_>) -> bool {
    let number = |x: f64| match actual {
        Actual::Number(n) => n == x,
        Actual::Text(t) => t.trim().parse::<f64>().is_ok_and(|n| n == x),
        Actual::Missing => false,
    };
    match wanted {
        FilterValue::Text(w) => match actual {
            Actual::Text(t) => t == w,
            Actual::Number(n) => w.trim().parse::<f64>().is_ok_and(|x| x == n),
            Actual::Missing => false,
        },
        FilterValue::Integer(i) => number(i as f64),
        FilterValue::Float(x) => number(x),
        FilterValue::Boolean(b) => match actual {
            Actual::Text(t) => t == if b { "true" } else { "false" },
            _ => false,
        },
    }
}

/// The register a distinct count updates for an event, from the bytes Redis would
/// receive: an id in decimal, or the property's text.
fn distinct_register(unique: Unique, e: &Event<'_>) -> Option<(u16, u8)> {
    let mut buffer = [0u8; 24];
    element(unique, e, &mut buffer, hll::register_of)
}

/// Calls `with` on the bytes a distinct count adds for an event.
fn element<T>(
    unique: Unique,
    e: &Event<'_>,
    buffer: &mut [u8; 24],
    with: impl FnOnce(&[u8]) -> T,
) -> Option<T> {
    let id = match unique {
        Unique::UserId => e.user.map(|u| u.0),
        Unique::ProjectId => e.project.map(|p| p.0),
        Unique::NamespaceId => e.namespace.map(|n| n.0),
        Unique::Label => return e.label.map(|t| with(t.as_bytes())),
        Unique::Property => return e.property.map(|t| with(t.as_bytes())),
        Unique::Value => {
            let v = e.value.filter(|v| v.is_finite())?;
            let mut text = Cursor { buffer, len: 0 };
            let written = if v.fract() == 0.0 && v.abs() < 9.0e15 {
                write!(text, "{}", v as i64)
            } else {
                write!(text, "{v}")
            };
            let len = text.len;
            return written.ok().map(|()| with(&buffer[..len]));
        }
    }?;
    let mut text = Cursor { buffer, len: 0 };
    write!(text, "{id}").ok()?;
    let len = text.len;
    Some(with(&buffer[..len]))
}

/// Formats into a stack buffer (recording does not allocate).
struct Cursor<'a> {
    buffer: &'a mut [u8; 24],
    len: usize,
}

impl std::fmt::Write for Cursor<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let end = self.len + s.len();
        if end > self.buffer.len() {
            return Err(std::fmt::Error);
        }
        self.buffer[self.len..end].copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// The text of a panic's payload.
pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic without a message".to_owned()
    }
}

/// The background thread that flushes, and stops (after a last flush) when the last
/// handle is dropped.
struct Flusher {
    stop: Arc<(Mutex<bool>, Condvar)>,
    done: Mutex<Option<mpsc::Receiver<()>>>,
    shared: Arc<Shared>,
    shutdown_timeout: Duration,
    running: Arc<AtomicBool>,
}

impl Flusher {
    fn start(shared: Arc<Shared>, interval: Duration, shutdown_timeout: Duration) -> Flusher {
        let stop = Arc::new((Mutex::new(false), Condvar::new()));
        let (done_tx, done_rx) = mpsc::channel();
        let running = Arc::new(AtomicBool::new(false));
        let thread_stop = stop.clone();
        let thread_shared = shared.clone();
        let spawned = std::thread::Builder::new()
            .name("metricc-flush".into())
            .spawn(move || {
                let mut last_error: Option<Instant> = None;
                loop {
                    let stopping = {
                        let (flag, wake) = &*thread_stop;
                        let guard = lock(flag);
                        let (guard, _) = wake
                            .wait_timeout_while(guard, interval, |stop| !*stop)
                            .unwrap_or_else(|e| e.into_inner());
                        *guard
                    };
                    if let Err(e) = thread_shared.flush() {
                        if last_error.is_none_or(|t| t.elapsed() >= Duration::from_secs(60)) {
                            log::warn!("metricc: flushing recorded events failed: {e}");
                            last_error = Some(Instant::now());
                        }
                    }
                    if stopping {
                        break;
                    }
                }
                // Let go of the store before saying so: whoever waits may reopen it.
                drop(thread_shared);
                let _ = done_tx.send(());
            });
        match spawned {
            Ok(_) => running.store(true, Ordering::Relaxed),
            Err(e) => log::warn!(
                "metricc: no background flushing (the thread could not start: {e}); \
                 call Recorder::flush"
            ),
        }
        Flusher {
            stop,
            done: Mutex::new(Some(done_rx)),
            shared,
            shutdown_timeout,
            running,
        }
    }
}

impl Drop for Flusher {
    fn drop(&mut self) {
        if !self.running.load(Ordering::Relaxed) {
            if let Err(e) = self.shared.flush() {
                log::warn!("metricc: the last flush failed: {e}");
            }
            return;
        }
        {
            let (flag, wake) = &*self.stop;
            *lock(flag) = true;
            wake.notify_all();
        }
        if let Some(done) = lock(&self.done).take() {
            if done.recv_timeout(self.shutdown_timeout).is_err() {
                log::warn!(
                    "metricc: the store did not take the last {} buffered counters within {:?}",
                    self.shared.pending.load(Ordering::Relaxed),
                    self.shutdown_timeout
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_compare_text_and_numbers() {
        assert!(matches(FilterValue::Text("npm"), Actual::Text("npm")));
        assert!(!matches(FilterValue::Text("npm"), Actual::Text("maven")));
        assert!(!matches(FilterValue::Text("npm"), Actual::Missing));
        assert!(matches(FilterValue::Integer(3), Actual::Number(3.0)));
        assert!(matches(FilterValue::Integer(3), Actual::Text("3")));
        assert!(matches(FilterValue::Text("3"), Actual::Number(3.0)));
        assert!(matches(FilterValue::Float(0.5), Actual::Number(0.5)));
        assert!(matches(FilterValue::Boolean(true), Actual::Text("true")));
        assert!(!matches(FilterValue::Boolean(true), Actual::Number(1.0)));
    }

    #[test]
    fn distinct_elements_are_what_redis_would_receive() {
        let bytes = |unique, e: &Event<'_>| element(unique, e, &mut [0u8; 24], <[u8]>::to_vec);
        let e = Event {
            user: Some(UserId(u64::MAX)),
            value: Some(12.0),
            label: Some("web"),
            ..Event::default()
        };
        assert_eq!(
            bytes(Unique::UserId, &e),
            Some(b"18446744073709551615".to_vec())
        );
        assert_eq!(bytes(Unique::Value, &e), Some(b"12".to_vec()));
        assert_eq!(bytes(Unique::Label, &e), Some(b"web".to_vec()));
        assert_eq!(bytes(Unique::ProjectId, &e), None);
        let e = Event {
            value: Some(0.25),
            ..Event::default()
        };
        assert_eq!(bytes(Unique::Value, &e), Some(b"0.25".to_vec()));
    }
}
