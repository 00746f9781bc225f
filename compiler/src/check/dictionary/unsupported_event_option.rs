use crate::check::Context;
use crate::diagnostics::Diagnostic;
use crate::diagnostics::rule::rule;
use crate::model::{Identifier, Unique};

rule! {
    /// ## What it does
    /// Reports an `events` entry that uses what its event does not record: `unique:
    /// user.id` on an event without the `user` identifier (likewise `project`, `namespace`),
    /// `unique`/`filter` on an additional property the event does not define, or
    /// `operator: sum(value)` on an event without a `value` property.
    ///
    /// ## Why is this bad?
    /// The event never carries that data, so the count is always zero (or the sum always
    /// empty), which looks like "nobody uses this feature".
    ///
    /// ## Example
    /// ```yaml
    /// events:
    /// - name: pipeline_created      # identifiers: [project, namespace]
    ///   unique: user.id
    /// ```
    ///
    /// ## Fix
    /// Count what the event records (`unique: project.id`), or add the identifier or
    /// property to the event definition and to the code that tracks it.
    pub UNSUPPORTED_EVENT_OPTION = ("MC406", "unsupported-event-option", Error);
}

pub fn check(cx: &mut Context<'_>) {
    let dictionary = cx.dictionary;
    for def in &dictionary.definitions {
        for selector in &def.events {
            let Some(event) = dictionary.event(&selector.name.value) else {
                continue;
            };
            let event_file = event.action.span;
            let needs = |what: String, span, fix: &str| {
                Diagnostic::new(
                    &UNSUPPORTED_EVENT_OPTION,
                    span,
                    format!("event `{}` does not record {what}", event.action.value),
                )
                .label("not recorded by the event")
                .related(event_file, "event defined here")
                .help(fix.to_owned())
            };
            if let Some(unique) = &selector.unique {
                let missing = match unique.value {
                    Unique::UserId => (!event.has_identifier(Identifier::User))
                        .then(|| "the `user` identifier".to_owned()),
                    Unique::ProjectId => (!event.has_identifier(Identifier::Project))
                        .then(|| "the `project` identifier".to_owned()),
                    Unique::NamespaceId => (!event.has_identifier(Identifier::Namespace))
                        .then(|| "the `namespace` identifier".to_owned()),
                    Unique::Label | Unique::Property | Unique::Value => {
                        let name = unique.value.as_str();
                        (!event.has_property(name))
                            .then(|| format!("the additional property `{name}`"))
                    }
                };
                if let Some(what) = missing {
                    cx.report(needs(
                        what,
                        unique.span,
                        "count something the event records, or add it to the event definition",
                    ));
                }
            }
            for (key, _) in &selector.filter {
                if !event.has_property(&key.value) {
                    cx.report(needs(
                        format!("the additional property `{}`", key.value),
                        key.span,
                        "filter on an additional property the event defines",
                    ));
                }
            }
            if let Some(operator) = &selector.operator
                && operator.value == "sum(value)"
                && !event.has_property("value")
            {
                cx.report(needs(
                    "a `value` to sum".to_owned(),
                    operator.span,
                    "add a `value` additional property to the event, or drop the operator to count events",
                ));
            }
        }
    }
}
