//! The generated dbt project, run by the real dbt (pinned in `tools/venv`) on DuckDB and on
//! PostgreSQL (started by `scripts/services` on a loopback port).
//!
//! One scratch project serves every check: the example `definitions/`, plus a SQL metric
//! and a description full of hostile text (quotes, dbt's `{{ }}` `{% %}` `{# #}`, `--`,
//! `*/`). The sample pings of `tests/pings/sample_pings.py` are loaded into each warehouse
//! with a small replica of the application database, then:
//!
//! - DuckDB: `dbt parse` (the semantic manifest, descriptions as written), then `dbt build`
//!   (every model and data test); every row of `xmau_monthly` is compared with the figures
//!   `sample_pings.py` computes independently; the SQL metric's model gives the count its
//!   query means over the replica.
//! - PostgreSQL: `dbt build`, and the same comparisons.
//!
//! dbt is slow to start, so each warehouse runs dbt as few times as possible: a run is done
//! once (and its failure kept) and several tests read it.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod common;

use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::OnceLock;

use common::*;
use serde_json::Value;

/// The vars every dbt run gets: the replica's models on, the window of the SQL metrics.
const VARS: &str = "{app_db: true, window_start: '2024-03-01', window_end: '2024-04-01'}";

/// What `dbt build` builds: every model but the SQL metrics', and the hostile SQL metric
/// with what it reads (the replica holds only its tables).
const SELECT: &str = "path:models/dictionary path:models/staging path:models/marts \
                      +counts_hostile_release_authors_monthly";

const HOSTILE_KEY_PATH: &str = "counts.hostile_release_authors_monthly";
const HOSTILE_MODEL: &str = "counts_hostile_release_authors_monthly";

/// The description the hostile metric has, as YAML reads it.
const HOSTILE_DESCRIPTION: &str = "It's \"quoted\" {{ var('boom') }} {% if true %}x{% endif %} \
     {# c #} -- not a comment */ /* \\ back\nsecond line {{{ }}";

/// A SQL metric with hostile text in its description and in its SQL (a comment, a string),
/// reading two tables of the replica (one through a schema and in capitals), with a
/// common table expression, the window parameters and a final `;`.
const HOSTILE_METRIC: &str = r#"---
key_path: counts.hostile_release_authors_monthly
description: "It's \"quoted\" {{ var('boom') }} {% if true %}x{% endif %} {# c #} -- not a comment */ /* \\ back\nsecond line {{{ }}"
product_group: release
product_categories:
- release_orchestration
value_type: number
status: active
time_frame: 28d
data_source: database
data_category: optional
sql: |
  -- authors of releases in the window {{ var('boom') }} */
  WITH recent AS (
    SELECT r.author_id
    FROM releases AS r
    JOIN Public.Projects p ON p.id = r.project_id
    WHERE r.created_at >= :window_start
      AND r.created_at < :window_end
      AND r.title <> '{{ not jinja }} -- */'
  )
  SELECT COUNT(DISTINCT author_id) FROM recent;
performance_indicator_type: []
tiers:
- free
milestone: '17.4'
introduced_by_url: https://forgeline.example.com/forgeline/forgeline/-/merge_requests/1
"#;

/// An xMAU metric of the example whose description becomes hostile, and that description.
const HOSTILE_XMAU_FILE: &str =
    "definitions/metrics/counts_28d/20230611114933_pipeline_users_monthly.yml";
const HOSTILE_XMAU_KEY_PATH: &str = "active_users.verify.pipeline_users_monthly";
const HOSTILE_XMAU_DESCRIPTION: &str = "Pipeline users {{ ref('x') }} {%- raw %} '--' */";

