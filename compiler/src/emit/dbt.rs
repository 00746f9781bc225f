//! The dbt project (`dbt/`): from raw Service Pings to AMAU/GMAU/SMAU per stage and month,
//! on DuckDB and PostgreSQL. `docs/dbt.md` is the data team's guide to what it generates.
//!
//! Every file comes from a template under `templates/dbt/` (the output path is the
//! template's, without `.j2`); `dbt/models/app_db/sql_metric.sql.j2` is rendered once per
//! SQL metric, as `dbt/models/app_db/<dbt name>.sql`.
//!
//! Two Jinjas meet here: metricc renders the templates, and dbt renders the files they
//! produce. So that dbt's own `{{ ref() }}` and `{% macro %}` are plain text to metricc, dbt
//! templates use other delimiters: `[[ value ]]`, `[% block %]`, `[# comment #]`. And since dbt
//! renders Jinja inside SQL files and inside YAML values (descriptions, `meta`), text from the
//! definitions must not reach dbt as Jinja either: the filters of this environment
//! neutralise `{{`, `{%` and `{#` (as `{{ '{{' }}`, which dbt renders back to the text) on
//! top of their usual escaping:
//!
//! - `sql_str`: a SQL string literal;
//! - `sql_comment`: text on one `--` comment line;
//! - `yaml_str`: a double-quoted YAML scalar (also what any value printed into a `.yml`
//!   template becomes, unless marked `safe`).

use std::collections::BTreeMap;

use minijinja::value::{Serde, Value};
use minijinja::{AutoEscape, Environment, Output, State};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::{EmitError, OutputFile, Settings as AllSettings, Templates};
use crate::model::{DataCategory, DataSource, IndicatorType, Status, Tier, TimeFrame, ValueType};
use crate::resolve::view::{MetricView, SqlReferenceKind, SqlView, View};

const BACKEND: &str = "dbt";

/// The folder of the dbt templates, and of the project in the output folder.
const DIR: &str = "dbt/";

/// The template rendered once per SQL metric.
pub const SQL_METRIC_TEMPLATE: &str = "dbt/models/app_db/sql_metric.sql.j2";

/// The CTE of a time-framed SQL metric's model that holds its window.
const WINDOW_CTE: &str = "metricc_window";

/// The auto-escape of `.yml` templates: values become dbt-safe YAML scalars.
const YAML_ESCAPE: &str = "dbt-yaml";

/// `[build.dbt]`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// The dbt project's name, which is also its profile's name (`metricc`).
    pub project: String,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            project: "metricc".to_owned(),
        }
    }
}

pub fn emit(view: &View, settings: &AllSettings) -> Result<Vec<OutputFile>, EmitError> {
    let dbt = &settings.dbt;
    if !is_project_name(&dbt.project) {
        return Err(EmitError::Backend {
            backend: BACKEND,
            message: format!(
                "[build.dbt] project = {:?} is not a dbt project name: use lower-case letters, \
                 digits and `_`, starting with a letter",
                dbt.project
            ),
        });
    }
    let templates = &settings.templates;
    let env = environment(templates);
    let sql_metrics: Vec<SqlModel<'_>> = view
        .metrics
        .iter()
        .filter(|m| m.status != Status::Removed)
        .filter_map(|m| m.sql.as_ref().map(|sql| SqlModel::new(m, sql)))
        .collect::<Result<_, _>>()?;
    let project = Project { name: &dbt.project };
    let context = Value::from(Serde(ProjectContext {
        project,
        metrics: &view.metrics,
        taxonomy: &view.taxonomy,
        roles: xmau_roles(),
        sql_metrics: &sql_metrics,
        app_db_tables: app_db_tables(&sql_metrics),
        enums: Enums::new(),
        windows: windows(),
    }));
    let render = |name: &str, context: &Value| -> Result<String, EmitError> {
        let template = env
            .get_template(name)
            .map_err(|e| templates.error(name, &e))?;
        template
            .render(context)
            .map_err(|e| templates.error(name, &e))
    };
    let mut files = Vec::new();
    for name in Templates::names() {
        if !name.starts_with(DIR) || name == SQL_METRIC_TEMPLATE {
            continue;
        }
        let path = name.strip_suffix(".j2").unwrap_or(name);
        files.push(OutputFile::new(path, render(name, &context)?));
    }
    let models: Vec<OutputFile> = sql_metrics
        .par_iter()
        .map(|model| {
            let context = Value::from(Serde(ModelContext { project, model }));
            let text = render(SQL_METRIC_TEMPLATE, &context)?;
            Ok(OutputFile::new(
                format!("{DIR}models/app_db/{}.sql", model.name),
                text,
            ))
        })
        .collect::<Result<_, EmitError>>()?;
    files.extend(models);
    Ok(files)
}

