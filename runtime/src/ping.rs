//! Hardened Service Ping assembly: every metric is evaluated on its own, and one that
//! fails cannot take the others with it.
//!
//! Metrics run on a few worker threads ("lanes"), each inside `catch_unwind`. A metric that
//! returns an error, panics, returns a value of the wrong type, or runs past
//! [`PingOptions::metric_timeout`] reports the fallback `-1` and is listed in the ping's
//! `metadata.failed_metrics` with its error and duration; a lane stuck in a metric is
//! abandoned (its thread finishes on its own; the result is ignored) and a new lane takes
//! over. At [`PingOptions::deadline`] the ping is assembled with what is done: every metric
//! not finished by then fails the same way. Optional-category metrics are left out when
//! the instance opted out ([`PingOptions::include_optional`]).

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Map, Value as Json};

use crate::hll::Hll;
use crate::recorder::{Recorder, Shared, panic_message};
use crate::spec::{MetricSpec, SeriesKind, TimeFrame, ValueSource, ValueType};
use crate::store::Aggregate;
use crate::time::{self, Bucket, Timestamp};
use crate::value::{Error, Number, Value};

/// The value a failed metric reports, whatever its type (GitLab's fallback).
pub const FALLBACK: i64 = -1;

/// What a metric's computation can see.
#[derive(Clone, Copy, Debug)]
pub struct MetricContext {
    pub metric: &'static MetricSpec,
    /// When the ping is assembled.
    pub now: Timestamp,
}

impl MetricContext {
    /// The database window of the metric's time frame, `[start, end)`: 9 to 2 days ago
    /// (`7d`), 30 to 2 days ago (`28d`); `None` when it is not windowed.
    pub fn database_window(&self) -> Option<(Timestamp, Timestamp)> {
        time::database_window(self.metric.time_frame, self.now)
    }

    /// The weekly (or all-time) buckets an event count of this time frame reads.
    pub fn event_buckets(&self) -> Vec<Bucket> {
        time::event_buckets(self.metric.time_frame, self.now)
    }

    /// The definition's `options`, parsed (for an instrumentation class).
    pub fn options(&self) -> Option<Json> {
        match self.metric.source {
            ValueSource::Instrumentation {
                options: Some(text),
                ..
            } => serde_json::from_str(text).ok(),
            _ => None,
        }
    }
}

/// Runs the SQL of database metrics. SQLite and PostgreSQL executors implement it; an
/// application may bring its own.
pub trait SqlExecutor: Send + Sync + 'static {
    /// Runs one read-only query that returns one value. `parameters` binds its named
    /// parameters (`:window_start`, `:window_end`) to the metric's window.
    fn query(
        &self,
        context: &MetricContext,
        sql: &str,
        parameters: &[(&str, Timestamp)],
    ) -> Result<Value, Error>;
}

/// The values the application computes itself, by instrumentation class: the generated
/// code implements it over the application's `Instrumentation` trait.
pub type Instrument = dyn Fn(u16, &MetricContext) -> Result<Value, Error> + Send + Sync;

/// How a ping is assembled.
#[derive(Clone)]
pub struct PingOptions {
    /// The instance's identifier, stable across its pings.
    pub instance_id: String,
    /// The application's version.
    pub version: String,
    /// `false` when the instance opted out of optional data: optional-category metrics are
    /// left out.
    pub include_optional: bool,
    /// How long one metric may run before it fails with a time-out.
    pub metric_timeout: Duration,
    /// How long the whole assembly may take: metrics not done by then fail.
    pub deadline: Duration,
    /// How many metrics are evaluated at once.
    pub lanes: usize,
    /// Runs database metrics' SQL; without one, they fail.
    pub sql: Option<Arc<dyn SqlExecutor>>,
}

impl PingOptions {
    /// Defaults: optional data included, 60 s per metric, 10 minutes in all, 2 lanes, no
    /// SQL executor.
    pub fn new(instance_id: impl Into<String>, version: impl Into<String>) -> PingOptions {
        PingOptions {
            instance_id: instance_id.into(),
            version: version.into(),
            include_optional: true,
            metric_timeout: Duration::from_secs(60),
            deadline: Duration::from_secs(600),
            lanes: 2,
            sql: None,
        }
    }
}

