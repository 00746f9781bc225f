//! The HTML metric dictionary in a real browser: headless Chromium (Debian's, installed by
//! `scripts/setup.d/30-chromium`) driven by playwright-core (pinned in `tools/package.json`)
//! through `tests/browser/site.mjs`, on the site built from `definitions/` (plus one metric
//! with a hostile description) and from the 10,000-metric benchmark dictionary
//! (`bench/generate.py`). What the page must show is computed here from `dictionary.json`,
//! independently of the site's own index and script.
//!
//! Also checks that every HTML page is valid (html-validate, pinned in `tools/package.json`).

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod common;

use std::path::Path;
use std::process::Command;

use common::*;
use serde_json::{Value, json};

/// A description no page may turn into markup, script or template syntax.
pub const HOSTILE: &str = "Hostile | <script>window.__metriccHostile = 1</script> \
     <img src=x onerror=\"window.__metriccHostile = 1\"> {{ site.title }} {% if x %} *bold* `code`";

/// Adds a metric with a [`HOSTILE`] description to a project made from `definitions/`.
pub fn add_hostile_metric(project: &Path) {
    let source = project.join("definitions/metrics/counts_all/20230427213221_issues.yml");
    let text = std::fs::read_to_string(&source).unwrap();
    let hostile = text
        .replace("key_path: totals.issues", "key_path: totals.hostile_text")
        .replace(
            "description: Total number of issues on the instance",
            &format!("description: '{}'", HOSTILE.replace('\'', "''")),
        )
        .replace("- customer_health_score", "- lighthouse");
    assert!(hostile.contains("hostile_text") && hostile.contains("__metriccHostile"));
    std::fs::write(
        project.join("definitions/metrics/counts_all/20991231000000_hostile_text.yml"),
        hostile,
    )
    .unwrap();
}

fn build(project: &Path, toml: &str) -> Value {
    std::fs::write(project.join("metricc.toml"), toml).unwrap();
    let output = run(project, &["build"]);
    assert_eq!(status(&output), 0, "{}{}", stdout(&output), stderr(&output));
    let dictionary = project.join("generated/dictionary.json");
    serde_json::from_str(&std::fs::read_to_string(dictionary).unwrap()).unwrap()
}

/// Group key → (name, slug, stage key).
fn groups(view: &Value) -> std::collections::HashMap<String, (String, String, String)> {
    let mut out = std::collections::HashMap::new();
    for section in view["taxonomy"].as_array().unwrap() {
        for stage in section["stages"].as_array().unwrap() {
            for g in stage["groups"].as_array().unwrap() {
                out.insert(
                    g["key"].as_str().unwrap().to_owned(),
                    (
                        g["name"].as_str().unwrap().to_owned(),
                        g["names"]["slug"].as_str().unwrap().to_owned(),
                        stage["key"].as_str().unwrap().to_owned(),
                    ),
                );
            }
        }
    }
    out
}

fn text(v: &Value) -> &str {
    v.as_str().unwrap_or("")
}

/// What the site's search must find for `query`: every term in the key path, description,
/// event names or group, case-insensitively (the behaviour the search page promises).
fn matches(view: &Value, query: &str, stage: Option<&str>) -> usize {
    let groups = groups(view);
    let terms: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
    view["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| {
            let group = groups.get(text(&m["product_group"]));
            if let Some(stage) = stage {
                if group.map(|g| g.2.as_str()) != Some(stage) {
                    return false;
                }
            }
            let events: Vec<&str> = m["events"]
                .as_array()
                .map(|es| es.iter().map(|e| text(&e["name"])).collect())
                .unwrap_or_default();
            let hay = format!(
                "{}\n{}\n{}\n{}",
                text(&m["key_path"]),
                text(&m["description"]),
                events.join(" "),
                group
                    .map(|g| format!("{} {}", text(&m["product_group"]), g.0))
                    .unwrap_or_default()
            )
            .to_lowercase();
            terms.iter().all(|t| hay.contains(t.as_str()))
        })
        .count()
}

