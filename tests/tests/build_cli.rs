//! `metricc build` end to end: what it writes, that it writes it atomically and
//! deterministically, and that it writes nothing when the definitions have errors.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::time::{Duration, SystemTime};

use common::*;
use serde_json::Value;

/// Every file of a folder, by relative path, with its bytes.
fn snapshot(root: &Path) -> BTreeMap<String, Vec<u8>> {
    walk(root)
        .into_iter()
        .map(|p| {
            let bytes = fs::read(&p).unwrap();
            (
                p.strip_prefix(root).unwrap().to_string_lossy().into_owned(),
                bytes,
            )
        })
        .collect()
}

#[test]
fn build_writes_the_resolved_dictionary() {
    let project = example_project();
    let output = run(project.path(), &["build"]);
    assert_eq!(status(&output), 0, "{}{}", stdout(&output), stderr(&output));
    let out = project.path().join("generated");
    assert!(out.join(".metricc-output").is_file());
    let dictionary: Value =
        serde_json::from_slice(&fs::read(out.join("dictionary.json")).unwrap()).unwrap();

    // Every metric after time_frame expansion, with its stage and section.
    let metrics = dictionary["metrics"].as_array().unwrap();
    let check = json(&run(project.path(), &["check", "--format", "json"]));
    assert_eq!(
        metrics.len() as u64,
        check["summary"]["metrics"].as_u64().unwrap()
    );
    let keys: Vec<&str> = metrics
        .iter()
        .map(|m| m["key_path"].as_str().unwrap())
        .collect();
    let mut sorted = keys.clone();
    sorted.sort_unstable();
    assert_eq!(keys, sorted, "metrics are sorted by key path");
    for m in metrics {
        assert!(
            m["product_stage"].is_string() && m["product_section"].is_string(),
            "{m}"
        );
    }
    let listed: Vec<&Value> = metrics
        .iter()
        .filter(|m| m["key_path"] != m["definition_key_path"])
        .collect();
    assert!(!listed.is_empty(), "the example has time_frame lists");
    for m in listed {
        let suffix = match m["time_frame"].as_str().unwrap() {
            "7d" => "_weekly",
            "28d" => "_monthly",
            other => panic!("only 7d/28d add a suffix, not {other}"),
        };
        assert_eq!(
            m["key_path"].as_str().unwrap(),
            format!("{}{suffix}", m["definition_key_path"].as_str().unwrap())
        );
    }

    // Every event, with the metrics that count it; the taxonomy.
    let events = dictionary["events"].as_array().unwrap();
    assert_eq!(
        events.len() as u64,
        check["summary"]["events"].as_u64().unwrap()
    );
    assert!(
        events
            .iter()
            .all(|e| e["metrics"].is_array() && e["product_stage"].is_string())
    );
    assert!(
        events
            .iter()
            .any(|e| !e["metrics"].as_array().unwrap().is_empty())
    );
    let stages: usize = dictionary["taxonomy"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["stages"].as_array().unwrap().len())
        .sum();
    assert!(stages >= 8);
}

#[test]
fn a_clean_build_is_quiet_unless_a_machine_format_is_asked_for() {
    let project = example_project();
    let output = run(project.path(), &["build"]);
    assert_eq!(status(&output), 0);
    assert!(stdout(&output).is_empty(), "{}", stdout(&output));
    let output = run(project.path(), &["build", "--format", "json"]);
    assert_eq!(json(&output)["summary"]["errors"], 0);
}

#[test]
fn builds_are_byte_identical_run_to_run_and_place_to_place() {
    let a = example_project();
    let b = example_project();
    assert_eq!(status(&run(a.path(), &["build"])), 0);
    assert_eq!(
        status(&run(b.path(), &["build", "--out", "elsewhere/out"])),
        0
    );
    let first = snapshot(&a.path().join("generated"));
    assert_eq!(first, snapshot(&b.path().join("elsewhere/out")));
    assert_eq!(status(&run(a.path(), &["build"])), 0);
    assert_eq!(first, snapshot(&a.path().join("generated")));
}

