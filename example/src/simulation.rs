//! The simulated forge: users who sign in, open issues and merge requests, run pipelines,
//! publish packages, ... on some days of the week. Each action is recorded with the
//! generated recording function of its event (the typed API), and written to the
//! simulated database the SQL metrics read.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use metricc_runtime::hll::Hll;
use metricc_runtime::{
    Error, ManualClock, MetricContext, NamespaceId, ProjectId, Recorder, SqlExecutor, Timestamp,
    UserId, Value, ValueType, Week,
};

use crate::metrics::{
    access, code_review, container_registry, editor, environments, import_export,
    incident_response, knowledge, package_registry, pipeline_authoring, pipeline_execution,
    product_planning, project_planning, release, runner, source_code, static_analysis,
    threat_insights,
};

/// A small, seeded random generator (SplitMix64): the same seed, the same simulation.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// `true` with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// A simulated user: how active they are, where they work.
struct User {
    id: u64,
    /// The chance that they use the forge on a working day.
    activity: f64,
    namespace: u64,
    projects: [u64; 3],
}

/// What users do, and how often (relative weights).
#[derive(Clone, Copy)]
enum Action {
    SignIn,
    CreateIssue,
    CloseIssue,
    MoveIssueOnBoard,
    LogTimeSpent,
    CreateEpic,
    ViewRoadmap,
    EditWikiPage,
    ViewWikiPage,
    PushToRepository,
    CreateBranchFromUi,
    CreateMergeRequest,
    ViewMergeRequestDiff,
    ApproveMergeRequest,
    MergeMergeRequest,
    AddMergeRequestComment,
    OpenWebIde,
    CommitFromWebIde,
    CreatePipeline,
    RetryCiJob,
    IncludeCiComponent,
    ValidatePipelineConfig,
    CreateCiVariable,
    RegisterRunner,
    PublishPackage,
    PullPackage,
    PushContainerImage,
    CreateDeployment,
    CreateRelease,
    ToggleFeatureFlag,
    CreateIncident,
    AcknowledgeAlert,
    ViewVulnerabilityReport,
    ChangeVulnerabilityState,
    StartProjectImport,
    CreatePersonalAccessToken,
    RunSastScan,
}

const ACTIONS: &[(u64, Action)] = &[
    (30, Action::SignIn),
    (10, Action::CreateIssue),
    (7, Action::CloseIssue),
    (6, Action::MoveIssueOnBoard),
    (3, Action::LogTimeSpent),
    (1, Action::CreateEpic),
    (2, Action::ViewRoadmap),
    (2, Action::EditWikiPage),
    (5, Action::ViewWikiPage),
    (25, Action::PushToRepository),
    (3, Action::CreateBranchFromUi),
    (8, Action::CreateMergeRequest),
    (15, Action::ViewMergeRequestDiff),
    (6, Action::ApproveMergeRequest),
    (6, Action::MergeMergeRequest),
    (12, Action::AddMergeRequestComment),
    (3, Action::OpenWebIde),
    (2, Action::CommitFromWebIde),
    (20, Action::CreatePipeline),
    (4, Action::RetryCiJob),
    (2, Action::IncludeCiComponent),
    (3, Action::ValidatePipelineConfig),
    (1, Action::CreateCiVariable),
    (1, Action::RegisterRunner),
    (2, Action::PublishPackage),
    (6, Action::PullPackage),
    (3, Action::PushContainerImage),
    (4, Action::CreateDeployment),
    (1, Action::CreateRelease),
    (2, Action::ToggleFeatureFlag),
    (1, Action::CreateIncident),
    (1, Action::AcknowledgeAlert),
    (2, Action::ViewVulnerabilityReport),
    (1, Action::ChangeVulnerabilityState),
    (1, Action::StartProjectImport),
    (1, Action::CreatePersonalAccessToken),
    (4, Action::RunSastScan),
];

/// The forge: its users, its database, and the counters it keeps itself.
pub struct World {
    rng: Rng,
    users: Vec<User>,
    database: Arc<Database>,
    /// Counters the application keeps outside metricc (what GitLab keeps in Redis and
    /// reads with `RedisMetric`), by name.
    pub counters: Mutex<BTreeMap<String, u64>>,
    /// Distinct users per event and week, kept by the application (`RedisHLLMetric`).
    pub sketches: Mutex<HashMap<(String, Week), Hll>>,
    pub runners: Mutex<BTreeMap<String, u64>>,
}

