//! Problems with a file as a whole: it cannot be read, is not YAML, or is not one mapping.
//! The load stage finds these (`source` cannot read a file, `yaml` returns typed
//! [`Problem`]s); the rules here turn them into diagnostics with their own messages.

pub mod duplicate_key;
pub mod empty_file;
pub mod file_too_large;
pub mod multiple_documents;
pub mod not_a_mapping;
pub mod not_utf8;
pub mod resource_limit;
pub mod unreadable_file;
pub mod unusable_list;
pub mod yaml_syntax;

use crate::diagnostics::Diagnostic;
use crate::source::{FileId, Span};
use crate::yaml::Problem;

/// The diagnostic for a problem the YAML reader found in `file`, whose text is `text`.
pub fn yaml_problem(file: FileId, problem: &Problem, text: &str) -> Diagnostic {
    let span = |range: &std::ops::Range<usize>| Span::new(file, range.clone());
    match problem {
        Problem::Syntax { at, info } => yaml_syntax::syntax(file, *at, info, text),
        Problem::ScannerTooDeep { at } => resource_limit::scanner_too_deep(span(&(*at..*at))),
        Problem::UnknownAlias { at } => yaml_syntax::unknown_alias(span(at)),
        Problem::BadMerge { at } => yaml_syntax::bad_merge(span(at)),
        Problem::ComplexKey { at } => yaml_syntax::complex_key(span(at)),
        Problem::InvalidTaggedValue { at, value, tag } => {
            yaml_syntax::invalid_tagged_value(span(at), value, tag)
        }
        Problem::UnsupportedTag { at, tag } => yaml_syntax::unsupported_tag(span(at), tag),
        Problem::DuplicateKey { key, at, first } => {
            duplicate_key::diagnostic(key, span(at), span(first))
        }
        Problem::MultipleDocuments { at } => multiple_documents::diagnostic(span(at)),
        Problem::Empty => empty_file::diagnostic(file),
        Problem::TooDeep { at } => resource_limit::too_deep(span(at)),
        Problem::TooManyValues { at } => resource_limit::too_many_values(span(at)),
        Problem::AliasExpansion { at } => resource_limit::alias_expansion(span(at)),
    }
}

/// The diagnostics for every problem the YAML reader found in `file`.
pub fn yaml_problems(file: FileId, problems: &[Problem], text: &str) -> Vec<Diagnostic> {
    problems
        .iter()
        .map(|p| yaml_problem(file, p, text))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diagnostics(text: &str) -> Vec<Diagnostic> {
        yaml_problems(FileId(0), &crate::yaml::parse(text).problems, text)
    }

    fn codes(text: &str) -> Vec<&'static str> {
        diagnostics(text).iter().map(|d| d.rule.code).collect()
    }

    #[test]
    fn each_problem_has_its_rule() {
        assert_eq!(codes("a: 1\n---\nb: 2\n"), vec!["MC004"]);
        assert_eq!(codes(""), vec!["MC005"]);
        assert_eq!(codes("a: [1, 2\n"), vec!["MC001"]);
        assert_eq!(codes("a: !custom x\n"), vec!["MC001"]);
        assert_eq!(codes("a: 1\na: 2\n"), vec!["MC002"]);
        let deep = format!("a: {}{}\n", "[".repeat(100), "]".repeat(100));
        assert_eq!(codes(&deep), vec!["MC009"]);
    }

    #[test]
    fn duplicate_keys_point_at_both_places() {
        let d = &diagnostics("a: 1\nb: 2\na: 3\n")[0];
        assert_eq!((d.span.start, d.span.end), (10, 11));
        assert_eq!(d.related.len(), 1);
        assert_eq!(d.related[0].span.start, 0);
    }

    #[test]
    fn syntax_errors_point_at_the_problem_with_fitting_help() {
        let d = &diagnostics("a: 1\nb: x\0y\n")[0];
        assert_eq!(d.rule.code, "MC001");
        assert!(
            d.help.as_deref().unwrap().contains("control character"),
            "{d:?}"
        );
        let d = &diagnostics("description: Count: all\n")[0];
        assert!(d.help.as_deref().unwrap().contains("quoted"));
        // Indentation mistakes get help about indentation, not about quotes or brackets.
        for text in [
            "key_path: counts.x\n  description: indented too far\n",
            "events:\n  - name: a\n    unique: user.id\n   filter: x\n",
            "a:\n  b: 1\n c: 2\n",
        ] {
            let d = &diagnostics(text)[0];
            assert!(
                d.help.as_deref().unwrap().contains("indent"),
                "{text:?}: {d:?}"
            );
        }
        let d = &diagnostics("key_path: [a, b\n")[0];
        assert!(d.help.as_deref().unwrap().contains("closed"), "{d:?}");
    }
}
