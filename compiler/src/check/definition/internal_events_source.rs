use crate::check::Context;
use crate::diagnostics::Diagnostic;
use crate::diagnostics::rule::rule;
use crate::model::DataSource;

rule! {
    /// ## What it does
    /// Reports a `data_source: internal_events` metric without `events`, or with an
    /// `instrumentation_class`.
    ///
    /// ## Why is this bad?
    /// An internal-events metric is computed from the events it lists: without them it
    /// counts nothing. Its value comes from the event store, so an instrumentation class
    /// would be a second, conflicting source.
    ///
    /// ## Example
    /// ```yaml
    /// data_source: internal_events
    /// instrumentation_class: CountIssuesMetric
    /// ```
    ///
    /// ## Fix
    /// ```yaml
    /// data_source: internal_events
    /// events:
    /// - name: create_issue
    ///   unique: user.id
    /// ```
    pub INTERNAL_EVENTS_SOURCE = ("MC204", "internal-events-source", Error);
}

pub fn check(cx: &mut Context<'_>) {
    for def in &cx.dictionary.definitions {
        if def.data_source.value != DataSource::InternalEvents {
            continue;
        }
        // An `events:` that is not a list is a wrong type (MC103), reported already.
        let absent = def.events_key.is_none() || def.events_written == Some(0);
        if absent {
            cx.report(
                Diagnostic::new(
                    &INTERNAL_EVENTS_SOURCE,
                    def.events_key.unwrap_or(def.data_source.span),
                    "an internal_events metric needs at least one entry in `events`",
                )
                .label("no events")
                .help("list the events counted: `events: [{name: <event action>}]`"),
            );
        }
        if let Some(class) = def.instrumentation_class() {
            cx.report(
                Diagnostic::new(
                    &INTERNAL_EVENTS_SOURCE,
                    class.span,
                    "an internal_events metric cannot have an `instrumentation_class`",
                )
                .label("not used for internal_events")
                .related(def.data_source.span, "the value comes from the events")
                .help("remove `instrumentation_class` (and its `options`)"),
            );
        }
    }
}
