//! Helpers shared by the end-to-end tests: the real `metricc` binary, scratch projects, and
//! the tools the tests check outputs with.

#![allow(dead_code, clippy::unwrap_used)] // shared by test crates; a failed unwrap is a failed test

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// The workspace root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate sits in the workspace")
        .to_path_buf()
}

/// The `metricc` binary, built (once per test run) with the profile the tests run under.
pub fn metricc() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| {
        // target/<profile>/deps/<test binary> → target/<profile>
        let exe = std::env::current_exe().expect("the test binary has a path");
        let profile_dir = exe
            .parent()
            .and_then(Path::parent)
            .expect("tests run from target/<profile>/deps");
        // `debug` holds the dev and test profiles; any other folder is named after its
        // profile (`release`, or `mutants` under `cargo mutants`).
        let profile = profile_dir
            .file_name()
            .and_then(|n| n.to_str())
            .map_or("dev", |n| if n == "debug" { "dev" } else { n });
        let mut cargo = Command::new(env!("CARGO"));
        cargo
            .args(["build", "--quiet", "--bin", "metricc", "--profile", profile])
            .arg("--manifest-path")
            .arg(workspace().join("Cargo.toml"));
        let status = cargo.status().expect("cargo runs");
        assert!(status.success(), "building metricc failed");
        profile_dir.join("metricc")
    })
}

/// Runs `metricc` with `args` in `dir`.
pub fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(metricc())
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .output()
        .expect("metricc runs")
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The exit status, failing the test if metricc was killed (a panic exits with 101).
pub fn status(output: &Output) -> i32 {
    let code = output.status.code().expect("metricc exited normally");
    assert_ne!(code, 101, "metricc panicked:\n{}", stderr(output));
    code
}

pub fn copy_tree(from: &Path, to: &Path) {
    for entry in walk(from) {
        let target = to.join(entry.strip_prefix(from).unwrap());
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(&entry, &target).unwrap();
    }
}

/// Every file below `root`, sorted.
pub fn walk(root: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// A scratch copy of the bundled example project (`definitions/`).
pub fn example_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(
        &workspace().join("definitions"),
        &dir.path().join("definitions"),
    );
    dir
}

/// A tool installed by `scripts/setup-test-tools` (the test fails, with the command to
/// run, when it is missing: tests never skip silently).
pub fn tool(relative: &str) -> PathBuf {
    let path = workspace().join(relative);
    assert!(
        path.exists(),
        "{} is missing: run `scripts/setup-test-tools` (the README's test command does)",
        path.display()
    );
    path
}

/// Parses metricc's JSON report.
pub fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", stdout(output)))
}
