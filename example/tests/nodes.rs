//! The example on two nodes: both record into one Redis, the database is in PostgreSQL, and
//! the one ping the first node assembles counts every node's events exactly as one node
//! with the embedded store counts the same simulation, with its database metrics computed
//! by SQL on PostgreSQL.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

#[allow(dead_code)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/metricc/rust/metrics.rs"));
}

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use generated::metrics;
use metricc_runtime::ValueSource;
use metricc_runtime::sql::postgres::{self, NoTls};
use serde_json::Value;

/// `scripts/services ARGS`: starts the servers the test needs (installing them if missing).
fn services(args: &[&str]) -> String {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/services");
    let output = Command::new(script).args(args).output().unwrap();
    assert!(
        output.status.success(),
        "scripts/services {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The variables `scripts/services env SERVICE` exports.
fn environment(service: &str) -> BTreeMap<String, String> {
    services(&["start", service]);
    services(&["env", service])
        .lines()
        .filter_map(|l| l.strip_prefix("export ")?.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

/// Runs the example with a small simulation and `extra` flags; returns the ping and what
/// the example printed on standard error.
fn run_example(name: &str, extra: &[&str]) -> (Value, String) {
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("example-{name}.json"));
    let output = Command::new(env!("CARGO_BIN_EXE_metricc-example"))
        .args(["--users", "150", "--weeks", "5", "--seed", "11", "--out"])
        .arg(&out)
        .args(extra)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "the example failed:\n{stderr}");
    assert!(
        stderr.contains("(0 dropped)"),
        "events were dropped:\n{stderr}"
    );
    let ping = serde_json::from_str(&std::fs::read_to_string(out).unwrap()).unwrap();
    (ping, stderr.into_owned())
}

fn at<'v>(ping: &'v Value, key_path: &str) -> &'v Value {
    key_path.split('.').fold(ping, |v, key| &v[key])
}

#[test]
fn two_nodes_on_redis_and_postgres_give_one_ping() {
    let redis = environment("redis");
    let pg = environment("postgres");
    let conninfo = |db: &str| {
        format!(
            "host={} port={} user={} password={} dbname={db}",
            pg["PGHOST"], pg["PGPORT"], pg["PGUSER"], pg["PGPASSWORD"]
        )
    };
    let mut admin = postgres::Client::connect(&conninfo(&pg["PGDATABASE"]), NoTls).unwrap();
    admin
        .batch_execute("DROP DATABASE IF EXISTS metricc_example_nodes WITH (FORCE)")
        .unwrap();
    admin
        .batch_execute("CREATE DATABASE metricc_example_nodes")
        .unwrap();
    let namespace = format!("example-nodes-{}", std::process::id());

    let (one_node, _) = run_example("one-node", &[]);
    let (two_nodes, stderr) = run_example(
        "two-nodes",
        &[
            "--nodes",
            "2",
            "--redis",
            &redis["REDIS_URL"],
            "--namespace",
            &namespace,
            "--postgres",
            &conninfo("metricc_example_nodes"),
        ],
    );

    // Both nodes recorded (the users are shared between them).
    let per_node: Vec<u64> = stderr
        .lines()
        .find_map(|l| l.trim().strip_prefix("events recorded per node: "))
        .unwrap_or_else(|| panic!("no events per node in:\n{stderr}"))
        .split(", ")
        .map(|n| n.parse().unwrap())
        .collect();
    assert_eq!(per_node.len(), 2);
    assert!(per_node.iter().all(|n| *n > 1_000), "{per_node:?}");

    // Event metrics: what both nodes recorded into Redis adds up to the one node's counts,
    // exactly (totals add; unique counts are unions of sketches with the same registers).
    let mut events = 0;
    for metric in metrics::metrics() {
        if matches!(metric.source, ValueSource::Events(_)) {
            events += 1;
            assert_eq!(
                at(&two_nodes, metric.key_path),
                at(&one_node, metric.key_path),
                "{}",
                metric.key_path
            );
        }
    }
    assert!(events > 100, "{events} event metrics");
    assert!(
        at(&two_nodes, "usage_events.plan.issues_created")
            .as_u64()
            .unwrap()
            > 0
    );

    // Database metrics ran as SQL on PostgreSQL, over the rows the simulation wrote there.
    let failed = &two_nodes["metadata"]["failed_metrics"];
    assert_eq!(
        failed.as_array().unwrap().len(),
        1,
        "only instance.topology fails on purpose: {failed}"
    );
    let mut db = postgres::Client::connect(&conninfo("metricc_example_nodes"), NoTls).unwrap();
    let mut count = |sql: &str| -> i64 { db.query_one(sql, &[]).unwrap().get(0) };
    let issues = count("SELECT COUNT(*) FROM issues WHERE issue_type = 'issue'");
    assert!(issues > 0);
    assert_eq!(at(&two_nodes, "totals.issues").as_i64(), Some(issues));
    let users = count("SELECT COUNT(*) FROM users");
    assert_eq!(users, 150);
    assert_eq!(
        at(&two_nodes, "totals.active_human_users").as_i64(),
        Some(users)
    );
}

#[test]
fn nodes_need_a_shared_store() {
    for (args, message) in [
        (&["--nodes", "2"][..], "--nodes needs --redis"),
        (
            &["--store", "x.redb", "--redis", "redis://127.0.0.1:1/"][..],
            "give one",
        ),
        (&["--nodes", "0"][..], "--nodes takes 1 to 64"),
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_metricc-example"))
            .args(args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(message), "{args:?}: {stderr}");
    }
}