/// The browser test's case for a built site: a metric to search for and open, a filter,
/// and what each should give.
fn case(project: &Path, view: &Value, pick: &Value, hostile: bool, filter_query: &str) -> Value {
    let groups = groups(view);
    let key_path = text(&pick["key_path"]);
    let (group_name, group_slug, stage) = groups.get(text(&pick["product_group"])).unwrap();
    let event = text(&pick["events"][0]["name"]);
    let stage_name = view["taxonomy"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["stages"].as_array().unwrap())
        .find(|s| s["key"] == stage.as_str())
        .map(|s| text(&s["name"]).to_owned())
        .unwrap();
    let first_group = &view["taxonomy"][0]["stages"][0]["groups"][0];
    let first_event = &view["events"][0];
    let mut spec = json!({
        "site": project.join("generated/docs/html"),
        "metrics": view["metrics"].as_array().unwrap().len(),
        "search": {"query": key_path, "first": key_path, "matches": matches(view, key_path, None)},
        "also_found": [[event, key_path], [group_name, key_path]],
        "filter": {"stage": stage, "query": filter_query,
                   "matches": matches(view, filter_query, Some(stage))},
        "timing_queries": ["a", "e", "count", "users monthly", key_path, event, "zzzz-nothing"],
        "max_search_ms": 100,
        "metric": {
            "key_path": key_path,
            "slug": text(&pick["names"]["slug"]),
            "description": text(&pick["description"]),
            "group": {"name": group_name, "slug": group_slug},
            "shows": [group_name, stage_name, text(&pick["time_frame"]), event,
                      text(&pick["file"])],
        },
        "pages": [
            "xmau.html", "browse.html",
            format!("groups/{}.html", text(&first_group["names"]["slug"])),
            format!("events/{}.html", text(&first_event["names"]["slug"])),
            format!("stages/{}.html", text(&view["taxonomy"][0]["stages"][0]["names"]["slug"])),
            format!("sections/{}.html", text(&view["taxonomy"][0]["names"]["slug"])),
        ],
    });
    if hostile {
        spec["hostile"] = json!({
            "slug": "totals.hostile_text",
            "description": HOSTILE,
            "query": "totals.hostile_text",
        });
    }
    spec
}

fn drive(project: &Path, spec: &Value) {
    tool("tools/node_modules/playwright-core/package.json");
    assert!(
        Path::new("/usr/bin/chromium").exists(),
        "/usr/bin/chromium is missing: run `scripts/setup-test-tools` (the README's test command does)"
    );
    let case = project.join("case.json");
    std::fs::write(&case, serde_json::to_string_pretty(spec).unwrap()).unwrap();
    let output = Command::new("node")
        .arg(workspace().join("tests/browser/site.mjs"))
        .arg(&case)
        .output()
        .expect("node runs");
    let log = format!("{}{}", stdout(&output), stderr(&output));
    eprintln!("{log}");
    assert!(output.status.success(), "the browser test failed:\n{log}");
}

/// Picks a metric the browser opens: owned by a group of the taxonomy, described, counting
/// an event.
fn pick(view: &Value, from: usize) -> Value {
    let groups = groups(view);
    view["metrics"].as_array().unwrap()[from..]
        .iter()
        .find(|m| {
            groups.contains_key(text(&m["product_group"]))
                && !text(&m["description"]).is_empty()
                && m["events"].as_array().is_some_and(|e| !e.is_empty())
        })
        .cloned()
        .unwrap()
}

#[test]
fn the_site_of_the_example_dictionary_works_in_chromium() {
    let project = example_project();
    add_hostile_metric(project.path());
    let view = build(project.path(), "");
    let pick = pick(&view, 0);
    let spec = case(project.path(), &view, &pick, true, "users");
    drive(project.path(), &spec);
}

