//! The templates text backends render (dbt SQL and YAML, Markdown and HTML pages): metricc's
//! own, from `templates/` at the workspace root, embedded in the binary; any of them
//! overridden by a file of the same name in the user's folder (`--templates DIR` or
//! `[build] templates`).
//!
//! Rendering is strict: an undefined variable or attribute (`{{ metric.nmae }}`) is an error
//! naming the template file and line, never an empty string. Escaping is chosen by the
//! output's extension (`.html`, `.xml`, `.svg`: HTML; `.json`, `.yml`, `.yaml`: JSON, which
//! YAML reads as a quoted string; a trailing `.j2` is ignored) and by filters written once
//! here and tested with hostile text: `md` (inline Markdown), `yaml_str`, `sql_str`.
//!
//! Reading the override folder is I/O: [`Templates::from_dir`] runs before emit, and backends
//! only render.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use minijinja::syntax::SyntaxConfig;
use minijinja::value::{Serde, Value};
use minijinja::{AutoEscape, Environment, UndefinedBehavior};
use serde::Serialize;

use super::EmitError;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/templates.rs"));
}

/// Where metricc's own templates are, as error messages show it.
pub const EMBEDDED_DIR: &str = "templates";

/// The template set: metricc's own, with the user's overrides.
#[derive(Clone, Debug, Default)]
pub struct Templates {
    /// Template name → (text, the path error messages show).
    overrides: Arc<BTreeMap<String, (String, String)>>,
}

/// Why an override folder cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum TemplateDirError {
    #[error("cannot read templates folder `{path}`: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error(
        "`{path}` does not override any template of metricc{}; `metricc templates` lists them",
        suggestion.map(|s| format!(" (did you mean `{s}`?)")).unwrap_or_default()
    )]
    Unknown {
        path: String,
        suggestion: Option<&'static str>,
    },
}

impl Templates {
    /// The names of metricc's own templates (paths under `templates/`), sorted.
    pub fn names() -> impl Iterator<Item = &'static str> {
        embedded::EMBEDDED.iter().map(|(name, _)| *name)
    }

    /// metricc's own text of a template.
    pub fn embedded(name: &str) -> Option<&'static str> {
        embedded::EMBEDDED
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, text)| *text)
    }

    /// Reads the overrides in `dir`: every file must have the name of one of metricc's
    /// templates (a typo in a file name would otherwise be silently ignored).
    pub fn from_dir(dir: &Path) -> Result<Templates, TemplateDirError> {
        let read_err = |path: &Path| {
            let path = path.display().to_string();
            move |source| TemplateDirError::Read { path, source }
        };
        let mut overrides = BTreeMap::new();
        let mut pending = vec![dir.to_path_buf()];
        while let Some(folder) = pending.pop() {
            for entry in std::fs::read_dir(&folder).map_err(read_err(&folder))? {
                let path = entry.map_err(read_err(&folder))?.path();
                if path.is_dir() {
                    pending.push(path);
                    continue;
                }
                let name = crate::source::display_path(dir, &path);
                if name.rsplit('/').next().is_some_and(|n| n.starts_with('.')) {
                    continue;
                }
                let shown = path.display().to_string();
                if Templates::embedded(&name).is_none() {
                    return Err(TemplateDirError::Unknown {
                        suggestion: crate::suggest::closest(&name, Templates::names()),
                        path: shown,
                    });
                }
                let text = std::fs::read_to_string(&path).map_err(read_err(&path))?;
                overrides.insert(name, (text, shown));
            }
        }
        Ok(Templates {
            overrides: Arc::new(overrides),
        })
    }

    /// Templates with overrides given as text (for tests and embedders).
    pub fn with_overrides<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Templates {
        let overrides = pairs
            .into_iter()
            .map(|(name, text)| {
                (
                    name.to_owned(),
                    (text.to_owned(), format!("<override>/{name}")),
                )
            })
            .collect();
        Templates {
            overrides: Arc::new(overrides),
        }
    }

    /// The text of a template: the user's override, or metricc's own. For files a backend
    /// copies as they are (stylesheets, scripts) rather than renders.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.overrides
            .get(name)
            .map(|(text, _)| text.as_str())
            .or_else(|| Templates::embedded(name))
    }

    /// The path error messages show for a template.
    pub fn location(&self, name: &str) -> String {
        match self.overrides.get(name) {
            Some((_, shown)) => shown.clone(),
            None => format!("{EMBEDDED_DIR}/{name}"),
        }
    }

    /// A strict environment that loads these templates, with metricc's filters, `trim_blocks`
    /// and `lstrip_blocks`. Backends may add filters of their own, or change the syntax (the
    /// dbt backend uses other delimiters, so that dbt's own `{{ ref() }}` is plain text to
    /// metricc), before rendering.
    pub fn environment(&self) -> Environment<'static> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        // Block tags on lines of their own leave no blank lines behind; files keep their
        // final newline.
        if let Ok(syntax) = SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .keep_trailing_newline(true)
            .build()
        {
            env.set_syntax(syntax);
        }
        env.set_auto_escape_callback(auto_escape);
        let overrides = Arc::clone(&self.overrides);
        env.set_loader(move |name| {
            Ok(overrides
                .get(name)
                .map(|(text, _)| text.clone())
                .or_else(|| Templates::embedded(name).map(str::to_owned)))
        });
        env.add_filter("md", markdown_inline);
        env.add_filter("yaml_str", yaml_str);
        env.add_filter("sql_str", sql_str);
        env
    }

    /// Renders template `name` with `context` (any serializable value, usually the view or
    /// a part of it).
    pub fn render(
        &self,
        env: &Environment<'_>,
        name: &str,
        context: &impl Serialize,
    ) -> Result<String, EmitError> {
        let template = env.get_template(name).map_err(|e| self.error(name, &e))?;
        template
            .render(Value::from(Serde(context)))
            .map_err(|e| self.error(name, &e))
    }

    /// An engine error as a located [`EmitError`]: the failing template's file and line.
    pub fn error(&self, name: &str, error: &minijinja::Error) -> EmitError {
        let failing = error.name().unwrap_or(name);
        let location = match error.line() {
            Some(line) => format!("{}:{line}", self.location(failing)),
            None => self.location(failing),
        };
        let mut message = error.kind().to_string();
        if let Some(detail) = error.detail() {
            message = format!("{message}: {detail}");
        }
        // Errors inside an included template come chained: the innermost says the most.
        let mut source = std::error::Error::source(error);
        while let Some(inner) = source {
            if let Some(inner) = inner.downcast_ref::<minijinja::Error>() {
                return self.error(inner.name().unwrap_or(failing), inner);
            }
            source = inner.source();
        }
        EmitError::Template { location, message }
    }
}

