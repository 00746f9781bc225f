//! The invariants of `docs/architecture.md` that code can check: dependencies between the
//! pipeline's modules point one way, and the library builds without the command line.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::collections::BTreeSet;
use std::path::Path;

/// The crate's top-level modules, bottom first. A module may use the ones before it, never
/// the ones after it. (`docs/architecture.md` shows the same order.)
const LAYERS: &[&str] = &[
    "suggest",
    "source",
    "yaml",
    "diagnostics",
    "model",
    "resolve",
    "check",
    "emit",
    "write",
    "error",
    "config",
    "pipeline",
    "build",
    "payload",
    "workflow",
    "cli",
];

/// Every `crate::<module>` a file refers to (in `use` lines and in paths), tests excluded.
fn references(text: &str) -> BTreeSet<String> {
    let code = text.split("#[cfg(test)]").next().unwrap_or(text);
    let mut found = BTreeSet::new();
    for (i, _) in code.match_indices("crate::") {
        // `$crate::` in macros is the same as `crate::`.
        let rest = &code[i + "crate::".len()..];
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() {
            found.insert(name);
        }
    }
    // `use crate::{a, b}` lists several modules at once.
    for (i, _) in code.match_indices("use crate::{") {
        let rest = &code[i + "use crate::{".len()..];
        let list = rest.split('}').next().unwrap_or_default();
        for item in list.split(',') {
            let name: String = item
                .trim()
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                found.insert(name);
            }
        }
    }
    found
}

fn rank(module: &str) -> Option<usize> {
    LAYERS.iter().position(|m| *m == module)
}

#[test]
fn dependencies_point_one_way() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut back_edges = Vec::new();
    for entry in walkdir::WalkDir::new(&src) {
        let entry = entry.unwrap();
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let relative = path.strip_prefix(&src).unwrap();
        let module = relative
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_owned();
        if module == "lib" || module == "main" {
            continue;
        }
        let Some(own) = rank(&module) else {
            panic!(
                "module `{module}` is not in LAYERS: place it there and in docs/architecture.md"
            );
        };
        let text = std::fs::read_to_string(path).unwrap();
        for used in references(&text) {
            match rank(&used) {
                Some(r) if r > own => {
                    back_edges.push(format!("{} uses crate::{used}", relative.display()));
                }
                _ => {}
            }
        }
    }
    assert!(
        back_edges.is_empty(),
        "modules use later stages:\n{}",
        back_edges.join("\n")
    );
}

#[test]
fn the_edge_finder_sees_every_form() {
    let found =
        references("use crate::{emit, write};\nfn f() { crate::check::run(); $crate::x::y }");
    assert_eq!(
        found.into_iter().collect::<Vec<_>>(),
        ["check", "emit", "write", "x"]
    );
}

#[test]
fn the_library_builds_without_the_command_line() {
    let output = std::process::Command::new(env!("CARGO"))
        .args([
            "tree",
            "--locked",
            "--offline",
            "-p",
            "metricc",
            "--no-default-features",
            "-e",
            "normal",
            "--prefix",
            "none",
            "--format",
            "{p}",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let tree = String::from_utf8(output.stdout).unwrap();
    for crate_name in [
        "clap ",
        "mimalloc ",
        "notify ",
        "clap_complete ",
        "clap_mangen ",
    ] {
        assert!(
            !tree.lines().any(|l| l.starts_with(crate_name)),
            "the library without `cli` depends on {crate_name}"
        );
    }
    assert!(tree.lines().any(|l| l.starts_with("serde ")), "{tree}");
}

/// The README's main command, `cargo run --release -- build`, runs `metricc`: `cargo run`
/// needs exactly one binary among the workspace's default members (the example application
/// is a binary too).
#[test]
fn cargo_run_runs_metricc() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let output = std::process::Command::new(env!("CARGO"))
        .args([
            "metadata",
            "--no-deps",
            "--format-version",
            "1",
            "--offline",
        ])
        .current_dir(&root)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let defaults: Vec<&str> = metadata["workspace_default_members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|id| id.as_str().unwrap())
        .collect();
    let binaries: Vec<&str> = metadata["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| defaults.contains(&p["id"].as_str().unwrap()))
        .flat_map(|p| p["targets"].as_array().unwrap())
        .filter(|t| t["kind"].as_array().unwrap().iter().any(|k| k == "bin"))
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(binaries, ["metricc"], "the default members' binaries");
}
