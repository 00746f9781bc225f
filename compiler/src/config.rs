//! Where a project's definitions live, where outputs go, and how serious each rule is:
//! the preset (native layout or a GitLab checkout), overridden by `metricc.toml`.
//!
//! ```toml
//! preset = "native"                    # or "gitlab"
//! [paths]
//! taxonomy = "definitions/stages.yml"
//! metrics = ["definitions/metrics"]
//! events = ["definitions/events"]
//! [build]
//! out = "generated"
//! outputs = ["dictionary", "schemas"]  # default: every backend
//! templates = "my-templates"           # overrides of metricc's templates
//! [build.schemas]                      # a section per backend for its settings
//! vendor = "com.example"
//! [rules]
//! MC601 = "allow"                      # or "warn" / "deny"; codes or names
//! ```

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::check::sql::SqlSettings;
use crate::check::sql::sql_not_read_only::SQL_NOT_READ_ONLY;
use crate::check::{RULES, find_rule};
use crate::diagnostics::{Diagnostic, Severity};
use crate::emit::{self, BACKENDS, Backend};
use crate::error::Error;
use crate::source::Layout;
use crate::suggest::closest;

/// The name of the optional configuration file in a project root.
pub const CONFIG_FILE: &str = "metricc.toml";

/// GitLab's product hierarchy, bundled for `--preset gitlab`.
pub const GITLAB_TAXONOMY: &str = include_str!("../presets/gitlab/stages.yml");

/// A bundle of defaults: layout, taxonomy and rule levels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
pub enum Preset {
    /// `definitions/stages.yml`, `definitions/metrics/`, `definitions/events/`
    Native,
    /// A GitLab checkout as it is: `config/metrics`, `ee/config/metrics`, `config/events`,
    /// `ee/config/events`, with GitLab's bundled taxonomy
    Gitlab,
}

/// Where the taxonomy comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TaxonomySource {
    /// A file, relative to the root.
    File(String),
    /// Text bundled in metricc, shown under `name` in diagnostics.
    Bundled {
        name: &'static str,
        text: &'static str,
    },
}

/// Where a checked tree keeps its own lists of groups and categories, which then override
/// the taxonomy's (GitLab: `config/metrics/schema/product_groups.json` and
/// `config/feature_categories.yml`, the truth at the checked revision).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TreeLists {
    /// A JSON object whose `enum` lists the groups, relative to the root.
    pub groups: String,
    /// A YAML list of categories, relative to the root.
    pub categories: String,
}

/// The configured level of each rule: `None` means "allow" (not reported). With
/// `deny_warnings`, every reported problem is an error.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Levels {
    rules: HashMap<&'static str, Option<Severity>>,
    pub deny_warnings: bool,
}

impl Levels {
    pub fn set(&mut self, code: &'static str, level: Option<Severity>) {
        self.rules.insert(code, level);
    }

    /// The severity of a rule's diagnostics, `None` when the rule is allowed.
    pub fn of(&self, code: &str, default: Severity) -> Option<Severity> {
        let level = self.rules.get(code).copied().unwrap_or(Some(default));
        if self.deny_warnings {
            level.map(|_| Severity::Error)
        } else {
            level
        }
    }

    /// Applies the levels: drops allowed diagnostics, sets the others' severity (a
    /// diagnostic's own level, [`Diagnostic::default_level`], stands in for the rule's
    /// default).
    pub fn apply(&self, diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
        diagnostics
            .into_iter()
            .filter_map(|mut d| {
                d.severity = self.of(d.rule.code, d.severity)?;
                Some(d)
            })
            .collect()
    }
}

