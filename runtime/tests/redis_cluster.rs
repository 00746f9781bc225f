//! The Redis store on a real Redis Cluster of the test's own (3 masters on loopback, made
//! by `redis-cli --cluster create`): two nodes recording many series, spread over every
//! master, give exact totals and the count of the union of their users; every key of a
//! series is on the slot of its hash tag; a third node's ping reads the right windows; a
//! master that hangs or goes away costs a time-out or an error, then a rest, never a hang.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use metricc_runtime::hll::Hll;
use metricc_runtime::*;
use redis::Commands;

#[path = "support/create_issue.rs"]
mod create_issue;
use create_issue::*;

#[path = "support/redis_server.rs"]
mod redis_server;
use redis_server::{OwnCluster, connect};

/// How many other events (`view_0` … `view_29`, a total each) the nodes record besides
/// `create_issue`: enough series that every master holds some.
const VIEWS: usize = 30;

fn views() -> &'static [EventSpec] {
    static TABLE: OnceLock<Vec<EventSpec>> = OnceLock::new();
    let leak = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
    TABLE.get_or_init(|| {
        (0..VIEWS)
            .map(|n| {
                let action = leak(format!("view_{n}"));
                EventSpec {
                    action,
                    facade_counter: leak(format!("metricc_view_{n}_total")),
                    counters: Box::leak(Box::new([Counter {
                        selector: Selector {
                            event: action,
                            unique: None,
                            filter: &[],
                            operator: None,
                            series: action,
                        },
                        weekly: true,
                        all_time: true,
                    }])),
                }
            })
            .collect()
    })
}

