//! `metricc check --preset gitlab` on real GitLab definition files, read unchanged from
//! `../shared/corpus/gitlab` (override with `METRICC_GITLAB_CORPUS`).
//!
//! - current-era files are accepted, except the errors listed below, each with its reason:
//!   genuine violations of GitLab's own newest rules, or gaps of the corpus (a sample of
//!   GitLab's files, not a checkout): the test fails on any other error, and on any listed
//!   error that is no longer found;
//! - every legacy-era file under `_history/` gets coded, located diagnostics;
//! - nothing panics;
//! - the fast YAML reader reads nearly every file, and reads each as saphyr's parser does.
//!
//! Outside CI the test prints a notice and passes when the corpus is absent; in CI (`CI`
//! set) an absent corpus fails it.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use common::*;
use serde_json::Value;

/// A reason some files have errors, and the codes it explains.
struct Expected {
    codes: &'static [&'static str],
    reason: &'static str,
    files: &'static [&'static str],
}

const EXPECTED: &[Expected] = &[
    Expected {
        codes: &["MC209"],
        reason: "active metric without product_categories: GitLab's product_categories.json rule \
                 (2026) requires them, and these files predate it (the corpus notes so)",
        files: &[
            "config/metrics/counts_28d/20210201124930_deployments.yml",
            "config/metrics/counts_28d/20210216174910_analytics_unique_visits_for_any_target_monthly.yml",
            "config/metrics/counts_28d/20210216175436_projects_slack_notifications_active.yml",
            "config/metrics/counts_28d/20210216180334_g_edit_by_sfe_monthly.yml",
            "config/metrics/counts_28d/20210216180509_incident_management_alerts_total_unique_counts.yml",
            "config/metrics/counts_28d/20210216180511_incident_management_incidents_total_unique_counts.yml",
            "config/metrics/counts_28d/20210216180533_incident_management_alert_assigned_monthly.yml",
            "config/metrics/counts_28d/20210216180814_events.yml",
            "config/metrics/counts_28d/20210216181304_g_project_management_issue_title_changed_monthly.yml",
            "config/metrics/counts_28d/20210216182040_action_monthly_active_users_project_repo.yml",
            "config/metrics/counts_7d/20210216174850_p_analytics_valuestream.yml",
            "config/metrics/counts_7d/20210216174858_i_analytics_cohorts.yml",
            "config/metrics/counts_7d/20210216180513_incident_management_alerts_total_unique_counts.yml",
            "config/metrics/counts_7d/20210216180620_incident_management_total_unique_counts_weekly.yml",
            "config/metrics/counts_7d/20210216181354_g_project_management_issue_related_weekly.yml",
            "config/metrics/counts_7d/20210216181517_i_quickactions_assign_self_weekly.yml",
            "config/metrics/counts_7d/20210216181602_i_quickactions_done_weekly.yml",
            "config/metrics/counts_all/20210201124934_deployments.yml",
            "config/metrics/counts_all/20210216175024_service_desk_enabled_projects.yml",
            "config/metrics/counts_all/20210216175026_service_desk_issues.yml",
            "config/metrics/counts_all/20210216175402_projects_slack_slash_active.yml",
            "config/metrics/counts_all/count_total_fallback_current_organization_to_default.yml",
            "config/metrics/license/20210201124933_uuid.yml",
            "config/metrics/license/20210204124827_hostname.yml",
            "config/metrics/license/20210204124829_active_user_count.yml",
            "config/metrics/license/20230314161014_gitlab_dedicated.yml",
            "config/metrics/license/20240327160214_gitlab_environment_toolkit.yml",
            "config/metrics/license/20251009105344_relative_url_install.yml",
            "config/metrics/settings/20210204124906_ldap_enabled.yml",
            "config/metrics/settings/20210915152326_service_ping_features_enabled.yml",
            "config/metrics/settings/20220222181654_certificate_based_clusters_ff.yml",
            "config/metrics/settings/20240425162824_instance_runner_registration_token_allowed.yml",
            "config/metrics/settings/20250410092300_clickhouse_configured.yml",
            "config/metrics/settings/product_usage_data_enabled.yml",
            "ee/config/metrics/counts_28d/20210216180427_i_search_advanced_monthly.yml",
            "ee/config/metrics/counts_28d/20210216181956_user_unique_users_all_secure_scanners.yml",
            "ee/config/metrics/counts_28d/20210216183209_i_testing_paid_monthly_active_user_total.yml",
            "ee/config/metrics/counts_28d/20210216183926_g_compliance_dashboard_monthly.yml",
            "ee/config/metrics/counts_28d/20210216184251_i_ci_secrets_management_vault_build_created_monthly.yml",
            "ee/config/metrics/counts_28d/20210305144719_g_product_planning_epic_created_monthly.yml",
            "ee/config/metrics/counts_all/20210216181206_epics.yml",
            "ee/config/metrics/counts_all/20210216182114_secret_detection_jobs.yml",
            "ee/config/metrics/counts_all/20210216184035_i_search_paid_monthly.yml",
            "ee/config/metrics/counts_all/20210430081610_custom_compliance_frameworks.yml",
            "ee/config/metrics/license/20210204124849_license_plan.yml",
            "ee/config/metrics/license/20210531204603_license_billable_users.yml",
            "ee/config/metrics/license/20211012125843_licensee_metrics.yml",
            "ee/config/metrics/license/20230519035132_license_add_ons.yml",
            "ee/config/metrics/settings/20240229135438_package_metadata_sync_activation_by_type_metric.yml",
            "ee/config/metrics/settings/20240903052021_maximum_access_token_lifetime.yml",
        ],
    },
    Expected {
        codes: &["MC107"],
        reason: "transitional era: `tier`/`distribution` on metrics, `distributions`, \
                 `product_category` or `product_stage`/`product_section` on events, which GitLab \
                 dropped (its newest base.json and events schema.json reject unknown fields)",
        files: &[
            "config/events/1655726589_ide_edit_g_edit_by_web_ide.yml",
            "config/events/create_merge_request_note.yml",
            "config/metrics/counts_all/count_total_fallback_current_organization_to_default.yml",
            "ee/config/events/1655280562_i_search_paid.yml",
            "ee/config/events/1676322261_Ci__Build_create_secrets_vault.yml",
            "ee/config/events/202108302307_project_operations_tracing_external_url_populated.yml",
            "ee/config/events/202111020208_groups__billings_controller_hand_raise_form_viewed.yml",
            "ee/config/events/analytics_dashboard_viewed.yml",
            "ee/config/events/apply_compliance_framework.yml",
            "ee/config/events/assignment.yml",
            "ee/config/events/autocomplete.yml",
            "ee/config/events/bulk_enable_gitlab_duo_pro_for_seats.yml",
            "ee/config/events/bypass_approvals_for_mr_approval_policy_when_policy_is_evaluated.yml",
            "ee/config/events/change_merge_request_approvals.yml",
            "ee/config/events/check_policy_scope_for_security_policy.yml",
            "ee/config/events/click_export_group_members_as_csv.yml",
            "ee/config/events/click_security_training_link.yml",
            "ee/config/events/click_standards_adherence_item_details.yml",
            "ee/config/metrics/counts_28d/20210216180427_i_search_advanced_monthly.yml",
            "ee/config/metrics/counts_28d/20210216181956_user_unique_users_all_secure_scanners.yml",
            "ee/config/metrics/counts_28d/20210216183201_compliance_features_track_unique_visits_union.yml",
            "ee/config/metrics/counts_28d/20210216183926_g_compliance_dashboard_monthly.yml",
            "ee/config/metrics/counts_28d/20210305144719_g_product_planning_epic_created_monthly.yml",
            "ee/config/metrics/counts_all/20210201124936_geo_nodes.yml",
            "ee/config/metrics/counts_all/20210216175848_projects_github_active.yml",
            "ee/config/metrics/counts_all/20210216180405_geo_event_log_max_id.yml",
            "ee/config/metrics/counts_all/20210216181206_epics.yml",
            "ee/config/metrics/counts_all/20210216182114_secret_detection_jobs.yml",
            "ee/config/metrics/counts_all/20210216184035_i_search_paid_monthly.yml",
            "ee/config/metrics/license/20210204124849_license_plan.yml",
            "ee/config/metrics/license/20210531204603_license_billable_users.yml",
            "ee/config/metrics/license/20211012125843_licensee_metrics.yml",
            "ee/config/metrics/license/20230519035132_license_add_ons.yml",
            "ee/config/metrics/settings/20210216180406_geo_enabled.yml",
            "ee/config/metrics/settings/20240229135438_package_metadata_sync_activation_by_type_metric.yml",
            "ee/config/metrics/settings/20240903052021_maximum_access_token_lifetime.yml",
        ],
    },
    Expected {
        codes: &["MC403"],
        reason: "product_group not in the tree's own config/metrics/schema/product_groups.json \
                 (GitLab's 2026-03 list, which dropped these groups after the files were \
                 written: import_and_integrate → import, runner → runner_core, code_creation → \
                 ai_coding; distribution_deploy and database_frameworks without a known \
                 successor), and the 2021 label `group::editor`",
        files: &[
            "config/events/1655726589_ide_edit_g_edit_by_web_ide.yml",
            "config/events/1658833247_integrations_class_perform_integrations_action.yml",
            "config/metrics/counts_28d/20210216175436_projects_slack_notifications_active.yml",
            "config/metrics/counts_all/20210216175402_projects_slack_slash_active.yml",
            "config/metrics/license/20210216175601_version.yml",
            "config/metrics/license/20210216175602_installation_type.yml",
            "config/metrics/settings/20210201124935_database_adapter.yml",
            "config/metrics/settings/20211201012652_flavor.yml",
            "config/metrics/settings/20230203164341_index_inconsistencies_metric.yml",
            "config/metrics/settings/20230328165533_mode.yml",
            "config/metrics/settings/20240425162824_instance_runner_registration_token_allowed.yml",
            "config/metrics/settings/20250127125600_patched_files.yml",
            "config/metrics/settings/20250410092300_clickhouse_configured.yml",
            "ee/config/events/ci_repository_xray_artifact_created.yml",
            "ee/config/metrics/counts_all/20210216175848_projects_github_active.yml",
        ],
    },
    Expected {
        codes: &["MC408"],
        reason: "product_categories entry not in the tree's own config/feature_categories.yml, \
                 which is authoritative at the checked tree: the corpus copy (gitlabhq 00cfeb7c) \
                 is older than these files (duo_agent_platform, mcp_server, agent_foundations, \
                 workspaces, duo_setting, virtual_registry)",
        files: &[
            "config/events/finish_mcp_tool_call.yml",
            "config/events/start_mcp_tool_call.yml",
            "config/metrics/settings/20260609100001_mcp_server_enabled.yml",
            "ee/config/events/agent_platform_session_created.yml",
            "ee/config/events/agent_platform_session_finished.yml",
            "ee/config/events/cleanup_stuck_agent_platform_session.yml",
            "ee/config/events/click_open_workspace_button.yml",
            "ee/config/metrics/settings/20250624094802_instance_duo_availability.yml",
            "ee/config/metrics/settings/maven_virtual_registries_enabled.yml",
        ],
    },
    Expected {
        codes: &["MC211"],
        reason: "custom additional_properties without `label`+`property` or `value`, which \
                 GitLab's events schema.json rejects (\"Either property/label or value must be \
                 used before defining other additional_properties\")",
        files: &[
            "config/events/finish_mcp_tool_call.yml",
            "config/events/start_mcp_tool_call.yml",
        ],
    },
    Expected {
        codes: &["MC203"],
        reason: "its value_json_schema is not a valid JSON Schema under any draft: `type` holds \
                 a schema object instead of a type name (a genuine bug in GitLab's file)",
        files: &["config/metrics/settings/20230203164341_index_inconsistencies_metric.yml"],
    },
    Expected {
        codes: &["MC203"],
        reason: "corpus gap: the object schema it references (ee/config/metrics/object_schemas/) \
                 was not copied into the sample",
        files: &[
            "ee/config/metrics/license/20211012125843_licensee_metrics.yml",
            "ee/config/metrics/license/20230519035132_license_add_ons.yml",
        ],
    },
    Expected {
        codes: &["MC405"],
        reason: "corpus gap: the event the metric counts is not among the sampled event files",
        files: &[
            "config/metrics/counts_28d/20210216180334_g_edit_by_sfe_monthly.yml",
            "config/metrics/counts_28d/20210216181304_g_project_management_issue_title_changed_monthly.yml",
            "config/metrics/counts_7d/20210216181354_g_project_management_issue_related_weekly.yml",
            "config/metrics/counts_all/count_total_fallback_current_organization_to_default.yml",
            "ee/config/metrics/counts_28d/20210216183926_g_compliance_dashboard_monthly.yml",
            "ee/config/metrics/counts_28d/20210305144719_g_product_planning_epic_created_monthly.yml",
        ],
    },
];