/// The replica's tables for the hostile metric: authors 1 and 2 released in the window
/// (3's project is not in `projects`, 4 is before the window, 6 at its excluded end, and
/// 5's title is the one the query leaves out).
const APP_DB: &str = "create schema if not exists app_db;
drop table if exists app_db.releases;
create table app_db.releases (author_id integer, project_id integer, created_at timestamp, title text);
insert into app_db.releases values
    (1, 10, '2024-03-05 10:00:00', 'a'),
    (1, 10, '2024-03-06 10:00:00', 'b'),
    (2, 10, '2024-03-10 10:00:00', 'c'),
    (3, 11, '2024-03-15 10:00:00', 'no such project'),
    (4, 10, '2024-02-28 10:00:00', 'before the window'),
    (5, 10, '2024-03-20 10:00:00', '{{ not jinja }} -- */'),
    (6, 10, '2024-04-01 00:00:00', 'at the end of the window');
drop table if exists app_db.projects;
create table app_db.projects (id integer);
insert into app_db.projects values (10);
";
const HOSTILE_EXPECTED_VALUE: i64 = 2;

/// The scratch project, built once: its folder, and the files the warehouses load.
struct Project {
    root: PathBuf,
    pings: PathBuf,
    app_db: PathBuf,
    /// The rows `xmau_monthly` must hold, computed by `sample_pings.py`.
    expected: Vec<Value>,
}

fn project() -> &'static Project {
    static PROJECT: OnceLock<Project> = OnceLock::new();
    PROJECT.get_or_init(|| {
        let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("dbt-project");
        let _ = std::fs::remove_dir_all(&root);
        copy_tree(&workspace().join("definitions"), &root.join("definitions"));
        std::fs::write(
            root.join(
                "definitions/metrics/counts_28d/20240901000000_hostile_release_authors_monthly.yml",
            ),
            HOSTILE_METRIC,
        )
        .unwrap();
        let xmau = root.join(HOSTILE_XMAU_FILE);
        let text = std::fs::read_to_string(&xmau).unwrap();
        let described: String = text
            .lines()
            .map(|line| {
                if line.starts_with("description:") {
                    format!(
                        "description: {}\n",
                        serde_json::to_string(HOSTILE_XMAU_DESCRIPTION).unwrap()
                    )
                } else {
                    format!("{line}\n")
                }
            })
            .collect();
        assert_ne!(
            text, described,
            "{HOSTILE_XMAU_FILE} has a description line"
        );
        std::fs::write(&xmau, described).unwrap();

        let output = run(&root, &["build"]);
        assert_eq!(status(&output), 0, "{}{}", stdout(&output), stderr(&output));

        let dictionary = root.join("generated/dictionary.json");
        let pings = root.join("pings.json");
        let generated = python(&[
            sample_pings().as_os_str(),
            "pings".as_ref(),
            dictionary.as_os_str(),
        ]);
        std::fs::write(&pings, &generated.stdout).unwrap();
        let expected = python(&[
            sample_pings().as_os_str(),
            "xmau".as_ref(),
            dictionary.as_os_str(),
            pings.as_os_str(),
        ]);
        let expected: Vec<Value> = serde_json::from_slice(&expected.stdout).unwrap();
        let app_db = root.join("app_db.sql");
        std::fs::write(&app_db, APP_DB).unwrap();
        Project {
            root,
            pings,
            app_db,
            expected,
        }
    })
}

fn sample_pings() -> PathBuf {
    workspace().join("tests/pings/sample_pings.py")
}