impl std::fmt::Debug for PingOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PingOptions")
            .field("instance_id", &self.instance_id)
            .field("version", &self.version)
            .field("include_optional", &self.include_optional)
            .field("metric_timeout", &self.metric_timeout)
            .field("deadline", &self.deadline)
            .field("lanes", &self.lanes)
            .field("sql", &self.sql.is_some())
            .finish()
    }
}

/// A metric that failed, as the ping's metadata reports it.
#[derive(Clone, Debug, PartialEq)]
pub struct FailedMetric {
    pub key_path: &'static str,
    pub error: String,
    pub duration: Duration,
}

/// One assembled Service Ping.
#[derive(Clone, Debug)]
pub struct ServicePing {
    pub instance_id: String,
    pub version: String,
    pub recorded_at: Timestamp,
    /// Every reported metric's value (the fallback for failed ones), by key path.
    pub values: BTreeMap<&'static str, Value>,
    /// The failed metrics, by key path.
    pub failed: Vec<FailedMetric>,
    /// How long the assembly took.
    pub duration: Duration,
}

impl ServicePing {
    /// The value reported for a metric.
    pub fn value(&self, key_path: &str) -> Option<&Value> {
        self.values.get(key_path)
    }

    /// Whether a metric failed.
    pub fn failure(&self, key_path: &str) -> Option<&FailedMetric> {
        self.failed.iter().find(|f| f.key_path == key_path)
    }

    /// The payload: values nested by key path, keys in sorted order, and `metadata`.
    pub fn to_json(&self) -> Json {
        #[derive(Default)]
        struct Node<'a> {
            value: Option<&'a Value>,
            children: BTreeMap<&'a str, Node<'a>>,
        }
        fn to_json(node: &Node<'_>) -> Json {
            if let Some(value) = node.value {
                return value.to_json();
            }
            let mut map = Map::new();
            for (key, child) in &node.children {
                map.insert((*key).to_owned(), to_json(child));
            }
            Json::Object(map)
        }
        let mut root = Node::default();
        for (key_path, value) in &self.values {
            let mut node = &mut root;
            for segment in key_path.split('.') {
                node = node.children.entry(segment).or_default();
            }
            node.value = Some(value);
        }
        let failed: Vec<Json> = self
            .failed
            .iter()
            .map(|f| {
                let mut entry = Map::new();
                entry.insert("duration_ms".into(), duration_ms(f.duration));
                entry.insert("error".into(), f.error.as_str().into());
                entry.insert("key_path".into(), f.key_path.into());
                Json::Object(entry)
            })
            .collect();
        let mut metadata = Map::new();
        metadata.insert("failed_metrics".into(), Json::Array(failed));
        metadata.insert("instance_id".into(), self.instance_id.as_str().into());
        metadata.insert("recorded_at".into(), self.recorded_at.to_string().into());
        metadata.insert("version".into(), self.version.as_str().into());
        // Keys are inserted in sorted order, so the payload is sorted whether or not
        // serde_json preserves insertion order.
        let mut payload = Map::new();
        let mut metadata = Some(Json::Object(metadata));
        for (key, child) in &root.children {
            if metadata.is_some() && *key > "metadata" {
                payload.insert("metadata".into(), metadata.take().unwrap_or_default());
            }
            payload.insert((*key).to_owned(), to_json(child));
        }
        if let Some(metadata) = metadata {
            payload.insert("metadata".into(), metadata);
        }
        Json::Object(payload)
    }

    /// The payload as pretty-printed JSON text.
    pub fn to_json_string(&self) -> String {
        let mut text = serde_json::to_string_pretty(&self.to_json()).unwrap_or_default();
        text.push('\n');
        text
    }
}

/// Milliseconds, to the microsecond.
fn duration_ms(d: Duration) -> Json {
    let ms = (d.as_secs_f64() * 1000.0 * 1000.0).round() / 1000.0;
    serde_json::Number::from_f64(ms).map_or(Json::from(0), Json::Number)
}

/// What a lane needs to evaluate metrics.
struct Env {
    recorder: Arc<Shared>,
    instrument: Arc<Instrument>,
    sql: Option<Arc<dyn SqlExecutor>>,
    now: Timestamp,
}

