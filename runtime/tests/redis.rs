//! The Redis store against a real redis-server on loopback (`scripts/services start redis`,
//! or a test's own server when it stops and restarts one): two nodes share one count; a
//! server that goes away and comes back costs buffered (or dropped, and counted) changes
//! and failed metrics, never a hang; sketches from the embedded store merge without
//! double counting and have Redis's bytes; key names, hash tags and expiries.

use std::sync::Arc;
use std::time::{Duration, Instant};

use metricc_runtime::hll::Hll;
use metricc_runtime::*;
use redis::Commands;

#[path = "support/create_issue.rs"]
mod create_issue;
use create_issue::*;

#[path = "support/redis_server.rs"]
mod redis_server;
use redis_server::{OwnServer, connect, fresh_namespace, shared_url};

fn ping(recorder: &Recorder, deadline: Duration) -> ServicePing {
    let mut options = PingOptions::new("test", "1.0");
    options.deadline = deadline;
    options.metric_timeout = deadline;
    assemble(
        metrics(),
        recorder,
        Arc::new(|_, _| Err("no instrumentation here".into())),
        &options,
    )
}

fn number(ping: &ServicePing, key_path: &str) -> f64 {
    match ping.value(key_path) {
        Some(Value::Number(n)) => n.as_f64(),
        other => panic!("{key_path}: {other:?} (failures: {:?})", ping.failed),
    }
}

fn week(at: Timestamp) -> Bucket {
    Bucket::Week(at.week())
}

fn node(store: RedisStore, clock: &ManualClock, options: RecorderOptions) -> Recorder {
    Recorder::new(
        Arc::new(store),
        RecorderOptions {
            clock: Arc::new(clock.clone()),
            ..options
        },
    )
}

fn sketch(users: impl Iterator<Item = u64>) -> Hll {
    let mut hll = Hll::new();
    for u in users {
        hll.insert(u.to_string().as_bytes());
    }
    hll
}

fn within(estimate: f64, exact: f64, tolerance: f64) -> bool {
    (estimate - exact).abs() <= exact * tolerance
}

#[test]
fn two_nodes_share_one_total_and_one_distinct_count() {
    let url = shared_url();
    let namespace = fresh_namespace("two-nodes");
    let clock = ManualClock::new(Timestamp(monday().0 + 3600));
    let open = || RedisStore::open(&url, RedisOptions::new(&namespace)).unwrap();
    let a = node(open(), &clock, RecorderOptions::default());
    let b = node(open(), &clock, RecorderOptions::default());
    // Week 11: A sees users 0..6000, B 4000..10000 (each from two threads); week 12: A
    // 8000..10000, B 10000..12000.
    let record = |recorder: &Recorder, users: std::ops::Range<u64>| {
        std::thread::scope(|scope| {
            let middle = (users.start + users.end) / 2;
            for part in [users.start..middle, middle..users.end] {
                scope.spawn(move || part.for_each(|u| issue(recorder, u)));
            }
        });
    };
    record(&a, 0..6_000);
    record(&b, 4_000..10_000);
    a.flush().unwrap();
    b.flush().unwrap();
    clock.advance(WEEK);
    record(&a, 8_000..10_000);
    record(&b, 10_000..12_000);
    a.flush().unwrap();
    b.flush().unwrap();

    // Redis holds one sketch per week: what PFCOUNT says is what ours says.
    let store = open();
    let mut con = connect(&url);
    let w11 = store.key("create_issue/user.id", week(monday()));
    let pfcount: u64 = redis::cmd("PFCOUNT").arg(&w11).query(&mut con).unwrap();
    let Some(Aggregate::Distinct(hll)) = store.read(AUTHORS.series, week(monday())).unwrap() else {
        panic!("no sketch for week 11");
    };
    assert_eq!(hll.count(), pfcount);
    assert_eq!(hll.registers(), sketch(0..10_000).registers());

    // A third node's ping, in week 13: week 12 is the last complete week.
    clock.advance(WEEK);
    let third = node(open(), &clock, RecorderOptions::default());
    let ping = ping(&third, Duration::from_secs(30));
    assert!(ping.failed.is_empty(), "{:?}", ping.failed);
    assert_eq!(number(&ping, "issues_weekly"), 4_000.0);
    assert_eq!(number(&ping, "issues_monthly"), 16_000.0);
    assert_eq!(number(&ping, "issues"), 16_000.0);
    assert_eq!(number(&ping, "by_email_monthly"), 3_200.0);
    assert_eq!(number(&ping, "weight"), 24_000.0);
    let weekly = number(&ping, "authors_weekly");
    assert!(within(weekly, 4_000.0, 0.02), "{weekly}");
    // The window is the union of the weekly sketches (12,000 users), not their sum.
    let monthly = number(&ping, "authors_monthly");
    assert!(within(monthly, 12_000.0, 0.02), "{monthly}");
    assert_eq!(monthly, sketch(0..12_000).count() as f64);
}

