//! What the machine-readable reports promise the CI systems that read them, beyond their
//! shape: Code Quality fingerprints that follow a finding when an edit moves it to another
//! line, and related locations (SARIF `relatedLocations`, JSON `related`) that point at the
//! right place in the right file.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use std::fs;
use std::path::Path;

use metricc::check::RULES;
use metricc::config::Config;
use metricc::diagnostics::{Format, Style, render};
use serde_json::{Value, json};

/// A metric whose SQL calls `pg_sleep` twice: two findings with the same message.
const SLEEPY: &str = "definitions/metrics/counts_all/20240301000000_sleepy_issues.yml";
/// The same mistake in a second file.
const SLEEPY_TOO: &str = "definitions/metrics/counts_all/20240301000001_sleepy_merge_requests.yml";
/// A second SMAU for the stage `create`, which the base project's
/// `counts.users_pushing_monthly` already is (MC501, reported on both, each pointing at
/// the other file).
const SECOND_SMAU: &str =
    "definitions/metrics/counts_28d/20240301000000_users_viewing_merge_requests_monthly.yml";
const FIRST_SMAU: &str = "definitions/metrics/counts_28d/20240101000000_users_pushing_monthly.yml";
/// A redis metric with `sql` (MC307, pointing at its `data_source` in the same file).
const REDIS_SQL: &str = "definitions/metrics/counts_all/20240301000002_redis_with_sql.yml";

fn metric(key_path: &str, source: &str, extra: &str) -> String {
    format!(
        "---\nkey_path: {key_path}\ndescription: A metric of the report tests\n\
         product_group: project_management\nproduct_categories:\n- team_planning\n\
         value_type: number\nstatus: active\ntime_frame: all\ndata_source: {source}\n\
         data_category: optional\ntiers: [free, premium, ultimate]\nmilestone: '17.1'\n\
         introduced_by_url: https://example.com/forge/-/merge_requests/10\n{extra}"
    )
}

fn sleepy(key_path: &str) -> String {
    metric(
        key_path,
        "database",
        "sql: SELECT COUNT(*) FROM issues WHERE pg_sleep(1) IS NULL OR pg_sleep(1) IS NULL\n",
    )
}

/// The base project with the files above.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    support::copy_tree(&support::base(), dir.path());
    let second_smau = "---\n# A second SMAU, a few lines further down than the first.\n\
        key_path: counts.users_viewing_merge_requests_monthly\n\
        description: Unique users who viewed a merge request in the last 28 days\n\
        product_group: code_review\nproduct_categories:\n- code_review_workflow\n\
        value_type: number\nstatus: active\ntime_frame: 28d\ndata_source: internal_events\n\
        data_category: optional\ntiers: [free, premium, ultimate]\nmilestone: '17.1'\n\
        introduced_by_url: https://example.com/forge/-/merge_requests/10\n\
        events:\n- name: view_merge_request\n  unique: user.id\n\
        performance_indicator_type:\n- smau\n";
    let files = [
        (SLEEPY, sleepy("counts.sleepy_issues")),
        (SLEEPY_TOO, sleepy("counts.sleepy_merge_requests")),
        (SECOND_SMAU, second_smau.to_owned()),
        (
            REDIS_SQL,
            metric(
                "counts.redis_with_sql",
                "redis",
                "instrumentation_class: RedisMetric\nsql: SELECT COUNT(*) FROM issues\n",
            ),
        ),
    ];
    for (path, text) in files {
        fs::write(dir.path().join(path), text).unwrap();
    }
    dir
}

fn report(root: &Path, format: Format) -> Value {
    let config = Config::load(root, None, None).unwrap();
    let compilation = metricc::compile(&config).unwrap();
    let text = render(
        format,
        RULES,
        &compilation.diagnostics,
        &compilation.sources,
        &compilation.summary,
        Style::Plain,
    );
    serde_json::from_str(&text).unwrap()
}

/// The 1-based line and column of the first `needle` in a file.
fn position(root: &Path, file: &str, needle: &str) -> (u64, u64) {
    let text = fs::read_to_string(root.join(file)).unwrap();
    for (i, line) in text.lines().enumerate() {
        if let Some(at) = line.find(needle) {
            return ((i + 1) as u64, (line[..at].chars().count() + 1) as u64);
        }
    }
    panic!("`{needle}` is not in {file}");
}