impl World {
    pub fn new(seed: u64, users: u32) -> World {
        let mut rng = Rng::new(seed);
        let users: Vec<User> = (1..=u64::from(users))
            .map(|id| {
                let namespace = 1 + id / 12;
                User {
                    id,
                    activity: 0.05 + 0.6 * (rng.below(1000) as f64 / 1000.0).powi(2),
                    namespace,
                    projects: [
                        namespace * 10,
                        namespace * 10 + 1,
                        namespace * 10 + rng.below(5),
                    ],
                }
            })
            .collect();
        let database = Arc::new(Database::default());
        for user in &users {
            database.insert("users", Timestamp(0), user.id);
            for project in user.projects.iter().take(2) {
                database.insert("projects", Timestamp(0), *project);
            }
        }
        World {
            rng,
            users,
            database,
            counters: Mutex::new(BTreeMap::new()),
            sketches: Mutex::new(HashMap::new()),
            runners: Mutex::new(BTreeMap::new()),
        }
    }

    pub fn database(&self) -> Arc<Database> {
        self.database.clone()
    }

    pub fn user_count(&self) -> usize {
        self.users.len()
    }

    fn count(&self, name: &str) {
        let mut counters = self.counters.lock().unwrap_or_else(|e| e.into_inner());
        *counters.entry(name.to_owned()).or_default() += 1;
    }

    fn sketch(&self, event: &str, at: Timestamp, user: u64) {
        let mut sketches = self.sketches.lock().unwrap_or_else(|e| e.into_inner());
        sketches
            .entry((event.to_owned(), at.week()))
            .or_default()
            .insert(user.to_string().as_bytes());
    }

    /// One day: every user may work (less at weekends) and does a few things, at times
    /// spread over the day. Each user is served by one of the application's `nodes` (each
    /// with its own recorder), always the same.
    pub fn day(&mut self, nodes: &[Recorder], clock: &ManualClock, midnight: i64) {
        let weekend = Timestamp(midnight).week().start().0 + 5 * 86_400 <= midnight;
        let total: u64 = ACTIONS.iter().map(|(w, _)| w).sum();
        for i in 0..self.users.len() {
            let activity = self.users[i].activity * if weekend { 0.15 } else { 1.0 };
            if !self.rng.chance(activity) {
                continue;
            }
            let actions = 1 + self.rng.below(12);
            for _ in 0..actions {
                let at = Timestamp(midnight + 7 * 3_600 + self.rng.below(12 * 3_600) as i64);
                clock.set(at);
                let mut roll = self.rng.below(total);
                let action = ACTIONS
                    .iter()
                    .find(|(weight, _)| {
                        let hit = roll < *weight;
                        roll = roll.saturating_sub(*weight);
                        hit
                    })
                    .map_or(Action::SignIn, |(_, a)| *a);
                self.perform(&nodes[i % nodes.len()], i, action, at);
            }
        }
    }