#[test]
fn a_server_that_goes_away_costs_no_hang_and_recording_resumes() {
    let mut server = OwnServer::start(&[]);
    let url = server.url();
    let mut options = RedisOptions::new("restart");
    options.connect_timeout = Duration::from_millis(300);
    options.io_timeout = Duration::from_millis(300);
    options.reconnect_delay = Duration::from_millis(20);
    options.max_reconnect_delay = Duration::from_millis(200);
    let store = RedisStore::open(&url, options).unwrap();
    let keys = RedisStore::open(&url, RedisOptions::new("restart")).unwrap();
    let clock = ManualClock::new(Timestamp(monday().0 + 3600));
    // One week of this event is 6 counters: 12 holds two weeks.
    let recorder = node(
        store,
        &clock,
        RecorderOptions {
            flush_interval: Duration::from_millis(50),
            max_pending: 12,
            ..RecorderOptions::default()
        },
    );
    let mut con = connect(&url);
    let total = |con: &mut redis::Connection, bucket: Bucket| -> Option<u64> {
        con.get(keys.key(TOTAL.series, bucket)).unwrap()
    };
    let wait_for = |what: &str, mut done: Box<dyn FnMut() -> bool + '_>| {
        let deadline = Instant::now() + Duration::from_secs(10);
        while !done() {
            assert!(Instant::now() < deadline, "{what}: not within 10 s");
            std::thread::sleep(Duration::from_millis(20));
        }
    };

    // The background flush brings events to Redis.
    (0..100).for_each(|u| issue(&recorder, u));
    wait_for(
        "100 events in Redis",
        Box::new(|| total(&mut con, week(monday())) == Some(100)),
    );

    server.stop();
    let started = Instant::now();
    for w in 0..3 {
        (0..50).for_each(|u| issue(&recorder, u));
        if w < 2 {
            clock.advance(WEEK);
        }
    }
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "recording waited on the store"
    );
    // Three weeks of counters do not fit in a buffer of two: changes were dropped.
    wait_for(
        "a failed flush",
        Box::new(|| recorder.stats().failed_flushes > 0),
    );
    let stats = recorder.stats();
    assert!(stats.dropped > 0, "{stats:?}");
    assert!(stats.pending <= 12, "{stats:?}");

    // A ping now: the event metrics fail fast, within the deadline, and say why.
    let deadline = Duration::from_secs(5);
    let started = Instant::now();
    let down = ping(&recorder, deadline);
    let elapsed = started.elapsed();
    assert!(elapsed < deadline, "the ping took {elapsed:?}");
    for metric in metrics() {
        assert_eq!(
            down.value(metric.key_path),
            Some(&Value::Number(Number::Integer(FALLBACK))),
            "{}",
            metric.key_path
        );
        let failure = down.failure(metric.key_path).expect("a listed failure");
        assert!(failure.error.contains("unavailable"), "{failure:?}");
    }
    let json = down.to_json();
    assert_eq!(
        json["metadata"]["failed_metrics"].as_array().map(Vec::len),
        Some(metrics().len())
    );

    // The server comes back (empty): the recorder's buffer reaches it by itself.
    server.restart();
    wait_for(
        "the buffer drained",
        Box::new(|| recorder.stats().pending == 0),
    );
    let mut con = connect(&url);
    // What reached it: the events recorded while it was away, less the dropped changes.
    let all = total(&mut con, Bucket::All).unwrap_or(0);
    assert!(all <= 150, "{all}");
    // New events arrive too.
    clock.advance(WEEK);
    (0..30).for_each(|u| issue(&recorder, u));
    wait_for(
        "new events in Redis",
        Box::new(|| total(&mut con, week(clock.now())) == Some(30)),
    );
    let up = ping(&recorder, deadline);
    assert!(up.failed.is_empty(), "{:?}", up.failed);
    assert_eq!(number(&up, "issues"), (all + 30) as f64);
}