/// Code Quality issues by fingerprint: (path, begin line, check name, description).
fn issues(root: &Path) -> Vec<(String, String, u64, String, String)> {
    report(root, Format::Gitlab)
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["fingerprint"].as_str().unwrap().to_owned(),
                i["location"]["path"].as_str().unwrap().to_owned(),
                i["location"]["positions"]["begin"]["line"]
                    .as_u64()
                    .unwrap(),
                i["check_name"].as_str().unwrap().to_owned(),
                i["description"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn code_quality_fingerprints_follow_a_finding_to_another_line() {
    let project = project();
    let before = issues(project.path());
    let sleeps: Vec<_> = before
        .iter()
        .filter(|i| i.3 == "MC304 sql-not-read-only")
        .collect();
    assert_eq!(
        sleeps.len(),
        4,
        "two findings in each of two files: {before:#?}"
    );
    let mut fingerprints: Vec<&str> = before.iter().map(|i| i.0.as_str()).collect();
    fingerprints.sort_unstable();
    fingerprints.dedup();
    assert_eq!(
        fingerprints.len(),
        before.len(),
        "equal findings, in one file or in two, are told apart: {before:#?}"
    );

    // An edit above the findings moves them three lines down: GitLab must see the same
    // findings, not three fixed and three new ones.
    let path = project.path().join(SLEEPY);
    let text = fs::read_to_string(&path).unwrap();
    let moved = text.replacen(
        "---\n",
        "---\n# Owned by the\n# project management\n# group.\n",
        1,
    );
    fs::write(&path, &moved).unwrap();
    let after = issues(project.path());
    assert_eq!(after.len(), before.len());
    for old in &before {
        let new = after
            .iter()
            .find(|i| i.0 == old.0)
            .unwrap_or_else(|| panic!("the finding got a new fingerprint when it moved: {old:?}"));
        assert_eq!((&new.1, &new.3, &new.4), (&old.1, &old.3, &old.4));
        let shift = if old.1 == SLEEPY { 3 } else { 0 };
        assert_eq!(new.2, old.2 + shift, "{new:?} (was {old:?})");
    }

    // A different problem at the same place is a new finding.
    fs::write(
        &path,
        moved.replacen("pg_sleep(1)", "pg_sleep_for('1 second')", 1),
    )
    .unwrap();
    let changed = issues(project.path());
    let new = changed
        .iter()
        .find(|i| i.4.contains("pg_sleep_for"))
        .unwrap();
    assert!(
        before.iter().all(|old| old.0 != new.0),
        "a new problem reuses an old fingerprint: {new:?}"
    );
}

#[test]
fn sarif_related_locations_point_at_each_place() {
    let project = project();
    let root = project.path();
    let sarif = report(root, Format::Sarif);
    let run = &sarif["runs"][0];
    let results = run["results"].as_array().unwrap();
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    for r in results {
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(
            rules[index]["id"], r["ruleId"],
            "ruleIndex names the rule: {r:#}"
        );
    }
    let location = |file: &str, (line, column): (u64, u64), width: u64| {
        json!({
            "artifactLocation": { "uri": file, "uriBaseId": "PROJECTROOT" },
            "region": {
                "startLine": line,
                "startColumn": column,
                "endLine": line,
                "endColumn": column + width,
            },
        })
    };
    let smau_role = |file: &str| position(root, file, "- smau");
    let with_location = |code: &str, file: &str| {
        results
            .iter()
            .find(|r| {
                r["ruleId"] == code
                    && r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == file
            })
            .unwrap_or_else(|| panic!("no {code} in {file}: {results:#?}"))
    };

    // In another file: each SMAU points at the other one.
    let second = with_location("MC501", SECOND_SMAU);
    let (line, column) = smau_role(SECOND_SMAU);
    assert_eq!(
        second["locations"][0]["physicalLocation"],
        location(SECOND_SMAU, (line, column + 2), 4)
    );
    let (line, column) = smau_role(FIRST_SMAU);
    assert_eq!(
        second["relatedLocations"],
        json!([{
            "id": 0,
            "message": { "text": "also the SMAU of stage `create`" },
            "physicalLocation": location(FIRST_SMAU, (line, column + 2), 4),
        }])
    );
    let first = with_location("MC501", FIRST_SMAU);
    let (line, column) = smau_role(SECOND_SMAU);
    assert_eq!(
        first["relatedLocations"][0]["physicalLocation"],
        location(SECOND_SMAU, (line, column + 2), 4)
    );

    // In the same file.
    let redis = with_location("MC307", REDIS_SQL);
    let (line, column) = position(root, REDIS_SQL, "data_source: ");
    assert_eq!(
        redis["relatedLocations"],
        json!([{
            "id": 0,
            "message": { "text": "data source set here" },
            "physicalLocation": location(REDIS_SQL, (line, column + 13), 5),
        }])
    );

    // A finding with no other place has no related locations at all (not an empty list).
    let sleepy = with_location("MC304", SLEEPY);
    assert!(sleepy.get("relatedLocations").is_none(), "{sleepy:#}");
}

#[test]
fn json_reports_carry_the_same_related_places() {
    let project = project();
    let root = project.path();
    let report = report(root, Format::Json);
    let diagnostics = report["diagnostics"].as_array().unwrap();
    let redis = diagnostics.iter().find(|d| d["code"] == "MC307").unwrap();
    let (line, column) = position(root, REDIS_SQL, "data_source: ");
    assert_eq!(
        redis["related"],
        json!([{
            "message": "data source set here",
            "file": REDIS_SQL,
            "line": line,
            "column": column + 13,
            "end_line": line,
            "end_column": column + 18,
        }])
    );
    let (line, column) = position(root, REDIS_SQL, "SELECT");
    assert_eq!(
        (&redis["file"], &redis["line"], &redis["column"]),
        (&json!(REDIS_SQL), &json!(line), &json!(column))
    );
    let sleepy = diagnostics
        .iter()
        .find(|d| d["code"] == "MC304" && d["file"] == SLEEPY)
        .unwrap();
    assert_eq!(sleepy["related"], json!([]));
}
