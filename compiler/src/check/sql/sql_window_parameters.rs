use crate::diagnostics::Diagnostic;
use crate::diagnostics::rule::rule;
use crate::model::MetricDefinition;
use crate::model::sql::Sql;
use crate::model::sql::{WINDOW_END, WINDOW_START};
use crate::suggest::closest;

rule! {
    /// ## What it does
    /// Reports `sql` whose parameters do not match its `time_frame`: a `7d` or `28d` metric
    /// must use both `:window_start` and `:window_end`; an `all` or `none` metric must use
    /// neither; no other parameter (`:start`, `$1`, `?`) exists.
    ///
    /// ## Why is this bad?
    /// metricc binds the window (database `7d` = 9 to 2 days ago, `28d` = 30 to 2 days ago)
    /// to these two names. A 28-day metric without them counts all time while claiming to
    /// be monthly; a misspelt parameter makes the query fail on every instance.
    ///
    /// ## Example
    /// ```yaml
    /// time_frame: 28d
    /// sql: SELECT COUNT(*) FROM issues
    /// ```
    ///
    /// ## Fix
    /// ```yaml
    /// time_frame: 28d
    /// sql: |
    ///   SELECT COUNT(*) FROM issues
    ///   WHERE created_at >= :window_start AND created_at < :window_end
    /// ```
    /// A `time_frame` list that mixes `all` with `7d`/`28d` cannot share one query: split it
    /// into two definitions.
    pub SQL_WINDOW_PARAMETERS = ("MC306", "sql-window-parameters", Error);
}

pub fn check(def: &MetricDefinition, sql: &Sql, text: &str, found: &mut Vec<Diagnostic>) {
    {
        let used = &sql.placeholders;
        let frames = def.time_frame.each();
        let windowed: Vec<&str> = frames
            .iter()
            .filter(|t| t.is_windowed())
            .map(|t| t.as_str())
            .collect();
        let unbounded: Vec<&str> = frames
            .iter()
            .filter(|t| !t.is_windowed())
            .map(|t| t.as_str())
            .collect();

        // Parameters that do not exist; a near miss of a window parameter counts as that
        // parameter below, so that one typo is one diagnostic.
        let mut meant: Vec<&str> = Vec::new();
        for parameter in used {
            if parameter == WINDOW_START || parameter == WINDOW_END {
                continue;
            }
            let span = sql.find(text, parameter).unwrap_or(sql.text.span);
            let mut d = Diagnostic::new(
                &SQL_WINDOW_PARAMETERS,
                span,
                format!("unknown SQL parameter `{parameter}`"),
            )
            .label("unknown parameter");
            // `:start_date` or `:since` mean the window's start as surely as a typo does.
            let words: Vec<&str> = parameter
                .trim_start_matches([':', '@', '$'])
                .split('_')
                .collect();
            let has = |names: &[&str]| words.iter().any(|w| names.contains(w));
            let by_meaning = if has(&["start", "from", "since", "begin"]) {
                Some(WINDOW_START)
            } else if has(&["end", "until", "to", "stop"]) {
                Some(WINDOW_END)
            } else {
                None
            };
            d = match closest(parameter, [WINDOW_START, WINDOW_END]).or(by_meaning) {
                Some(best) if parameter.starts_with(':') => {
                    meant.push(best);
                    d.help(format!("did you mean `{best}`?")).fix(span, best)
                }
                _ => d.help("the only parameters are `:window_start` and `:window_end`"),
            };
            found.push(d);
        }
        let uses = |p: &str| used.iter().any(|u| u == p) || meant.contains(&p);

        if !windowed.is_empty() && !unbounded.is_empty() {
            found.push(
                Diagnostic::new(
                    &SQL_WINDOW_PARAMETERS,
                    def.time_frame.span,
                    format!(
                        "one query cannot serve `{}` and `{}` together",
                        windowed.join("`/`"),
                        unbounded.join("`/`")
                    ),
                )
                .label("mixed time frames")
                .related(sql.text.span, "the one query")
                .help("split the definition: one for the windowed time frames, whose query uses `:window_start` and `:window_end`, one for the others, whose query does not"),
            );
        } else if !windowed.is_empty() {
            let missing: Vec<&str> = [WINDOW_START, WINDOW_END]
                .into_iter()
                .filter(|p| !uses(p))
                .collect();
            if !missing.is_empty() {
                found.push(
                    Diagnostic::new(
                        &SQL_WINDOW_PARAMETERS,
                        sql.text.span,
                        format!(
                            "a `{}` query must use `{}`",
                            windowed.join("`/`"),
                            missing.join("` and `")
                        ),
                    )
                    .label("not limited to the metric's window")
                    .related(def.time_frame.span, "time frame set here")
                    .help("filter on the window, e.g. `WHERE created_at >= :window_start AND created_at < :window_end`"),
                );
            }
        } else {
            for parameter in [WINDOW_START, WINDOW_END] {
                if used.iter().any(|u| u == parameter) {
                    let span = sql.find(text, parameter).unwrap_or(sql.text.span);
                    found.push(
                        Diagnostic::new(
                            &SQL_WINDOW_PARAMETERS,
                            span,
                            format!(
                                "`{parameter}` has no value for time frame `{}`",
                                unbounded.join("`, `")
                            ),
                        )
                        .label("no window to bind")
                        .related(def.time_frame.span, "time frame set here")
                        .help("remove the window condition, or set `time_frame: 7d` or `28d`"),
                    );
                }
            }
        }
    }
}
