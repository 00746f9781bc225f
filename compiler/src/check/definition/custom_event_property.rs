use crate::check::Context;
use crate::diagnostics::Diagnostic;
use crate::diagnostics::rule::rule;

rule! {
    /// ## What it does
    /// Reports an event that defines custom `additional_properties` without first using the
    /// base ones: custom properties are allowed only next to both `label` and `property`, or
    /// next to `value` (GitLab's event schema).
    ///
    /// ## Why is this bad?
    /// Events are stored in a fixed table whose `label`, `property` and `value` columns are
    /// indexed and filterable; custom properties are extra payload. Putting data in custom
    /// properties while the base columns are free makes it unfilterable for metrics.
    ///
    /// ## Example
    /// ```yaml
    /// additional_properties:
    ///   tool_name:
    ///     description: Name of the tool called
    /// ```
    ///
    /// ## Fix
    /// ```yaml
    /// additional_properties:
    ///   label:
    ///     description: Name of the tool called
    /// ```
    pub CUSTOM_EVENT_PROPERTY = ("MC211", "custom-event-property", Error);
}

pub fn check(cx: &mut Context<'_>) {
    let dictionary = cx.dictionary;
    for event in &dictionary.events {
        let base_ok = (event.has_property("label") && event.has_property("property"))
            || event.has_property("value");
        if base_ok {
            continue;
        }
        if let Some(custom) = event
            .additional_properties
            .iter()
            .find(|p| !matches!(p.value.as_str(), "label" | "property" | "value"))
        {
            cx.report(
                Diagnostic::new(
                    &CUSTOM_EVENT_PROPERTY,
                    custom.span,
                    format!(
                        "custom property `{}` needs `label` and `property`, or `value`, to be used first",
                        custom.value
                    ),
                )
                .label("custom property")
                .help("move the data into `label`, `property` or `value`, then add custom properties for the rest"),
            );
        }
    }
}
