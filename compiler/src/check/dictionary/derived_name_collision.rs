use std::collections::BTreeMap;

use crate::check::Context;
use crate::diagnostics::Diagnostic;
use crate::diagnostics::rule::rule;
use crate::resolve::names::{KeyNames, field_name, method_name};
use crate::source::Span;

rule! {
    /// ## What it does
    /// Reports two definitions that are different but get the same name in a generated
    /// output: the Rust constant of a metric (`COUNTS_ISSUES`), its dbt model and column
    /// name (`counts_issues`), the docs page of a metric or an event, the Rust function and
    /// properties struct of an event (`create_issue`, `CreateIssue`), the Rust field of an
    /// event's additional property, the Rust module of a group, the Rust method of an
    /// `instrumentation_class`. Names are derived from key paths, actions, property names,
    /// class names and taxonomy keys: characters other than letters and digits become `_`
    /// (or `-` in docs slugs), letters are lower-cased (CamelCase words of a class are
    /// joined with `_`), and dbt names are cut to 63 bytes.
    ///
    /// ## Why is this bad?
    /// Two items with one name do not compile (Rust), overwrite each other (dbt models, docs
    /// pages on case-insensitive file systems), or silently merge two metrics into one
    /// column.
    ///
    /// ## Example
    /// `counts.merge-requests` and `counts.merge_requests` are two key paths, but both are
    /// `COUNTS_MERGE_REQUESTS` in Rust and `counts_merge_requests` in dbt.
    ///
    /// ## Fix
    /// Rename one of them so that they differ in letters or digits, not only in punctuation
    /// or case; key paths conventionally use lower-case letters, digits, `_` and `.`.
    pub DERIVED_NAME_COLLISION = ("MC410", "derived-name-collision", Error);
}

/// One named thing: where it is written, what it is called, and what it stands for.
struct Named<'a> {
    span: Span,
    /// The key path, action or key the name comes from.
    source: &'a str,
}

pub fn check(cx: &mut Context<'_>) {
    let dictionary = cx.dictionary;
    // (output, derived name) → the things that get it.
    let mut named_as: BTreeMap<(&str, String), Vec<Named<'_>>> = BTreeMap::new();
    fn add<'a>(
        names: &mut BTreeMap<(&'static str, String), Vec<Named<'a>>>,
        output: &'static str,
        name: String,
        named: Named<'a>,
    ) {
        let list = names.entry((output, name)).or_default();
        // The same key path or action twice is another rule's business.
        if !list.iter().any(|n| n.source == named.source) {
            list.push(named);
        }
    }
    for metric in &dictionary.metrics {
        let span = dictionary.definition(metric).key_path.span;
        let source = metric.key_path.as_str();
        add(
            &mut named_as,
            "Rust constant",
            metric.names.rust.clone(),
            Named { span, source },
        );
        add(
            &mut named_as,
            "dbt name",
            metric.names.dbt.clone(),
            Named { span, source },
        );
        add(
            &mut named_as,
            "docs page",
            metric.names.slug.clone(),
            Named { span, source },
        );
    }
    for (event, names) in dictionary.events.iter().zip(&dictionary.event_names) {
        let span = event.action.span;
        let source = event.action.value.as_str();
        add(
            &mut named_as,
            "Rust function",
            names.rust.clone(),
            Named { span, source },
        );
        add(
            &mut named_as,
            "event docs page and schema",
            names.slug.clone(),
            Named { span, source },
        );
        add(
            &mut named_as,
            "Rust type",
            names.rust_type.clone(),
            Named { span, source },
        );
        let mut fields: BTreeMap<String, Vec<&crate::source::Spanned<String>>> = BTreeMap::new();
        for property in &event.additional_properties {
            let list = fields.entry(field_name(&property.value)).or_default();
            if !list.iter().any(|p| p.value == property.value) {
                list.push(property);
            }
        }
        for (field, properties) in fields.iter().filter(|(_, p)| p.len() > 1) {
            for property in properties {
                add(
                    &mut named_as,
                    "Rust field",
                    format!("{source}.{field}"),
                    Named {
                        span: property.span,
                        source: &property.value,
                    },
                );
            }
        }
    }
    let mut classes: BTreeMap<&str, Span> = BTreeMap::new();
    for metric in &dictionary.metrics {
        if let Some(class) = &dictionary.definition(metric).instrumentation_class {
            classes.entry(class.value.as_str()).or_insert(class.span);
        }
    }
    for (class, span) in classes {
        add(
            &mut named_as,
            "Rust method",
            method_name(class),
            Named {
                span,
                source: class,
            },
        );
    }
    for (_, _, group) in dictionary.taxonomy.groups() {
        let names = KeyNames::new(&group.key.value);
        let named = |source| Named {
            span: group.key.span,
            source,
        };
        add(
            &mut named_as,
            "Rust module",
            names.rust,
            named(&group.key.value),
        );
        add(
            &mut named_as,
            "group docs page",
            names.slug,
            named(&group.key.value),
        );
    }
    // One report per pair of clashing definitions (on each of them), listing every name
    // they share.
    let mut clashes: BTreeMap<(&str, &str), (Span, Span, Vec<String>)> = BTreeMap::new();
    for ((output, name), things) in &named_as {
        for thing in things {
            for other in things.iter().filter(|o| o.source != thing.source) {
                clashes
                    .entry((thing.source, other.source))
                    .or_insert_with(|| (thing.span, other.span, Vec::new()))
                    .2
                    .push(format!("{output} `{name}`"));
            }
        }
    }
    for ((this, other), (span, other_span, shared)) in clashes {
        let what = if shared.len() == 1 { "name" } else { "names" };
        cx.report(
            Diagnostic::new(
                &DERIVED_NAME_COLLISION,
                span,
                format!(
                    "`{this}` and `{other}` get the same generated {what}: {}",
                    shared.join(", ")
                ),
            )
            .label(format!("`{this}`"))
            .related(other_span, format!("`{other}` is defined here"))
            .help(
                "rename one so that the two differ in letters or digits, not only in \
                 punctuation or case",
            ),
        );
    }
}
