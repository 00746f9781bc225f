//! `metricc validate-payload`, run as a collector runs it: exit 0 for a valid ping, 1 with
//! located problems, 2 when the ping cannot be read, is not JSON, is too large or too deep,
//! or the definitions have errors. (`schemas.rs` checks that it agrees with the schema on
//! every kind of mistake.)

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod common;
mod sample_ping;

use std::path::Path;
use std::sync::OnceLock;

use common::*;
use sample_ping::*;
use serde_json::{Value, json};

/// The example project and its dictionary (built once).
fn project() -> &'static (tempfile::TempDir, Value) {
    static PROJECT: OnceLock<(tempfile::TempDir, Value)> = OnceLock::new();
    PROJECT.get_or_init(|| {
        let root = example_project();
        let output = run(root.path(), &["build", "--only", "dictionary"]);
        assert_eq!(status(&output), 0, "{}", stderr(&output));
        let dictionary = serde_json::from_slice(
            &std::fs::read(root.path().join("generated/dictionary.json")).unwrap(),
        )
        .unwrap();
        (root, dictionary)
    })
}

/// Writes `contents` as `name` in the project and runs `validate-payload` on it.
fn validate(name: &str, contents: &[u8], format: &str) -> std::process::Output {
    let root = project().0.path();
    std::fs::write(root.join(name), contents).unwrap();
    run(root, &["validate-payload", name, "--format", format])
}

#[test]
fn a_valid_ping_exits_0() {
    let ping = sample_ping(&project().1);
    let output = validate("valid.json", &serde_json::to_vec(&ping).unwrap(), "human");
    assert_eq!(status(&output), 0, "{}{}", stdout(&output), stderr(&output));
    assert!(
        stdout(&output).starts_with("valid.json: valid ("),
        "{}",
        stdout(&output)
    );
    let output = validate("valid.json", &serde_json::to_vec(&ping).unwrap(), "json");
    assert_eq!(status(&output), 0);
    let report = json(&output);
    assert_eq!(report["valid"], true);
    assert_eq!(report["summary"]["problems"], 0);
    assert_eq!(
        report["summary"]["values"].as_u64().unwrap() as usize,
        sent_metrics(&project().1).len()
    );
}

/// A ping with one mistake of each common kind.
fn faulty_ping() -> Value {
    let mut ping = sample_ping(&project().1);
    set(&mut ping, "counters.internal_events_dropped", json!("12"));
    set(
        &mut ping,
        "usage_events.verify.hosted_runner_minute",
        json!(3),
    );
    remove(&mut ping, "license.plan");
    set(&mut ping, "totals.applied_suggestions", json!(4));
    set(
        &mut ping,
        "settings.git_version",
        json!({"major": 2, "minor": "x"}),
    );
    ping["metadata"]["recorded_at"] = json!("last tuesday");
    ping
}

#[test]
fn problems_exit_1_each_with_its_path_and_definition() {
    let text = serde_json::to_vec_pretty(&faulty_ping()).unwrap();
    let output = validate("faulty.json", &text, "json");
    assert_eq!(status(&output), 1, "{}", stderr(&output));
    let report = json(&output);
    assert_eq!(report["valid"], false);
    let found: Vec<(String, String)> = report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["path"].as_str().unwrap().to_owned(),
                p["kind"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            ("$.counters.internal_events_dropped", "wrong-type"),
            ("$.license.plan", "missing"),
            ("$.metadata.recorded_at", "invalid-value"),
            ("$.settings.git_version.minor", "invalid-value"),
            ("$.totals.applied_suggestions", "removed-metric"),
            ("$.usage_events.verify.hosted_runner_minute", "unknown-key"),
        ]
        .map(|(p, k)| (p.to_owned(), k.to_owned()))
    );
    for problem in report["problems"].as_array().unwrap() {
        if problem["path"] == "$.metadata.recorded_at" {
            continue;
        }
        let definition = &problem["definition"];
        let file = definition["file"]
            .as_str()
            .unwrap_or_else(|| panic!("{problem:#}"));
        let line = definition["line"].as_u64().unwrap() as usize;
        let text = std::fs::read_to_string(project().0.path().join(file)).unwrap();
        assert!(
            text.lines().nth(line - 1).unwrap().starts_with("key_path:"),
            "{file}:{line}"
        );
    }

    let output = validate("faulty.json", &text, "human");
    assert_eq!(status(&output), 1);
    insta::assert_snapshot!("validate_payload_human", stdout(&output));
}

#[test]
fn a_ping_that_cannot_be_read_exits_2_with_a_clear_error() {
    let root = project().0.path();
    let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
    let mut huge = b"{\"metadata\": \"".to_vec();
    huge.resize(33 * 1024 * 1024, b'x');
    for (name, contents, expected) in [
        (
            "broken.json",
            &b"{\"counts\": "[..],
            "broken.json is not JSON: EOF while parsing",
        ),
        ("empty.json", &b""[..], "empty.json is not JSON"),
        (
            "binary.json",
            &[0xff, 0xfe, 0x00][..],
            "binary.json is not JSON",
        ),
        (
            "deep.json",
            deep.as_bytes(),
            "deep.json is nested more than 128 levels deep",
        ),
        ("huge.json", &huge[..], "huge.json is larger than 32 MiB"),
    ] {
        let output = validate(name, contents, "human");
        assert_eq!(status(&output), 2, "{name}: {}", stderr(&output));
        assert!(
            stderr(&output).contains(expected),
            "{name}: {}",
            stderr(&output)
        );
        assert!(stdout(&output).is_empty());
    }
    let output = run(root, &["validate-payload", "nowhere.json"]);
    assert_eq!(status(&output), 2);
    assert!(
        stderr(&output).contains("cannot read nowhere.json"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn definitions_with_errors_exit_2() {
    let broken = example_project();
    std::fs::write(
        broken
            .path()
            .join("definitions/metrics/counts_all/broken.yml"),
        "key_path: [",
    )
    .unwrap();
    let ping = serde_json::to_vec(&sample_ping(&project().1)).unwrap();
    std::fs::write(broken.path().join("ping.json"), ping).unwrap();
    let output = run(broken.path(), &["validate-payload", "ping.json"]);
    assert_eq!(status(&output), 2);
    assert!(
        stderr(&output).contains("the definitions have errors (1 error in"),
        "{}",
        stderr(&output)
    );
    assert!(stderr(&output).contains("run `metricc check`"));
    let output = run(
        Path::new("/"),
        &["validate-payload", "ping.json", "/no/such/project"],
    );
    assert_eq!(status(&output), 2);
}
