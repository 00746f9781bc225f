//! `metricc new metric` / `metricc new event`: a new definition file, in the folder and
//! under the name the project's conventions give it, with defaults taken from the
//! dictionary itself (the events' group and tiers, the group's categories, the newest
//! milestone), written so that `metricc check` accepts it as it stands.

use std::path::PathBuf;

use crate::config::Config;
use crate::model::{Milestone, Tier, TimeFrame, Unique};
use crate::resolve::Dictionary;

/// What a new metric counts and who owns it; `None` fields take the dictionary's defaults.
#[derive(Clone, Debug, Default)]
pub struct NewMetric {
    /// The actions of the events counted (a union when several).
    pub events: Vec<String>,
    /// Distinct values counted (`user.id`, ...); `None` counts every event.
    pub unique: Option<Unique>,
    pub time_frames: Vec<TimeFrame>,
    pub key_path: Option<String>,
    pub description: Option<String>,
    pub group: Option<String>,
    pub categories: Vec<String>,
    pub role: Option<String>,
    pub tiers: Vec<Tier>,
    pub milestone: Option<String>,
    pub introduced_by_url: Option<String>,
}

/// A new event; `None` fields take the dictionary's defaults.
#[derive(Clone, Debug, Default)]
pub struct NewEvent {
    pub action: String,
    pub description: Option<String>,
    pub group: Option<String>,
    pub categories: Vec<String>,
    pub identifiers: Vec<String>,
    pub tiers: Vec<Tier>,
    pub milestone: Option<String>,
    pub introduced_by_url: Option<String>,
}

/// A file to write: its path relative to the project root, and its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewFile {
    pub path: String,
    pub text: String,
}

/// Why a definition cannot be scaffolded.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ScaffoldError {
    #[error("no event `{0}` in the dictionary: create it first (`metricc new event --action {0}`)")]
    UnknownEvent(String),
    #[error("name at least one event to count (`--events`)")]
    NoEvents,
    #[error("no group given, and none follows from the events: pass `--group`")]
    NoGroup,
    #[error("`{0}` is not a group of the taxonomy")]
    UnknownGroup(String),
    #[error("an event `{0}` already exists")]
    EventExists(String),
    #[error("`{0}` is not a valid event action: use lower case letters, digits and `_`")]
    BadAction(String),
}

/// The newest milestone of the dictionary: the default for new definitions.
pub fn newest_milestone(dictionary: &Dictionary) -> String {
    dictionary
        .definitions
        .iter()
        .filter_map(|d| d.milestone.as_ref().map(|m| m.value))
        .chain(
            dictionary
                .events
                .iter()
                .filter_map(|e| e.milestone.as_ref().map(|m| m.value)),
        )
        .filter(|m| !m.before)
        .max()
        .map_or_else(|| "1.0".to_owned(), |m: Milestone| m.to_string())
}

/// The group's categories, from the taxonomy.
pub fn group_categories(dictionary: &Dictionary, group: &str) -> Vec<String> {
    dictionary
        .owner(group)
        .map(|o| {
            dictionary
                .group(o)
                .categories
                .iter()
                .map(|c| c.value.clone())
                .collect()
        })
        .unwrap_or_default()
}

/// Every group of the taxonomy, in taxonomy order.
pub fn groups(dictionary: &Dictionary) -> Vec<String> {
    dictionary
        .taxonomy
        .groups()
        .map(|(_, _, g)| g.key.value.clone())
        .chain(dictionary.taxonomy.unplaced.iter().map(|g| g.value.clone()))
        .collect()
}

/// The default key path: GitLab's convention for event-based metrics.
pub fn default_key_path(events: &[String], unique: Option<Unique>) -> String {
    let events = events.join("_and_");
    match unique {
        Some(unique) => format!(
            "counts.count_distinct_{}_from_{events}",
            unique.as_str().replace('.', "_")
        ),
        None => format!("counts.count_total_{events}"),
    }
}

fn yaml_string(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| format!("{text:?}"))
}

fn list(items: &[String]) -> String {
    items.iter().map(|i| format!("- {i}\n")).collect()
}

/// The UTC timestamp GitLab puts in front of metric file names (`20240131120000`).
fn timestamp() -> String {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let days = (seconds / 86_400) as i64;
    let rest = seconds % 86_400;
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}{month:02}{day:02}{:02}{:02}{:02}",
        rest / 3600,
        rest / 60 % 60,
        rest % 60
    )
}

