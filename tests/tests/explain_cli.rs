//! `metricc explain` prints each rule's own explanation; `docs/rules.md` is generated from
//! the same text and must not drift from it.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod common;

use common::*;

#[test]
fn explain_prints_a_rules_explanation_by_code_or_name() {
    let by_code = run(&workspace(), &["explain", "MC106"]);
    assert_eq!(status(&by_code), 0);
    let text = stdout(&by_code);
    assert!(
        text.starts_with("# MC106 unquoted-number (error by default)"),
        "{text}"
    );
    for section in [
        "## What it does",
        "## Why is this bad?",
        "## Example",
        "## Fix",
    ] {
        assert!(text.contains(section), "{section} missing:\n{text}");
    }
    assert!(text.contains("milestone: \"8.10\""));
    let by_name = run(&workspace(), &["explain", "unquoted-number"]);
    assert_eq!(stdout(&by_name), text);
}

#[test]
fn explain_without_a_code_lists_every_rule() {
    let output = run(&workspace(), &["explain"]);
    assert_eq!(status(&output), 0);
    let text = stdout(&output);
    assert!(text.lines().count() >= 45, "{text}");
    assert!(text.lines().all(|l| l.starts_with("MC")), "{text}");
    assert!(text.contains("MC503  stage-without-smau"), "{text}");
}

#[test]
fn unknown_rules_are_an_error_with_a_suggestion() {
    let output = run(&workspace(), &["explain", "MC10"]);
    assert_eq!(status(&output), 2);
    assert!(
        stderr(&output).contains("no rule `MC10`"),
        "{}",
        stderr(&output)
    );
    let output = run(&workspace(), &["explain", "unknown-feild"]);
    assert!(
        stderr(&output).contains("did you mean `unknown-field`?"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn the_rules_page_is_generated_from_the_rules() {
    let generated = stdout(&run(&workspace(), &["explain", "--markdown"]));
    let committed = std::fs::read_to_string(workspace().join("docs/rules.md")).unwrap();
    assert!(
        committed == generated,
        "docs/rules.md is stale: regenerate it with `cargo run -- explain --markdown > docs/rules.md`"
    );
}