/// The environment dbt templates render in: other delimiters, dbt-safe filters and YAML
/// auto-escape (see the module documentation).
pub fn environment(templates: &Templates) -> Environment<'static> {
    let mut env = templates.environment();
    let syntax = env
        .syntax()
        .to_builder()
        .block_delimiters("[%", "%]")
        .variable_delimiters("[[", "]]")
        .comment_delimiters("[#", "#]")
        .build();
    if let Ok(syntax) = syntax {
        env.set_syntax(syntax);
    }
    env.set_auto_escape_callback(|name| {
        let name = name.strip_suffix(".j2").unwrap_or(name);
        if name.ends_with(".yml") || name.ends_with(".yaml") {
            AutoEscape::Custom(YAML_ESCAPE.into())
        } else {
            AutoEscape::None
        }
    });
    env.set_formatter(format_value);
    env.add_filter("sql_str", |text: &str| sql_str(text));
    env.add_filter("sql_comment", |text: &str| sql_comment(text));
    env.add_filter("yaml_str", |value: Value| {
        Value::from_safe_string(yaml_value(&value))
    });
    env
}

/// Prints a value: in `.yml` templates as a dbt-safe YAML scalar (unless marked safe),
/// elsewhere as is.
fn format_value(
    out: &mut Output,
    state: &mut State,
    value: &Value,
) -> Result<(), minijinja::Error> {
    if *state.auto_escape() == AutoEscape::Custom(YAML_ESCAPE.into()) && !value.is_safe() {
        out.write_str(&yaml_value(value))
            .map_err(|_| minijinja::Error::from(minijinja::ErrorKind::WriteFailure))
    } else {
        minijinja::escape_formatter(out, state, value)
    }
}

/// A value as YAML flow text (JSON, which YAML reads the same), with dbt's Jinja
/// neutralised inside strings.
fn yaml_value(value: &Value) -> String {
    let json = serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned());
    jinja_literal(&yaml_printable(&json))
}

/// `text` with `{{`, `{%` and `{#` written so that Jinja prints them instead of reading
/// them: `{{ '{{' }}`. Works inside SQL strings and comments (dbt renders before the
/// database reads) and inside double-quoted YAML scalars (dbt reads the YAML, then renders
/// its values), since the replacement holds neither `"`, `\`, nor a line break.
pub fn jinja_literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '{'
            && let Some(&next) = chars.peek()
            && matches!(next, '{' | '%' | '#')
        {
            chars.next();
            out.push_str("{{ '{");
            out.push(next);
            out.push_str("' }}");
            continue;
        }
        out.push(c);
    }
    out
}

/// A SQL string literal that holds exactly `text` once dbt has rendered it (NUL, which
/// PostgreSQL text cannot hold, becomes U+FFFD).
pub fn sql_str(text: &str) -> String {
    let text = text.replace('\'', "''").replace('\0', "\u{fffd}");
    format!("'{}'", jinja_literal(&text))
}

/// `text` on one line, to follow `--`: line breaks become spaces, dbt's Jinja is neutralised.
pub fn sql_comment(text: &str) -> String {
    let one_line: String = text
        .chars()
        .map(|c| match c {
            '\n' | '\r' | '\u{b}' | '\u{c}' | '\u{85}' | '\u{2028}' | '\u{2029}' => ' ',
            '\0' => '\u{fffd}',
            c => c,
        })
        .collect();
    jinja_literal(one_line.trim())
}

/// A dbt-safe double-quoted YAML scalar holding exactly `text`.
pub fn yaml_str(text: &str) -> String {
    yaml_value(&Value::from(text))
}

