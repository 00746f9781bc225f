use crate::check::Context;
use crate::diagnostics::Diagnostic;
use crate::diagnostics::rule::rule;
use crate::model::DataSource;
use crate::suggest::closest;

rule! {
    /// ## What it does
    /// Reports an internal-events metric that counts an event no event definition
    /// declares, with the closest event action.
    ///
    /// ## Why is this bad?
    /// Nothing tracks an undeclared event, so the metric stays at zero forever, and the
    /// generated tracking code has no function to call for it.
    ///
    /// ## Example
    /// ```yaml
    /// events:
    /// - name: create_merge_reqest
    /// ```
    ///
    /// ## Fix
    /// Use the `action` of an existing event definition, or add the event definition:
    /// ```yaml
    /// events:
    /// - name: create_merge_request
    /// ```
    pub UNKNOWN_EVENT = ("MC405", "unknown-event", Error);
}

pub fn check(cx: &mut Context<'_>) {
    let dictionary = cx.dictionary;
    let actions: Vec<&str> = dictionary
        .events
        .iter()
        .map(|e| e.action.value.as_str())
        .collect();
    for def in &dictionary.definitions {
        if def.data_source.value != DataSource::InternalEvents {
            continue;
        }
        for selector in &def.events {
            if dictionary.event(&selector.name.value).is_some() {
                continue;
            }
            let mut d = Diagnostic::new(
                &UNKNOWN_EVENT,
                selector.name.span,
                format!(
                    "no event definition has the action `{}`",
                    selector.name.value
                ),
            )
            .label("unknown event");
            d = match closest(&selector.name.value, actions.iter().copied()) {
                Some(best) => d
                    .help(format!("did you mean `{best}`?"))
                    .fix(selector.name.span, best),
                None => d.help("add an event definition with this `action`, or fix the name"),
            };
            cx.report(d);
        }
    }
}
