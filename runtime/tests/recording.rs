//! Recording: exact totals, distinct counts within HyperLogLog's bounds, GitLab's window
//! edges, counts that survive a restart of the embedded store (also a `kill -9` after a
//! flush was acknowledged), and a store that fails, panics or hangs without making
//! recording panic or block.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use metricc_runtime::*;

#[path = "support/create_issue.rs"]
mod create_issue;
use create_issue::*;

fn no_instrumentation() -> Arc<Instrument> {
    Arc::new(|_, _| Err("no instrumentation here".into()))
}

fn ping(recorder: &Recorder) -> ServicePing {
    assemble(
        metrics(),
        recorder,
        no_instrumentation(),
        &PingOptions::new("test", "1.0"),
    )
}

fn number(ping: &ServicePing, key_path: &str) -> f64 {
    match ping.value(key_path) {
        Some(Value::Number(n)) => n.as_f64(),
        other => panic!("{key_path}: {other:?} (failures: {:?})", ping.failed),
    }
}

fn issue(recorder: &Recorder, user: u64, property: Option<&str>, value: Option<f64>) {
    recorder.record(
        &EVENT,
        &Event {
            user: Some(UserId(user)),
            project: Some(ProjectId(1)),
            namespace: Some(NamespaceId(1)),
            property,
            value,
            ..Event::default()
        },
    );
}

fn recorder_at(store: Arc<dyn Store>, clock: &ManualClock) -> Recorder {
    Recorder::new(
        store,
        RecorderOptions {
            clock: Arc::new(clock.clone()),
            ..RecorderOptions::default()
        },
    )
}