/// The corpus folder, or `None` (after a notice) when it is absent outside CI.
fn corpus() -> Option<PathBuf> {
    let path = std::env::var_os("METRICC_GITLAB_CORPUS").map_or_else(
        || workspace().join("../shared/corpus/gitlab"),
        PathBuf::from,
    );
    if path.join("config/metrics").is_dir() {
        return Some(path);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "the GitLab corpus is missing at {} (set METRICC_GITLAB_CORPUS)",
        path.display()
    );
    eprintln!(
        "notice: GitLab corpus not found at {}; skipping",
        path.display()
    );
    None
}

/// The era of each corpus file, from the table in its SOURCE.txt.
fn eras(corpus: &Path) -> BTreeMap<String, String> {
    fs::read_to_string(corpus.join("SOURCE.txt"))
        .unwrap()
        .lines()
        .filter_map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            (fields.len() == 4).then(|| (fields[0].to_owned(), fields[3].to_owned()))
        })
        .collect()
}

fn check(root: &Path) -> (i32, Value) {
    let output = run(root, &["check", "--preset", "gitlab", "--format", "json"]);
    (status(&output), json(&output))
}

#[test]
fn current_gitlab_files_are_accepted_except_the_listed_violations() {
    let Some(corpus) = corpus() else { return };
    let (code, report) = check(&corpus);
    assert_eq!(code, 1, "the listed violations are errors");

    let mut expected: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for group in EXPECTED {
        for file in group.files {
            expected.entry(file).or_default().extend(group.codes);
        }
    }
    let mut found: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for d in report["diagnostics"].as_array().unwrap() {
        if d["severity"] == "error" {
            found
                .entry(d["file"].as_str().unwrap().to_owned())
                .or_default()
                .insert(d["code"].as_str().unwrap().to_owned());
        }
    }
    let mut mismatches = Vec::new();
    let files: BTreeSet<&str> = expected
        .keys()
        .copied()
        .chain(found.keys().map(String::as_str))
        .collect();
    for file in files {
        let want: BTreeSet<String> = expected
            .get(file)
            .into_iter()
            .flatten()
            .map(|c| c.to_string())
            .collect();
        let got = found.get(file).cloned().unwrap_or_default();
        if want != got {
            let reasons: Vec<&str> = EXPECTED
                .iter()
                .filter(|g| g.files.contains(&file))
                .map(|g| g.reason)
                .collect();
            mismatches.push(format!(
                "{file}: expected {want:?} ({}), found {got:?}",
                if reasons.is_empty() {
                    "no errors"
                } else {
                    "listed"
                }
            ));
            for reason in reasons {
                mismatches.push(format!("    listed because: {reason}"));
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "unexpected results:\n{}",
        mismatches.join("\n")
    );

    // Every current-era metric of the corpus is read (the sample has 88).
    let eras = eras(&corpus);
    let current = eras.values().filter(|e| e.starts_with("current")).count();
    let metrics = report["summary"]["metrics"].as_u64().unwrap();
    assert!(
        metrics as usize >= current,
        "{metrics} metrics read, {current} current-era files"
    );
    // Transitional files are exactly those the legacy-field rule flags among metrics.
    for (path, era) in &eras {
        let in_scope = path.starts_with("config/") || path.starts_with("ee/config/");
        if in_scope && era.starts_with("transitional") {
            assert!(
                expected
                    .get(path.as_str())
                    .is_some_and(|c| c.contains("MC107")),
                "{path}"
            );
        }
    }
}

#[test]
fn legacy_files_get_coded_located_diagnostics() {
    let Some(corpus) = corpus() else { return };
    let history = corpus.join("_history");
    let mut checked = 0;
    for entry in fs::read_dir(&history).unwrap() {
        let root = entry.unwrap().path();
        let files: Vec<String> = walk(&root)
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "yml"))
            .map(|p| {
                p.strip_prefix(&root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        if files.is_empty() {
            continue; // a folder holding only an old schema.json
        }
        let (code, report) = check(&root);
        assert_eq!(code, 1, "{}", root.display());
        for file in files {
            let text = fs::read_to_string(root.join(&file)).unwrap();
            let lines = text.lines().count() as u64;
            let diagnostics: Vec<&Value> = report["diagnostics"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|d| d["file"] == file.as_str())
                .collect();
            assert!(
                diagnostics.iter().any(|d| d["severity"] == "error"),
                "{}/{file} got no error",
                root.display()
            );
            for d in diagnostics {
                assert!(d["code"].as_str().unwrap().starts_with("MC"), "{d}");
                let line = d["line"].as_u64().unwrap();
                assert!(
                    (1..=lines.max(1)).contains(&line),
                    "{file}: line {line} of {lines}: {d}"
                );
                assert!(d["column"].as_u64().unwrap() >= 1, "{d}");
                assert!(
                    !d["message"].as_str().unwrap().is_empty() && d["help"].is_string(),
                    "{d}"
                );
            }
            checked += 1;
        }
    }
    assert!(checked >= 10, "only {checked} legacy files found");
}

#[test]
fn the_fast_yaml_reader_reads_gitlab_files_as_saphyr_does() {
    let Some(corpus) = corpus() else { return };
    let (mut files, mut fast) = (0, 0);
    for path in walk(&corpus) {
        if path.extension().is_none_or(|e| e != "yml") {
            continue;
        }
        let text = fs::read_to_string(&path).unwrap();
        files += 1;
        let Some(block) = metricc::yaml::read_block(&text) else {
            continue;
        };
        fast += 1;
        // Debug output compares NaN equal to itself, which `PartialEq` does not.
        assert_eq!(
            format!("{block:?}"),
            format!("{:?}", metricc::yaml::read_events(&text)),
            "{}",
            path.display()
        );
    }
    // A folded (`>-`) description is the one construct of the corpus the reader leaves out.
    assert!(files >= 150 && fast + 1 >= files, "{fast} of {files} files");
}
