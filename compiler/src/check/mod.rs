//! The check stage: every rule metricc applies, one file per rule.
//!
//! - `files/`: the file cannot be read or is not one YAML mapping (reported by `yaml`).
//! - `fields/`: unknown, missing or malformed fields (reported by [`schema`]).
//! - `definition/`: rules within one definition (GitLab's conditional rules).
//! - `sql/`: the `sql:` of database metrics.
//! - `dictionary/`: rules across the whole dictionary (uniqueness, references, taxonomy).
//! - `xmau/`: AMAU/GMAU/SMAU/UMAU roles.
//! - `conventions/`: house conventions (folders, descriptions).
//!
//! Every rule declares a code, a name, a default level and its explanation
//! ([`crate::diagnostics::rule::rule!`]); one table (`registry!`) gives [`RULES`], all of
//! them, and [`CHECKS`], the semantic ones that run over the [`Dictionary`].

pub mod conventions;
pub mod definition;
pub mod dictionary;
pub mod fields;
pub mod files;
pub mod schema;
pub mod sql;
pub mod xmau;

use rayon::prelude::*;

use crate::diagnostics::Rule;

use crate::diagnostics::Diagnostic;
use crate::resolve::Dictionary;
use crate::source::SourceMap;

/// What a semantic rule sees, and where it reports.
pub struct Context<'a> {
    pub dictionary: &'a Dictionary,
    pub sources: &'a SourceMap,
    diagnostics: Vec<Diagnostic>,
}

impl<'a> Context<'a> {
    pub fn new(dictionary: &'a Dictionary, sources: &'a SourceMap) -> Context<'a> {
        Context {
            dictionary,
            sources,
            diagnostics: Vec::new(),
        }
    }

    pub fn report(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    pub fn into_diagnostics(self) -> Vec<Diagnostic> {
        self.diagnostics
    }

    /// The path of a definition's file, relative to the project root.
    pub fn path(&self, file: crate::source::FileId) -> &str {
        &self.sources.file(file).path
    }
}

