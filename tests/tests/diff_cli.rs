//! `metricc diff --base REV` on real git repositories made in the test: each case commits
//! the base project, changes the working tree, and reads the report.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod common;

use std::fs;
use std::path::Path;
use std::process::Command;

use common::*;
use serde_json::Value;

const PUSHERS: &str = "definitions/metrics/counts_28d/20240101000000_users_pushing_monthly.yml";
const VIEWS: &str = "definitions/metrics/counts_all/20240101000002_merge_request_views.yml";

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args(["-c", "user.email=t@example.com", "-c", "user.name=t"])
        .args(args)
        .current_dir(dir)
        .status()
        .unwrap();
    assert!(status.success(), "git {args:?}");
}

/// A repository whose first commit holds the rule fixtures' base project under `sub`.
fn repository(sub: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join(sub);
    copy_tree(&workspace().join("compiler/tests/fixtures/base"), &root);
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-qm", "base"]);
    (dir, root)
}

fn edit(root: &Path, file: &str, from: &str, to: &str) {
    let path = root.join(file);
    let text = fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{file} has no {from:?}");
    fs::write(path, text.replacen(from, to, 1)).unwrap();
}

fn diff(root: &Path, base: &str) -> (i32, Value) {
    let output = run(root, &["diff", "--base", base, "--format", "json"]);
    (status(&output), json(&output))
}

fn kinds(report: &Value) -> Vec<(String, String)> {
    report["breaking"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["kind"].as_str().unwrap().to_owned(),
                c["key_path"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn an_unchanged_tree_has_no_changes() {
    let (_dir, root) = repository(".");
    let (code, report) = diff(&root, "HEAD");
    assert_eq!(code, 0, "{report}");
    for key in ["added", "removed", "status_changes", "breaking"] {
        assert!(report[key].as_array().unwrap().is_empty(), "{report}");
    }
}

#[test]
fn renaming_a_key_path_and_changing_a_value_type_break_active_metrics() {
    // The project sits in a subfolder of the repository.
    let (dir, root) = repository("telemetry");
    edit(
        &root,
        PUSHERS,
        "key_path: counts.users_pushing_monthly",
        "key_path: counts.pushing_users_monthly",
    );
    edit(&root, VIEWS, "value_type: number", "value_type: string");
    git(dir.path(), &["commit", "-qam", "change"]);
    // Committed: HEAD~1 is the base, the working tree is HEAD.
    let (code, report) = diff(&root, "HEAD~1");
    assert_eq!(code, 1, "{report}");
    assert_eq!(
        kinds(&report),
        [
            ("value_type".into(), "counts.merge_request_views".into()),
            ("key_path".into(), "counts.users_pushing_monthly".into()),
        ],
        "{report}"
    );
    assert_eq!(
        report["breaking"][1]["after"],
        "counts.pushing_users_monthly"
    );

    // Markdown for a merge request comment, human for a log.
    let output = run(&root, &["diff", "--base", "HEAD~1", "--format", "markdown"]);
    let text = stdout(&output);
    assert!(text.starts_with("### Metric dictionary changes"), "{text}");
    assert!(
        text.contains(
            "| `counts.merge_request_views` | value type changed | `number` | `string` |"
        ),
        "{text}"
    );
    let output = run(&root, &["diff", "--base", "HEAD~1"]);
    assert!(stdout(&output).contains("key path renamed"));
    assert_eq!(status(&output), 1);
}

#[test]
fn counting_and_time_frame_changes_break_active_metrics() {
    let (_dir, root) = repository(".");
    edit(&root, PUSHERS, "unique: user.id", "unique: project.id");
    edit(
        &root,
        VIEWS,
        "time_frame: [7d, 28d, all]",
        "time_frame: [7d, 28d]",
    );
    let (code, report) = diff(&root, "HEAD");
    assert_eq!(code, 1);
    let kinds = kinds(&report);
    assert!(
        kinds.contains(&("counting".into(), "counts.users_pushing_monthly".into())),
        "{report}"
    );
    assert!(
        kinds.contains(&("time_frame".into(), "counts.merge_request_views".into())),
        "{report}"
    );
}

#[test]
fn moving_an_smau_to_another_metric_is_breaking() {
    let (_dir, root) = repository(".");
    let text = fs::read_to_string(root.join(PUSHERS)).unwrap();
    // A second metric of the same stage takes the SMAU role, the old one keeps counting.
    fs::write(
        root.join("definitions/metrics/counts_28d/20240201000000_committers_monthly.yml"),
        text.replace("users_pushing_monthly", "committers_monthly"),
    )
    .unwrap();
    edit(
        &root,
        PUSHERS,
        "performance_indicator_type:\n- smau",
        "performance_indicator_type: []",
    );
    let (code, report) = diff(&root, "HEAD");
    assert_eq!(code, 1, "{report}");
    assert_eq!(
        kinds(&report),
        [("xmau_role".into(), "counts.users_pushing_monthly".into())]
    );
    assert!(
        report["breaking"][0]["after"]
            .as_str()
            .unwrap()
            .contains("counts.committers_monthly"),
        "{report}"
    );
    assert_eq!(report["added"][0]["key_path"], "counts.committers_monthly");
}

#[test]
fn removing_a_metric_the_documented_way_is_not_breaking() {
    let (_dir, root) = repository(".");
    let text = fs::read_to_string(root.join(PUSHERS)).unwrap();
    fs::write(
        root.join("definitions/metrics/counts_28d/20240201000000_committers_monthly.yml"),
        text.replace("users_pushing_monthly", "committers_monthly"),
    )
    .unwrap();
    edit(
        &root,
        PUSHERS,
        "status: active",
        "status: removed\nmilestone_removed: '17.6'\nremoved_by_url: https://example.com/forge/-/merge_requests/99",
    );
    let (code, report) = diff(&root, "HEAD");
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["status_changes"][0]["after"], "removed");
    assert_eq!(report["added"][0]["key_path"], "counts.committers_monthly");
    assert!(report["breaking"].as_array().unwrap().is_empty());
}

#[test]
fn deleting_an_active_metric_or_removing_it_without_a_milestone_is_breaking() {
    let (_dir, root) = repository(".");
    fs::remove_file(root.join(VIEWS)).unwrap();
    edit(&root, PUSHERS, "status: active", "status: removed");
    let (code, report) = diff(&root, "HEAD");
    assert_eq!(code, 1);
    assert_eq!(
        kinds(&report),
        [
            ("removed".into(), "counts.merge_request_views".into()),
            ("status".into(), "counts.users_pushing_monthly".into()),
        ],
        "{report}"
    );
    assert_eq!(
        report["removed"][0]["key_path"],
        "counts.merge_request_views"
    );
}

#[test]
fn an_unknown_revision_is_a_setup_error() {
    let (_dir, root) = repository(".");
    let output = run(&root, &["diff", "--base", "no-such-branch"]);
    assert_eq!(status(&output), 2);
    assert!(
        stderr(&output).contains("no-such-branch"),
        "{}",
        stderr(&output)
    );
}
