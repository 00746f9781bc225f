//! The example application end to end: it runs, its Service Ping is the same for the same
//! seed (but for the measured durations), and the ping passes `metricc validate-payload`
//! (the same check, through the library) and the generated payload schema,
//! `schemas/service_ping.schema.json`.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// The workspace, whose `definitions/` the example is generated from.
fn project() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A scratch folder of this test.
fn scratch() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("example-ping");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs the example with a small simulation and returns the ping's text.
fn run_example(out: &Path) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_metricc-example"))
        .args(["--users", "150", "--weeks", "5", "--seed", "7", "--out"])
        .arg(out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "the example failed:\n{stderr}");
    assert!(
        stderr.contains("0 dropped"),
        "events were dropped:\n{stderr}"
    );
    std::fs::read_to_string(out).unwrap()
}

fn number(ping: &Value, key_path: &str) -> f64 {
    key_path
        .split('.')
        .fold(ping, |v, key| &v[key])
        .as_f64()
        .unwrap_or_else(|| panic!("{key_path} is not a number in the ping"))
}

/// The ping without the measured durations of failed metrics, the one part that is not
/// reproducible.
fn without_durations(mut ping: Value) -> Value {
    if let Some(failed) = ping["metadata"]["failed_metrics"].as_array_mut() {
        for failure in failed {
            failure.as_object_mut().unwrap().remove("duration_ms");
        }
    }
    ping
}

#[test]
fn the_example_ping_is_reproducible_and_valid() {
    let dir = scratch();
    let first = run_example(&dir.join("ping-1.json"));
    let second = run_example(&dir.join("ping-2.json"));
    let ping: Value = serde_json::from_str(&first).unwrap();
    assert_eq!(
        without_durations(ping.clone()),
        without_durations(serde_json::from_str(&second).unwrap()),
        "the same seed gave two different pings"
    );

    // Recorded events, SQL on the simulated database and the application's own values.
    let users = number(&ping, "active_users.plan.project_planning_users_monthly");
    assert!(
        users > 0.0 && users <= 150.0,
        "{users} planning users of 150"
    );
    assert!(number(&ping, "usage_events.plan.issues_created") > 0.0);
    assert!(number(&ping, "totals.ci_jobs") > 0.0);
    // The one metric the example fails on purpose (it has no Prometheus server).
    let failed = ping["metadata"]["failed_metrics"].as_array().unwrap();
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(failed[0]["key_path"], "instance.topology");

    // `metricc validate-payload`.
    let config = metricc::Config::load(&project(), None, None).unwrap();
    let report = metricc::payload::validate_file(&config, &dir.join("ping-1.json")).unwrap();
    assert!(
        report.is_valid(),
        "{}",
        metricc::payload::render_human(&report, "ping-1.json")
    );
    assert_eq!(report.values, report.metrics, "metrics are missing");

    // The generated payload schema.
    let generated = dir.join("generated");
    metricc::build::Config::new()
        .definitions(project())
        .out_dir(&generated)
        .output("schemas")
        .cargo_metadata(false)
        .compile()
        .unwrap();
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(generated.join("schemas/service_ping.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&ping)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}
