//! `check --watch` and `build --watch` re-run on change and re-parse only what changed;
//! `completions` and `man` come from the command-line definition.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

use common::*;

const VIEWS: &str = "definitions/metrics/counts_all/20240101000002_merge_request_views.yml";

/// A running `metricc ... --watch`, its standard error read line by line.
struct Watching {
    child: Child,
    lines: Receiver<String>,
}

impl Watching {
    fn start(root: &std::path::Path, args: &[&str]) -> Watching {
        let mut child = Command::new(metricc())
            .args(args)
            .current_dir(root)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let (sender, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                if sender.send(line.unwrap_or_default()).is_err() {
                    break;
                }
            }
        });
        Watching { child, lines }
    }

    /// The lines up to and including the next `[watch]` line.
    fn next_run(&self) -> Vec<String> {
        let mut seen = Vec::new();
        loop {
            let line = self
                .lines
                .recv_timeout(Duration::from_secs(60))
                .unwrap_or_else(|_| panic!("no [watch] line; saw {seen:#?}"));
            let done = line.starts_with("[watch]");
            seen.push(line);
            if done {
                return seen;
            }
        }
    }
}

impl Drop for Watching {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn base_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(
        &workspace().join("compiler/tests/fixtures/base"),
        dir.path(),
    );
    dir
}

#[test]
fn check_watch_re_parses_only_the_changed_file() {
    let dir = base_project();
    let watching = Watching::start(dir.path(), &["check", "--watch"]);
    let first = watching.next_run();
    assert!(
        first.last().unwrap().contains("(6 files parsed)"),
        "{first:#?}"
    );
    // Editors save in several steps; the watcher waits for them to settle.
    std::thread::sleep(Duration::from_millis(200));
    let path = dir.path().join(VIEWS);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replace("value_type: number", "value_type: numbr"),
    )
    .unwrap();
    let second = watching.next_run();
    assert!(
        second.last().unwrap().contains("(1 file parsed)"),
        "{second:#?}"
    );
    std::fs::write(&path, text).unwrap();
    let third = watching.next_run();
    assert!(
        third.last().unwrap().contains("(1 file parsed)"),
        "{third:#?}"
    );
}

#[test]
fn build_watch_writes_the_outputs_again_on_change() {
    let dir = base_project();
    let watching = Watching::start(dir.path(), &["build", "--watch", "--only", "dictionary"]);
    let first = watching.next_run();
    assert!(first.iter().any(|l| l.contains("written")), "{first:#?}");
    let dictionary = dir.path().join("generated/dictionary.json");
    assert!(
        !std::fs::read_to_string(&dictionary)
            .unwrap()
            .contains("Views of merge")
    );
    std::thread::sleep(Duration::from_millis(200));
    let path = dir.path().join(VIEWS);
    let text = std::fs::read_to_string(&path).unwrap();
    let changed = text.replacen("description: ", "description: Views of merge requests. ", 1);
    std::fs::write(&path, changed).unwrap();
    let second = watching.next_run();
    assert!(
        second.iter().any(|l| l.contains("1 written")),
        "{second:#?}"
    );
    assert!(
        std::fs::read_to_string(&dictionary)
            .unwrap()
            .contains("Views of merge")
    );
}

#[test]
fn completions_and_the_man_page_cover_every_command() {
    let dir = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish"] {
        let output = run(dir.path(), &["completions", shell]);
        assert_eq!(status(&output), 0);
        let script = stdout(&output);
        for command in ["check", "build", "diff", "explain"] {
            assert!(script.contains(command), "{shell}: {command}");
        }
    }
    let output = run(dir.path(), &["man"]);
    let page = stdout(&output);
    assert!(page.starts_with(".ie") || page.starts_with(".TH"), "{page}");
    assert!(page.contains(".TH metricc"), "{page}");
    assert!(page.contains("diff"), "{page}");
}