    fn perform(&mut self, recorder: &Recorder, i: usize, action: Action, at: Timestamp) {
        let (id, namespace, projects) = {
            let u = &self.users[i];
            (u.id, u.namespace, u.projects)
        };
        let rng = &mut self.rng;
        let user = UserId(id);
        let ns = NamespaceId(namespace);
        let project = ProjectId(*rng.pick(&projects));
        let db = &self.database;
        match action {
            Action::SignIn => {
                let method = *rng.pick(&["password", "password", "saml", "oidc", "passkey"]);
                let second_factor = if rng.chance(0.4) { "yes" } else { "no" };
                access::sign_in_user(
                    recorder,
                    user,
                    access::SignInUser {
                        label: Some(method),
                        property: Some(second_factor),
                    },
                );
                db.insert("authentication_events", at, id);
                db.insert("user_activity_events", at, id);
            }
            Action::CreateIssue => {
                let by_email = rng.chance(0.05);
                project_planning::create_issue(
                    recorder,
                    project,
                    user,
                    ns,
                    project_planning::CreateIssue {
                        label: Some(*rng.pick(&["web", "api"])),
                        property: by_email.then_some("email"),
                    },
                );
                db.insert("issues", at, id);
                if by_email {
                    self.count("issues_service_desk_issue_created");
                }
            }
            Action::CloseIssue => {
                project_planning::close_issue(recorder, project, user, ns);
            }
            Action::MoveIssueOnBoard => project_planning::move_issue_on_board(
                recorder,
                project,
                user,
                ns,
                project_planning::MoveIssueOnBoard {
                    label: Some("list"),
                    property: None,
                },
            ),
            Action::LogTimeSpent => project_planning::log_time_spent(
                recorder,
                project,
                user,
                ns,
                project_planning::LogTimeSpent {
                    label: Some("issue"),
                    value: Some(15.0 * (1 + rng.below(8)) as f64),
                },
            ),
            Action::CreateEpic => {
                product_planning::create_epic(recorder, user, ns);
                db.insert("epics", at, id);
            }
            Action::ViewRoadmap => {
                product_planning::view_roadmap(
                    recorder,
                    user,
                    ns,
                    product_planning::ViewRoadmap {
                        label: Some(*rng.pick(&["weeks", "months", "quarters"])),
                        property: Some("epic_list"),
                    },
                );
                self.sketch("epic_board_viewed", at, id);
            }
            Action::EditWikiPage => knowledge::edit_wiki_page(
                recorder,
                project,
                user,
                ns,
                knowledge::EditWikiPage {
                    label: Some(*rng.pick(&["markdown", "markdown", "asciidoc"])),
                    property: None,
                },
            ),
            Action::ViewWikiPage => knowledge::view_wiki_page(recorder, project, user, ns),
            Action::PushToRepository => {
                source_code::push_to_repository(
                    recorder,
                    project,
                    user,
                    ns,
                    source_code::PushToRepository {
                        label: Some(*rng.pick(&["ssh", "https"])),
                        property: Some("branch"),
                        value: Some((1 + rng.below(6)) as f64),
                    },
                );
                db.insert("project_events", at, id);
            }
            Action::CreateBranchFromUi => {
                source_code::create_branch_from_ui(recorder, project, user, ns);
            }
            Action::CreateMergeRequest => {
                code_review::create_merge_request(
                    recorder,
                    project,
                    user,
                    ns,
                    code_review::CreateMergeRequest {
                        label: Some("web"),
                        property: None,
                    },
                );
                db.insert("merge_requests", at, id);
            }
            Action::ViewMergeRequestDiff => code_review::view_merge_request_diff(
                recorder,
                project,
                user,
                ns,
                code_review::ViewMergeRequestDiff {
                    label: Some(*rng.pick(&["inline", "parallel"])),
                    value: Some((1 + rng.below(40)) as f64),
                },
            ),
            Action::ApproveMergeRequest => {
                code_review::approve_merge_request(recorder, project, user, ns);
                db.insert("approvals", at, id);
            }
            Action::MergeMergeRequest => {
                code_review::merge_merge_request(
                    recorder,
                    project,
                    user,
                    ns,
                    code_review::MergeMergeRequest {
                        property: Some(*rng.pick(&["merge", "squash", "rebase"])),
                    },
                );
                db.insert("merge_request_metrics", at, id);
            }
            Action::AddMergeRequestComment => code_review::add_merge_request_comment(
                recorder,
                project,
                user,
                ns,
                code_review::AddMergeRequestComment {
                    label: Some("diff"),
                },
            ),
            Action::OpenWebIde => {
                let terminal = rng.chance(0.2);
                editor::open_web_ide(
                    recorder,
                    project,
                    user,
                    ns,
                    editor::OpenWebIde {
                        label: Some(if terminal { "terminal" } else { "editor" }),
                    },
                );
                self.count("web_ide_previews");
                if terminal {
                    self.sketch("web_ide_terminal_started", at, id);
                }
            }
            Action::CommitFromWebIde => editor::commit_from_web_ide(
                recorder,
                project,
                user,
                ns,
                editor::CommitFromWebIde {
                    value: Some((1 + rng.below(3)) as f64),
                },
            ),
            Action::CreatePipeline => {
                let source = *rng.pick(&["push", "push", "merge_request", "schedule", "web"]);
                let jobs = 1 + rng.below(9);
                pipeline_execution::create_pipeline(
                    recorder,
                    project,
                    user,
                    ns,
                    pipeline_execution::CreatePipeline {
                        label: Some(source),
                        value: Some(jobs as f64),
                    },
                );
                db.insert("ci_pipelines", at, id);
                for _ in 0..jobs {
                    db.insert("ci_builds", at, id);
                }
            }
            Action::RetryCiJob => pipeline_execution::retry_ci_job(recorder, project, user, ns),
            Action::IncludeCiComponent => pipeline_authoring::include_ci_component(
                recorder,
                project,
                user,
                ns,
                pipeline_authoring::IncludeCiComponent {
                    label: Some(*rng.pick(&["catalog", "project"])),
                    property: Some("1.2.0"),
                    component_name: Some("sast"),
                },
            ),
            Action::ValidatePipelineConfig => pipeline_authoring::validate_pipeline_config(
                recorder,
                project,
                user,
                ns,
                pipeline_authoring::ValidatePipelineConfig {
                    label: Some(if rng.chance(0.8) { "valid" } else { "invalid" }),
                },
            ),
            Action::CreateCiVariable => {
                pipeline_authoring::create_ci_variable(
                    recorder,
                    project,
                    user,
                    ns,
                    pipeline_authoring::CreateCiVariable {
                        label: Some("project"),
                        property: Some(if rng.chance(0.5) { "masked" } else { "plain" }),
                    },
                );
                db.insert("ci_variables", at, id);
            }
            Action::RegisterRunner => {
                let executor = *rng.pick(&["docker", "docker", "shell", "kubernetes"]);
                runner::register_runner(
                    recorder,
                    user,
                    ns,
                    runner::RegisterRunner {
                        label: Some("project"),
                        property: Some(executor),
                    },
                );
                db.insert("ci_runners", at, id);
                let mut runners = self.runners.lock().unwrap_or_else(|e| e.into_inner());
                *runners.entry(executor.to_owned()).or_default() += 1;
            }
            Action::PublishPackage => {
                package_registry::publish_package(
                    recorder,
                    project,
                    user,
                    ns,
                    package_registry::PublishPackage {
                        label: Some(*rng.pick(&["npm", "maven", "pypi", "generic"])),
                        property: Some("ci"),
                        value: Some((1 + rng.below(50)) as f64),
                    },
                );
                db.insert("packages", at, id);
                db.insert("package_files", at, id);
            }
            Action::PullPackage => {
                let deploy_token = rng.chance(0.3);
                package_registry::pull_package(
                    recorder,
                    project,
                    ns,
                    package_registry::PullPackage {
                        label: Some(if deploy_token { "deploy_token" } else { "user" }),
                    },
                );
                if deploy_token {
                    self.count("package_deploy_token_pull");
                }
            }
            Action::PushContainerImage => container_registry::push_container_image(
                recorder,
                project,
                user,
                ns,
                container_registry::PushContainerImage {
                    label: Some("docker"),
                    value: Some((20 + rng.below(400)) as f64),
                },
            ),
            Action::CreateDeployment => {
                environments::create_deployment(
                    recorder,
                    project,
                    user,
                    ns,
                    environments::CreateDeployment {
                        label: Some(*rng.pick(&["production", "staging", "review"])),
                        property: Some("pipeline"),
                    },
                );
                db.insert("deployments", at, id);
            }
            Action::CreateRelease => {
                release::create_release(
                    recorder,
                    project,
                    user,
                    ns,
                    release::CreateRelease { label: Some("tag") },
                );
                db.insert("releases", at, id);
            }
            Action::ToggleFeatureFlag => release::toggle_feature_flag(
                recorder,
                project,
                user,
                ns,
                release::ToggleFeatureFlag {
                    label: Some(if rng.chance(0.5) { "on" } else { "off" }),
                    property: Some("gradual"),
                },
            ),
            Action::CreateIncident => incident_response::create_incident(
                recorder,
                project,
                user,
                ns,
                incident_response::CreateIncident {
                    label: Some("manual"),
                },
            ),
            Action::AcknowledgeAlert => incident_response::acknowledge_alert(
                recorder,
                project,
                user,
                ns,
                incident_response::AcknowledgeAlert {
                    label: Some(if rng.chance(0.3) {
                        "critical"
                    } else {
                        "medium"
                    }),
                },
            ),
            Action::ViewVulnerabilityReport => threat_insights::view_vulnerability_report(
                recorder,
                project,
                user,
                ns,
                threat_insights::ViewVulnerabilityReport {
                    label: Some("project"),
                },
            ),
            Action::ChangeVulnerabilityState => {
                threat_insights::change_vulnerability_state(
                    recorder,
                    project,
                    user,
                    ns,
                    threat_insights::ChangeVulnerabilityState {
                        label: Some(*rng.pick(&["dismissed", "resolved", "confirmed"])),
                        property: None,
                        bulk_action: Some("false"),
                    },
                );
                db.insert("vulnerabilities", at, id);
            }
            Action::StartProjectImport => {
                import_export::start_project_import(
                    recorder,
                    project,
                    user,
                    ns,
                    import_export::StartProjectImport {
                        label: Some(*rng.pick(&["github", "file", "bitbucket"])),
                    },
                );
                db.insert("project_import_states", at, id);
            }
            Action::CreatePersonalAccessToken => access::create_personal_access_token(
                recorder,
                user,
                access::CreatePersonalAccessToken {
                    label: Some("api"),
                    value: Some(30.0),
                },
            ),
            Action::RunSastScan => static_analysis::run_sast_scan(
                recorder,
                project,
                ns,
                static_analysis::RunSastScan {
                    label: Some("semgrep"),
                    value: Some(rng.below(12) as f64),
                },
            ),
        }
    }
}