/// Everything a run needs to know about the project.
#[derive(Clone, Debug)]
pub struct Config {
    pub root: PathBuf,
    pub preset: Preset,
    pub taxonomy: TaxonomySource,
    /// The tree's own group and category lists, used when present.
    pub tree_lists: Option<TreeLists>,
    pub layout: Layout,
    /// The output folder, relative to the root unless absolute.
    pub out: PathBuf,
    /// The outputs of the project (`[build] outputs`; default: every backend). A build
    /// writes exactly these, and removes what other backends wrote before.
    pub outputs: Vec<&'static Backend>,
    /// A partial build (`metricc build --only`): these backends run and replace their own
    /// files; the rest of the output folder is carried over as it is.
    pub only: Option<Vec<&'static Backend>>,
    /// A folder of template overrides (`[build] templates`, `--templates`), relative to the
    /// root unless absolute.
    pub templates: Option<PathBuf>,
    /// The backends' settings (`[build.<backend>]`).
    pub settings: emit::Settings,
    pub levels: Levels,
    /// Options of the SQL rules (`[rules.sql-not-read-only]`).
    pub sql: SqlSettings,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    preset: Option<Preset>,
    #[serde(default)]
    paths: PathsSection,
    #[serde(default)]
    build: BuildSection,
    #[serde(default)]
    rules: BTreeMap<String, RuleSetting>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct PathsSection {
    taxonomy: Option<String>,
    metrics: Option<Vec<String>>,
    events: Option<Vec<String>>,
}

/// `[build]`: the keys of the build itself; every other key is a backend's section, read
/// into [`emit::Settings`].
#[derive(Deserialize, Default)]
struct BuildSection {
    out: Option<String>,
    outputs: Option<Vec<String>>,
    templates: Option<String>,
    #[serde(flatten)]
    backends: toml::Table,
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum LevelSetting {
    Deny,
    Warn,
    Allow,
}

/// One entry of `[rules]`: a level (`MC601 = "allow"`), or a table with a level and the
/// rule's options (`[rules.sql-not-read-only]` with `allow-functions`).
#[derive(Deserialize)]
#[serde(untagged)]
enum RuleSetting {
    Level(LevelSetting),
    Table(RuleTable),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RuleTable {
    level: Option<LevelSetting>,
    /// `sql-not-read-only` only: functions the project has vetted as read-only.
    allow_functions: Option<Vec<String>>,
}

impl Config {
    /// Reads the project's configuration: the preset's defaults, then `metricc.toml`
    /// (`config_file` overrides its location), then a preset given on the command line.
    pub fn load(
        root: &Path,
        preset: Option<Preset>,
        config_file: Option<&Path>,
    ) -> Result<Config, Error> {
        if !root.is_dir() {
            return Err(Error::NotAFolder(root.to_path_buf()));
        }
        let file_path = config_file.map_or_else(|| root.join(CONFIG_FILE), Path::to_path_buf);
        let invalid = |message: String| Error::InvalidConfig {
            path: file_path.clone(),
            message,
        };
        let file = match std::fs::read_to_string(&file_path) {
            Ok(text) => toml::from_str::<ConfigFile>(&text).map_err(|e| invalid(e.to_string()))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && config_file.is_none() => {
                ConfigFile::default()
            }
            Err(source) => {
                return Err(Error::ReadConfig {
                    path: file_path,
                    source,
                });
            }
        };
        let preset = preset.or(file.preset).unwrap_or(Preset::Native);
        let mut config = Config::preset(root, preset);
        if let Some(taxonomy) = file.paths.taxonomy {
            config.taxonomy = TaxonomySource::File(taxonomy.clone());
            config.layout.taxonomy = Some(taxonomy);
        }
        if let Some(metrics) = file.paths.metrics {
            config.layout.metrics = metrics;
        }
        if let Some(events) = file.paths.events {
            config.layout.events = events;
        }
        if let Some(out) = file.build.out {
            config.out = PathBuf::from(out);
        }
        if let Some(outputs) = &file.build.outputs {
            config.outputs = backends(outputs)?;
        }
        config.templates = file.build.templates.map(PathBuf::from);
        for name in file.build.backends.keys() {
            if emit::backend(name).is_none() {
                let known = BACKENDS.iter().map(|b| b.name);
                let hint = closest(name, known)
                    .map(|c| format!(" (did you mean `[build.{c}]`?)"))
                    .unwrap_or_default();
                return Err(invalid(format!(
                    "unknown key `{name}` in [build]{hint}: [build] takes `out`, `outputs`, \
                     `templates` and a section per output"
                )));
            }
        }
        config.settings = emit::Settings::deserialize(file.build.backends)
            .map_err(|e| invalid(format!("in [build]: {e}")))?;
        for (key, setting) in &file.rules {
            let Some(rule) = find_rule(key) else {
                let known = RULES.iter().flat_map(|r| [r.code, r.name]);
                let hint = closest(key, known)
                    .map(|c| format!(" (did you mean `{c}`?)"))
                    .unwrap_or_default();
                return Err(invalid(format!(
                    "unknown rule `{key}` in [rules]{hint}; `metricc explain` lists the rules"
                )));
            };
            let (level, allow_functions) = match setting {
                RuleSetting::Level(level) => (Some(*level), None),
                RuleSetting::Table(table) => (table.level, table.allow_functions.as_ref()),
            };
            if let Some(level) = level {
                config.levels.set(
                    rule.code,
                    match level {
                        LevelSetting::Deny => Some(Severity::Error),
                        LevelSetting::Warn => Some(Severity::Warning),
                        LevelSetting::Allow => None,
                    },
                );
            }
            if let Some(functions) = allow_functions {
                if rule.code != SQL_NOT_READ_ONLY.code {
                    return Err(invalid(format!(
                        "`allow-functions` in [rules.{key}]: only `sql-not-read-only` \
                         ({}) takes it",
                        SQL_NOT_READ_ONLY.code
                    )));
                }
                config.sql.allowed_functions =
                    functions.iter().map(|f| f.trim().to_lowercase()).collect();
            }
        }
        Ok(config)
    }