/// Runs a script with the tools venv's Python; fails the test when it fails.
fn python(args: &[&std::ffi::OsStr]) -> Output {
    let output = Command::new(tool("tools/venv/bin/python"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "python {args:?}: {}{}",
        stdout(&output),
        stderr(&output)
    );
    output
}

/// A warehouse the project runs on.
struct Warehouse {
    /// `duckdb` or `postgres`: the profile's target.
    target: &'static str,
    /// `warehouse.py`'s name for it.
    address: String,
    /// The schema dbt builds into.
    schema: &'static str,
    /// Environment for dbt and `warehouse.py`.
    env: Vec<(String, String)>,
    /// dbt's target and log folders.
    work: PathBuf,
}

impl Warehouse {
    fn warehouse_py(&self, args: &[&str]) -> Result<Output, String> {
        let output = Command::new(tool("tools/venv/bin/python"))
            .arg(workspace().join("tests/pings/warehouse.py"))
            .args(args)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .output()
            .map_err(|e| e.to_string())?;
        if output.status.success() {
            Ok(output)
        } else {
            Err(format!(
                "warehouse.py {args:?}: {}{}",
                stdout(&output),
                stderr(&output)
            ))
        }
    }

    fn load(&self, project: &Project) -> Result<(), String> {
        self.warehouse_py(&["load", &self.address, project.pings.to_str().unwrap()])?;
        self.warehouse_py(&["run", &self.address, project.app_db.to_str().unwrap()])?;
        Ok(())
    }

    fn query(&self, sql: &str) -> Result<Vec<Value>, String> {
        let output = self.warehouse_py(&["query", &self.address, sql])?;
        serde_json::from_slice(&output.stdout).map_err(|e| e.to_string())
    }

    /// Runs `dbt <command>` in the generated project.
    fn dbt(&self, project: &Project, command: &[&str]) -> Result<Output, String> {
        let dir = project.root.join("generated/dbt");
        let output = Command::new(tool("tools/venv/bin/dbt"))
            .args(command)
            .args(["--project-dir", ".", "--profiles-dir", "."])
            .args(["--target", self.target, "--vars", VARS])
            .arg("--target-path")
            .arg(self.work.join("target"))
            .arg("--log-path")
            .arg(self.work.join("logs"))
            .current_dir(&dir)
            .env("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
            .env_remove("DBT_PROFILES_DIR")
            .env_remove("DBT_PROJECT_DIR")
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .output()
            .map_err(|e| e.to_string())?;
        if output.status.success() {
            Ok(output)
        } else {
            Err(format!(
                "dbt {command:?} on {} failed:\n{}{}",
                self.target,
                stdout(&output),
                stderr(&output)
            ))
        }
    }

    /// What every warehouse must hold after `dbt build`: the xMAU figures of the sample
    /// pings, the hostile SQL metric's count, descriptions as written.
    fn built(&self, project: &Project) -> Result<Built, String> {
        let schema = self.schema;
        Ok(Built {
            xmau: self.query(&format!(
                "select * from {schema}.xmau_monthly order by reporting_month, role, key_path"
            ))?,
            sql_metric: self.query(&format!("select * from {schema}.{HOSTILE_MODEL}"))?,
            descriptions: self.query(&format!(
                "select key_path, description from {schema}.metric_dictionary \
                 where key_path in ('{HOSTILE_KEY_PATH}', '{HOSTILE_XMAU_KEY_PATH}') \
                 order by key_path"
            ))?,
            expected: project.expected.clone(),
        })
    }
}

/// What a warehouse holds after the project's `dbt build`.
struct Built {
    xmau: Vec<Value>,
    sql_metric: Vec<Value>,
    descriptions: Vec<Value>,
    expected: Vec<Value>,
}

/// What a DuckDB run produced: `dbt parse`'s files and what `dbt build` built.
struct DuckDbRun {
    manifest: Value,
    semantic_manifest: Value,
    built: Built,
}

fn duckdb() -> &'static Result<DuckDbRun, String> {
    static RUN: OnceLock<Result<DuckDbRun, String>> = OnceLock::new();
    RUN.get_or_init(|| {
        let project = project();
        let work = project.root.join("duckdb");
        std::fs::create_dir_all(&work).map_err(|e| e.to_string())?;
        let database = work.join("metricc.duckdb");
        let warehouse = Warehouse {
            target: "duckdb",
            address: format!("duckdb:{}", database.display()),
            schema: "main",
            env: vec![(
                "METRICC_DUCKDB_PATH".to_owned(),
                database.display().to_string(),
            )],
            work: work.clone(),
        };
        warehouse.load(project)?;
        warehouse.dbt(project, &["parse"])?;
        let read = |name: &str| -> Result<Value, String> {
            let text = std::fs::read(work.join("target").join(name))
                .map_err(|e| format!("dbt parse did not write {name}: {e}"))?;
            serde_json::from_slice(&text).map_err(|e| e.to_string())
        };
        let manifest = read("manifest.json")?;
        let semantic_manifest = read("semantic_manifest.json")?;
        warehouse.dbt(project, &["build", "--select", SELECT])?;
        Ok(DuckDbRun {
            manifest,
            semantic_manifest,
            built: warehouse.built(project)?,
        })
    })
}

fn postgres() -> &'static Result<Built, String> {
    static RUN: OnceLock<Result<Built, String>> = OnceLock::new();
    RUN.get_or_init(|| {
        let project = project();
        let services = workspace().join("scripts/services");
        let started = Command::new(&services)
            .args(["start", "postgres"])
            .output()
            .map_err(|e| e.to_string())?;
        if !started.status.success() {
            return Err(format!(
                "scripts/services start postgres failed: {}",
                stderr(&started)
            ));
        }
        let env = Command::new(&services)
            .args(["env", "postgres"])
            .output()
            .map_err(|e| e.to_string())?;
        let mut env: Vec<(String, String)> = stdout(&env)
            .lines()
            .filter_map(|l| l.strip_prefix("export ")?.split_once('='))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        if env.len() != 5 {
            return Err(format!("scripts/services env postgres printed {env:?}"));
        }
        let database = "metricc_dbt_test";
        let warehouse = Warehouse {
            target: "postgres",
            address: "postgres".to_owned(),
            schema: "analytics",
            env: env.clone(),
            work: project.root.join("postgres"),
        };
        warehouse.warehouse_py(&["create-database", database])?;
        env.retain(|(k, _)| k != "PGDATABASE");
        env.push(("PGDATABASE".to_owned(), database.to_owned()));
        let warehouse = Warehouse { env, ..warehouse };
        warehouse.load(project)?;
        warehouse.dbt(project, &["build", "--select", SELECT])?;
        warehouse.built(project)
    })
}

