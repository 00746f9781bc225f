use std::collections::HashMap;

use crate::check::Context;
use crate::diagnostics::Diagnostic;
use crate::diagnostics::rule::rule;
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
    let dictionary = cx.dictionary;
    let mut by_key: HashMap<(&str, &str), Vec<&EventDefinition>> = HashMap::new();
    for event in &dictionary.events {
        let internal = event.internal_events.as_ref().is_some_and(|b| b.value);
        let category = match &event.category {
            Some(c) if !internal => c.value.as_str(),
            _ => "",
        };
        by_key
            .entry((category, event.action.value.as_str()))
            .or_default()
            .push(event);
    }
    for ((_, action), events) in by_key {
        if events.len() < 2 {
            continue;
        }
        for (i, event) in events.iter().enumerate() {
            let other = events[if i == 0 { 1 } else { 0 }];
            cx.report(
                Diagnostic::new(
                    &DUPLICATE_EVENT_ACTION,
                    event.action.span,
                    format!(
                        "event `{action}` is defined {} times: here and in {}",
                        events.len(),
                        cx.path(other.file)
                    ),
                )
                .label("defined here")
                .related(other.action.span, "and here")
                .help(
                    "merge the definitions, or rename one action (and the metrics that count it)",
                ),
            );
        }
    }
}
