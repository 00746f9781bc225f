//! The xMAU dashboards of the HTML site (`metricc build --xmau-data`), on the example
//! `definitions/` with synthetic figures (`tests/pings/synthetic_xmau.py`):
//!
//! - bad data (a missing column, a key path no definition has, a role the definitions
//!   contradict) is a located error, and nothing is written;
//! - the pages are valid HTML (html-validate), and in headless Chromium
//!   (`tests/browser/dashboards.mjs`) the overview leads to a stage, a chart to its metric's
//!   dictionary page and back, with no request leaving the page.
//!
//! That the figures shown are the ones computed from real pings is checked in `dbt.rs`, on
//! the export of the dbt project.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use common::*;
use serde_json::{Value, json};

/// How many months of synthetic figures.
const MONTHS: usize = 4;

/// The example project, built once without figures, with the synthetic export beside it.
struct Example {
    dir: tempfile::TempDir,
    csv: String,
    view: Value,
}

fn example() -> Example {
    let dir = example_project();
    let output = run(dir.path(), &["build"]);
    assert_eq!(status(&output), 0, "{}{}", stdout(&output), stderr(&output));
    let dictionary = dir.path().join("generated/dictionary.json");
    let view: Value = serde_json::from_slice(&std::fs::read(&dictionary).unwrap()).unwrap();
    let csv = synthetic(&dictionary, MONTHS);
    Example { dir, csv, view }
}

/// The synthetic export of `months` months for a dictionary.
pub fn synthetic(dictionary: &Path, months: usize) -> String {
    let output = Command::new(tool("tools/venv/bin/python"))
        .arg(workspace().join("tests/pings/synthetic_xmau.py"))
        .arg(dictionary)
        .arg(months.to_string())
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    stdout(&output)
}

/// Every file under `generated/` with its bytes.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    walk(&dir.join("generated"))
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect()
}

/// The example built without figures, shared by the tests of bad data (which write nothing).
fn unbuilt() -> &'static Example {
    static EXAMPLE: OnceLock<Example> = OnceLock::new();
    EXAMPLE.get_or_init(example)
}

/// Builds with `csv` as the figures (written to `file`): must fail with status 2, naming
/// `file:line` and the column in `expected`, and leave the output folder as it was.
fn assert_rejected(example: &Example, file: &str, csv: &str, expected: &[&str]) {
    let dir = example.dir.path();
    std::fs::write(dir.join(file), csv).unwrap();
    let before = snapshot(dir);
    let output = run(dir, &["build", "--xmau-data", file]);
    let err = stderr(&output);
    assert_eq!(status(&output), 2, "{}{err}", stdout(&output));
    for text in expected {
        assert!(err.contains(text), "`{text}` is not in:\n{err}");
    }
    assert!(err.contains("nothing was written"), "{err}");
    assert!(snapshot(dir) == before, "the output folder changed");
}

/// The first line of the export whose key path is `key_path`, split into fields.
fn line_of<'a>(csv: &'a str, key_path: &str) -> (usize, &'a str) {
    csv.lines()
        .enumerate()
        .find(|(_, l)| l.split(',').nth(5) == Some(key_path))
        .map(|(i, l)| (i + 1, l))
        .unwrap()
}

fn xmau_metric<'a>(view: &'a Value, role: &str) -> &'a str {
    view["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["performance_indicator_type"] == json!([role]))
        .and_then(|m| m["key_path"].as_str())
        .unwrap()
}

#[test]
fn a_csv_without_a_column_is_a_located_error() {
    let example = unbuilt();
    let csv: String = example
        .csv
        .lines()
        .map(|l| {
            let fields: Vec<&str> = l.split(',').collect();
            format!("{},{}\n", fields[..6].join(","), fields[7..].join(","))
        })
        .collect();
    assert_rejected(
        example,
        "no_column.csv",
        &csv,
        &[
            "error[MCD002]: the header has no column `recorded_value`",
            "no_column.csv:1, column `recorded_value`",
        ],
    );
}

#[test]
fn a_key_path_no_definition_has_is_a_located_error() {
    let example = unbuilt();
    let key = xmau_metric(&example.view, "amau");
    let (line, _) = line_of(&example.csv, key);
    let csv = example.csv.replace(key, &format!("{key}_old"));
    assert_rejected(
        example,
        "unknown_key_path.csv",
        &csv,
        &[
            &format!("error[MCD004]: no metric definition has the key path `{key}_old`"),
            &format!("did you mean `{key}`?"),
            &format!("unknown_key_path.csv:{line}, column `key_path`"),
        ],
    );
}