/// Assembles the Service Ping of `metrics`: events from `recorder`'s store, SQL through
/// `options.sql`, everything else through `instrument`. Returns within
/// `options.deadline` (plus a few milliseconds), whatever the metrics do.
pub fn assemble(
    metrics: &'static [&'static MetricSpec],
    recorder: &Recorder,
    instrument: Arc<Instrument>,
    options: &PingOptions,
) -> ServicePing {
    let started = Instant::now();
    let now = recorder.now();
    // Buffered events become visible to the store's reads (a failure leaves them
    // buffered, where the reads find them too).
    if let Err(e) = recorder.flush() {
        log::warn!("metricc: flushing before the ping failed: {e}");
    }
    let selected: Vec<&'static MetricSpec> = metrics
        .iter()
        .copied()
        .filter(|m| options.include_optional || !m.is_optional())
        .collect();
    let env = Arc::new(Env {
        recorder: recorder.shared.clone(),
        instrument,
        sql: options.sql.clone(),
        now,
    });
    let outcomes = run_lanes(&selected, &env, options, started);
    let mut values = BTreeMap::new();
    let mut failed = Vec::new();
    for (metric, outcome) in selected.iter().zip(outcomes) {
        match outcome {
            Outcome::Value(value) => {
                values.insert(metric.key_path, value);
            }
            Outcome::Failed { error, duration } => {
                values.insert(metric.key_path, Value::Number(Number::Integer(FALLBACK)));
                failed.push(FailedMetric {
                    key_path: metric.key_path,
                    error,
                    duration,
                });
            }
        }
    }
    failed.sort_by(|a, b| a.key_path.cmp(b.key_path));
    ServicePing {
        instance_id: options.instance_id.clone(),
        version: options.version.clone(),
        recorded_at: now,
        values,
        failed,
        duration: started.elapsed(),
    }
}

/// A metric's result.
#[derive(Clone, Debug)]
enum Outcome {
    Value(Value),
    Failed { error: String, duration: Duration },
}

/// What a lane is doing, under a lock so that claiming work and being abandoned exclude
/// each other.
#[derive(Default)]
struct LaneState {
    abandoned: bool,
    /// The metric it works on, and since when.
    current: Option<(usize, Instant)>,
}

struct Lane {
    state: Arc<Mutex<LaneState>>,
    live: bool,
}

struct Finished {
    index: usize,
    result: Result<Value, String>,
    duration: Duration,
}

