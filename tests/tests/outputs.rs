//! Snapshots of what `metricc build` generates from the bundled `definitions/`, so that a
//! change to any output shows up in review: a manifest of every file (path, size, hash) and
//! the full text of the files a reviewer reads. `dictionary.json` is kept whole, as the
//! golden file of the view every backend reads.
//!
//! Each backend adds a test here with its representative files. After an intended change:
//! `cargo insta review` (or `INSTA_UPDATE=always cargo test --test outputs`).

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod common;

use std::collections::BTreeMap;
use std::sync::OnceLock;

use common::*;
use sha2::{Digest, Sha256};

/// Every generated file of the example project, by path (built once per test run).
fn outputs() -> &'static BTreeMap<String, Vec<u8>> {
    static OUTPUTS: OnceLock<BTreeMap<String, Vec<u8>>> = OnceLock::new();
    OUTPUTS.get_or_init(|| {
        let project = example_project();
        // With an Iglu vendor, so that the schemas backend writes its self-describing forms.
        std::fs::write(
            project.path().join("metricc.toml"),
            "[build.schemas]\nvendor = \"com.example\"\n",
        )
        .unwrap();
        let output = run(project.path(), &["build"]);
        assert_eq!(status(&output), 0, "{}{}", stdout(&output), stderr(&output));
        let root = project.path().join("generated");
        walk(&root)
            .into_iter()
            .map(|p| {
                let path = p
                    .strip_prefix(&root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                (path, std::fs::read(&p).unwrap())
            })
            .collect()
    })
}

/// The text of one generated file.
pub fn output(path: &str) -> &'static str {
    let bytes = outputs()
        .get(path)
        .unwrap_or_else(|| panic!("{path} was not generated"));
    std::str::from_utf8(bytes).unwrap()
}

#[test]
fn every_output_file_is_listed_with_its_hash() {
    let manifest: String = outputs()
        .iter()
        .map(|(path, bytes)| {
            let hash = Sha256::digest(bytes);
            let short: String = hash[..8].iter().map(|b| format!("{b:02x}")).collect();
            format!("{path}  {}  {short}\n", bytes.len())
        })
        .collect();
    insta::assert_snapshot!("manifest", manifest);
}

#[test]
fn dictionary_json_is_the_golden_view() {
    insta::assert_snapshot!("dictionary.json", output("dictionary.json"));
}

/// The top-level item of a generated Rust file whose first line contains `name`, with its
/// doc comment and attributes.
fn rust_item(file: &str, name: &str) -> String {
    let lines: Vec<&str> = file.lines().collect();
    let at = lines
        .iter()
        .position(|l| !l.starts_with("//") && l.contains(name))
        .unwrap_or_else(|| panic!("no item defines {name}"));
    let mut start = at;
    while start > 0 && (lines[start - 1].starts_with("///") || lines[start - 1].starts_with("#[")) {
        start -= 1;
    }
    let end = (at..lines.len())
        .find(|&i| lines[i] == "}" || lines[i] == "};" || (i == at && lines[i].ends_with(';')))
        .unwrap_or(lines.len() - 1);
    lines[start..=end].join("\n")
}

/// The start of `mod selectors`, to the end of its third list.
fn selector_lists(file: &str) -> String {
    let lines: Vec<&str> = file.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.starts_with("mod selectors"))
        .expect("a module of selector lists");
    let start = (0..start)
        .rev()
        .find(|&i| !lines[i].starts_with("///"))
        .map_or(0, |i| i + 1);
    let end = (start..lines.len())
        .filter(|&i| lines[i] == "    ];")
        .nth(2)
        .expect("three selector lists");
    format!("{}\n    // ...\n}}", lines[start..=end].join("\n"))
}

#[test]
fn rust_code_reads_like_handwritten_code() {
    let root = output("rust/mod.rs");
    let head: String = root.split("\n\n").take(3).collect::<Vec<_>>().join("\n\n");
    let table = rust_item(root, "pub fn metrics()");
    let table_lines: Vec<&str> = table.lines().collect();
    let table = [
        &table_lines[..8],
        &["        // ..."],
        &table_lines[table_lines.len() - 3..],
    ]
    .concat()
    .join("\n");
    let excerpt = [
        head.as_str(),
        "// ...",
        &table,
        &rust_item(root, "pub trait Instrumentation"),
        &rust_item(root, "pub fn service_ping"),
        "// An event count with a filter, a SQL count, a setting from the application:",
        &rust_item(
            root,
            "pub static ACTIVE_USERS_FOUNDATIONS_PASSKEY_USERS_MONTHLY",
        ),
        &rust_item(
            root,
            "pub static ACTIVE_USERS_VERIFY_PIPELINE_USERS_MONTHLY",
        ),
        &rust_item(root, "pub static LICENSE_PLAN"),
        "// The 7d form counts what the 28d form counts: they share its list of selectors.",
        &rust_item(
            root,
            "pub static ACTIVE_NAMESPACES_GOVERN_AUDIT_STREAMING_NAMESPACES_WEEKLY",
        ),
        &selector_lists(root),
    ]
    .join("\n\n");
    insta::assert_snapshot!("rust.mod.rs", excerpt);
    insta::assert_snapshot!("rust.access.rs", output("rust/access.rs"));
}