#[test]
fn a_connection_the_server_closed_is_replaced_at_once() {
    let mut server = OwnServer::start(&[]);
    let store = RedisStore::open(&server.url(), RedisOptions::new("stale")).unwrap();
    let batch = Batch {
        changes: vec![("a".into(), Bucket::All, Aggregate::Count(2))],
    };
    store.apply(&batch).unwrap();
    // The server restarts (empty): the store's idle connection is closed.
    server.restart();
    store.apply(&batch).unwrap();
    assert_eq!(
        store.read("a", Bucket::All).unwrap(),
        Some(Aggregate::Count(2))
    );
    server.restart();
    assert_eq!(store.read("a", Bucket::All).unwrap(), None);
}

#[test]
fn a_server_that_hangs_costs_a_time_out_then_a_rest() {
    let server = OwnServer::start(&[]);
    let mut options = RedisOptions::new("hang");
    options.connect_timeout = Duration::from_millis(200);
    options.io_timeout = Duration::from_millis(200);
    options.reconnect_delay = Duration::from_secs(60);
    let store = RedisStore::open(&server.url(), options).unwrap();
    store.check().unwrap();
    let signal = |sig: &str| {
        let status = std::process::Command::new("kill")
            .args([sig, &server.pid().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    };
    signal("-STOP");
    let started = Instant::now();
    // 50 answers due: the first time-out fails them all, no time-out each.
    let series: Vec<String> = (0..50).map(|n| format!("s{n}")).collect();
    let keys: Vec<(&str, Bucket)> = series.iter().map(|s| (s.as_str(), Bucket::All)).collect();
    let hung = store.read_many(&keys);
    let first = started.elapsed();
    let resting = store.read("a", Bucket::All);
    let second = started.elapsed() - first;
    signal("-CONT");
    let hung = hung.unwrap_err().to_string();
    assert!(hung.contains("the request failed"), "{hung}");
    assert!(first < Duration::from_secs(1), "{first:?}");
    assert!(resting.unwrap_err().to_string().contains("next attempt in"));
    assert!(second < Duration::from_millis(500), "{second:?}");
}

#[test]
fn a_large_import_goes_in_batches_and_counts_every_entry() {
    let url = shared_url();
    let namespace = fresh_namespace("large-import");
    let store = RedisStore::open(&url, RedisOptions::new(&namespace)).unwrap();
    let entries: Vec<(String, Bucket, Aggregate)> = (0..2_500u64)
        .map(|i| (format!("series_{i}"), Bucket::All, Aggregate::Count(i)))
        .collect();
    assert_eq!(store.import(entries).unwrap(), 2_500);
    for i in [0u64, 999, 1_000, 1_999, 2_000, 2_499] {
        let value = store.read(&format!("series_{i}"), Bucket::All).unwrap();
        let expected = (i > 0).then_some(Aggregate::Count(i));
        assert_eq!(
            value.filter(|a| *a != Aggregate::Count(0)),
            expected,
            "series_{i}"
        );
    }
}

#[test]
fn embedded_sketches_merge_into_redis_without_double_counting() {
    let url = shared_url();
    let namespace = fresh_namespace("import");
    let clock = ManualClock::new(Timestamp(monday().0 + 3600));
    let dir = tempfile::tempdir().unwrap();
    let embedded = Arc::new(EmbeddedStore::open(dir.path().join("usage.redb")).unwrap());
    let local = Recorder::new(
        embedded.clone(),
        RecorderOptions {
            clock: Arc::new(clock.clone()),
            ..RecorderOptions::default()
        },
    );
    (0..6_000).for_each(|u| issue(&local, u));
    local.flush().unwrap();
    drop(local);
    let shared = node(
        RedisStore::open(&url, RedisOptions::new(&namespace)).unwrap(),
        &clock,
        RecorderOptions::default(),
    );
    (4_000..10_000).for_each(|u| issue(&shared, u));
    shared.flush().unwrap();

    let store = RedisStore::open(&url, RedisOptions::new(&namespace)).unwrap();
    let entries = embedded.entries().unwrap();
    assert_eq!(entries.len(), 6, "{entries:?}");
    assert_eq!(store.import(entries.clone()).unwrap(), 6);
    let authors = || match store.read(AUTHORS.series, week(monday())).unwrap() {
        Some(Aggregate::Distinct(hll)) => hll,
        other => panic!("{other:?}"),
    };
    // The union of the users (10,000), register for register; not 12,000.
    let union = authors();
    assert_eq!(union.registers(), sketch(0..10_000).registers());
    assert!(within(union.count() as f64, 10_000.0, 0.02), "{union:?}");
    // Counts add up.
    assert_eq!(
        store.read(TOTAL.series, Bucket::All).unwrap(),
        Some(Aggregate::Count(12_000))
    );
    assert_eq!(
        store.read(WEIGHT.series, Bucket::All).unwrap(),
        Some(Aggregate::Count(18_000)),
        "a whole sum reads back as a count"
    );
    // Importing the sketches again changes nothing.
    let sketches = entries
        .into_iter()
        .filter(|(_, _, a)| matches!(a, Aggregate::Distinct(_)));
    assert_eq!(store.import(sketches).unwrap(), 1);
    assert_eq!(authors(), union);
}

#[test]
fn sketches_have_the_bytes_redis_makes() {
    let url = shared_url();
    let namespace = fresh_namespace("bytes");
    let store = RedisStore::open(&url, RedisOptions::new(&namespace)).unwrap();
    let mut con = connect(&url);
    for (n, name) in [(50u64, "small"), (5_000, "users")] {
        let elements: Vec<String> = (1..=n).map(|i| format!("user:{i}")).collect();
        let mut ours = Hll::new();
        elements.iter().for_each(|e| ours.insert(e.as_bytes()));
        // Redis's own PFADD of the same elements.
        let pfadd = format!("metricc:{namespace}:pfadd:{name}");
        let _: () = redis::cmd("PFADD")
            .arg(&pfadd)
            .arg(&elements)
            .query(&mut con)
            .unwrap();
        let theirs: Vec<u8> = con.get(&pfadd).unwrap();
        let count: u64 = redis::cmd("PFCOUNT").arg(&pfadd).query(&mut con).unwrap();
        assert_eq!(ours.count(), count, "{name}");
        assert_eq!(
            Hll::from_redis(&theirs).unwrap().registers(),
            ours.registers(),
            "{name}"
        );
        // Our sketch merged by the store into an empty key.
        let series = format!("bytes/{name}");
        store
            .apply(&Batch {
                changes: vec![(
                    series.clone(),
                    Bucket::All,
                    Aggregate::Distinct(ours.clone()),
                )],
            })
            .unwrap();
        let merged: Vec<u8> = con.get(store.key(&series, Bucket::All)).unwrap();
        if n > 1_000 {
            // Dense in Redis: the registers are the same bytes ours writes.
            assert_eq!(&theirs[..5], b"HYLL\0");
            assert_eq!(theirs[16..], ours.to_redis_dense()[16..], "{name}");
            assert_eq!(merged[16..], theirs[16..], "{name}");
        } else {
            assert_eq!(
                Hll::from_redis(&merged).unwrap().registers(),
                ours.registers()
            );
        }
        let count: u64 = redis::cmd("PFCOUNT")
            .arg(store.key(&series, Bucket::All))
            .query(&mut con)
            .unwrap();
        assert_eq!(ours.count(), count, "{name}");
    }
}

#[test]
fn keys_are_named_tagged_and_expire_by_bucket() {
    let url = shared_url();
    let namespace = fresh_namespace("keys");
    let store = RedisStore::open(&url, RedisOptions::new(&namespace)).unwrap();
    let w11 = week(monday());
    let mut hll = Hll::new();
    hll.insert(b"7");
    store
        .apply(&Batch {
            changes: vec![
                ("create_issue".into(), w11, Aggregate::Count(3)),
                ("create_issue".into(), Bucket::All, Aggregate::Count(3)),
                ("create_issue/sum(value)".into(), w11, Aggregate::Sum(2.5)),
                (
                    "create_issue/user.id".into(),
                    w11,
                    Aggregate::Distinct(hll.clone()),
                ),
                (
                    "create_issue/user.id".into(),
                    Bucket::All,
                    Aggregate::Distinct(hll),
                ),
            ],
        })
        .unwrap();
    let mut con = connect(&url);
    let mut keys: Vec<String> = con.keys(format!("metricc:{namespace}:*")).unwrap();
    keys.sort();
    let expected = [
        format!("metricc:{namespace}:{{create_issue/sum(value)}}:2025-W11"),
        format!("metricc:{namespace}:{{create_issue/user.id}}:2025-W11"),
        format!("metricc:{namespace}:{{create_issue/user.id}}:all"),
        format!("metricc:{namespace}:{{create_issue}}:2025-W11"),
        format!("metricc:{namespace}:{{create_issue}}:all"),
    ];
    assert_eq!(keys, expected, "no temporary key is left");
    let ttl = metricc_runtime::store::DEFAULT_WEEKLY_TTL.as_secs() as i64;
    for key in &keys {
        let left: i64 = con.ttl(key).unwrap();
        if key.ends_with(":all") {
            assert_eq!(left, -1, "{key} never expires");
        } else {
            assert!(left > ttl - 60 && left <= ttl, "{key}: {left} s");
        }
    }
    assert_eq!(
        store.read("create_issue/sum(value)", w11).unwrap(),
        Some(Aggregate::Sum(2.5))
    );
    // Another namespace sees none of it; its weekly keys live as long as it says.
    let mut options = RedisOptions::new(format!("{namespace}-other"));
    options.weekly_ttl = Duration::from_secs(3_600);
    let other = RedisStore::open(&url, options).unwrap();
    assert_eq!(other.read("create_issue", w11).unwrap(), None);
    other
        .apply(&Batch {
            changes: vec![("create_issue".into(), w11, Aggregate::Count(1))],
        })
        .unwrap();
    let left: i64 = con.ttl(other.key("create_issue", w11)).unwrap();
    assert!(left > 3_500 && left <= 3_600, "{left}");

    // In a cluster, a series' keys (and the temporary key of a merge) share a slot: the
    // slot of the series' name, its hash tag.
    let cluster = OwnServer::start(&["--cluster-enabled", "yes"]);
    let mut con = connect(&cluster.url());
    let slot = |con: &mut redis::Connection, key: &str| -> i64 {
        redis::cmd("CLUSTER")
            .arg("KEYSLOT")
            .arg(key)
            .query(con)
            .unwrap()
    };
    for series in ["create_issue", "create_issue/user.id", "a:b[label=x]"] {
        let tag = slot(&mut con, series);
        for bucket in [w11, Bucket::All] {
            let key = store.key(series, bucket);
            assert_eq!(slot(&mut con, &key), tag, "{key}");
            assert_eq!(slot(&mut con, &format!("{key}:merge")), tag, "{key}");
        }
    }
}