/// JSON text with the characters YAML parsers refuse (DEL, C1 controls, U+FFFE/U+FFFF)
/// escaped as `\uXXXX`; JSON escapes the C0 controls already.
fn yaml_printable(json: &str) -> String {
    let refused =
        |c: char| matches!(c, '\u{7f}'..='\u{84}' | '\u{86}'..='\u{9f}' | '\u{fffe}' | '\u{ffff}');
    if !json.chars().any(refused) {
        return json.to_owned();
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if refused(c) {
            out.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

/// Whether `name` can name a dbt project (and its profile and macros).
fn is_project_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// The project, as templates see it.
#[derive(Clone, Copy, Serialize)]
struct Project<'a> {
    /// The dbt project's name, also its profile's name.
    name: &'a str,
}

/// An xMAU role: its name (`paid_gmau`) and how reports write it (`paid GMAU`).
#[derive(Serialize)]
struct Role {
    name: &'static str,
    label: String,
}

/// What the project templates receive.
#[derive(Serialize)]
struct ProjectContext<'a> {
    project: Project<'a>,
    /// Every metric of the view, sorted by key path.
    metrics: &'a [MetricView],
    taxonomy: &'a [crate::resolve::view::SectionView],
    /// The xMAU roles (`amau`, `gmau`, `paid_gmau`, `smau`, `umau`).
    roles: Vec<Role>,
    /// The SQL metrics (not removed) with their model.
    sql_metrics: &'a [SqlModel<'a>],
    /// The tables of the application database the SQL metrics read.
    app_db_tables: Vec<String>,
    enums: Enums,
    /// The default window of each windowed time frame, in days before today.
    windows: BTreeMap<&'static str, Window>,
}

/// What `sql_metric.sql.j2` receives.
#[derive(Serialize)]
struct ModelContext<'a> {
    project: Project<'a>,
    model: &'a SqlModel<'a>,
}

/// A SQL metric's model.
#[derive(Serialize)]
struct SqlModel<'a> {
    /// The model's name: the metric's dbt name.
    name: &'a str,
    metric: &'a MetricView,
    /// The metric's SQL as the model runs it: tables read through `source('app_db', …)`,
    /// window parameters from the model's `metricc_window` CTE (one row of the
    /// `sql_metric_windows` model), dbt's Jinja neutralised everywhere else. Only `ref` and
    /// `source` calls: dbt's static parser reads such a model without rendering it, which
    /// matters with thousands of them.
    sql: String,
    /// Whether the SQL uses the window parameters.
    windowed: bool,
    /// The name of the CTE that holds the window, which the SQL reads.
    window_cte: &'static str,
    /// The source tables the SQL reads.
    tables: Vec<String>,
}

impl<'a> SqlModel<'a> {
    fn new(metric: &'a MetricView, sql: &SqlView) -> Result<SqlModel<'a>, EmitError> {
        let text = sql.text.as_str();
        let mut out = String::with_capacity(text.len() + 64);
        let mut at = 0;
        let mut tables = Vec::new();
        let mut windowed = false;
        let piece = |range: std::ops::Range<usize>| {
            text.get(range).ok_or_else(|| EmitError::Backend {
                backend: BACKEND,
                message: format!(
                    "the SQL of `{}` could not be cut at a reference",
                    metric.key_path
                ),
            })
        };
        for reference in &sql.references {
            out.push_str(&jinja_literal(piece(at..reference.start)?));
            match reference.kind {
                SqlReferenceKind::Table => {
                    let table = source_table(&reference.name);
                    out.push_str(&format!(
                        "{{{{ source('app_db', {}) }}}}",
                        jinja_string(&table)
                    ));
                    if !tables.contains(&table) {
                        tables.push(table);
                    }
                }
                SqlReferenceKind::Parameter => {
                    let column = match reference.name.as_str() {
                        crate::model::sql::WINDOW_START => "window_start",
                        crate::model::sql::WINDOW_END => "window_end",
                        other => {
                            return Err(EmitError::Backend {
                                backend: BACKEND,
                                message: format!(
                                    "the SQL of `{}` uses the parameter `{other}`; only \
                                     `:window_start` and `:window_end` exist (MC306)",
                                    metric.key_path
                                ),
                            });
                        }
                    };
                    windowed = true;
                    out.push_str(&format!("(select {column} from {WINDOW_CTE})"));
                }
            }
            at = reference.end;
        }
        out.push_str(&jinja_literal(piece(at..text.len())?));
        // The query becomes a subquery: a final `;` would end the statement early.
        let trimmed = out.trim_end().trim_end_matches(';').trim_end().len();
        out.truncate(trimmed);
        tables.sort();
        Ok(SqlModel {
            name: &metric.names.dbt,
            metric,
            sql: out,
            windowed,
            window_cte: WINDOW_CTE,
            tables,
        })
    }
}

/// The name of the source table for a table as the SQL writes it: its last part, as
/// PostgreSQL reads it (unquoted names fold to lower case). The replica's schema is a dbt
/// variable, so a schema written in the SQL is dropped.
fn source_table(written: &str) -> String {
    // The last part and whether it was quoted; `""` inside quotes is one `"`.
    let mut last = String::new();
    let mut quoted = false;
    let mut in_quotes = false;
    let mut chars = written.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if in_quotes && chars.peek() == Some(&'"') => {
                chars.next();
                last.push('"');
            }
            '"' => {
                in_quotes = !in_quotes;
                quoted |= in_quotes;
            }
            '.' if !in_quotes => {
                last.clear();
                quoted = false;
            }
            c => last.push(c),
        }
    }
    if quoted { last } else { last.to_lowercase() }
}

