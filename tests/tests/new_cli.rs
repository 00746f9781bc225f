//! `metricc new metric` / `metricc new event`: driven by flags, and through a terminal
//! session (a pseudo-terminal, as a person would); every file written passes `check`.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod common;

use std::process::Command;

use common::*;

fn base_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(
        &workspace().join("compiler/tests/fixtures/base"),
        dir.path(),
    );
    dir
}

/// `check` finds no errors (the placeholder URL is a warning until the merge request exists).
fn assert_checks(root: &std::path::Path) {
    let output = run(root, &["check", "--format", "json"]);
    let report = json(&output);
    assert_eq!(status(&output), 0, "{report:#}");
    for d in report["diagnostics"].as_array().unwrap() {
        assert_eq!(d["code"], "MC207", "{d}");
    }
}

#[test]
fn flags_create_an_event_and_a_metric_in_the_right_place() {
    let dir = base_project();
    let root = dir.path();
    let output = run(
        root,
        &[
            "new",
            "event",
            "--action",
            "merge_branch",
            "--group",
            "source_code",
            "--no-input",
        ],
    );
    assert_eq!(status(&output), 0, "{}", stderr(&output));
    assert_eq!(
        stdout(&output).trim(),
        "definitions/events/merge_branch.yml"
    );
    let output = run(
        root,
        &[
            "new",
            "metric",
            "--events",
            "merge_branch",
            "--role",
            "gmau",
            "--group",
            "code_review",
            "--introduced-by-url",
            "https://example.com/forge/-/merge_requests/7",
            "--no-input",
        ],
    );
    assert_eq!(status(&output), 0, "{}", stderr(&output));
    let path = stdout(&output).trim().to_owned();
    assert!(
        path.starts_with("definitions/metrics/counts_28d/")
            && path.ends_with("_count_distinct_user_id_from_merge_branch.yml"),
        "{path}"
    );
    let text = std::fs::read_to_string(root.join(&path)).unwrap();
    assert!(text.contains("time_frame: 28d\n"), "{text}");
    assert!(
        text.contains("- name: merge_branch\n  unique: user.id\n"),
        "{text}"
    );
    // A total over several time frames goes to counts_all.
    let output = run(
        root,
        &[
            "new",
            "metric",
            "--events",
            "push_to_repository",
            "--unique",
            "none",
            "--no-input",
        ],
    );
    let path = stdout(&output).trim().to_owned();
    assert!(
        path.starts_with("definitions/metrics/counts_all/"),
        "{path}"
    );
    assert!(
        path.ends_with("_count_total_push_to_repository.yml"),
        "{path}"
    );
    assert_checks(root);

    // Mistakes are refused before anything is written.
    let output = run(
        root,
        &["new", "metric", "--events", "no_such_event", "--no-input"],
    );
    assert_eq!(status(&output), 2);
    assert!(
        stderr(&output).contains("no event `no_such_event`"),
        "{}",
        stderr(&output)
    );
    let output = run(
        root,
        &[
            "new",
            "event",
            "--action",
            "merge_branch",
            "--group",
            "source_code",
            "--no-input",
        ],
    );
    assert_eq!(status(&output), 2);
    assert!(stderr(&output).contains("already exists"));
}

/// Runs `metricc` in a pseudo-terminal, answering each prompt that contains a key of
/// `answers` (in order) once the prompt line is complete; returns everything the terminal
/// showed.
fn terminal_session(root: &std::path::Path, args: &[&str], answers: &[(&str, &str)]) -> String {
    let script = r#"
import os, pty, sys, json, select
binary, args, answers = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
pid, fd = pty.fork()
if pid == 0:
    os.execv(binary, [binary] + args)
seen, pending = b"", list(answers)
while True:
    ready, _, _ = select.select([fd], [], [], 30)
    if not ready:
        sys.exit("timed out; saw: " + seen.decode(errors="replace"))
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        break
    if not chunk:
        break
    seen += chunk
    # Answer only once the whole prompt line (which ends with ": ") has arrived.
    while pending and pending[0][0].encode() in seen.split(b"\n")[-1] and seen.endswith(b": "):
        os.write(fd, (pending.pop(0)[1] + "\n").encode())
        seen += b"\n"
_, status = os.waitpid(pid, 0)
sys.stdout.write(seen.decode(errors="replace"))
sys.exit(os.waitstatus_to_exitcode(status))
"#;
    let answers: Vec<[&str; 2]> = answers.iter().map(|(q, a)| [*q, *a]).collect();
    let output = Command::new("python3")
        .args(["-c", script])
        .arg(metricc())
        .arg(serde_json::to_string(args).unwrap())
        .arg(serde_json::to_string(&answers).unwrap())
        .current_dir(root)
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{shown}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    shown
}

#[test]
fn a_terminal_session_asks_with_choices_from_the_dictionary() {
    let dir = base_project();
    let root = dir.path();
    let shown = terminal_session(
        root,
        &["new", "event"],
        &[
            ("Action", "approve_merge_request"),
            ("Description", ""),
            ("Group", "code_review"),
            ("Milestone", "17.2"),
        ],
    );
    // The groups offered are the taxonomy's, the milestone defaults to the newest.
    assert!(shown.contains(") code_review"), "{shown}");
    assert!(shown.contains("Milestone [17.0]"), "{shown}");
    assert!(
        shown.contains("definitions/events/approve_merge_request.yml"),
        "{shown}"
    );

    let shown = terminal_session(
        root,
        &["new", "metric"],
        &[
            ("Events to count", "approve_merge_request"),
            ("Count distinct", "1"),
            ("Group", ""),
            ("xMAU role", "gmau"),
            ("Time frames", ""),
            ("Milestone", ""),
        ],
    );
    // The events offered come from the dictionary; the group defaults to the event's.
    assert!(shown.contains(") push_to_repository"), "{shown}");
    assert!(shown.contains("Group [code_review]"), "{shown}");
    assert!(shown.contains("Time frames [28d]"), "{shown}");
    let written = shown
        .lines()
        .find(|l| l.contains("count_distinct_user_id_from_approve_merge_request"))
        .unwrap_or_else(|| panic!("{shown}"))
        .trim()
        .to_owned();
    let text = std::fs::read_to_string(root.join(&written)).unwrap();
    assert!(text.contains("product_group: code_review"), "{text}");
    assert!(text.contains("milestone: \"17.2\""), "{text}");
    assert_checks(root);
}
