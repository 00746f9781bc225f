//! Problems found in the definitions, and their rendering for people and for CI systems.
//!
//! A [`Diagnostic`] always points at a [`Span`]: a file, a line and a column. The output
//! formats (one file each) turn a sorted list of them into text.

mod gitlab;
mod human;
mod json;
mod junit;
pub mod rule;
mod sarif;

use crate::source::{Location, SourceMap, Span};
pub use rule::{Rule, Severity};

pub use human::Style;

/// One problem, at one place.
#[derive(Clone, Debug)]
pub struct Diagnostic {
    pub rule: &'static Rule,
    pub severity: Severity,
    pub message: String,
    pub span: Span,
    /// Short text under the carets.
    pub label: Option<String>,
    /// Other places that matter (the first definition of a duplicate, ...).
    pub related: Vec<Related>,
    /// How to fix it, in words.
    pub help: Option<String>,
    /// The exact replacement that fixes it, when there is one.
    pub fix: Option<Fix>,
}

/// A second place shown with a diagnostic.
#[derive(Clone, Debug)]
pub struct Related {
    pub span: Span,
    pub message: String,
}

/// Replace the text at `span` with `replacement`.
#[derive(Clone, Debug)]
pub struct Fix {
    pub span: Span,
    pub replacement: String,
}

impl Diagnostic {
    pub fn new(rule: &'static Rule, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            rule,
            severity: rule.default,
            message: message.into(),
            span,
            label: None,
            related: Vec::new(),
            help: None,
            fix: None,
        }
    }

    pub fn label(mut self, label: impl Into<String>) -> Diagnostic {
        self.label = Some(label.into());
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    pub fn related(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.related.push(Related {
            span,
            message: message.into(),
        });
        self
    }

    pub fn fix(mut self, span: Span, replacement: impl Into<String>) -> Diagnostic {
        self.fix = Some(Fix {
            span,
            replacement: replacement.into(),
        });
        self
    }

    /// Reports at `level` unless the configuration sets the rule's level: a rule that is
    /// less sure in some cases (a list that may be out of date) says so here.
    pub fn default_level(mut self, level: Severity) -> Diagnostic {
        self.severity = level;
        self
    }

    /// Sets `help` to a "did you mean" suggestion when one of `candidates` is close to `word`.
    pub fn did_you_mean<'a>(
        self,
        word: &str,
        candidates: impl IntoIterator<Item = &'a str>,
    ) -> Diagnostic {
        match crate::suggest::closest(word, candidates) {
            Some(best) => self.help(format!("did you mean `{best}`?")),
            None => self,
        }
    }
}

/// `1 error`, `2 errors`.
pub fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// Counts shown at the end of a run and in machine-readable summaries.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    pub errors: usize,
    pub warnings: usize,
    pub files: usize,
    pub metrics: usize,
    pub events: usize,
}

/// A diagnostic with its place resolved to path, line and column: what every format prints.
pub struct Located<'a> {
    pub diagnostic: &'a Diagnostic,
    pub path: &'a str,
    pub start: Location,
    pub end: Location,
    pub related: Vec<LocatedRelated<'a>>,
}

/// A related place, resolved like [`Located`].
pub struct LocatedRelated<'a> {
    pub message: &'a str,
    pub path: &'a str,
    pub start: Location,
    pub end: Location,
}

/// The output formats of `metricc check`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum Format {
    /// rustc-style text with source snippets
    Human,
    /// `{"diagnostics": [...], "summary": {...}}`
    Json,
    /// SARIF 2.1.0, for code-scanning dashboards
    Sarif,
    /// GitLab Code Quality report
    Gitlab,
    /// JUnit XML, one test case per definition file
    Junit,
}

/// Renders diagnostics (already sorted) in `format`. `rules` is every rule that could have
/// reported them (formats such as SARIF describe them all).
pub fn render(
    format: Format,
    rules: &[&Rule],
    diagnostics: &[Diagnostic],
    sources: &SourceMap,
    summary: &Summary,
    style: Style,
) -> String {
    let located: Vec<Located<'_>> = diagnostics.iter().map(|d| locate(d, sources)).collect();
    match format {
        Format::Human => human::render(diagnostics, sources, summary, style),
        Format::Json => json::render(&located, summary),
        Format::Sarif => sarif::render(rules, &located),
        Format::Gitlab => gitlab::render(&located),
        Format::Junit => junit::render(&located, sources, summary),
    }
}

/// The one-line summary printed after a report.
pub fn summary_line(summary: &Summary) -> String {
    human::summary_line(summary)
}

fn locate<'a>(diagnostic: &'a Diagnostic, sources: &'a SourceMap) -> Located<'a> {
    let file = sources.file(diagnostic.span.file);
    let related = diagnostic
        .related
        .iter()
        .map(|r| {
            let file = sources.file(r.span.file);
            LocatedRelated {
                message: &r.message,
                path: &file.path,
                start: file.location(r.span.start),
                end: file.location(r.span.end),
            }
        })
        .collect();
    Located {
        diagnostic,
        path: &file.path,
        start: file.location(diagnostic.span.start),
        end: file.location(diagnostic.span.end),
        related,
    }
}

/// Orders diagnostics by file, position and code, and drops exact repeats.
pub fn sort(diagnostics: &mut Vec<Diagnostic>, sources: &SourceMap) {
    diagnostics.sort_by(|a, b| {
        let pa = &sources.file(a.span.file).path;
        let pb = &sources.file(b.span.file).path;
        (pa, a.span.start, a.span.end, a.rule.code, &a.message).cmp(&(
            pb,
            b.span.start,
            b.span.end,
            b.rule.code,
            &b.message,
        ))
    });
    diagnostics
        .dedup_by(|a, b| a.span == b.span && a.rule.code == b.rule.code && a.message == b.message);
}
