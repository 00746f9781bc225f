use crate::check::Context;
use crate::diagnostics::Diagnostic;
use crate::diagnostics::rule::rule;
use crate::model::{
    DataSource, MetricDefinition, Status, TimeFrame, TimeFrames, Unique, ValueType,
};
use crate::source::Span;

rule! {
    /// ## What it does
    /// Reports a metric with an xMAU role (`amau`, `gmau`, `paid_gmau`, `smau`, `umau`) that
    /// is not an active, numeric, 28-day count of unique users. "Unique users" means: an
    /// internal-events metric whose every event has `unique: user.id`, a `redis_hll`
    /// metric, or SQL selecting `COUNT(DISTINCT <user id column>)`. Database metrics computed
    /// by an instrumentation class cannot be inspected and are trusted; `system`, `license`,
    /// `prometheus` and `redis` values are never unique-user counts.
    ///
    /// ## Why is this bad?
    /// xMAU is defined as distinct users in 28 days. A weekly number, an event total or a
    /// count of projects in that slot makes the stage's headline figure mean something
    /// else, and trends jump when it is corrected.
    ///
    /// ## Example
    /// ```yaml
    /// performance_indicator_type: [smau]
    /// time_frame: 7d
    /// events:
    /// - name: create_merge_request
    /// ```
    ///
    /// ## Fix
    /// ```yaml
    /// performance_indicator_type: [smau]
    /// time_frame: 28d
    /// events:
    /// - name: create_merge_request
    ///   unique: user.id
    /// ```
    pub XMAU_SHAPE = ("MC502", "xmau-shape", Error);
}

pub fn check(cx: &mut Context<'_>) {
    let dictionary = cx.dictionary;
    for def in &dictionary.definitions {
        let Some(role) = def
            .performance_indicator_type
            .iter()
            .find(|r| r.value.is_xmau())
        else {
            continue;
        };
        let name = role.value.display_name();
        let mut problem = |span: Span, message: String, help: &str| {
            cx.report(
                Diagnostic::new(&XMAU_SHAPE, span, format!("the {name} metric {message}"))
                    .label("not an xMAU shape")
                    .related(role.span, format!("{name} role set here"))
                    .help(help.to_owned()),
            );
        };
        if def.status.value != Status::Active {
            problem(
                def.status.span,
                format!("must be active, not {}", def.status.value),
                "move the role to an active metric",
            );
        }
        if def.value_type.value != ValueType::Number {
            problem(
                def.value_type.span,
                format!("must be a number, not {}", def.value_type.value),
                "xMAU is a count of users: `value_type: number`",
            );
        }
        if def.time_frame.value != TimeFrames::Single(TimeFrame::Month) {
            problem(
                def.time_frame.span,
                "must have `time_frame: 28d`".to_owned(),
                "monthly active users are counted over 28 days: `time_frame: 28d`",
            );
        }
        if let Some((span, message)) = not_unique_users(def) {
            problem(
                span,
                message,
                "count distinct users: `unique: user.id` on every event, or `COUNT(DISTINCT user_id)`",
            );
        }
    }
}

/// Why the metric is evidently not a count of distinct users, if it is not.
fn not_unique_users(def: &MetricDefinition) -> Option<(Span, String)> {
    match def.data_source.value {
        DataSource::InternalEvents => def
            .events
            .iter()
            .find(|e| e.unique.as_ref().map(|u| u.value) != Some(Unique::UserId))
            .map(|e| {
                let what = match &e.unique {
                    Some(u) => format!("counts distinct `{}` of `{}`", u.value, e.name.value),
                    None => format!("counts every `{}` event, not distinct users", e.name.value),
                };
                (
                    e.unique.as_ref().map_or(e.span, |u| u.span),
                    format!("must count unique users, but {what}"),
                )
            }),
        DataSource::RedisHll => None,
        DataSource::Database => {
            let sql = def.sql.as_ref()?;
            if sql.error.is_some() || sql.distinct_count_of.as_deref().is_some_and(is_user_column) {
                None
            } else {
                Some((
                    sql.text.span,
                    "must count unique users, but its SQL does not select `COUNT(DISTINCT <user id>)`"
                        .to_owned(),
                ))
            }
        }
        DataSource::Redis => Some((
            def.data_source.span,
            "must count unique users, but a redis counter is a total".to_owned(),
        )),
        DataSource::System | DataSource::License | DataSource::Prometheus => Some((
            def.data_source.span,
            format!(
                "must count unique users, not a `{}` value",
                def.data_source.value
            ),
        )),
    }
}

/// Whether a column name is a user id (`user_id`, `author_id`, `merge_user_id`,
/// `users.id`).
fn is_user_column(parts: &[String]) -> bool {
    let name = parts.last().map(String::as_str).unwrap_or_default();
    let table = parts.len().checked_sub(2).map(|i| parts[i].as_str());
    name.ends_with("user_id")
        || name.ends_with("author_id")
        || (name == "id" && table == Some("users"))
}
