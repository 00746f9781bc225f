//! Benchmarks of the Redis store against the redis-server `scripts/services start redis`
//! runs on loopback (`cargo bench -p metricc-runtime --bench redis`; run it with
//! `nice -n 19` on a shared machine):
//!
//! - events per second from 2 threads into Redis, end to end: a million events recorded,
//!   then flushed (one `MULTI`/`EXEC` pipeline a batch) until Redis holds them; once for
//!   one event (6 counters a week) and once spread over the 2,000 events of the synthetic
//!   dictionary (6,000 counters, 2,000 sketches merged with `PFMERGE`);
//! - assembling the Service Ping of the synthetic 10,000-metric dictionary (events and
//!   instrumentation classes; SQL excluded) from Redis holding 5 weeks of events.
//!
//! A plain `main`: the figures are medians over a few runs, printed one per line.

use std::sync::Arc;
use std::time::{Duration, Instant};

use metricc_runtime::*;

const EVENTS: u64 = 1_000_000;
const RUNS: usize = 5;

#[path = "../tests/support/create_issue.rs"]
mod create_issue;
use create_issue::CREATE_ISSUE;

#[path = "support/dictionary.rs"]
mod dictionary;
use dictionary::{dictionary, median, occurrence, ping_after_five_weeks};

#[path = "../tests/support/redis_server.rs"]
mod redis_server;
use redis_server::{connect, fresh_namespace, shared_url};

/// One address for the event, as generated code has.
static EVENT: EventSpec = CREATE_ISSUE;

fn store(url: &str, namespace: &str) -> RedisStore {
    RedisStore::open(url, RedisOptions::new(namespace)).expect("a Redis URL")
}

/// Removes a namespace's keys from the shared server.
fn clean(url: &str, namespace: &str) {
    let mut con = connect(url);
    let keys: Vec<String> =
        redis::Commands::scan_match::<_, String>(&mut con, format!("metricc:{namespace}:*"))
            .map(|keys| keys.filter_map(Result::ok).collect())
            .unwrap_or_default();
    for chunk in keys.chunks(1_000) {
        let _: redis::RedisResult<()> = redis::cmd("UNLINK").arg(chunk).query(&mut con);
    }
}

/// Records `EVENTS` events from 2 threads, over `events`, into Redis, and flushes until
/// Redis holds them all; returns the elapsed time, and the time of the flush alone (one
/// batch, one round trip).
fn record(url: &str, events: &[&'static EventSpec]) -> (Duration, Duration) {
    let namespace = fresh_namespace("bench");
    let redis = store(url, &namespace);
    let check = store(url, &namespace);
    let recorder = Recorder::new(
        Arc::new(redis),
        RecorderOptions {
            max_pending: 100_000,
            ..RecorderOptions::default()
        },
    );
    let started = Instant::now();
    let threads = 2;
    let per_thread = EVENTS / threads;
    std::thread::scope(|scope| {
        for t in 0..threads {
            let recorder = &recorder;
            scope.spawn(move || {
                for i in 0..per_thread {
                    let n = t * per_thread + i;
                    let event = events[(n % events.len() as u64) as usize];
                    recorder.record(event, &occurrence(n % 50_000));
                }
            });
        }
    });
    let flushing = Instant::now();
    recorder.flush().expect("Redis takes the events");
    let flush = flushing.elapsed();
    // Redis holds them: the all-time totals add up to every event.
    let keys: Vec<(&str, Bucket)> = events
        .iter()
        .map(|e| (e.counters[0].selector.series, Bucket::All))
        .collect();
    let total: u64 = check
        .read_many(&keys)
        .expect("Redis answers")
        .into_iter()
        .map(|a| match a {
            Some(Aggregate::Count(n)) => n,
            other => panic!("an all-time total holds {other:?}"),
        })
        .sum();
    let elapsed = started.elapsed();
    assert_eq!(total, EVENTS);
    assert_eq!(recorder.stats().dropped, 0);
    drop(recorder);
    clean(url, &namespace);
    (elapsed, flush)
}

/// Assembles the ping of a 10,000-metric dictionary after 5 weeks of events in Redis.
fn ping_assembly(url: &str) -> (Duration, usize, usize) {
    let namespace = fresh_namespace("bench-ping");
    let (median, values) = ping_after_five_weeks(Arc::new(store(url, &namespace)), RUNS);
    clean(url, &namespace);
    (median, values, PingOptions::new("bench", "1.0").lanes)
}

fn main() {
    // `cargo test --benches` runs benchmarks once as tests: keep that quick.
    if std::env::args().any(|a| a == "--test") {
        return;
    }
    let url = shared_url();
    let mut con = connect(&url);
    let version: String = redis::cmd("INFO")
        .arg("server")
        .query::<String>(&mut con)
        .ok()
        .and_then(|info| {
            info.lines()
                .find_map(|l| l.strip_prefix("redis_version:").map(str::to_owned))
        })
        .unwrap_or_default();
    println!("Redis {version} at {url}");
    let rate = |d: Duration| EVENTS as f64 / d.as_secs_f64() / 1e6;
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let runs = |events: &[&'static EventSpec]| {
        let (totals, flushes): (Vec<_>, Vec<_>) = (0..RUNS).map(|_| record(&url, events)).unzip();
        (median(totals), median(flushes))
    };
    let (one, flush) = runs(&[&EVENT]);
    println!(
        "record into Redis, 2 threads, 1 event (6 counters):          {:5.2} M events/s ({EVENTS} events in {:.0} ms until Redis holds them; the flush {:.2} ms)",
        rate(one),
        ms(one),
        ms(flush)
    );
    let (_, events) = dictionary(10_000);
    let (many, flush) = runs(&events);
    println!(
        "record into Redis, 2 threads, 2,000 events (6,000 counters): {:5.2} M events/s ({EVENTS} events in {:.0} ms until Redis holds them; the flush {:.2} ms)",
        rate(many),
        ms(many),
        ms(flush)
    );
    let (assembly, values, lanes) = ping_assembly(&url);
    println!(
        "Service Ping assembly from Redis, 10,000 metrics:            {:7.1} ms ({values} values, {lanes} lanes)",
        assembly.as_secs_f64() * 1e3
    );
}
