use crate::check::Context;
use crate::diagnostics::Diagnostic;
use crate::diagnostics::rule::rule;
use crate::resolve::names::{
    DBT_MODELS, KeyNames, MetricNames, NOT_RAW, RUST_KEYWORDS, RUST_MODULES, SQL_RESERVED,
    field_name, method_name,
};
use crate::source::Span;

rule! {
    /// ## What it does
    /// Reports a definition whose generated name is a reserved word: an event whose Rust
    /// recording function, or a group whose Rust module, would be a Rust keyword (`type`,
    /// `match`, `self`) or a module the generated code has for itself (`selectors`,
    /// `ungrouped`), an event whose properties struct would be `Self`, an additional
    /// property or an `instrumentation_class` whose Rust field or method would be `self`,
    /// `super` or `crate` (the keywords not even `r#` allows), a metric whose dbt model
    /// and column name would be a SQL reserved word (`user`, `order`, `group`), and a SQL
    /// metric whose dbt model would have the name of a model the dbt project always has
    /// (`xmau_monthly`, ...).
    ///
    /// ## Why is this bad?
    /// The generated code would not compile, the generated SQL would need quoting that
    /// every analyst's query would then need too, or two dbt models would share a name.
    ///
    /// ## Example
    /// ```yaml
    /// action: match
    /// ```
    ///
    /// ## Fix
    /// Give the event, group or metric a more specific name:
    /// ```yaml
    /// action: match_merge_request_rules
    /// ```
    pub RESERVED_NAME = ("MC411", "reserved-name", Error);
}

pub fn check(cx: &mut Context<'_>) {
    let dictionary = cx.dictionary;
    let mut found: Vec<(Span, String, &str)> = Vec::new();
    for (event, names) in dictionary.events.iter().zip(&dictionary.event_names) {
        if is_reserved(RUST_KEYWORDS, &names.rust) {
            found.push((
                event.action.span,
                format!(
                    "event `{}` would be recorded by a Rust function named `{}`, a Rust keyword",
                    event.action.value, names.rust
                ),
                "reserved word",
            ));
        }
        if is_reserved(NOT_RAW, &names.rust_type) {
            found.push((
                event.action.span,
                format!(
                    "event `{}` would have a Rust properties struct named `{}`, a Rust keyword",
                    event.action.value, names.rust_type
                ),
                "reserved word",
            ));
        }
        for property in &event.additional_properties {
            let field = field_name(&property.value);
            if is_reserved(NOT_RAW, &field) {
                found.push((
                    property.span,
                    format!(
                        "property `{}` would be a Rust field named `{field}`, a Rust keyword",
                        property.value
                    ),
                    "reserved word",
                ));
            }
        }
    }
    let mut classes = std::collections::BTreeSet::new();
    for metric in &dictionary.metrics {
        if let Some(class) = dictionary.definition(metric).instrumentation_class() {
            let method = method_name(&class.value);
            if is_reserved(NOT_RAW, &method) && classes.insert(class.value.as_str()) {
                found.push((
                    class.span,
                    format!(
                        "instrumentation class `{}` would be a Rust method named `{method}`, a \
                         Rust keyword",
                        class.value
                    ),
                    "reserved word",
                ));
            }
        }
    }
    for (_, _, group) in dictionary.taxonomy.groups() {
        let names = KeyNames::new(&group.key.value);
        if is_reserved(RUST_KEYWORDS, &names.rust) {
            found.push((
                group.key.span,
                format!(
                    "group `{}` would be a Rust module named `{}`, a Rust keyword",
                    group.key.value, names.rust
                ),
                "reserved word",
            ));
        } else if RUST_MODULES.contains(&names.rust.as_str()) {
            found.push((
                group.key.span,
                format!(
                    "group `{}` would be a Rust module named `{}`, a module the generated code \
                     has for itself",
                    group.key.value, names.rust
                ),
                "reserved name",
            ));
        }
    }
    for metric in &dictionary.metrics {
        let dbt = MetricNames::dbt_of(&metric.key_path);
        if is_reserved(SQL_RESERVED, &dbt) {
            found.push((
                dictionary.definition(metric).key_path.span,
                format!(
                    "metric `{}` would be a dbt model and column named `{}`, a SQL reserved word",
                    metric.key_path, dbt
                ),
                "reserved word",
            ));
        } else if dictionary.definition(metric).sql.is_some() && is_reserved(DBT_MODELS, &dbt) {
            found.push((
                dictionary.definition(metric).key_path.span,
                format!(
                    "metric `{}` would be a dbt model named `{}`, a model the dbt project \
                     already has",
                    metric.key_path, dbt
                ),
                "name of a dbt model",
            ));
        }
    }
    for (span, message, label) in found {
        cx.report(
            Diagnostic::new(&RESERVED_NAME, span, message)
                .label(label)
                .help("give it a more specific name, e.g. with a prefix that says what it is"),
        );
    }
}

fn is_reserved(words: &[&str], name: &str) -> bool {
    words.binary_search(&name).is_ok()
}