#[test]
fn docs_pages_of_a_few_metrics_and_events() {
    for (name, path) in [
        // SQL, SMAU and GMAU of its stage and group.
        (
            "docs_md_metric_sql_xmau",
            "docs/markdown/metrics/active_users.verify.pipeline_users_monthly.md",
        ),
        (
            "docs_html_metric_sql_xmau",
            "docs/html/metrics/active_users.verify.pipeline_users_monthly.html",
        ),
        // Counted from events.
        (
            "docs_md_metric_events",
            "docs/markdown/metrics/active_users.foundations.passkey_users_monthly.md",
        ),
        (
            "docs_html_metric_events",
            "docs/html/metrics/active_users.foundations.passkey_users_monthly.html",
        ),
        ("docs_md_event", "docs/markdown/events/create_issue.md"),
        ("docs_html_event", "docs/html/events/create_issue.html"),
        (
            "docs_md_group",
            "docs/markdown/groups/pipeline_execution.md",
        ),
        (
            "docs_html_group",
            "docs/html/groups/pipeline_execution.html",
        ),
        ("docs_md_stage", "docs/markdown/stages/verify.md"),
        ("docs_md_xmau", "docs/markdown/xmau.md"),
        ("docs_html_search", "docs/html/index.html"),
    ] {
        insta::assert_snapshot!(name, output(path));
    }
}

/// The payload schema with only some top-level keys kept (it holds every metric: the
/// manifest's hash covers the rest): its head, `counters` (a count), `license` (strings,
/// a boolean, numbers, an object metric), the `metadata` reference and every `$defs`.
#[test]
fn payload_schema_snapshot() {
    let text = output("schemas/service_ping.schema.json");
    let keep = ["\"counters\"", "\"license\"", "\"metadata\""];
    let mut out = String::new();
    let mut in_properties = false;
    let mut skipping = false;
    let mut skipped = 0;
    for line in text.lines() {
        if line == "  \"properties\": {" {
            in_properties = true;
        } else if in_properties && line.starts_with("  }") {
            in_properties = false;
            if skipped > 0 {
                out.push_str(&format!("    … {skipped} more top-level keys …\n"));
            }
        } else if in_properties && line.starts_with("    \"") {
            skipping = !keep.iter().any(|k| line.trim_start().starts_with(k));
            skipped += usize::from(skipping);
        }
        if !(in_properties && skipping) {
            out.push_str(line);
            out.push('\n');
        }
    }
    insta::assert_snapshot!("service_ping.schema.json", out);
}

#[test]
fn event_schema_and_its_iglu_form() {
    insta::assert_snapshot!(
        "events/run_job_on_hosted_runner.schema.json",
        output("schemas/events/run_job_on_hosted_runner.schema.json")
    );
    insta::assert_snapshot!(
        "iglu/run_job_on_hosted_runner",
        output("schemas/iglu/schemas/com.example/run_job_on_hosted_runner/jsonschema/1-0-0")
    );
}

/// The dbt project: its configuration, the macros, a model of each layer with its
/// `schema.yml`, the semantic layer, and a time-framed SQL metric's model.
#[test]
fn dbt_project_files() {
    for path in [
        "dbt/dbt_project.yml",
        "dbt/profiles.yml",
        "dbt/macros/metricc.sql",
        "dbt/models/staging/_staging.yml",
        "dbt/models/staging/stg_ping_metrics.sql",
        "dbt/models/marts/_marts.yml",
        "dbt/models/marts/_semantic.yml",
        "dbt/models/marts/last_ping_per_month.sql",
        "dbt/models/marts/xmau_monthly.sql",
        "dbt/models/app_db/active_users_deploy_release_authors_monthly.sql",
    ] {
        insta::assert_snapshot!(path.replace('/', "__"), output(path));
    }
    // The generated tables: their first lines show their shape.
    for path in [
        "dbt/models/dictionary/metric_dictionary.sql",
        "dbt/models/dictionary/_dictionary.yml",
        "dbt/models/app_db/_app_db.yml",
    ] {
        let head: String = output(path)
            .lines()
            .take(40)
            .map(|l| format!("{l}\n"))
            .collect();
        insta::assert_snapshot!(path.replace('/', "__"), head);
    }
}

/// The xMAU dashboards, drawn from 4 months of synthetic figures for the example
/// (`tests/pings/synthetic_xmau.py`): the overview, a stage's page and one chart.
#[test]
fn dashboards_overview_stage_page_and_chart() {
    let project = example_project();
    let dictionary = project.path().join("dictionary.json");
    std::fs::write(&dictionary, output("dictionary.json")).unwrap();
    let csv = std::process::Command::new(tool("tools/venv/bin/python"))
        .arg(workspace().join("tests/pings/synthetic_xmau.py"))
        .arg(&dictionary)
        .arg("4")
        .output()
        .unwrap();
    assert!(csv.status.success(), "{}", stderr(&csv));
    std::fs::write(project.path().join("xmau_monthly.csv"), &csv.stdout).unwrap();
    let out = run(
        project.path(),
        &["build", "--only", "docs", "--xmau-data", "xmau_monthly.csv"],
    );
    assert_eq!(status(&out), 0, "{}{}", stdout(&out), stderr(&out));
    let html = project.path().join("generated/docs/html");
    for (name, path) in [
        ("dashboards_overview", "dashboards/index.html"),
        ("dashboards_stage", "dashboards/stages/verify.html"),
        (
            "dashboards_chart",
            "dashboards/charts/active_users.verify.pipeline_users_monthly.svg",
        ),
    ] {
        let text = std::fs::read_to_string(html.join(path)).unwrap();
        insta::assert_snapshot!(name, text);
    }
}
