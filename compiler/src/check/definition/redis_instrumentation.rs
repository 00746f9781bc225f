use serde_json::Value as Json;

use crate::check::Context;
use crate::diagnostics::Diagnostic;
use crate::diagnostics::rule::rule;
use crate::model::{DataSource, Status};

rule! {
    /// ## What it does
    /// Reports a `redis` metric that is not a `RedisMetric` with `options: {event, prefix}`,
    /// and a `redis_hll` metric that is not a `RedisHLLMetric` (whose `options`, when set,
    /// list its `events`): GitLab's rules for its legacy Redis counters.
    ///
    /// ## Why is this bad?
    /// The Redis counter a metric reads is named by these options; without them the
    /// instrumentation does not know which key to read and the metric reports `-1`.
    ///
    /// ## Example
    /// ```yaml
    /// data_source: redis
    /// instrumentation_class: RedisMetric
    /// options:
    ///   prefix: web_ide
    /// ```
    ///
    /// ## Fix
    /// ```yaml
    /// data_source: redis
    /// instrumentation_class: RedisMetric
    /// options:
    ///   event: views
    ///   prefix: web_ide
    /// ```
    pub REDIS_INSTRUMENTATION = ("MC210", "redis-instrumentation", Error);
}

/// Metrics GitLab's schema exempts from the `redis_hll` shape (they predate it).
const LEGACY_HLL: &[&str] = &[
    "usage_activity_by_stage_monthly.create.merge_requests_users",
    "usage_activity_by_stage_monthly.create.action_monthly_active_users_web_ide_edit",
    "usage_activity_by_stage_monthly.create.action_monthly_active_users_sfe_edit",
    "usage_activity_by_stage_monthly.create.action_monthly_active_users_snippet_editor_edit",
    "usage_activity_by_stage_monthly.create.action_monthly_active_users_sse_edit",
    "counts_monthly.aggregated_metrics.product_analytics_test_metrics_union",
    "counts_weekly.aggregated_metrics.product_analytics_test_metrics_union",
    "counts_monthly.aggregated_metrics.product_analytics_test_metrics_intersection",
    "counts_weekly.aggregated_metrics.product_analytics_test_metrics_intersection",
];

pub fn check(cx: &mut Context<'_>) {
    let dictionary = cx.dictionary;
    for def in &dictionary.definitions {
        let (class, problem) = match def.data_source.value {
            DataSource::Redis if def.status.value != Status::Removed => (
                "RedisMetric",
                redis_options(def.options().map(|o| &o.value)),
            ),
            DataSource::RedisHll if !LEGACY_HLL.contains(&def.key_path.value.as_str()) => (
                "RedisHLLMetric",
                def.options().and_then(|o| hll_options(&o.value)),
            ),
            _ => continue,
        };
        match def.instrumentation_class() {
            Some(c) if c.value == class => {}
            Some(c) => cx.report(
                Diagnostic::new(
                    &REDIS_INSTRUMENTATION,
                    c.span,
                    format!(
                        "a `{}` metric is instrumented by `{class}`, not `{}`",
                        def.data_source.value, c.value
                    ),
                )
                .label("wrong class")
                .fix(c.span, class)
                .help(format!("write `instrumentation_class: {class}`")),
            ),
            None => cx.report(
                Diagnostic::new(
                    &REDIS_INSTRUMENTATION,
                    def.data_source.span,
                    format!(
                        "a `{}` metric needs `instrumentation_class: {class}`",
                        def.data_source.value
                    ),
                )
                .label("no instrumentation class")
                .help(format!(
                    "add `instrumentation_class: {class}` and its `options`"
                )),
            ),
        }
        if let Some(problem) = problem {
            let span = def.options_key().copied().unwrap_or(def.data_source.span);
            cx.report(
                Diagnostic::new(&REDIS_INSTRUMENTATION, span, problem)
                    .label("the counter's options")
                    .help(match def.data_source.value {
                        DataSource::Redis => {
                            "write `options: {event: <counter>, prefix: <prefix or null>}`"
                        }
                        _ => "write `options: {events: [<event>, ...]}`",
                    }),
            );
        }
    }
}

fn redis_options(options: Option<&Json>) -> Option<String> {
    let Some(Json::Object(map)) = options else {
        return Some("a `redis` metric needs `options` naming its counter".to_owned());
    };
    match map.get("event") {
        None => return Some("`options` must name the counter: `event` is missing".to_owned()),
        Some(e) if !e.is_string() => {
            return Some("`options.event`, the counter's name, must be a string".to_owned());
        }
        Some(_) => {}
    }
    match map.get("prefix") {
        None => {
            return Some(
                "`options` must give the counter's `prefix` (a string, or null for none)"
                    .to_owned(),
            );
        }
        Some(p) if !(p.is_string() || p.is_null()) => {
            return Some("`options.prefix` must be a string, or null for none".to_owned());
        }
        Some(_) => {}
    }
    if map
        .get("include_usage_prefix")
        .is_some_and(|v| !v.is_boolean())
    {
        return Some("`options.include_usage_prefix` must be true or false".to_owned());
    }
    map.keys()
        .find(|k| !matches!(k.as_str(), "event" | "prefix" | "include_usage_prefix"))
        .map(|k| format!("unknown option `{k}` for a redis counter (allowed: event, prefix, include_usage_prefix)"))
}

fn hll_options(options: &Json) -> Option<String> {
    let Json::Object(map) = options else {
        return Some("`options` must be a mapping".to_owned());
    };
    match map.get("events") {
        Some(Json::Array(events)) if events.iter().all(Json::is_string) => map
            .keys()
            .find(|k| k.as_str() != "events")
            .map(|k| format!("unknown option `{k}` for a redis_hll metric (allowed: events)")),
        Some(_) => Some("`options.events` must be a list of event names".to_owned()),
        None => Some("a `redis_hll` metric's `options` must list its `events`".to_owned()),
    }
}