/// A stand-in for the application's database: the rows the simulation wrote, per table,
/// with when and by whom. It answers the definitions' SQL the simple way: a `COUNT(*)` is
/// the rows of the table the query reads (in the metric's window when it has one), a
/// `COUNT(DISTINCT ...)` counts distinct users, and a setting read from
/// `application_settings` is the application's setting of that name.
#[derive(Default)]
pub struct Database {
    rows: Mutex<HashMap<&'static str, Vec<(Timestamp, u64)>>>,
}

impl Database {
    fn insert(&self, table: &'static str, at: Timestamp, user: u64) {
        let mut rows = self.rows.lock().unwrap_or_else(|e| e.into_inner());
        rows.entry(table).or_default().push((at, user));
    }

    /// Every row written: its table, when, and by whom (src/postgres.rs writes them into
    /// PostgreSQL).
    pub fn rows(&self) -> Vec<(&'static str, Timestamp, u64)> {
        let rows = self.rows.lock().unwrap_or_else(|e| e.into_inner());
        rows.iter()
            .flat_map(|(table, rows)| rows.iter().map(|(at, user)| (*table, *at, *user)))
            .collect()
    }
}

impl SqlExecutor for Database {
    fn query(
        &self,
        context: &MetricContext,
        sql: &str,
        parameters: &[(&str, Timestamp)],
    ) -> Result<Value, Error> {
        let tables = match context.metric.source {
            metricc_runtime::ValueSource::Sql { tables, .. } => tables,
            _ => return Err("not a SQL metric".into()),
        };
        let table = tables.first().ok_or("the query reads no table")?;
        if context.metric.value_type == ValueType::Boolean {
            // `SELECT signup_enabled FROM application_settings ...`
            let column = sql
                .split_whitespace()
                .nth(1)
                .ok_or("the query selects nothing")?;
            return Ok(Value::Boolean(column != "signup_enabled"));
        }
        let bound = |name: &str| parameters.iter().find(|(n, _)| *n == name).map(|(_, t)| *t);
        let (start, end) = (bound(":window_start"), bound(":window_end"));
        let rows = self.rows.lock().unwrap_or_else(|e| e.into_inner());
        let in_window = rows
            .get(table)
            .into_iter()
            .flatten()
            .filter(|(at, _)| start.is_none_or(|s| *at >= s) && end.is_none_or(|e| *at < e));
        if sql.contains("COUNT(DISTINCT") {
            let users: std::collections::HashSet<u64> = in_window.map(|(_, u)| *u).collect();
            Ok(users.len().into())
        } else {
            Ok(in_window.count().into())
        }
    }
}
