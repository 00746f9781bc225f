use crate::check::Context;
use crate::diagnostics::Diagnostic;
use crate::diagnostics::rule::rule;
use crate::model::{TimeFrame, TimeFrames};

rule! {
    /// ## What it does
    /// Reports a metric file whose folder does not match its `time_frame`: `counts_7d/`
    /// holds `7d` metrics, `counts_28d/` `28d` ones, `counts_all/` `all` ones and
    /// `time_frame` lists, `settings/` and `license/` `none` or `all` ones.
    ///
    /// ## Why is this bad?
    /// Reviewers and product managers find metrics by folder; a weekly metric among the
    /// monthly ones is read as monthly. It is a warning: the value itself is unaffected.
    ///
    /// ## Example
    /// `metrics/counts_all/20240101000000_wiki_views_monthly.yml` with `time_frame: 28d`.
    ///
    /// ## Fix
    /// Move the file to the folder of its time frame (here `metrics/counts_28d/`).
    pub FOLDER_TIME_FRAME = ("MC601", "folder-time-frame", Warning);
}

pub fn check(cx: &mut Context<'_>) {
    let dictionary = cx.dictionary;
    for def in &dictionary.definitions {
        let path = cx.path(def.file);
        let Some(folder) = path.rsplit('/').nth(1) else {
            continue;
        };
        let fits = match (folder, &def.time_frame.value) {
            ("counts_7d", TimeFrames::Single(tf)) => *tf == TimeFrame::Week,
            ("counts_28d", TimeFrames::Single(tf)) => *tf == TimeFrame::Month,
            ("counts_all", TimeFrames::Single(tf)) => *tf == TimeFrame::All,
            ("counts_all", TimeFrames::List(_)) => true,
            ("settings" | "license", TimeFrames::Single(tf)) => {
                matches!(tf, TimeFrame::None | TimeFrame::All)
            }
            ("counts_7d" | "counts_28d" | "settings" | "license", TimeFrames::List(_)) => false,
            _ => continue,
        };
        if fits {
            continue;
        }
        let home = match &def.time_frame.value {
            TimeFrames::Single(TimeFrame::Week) => "counts_7d",
            TimeFrames::Single(TimeFrame::Month) => "counts_28d",
            TimeFrames::Single(TimeFrame::None) => "settings",
            _ => "counts_all",
        };
        cx.report(
            Diagnostic::new(
                &FOLDER_TIME_FRAME,
                def.time_frame.span,
                format!("a metric in `{folder}/` with this time frame belongs in `{home}/`"),
            )
            .label("time frame")
            .help(format!("move the file to the `{home}/` folder")),
        );
    }
}
