//! `metricc check` end to end: the real binary on real definition trees, every output
//! format, exit statuses and configuration.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod common;

use std::fs;

use common::*;
use serde_json::Value;

#[test]
fn the_example_dictionary_checks_clean() {
    let output = run(&workspace(), &["check", "--deny-warnings"]);
    assert_eq!(status(&output), 0, "{}", stdout(&output));
    assert!(
        stdout(&output).starts_with("no problems found"),
        "{}",
        stdout(&output)
    );

    let report = json(&run(&workspace(), &["check", "--format", "json"]));
    assert_eq!(report["diagnostics"], Value::Array(vec![]));
    let summary = &report["summary"];
    assert_eq!(summary["errors"], 0);
    assert_eq!(summary["warnings"], 0);
    assert!(summary["metrics"].as_u64().unwrap() >= 120, "{summary}");
    assert!(summary["events"].as_u64().unwrap() >= 50, "{summary}");
}

/// The example project with a few problems of different kinds, in two files.
fn broken_project() -> tempfile::TempDir {
    let dir = example_project();
    let metrics = dir.path().join("definitions/metrics");
    fs::write(
        metrics.join("counts_28d/20990101000000_broken_monthly.yml"),
        "---\nkey_path: counts.broken_monthly\ndescription: Unique users — café edition\n\
         product_group: code_reveiw\nproduct_categories: [code_review_workflow]\nvalue_type: number\n\
         status: active\ntime_frame: 28d\ndata_source: database\ndata_category: optional\n\
         tiers: [free]\nmilestone: 17.10\nintroduced_by_url: TODO\n\
         sql: SELECT COUNT(*) FROM issues WHERE created_at > :window_start\n",
    )
    .unwrap();
    fs::write(
        metrics.join("counts_all/20990101000001_broken.yml"),
        "key_path: [unclosed\n",
    )
    .unwrap();
    dir
}

#[test]
fn problems_are_reported_all_at_once_with_exact_positions() {
    let project = broken_project();
    let output = run(project.path(), &["check", "--format", "json"]);
    assert_eq!(status(&output), 1);
    let report = json(&output);
    let found: Vec<(String, String, u64, u64)> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_owned(),
                d["file"].as_str().unwrap().to_owned(),
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
            )
        })
        .collect();
    let monthly = "definitions/metrics/counts_28d/20990101000000_broken_monthly.yml";
    let expected = [
        (
            "MC001",
            "definitions/metrics/counts_all/20990101000001_broken.yml",
            2,
            1,
        ),
        ("MC403", monthly, 4, 16),
        ("MC106", monthly, 12, 12),
        ("MC207", monthly, 13, 20),
        ("MC306", monthly, 14, 6),
    ];
    for (code, file, line, column) in expected {
        assert!(
            found.contains(&(code.to_owned(), file.to_owned(), line, column)),
            "{code} at {file}:{line}:{column} not in {found:#?}"
        );
    }
    let summary = &report["summary"];
    assert_eq!(
        summary["errors"].as_u64().unwrap() + summary["warnings"].as_u64().unwrap(),
        found.len() as u64
    );

    // Every JSON diagnostic has the documented fields, 1-based.
    for d in report["diagnostics"].as_array().unwrap() {
        for field in [
            "code",
            "severity",
            "message",
            "file",
            "line",
            "column",
            "end_line",
            "end_column",
            "help",
        ] {
            assert!(d.get(field).is_some(), "{field} missing in {d}");
        }
        assert!(d["line"].as_u64().unwrap() >= 1 && d["column"].as_u64().unwrap() >= 1);
    }
}

#[test]
fn human_reports_show_the_source_line_with_carets_and_help() {
    let project = broken_project();
    let output = run(project.path(), &["check"]);
    let text = stdout(&output);
    assert!(
        text.contains(
            "error[MC106]: `milestone` must be a string; YAML reads `17.10` as the number 17.1"
        ),
        "{text}"
    );
    assert!(
        text.contains("--> definitions/metrics/counts_28d/20990101000000_broken_monthly.yml:12:12"),
        "{text}"
    );
    assert!(
        text.contains("12 | milestone: 17.10\n   |            ^^^^^ unquoted number"),
        "{text}"
    );
    assert!(text.contains("12 + milestone: \"17.10\""), "{text}");
    assert!(text.contains("help: did you mean `code_review`?"), "{text}");
    assert!(
        text.contains("For more information about a rule, try `metricc explain"),
        "{text}"
    );
    assert!(!text.contains('\u{1b}'), "no colour when not on a terminal");
    let colored = stdout(&run(project.path(), &["check", "--color", "always"]));
    assert!(colored.contains('\u{1b}'));
}

