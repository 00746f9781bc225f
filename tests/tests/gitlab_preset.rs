//! `--preset gitlab` follows GitLab's own lists: a checked tree's
//! `config/metrics/schema/product_groups.json` and `config/feature_categories.yml` when it
//! holds them (authoritative at that revision), the bundled lists otherwise.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod common;

use std::fs;
use std::path::Path;

use common::*;
use serde_json::Value;

fn metric(group: &str, category: &str, extra: &str) -> String {
    format!(
        "key_path: counts.KEY\ndescription: Count of widgets\nproduct_group: {group}\n\
         product_categories:\n- {category}\nvalue_type: number\nstatus: active\ntime_frame: all\n\
         data_source: database\ndata_category: optional\ninstrumentation_class: CountWidgetsMetric\n\
         tiers: [free, premium, ultimate]\nmilestone: \"17.0\"\n\
         introduced_by_url: https://gitlab.com/gitlab-org/gitlab/-/merge_requests/1\n{extra}"
    )
}

/// A GitLab tree with one metric file per `(name, text)`.
fn tree(files: &[(&str, String)], lists: Option<(&str, &str)>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let path = dir.path().join("config/metrics/counts_all").join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text.replace("KEY", name.trim_end_matches(".yml"))).unwrap();
    }
    if let Some((groups, categories)) = lists {
        let schema = dir.path().join("config/metrics/schema");
        fs::create_dir_all(&schema).unwrap();
        fs::write(schema.join("product_groups.json"), groups).unwrap();
        fs::write(dir.path().join("config/feature_categories.yml"), categories).unwrap();
    }
    dir
}

fn check(root: &Path) -> (i32, Vec<Value>) {
    let output = run(root, &["check", "--preset", "gitlab", "--format", "json"]);
    let code = status(&output);
    let report = json(&output);
    (code, report["diagnostics"].as_array().unwrap().clone())
}

fn find<'a>(diagnostics: &'a [Value], code: &str, file: &str) -> Vec<&'a Value> {
    diagnostics
        .iter()
        .filter(|d| d["code"] == code && d["file"].as_str().unwrap().ends_with(&format!("/{file}")))
        .collect()
}

#[test]
fn without_its_own_lists_the_bundled_lists_decide() {
    let dir = tree(
        &[
            // added to GitLab's list in 2026-03
            ("new.yml", metric("runner_core", "runner", "")),
            // dropped then, replaced by runner_core
            ("dropped.yml", metric("runner", "runner", "")),
            // dropped, no successor known
            (
                "orphan.yml",
                metric("distribution_deploy", "omnibus_package", ""),
            ),
            ("category.yml", metric("source_code", "not_a_category", "")),
        ],
        None,
    );
    let (code, diagnostics) = check(dir.path());
    assert_eq!(code, 1, "{diagnostics:#?}");
    assert!(find(&diagnostics, "MC403", "new.yml").is_empty());
    let dropped = find(&diagnostics, "MC403", "dropped.yml");
    assert_eq!(dropped.len(), 1, "{diagnostics:#?}");
    assert_eq!(dropped[0]["severity"], "error");
    assert!(
        dropped[0]["message"]
            .as_str()
            .unwrap()
            .contains("no longer exists")
    );
    assert!(
        dropped[0]["help"]
            .as_str()
            .unwrap()
            .contains("`runner_core`"),
        "{}",
        dropped[0]
    );
    let orphan = find(&diagnostics, "MC403", "orphan.yml");
    assert!(orphan[0]["help"].as_str().unwrap().contains("no successor"));
    // The bundled category list may be behind GitLab: an unknown category is a warning.
    let category = find(&diagnostics, "MC408", "category.yml");
    assert_eq!(category.len(), 1, "{diagnostics:#?}");
    assert_eq!(category[0]["severity"], "warning");
    let errors: Vec<&Value> = diagnostics
        .iter()
        .filter(|d| d["severity"] == "error")
        .collect();
    assert_eq!(errors.len(), 2, "{errors:#?}");
}

#[test]
fn the_trees_own_lists_are_authoritative() {
    let dir = tree(
        &[
            // in the tree's list only: accepted, without a stage
            (
                "listed.yml",
                metric("brand_new_group", "brand_new_category", ""),
            ),
            // in the bundled taxonomy, not in the tree's list: dropped at this revision
            (
                "unlisted.yml",
                metric("source_code", "brand_new_category", ""),
            ),
            // a bundled category the tree's list does not have: an error here
            (
                "category.yml",
                metric("brand_new_group", "source_code_management", ""),
            ),
        ],
        Some((
            "{\"enum\": [\"brand_new_group\", \"runner\"]}\n",
            "---\n- brand_new_category\n",
        )),
    );
    let (code, diagnostics) = check(dir.path());
    assert_eq!(code, 1);
    assert!(find(&diagnostics, "MC403", "listed.yml").is_empty());
    assert!(find(&diagnostics, "MC408", "listed.yml").is_empty());
    let unlisted = find(&diagnostics, "MC403", "unlisted.yml");
    assert_eq!(unlisted.len(), 1, "{diagnostics:#?}");
    let category = find(&diagnostics, "MC408", "category.yml");
    assert_eq!(category.len(), 1, "{diagnostics:#?}");
    assert_eq!(category[0]["severity"], "error");
    assert_eq!(diagnostics.len(), 2, "{diagnostics:#?}");

    // `runner`, dropped from the bundled list, exists at this revision.
    let dir = tree(
        &[("old.yml", metric("runner", "brand_new_category", ""))],
        Some(("{\"enum\": [\"runner\"]}", "- brand_new_category\n")),
    );
    let (code, diagnostics) = check(dir.path());
    assert_eq!((code, diagnostics.len()), (0, 0), "{diagnostics:#?}");
}

#[test]
fn an_unreadable_list_falls_back_to_the_bundled_one() {
    let dir = tree(
        &[("a.yml", metric("runner_core", "runner", ""))],
        Some(("[\"not\", \"an\", {\"enum\": 1}]", "categories: [x]\n")),
    );
    let (code, diagnostics) = check(dir.path());
    assert_eq!(code, 0, "{diagnostics:#?}");
    let unusable: Vec<&Value> = diagnostics
        .iter()
        .filter(|d| d["code"] == "MC010")
        .collect();
    assert_eq!(unusable.len(), 2, "{diagnostics:#?}");
    assert!(unusable.iter().all(|d| d["severity"] == "warning"));
}

#[test]
fn stage_and_section_are_legacy_fields_under_the_gitlab_preset() {
    let dir = tree(
        &[(
            "a.yml",
            metric(
                "runner_core",
                "runner",
                "product_stage: verify\nproduct_section: ci\n",
            ),
        )],
        None,
    );
    let (_, diagnostics) = check(dir.path());
    let legacy = find(&diagnostics, "MC107", "a.yml");
    assert_eq!(legacy.len(), 2, "{diagnostics:#?}");
    assert!(
        legacy[0]["help"]
            .as_str()
            .unwrap()
            .contains("follows from `product_group`")
    );
    assert!(find(&diagnostics, "MC404", "a.yml").is_empty());
}

#[test]
fn an_empty_removed_by_url_is_allowed() {
    let removed = metric("runner_core", "runner", "").replace("status: active", "status: removed")
        + "milestone_removed: \"17.2\"\nremoved_by_url:\n";
    let dir = tree(&[("a.yml", removed)], None);
    let (code, diagnostics) = check(dir.path());
    assert_eq!((code, diagnostics.len()), (0, 0), "{diagnostics:#?}");
}