#[test]
fn a_role_the_definitions_contradict_is_a_located_error() {
    let example = unbuilt();
    let key = xmau_metric(&example.view, "amau");
    let (line, text) = line_of(&example.csv, key);
    let csv = example
        .csv
        .replace(text, &text.replacen(",amau,", ",gmau,", 1));
    assert_rejected(
        example,
        "role.csv",
        &csv,
        &[
            &format!("error[MCD005]: the definition of `{key}`"),
            "gives it the roles AMAU, not the role GMAU",
            &format!("role.csv:{line}, column `role`"),
        ],
    );
}

/// The example built with its synthetic figures through `[build.dashboards]`, once.
fn built() -> &'static Example {
    static BUILT: OnceLock<Example> = OnceLock::new();
    BUILT.get_or_init(built_now)
}

fn built_now() -> Example {
    let example = example();
    let dir = example.dir.path();
    std::fs::write(dir.join("xmau_monthly.csv"), &example.csv).unwrap();
    std::fs::write(
        dir.join("metricc.toml"),
        "[build.dashboards]\ndata = \"xmau_monthly.csv\"\n",
    )
    .unwrap();
    let output = run(dir, &["build"]);
    assert_eq!(status(&output), 0, "{}{}", stdout(&output), stderr(&output));
    example
}

#[test]
fn the_dashboards_work_in_chromium_from_disk() {
    let example = built();
    let dir = example.dir.path();
    tool("tools/node_modules/playwright-core/package.json");
    assert!(
        Path::new("/usr/bin/chromium").exists(),
        "/usr/bin/chromium is missing: run `scripts/setup-test-tools`"
    );
    // An SMAU metric, its stage, and its last month's estimate as the synthetic export has it.
    let key = xmau_metric(&example.view, "smau");
    let metric = example.view["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["key_path"] == key)
        .unwrap();
    let stage = example.view["taxonomy"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["stages"].as_array().unwrap())
        .find(|s| s["key"] == metric["product_stage"])
        .unwrap();
    let last = example
        .csv
        .lines()
        .rfind(|l| l.split(',').nth(5) == Some(key))
        .unwrap();
    let estimate: f64 = last.split(',').nth(9).unwrap().parse().unwrap();
    let pages: Vec<String> = walk(&dir.join("generated/docs/html/dashboards/groups"))
        .iter()
        .take(3)
        .map(|p| {
            p.strip_prefix(dir.join("generated/docs/html"))
                .unwrap()
                .display()
                .to_string()
        })
        .collect();
    let spec = json!({
        "site": dir.join("generated/docs/html"),
        "months": MONTHS,
        "stage": { "slug": stage["names"]["slug"], "name": stage["name"] },
        "metric": {
            "key_path": key,
            "slug": metric["names"]["slug"],
            "anchor": metric["names"]["dbt"],
            "last_estimated": metricc::emit::docs::dashboards::charts::number(estimate),
        },
        "pages": pages,
    });
    let case = dir.join("case.json");
    std::fs::write(&case, serde_json::to_string_pretty(&spec).unwrap()).unwrap();
    let output = Command::new("node")
        .arg(workspace().join("tests/browser/dashboards.mjs"))
        .arg(&case)
        .output()
        .expect("node runs");
    let log = format!("{}{}", stdout(&output), stderr(&output));
    assert!(output.status.success(), "the browser test failed:\n{log}");
}

#[test]
fn the_dashboards_pages_are_valid_html() {
    let example = built();
    let html = example.dir.path().join("generated/docs/html");
    let key = xmau_metric(&example.view, "smau");
    let slug = example.view["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["key_path"] == key)
        .and_then(|m| m["names"]["slug"].as_str())
        .unwrap();
    let output = Command::new("node")
        .arg(tool(
            "tools/node_modules/html-validate/bin/html-validate.mjs",
        ))
        .arg("--config")
        .arg(workspace().join("tests/browser/htmlvalidate.json"))
        .arg("--formatter")
        .arg("text")
        .arg(html.join("dashboards"))
        .arg(html.join(format!("metrics/{slug}.html")))
        .output()
        .expect("node runs");
    assert!(
        output.status.success(),
        "html-validate found problems:\n{}{}",
        stdout(&output),
        stderr(&output)
    );
}