fn node(store: RedisStore, clock: &ManualClock) -> Recorder {
    Recorder::new(
        Arc::new(store),
        RecorderOptions {
            clock: Arc::new(clock.clone()),
            ..RecorderOptions::default()
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

fn number(ping: &ServicePing, key_path: &str) -> f64 {
    match ping.value(key_path) {
        Some(Value::Number(n)) => n.as_f64(),
        other => panic!("{key_path}: {other:?} (failures: {:?})", ping.failed),
    }
}

#[test]
fn two_nodes_count_in_a_cluster_each_series_on_one_slot() {
    let mut cluster = OwnCluster::start(3);
    let urls = cluster.urls();
    let open =
        |nodes: &[String]| RedisStore::open_cluster(nodes, RedisOptions::new("cluster")).unwrap();
    let clock = ManualClock::new(Timestamp(monday().0 + 3600));
    // Node A knows every master; node B one of them, and finds the others.
    let a = node(open(&urls), &clock);
    let b = node(open(&urls[1..2]), &clock);
    // Week 11: A sees users 0..6000, B 4000..10000, and each records `view_n` n + 1 times;
    // week 12: A 8000..10000, B 10000..12000.
    (0..6_000).for_each(|u| issue(&a, u));
    (4_000..10_000).for_each(|u| issue(&b, u));
    for (n, view) in views().iter().enumerate() {
        for _ in 0..=n {
            a.record(view, &Event::default());
            b.record(view, &Event::default());
        }
    }
    a.flush().unwrap();
    b.flush().unwrap();
    clock.advance(WEEK);
    (8_000..10_000).for_each(|u| issue(&a, u));
    (10_000..12_000).for_each(|u| issue(&b, u));
    a.flush().unwrap();
    b.flush().unwrap();

    // Every key of a series is on one master, in the slot of its hash tag (the series),
    // and the series are spread over every master. No temporary key is left.
    let slot = |con: &mut redis::Connection, key: &str| -> i64 {
        redis::cmd("CLUSTER")
            .arg("KEYSLOT")
            .arg(key)
            .query(con)
            .unwrap()
    };
    let mut placed: BTreeMap<String, BTreeSet<(usize, i64)>> = BTreeMap::new();
    let mut keys = 0;
    for (n, url) in urls.iter().enumerate() {
        let mut con = connect(url);
        let held: Vec<String> = con.keys("*").unwrap();
        let size: usize = redis::cmd("DBSIZE").query(&mut con).unwrap();
        assert_eq!(size, held.len());
        assert!(size > 0, "master {n} holds no key");
        keys += size;
        for key in held {
            assert!(!key.ends_with(":merge"), "{key}");
            let series = key
                .strip_prefix("metricc:cluster:{")
                .and_then(|rest| rest.split_once("}:"))
                .unwrap_or_else(|| panic!("{key}"))
                .0
                .to_owned();
            let at = slot(&mut con, &key);
            assert_eq!(at, slot(&mut con, &series), "{key}");
            placed.entry(series).or_default().insert((n, at));
        }
    }
    // create_issue: 2 weeks and all time; its users, e-mails: 2 weeks; its sum: 2 weeks
    // and all time. Each view: week 11 and all time.
    assert_eq!(keys, 3 + 2 + 2 + 3 + 2 * VIEWS);
    assert_eq!(placed.len(), 4 + VIEWS, "{placed:?}");
    for (series, at) in &placed {
        assert_eq!(at.len(), 1, "{series} is on {at:?}");
    }

    // Exact totals, and the union of the users rather than their sum.
    let store = open(&urls[2..]);
    let w11 = Bucket::Week(monday().week());
    for (n, view) in views().iter().enumerate() {
        let total = Some(Aggregate::Count(2 * (n as u64 + 1)));
        assert_eq!(store.read(view.action, Bucket::All).unwrap(), total);
        assert_eq!(store.read(view.action, w11).unwrap(), total);
    }
    let Some(Aggregate::Distinct(hll)) = store.read(AUTHORS.series, w11).unwrap() else {
        panic!("no sketch for week 11");
    };
    assert_eq!(hll.registers(), sketch(0..10_000).registers());
    let client = redis::cluster::ClusterClient::new(urls.clone()).unwrap();
    let mut con = client.get_connection().unwrap();
    let pfcount: u64 = redis::cmd("PFCOUNT")
        .arg(store.key(AUTHORS.series, w11))
        .query(&mut con)
        .unwrap();
    assert_eq!(hll.count(), pfcount);
    let many: Vec<(&str, Bucket)> = views().iter().map(|v| (v.action, Bucket::All)).collect();
    let totals = store.read_many(&many).unwrap();
    assert_eq!(
        totals,
        (1..=VIEWS as u64)
            .map(|n| Some(Aggregate::Count(2 * n)))
            .collect::<Vec<_>>()
    );

    // A third node's ping, in week 13: week 12 is the last complete week.
    clock.advance(WEEK);
    let third = node(open(&urls), &clock);
    let mut options = PingOptions::new("test", "1.0");
    options.deadline = Duration::from_secs(30);
    options.metric_timeout = options.deadline;
    let ping = assemble(
        metrics(),
        &third,
        Arc::new(|_, _| Err("no instrumentation here".into())),
        &options,
    );
    assert!(ping.failed.is_empty(), "{:?}", ping.failed);
    assert_eq!(number(&ping, "issues_weekly"), 4_000.0);
    assert_eq!(number(&ping, "issues_monthly"), 16_000.0);
    assert_eq!(number(&ping, "issues"), 16_000.0);
    assert_eq!(number(&ping, "by_email_monthly"), 3_200.0);
    assert_eq!(number(&ping, "weight"), 24_000.0);
    assert_eq!(
        number(&ping, "authors_weekly"),
        sketch(8_000..12_000).count() as f64
    );
    assert_eq!(
        number(&ping, "authors_monthly"),
        sketch(0..12_000).count() as f64
    );

    // A command Redis refuses (a key holding text) loses that change alone: the batch is
    // taken, the series' other changes and the other series are kept.
    let _: () = con.set(store.key("text", Bucket::All), "text").unwrap();
    let batch = Batch {
        changes: vec![
            ("text".into(), w11, Aggregate::Count(1)),
            ("text".into(), Bucket::All, Aggregate::Count(1)),
            (views()[0].action.into(), Bucket::All, Aggregate::Count(1)),
        ],
    };
    store.apply(&batch).unwrap();
    assert_eq!(store.read("text", w11).unwrap(), Some(Aggregate::Count(1)));
    assert!(store.read("text", Bucket::All).is_err(), "text is no count");
    assert_eq!(
        store.read(views()[0].action, Bucket::All).unwrap(),
        Some(Aggregate::Count(3))
    );

    // A master that hangs costs a time-out, then a rest.
    let mut options = RedisOptions::new("cluster");
    options.connect_timeout = Duration::from_millis(300);
    options.io_timeout = Duration::from_millis(300);
    options.reconnect_delay = Duration::from_secs(60);
    let resting = |store: &RedisStore| {
        let error = store.read(views()[0].action, Bucket::All).unwrap_err();
        assert!(error.to_string().contains("next attempt in"), "{error}");
    };
    let hanging = RedisStore::open_cluster(&urls, options.clone()).unwrap();
    hanging.check().unwrap();
    let signal = |sig: &str| {
        let status = std::process::Command::new("kill")
            .args([sig, &cluster.pid(1).to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    };
    signal("-STOP");
    let started = Instant::now();
    let hung = hanging.read_many(&many);
    let elapsed = started.elapsed();
    resting(&hanging);
    let rest = started.elapsed() - elapsed;
    signal("-CONT");
    let hung = hung.unwrap_err().to_string();
    assert!(hung.contains("the request failed"), "{hung}");
    assert!(elapsed < Duration::from_secs(1), "{elapsed:?}");
    assert!(rest < Duration::from_millis(100), "{rest:?}");

    // A master goes away: a batch that reaches it fails at once, and the store rests.
    let store = RedisStore::open_cluster(&urls, options).unwrap();
    store.check().unwrap();
    cluster.kill(2);
    let batch = Batch {
        changes: views()
            .iter()
            .map(|v| (v.action.to_owned(), Bucket::All, Aggregate::Count(1)))
            .collect(),
    };
    let started = Instant::now();
    let failed = store.apply(&batch).unwrap_err();
    assert!(matches!(failed, StoreError::Unavailable(_)), "{failed}");
    resting(&store);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}