fn duckdb_run() -> &'static DuckDbRun {
    duckdb().as_ref().unwrap_or_else(|e| panic!("{e}"))
}

fn postgres_run() -> &'static Built {
    postgres().as_ref().unwrap_or_else(|e| panic!("{e}"))
}

/// Every row of `xmau_monthly` is the row `sample_pings.py` computed, and no row is missing.
fn assert_figures_match(built: &Built, warehouse: &str) {
    assert!(
        built.expected.len() > 100,
        "the sample should exercise many figures, not {}",
        built.expected.len()
    );
    assert_eq!(
        built.xmau.len(),
        built.expected.len(),
        "{warehouse}: xmau_monthly has {} rows, the pings give {}",
        built.xmau.len(),
        built.expected.len()
    );
    for (actual, expected) in built.xmau.iter().zip(&built.expected) {
        let expected = expected.as_object().unwrap();
        let actual = actual.as_object().unwrap();
        let mut columns: Vec<&String> = actual.keys().collect();
        columns.sort();
        let mut wanted: Vec<&String> = expected.keys().collect();
        wanted.sort();
        assert_eq!(columns, wanted, "{warehouse}: the columns of xmau_monthly");
        for (column, want) in expected {
            let got = &actual[column];
            let same = match (want.as_f64(), got.as_f64()) {
                (Some(a), Some(b)) => (a - b).abs() <= 1e-9 * a.abs().max(1.0),
                _ => want == got,
            };
            assert!(
                same,
                "{warehouse}: {column} is {got}, not {want}, in\n  {actual:?}\nexpected\n  {expected:?}"
            );
        }
    }
    // The sample must reach the cases that make the figures hard.
    let reporting = |r: &Value| r["instances_reporting"].as_i64().unwrap();
    let pinging = |r: &Value| r["instances_pinging"].as_i64().unwrap();
    assert!(
        built
            .expected
            .iter()
            .any(|r| reporting(r) == 0 && r["estimated_value"].is_null())
    );
    assert!(
        built
            .expected
            .iter()
            .any(|r| reporting(r) > 0 && reporting(r) < pinging(r))
    );
    assert!(built.expected.iter().any(|r| reporting(r) == pinging(r)));
}