/// A single-quoted Jinja string literal holding `text`.
fn jinja_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('\'');
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// Every source table of the SQL metrics, sorted, once each.
fn app_db_tables(models: &[SqlModel<'_>]) -> Vec<String> {
    let mut tables: Vec<String> = models.iter().flat_map(|m| m.tables.clone()).collect();
    tables.sort();
    tables.dedup();
    tables
}

/// The xMAU roles, in alphabetical order.
fn xmau_roles() -> Vec<Role> {
    let mut roles: Vec<Role> = IndicatorType::ALL
        .iter()
        .filter(|r| r.is_xmau())
        .map(|r| Role {
            name: r.as_str(),
            label: r.display_name(),
        })
        .collect();
    roles.sort_unstable_by_key(|r| r.name);
    roles
}

/// The default window of a time-framed database metric, in whole days before today:
/// `7d` = 9 to 2 days ago, `28d` = 30 to 2 days ago (recent data may not be settled).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Window {
    pub start_days_ago: u32,
    pub end_days_ago: u32,
}

fn windows() -> BTreeMap<&'static str, Window> {
    TimeFrame::ALL
        .iter()
        .filter_map(|&tf| database_window(tf).map(|w| (tf.as_str(), w)))
        .collect()
}

/// The window a database metric of this time frame covers by default.
pub fn database_window(time_frame: TimeFrame) -> Option<Window> {
    match time_frame {
        TimeFrame::Week => Some(Window {
            start_days_ago: 9,
            end_days_ago: 2,
        }),
        TimeFrame::Month => Some(Window {
            start_days_ago: 30,
            end_days_ago: 2,
        }),
        TimeFrame::All | TimeFrame::None => None,
    }
}

/// The values of the compiler's enumerations, for `accepted_values` tests.
#[derive(Serialize)]
struct Enums {
    status: Vec<&'static str>,
    value_type: Vec<&'static str>,
    time_frame: Vec<&'static str>,
    data_source: Vec<&'static str>,
    data_category: Vec<&'static str>,
    performance_indicator_type: Vec<&'static str>,
    tier: Vec<&'static str>,
}

