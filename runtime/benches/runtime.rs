//! Benchmarks of the runtime, with the targets of the design (`cargo bench -p
//! metricc-runtime`; run it with `nice -n 19` on a shared machine):
//!
//! - recording one event on the embedded store, amortized over a million, flushes to disk
//!   included (target: under 1 µs);
//! - the same from 2 threads at once;
//! - assembling the Service Ping of a synthetic 10,000-metric dictionary (events and
//!   instrumentation classes; SQL excluded), from a store holding 5 weeks of events
//!   (target: under 1 s).
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
use dictionary::{median, occurrence, ping_after_five_weeks};

/// One address for the event, as generated code has.
static EVENT: EventSpec = CREATE_ISSUE;

/// Records `EVENTS` events from `threads` threads into a fresh embedded store and flushes
/// them to disk; returns the elapsed time.
fn record(threads: u64) -> Duration {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let recorder = Recorder::open(dir.path().join("usage.redb")).expect("the store opens");
    let started = Instant::now();
    let per_thread = EVENTS / threads;
    std::thread::scope(|scope| {
        for t in 0..threads {
            let recorder = &recorder;
            scope.spawn(move || {
                for i in 0..per_thread {
                    recorder.record(&EVENT, &occurrence((t * per_thread + i) % 50_000));
                }
            });
        }
    });
    recorder.flush().expect("the store takes the events");
    let elapsed = started.elapsed();
    assert_eq!(recorder.stats().dropped, 0);
    elapsed
}

/// Assembles the ping of a 10,000-metric dictionary after 5 weeks of events.
fn ping_assembly() -> (Duration, usize) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let store = EmbeddedStore::open(dir.path().join("usage.redb")).expect("the store opens");
    ping_after_five_weeks(Arc::new(store), RUNS)
}

fn main() {
    // `cargo test --benches` runs benchmarks once as tests: keep that quick.
    if std::env::args().any(|a| a == "--test") {
        return;
    }
    let per_event = |d: Duration| d.as_nanos() as f64 / EVENTS as f64;
    let one = median((0..RUNS).map(|_| record(1)).collect());
    println!(
        "record one event, embedded store, 1 thread:  {:7.1} ns/event amortized ({EVENTS} events, flush included; target < 1000 ns)",
        per_event(one)
    );
    let two = median((0..RUNS).map(|_| record(2)).collect());
    println!(
        "record one event, embedded store, 2 threads: {:7.1} ns/event amortized, {:.1} M events/s in all",
        per_event(two),
        EVENTS as f64 / two.as_secs_f64() / 1e6
    );
    let (assembly, values) = ping_assembly();
    println!(
        "Service Ping assembly, 10,000 metrics:       {:7.1} ms ({values} values; target < 1000 ms)",
        assembly.as_secs_f64() * 1e3
    );
}
