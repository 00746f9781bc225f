//! `metricc migrate` on GitLab's legacy-era files (`../shared/corpus/gitlab/_history/`,
//! override with `METRICC_GITLAB_CORPUS`): every file is rewritten into the current format,
//! and what `check` still reports afterwards is exactly what `migrate` said it could not
//! decide. Outside CI the test passes with a notice when the corpus is absent; in CI an
//! absent corpus fails it.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod common;

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use common::*;
use serde_json::Value;

fn corpus() -> Option<PathBuf> {
    let path = std::env::var_os("METRICC_GITLAB_CORPUS").map_or_else(
        || workspace().join("../shared/corpus/gitlab"),
        PathBuf::from,
    );
    if path.join("_history").is_dir() {
        return Some(path);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "the GitLab corpus is missing at {} (set METRICC_GITLAB_CORPUS)",
        path.display()
    );
    eprintln!(
        "notice: GitLab corpus not found at {}; skipping",
        path.display()
    );
    None
}

/// A writable copy of a folder of the (read-only) corpus.
fn writable_copy(from: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(from, dir.path());
    for file in walk(dir.path()) {
        let mut permissions = fs::metadata(&file).unwrap().permissions();
        #[allow(clippy::permissions_set_readonly_false)]
        permissions.set_readonly(false);
        fs::set_permissions(&file, permissions).unwrap();
    }
    dir
}

/// (file, code, line) of every error in a JSON list of diagnostics.
fn errors(diagnostics: &Value) -> BTreeSet<(String, String, u64)> {
    diagnostics
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["severity"] == "error")
        .map(|d| {
            (
                d["file"].as_str().unwrap().to_owned(),
                d["code"].as_str().unwrap().to_owned(),
                d["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn every_legacy_file_is_migrated_and_what_is_left_is_reported_exactly() {
    let Some(corpus) = corpus() else { return };
    let mut migrated = 0;
    for entry in fs::read_dir(corpus.join("_history")).unwrap() {
        let original = entry.unwrap().path();
        let files: Vec<String> = walk(&original)
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "yml"))
            .map(|p| {
                p.strip_prefix(&original)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        if files.is_empty() {
            continue; // a folder holding only an old schema.json
        }
        let dir = writable_copy(&original);
        let root = dir.path();

        // The dry run writes nothing and shows a diff.
        let output = run(root, &["migrate", "--preset", "gitlab"]);
        status(&output);
        assert!(stdout(&output).contains("+++ b/"), "{}", stdout(&output));
        for file in &files {
            assert_eq!(
                fs::read(root.join(file)).unwrap(),
                fs::read(original.join(file)).unwrap(),
                "the dry run changed {file}"
            );
        }

        let output = run(
            root,
            &[
                "migrate", "--preset", "gitlab", "--write", "--format", "json",
            ],
        );
        let code = status(&output);
        let report = json(&output);
        let rewritten: BTreeSet<&str> = report["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["path"].as_str().unwrap())
            .collect();
        for file in &files {
            assert!(
                rewritten.contains(file.as_str()),
                "{file} was not rewritten"
            );
        }
        let left = errors(&report["left"]);
        assert_eq!(code, i32::from(!left.is_empty()), "{report}");

        let output = run(root, &["check", "--preset", "gitlab", "--format", "json"]);
        let check = json(&output);
        let remaining = errors(&check["diagnostics"]);
        assert_eq!(
            remaining,
            left,
            "{}: check's errors after the migration are not what migrate reported",
            original.display()
        );
        // Everything mechanical is done: no legacy field, legacy value or unquoted
        // milestone is left.
        for (file, code, line) in &remaining {
            assert!(
                !["MC106", "MC107", "MC108"].contains(&code.as_str()),
                "{file}:{line}: {code} left after migration"
            );
        }
        // Migrating again changes nothing.
        let output = run(root, &["migrate", "--preset", "gitlab", "--format", "json"]);
        let again = json(&output);
        assert!(again["files"].as_array().unwrap().is_empty(), "{again}");
        migrated += files.len();
    }
    assert!(migrated >= 10, "only {migrated} legacy files found");
}
