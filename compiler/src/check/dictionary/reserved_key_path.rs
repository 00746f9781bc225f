use crate::check::Context;
use crate::diagnostics::Diagnostic;
use crate::diagnostics::rule::rule;
use crate::model::PING_METADATA_KEY;

rule! {
    /// ## What it does
    /// Reports a key path under `metadata`, the top-level key of the Service Ping payload
    /// that holds what the runtime records about the ping itself: the instance, the time,
    /// the application version and the metrics that failed.
    ///
    /// ## Why is this bad?
    /// The metric's value and the ping's metadata would share one place in the payload:
    /// one of them would be lost, and the payload schema could not describe both.
    ///
    /// ## Example
    /// ```yaml
    /// key_path: metadata.projects_with_topics
    /// ```
    ///
    /// ## Fix
    /// Put the metric under a key of its own:
    /// ```yaml
    /// key_path: counts.projects_with_topics
    /// ```
    pub RESERVED_KEY_PATH = ("MC412", "reserved-key-path", Error);
}

pub fn check(cx: &mut Context<'_>) {
    for def in &cx.dictionary.definitions {
        if !def.key_path.value.is_reserved() {
            continue;
        }
        cx.report(
            Diagnostic::new(
                &RESERVED_KEY_PATH,
                def.key_path.span,
                format!(
                    "`{}` lies under `{PING_METADATA_KEY}`, which the Service Ping reserves for \
                     the ping's own metadata",
                    def.key_path.value
                ),
            )
            .label("reserved key")
            .help(format!(
                "move the metric out of `{PING_METADATA_KEY}`, e.g. under `counts.`; \
                 `{PING_METADATA_KEY}` holds the instance id, the time, the version and the \
                 failed metrics"
            )),
        );
    }
}