#[test]
fn the_site_of_ten_thousand_metrics_searches_in_under_100_ms() {
    let project = tempfile::tempdir().unwrap();
    let generated = Command::new("python3")
        .arg(workspace().join("bench/generate.py"))
        .arg(project.path())
        .status()
        .expect("python3 runs");
    assert!(generated.success());
    // Only the HTML site: the other outputs are not under test here.
    let view = build(
        project.path(),
        "[build]\noutputs = [\"dictionary\", \"docs\"]\n[build.docs]\nmarkdown = false\n",
    );
    let count = view["metrics"].as_array().unwrap().len();
    assert!(count >= 10_000, "{count} metrics");
    let pick = pick(&view, count / 2);
    let spec = case(project.path(), &view, &pick, false, "action");
    drive(project.path(), &spec);
}

#[test]
fn every_html_page_is_valid() {
    let project = example_project();
    add_hostile_metric(project.path());
    build(project.path(), "");
    let validator = tool("tools/node_modules/html-validate/bin/html-validate.mjs");
    let output = Command::new("node")
        .arg(validator)
        .arg("--config")
        .arg(workspace().join("tests/browser/htmlvalidate.json"))
        .arg("--formatter")
        .arg("text")
        .arg(project.path().join("generated/docs/html"))
        .output()
        .expect("node runs");
    assert!(
        output.status.success(),
        "html-validate found problems:\n{}{}",
        stdout(&output),
        stderr(&output)
    );
}

fn read(project: &Path, path: &str) -> String {
    std::fs::read_to_string(project.join("generated").join(path))
        .unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The cells of a Markdown table row: split at the `|` that are not escaped.
fn cells(row: &str) -> usize {
    let mut count = 0usize;
    let mut chars = row.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '|' => count += 1,
            _ => {}
        }
    }
    count.saturating_sub(1)
}

#[test]
fn a_hostile_description_is_text_in_markdown_and_html() {
    let project = example_project();
    add_hostile_metric(project.path());
    build(project.path(), "");
    let p = project.path();

    let md = read(p, "docs/markdown/metrics/totals.hostile_text.md");
    for page in [
        md.as_str(),
        &read(p, "docs/markdown/groups/project_planning.md"),
        &read(p, "docs/markdown/SUMMARY.md"),
    ] {
        for raw in ["<script", "<img", "{{", "{%"] {
            assert!(!page.contains(raw), "{raw} in\n{page}");
        }
    }
    assert!(md.contains("&lt;script&gt;"), "{md}");
    assert!(md.contains("Hostile \\| "), "{md}");
    // The front matter still holds the exact text, for MkDocs and Hugo to read.
    let front: String = md
        .lines()
        .find_map(|l| l.strip_prefix("description: "))
        .map(|v| serde_json::from_str(v).unwrap())
        .unwrap();
    assert_eq!(front, HOSTILE);
    // In the group's table, the hostile row keeps its four columns.
    let group = read(p, "docs/markdown/groups/project_planning.md");
    let row = group
        .lines()
        .find(|l| l.contains("totals.hostile"))
        .unwrap();
    assert_eq!(cells(row), 4, "{row}");

    for page in [
        read(p, "docs/html/metrics/totals.hostile_text.html"),
        read(p, "docs/html/groups/project_planning.html"),
    ] {
        assert!(!page.contains("<script>window"), "{page}");
        assert!(!page.contains("<img"), "{page}");
        assert!(
            page.contains("&lt;script&gt;window.__metriccHostile"),
            "{page}"
        );
        assert!(page.contains("{{ site.title }}"), "{page}");
    }
    let index = read(p, "docs/html/search-index.js");
    assert!(!index.contains('<'), "raw < in the search index");
    assert!(index.contains("\\u003cscript>window.__metriccHostile"));
}