#[test]
fn unchanged_outputs_keep_their_modification_time() {
    let project = example_project();
    assert_eq!(status(&run(project.path(), &["build"])), 0);
    let dictionary = project.path().join("generated/dictionary.json");
    let old = SystemTime::now() - Duration::from_secs(3600);
    fs::File::options()
        .write(true)
        .open(&dictionary)
        .unwrap()
        .set_modified(old)
        .unwrap();
    let output = run(project.path(), &["build"]);
    assert_eq!(status(&output), 0);
    assert!(stderr(&output).contains("0 written"), "{}", stderr(&output));
    assert_eq!(fs::metadata(&dictionary).unwrap().modified().unwrap(), old);
}

#[test]
fn errors_write_nothing_and_leave_the_previous_output_intact() {
    let project = example_project();
    let out = project.path().join("generated");

    // No output at all when the first build has errors.
    let bad = project
        .path()
        .join("definitions/metrics/counts_all/20990101000000_bad.yml");
    fs::write(&bad, "key_path: counts.bad\n").unwrap();
    let output = run(project.path(), &["build"]);
    assert_eq!(status(&output), 1);
    assert!(
        stderr(&output).contains("nothing written"),
        "{}",
        stderr(&output)
    );
    assert!(!out.exists());

    // A good build, then a broken one: the good output stays exactly as it was.
    fs::remove_file(&bad).unwrap();
    assert_eq!(status(&run(project.path(), &["build"])), 0);
    let before = snapshot(&out);
    fs::write(&bad, "key_path: counts.bad\n").unwrap();
    assert_eq!(status(&run(project.path(), &["build"])), 1);
    assert_eq!(snapshot(&out), before);
    let leftovers: Vec<_> = fs::read_dir(project.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("metricc-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn stale_files_are_removed_and_check_mode_reports_staleness() {
    let project = example_project();
    assert_eq!(status(&run(project.path(), &["build"])), 0);
    let out = project.path().join("generated");
    fs::write(out.join("stale.txt"), "from an older build").unwrap();
    let output = run(project.path(), &["build", "--check"]);
    assert_eq!(status(&output), 1);
    assert!(
        stderr(&output).contains("not generated any more"),
        "{}",
        stderr(&output)
    );

    assert_eq!(status(&run(project.path(), &["build"])), 0);
    assert!(!out.join("stale.txt").exists());
    let output = run(project.path(), &["build", "--check"]);
    assert_eq!(status(&output), 0, "{}", stderr(&output));

    // An edited definition makes the output stale.
    let description = project
        .path()
        .join("definitions/events/approve_merge_request.yml");
    let text = fs::read_to_string(&description).unwrap();
    fs::write(
        &description,
        text.replacen("description: ", "description: Edited. ", 1),
    )
    .unwrap();
    assert_eq!(status(&run(project.path(), &["build", "--check"])), 1);
}

#[test]
fn build_refuses_to_replace_a_folder_it_did_not_write() {
    let project = example_project();
    let precious = project.path().join("src");
    fs::create_dir_all(&precious).unwrap();
    fs::write(precious.join("main.rs"), "fn main() {}").unwrap();
    let output = run(project.path(), &["build", "--out", "src"]);
    assert_eq!(status(&output), 2);
    assert!(
        stderr(&output).contains("not written by metricc"),
        "{}",
        stderr(&output)
    );
    assert!(precious.join("main.rs").is_file());
}

#[test]
fn only_builds_the_named_outputs_and_names_unknown_ones() {
    let project = example_project();
    let output = run(project.path(), &["build", "--only", "dictionary"]);
    assert_eq!(status(&output), 0, "{}", stderr(&output));
    assert!(project.path().join("generated/dictionary.json").is_file());

    let output = run(project.path(), &["build", "--only", "dictionry"]);
    assert_eq!(status(&output), 2);
    assert!(
        stderr(&output).contains("unknown output `dictionry` (did you mean `dictionary`?)"),
        "{}",
        stderr(&output)
    );

    let output = run(project.path(), &["build", "--templates", "no-such-folder"]);
    assert_eq!(status(&output), 2);
    assert!(
        stderr(&output).contains("no-such-folder"),
        "{}",
        stderr(&output)
    );
}
