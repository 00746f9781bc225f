// `create_issue` identifies its project, its user and its namespace: the namespace is missing.
metricc_macros::include_metrics!("../../../../macros/tests/ui/forge");

use metricc_runtime::{ProjectId, Recorder, UserId};

fn main() {
    let recorder = Recorder::in_memory();
    metrics::project_planning::create_issue(
        &recorder,
        ProjectId(1),
        UserId(2),
        metrics::project_planning::CreateIssue::default(),
    );
}