/// The folder for a definition: the first configured folder, or its EE twin
/// (`ee/config/...`) for a definition no free tier has, when the project has one.
fn folder(dirs: &[String], tiers: &[Tier]) -> String {
    let paid_only = !tiers.is_empty() && !tiers.contains(&Tier::Free);
    let ee = dirs.iter().find(|d| d.starts_with("ee/"));
    match (paid_only, ee) {
        (true, Some(ee)) => ee.clone(),
        _ => dirs
            .iter()
            .find(|d| !d.starts_with("ee/"))
            .or(dirs.first())
            .cloned()
            .unwrap_or_else(|| "definitions/metrics".to_owned()),
    }
}

/// The metric file `spec` describes, with the dictionary's defaults filled in.
pub fn metric(
    config: &Config,
    dictionary: &Dictionary,
    spec: &NewMetric,
) -> Result<NewFile, ScaffoldError> {
    if spec.events.is_empty() {
        return Err(ScaffoldError::NoEvents);
    }
    let mut events = Vec::new();
    for action in &spec.events {
        events.push(
            dictionary
                .event(action)
                .ok_or_else(|| ScaffoldError::UnknownEvent(action.clone()))?,
        );
    }
    let group = match &spec.group {
        Some(group) => group.clone(),
        None => events
            .iter()
            .find_map(|e| e.product_group.as_ref().map(|g| g.value.clone()))
            .ok_or(ScaffoldError::NoGroup)?,
    };
    if !dictionary.taxonomy.has_group(&group) {
        return Err(ScaffoldError::UnknownGroup(group));
    }
    let categories = if spec.categories.is_empty() {
        let mut c: Vec<String> = events
            .iter()
            .flat_map(|e| e.product_categories.iter().map(|c| c.value.clone()))
            .collect();
        if c.is_empty() {
            c = group_categories(dictionary, &group)
                .into_iter()
                .take(1)
                .collect();
        }
        c.dedup();
        c
    } else {
        spec.categories.clone()
    };
    let tiers: Vec<Tier> = if spec.tiers.is_empty() {
        let mut t: Vec<Tier> = events
            .iter()
            .flat_map(|e| e.tiers.iter().map(|t| t.value))
            .collect();
        t.sort();
        t.dedup();
        if t.is_empty() { Tier::ALL.to_vec() } else { t }
    } else {
        spec.tiers.clone()
    };
    let xmau = spec
        .role
        .as_deref()
        .and_then(crate::model::IndicatorType::parse)
        .is_some_and(|r| r.is_xmau());
    let time_frames = if spec.time_frames.is_empty() && xmau {
        vec![TimeFrame::Month] // xMAU metrics count over 28 days
    } else if spec.time_frames.is_empty() {
        vec![TimeFrame::Month, TimeFrame::Week]
    } else {
        spec.time_frames.clone()
    };
    let key_path = spec
        .key_path
        .clone()
        .unwrap_or_else(|| default_key_path(&spec.events, spec.unique));
    let description = spec.description.clone().unwrap_or_else(|| {
        let what = spec.events.join(", ");
        match spec.unique {
            Some(Unique::UserId) => format!("Count of unique users who triggered {what}"),
            Some(unique) => format!("Count of distinct {} of {what}", unique.as_str()),
            None => format!("Total count of {what}"),
        }
    });
    let mut text = format!(
        "---\nkey_path: {key_path}\ndescription: {}\nproduct_group: {group}\n",
        yaml_string(&description)
    );
    if !categories.is_empty() {
        text.push_str(&format!("product_categories:\n{}", list(&categories)));
    }
    text.push_str("value_type: number\nstatus: active\n");
    let frames: Vec<&str> = time_frames.iter().map(|t| t.as_str()).collect();
    match frames.as_slice() {
        [one] => text.push_str(&format!("time_frame: {one}\n")),
        many => text.push_str(&format!("time_frame: [{}]\n", many.join(", "))),
    }
    text.push_str("data_source: internal_events\ndata_category: optional\nevents:\n");
    for action in &spec.events {
        text.push_str(&format!("- name: {action}\n"));
        if let Some(unique) = spec.unique {
            text.push_str(&format!("  unique: {}\n", unique.as_str()));
        }
    }
    if let Some(role) = &spec.role {
        text.push_str(&format!("performance_indicator_type:\n- {role}\n"));
    }
    let tier_names: Vec<String> = tiers.iter().map(|t| t.as_str().to_owned()).collect();
    text.push_str(&format!("tiers:\n{}", list(&tier_names)));
    let milestone = spec
        .milestone
        .clone()
        .unwrap_or_else(|| newest_milestone(dictionary));
    text.push_str(&format!(
        "milestone: {}\nintroduced_by_url: {}\n",
        yaml_string(&milestone),
        spec.introduced_by_url.as_deref().unwrap_or("TODO")
    ));
    let sub = match time_frames.as_slice() {
        [TimeFrame::Week] => "counts_7d",
        [TimeFrame::Month] => "counts_28d",
        [TimeFrame::None] => "settings",
        _ => "counts_all",
    };
    let name = key_path.rsplit('.').next().unwrap_or(&key_path);
    let path = format!(
        "{}/{sub}/{}_{name}.yml",
        folder(&config.layout.metrics, &tiers),
        timestamp()
    );
    Ok(NewFile { path, text })
}

