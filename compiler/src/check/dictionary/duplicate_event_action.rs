use std::collections::HashMap;

use crate::check::Context;
use crate::check::rule::rule;
use crate::diagnostics::Diagnostic;
use crate::model::EventDefinition;

rule! {
    /// ## What it does
    /// Reports two event definitions with the same `action`. Both are shown. Older Snowplow
    /// events are identified by `category` and `action` together, so two of them may share an
    /// action when their categories differ.
    ///
    /// ## Why is this bad?
    /// Metrics refer to events by action. With two definitions, the identifiers and
    /// properties a metric may use depend on which file is read first, and the generated
    /// tracking function would be defined twice.
    ///
    /// ## Example
    /// `events/create_issue.yml` and `events/issue_created.yml` both say
    /// `action: create_issue`.
    ///
    /// ## Fix
    /// Merge the two definitions, or rename one action (and the metrics that count it).
    pub DUPLICATE_EVENT_ACTION = ("MC407", "duplicate-event-action", Error);
}

pub fn check(cx: &mut Context<'_>) {
    let mut first: HashMap<(&str, &str), &EventDefinition> = HashMap::new();
    let mut found = Vec::new();
    for event in &cx.dictionary.events {
        let internal = event.internal_events.as_ref().is_some_and(|b| b.value);
        let category = match &event.category {
            Some(c) if !internal => c.value.as_str(),
            _ => "",
        };
        let key = (category, event.action.value.as_str());
        match first.get(&key) {
            None => {
                first.insert(key, event);
            }
            Some(earlier) => found.push(
                Diagnostic::new(
                    &DUPLICATE_EVENT_ACTION,
                    event.action.span,
                    format!(
                        "event `{}` is defined twice: here and in {}",
                        event.action.value,
                        cx.path(earlier.file)
                    ),
                )
                .label("second definition")
                .related(earlier.action.span, "first defined here")
                .help("merge the two definitions, or rename one action"),
            ),
        }
    }
    for d in found {
        cx.report(d);
    }
}