    /// A preset's defaults for a project root.
    pub fn preset(root: &Path, preset: Preset) -> Config {
        match preset {
            Preset::Native => Config {
                root: root.to_path_buf(),
                preset,
                taxonomy: TaxonomySource::File("definitions/stages.yml".into()),
                tree_lists: None,
                layout: Layout {
                    taxonomy: Some("definitions/stages.yml".into()),
                    metrics: vec!["definitions/metrics".into()],
                    events: vec!["definitions/events".into()],
                    skip_dirs: Vec::new(),
                },
                out: PathBuf::from("generated"),
                outputs: BACKENDS.iter().collect(),
                only: None,
                templates: None,
                settings: emit::Settings::default(),
                levels: Levels::default(),
                sql: SqlSettings::default(),
            },
            Preset::Gitlab => {
                let mut levels = Levels::default();
                // GitLab still computes some database metrics in application code, with
                // neither SQL nor an instrumentation class in the definition.
                levels.set(
                    crate::check::sql::missing_value_source::MISSING_VALUE_SOURCE.code,
                    None,
                );
                // GitLab chooses its SMAU metrics in the handbook's performance indicators,
                // and its taxonomy holds stages that have none (engineering teams, ...).
                levels.set(
                    crate::check::xmau::stage_without_smau::STAGE_WITHOUT_SMAU.code,
                    None,
                );
                Config {
                    root: root.to_path_buf(),
                    preset,
                    taxonomy: TaxonomySource::Bundled {
                        name: "<metricc>/presets/gitlab/stages.yml", // see source::BUNDLED_PREFIX
                        text: GITLAB_TAXONOMY,
                    },
                    tree_lists: Some(TreeLists {
                        groups: "config/metrics/schema/product_groups.json".into(),
                        categories: "config/feature_categories.yml".into(),
                    }),
                    layout: Layout {
                        taxonomy: None,
                        metrics: vec!["config/metrics".into(), "ee/config/metrics".into()],
                        events: vec!["config/events".into(), "ee/config/events".into()],
                        skip_dirs: ["schema", "objects_schemas", "object_schemas", "aggregates"]
                            .map(String::from)
                            .to_vec(),
                    },
                    out: PathBuf::from("generated"),
                    outputs: BACKENDS.iter().collect(),
                    only: None,
                    templates: None,
                    settings: emit::Settings::default(),
                    levels,
                    sql: SqlSettings::default(),
                }
            }
        }
    }

    /// The output folder as a path on disk.
    pub fn out_dir(&self) -> PathBuf {
        self.root.join(&self.out)
    }