fn run_lanes(
    metrics: &[&'static MetricSpec],
    env: &Arc<Env>,
    options: &PingOptions,
    started: Instant,
) -> Vec<Outcome> {
    let n = metrics.len();
    let mut outcomes: Vec<Option<Outcome>> = vec![None; n];
    let mut remaining = n;
    if n == 0 {
        return Vec::new();
    }
    let deadline = started + options.deadline;
    let queue: Arc<[&'static MetricSpec]> = metrics.into();
    let next = Arc::new(AtomicUsize::new(0));
    let (tx, rx) = mpsc::channel::<Finished>();
    let mut lanes: Vec<Lane> = Vec::new();
    let spawn = |lanes: &mut Vec<Lane>| -> Result<(), String> {
        let state = Arc::new(Mutex::new(LaneState::default()));
        let (queue, next, tx, env, lane_state) = (
            queue.clone(),
            next.clone(),
            tx.clone(),
            env.clone(),
            state.clone(),
        );
        std::thread::Builder::new()
            .name(format!("metricc-ping-{}", lanes.len()))
            .spawn(move || lane(&queue, &next, &lane_state, &tx, &env))
            .map_err(|e| format!("no thread to evaluate it on: {e}"))?;
        lanes.push(Lane { state, live: true });
        Ok(())
    };
    let mut spawn_error = None;
    for _ in 0..options.lanes.clamp(1, n) {
        if let Err(e) = spawn(&mut lanes) {
            spawn_error = Some(e);
            break;
        }
    }
    let finish = |outcomes: &mut Vec<Option<Outcome>>, remaining: &mut usize, i: usize, o| {
        if outcomes[i].is_none() {
            outcomes[i] = Some(o);
            *remaining -= 1;
        }
    };
    while remaining > 0 {
        // Results first, so that a metric that finished is not taken for a time-out.
        while let Ok(done) = rx.try_recv() {
            let outcome = match done.result {
                Ok(value) => Outcome::Value(value),
                Err(error) => Outcome::Failed {
                    error,
                    duration: done.duration,
                },
            };
            finish(&mut outcomes, &mut remaining, done.index, outcome);
        }
        if remaining == 0 {
            break;
        }
        let now = Instant::now();
        if now >= deadline {
            break;
        }
        // Time-outs: abandon the lane, record the metric's failure, start a new lane.
        let mut earliest = deadline;
        let mut replace = 0;
        for lane in lanes.iter_mut().filter(|l| l.live) {
            let mut state = lane.state.lock().unwrap_or_else(|e| e.into_inner());
            if let Some((index, since)) = state.current {
                let expires = since + options.metric_timeout;
                if now >= expires && outcomes[index].is_none() {
                    state.abandoned = true;
                    lane.live = false;
                    replace += 1;
                    finish(
                        &mut outcomes,
                        &mut remaining,
                        index,
                        Outcome::Failed {
                            error: format!(
                                "timed out after {} ms (the limit per metric)",
                                options.metric_timeout.as_millis()
                            ),
                            duration: now - since,
                        },
                    );
                } else if expires < earliest {
                    earliest = expires;
                }
            }
        }
        if remaining == 0 {
            break;
        }
        if replace > 0 && next.load(Ordering::Relaxed) < n {
            for _ in 0..replace {
                if let Err(e) = spawn(&mut lanes) {
                    spawn_error = Some(e);
                    break;
                }
            }
        }
        if !lanes.iter().any(|l| l.live) && next.load(Ordering::Relaxed) < n {
            // No lane left to run the rest.
            break;
        }
        let wait = earliest
            .saturating_duration_since(Instant::now())
            .max(Duration::from_micros(100));
        match rx.recv_timeout(wait) {
            Ok(done) => {
                let outcome = match done.result {
                    Ok(value) => Outcome::Value(value),
                    Err(error) => Outcome::Failed {
                        error,
                        duration: done.duration,
                    },
                };
                finish(&mut outcomes, &mut remaining, done.index, outcome);
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => break,
        }
    }
    // Whatever is left did not finish: the deadline passed, or no lane could run it.
    let now = Instant::now();
    let mut in_progress: BTreeMap<usize, Instant> = BTreeMap::new();
    for lane in &lanes {
        let mut state = lane.state.lock().unwrap_or_else(|e| e.into_inner());
        state.abandoned = true;
        if let Some((index, since)) = state.current {
            in_progress.insert(index, since);
        }
    }
    outcomes
        .into_iter()
        .enumerate()
        .map(|(i, o)| {
            o.unwrap_or_else(|| {
                let reason = match &spawn_error {
                    Some(e) if now < deadline => e.clone(),
                    _ => format!(
                        "the ping's deadline of {} ms passed",
                        options.deadline.as_millis()
                    ),
                };
                match in_progress.get(&i) {
                    Some(since) => Outcome::Failed {
                        error: format!("timed out: {reason}"),
                        duration: now - *since,
                    },
                    None => Outcome::Failed {
                        error: format!("not evaluated: {reason}"),
                        duration: Duration::ZERO,
                    },
                }
            })
        })
        .collect()
}

/// A lane: claims metrics one at a time and evaluates them until the queue is empty or it
/// is abandoned.
fn lane(
    queue: &[&'static MetricSpec],
    next: &AtomicUsize,
    state: &Mutex<LaneState>,
    tx: &mpsc::Sender<Finished>,
    env: &Env,
) {
    loop {
        let index = {
            let mut state = state.lock().unwrap_or_else(|e| e.into_inner());
            if state.abandoned {
                return;
            }
            let index = next.fetch_add(1, Ordering::Relaxed);
            if index >= queue.len() {
                state.current = None;
                return;
            }
            state.current = Some((index, Instant::now()));
            index
        };
        let started = Instant::now();
        let result = evaluate(queue[index], env);
        let done = Finished {
            index,
            result,
            duration: started.elapsed(),
        };
        if tx.send(done).is_err() {
            return;
        }
    }
}

/// One metric's value, or why there is none. Never panics: a panic in the metric's code is
/// an error.
fn evaluate(metric: &'static MetricSpec, env: &Env) -> Result<Value, String> {
    let context = MetricContext {
        metric,
        now: env.now,
    };
    match catch_unwind(AssertUnwindSafe(|| compute(&context, env))) {
        Ok(Ok(value)) => checked(metric, value),
        Ok(Err(e)) => Err(e.to_string()),
        Err(panic) => Err(format!("panicked: {}", panic_message(panic.as_ref()))),
    }
}

fn compute(context: &MetricContext, env: &Env) -> Result<Value, Error> {
    let metric = context.metric;
    match metric.source {
        ValueSource::Events(selectors) => events(metric, selectors, env),
        ValueSource::Sql {
            text, parameters, ..
        } => {
            let Some(sql) = &env.sql else {
                return Err(
                    "no SQL executor: give PingOptions::sql one to run database metrics".into(),
                );
            };
            let window = context.database_window();
            let mut bound = Vec::with_capacity(parameters.len());
            for name in parameters {
                let value = match (*name, window) {
                    (":window_start", Some((start, _))) => start,
                    (":window_end", Some((_, end))) => end,
                    _ => {
                        return Err(format!(
                            "the query uses {name}, which a {} metric has no value for",
                            metric.time_frame.as_str()
                        )
                        .into());
                    }
                };
                bound.push((*name, value));
            }
            sql.query(context, text, &bound)
        }
        ValueSource::Instrumentation { index, .. } => (env.instrument)(index, context),
        ValueSource::Undefined(why) => Err(why.into()),
    }
}

/// An event metric: counts, sums or distinct counts over its selectors and buckets.
fn events(
    metric: &'static MetricSpec,
    selectors: &'static [crate::spec::Selector],
    env: &Env,
) -> Result<Value, Error> {
    if metric.time_frame == TimeFrame::None {
        return Err("an event metric needs a time frame (7d, 28d or all)".into());
    }
    let Some(kind) = selectors.first().map(|s| s.kind()) else {
        return Err("the metric counts no events".into());
    };
    if selectors.iter().any(|s| s.kind() != kind) {
        return Err("the metric mixes distinct counts, totals and sums".into());
    }
    let buckets = time::event_buckets(metric.time_frame, env.now);
    let keys: Vec<(&str, Bucket)> = selectors
        .iter()
        .flat_map(|s| buckets.iter().map(move |b| (s.series, *b)))
        .collect();
    let aggregates = env.recorder.read(&keys)?;
    let unexpected = |a: &Aggregate| -> Error {
        format!("the store holds {a:?} where a {kind:?} was expected").into()
    };
    match kind {
        SeriesKind::Count => {
            let mut total = 0u64;
            for a in aggregates.iter().flatten() {
                match a {
                    Aggregate::Count(n) => total = total.saturating_add(*n),
                    other => return Err(unexpected(other)),
                }
            }
            Ok(Value::Number(total.into()))
        }
        SeriesKind::Sum => {
            let mut total = 0.0;
            for a in aggregates.iter().flatten() {
                match a {
                    Aggregate::Sum(x) => total += x,
                    // A whole sum, as a store that keeps numbers as text reads it back.
                    Aggregate::Count(n) => total += *n as f64,
                    other => return Err(unexpected(other)),
                }
            }
            Ok(Value::Number(Number::Float(total).normalized()))
        }
        SeriesKind::Distinct => {
            let mut union = Hll::new();
            for a in aggregates.iter().flatten() {
                match a {
                    Aggregate::Distinct(h) => union.merge(h),
                    other => return Err(unexpected(other)),
                }
            }
            Ok(Value::Number(union.count().into()))
        }
    }
}

/// The value, if it is one the metric's `value_type` allows (what the payload schema
/// accepts).
fn checked(metric: &MetricSpec, value: Value) -> Result<Value, String> {
    let wrong = |value: &Value| {
        Err(format!(
            "returned {}, but the metric is {}",
            value.kind(),
            match metric.value_type {
                ValueType::Number => "a number",
                ValueType::String => "a string",
                ValueType::Boolean => "a boolean",
                ValueType::Object => "an object",
            }
        ))
    };
    match (metric.value_type, value) {
        (ValueType::Number, Value::Number(n)) => {
            let x = n.as_f64();
            if !x.is_finite() {
                return Err(format!("returned {x}, which is not a number JSON can hold"));
            }
            if x < 0.0 {
                return Err(format!("returned {n}: a metric's number is never negative"));
            }
            let n = n.normalized();
            if metric.is_count() && !matches!(n, Number::Integer(_)) {
                return Err(format!(
                    "returned {n}, but the metric counts (a whole number)"
                ));
            }
            Ok(Value::Number(n))
        }
        (ValueType::String, v @ Value::String(_)) => Ok(v),
        (ValueType::Boolean, v @ Value::Boolean(_)) => Ok(v),
        (ValueType::Object, v @ Value::Object(_)) => Ok(v),
        (_, v) => wrong(&v),
    }
}