fn auto_escape(name: &str) -> AutoEscape {
    let name = name.strip_suffix(".j2").unwrap_or(name);
    match name.rsplit('.').next() {
        Some("html" | "htm" | "xml" | "svg") => AutoEscape::Html,
        Some("json" | "yml" | "yaml") => AutoEscape::Json,
        _ => AutoEscape::None,
    }
}

/// `md`: text that Markdown renders as itself, on one line (a table cell stays a cell).
/// HTML is escaped, Markdown punctuation backslash-escaped, `|` cannot end a cell, and `{`
/// `}` become character references so `{{ }}` cannot reach a site generator's templating
/// (Hugo, Jekyll, MkDocs macros).
pub fn markdown_inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut last_space = false;
    for c in text.chars() {
        if matches!(c, '\n' | '\r') {
            if !last_space {
                out.push(' ');
            }
            last_space = true;
            continue;
        }
        last_space = c == ' ';
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '{' => out.push_str("&#123;"),
            '}' => out.push_str("&#125;"),
            '|' => out.push_str("\\|"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '!' | '~' | '$' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// `yaml_str`: a double-quoted YAML scalar holding exactly `text` (JSON's string syntax,
/// which YAML reads the same).
pub fn yaml_str(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_owned())
}

/// `sql_str`: a single-quoted SQL string literal holding exactly `text`.
pub fn sql_str(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOSTILE: &str = "a | b <script>alert(1)</script> {{ x }} {% y %} *bold* `code` \
                           [link](http://e) 'quote' \"dq\" -- */ \\ \n# heading";

    #[test]
    fn markdown_text_cannot_break_out() {
        let out = markdown_inline(HOSTILE);
        for forbidden in ["<script", "{{", "{%", "\n", " | "] {
            assert!(!out.contains(forbidden), "{forbidden:?} in {out}");
        }
        assert!(out.contains("\\*bold\\*"));
        assert!(out.contains("&lt;script&gt;"));
    }

    #[test]
    fn line_breaks_become_one_space() {
        assert_eq!(markdown_inline("counts\nissues"), "counts issues");
        assert_eq!(markdown_inline("counts\r\nissues"), "counts issues");
        assert_eq!(markdown_inline("counts \n\nissues"), "counts issues");
    }

    #[test]
    fn yaml_and_sql_strings_round_trip() {
        let yaml = yaml_str(HOSTILE);
        let back: String = serde_json::from_str(&yaml).unwrap();
        assert_eq!(back, HOSTILE);
        assert_eq!(sql_str("it's"), "'it''s'");
    }

    fn render(
        templates: &Templates,
        name: &str,
        context: &serde_json::Value,
    ) -> Result<String, EmitError> {
        let env = templates.environment();
        templates.render(&env, name, context)
    }

    #[test]
    fn undefined_values_are_errors_naming_file_and_line() {
        let templates = Templates::with_overrides([]);
        let mut env = templates.environment();
        env.add_template_owned("page.md", "# {{ metric.key_path }}\n\n{{ metric.nmae }}\n")
            .unwrap();
        let err = templates
            .render(
                &env,
                "page.md",
                &serde_json::json!({"metric": {"key_path": "a.b"}}),
            )
            .unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("templates/page.md:3: "), "{text}");
        assert!(text.contains("undefined"), "{text}");
    }

    #[test]
    fn html_is_escaped_and_missing_templates_are_named() {
        let templates = Templates::with_overrides([("x.html", "<p>{{ text }}</p>")]);
        let out = render(&templates, "x.html", &serde_json::json!({"text": "<b>&"})).unwrap();
        assert_eq!(out, "<p>&lt;b&gt;&amp;</p>");
        let err = render(&templates, "missing.html", &serde_json::json!({})).unwrap_err();
        assert!(err.to_string().contains("missing.html"), "{err}");
    }

    #[test]
    fn overrides_win_and_their_errors_name_the_override() {
        let templates = Templates::with_overrides([("x.md", "{{ a }}\n{% if %}")]);
        let err = render(&templates, "x.md", &serde_json::json!({"a": 1})).unwrap_err();
        assert!(err.to_string().starts_with("<override>/x.md:2"), "{err}");
    }

    #[test]
    fn an_override_folder_may_only_hold_known_templates() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("nonsense.sql.j2"), "x").unwrap();
        let err = Templates::from_dir(dir.path()).unwrap_err();
        assert!(matches!(err, TemplateDirError::Unknown { .. }), "{err}");
    }
}
