//! What both fuzz targets share: the clean base project the input is checked with, and the
//! promises every run must keep (a broken promise aborts, and libFuzzer keeps the input).
//!
//! The promises are those of `compiler/tests/robustness.rs`: no panic; every diagnostic
//! points inside its file, on character boundaries, and says how to fix it; every report
//! format renders (the JSON ones as valid JSON); a project without errors emits every output.

#![forbid(unsafe_code)]

use std::path::Path;

use metricc::check::RULES;
use metricc::config::{Config, Preset};
use metricc::diagnostics::{Format, Style, render};
use metricc::pipeline::{Compilation, DefinitionText, compile_texts};
use metricc::source::{FileKind, Span};

/// The base project of the compiler's tests: a taxonomy, two events, three metrics.
pub const TAXONOMY: &str =
    include_str!("../../compiler/tests/fixtures/base/definitions/stages.yml");
pub const EVENTS: [&str; 2] = [
    include_str!("../../compiler/tests/fixtures/base/definitions/events/push_to_repository.yml"),
    include_str!("../../compiler/tests/fixtures/base/definitions/events/view_merge_request.yml"),
];
pub const METRICS: [&str; 3] = [
    include_str!(
        "../../compiler/tests/fixtures/base/definitions/metrics/counts_28d/20240101000000_users_pushing_monthly.yml"
    ),
    include_str!(
        "../../compiler/tests/fixtures/base/definitions/metrics/counts_28d/20240101000001_issue_authors_monthly.yml"
    ),
    include_str!(
        "../../compiler/tests/fixtures/base/definitions/metrics/counts_all/20240101000002_merge_request_views.yml"
    ),
];

/// A definition file of the project.
pub fn file(kind: FileKind, path: impl Into<String>, text: impl Into<String>) -> DefinitionText {
    DefinitionText {
        path: path.into(),
        kind,
        text: text.into(),
    }
}

/// Fuzz input as the text of a file: invalid UTF-8 is replaced, as a reader of the file
/// would see it (metricc itself reports such a file and does not parse it).
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Checks the files as one project, then keeps every promise (panics otherwise).
pub fn check(files: Vec<DefinitionText>) {
    // A root that does not exist: `value_json_schema` paths are looked up but never found.
    let config = Config::preset(Path::new("/nonexistent/metricc-fuzz"), Preset::Native);
    let compilation = match compile_texts(&config, files) {
        Ok(compilation) => compilation,
        // Texts in memory are always found and read: an error is a broken harness.
        Err(e) => panic!("could not check texts held in memory: {e}"),
    };
    located(&compilation);
    for format in [
        Format::Human,
        Format::Json,
        Format::Sarif,
        Format::Gitlab,
        Format::Junit,
    ] {
        let report = render(
            format,
            RULES,
            &compilation.diagnostics,
            &compilation.sources,
            &compilation.summary,
            Style::Plain,
        );
        if matches!(format, Format::Json | Format::Sarif | Format::Gitlab) {
            if let Err(e) = serde_json::from_str::<serde_json::Value>(&report) {
                panic!("the {format:?} report is not JSON ({e}):\n{report}");
            }
        }
    }
    if !compilation.failed() {
        // A checked dictionary is one every backend can express.
        if let Err(e) = metricc::build::emit_outputs(&config, &compilation) {
            panic!("a project without errors failed to emit: {e}");
        }
    }
}

/// Every diagnostic points inside its file, on character boundaries, and has help.
fn located(compilation: &Compilation) {
    let inside = |span: &Span, what: &str| {
        let text = &compilation.sources.file(span.file).text;
        assert!(
            span.start() <= span.end()
                && span.end() <= text.len()
                && text.is_char_boundary(span.start())
                && text.is_char_boundary(span.end()),
            "{what} {span:?} is not a place in a text of {} bytes",
            text.len()
        );
    };
    for d in &compilation.diagnostics {
        inside(&d.span, d.rule.code);
        for r in &d.related {
            inside(&r.span, "related place of");
        }
        if let Some(fix) = &d.fix {
            inside(&fix.span, "fix of");
        }
        assert!(
            d.help.is_some(),
            "{} has no help: {}",
            d.rule.code,
            d.message
        );
    }
}