fn assert_hostile_text_kept(built: &Built, warehouse: &str) {
    assert_eq!(
        built.sql_metric.len(),
        1,
        "{warehouse}: {:?}",
        built.sql_metric
    );
    let row = &built.sql_metric[0];
    assert_eq!(row["key_path"], HOSTILE_KEY_PATH, "{warehouse}");
    assert_eq!(
        row["value"].as_i64(),
        Some(HOSTILE_EXPECTED_VALUE),
        "{warehouse}: {row}"
    );
    assert_eq!(row["window_start"], "2024-03-01 00:00:00", "{warehouse}");
    assert_eq!(row["window_end"], "2024-04-01 00:00:00", "{warehouse}");
    let descriptions: Vec<(&str, &str)> = built
        .descriptions
        .iter()
        .map(|r| {
            (
                r["key_path"].as_str().unwrap(),
                r["description"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        descriptions,
        [
            (HOSTILE_XMAU_KEY_PATH, HOSTILE_XMAU_DESCRIPTION),
            (HOSTILE_KEY_PATH, HOSTILE_DESCRIPTION),
        ],
        "{warehouse}: metric_dictionary's descriptions"
    );
}

#[test]
fn duckdb_xmau_monthly_matches_figures_computed_from_the_pings() {
    assert_figures_match(&duckdb_run().built, "duckdb");
}

#[test]
fn duckdb_keeps_hostile_text_in_sql_and_yaml() {
    let run = duckdb_run();
    assert_hostile_text_kept(&run.built, "duckdb");
    let nodes = &run.manifest["nodes"];
    let model = &nodes[format!("model.metricc.{HOSTILE_MODEL}")];
    assert_eq!(model["description"], HOSTILE_DESCRIPTION);
    assert_eq!(model["config"]["meta"]["key_path"], HOSTILE_KEY_PATH);
}

#[test]
fn dbt_parse_writes_the_semantic_manifest_with_the_xmau_metrics() {
    let manifest = &duckdb_run().semantic_manifest;
    let mut metrics: Vec<&str> = manifest["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    metrics.sort_unstable();
    let mut expected = Vec::new();
    for role in ["amau", "gmau", "paid_gmau", "smau", "umau"] {
        expected.push(format!("{role}_estimated"));
        expected.push(format!("{role}_recorded"));
    }
    assert_eq!(metrics, expected);
    let models: Vec<&str> = manifest["semantic_models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert_eq!(models, ["xmau"]);
}

#[test]
fn every_sql_metric_has_a_model_that_dbt_parses() {
    let run = duckdb_run();
    let dictionary: Value = serde_json::from_slice(
        &std::fs::read(project().root.join("generated/dictionary.json")).unwrap(),
    )
    .unwrap();
    let nodes = run.manifest["nodes"].as_object().unwrap();
    let mut sql_metrics = 0;
    for metric in dictionary["metrics"].as_array().unwrap() {
        if metric.get("sql").is_none() || metric["status"] == "removed" {
            continue;
        }
        sql_metrics += 1;
        let name = metric["names"]["dbt"].as_str().unwrap();
        let node = &nodes[&format!("model.metricc.{name}")];
        assert_eq!(
            node["config"]["enabled"], true,
            "{name} is not parsed as an enabled model"
        );
        let sources: Vec<&str> = node["sources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s[0].as_str().unwrap())
            .collect();
        let tables = metric["sql"]["tables"].as_array().unwrap();
        assert!(
            sources.len() <= tables.len()
                && sources.is_empty() == tables.is_empty()
                && sources.iter().all(|s| *s == "app_db"),
            "{name} reads {sources:?}, its SQL {tables:?}"
        );
    }
    assert!(sql_metrics > 50, "{sql_metrics} SQL metrics");
}

#[test]
fn postgres_xmau_monthly_matches_figures_computed_from_the_pings() {
    assert_figures_match(postgres_run(), "postgres");
}

#[test]
fn postgres_keeps_hostile_text_in_sql() {
    assert_hostile_text_kept(postgres_run(), "postgres");
}