#[test]
fn docs_templates_can_be_overridden() {
    let project = example_project();
    let p = project.path();
    let templates = p.join("my-templates/docs");
    std::fs::create_dir_all(templates.join("html/assets")).unwrap();
    std::fs::create_dir_all(templates.join("markdown")).unwrap();
    // Starting from metricc's own text, as a user would (`metricc templates NAME`).
    let own = run(p, &["templates", "docs/markdown/metric.md.j2"]);
    assert_eq!(status(&own), 0, "{}", stderr(&own));
    std::fs::write(
        templates.join("markdown/metric.md.j2"),
        stdout(&own).replace("## How it is counted", "## Counted by our own rules"),
    )
    .unwrap();
    std::fs::write(
        templates.join("html/metric.html.j2"),
        "{% extends \"docs/html/base.html.j2\" %}\n{% block title %}{{ page.metric.key_path }}{% endblock %}\n\
         {% block main %}<h1>{{ page.metric.key_path }}</h1><p class=\"ours\">{{ page.description }}</p>{% endblock %}\n",
    )
    .unwrap();
    std::fs::write(
        templates.join("html/assets/style.css"),
        "body { color: teal; }\n",
    )
    .unwrap();
    let output = run(p, &["build", "--templates", "my-templates"]);
    assert_eq!(status(&output), 0, "{}", stderr(&output));

    let md = read(p, "docs/markdown/metrics/totals.issues.md");
    assert!(md.contains("## Counted by our own rules"), "{md}");
    assert!(!md.contains("## How it is counted"));
    let html = read(p, "docs/html/metrics/totals.issues.html");
    assert!(
        html.contains("<p class=\"ours\">Total number of issues on the instance</p>"),
        "{html}"
    );
    assert_eq!(
        read(p, "docs/html/assets/style.css"),
        "body { color: teal; }\n"
    );
    // What was not overridden is metricc's own.
    let event = read(p, "docs/html/events/create_issue.html");
    assert!(event.contains("Metrics that count it"), "{event}");
}

#[test]
fn a_typo_in_a_docs_template_is_an_error_naming_its_file_and_line() {
    let project = example_project();
    let p = project.path();
    std::fs::create_dir_all(p.join("my-templates/docs/html")).unwrap();
    std::fs::write(
        p.join("my-templates/docs/html/event.html.j2"),
        "{% extends \"docs/html/base.html.j2\" %}\n{% block title %}x{% endblock %}\n\
         {% block main %}\n<h1>{{ page.event.actoin }}</h1>\n{% endblock %}\n",
    )
    .unwrap();
    let output = run(p, &["build", "--templates", "my-templates"]);
    assert_eq!(status(&output), 2, "{}", stderr(&output));
    let err = stderr(&output);
    assert!(err.contains("docs/html/event.html.j2:4"), "{err}");
    assert!(err.contains("undefined"), "{err}");
    assert!(
        !p.join("generated").exists(),
        "a failed build wrote outputs"
    );
}

#[test]
fn definition_files_link_to_the_repository() {
    let project = example_project();
    let p = project.path();
    build(
        p,
        "[build.docs]\nrepository_url = \"https://git.example.com/org/app/-/blob/main/\"\n\
         title = \"Forgeline metrics\"\n",
    );
    let md = read(p, "docs/markdown/metrics/totals.issues.md");
    assert!(
        md.contains("](https://git.example.com/org/app/-/blob/main/definitions/metrics/counts_all/20230427213221_issues.yml#L2)"),
        "{md}"
    );
    let html = read(p, "docs/html/metrics/totals.issues.html");
    assert!(html.contains("href=\"https://git.example.com/org/app/-/blob/main/definitions/metrics/counts_all/20230427213221_issues.yml#L2\""), "{html}");
    assert!(
        html.contains("<title>totals.issues · Forgeline metrics</title>"),
        "{html}"
    );

    std::fs::write(
        p.join("metricc.toml"),
        "[build.docs]\nrepository_url = \"javascript:alert(1)\"\n",
    )
    .unwrap();
    let output = run(p, &["build"]);
    assert_eq!(status(&output), 2);
    assert!(
        stderr(&output).contains("repository_url"),
        "{}",
        stderr(&output)
    );
}
