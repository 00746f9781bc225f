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
    ]
    .join("\n\n");
    insta::assert_snapshot!("rust.mod.rs", excerpt);
    insta::assert_snapshot!("rust.access.rs", output("rust/access.rs"));
}
