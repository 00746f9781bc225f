//! Every rule has a failing and a passing fixture (`tests/rules/<CODE>/fail.fixture` and
//! `pass.fixture`), and may have more cases (`fail-<case>.fixture`, `pass-<case>.fixture`),
//! all overlaid on the clean project in `tests/fixtures/base/`.
//!
//! - a failing fixture must produce the rule's code, and its full human report is a
//!   snapshot (`tests/snapshots/`), so reviewers see every message change;
//! - a passing fixture (usually the fixed version of the failing one) must be clean.
//!
//! A fixture is a list of directives, each starting with a `=== ` line:
//!
//! ```text
//! === definitions/metrics/counts_28d/x.yml      the file's content follows
//! === delete definitions/metrics/...            remove a base file
//! === bytes definitions/events/x.yml 61ff0a      a file of raw (hex) bytes
//! === large definitions/events/x.yml 2000000     a file of that many bytes
//! === symlink definitions/events/x.yml /nowhere  a symbolic link
//! === preset gitlab                              check with a preset
//! ```
//! Lines before the first directive describe the case.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use std::fs;
use std::path::{Path, PathBuf};

use metricc::check::RULES;
use metricc::config::{Config, Preset};
use metricc::diagnostics::{Format, Style, render};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests")
}

/// Builds the project a fixture describes; returns its root and the preset to use.
fn materialise(fixture: &str, root: &Path) -> Option<Preset> {
    support::copy_tree(&support::base(), root);
    let mut preset = None;
    let mut current: Option<(PathBuf, String)> = None;
    let flush = |current: &mut Option<(PathBuf, String)>| {
        if let Some((path, text)) = current.take() {
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, text).unwrap();
        }
    };
    for line in fixture.split_inclusive('\n') {
        let Some(directive) = line.strip_prefix("=== ") else {
            if let Some((_, text)) = current.as_mut() {
                text.push_str(line);
            }
            continue;
        };
        flush(&mut current);
        let words: Vec<&str> = directive.split_whitespace().collect();
        let target = |i: usize| {
            let path = root.join(words[i]);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            path
        };
        match words.as_slice() {
            ["delete", _] => fs::remove_file(target(1)).unwrap(),
            ["bytes", _, hex] => {
                let bytes: Vec<u8> = (0..hex.len())
                    .step_by(2)
                    .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
                    .collect();
                fs::write(target(1), bytes).unwrap();
            }
            ["large", _, size] => {
                let line = "# padding padding padding padding padding padding padding\n";
                let size: usize = size.parse().unwrap();
                fs::write(target(1), line.repeat(size / line.len() + 1)).unwrap();
            }
            ["symlink", _, to] => std::os::unix::fs::symlink(to, target(1)).unwrap(),
            ["preset", "gitlab"] => preset = Some(Preset::Gitlab),
            [_] => current = Some((target(0), String::new())),
            _ => panic!("unknown fixture directive `{directive}`"),
        }
    }
    flush(&mut current);
    preset
}

/// Checks a fixture's project; returns the codes found and the plain human report.
fn check(fixture: &str) -> (Vec<&'static str>, String) {
    let dir = tempfile::tempdir().unwrap();
    let preset = materialise(fixture, dir.path());
    let config = Config::load(dir.path(), preset, None).unwrap();
    let compilation = metricc::compile(&config).unwrap();
    let codes = compilation
        .diagnostics
        .iter()
        .map(|d| d.rule.code)
        .collect();
    let report = render(
        Format::Human,
        RULES,
        &compilation.diagnostics,
        &compilation.sources,
        &compilation.summary,
        Style::Plain,
    );
    (codes, report)
}

#[test]
fn the_base_project_is_clean() {
    let (codes, report) = check("");
    assert!(codes.is_empty(), "{report}");
}

#[test]
fn every_rule_fails_on_its_failing_fixtures_and_passes_its_passing_ones() {
    let mut problems = Vec::new();
    for rule in RULES {
        let dir = fixtures().join("rules").join(rule.code);
        let mut cases: Vec<String> = fs::read_dir(&dir)
            .map(|entries| {
                entries
                    .filter_map(|e| e.ok()?.file_name().into_string().ok())
                    .filter(|name| name.ends_with(".fixture"))
                    .collect()
            })
            .unwrap_or_default();
        cases.sort();
        if !cases.iter().any(|c| c == "fail.fixture") || !cases.iter().any(|c| c == "pass.fixture")
        {
            problems.push(format!(
                "{} {}: missing fail.fixture or pass.fixture",
                rule.code, rule.name
            ));
            continue;
        }
        for case in cases {
            let fixture = fs::read_to_string(dir.join(&case)).unwrap();
            let (codes, report) = check(&fixture);
            let stem = case.trim_end_matches(".fixture");
            if stem.starts_with("fail") {
                if !codes.contains(&rule.code) {
                    problems.push(format!(
                        "{} {} {case}: the rule did not trigger; the report:\n{report}",
                        rule.code, rule.name
                    ));
                }
                let name = match stem {
                    "fail" => format!("{}_{}", rule.code, rule.name),
                    extra => format!("{}_{}_{}", rule.code, rule.name, extra),
                };
                insta::with_settings!({ description => format!("{} {} {case}", rule.code, rule.name), omit_expression => true }, {
                    insta::assert_snapshot!(name, report);
                });
            } else if !codes.is_empty() {
                problems.push(format!(
                    "{} {} {case}: not clean:\n{report}",
                    rule.code, rule.name
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}