impl Enums {
    fn new() -> Enums {
        Enums {
            status: Status::ALL.iter().map(|v| v.as_str()).collect(),
            value_type: ValueType::ALL.iter().map(|v| v.as_str()).collect(),
            time_frame: TimeFrame::ALL.iter().map(|v| v.as_str()).collect(),
            data_source: DataSource::ALL.iter().map(|v| v.as_str()).collect(),
            data_category: DataCategory::ALL.iter().map(|v| v.as_str()).collect(),
            performance_indicator_type: IndicatorType::ALL.iter().map(|v| v.as_str()).collect(),
            tier: Tier::ALL.iter().map(|v| v.as_str()).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOSTILE: &str = "it's \"quoted\" {{ var('x') }} {% if %} {# c #} -- */ /* \\ \n next";

    /// What dbt's Jinja prints for text written by [`jinja_literal`]: `{{ '…' }}` blocks
    /// replaced by their string.
    fn dbt_render(text: &str) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(i) = rest.find("{{ '") {
            out.push_str(&rest[..i]);
            let after = &rest[i + 4..];
            let end = after.find("' }}").expect("a closed block");
            out.push_str(&after[..end]);
            rest = &after[end + 4..];
        }
        out.push_str(rest);
        out
    }

    #[test]
    fn jinja_openers_are_neutralised_and_render_back() {
        for text in [
            HOSTILE,
            "{{{",
            "{{{{#",
            "{",
            "}}",
            "{%- raw %}",
            "a{x{{y",
            "{#}",
        ] {
            let safe = jinja_literal(text);
            let mut rest = safe.as_str();
            // Every opener left is one of ours.
            while let Some(i) = rest.find(['{']) {
                let tail = &rest[i..];
                if tail.starts_with("{{ '") {
                    rest = &tail[tail.find("' }}").unwrap() + 4..];
                } else {
                    assert!(
                        !tail.starts_with("{{")
                            && !tail.starts_with("{%")
                            && !tail.starts_with("{#"),
                        "{text:?} → {safe:?}"
                    );
                    rest = &tail[1..];
                }
            }
            assert_eq!(dbt_render(&safe), text, "{safe}");
        }
    }

    #[test]
    fn sql_strings_and_comments_hold_hostile_text() {
        let literal = sql_str(HOSTILE);
        assert_eq!(
            dbt_render(&literal),
            format!("'{}'", HOSTILE.replace('\'', "''"))
        );
        let comment = sql_comment(HOSTILE);
        assert!(!comment.contains('\n'), "{comment}");
        assert!(!comment.contains("{{ var"), "{comment}");
        assert_eq!(sql_str("a\0b"), "'a\u{fffd}b'");
    }

    #[test]
    fn yaml_strings_hold_hostile_text() {
        let yaml = yaml_str(HOSTILE);
        let parsed: String = serde_json::from_str(&yaml).unwrap();
        assert_eq!(dbt_render(&parsed), HOSTILE);
        let odd = yaml_str("del\u{7f} nel\u{85} c1\u{9f}");
        assert_eq!(odd, "\"del\\u007f nel\u{85} c1\\u009f\"");
    }

    #[test]
    fn source_tables_are_the_last_part_as_postgresql_reads_it() {
        assert_eq!(source_table("issues"), "issues");
        assert_eq!(source_table("Public.Issues"), "issues");
        assert_eq!(source_table("public.\"Projéts\""), "Projéts");
        assert_eq!(source_table("\"a.b\".\"c\"\"d\""), "c\"d");
        assert_eq!(source_table("\"x.y\""), "x.y");
    }

    #[test]
    fn project_names_are_identifiers() {
        assert!(is_project_name("metricc"));
        assert!(is_project_name("usage_2"));
        for bad in ["", "2x", "Metricc", "a-b", "a b"] {
            assert!(!is_project_name(bad), "{bad}");
        }
    }

    /// The view of the rule fixtures' clean project (`compiler/tests/fixtures/base`).
    fn base_view() -> View {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/base");
        let config = crate::config::Config::load(&root, None, None).unwrap();
        let compilation = crate::pipeline::compile(&config).unwrap();
        assert!(!compilation.failed(), "{:?}", compilation.diagnostics);
        View::new(&compilation.dictionary, &compilation.sources)
    }

    fn file<'a>(files: &'a [OutputFile], path: &str) -> &'a str {
        let file = files.iter().find(|f| f.path == path).unwrap_or_else(|| {
            let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
            panic!("no {path} in {paths:?}")
        });
        std::str::from_utf8(&file.contents).unwrap()
    }

    #[test]
    fn sql_metrics_read_sources_and_their_window() {
        let files = emit(&base_view(), &AllSettings::default()).unwrap();
        let model = file(&files, "dbt/models/app_db/counts_issue_authors_monthly.sql");
        assert!(
            model.contains("FROM {{ source('app_db', 'issues') }}"),
            "{model}"
        );
        assert!(
            model.contains(">= (select window_start from metricc_window)"),
            "{model}"
        );
        assert!(
            model.contains("< (select window_end from metricc_window)"),
            "{model}"
        );
        assert!(model.contains("where time_frame = '28d'"), "{model}");
        assert!(!model.contains(":window_"), "{model}");
        let sources = file(&files, "dbt/models/app_db/_app_db.yml");
        assert!(sources.contains("      - name: \"issues\"\n"), "{sources}");
        assert!(files.iter().all(|f| f.path.starts_with(DIR)));
    }

    #[test]
    fn overrides_use_the_dbt_delimiters_and_keep_dbt_jinja() {
        let mut settings = AllSettings {
            templates: Templates::with_overrides([(
                "dbt/models/marts/xmau_monthly.sql.j2",
                "-- [[ project.name ]]: [[ roles|length ]] roles [# a metricc comment #]\n\
             [% for role in roles %][[ role.name ]] [% endfor %]\n\
             select * from {{ ref('metric_dictionary') }} {# a dbt comment #}\n",
            )]),
            ..AllSettings::default()
        };
        settings.dbt.project = "usage".to_owned();
        let files = emit(&View::empty(), &settings).unwrap();
        assert_eq!(
            file(&files, "dbt/models/marts/xmau_monthly.sql"),
            // Block tags and comments at a line's end take its line break (trim_blocks).
            "-- usage: 5 roles amau gmau paid_gmau smau umau \
             select * from {{ ref('metric_dictionary') }} {# a dbt comment #}\n"
        );
        assert!(file(&files, "dbt/dbt_project.yml").contains("name: \"usage\"\n"));
        assert!(file(&files, "dbt/profiles.yml").contains("\n\"usage\":\n"));
    }

    #[test]
    fn a_typo_in_a_dbt_template_names_the_file_and_line() {
        let settings = AllSettings {
            templates: Templates::with_overrides([(
                "dbt/models/app_db/sql_metric.sql.j2",
                "select 1\n-- [[ model.metric.key_pth ]]\n",
            )]),
            ..AllSettings::default()
        };
        let err = emit(&base_view(), &settings).unwrap_err().to_string();
        assert!(
            err.starts_with("<override>/dbt/models/app_db/sql_metric.sql.j2:2: "),
            "{err}"
        );
        assert!(err.contains("undefined"), "{err}");
    }

    #[test]
    fn values_printed_into_yaml_are_dbt_safe_scalars() {
        let settings = AllSettings {
            templates: Templates::with_overrides([(
                "dbt/models/marts/_marts.yml.j2",
                "a: [[ 'x {{ y }}' ]]\nb: [[ ['{%', 2] ]]\nc: [[ none ]]\nd: [[ 'it is'|safe ]]\n",
            )]),
            ..AllSettings::default()
        };
        let files = emit(&View::empty(), &settings).unwrap();
        assert_eq!(
            file(&files, "dbt/models/marts/_marts.yml"),
            "a: \"x {{ '{{' }} y }}\"\nb: [\"{{ '{%' }}\",2]\nc: null\nd: it is\n"
        );
    }

    #[test]
    fn an_empty_dictionary_still_makes_a_project() {
        let files = emit(&View::empty(), &AllSettings::default()).unwrap();
        let dictionary = file(&files, "dbt/models/dictionary/metric_dictionary.sql");
        assert!(
            dictionary.contains("where key_path is not null"),
            "{dictionary}"
        );
        let app_db = file(&files, "dbt/models/app_db/_app_db.yml");
        assert!(!app_db.contains("sources:"), "{app_db}");
        assert!(
            app_db.contains("  - name: sql_metric_windows\n"),
            "{app_db}"
        );
    }

    #[test]
    fn a_project_name_that_dbt_refuses_is_an_error() {
        let mut settings = AllSettings::default();
        settings.dbt.project = "My Project".to_owned();
        let err = emit(&View::empty(), &settings).unwrap_err();
        assert!(
            matches!(err, EmitError::Backend { backend: "dbt", .. }),
            "{err}"
        );
    }

    #[test]
    fn xmau_roles_are_the_five_monthly_active_user_roles() {
        let names: Vec<&str> = xmau_roles().iter().map(|r| r.name).collect();
        assert_eq!(names, ["amau", "gmau", "paid_gmau", "smau", "umau"]);
    }
}