/// Declares [`RULES`] and [`CHECKS`] from one table: every rule, ordered by code, with the
/// check that runs over the dictionary for it (rules reported by earlier stages have none).
macro_rules! registry {
    ($($rule:path $(=> $check:path)?,)+) => {
        /// Every rule, ordered by code.
        pub static RULES: &[&Rule] = &[$(&$rule,)+];

        /// Every semantic check over the dictionary, in the order they run (by code). The
        /// SQL rules that read syntax trees run earlier, per metric
        /// ([`sql::check_definition`]); the file and field rules are reported by the load and
        /// schema stages.
        pub const CHECKS: &[fn(&mut Context<'_>)] = &[$($($check,)?)+];
    };
}

registry! {
    files::yaml_syntax::YAML_SYNTAX,
    files::duplicate_key::DUPLICATE_KEY,
    files::not_a_mapping::NOT_A_MAPPING,
    files::multiple_documents::MULTIPLE_DOCUMENTS,
    files::empty_file::EMPTY_FILE,
    files::not_utf8::NOT_UTF8,
    files::unreadable_file::UNREADABLE_FILE,
    files::file_too_large::FILE_TOO_LARGE,
    files::resource_limit::RESOURCE_LIMIT,
    files::unusable_list::UNUSABLE_LIST,
    fields::unknown_field::UNKNOWN_FIELD,
    fields::missing_field::MISSING_FIELD,
    fields::wrong_type::WRONG_TYPE,
    fields::invalid_value::INVALID_VALUE,
    fields::invalid_format::INVALID_FORMAT,
    fields::unquoted_number::UNQUOTED_NUMBER,
    fields::legacy_field::LEGACY_FIELD,
    fields::legacy_value::LEGACY_VALUE,
    definition::removed_metadata::REMOVED_METADATA => definition::removed_metadata::check,
    definition::broken_repair_issue::BROKEN_REPAIR_ISSUE => definition::broken_repair_issue::check,
    definition::object_value_schema::OBJECT_VALUE_SCHEMA => definition::object_value_schema::check,
    definition::internal_events_source::INTERNAL_EVENTS_SOURCE => definition::internal_events_source::check,
    definition::unique_time_frame::UNIQUE_TIME_FRAME => definition::unique_time_frame::check,
    definition::invalid_url::INVALID_URL => definition::invalid_url::check,
    definition::placeholder_url::PLACEHOLDER_URL => definition::placeholder_url::check,
    definition::milestone_order::MILESTONE_ORDER => definition::milestone_order::check,
    definition::missing_product_categories::MISSING_PRODUCT_CATEGORIES => definition::missing_product_categories::check,
    definition::redis_instrumentation::REDIS_INSTRUMENTATION => definition::redis_instrumentation::check,
    definition::custom_event_property::CUSTOM_EVENT_PROPERTY => definition::custom_event_property::check,
    sql::sql_with_instrumentation_class::SQL_WITH_INSTRUMENTATION_CLASS => sql::sql_with_instrumentation_class::check,
    sql::missing_value_source::MISSING_VALUE_SOURCE => sql::missing_value_source::check,
    sql::sql_syntax::SQL_SYNTAX,
    sql::sql_not_read_only::SQL_NOT_READ_ONLY,
    sql::sql_single_value::SQL_SINGLE_VALUE,
    sql::sql_window_parameters::SQL_WINDOW_PARAMETERS,
    sql::sql_outside_database::SQL_OUTSIDE_DATABASE => sql::sql_outside_database::check,
    dictionary::duplicate_key_path::DUPLICATE_KEY_PATH => dictionary::duplicate_key_path::check,
    dictionary::key_path_prefix::KEY_PATH_PREFIX => dictionary::key_path_prefix::check,
    dictionary::unknown_group::UNKNOWN_GROUP => dictionary::unknown_group::check,
    dictionary::taxonomy_mismatch::TAXONOMY_MISMATCH => dictionary::taxonomy_mismatch::check,
    dictionary::unknown_event::UNKNOWN_EVENT => dictionary::unknown_event::check,
    dictionary::unsupported_event_option::UNSUPPORTED_EVENT_OPTION => dictionary::unsupported_event_option::check,
    dictionary::duplicate_event_action::DUPLICATE_EVENT_ACTION => dictionary::duplicate_event_action::check,
    dictionary::unknown_category::UNKNOWN_CATEGORY => dictionary::unknown_category::check,
    dictionary::duplicate_taxonomy_key::DUPLICATE_TAXONOMY_KEY => dictionary::duplicate_taxonomy_key::check,
    dictionary::derived_name_collision::DERIVED_NAME_COLLISION => dictionary::derived_name_collision::check,
    dictionary::reserved_name::RESERVED_NAME => dictionary::reserved_name::check,
    dictionary::reserved_key_path::RESERVED_KEY_PATH => dictionary::reserved_key_path::check,
    xmau::duplicate_xmau::DUPLICATE_XMAU => xmau::duplicate_xmau::check,
    xmau::xmau_shape::XMAU_SHAPE => xmau::xmau_shape::check,
    xmau::stage_without_smau::STAGE_WITHOUT_SMAU => xmau::stage_without_smau::check,
    conventions::folder_time_frame::FOLDER_TIME_FRAME => conventions::folder_time_frame::check,
    conventions::empty_description::EMPTY_DESCRIPTION => conventions::empty_description::check,
}

/// Finds a rule by code (`MC101`) or name (`unknown-field`), ignoring case.
pub fn find_rule(code_or_name: &str) -> Option<&'static Rule> {
    RULES.iter().copied().find(|r| {
        r.code.eq_ignore_ascii_case(code_or_name) || r.name.eq_ignore_ascii_case(code_or_name)
    })
}

/// Runs every semantic check over the dictionary.
/// The checks run in parallel, each with its own [`Context`]; their reports are gathered in
/// the order of [`CHECKS`], so the result does not depend on which finished first.
pub fn run(dictionary: &Dictionary, sources: &SourceMap) -> Vec<Diagnostic> {
    let reports: Vec<Vec<Diagnostic>> = CHECKS
        .par_iter()
        .map(|check| {
            let mut cx = Context::new(dictionary, sources);
            check(&mut cx);
            cx.into_diagnostics()
        })
        .collect();
    reports.into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_and_names_are_unique_and_ordered() {
        let mut codes = HashSet::new();
        let mut names = HashSet::new();
        for rule in RULES {
            assert!(codes.insert(rule.code), "code {} twice", rule.code);
            assert!(names.insert(rule.name), "name {} twice", rule.name);
        }
        let mut sorted: Vec<_> = RULES.iter().map(|r| r.code).collect();
        sorted.sort();
        assert_eq!(sorted, RULES.iter().map(|r| r.code).collect::<Vec<_>>());
    }

    #[test]
    fn every_explanation_has_the_four_sections() {
        for rule in RULES {
            let text = rule.explanation();
            for heading in [
                "## What it does",
                "## Why is this bad?",
                "## Example",
                "## Fix",
            ] {
                assert!(text.contains(heading), "{} lacks {heading}", rule.code);
            }
            assert!(!rule.summary().is_empty(), "{} has no summary", rule.code);
        }
    }

    #[test]
    fn every_check_belongs_to_a_rule_of_the_table() {
        // The table pairs each check with its rule; a check without a rule is impossible by
        // construction, so count them: 31 semantic checks today.
        assert_eq!(CHECKS.len(), 31);
        assert!(RULES.len() > CHECKS.len());
    }

    #[test]
    fn rules_are_found_by_code_or_name() {
        assert_eq!(find_rule("mc101").map(|r| r.name), Some("unknown-field"));
        assert_eq!(find_rule("unknown-field").map(|r| r.code), Some("MC101"));
        assert!(find_rule("MC999").is_none());
    }
}