    /// The backends a build runs: `--only`'s, or the project's outputs.
    pub fn selected_backends(&self) -> &[&'static Backend] {
        self.only.as_deref().unwrap_or(&self.outputs)
    }
}

/// The backends named in a list (`--only schemas,docs`, `[build] outputs`), in
/// [`BACKENDS`] order, each once.
pub fn backends(names: &[impl AsRef<str>]) -> Result<Vec<&'static Backend>, Error> {
    for name in names {
        let name = name.as_ref();
        if emit::backend(name).is_none() {
            return Err(Error::UnknownOutput {
                name: name.to_owned(),
                suggestion: closest(name, BACKENDS.iter().map(|b| b.name)),
            });
        }
    }
    Ok(BACKENDS
        .iter()
        .filter(|b| names.iter().any(|n| n.as_ref() == b.name))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project(toml: &str) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(CONFIG_FILE), toml).unwrap();
        dir
    }

    #[test]
    fn config_file_overrides_preset_defaults() {
        let dir = project(
            "[paths]\nmetrics = [\"m\"]\n[build]\nout = \"out\"\n[rules]\nMC601 = \"allow\"\nempty-description = \"warn\"\n",
        );
        let config = Config::load(dir.path(), None, None).unwrap();
        assert_eq!(config.layout.metrics, vec!["m"]);
        assert_eq!(config.out, PathBuf::from("out"));
        assert_eq!(config.levels.of("MC601", Severity::Warning), None);
        assert_eq!(
            config.levels.of("MC602", Severity::Error),
            Some(Severity::Warning)
        );
        assert_eq!(
            config.levels.of("MC101", Severity::Error),
            Some(Severity::Error)
        );
    }

    #[test]
    fn unknown_rules_and_fields_are_setup_errors() {
        let dir = project("[rules]\nMC6O1 = \"allow\"\n");
        let err = Config::load(dir.path(), None, None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("unknown rule `MC6O1`"), "{err}");
        assert!(err.contains("did you mean `MC601`"), "{err}");
        let dir = project("[paths]\nmetric = [\"m\"]\n");
        assert!(Config::load(dir.path(), None, None).is_err());
    }

    #[test]
    fn rules_take_a_level_or_a_table_with_options() {
        let dir = project(
            "[rules.sql-not-read-only]\nallow-functions = [\"Analytics.Safe\"]\n[rules.MC601]\nlevel = \"allow\"\n",
        );
        let config = Config::load(dir.path(), None, None).unwrap();
        assert!(config.sql.allows_function("analytics.safe"));
        assert_eq!(config.levels.of("MC601", Severity::Warning), None);
        assert_eq!(
            config.levels.of("MC304", Severity::Error),
            Some(Severity::Error)
        );
        let dir = project("[rules.MC601]\nallow-functions = [\"x\"]\n");
        let err = Config::load(dir.path(), None, None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("only `sql-not-read-only`"), "{err}");
    }

    #[test]
    fn build_section_selects_outputs_and_reads_backend_settings() {
        let dir =
            project("[build]\noutputs = [\"dictionary\"]\ntemplates = \"t\"\n[build.dictionary]\n");
        let config = Config::load(dir.path(), None, None).unwrap();
        assert_eq!(config.outputs.len(), 1);
        assert_eq!(config.templates, Some(PathBuf::from("t")));
        for (toml, expected) in [
            (
                "[build]\noutputs = [\"dictionry\"]\n",
                "did you mean `dictionary`",
            ),
            ("[build.dictionry]\n", "did you mean `[build.dictionary]`"),
            (
                "[build.dictionary]\nflavour = 1\n",
                "unknown field `flavour`",
            ),
        ] {
            let dir = project(toml);
            let err = Config::load(dir.path(), None, None)
                .unwrap_err()
                .to_string();
            assert!(err.contains(expected), "{toml}: {err}");
        }
    }

    #[test]
    fn gitlab_preset_reads_a_checkout_layout() {
        let dir = tempfile::tempdir().unwrap();
        let config = Config::load(dir.path(), Some(Preset::Gitlab), None).unwrap();
        assert!(
            config
                .layout
                .metrics
                .contains(&"ee/config/metrics".to_owned())
        );
        assert!(matches!(config.taxonomy, TaxonomySource::Bundled { .. }));
        assert_eq!(config.levels.of("MC302", Severity::Error), None);
        assert_eq!(config.levels.of("MC503", Severity::Warning), None);
    }
}
