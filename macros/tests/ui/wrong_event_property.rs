// `create_issue` has the additional properties `label` and `property`, not `lable`.
metricc_macros::include_metrics!("../../../../macros/tests/ui/forge");

use metricc_runtime::{NamespaceId, ProjectId, Recorder, UserId};

fn main() {
    let recorder = Recorder::in_memory();
    metrics::project_planning::create_issue(
        &recorder,
        ProjectId(1),
        UserId(2),
        NamespaceId(3),
        metrics::project_planning::CreateIssue {
            lable: Some("bug"),
            ..Default::default()
        },
    );
}