/// The event file `spec` describes, with the dictionary's defaults filled in.
pub fn event(
    config: &Config,
    dictionary: &Dictionary,
    spec: &NewEvent,
) -> Result<NewFile, ScaffoldError> {
    let action = &spec.action;
    if action.is_empty()
        || !action
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        return Err(ScaffoldError::BadAction(action.clone()));
    }
    if dictionary.event(action).is_some() {
        return Err(ScaffoldError::EventExists(action.clone()));
    }
    let group = spec.group.clone().ok_or(ScaffoldError::NoGroup)?;
    if !dictionary.taxonomy.has_group(&group) {
        return Err(ScaffoldError::UnknownGroup(group));
    }
    let categories = if spec.categories.is_empty() {
        group_categories(dictionary, &group)
            .into_iter()
            .take(1)
            .collect()
    } else {
        spec.categories.clone()
    };
    let identifiers = if spec.identifiers.is_empty() {
        ["project", "user", "namespace"].map(String::from).to_vec()
    } else {
        spec.identifiers.clone()
    };
    let tiers: Vec<String> = if spec.tiers.is_empty() {
        Tier::ALL.iter().map(|t| t.as_str().to_owned()).collect()
    } else {
        spec.tiers.iter().map(|t| t.as_str().to_owned()).collect()
    };
    let description = spec
        .description
        .clone()
        .unwrap_or_else(|| format!("A user did {}", action.replace('_', " ")));
    let mut text = format!(
        "---\ndescription: {}\ninternal_events: true\naction: {action}\nidentifiers:\n{}product_group: {group}\n",
        yaml_string(&description),
        list(&identifiers)
    );
    if !categories.is_empty() {
        text.push_str(&format!("product_categories:\n{}", list(&categories)));
    }
    let milestone = spec
        .milestone
        .clone()
        .unwrap_or_else(|| newest_milestone(dictionary));
    text.push_str(&format!(
        "milestone: {}\nintroduced_by_url: {}\ntiers:\n{}",
        yaml_string(&milestone),
        spec.introduced_by_url.as_deref().unwrap_or("TODO"),
        list(&tiers)
    ));
    let tier_values: Vec<Tier> = spec.tiers.clone();
    let path = format!(
        "{}/{action}.yml",
        folder(&config.layout.events, &tier_values)
    );
    Ok(NewFile { path, text })
}

/// Where a new file goes on disk.
pub fn target(config: &Config, file: &NewFile) -> PathBuf {
    config.root.join(&file.path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_paths_follow_gitlabs_convention() {
        let events = vec!["push_to_repository".to_owned()];
        assert_eq!(
            default_key_path(&events, Some(Unique::UserId)),
            "counts.count_distinct_user_id_from_push_to_repository"
        );
        assert_eq!(
            default_key_path(&events, None),
            "counts.count_total_push_to_repository"
        );
    }

    #[test]
    fn timestamps_are_fourteen_digits() {
        let t = timestamp();
        assert_eq!(t.len(), 14, "{t}");
        assert!(t.starts_with("20"), "{t}");
    }

    #[test]
    fn paid_definitions_go_to_the_ee_folder_when_there_is_one() {
        let dirs = ["config/metrics".to_owned(), "ee/config/metrics".to_owned()];
        assert_eq!(folder(&dirs, &[Tier::Premium]), "ee/config/metrics");
        assert_eq!(folder(&dirs, &[Tier::Free]), "config/metrics");
        assert_eq!(folder(&dirs[..1], &[Tier::Ultimate]), "config/metrics");
    }
}
