//! rustc-style text: `error[MC101]: ...`, `--> file:line:col`, the source line with carets,
//! related places, help and the exact fix.

use annotate_snippets::{AnnotationKind, Group, Level, Origin, Patch, Renderer, Snippet};

use super::{Diagnostic, Summary, plural};
use crate::diagnostics::Severity;
use crate::source::{SourceMap, Span};

/// Whether to colour the output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    Plain,
    Colored,
}

pub(super) fn render(
    diagnostics: &[Diagnostic],
    sources: &SourceMap,
    summary: &Summary,
    style: Style,
) -> String {
    let renderer = match style {
        Style::Plain => Renderer::plain(),
        Style::Colored => Renderer::styled(),
    };
    let mut out = String::new();
    for diagnostic in diagnostics {
        out.push_str(&renderer.render(&report(diagnostic, sources)));
        out.push_str("\n\n");
    }
    if let Some(first) = diagnostics.first() {
        out.push_str(&format!(
            "For more information about a rule, try `metricc explain {}`.\n",
            first.rule.code
        ));
    }
    out.push_str(&summary_line(summary));
    out.push('\n');
    out
}

pub(super) fn summary_line(summary: &Summary) -> String {
    let problems = match (summary.errors, summary.warnings) {
        (0, 0) => "no problems found".to_owned(),
        (errors, 0) => plural(errors, "error"),
        (errors, warnings) => format!(
            "{}, {}",
            plural(errors, "error"),
            plural(warnings, "warning")
        ),
    };
    format!(
        "{problems} in {} ({} metrics, {} events)",
        plural(summary.files, "file"),
        summary.metrics,
        summary.events
    )
}

/// A window of the file around `span`: whole lines, with the first line's number.
struct Window<'a> {
    text: &'a str,
    first_line: usize,
    offset: usize,
}

fn window<'a>(sources: &'a SourceMap, spans: &[Span]) -> Window<'a> {
    let file = sources.file(spans[0].file);
    let start = spans.iter().map(|s| s.start).min().unwrap_or(0);
    let end = spans.iter().map(|s| s.end).max().unwrap_or(0);
    let first_line = file.location(start).line;
    let last_line = file.location(end).line.min(file.line_count());
    let offset = file.line_range(first_line).start;
    let end_byte = file.line_range(last_line).end.max(offset);
    Window {
        text: &file.text[offset..end_byte],
        first_line,
        offset,
    }
}

fn report<'a>(diagnostic: &'a Diagnostic, sources: &'a SourceMap) -> Vec<Group<'a>> {
    let level = match diagnostic.severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
    };
    let path = sources.file(diagnostic.span.file).path.as_str();
    let title = level
        .clone()
        .primary_title(diagnostic.message.as_str())
        .id(diagnostic.rule.code);
    if sources.file(diagnostic.span.file).text.is_empty() {
        // Nothing of the file could be read: show where, without an empty source line.
        let mut groups =
            vec![Group::with_title(title).element(Origin::path(path).line(1).char_column(1))];
        if let Some(help) = &diagnostic.help {
            groups.push(Group::with_title(
                Level::HELP.secondary_title(help.as_str()),
            ));
        }
        return groups;
    }

    // The primary span and the related spans of the same file are shown in one snippet;
    // related spans in other files get snippets of their own.
    let mut same_file = vec![diagnostic.span];
    same_file.extend(
        diagnostic
            .related
            .iter()
            .filter(|r| {
                r.span.file == diagnostic.span.file && near(sources, r.span, diagnostic.span)
            })
            .map(|r| r.span),
    );
    let win = window(sources, &same_file);
    let mut snippet = Snippet::source(win.text)
        .line_start(win.first_line)
        .path(path)
        .fold(true);
    let label = diagnostic.label.as_deref().unwrap_or("");
    snippet = snippet.annotation(
        AnnotationKind::Primary
            .span(local(diagnostic.span, win.offset, win.text))
            .label(label),
    );
    for related in &diagnostic.related {
        if same_file.contains(&related.span) && related.span != diagnostic.span {
            snippet = snippet.annotation(
                AnnotationKind::Context
                    .span(local(related.span, win.offset, win.text))
                    .label(related.message.as_str()),
            );
        }
    }
    let mut group = Group::with_title(title).element(snippet);
    for related in &diagnostic.related {
        if same_file.contains(&related.span) {
            continue;
        }
        // A span over several lines of another file would be drawn folded, with a `...`
        // gutter that breaks the column alignment of the report: mark its first line.
        let span = first_line(sources, related.span);
        let rel_win = window(sources, &[span]);
        group = group.element(
            Snippet::source(rel_win.text)
                .line_start(rel_win.first_line)
                .path(sources.file(span.file).path.as_str())
                .annotation(
                    AnnotationKind::Context
                        .span(local(span, rel_win.offset, rel_win.text))
                        .label(related.message.as_str()),
                ),
        );
    }
    let mut groups = vec![group];
    if let Some(help) = &diagnostic.help {
        let mut help_group = Group::with_title(Level::HELP.secondary_title(help.as_str()));
        if let Some(fix) = &diagnostic.fix {
            let fix_win = window(sources, &[fix.span]);
            help_group = help_group.element(
                Snippet::source(fix_win.text)
                    .line_start(fix_win.first_line)
                    .path(sources.file(fix.span.file).path.as_str())
                    .patch(Patch::new(
                        local(fix.span, fix_win.offset, fix_win.text),
                        fix.replacement.as_str(),
                    )),
            );
        }
        groups.push(help_group);
    }
    groups
}

/// `span`, ended at the end of its first line.
fn first_line(sources: &SourceMap, span: Span) -> Span {
    let file = sources.file(span.file);
    let line = file.line_range(file.location(span.start).line);
    Span {
        end: span.end.min(line.end).max(span.start),
        ..span
    }
}

/// Whether two spans of one file are close enough to share a snippet.
fn near(sources: &SourceMap, a: Span, b: Span) -> bool {
    let file = sources.file(a.file);
    file.location(a.start)
        .line
        .abs_diff(file.location(b.start).line)
        <= 12
}

/// `span` relative to a window starting at `offset`, clamped to the window's text.
fn local(span: Span, offset: usize, text: &str) -> std::ops::Range<usize> {
    let start = span.start.saturating_sub(offset).min(text.len());
    let end = span.end.saturating_sub(offset).clamp(start, text.len());
    start..end
}