#[test]
fn exit_status_says_errors_warnings_or_could_not_run() {
    let project = example_project();
    assert_eq!(status(&run(project.path(), &["check"])), 0);

    // A warning alone passes, unless warnings are denied.
    let events = project.path().join("definitions/events");
    let event = fs::read_to_string(events.join("approve_merge_request.yml")).unwrap();
    let with_todo = event
        .lines()
        .map(|l| {
            if l.starts_with("introduced_by_url:") {
                "introduced_by_url: TODO"
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    fs::write(events.join("approve_merge_request.yml"), with_todo).unwrap();
    assert_eq!(status(&run(project.path(), &["check"])), 0);
    assert_eq!(
        status(&run(project.path(), &["check", "--deny-warnings"])),
        1
    );
    // Denied warnings are errors in every format, so CI reports agree with the exit status.
    let denied = json(&run(
        project.path(),
        &["check", "--deny-warnings", "--format", "json"],
    ));
    assert_eq!(denied["summary"]["errors"], 1);
    assert_eq!(denied["diagnostics"][0]["severity"], "error");
    let junit = stdout(&run(
        project.path(),
        &["check", "--deny-warnings", "--format", "junit"],
    ));
    assert!(junit.contains("<failure type=\"MC207\""), "{junit}");

    // metricc could not run: no project, bad arguments, bad configuration.
    let empty = tempfile::tempdir().unwrap();
    let output = run(empty.path(), &["check"]);
    assert_eq!(status(&output), 2);
    assert!(
        stderr(&output).contains("no taxonomy at `definitions/stages.yml`"),
        "{}",
        stderr(&output)
    );
    assert_eq!(
        status(&run(project.path(), &["check", "/does/not/exist"])),
        2
    );
    assert_eq!(
        status(&run(project.path(), &["check", "--format", "xml"])),
        2
    );
    fs::write(
        project.path().join("metricc.toml"),
        "[rules]\nMC9999 = \"allow\"\n",
    )
    .unwrap();
    let output = run(project.path(), &["check"]);
    assert_eq!(status(&output), 2);
    assert!(
        stderr(&output).contains("unknown rule `MC9999`"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn rule_levels_come_from_metricc_toml() {
    let project = broken_project();
    let count = |args: &[&str]| {
        let report = json(&run(project.path(), args));
        report["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["code"] == "MC207")
            .map(|d| d["severity"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(count(&["check", "--format", "json"]), vec!["warning"]);
    fs::write(
        project.path().join("metricc.toml"),
        "[rules]\nplaceholder-url = \"deny\"\n",
    )
    .unwrap();
    assert_eq!(count(&["check", "--format", "json"]), vec!["error"]);
    fs::write(
        project.path().join("metricc.toml"),
        "[rules]\nMC207 = \"allow\"\n",
    )
    .unwrap();
    assert!(count(&["check", "--format", "json"]).is_empty());
}

#[test]
fn output_goes_to_a_file_with_a_summary_on_stderr() {
    let project = broken_project();
    let output = run(
        project.path(),
        &[
            "check",
            "--format",
            "json",
            "--output",
            "reports/check.json",
        ],
    );
    assert_eq!(status(&output), 1);
    assert!(stdout(&output).is_empty());
    assert!(stderr(&output).contains("errors"), "{}", stderr(&output));
    let report: Value =
        serde_json::from_slice(&fs::read(project.path().join("reports/check.json")).unwrap())
            .unwrap();
    assert!(!report["diagnostics"].as_array().unwrap().is_empty());
}

#[test]
fn sarif_reports_pass_the_official_sarif_validator() {
    let validator = tool("tools/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool");
    let project = broken_project();
    let output = run(
        project.path(),
        &["check", "--format", "sarif", "-o", "report.sarif"],
    );
    assert_eq!(status(&output), 1);
    let sarif: Value =
        serde_json::from_slice(&fs::read(project.path().join("report.sarif")).unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(results.iter().any(|r| r["ruleId"] == "MC106"
        && r["locations"][0]["physicalLocation"]["region"]["startLine"] == 12));

    let log = project.path().join("validation.sarif");
    let validation = std::process::Command::new(validator)
        .args([
            "validate",
            "report.sarif",
            "--level",
            "Error",
            "Warning",
            "--output",
        ])
        .arg(&log)
        .current_dir(project.path())
        .env("DOTNET_SYSTEM_GLOBALIZATION_INVARIANT", "1")
        .output()
        .unwrap();
    assert!(
        validation.status.success(),
        "{}",
        String::from_utf8_lossy(&validation.stdout)
    );
    let findings: Value = serde_json::from_slice(&fs::read(&log).unwrap()).unwrap();
    assert_eq!(
        findings["runs"][0]["results"]
            .as_array()
            .map_or(0, Vec::len),
        0,
        "the SARIF validator found problems: {:#}",
        findings["runs"][0]["results"]
    );
}

#[test]
fn gitlab_code_quality_reports_have_unique_fingerprints() {
    let project = broken_project();
    let output = run(project.path(), &["check", "--format", "gitlab"]);
    assert_eq!(status(&output), 1);
    let issues = json(&output);
    let issues = issues.as_array().unwrap();
    assert!(!issues.is_empty());
    let mut fingerprints: Vec<&str> = issues
        .iter()
        .map(|i| i["fingerprint"].as_str().unwrap())
        .collect();
    for issue in issues {
        assert!(issue["description"].as_str().is_some_and(|d| !d.is_empty()));
        assert!(issue["check_name"].as_str().unwrap().starts_with("MC"));
        assert!(matches!(
            issue["severity"].as_str(),
            Some("major" | "minor")
        ));
        assert!(
            issue["location"]["path"]
                .as_str()
                .unwrap()
                .starts_with("definitions/")
        );
        assert!(
            issue["location"]["positions"]["begin"]["line"]
                .as_u64()
                .unwrap()
                >= 1
        );
    }
    let total = fingerprints.len();
    fingerprints.sort_unstable();
    fingerprints.dedup();
    assert_eq!(fingerprints.len(), total, "fingerprints must be unique");

    // Stable across runs (and across edits that move a finding to another line:
    // `compiler/tests/reports.rs`).
    let again = json(&run(project.path(), &["check", "--format", "gitlab"]));
    assert_eq!(again.as_array().unwrap(), issues);
}

#[test]
fn junit_reports_list_every_file_with_failures_for_errors() {
    use quick_xml::Reader;
    use quick_xml::events::Event;

    let project = broken_project();
    let output = run(project.path(), &["check", "--format", "junit"]);
    assert_eq!(status(&output), 1);
    let xml = stdout(&output);
    let mut reader = Reader::from_str(&xml);
    let (mut cases, mut failures, mut failing_case) = (0, 0, String::new());
    let mut current = String::new();
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) | Event::Empty(e) if e.name().as_ref() == "testcase" => {
                cases += 1;
                current = e
                    .try_get_attribute("name")
                    .unwrap()
                    .unwrap()
                    .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                    .unwrap()
                    .into_owned();
            }
            Event::Start(e) if e.name().as_ref() == "failure" => {
                failures += 1;
                if current.ends_with("broken_monthly.yml") {
                    failing_case = current.clone();
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    let files = json(&run(project.path(), &["check", "--format", "json"]))["summary"]["files"]
        .as_u64()
        .unwrap();
    assert_eq!(cases, files, "one test case per file");
    assert_eq!(failures, 2, "the two broken files fail");
    assert!(!failing_case.is_empty());
}

#[test]
fn a_broken_taxonomy_is_one_problem_not_hundreds() {
    let project = example_project();
    let stages = project.path().join("definitions/stages.yml");
    let mut text = fs::read_to_string(&stages).unwrap();
    text.push_str("  broken: [\n");
    fs::write(&stages, text).unwrap();
    let report = json(&run(project.path(), &["check", "--format", "json"]));
    let codes: Vec<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, vec!["MC001"], "{report:#}");
}