#[test]
fn totals_from_many_threads_are_exact() {
    let clock = ManualClock::new(monday());
    let recorder = recorder_at(Arc::new(MemoryStore::new()), &clock);
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let recorder = recorder.clone();
            std::thread::spawn(move || {
                for i in 0..25_000u64 {
                    issue(&recorder, t * 100_000 + i, None, Some(2.0));
                    if i % 7_000 == 0 {
                        recorder.flush().unwrap();
                    }
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    clock.advance(7 * 86_400);
    let ping = ping(&recorder);
    assert_eq!(number(&ping, "issues_weekly"), 100_000.0);
    assert_eq!(number(&ping, "issues"), 100_000.0);
    assert_eq!(number(&ping, "weight"), 200_000.0);
    let authors = number(&ping, "authors_monthly");
    assert!(
        (authors - 100_000.0).abs() / 100_000.0 < 0.0243,
        "{authors}"
    );
    assert_eq!(recorder.stats().recorded, 100_000);
    assert_eq!(recorder.stats().dropped, 0);
}

#[test]
fn distinct_counts_and_filters() {
    let clock = ManualClock::new(monday());
    let recorder = recorder_at(Arc::new(MemoryStore::new()), &clock);
    for round in 0..3 {
        for user in 0..5_000 {
            let property = (user % 5 == 0).then_some("email");
            issue(&recorder, user, property, None);
        }
        if round == 1 {
            recorder.flush().unwrap();
        }
    }
    clock.advance(7 * 86_400);
    let ping = ping(&recorder);
    let authors = number(&ping, "authors_monthly");
    assert!((authors - 5_000.0).abs() <= 5_000.0 * 0.0243, "{authors}");
    assert_eq!(number(&ping, "by_email_monthly"), 3_000.0);
    assert_eq!(number(&ping, "issues_monthly"), 15_000.0);
    // No value was given: the sum has nothing to add.
    assert_eq!(number(&ping, "weight"), 0.0);
}

#[test]
fn window_edges_fall_on_monday_midnight() {
    let clock = ManualClock::new(Timestamp(monday().0 - 1)); // Sunday 23:59:59, W10
    let recorder = recorder_at(Arc::new(MemoryStore::new()), &clock);
    issue(&recorder, 1, None, None);
    clock.set(monday()); // Monday 00:00:00, W11
    issue(&recorder, 2, None, None);
    issue(&recorder, 3, None, None);

    // During W11 the last complete week is W10: only the Sunday event.
    clock.set(Timestamp(monday().0 + 3 * 86_400));
    let during = ping(&recorder);
    assert_eq!(number(&during, "issues_weekly"), 1.0);
    assert_eq!(number(&during, "issues_monthly"), 1.0);
    assert_eq!(number(&during, "issues"), 3.0);

    // At the first second of W12, W11 is complete: the two Monday events.
    clock.set(Timestamp(monday().0 + 7 * 86_400));
    let next = ping(&recorder);
    assert_eq!(number(&next, "issues_weekly"), 2.0);
    assert_eq!(number(&next, "issues_monthly"), 3.0);

    // At the last second of W14, W10 is still one of the last four complete weeks...
    clock.set(Timestamp(monday().0 + 4 * 7 * 86_400 - 1));
    assert_eq!(number(&ping(&recorder), "issues_monthly"), 3.0);
    // ...and at the first second of W15 it is not.
    clock.set(Timestamp(monday().0 + 4 * 7 * 86_400));
    let later = ping(&recorder);
    assert_eq!(number(&later, "issues_monthly"), 2.0);
    assert_eq!(number(&later, "issues_weekly"), 0.0);
    assert_eq!(number(&later, "issues"), 3.0);
}

#[test]
fn counts_survive_a_restart_of_the_embedded_store() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("usage.redb");
    let clock = ManualClock::new(monday());
    {
        let recorder = recorder_at(Arc::new(EmbeddedStore::open(&path).unwrap()), &clock);
        for user in 0..1_000 {
            issue(&recorder, user, Some("email"), Some(0.5));
        }
        // Dropping the last handle flushes.
    }
    {
        let recorder = recorder_at(Arc::new(EmbeddedStore::open(&path).unwrap()), &clock);
        for user in 1_000..1_500 {
            issue(&recorder, user, None, None);
        }
        recorder.flush().unwrap();
    }
    let recorder = recorder_at(Arc::new(EmbeddedStore::open(&path).unwrap()), &clock);
    clock.advance(7 * 86_400);
    let ping = ping(&recorder);
    assert_eq!(number(&ping, "issues_weekly"), 1_500.0);
    assert_eq!(number(&ping, "by_email_monthly"), 1_000.0);
    assert_eq!(number(&ping, "weight"), 500.0);
    let authors = number(&ping, "authors_monthly");
    assert!((authors - 1_500.0).abs() <= 1_500.0 * 0.0243, "{authors}");
}

/// Run by [`acknowledged_counts_survive_kill_9`] in a child process: records, flushes,
/// says so, records more without flushing, and waits to be killed.
#[test]
fn child_process_that_records_until_killed() {
    let Ok(path) = std::env::var("METRICC_KILL_TEST_STORE") else {
        return; // Only does something as the child of the test below.
    };
    let clock = ManualClock::new(monday());
    let recorder = Recorder::new(
        Arc::new(EmbeddedStore::open(&path).unwrap()),
        RecorderOptions {
            clock: Arc::new(clock),
            // No background flush: only the acknowledged flush writes.
            flush_interval: Duration::from_secs(3600),
            ..RecorderOptions::default()
        },
    );
    for user in 0..2_000 {
        issue(&recorder, user, None, None);
    }
    recorder.flush().unwrap();
    println!("acknowledged");
    for user in 2_000..3_000 {
        issue(&recorder, user, None, None);
    }
    loop {
        std::thread::sleep(Duration::from_secs(1));
    }
}

#[test]
fn acknowledged_counts_survive_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("usage.redb");
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_process_that_records_until_killed",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("METRICC_KILL_TEST_STORE", &path)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let acknowledged = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .any(|line| line.contains("acknowledged"));
    assert!(acknowledged, "the child never flushed");
    child.kill().unwrap(); // SIGKILL: no destructor runs, no last flush.
    child.wait().unwrap();

    let clock = ManualClock::new(Timestamp(monday().0 + 7 * 86_400));
    let recorder = recorder_at(Arc::new(EmbeddedStore::open(&path).unwrap()), &clock);
    let ping = ping(&recorder);
    // Everything acknowledged is there; what came after the flush was never promised.
    assert_eq!(number(&ping, "issues_weekly"), 2_000.0);
}

/// A store whose every operation fails, panics or hangs.
struct BrokenStore {
    mode: Mode,
    release: Arc<AtomicBool>,
}

#[derive(Clone, Copy)]
enum Mode {
    Fails,
    Panics,
    Hangs,
}

impl Store for BrokenStore {
    fn apply(&self, _batch: &Batch) -> Result<(), StoreError> {
        match self.mode {
            Mode::Fails => Err(StoreError::Unavailable("disk full".into())),
            Mode::Panics => panic!("the store crashed"),
            Mode::Hangs => {
                while !self.release.load(Ordering::Relaxed) {
                    std::thread::sleep(Duration::from_millis(5));
                }
                Err(StoreError::Unavailable("gave up".into()))
            }
        }
    }

    fn read(&self, _series: &str, _bucket: Bucket) -> Result<Option<Aggregate>, StoreError> {
        Err(StoreError::Unavailable("disk full".into()))
    }
}

fn broken(mode: Mode) -> (Recorder, Arc<AtomicBool>, ManualClock) {
    let release = Arc::new(AtomicBool::new(false));
    let clock = ManualClock::new(monday());
    let recorder = Recorder::new(
        Arc::new(BrokenStore {
            mode,
            release: release.clone(),
        }),
        RecorderOptions {
            clock: Arc::new(clock.clone()),
            flush_interval: Duration::from_millis(10),
            max_pending: 200,
            shutdown_timeout: Duration::from_millis(200),
        },
    );
    (recorder, release, clock)
}

/// Records events spread over many weeks (so that they need many counters).
fn record_over_weeks(recorder: &Recorder, clock: &ManualClock, events: u64) -> Duration {
    let started = Instant::now();
    for i in 0..events {
        clock.set(Timestamp(monday().0 + (i as i64 % 1_000) * 7 * 86_400));
        issue(recorder, i, None, Some(1.0));
    }
    started.elapsed()
}

#[test]
fn a_failing_store_drops_and_counts_without_panicking() {
    for mode in [Mode::Fails, Mode::Panics] {
        let (recorder, _, clock) = broken(mode);
        let took = record_over_weeks(&recorder, &clock, 20_000);
        assert!(recorder.flush().is_err());
        let stats = recorder.stats();
        assert_eq!(stats.recorded, 20_000);
        assert!(stats.dropped > 0, "{stats:?}");
        assert!(stats.failed_flushes >= 1, "{stats:?}");
        assert!(stats.pending <= 200, "{stats:?}");
        assert!(took < Duration::from_secs(5), "recording took {took:?}");
        // The ping still comes: the event metrics fail, with the store's error.
        let ping = ping(&recorder);
        let failure = ping.failure("issues").unwrap();
        assert!(failure.error.contains("disk full"), "{failure:?}");
        assert_eq!(
            ping.value("issues"),
            Some(&Value::Number(Number::Integer(-1)))
        );
    }
}

#[test]
fn a_hanging_store_does_not_block_recording_or_shutdown() {
    let (recorder, release, clock) = broken(Mode::Hangs);
    std::thread::sleep(Duration::from_millis(50)); // the flusher is now stuck in the store
    let took = record_over_weeks(&recorder, &clock, 20_000);
    assert!(took < Duration::from_secs(5), "recording took {took:?}");
    assert!(recorder.stats().dropped > 0);
    let dropping = Instant::now();
    drop(recorder);
    assert!(
        dropping.elapsed() < Duration::from_secs(2),
        "shutdown waited {:?} for a hung store",
        dropping.elapsed()
    );
    release.store(true, Ordering::Relaxed);
}
