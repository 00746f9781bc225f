//! `docs/html/dashboards/`: the xMAU dashboards of the HTML site, drawn from the figures of
//! the dbt project's `xmau_monthly` mart ([`data::XmauData`], read and checked before emit).
//!
//! - `index.html`: the UMAU, the instances that pinged and reported, and each stage's SMAU;
//! - `stages/<stage>.html`: the stage's SMAU, each group's GMAU, each AMAU, with the share
//!   of pinging instances that reported each metric, and the stage's categories with the
//!   metrics that cover them; stages without an SMAU and metrics without data flagged;
//! - `groups/<group>.html`: the group's GMAU and AMAU metrics;
//! - `charts/<metric>.svg`, `charts/instances.svg`: the charts ([`charts`]), each shown with
//!   a table of its figures under it.
//!
//! A metric's chart is shown on its stage's page (`#<dbt name>`), which its dictionary page
//! links to ([`chart_link`]); each chart links back to the dictionary page.
//!
//! `[build.dashboards]` in `metricc.toml`:
//!
//! ```toml
//! [build.dashboards]
//! data = "xmau_monthly.csv"   # the export of xmau_monthly (relative to the project root)
//! ```

pub mod charts;
pub mod data;

use std::collections::BTreeMap;
use std::path::PathBuf;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::{Renderer, Site};
use crate::emit::{EmitError, OutputFile};
use crate::model::IndicatorType;
use crate::resolve::view::{GroupView, MetricView, StageView, View};
use charts::{Chart, Line};
use data::{Series, XmauData};

/// `[build.dashboards]`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// The CSV export of `xmau_monthly` the dashboards are drawn from, relative to the
    /// project root (`--xmau-data` overrides it). No dashboards without it.
    pub data: Option<PathBuf>,
}

const DIR: &str = "docs/html/dashboards";
const TEMPLATES: &str = "docs/html/dashboards";

/// Where a metric's chart is shown, relative to the site's root: its stage's dashboard,
/// at the metric's anchor. None when the data has no figures for it or it has no stage.
pub fn chart_link(metric: &MetricView, data: &XmauData, view: &View) -> Option<String> {
    if !data.metrics.contains_key(metric.key_path.as_str()) {
        return None;
    }
    let stage = view
        .stages()
        .find(|s| Some(&s.key) == metric.product_stage.as_ref())?;
    Some(format!(
        "dashboards/stages/{}.html#{}",
        stage.names.slug, metric.names.dbt
    ))
}

/// A metric's figure: its chart and the table of its figures.
#[derive(Serialize)]
struct Figure<'a> {
    key_path: &'a str,
    slug: &'a str,
    /// The figure's id on its page: the metric's dbt name (letters, digits and `_` only).
    anchor: &'a str,
    description: &'a str,
    roles: Vec<String>,
    /// The chart, relative to `dashboards/`.
    chart: String,
    rows: Vec<Row>,
    /// No instance reported it in any month.
    never_reported: bool,
}

/// A month of a metric's table; absent figures are `None`.
#[derive(Serialize)]
struct Row {
    month: String,
    recorded: Option<String>,
    estimated: Option<String>,
    reporting: Option<u64>,
    pinging: u64,
    /// The share of pinging instances that reported it (`75.0%`).
    share: Option<String>,
}

/// A metric named in a list, with its figure's anchor when it has one.
#[derive(Serialize)]
struct MetricRef<'a> {
    key_path: &'a str,
    slug: &'a str,
    anchor: &'a str,
    has_data: bool,
}

#[derive(Serialize)]
struct GroupSummary<'a> {
    key: &'a str,
    name: &'a str,
    slug: &'a str,
    gmau: Vec<MetricRef<'a>>,
    paid_gmau: Vec<MetricRef<'a>>,
    amau: Vec<MetricRef<'a>>,
}

#[derive(Serialize)]
struct Category<'a> {
    name: &'a str,
    metrics: Vec<MetricRef<'a>>,
}

#[derive(Serialize)]
struct StagePage<'a> {
    section: &'a str,
    stage: &'a str,
    slug: &'a str,
    smau: Vec<MetricRef<'a>>,
    groups: Vec<GroupSummary<'a>>,
    figures: Vec<Figure<'a>>,
    categories: Vec<Category<'a>>,
    no_data: Vec<MetricRef<'a>>,
    months: Span,
}

#[derive(Serialize)]
struct GroupPage<'a> {
    stage: &'a str,
    stage_slug: &'a str,
    group: &'a str,
    figures: Vec<Figure<'a>>,
    no_data: Vec<MetricRef<'a>>,
    months: Span,
}

#[derive(Serialize)]
struct StageOverview<'a> {
    section: &'a str,
    stage: &'a str,
    slug: &'a str,
    smau: Vec<Figure<'a>>,
    /// Its SMAU metrics that the data has no figures for.
    no_data: Vec<MetricRef<'a>>,
}

#[derive(Serialize)]
struct InstancesRow {
    month: String,
    pinging: u64,
    /// Instances reporting the UMAU (the first UMAU metric), when there is one with data.
    reporting: Option<u64>,
}

#[derive(Serialize)]
struct Overview<'a> {
    umau: Vec<Figure<'a>>,
    umau_no_data: Vec<MetricRef<'a>>,
    umau_key_path: Option<&'a str>,
    instances: Vec<InstancesRow>,
    stages: Vec<StageOverview<'a>>,
    stages_without_smau: usize,
    months: Span,
}

/// The months the data covers.
#[derive(Clone, Serialize)]
struct Span {
    first: Option<String>,
    last: Option<String>,
    count: usize,
}

#[derive(Serialize)]
struct Context<'a, P: Serialize> {
    site: &'a Site<'a>,
    root: &'static str,
    id: &'static str,
    page: P,
}

/// `2024-03-01` → `2024-03`.
fn month_label(month: &str) -> &str {
    month.get(..7).unwrap_or(month)
}

fn has_role(metric: &MetricView, role: IndicatorType) -> bool {
    metric.performance_indicator_type.contains(&role)
}

fn is_xmau(metric: &MetricView) -> bool {
    metric
        .performance_indicator_type
        .iter()
        .any(|r| r.is_xmau())
}

struct Dashboards<'a> {
    view: &'a View,
    data: &'a XmauData,
    months: Vec<&'a str>,
    span: Span,
}

impl<'a> Dashboards<'a> {
    fn reference(&self, metric: &'a MetricView) -> MetricRef<'a> {
        MetricRef {
            key_path: metric.key_path.as_str(),
            slug: &metric.names.slug,
            anchor: &metric.names.dbt,
            has_data: self.data.metrics.contains_key(metric.key_path.as_str()),
        }
    }

    fn figure(&self, metric: &'a MetricView, series: &Series) -> Figure<'a> {
        let rows = self
            .data
            .months
            .iter()
            .zip(&self.data.instances_pinging)
            .zip(&series.figures)
            .map(|((month, pinging), figure)| Row {
                month: month_label(month).to_owned(),
                recorded: figure.map(|f| charts::number(f.recorded)),
                estimated: figure.and_then(|f| f.estimated).map(charts::number),
                reporting: figure.map(|f| f.reporting),
                pinging: *pinging,
                share: figure.filter(|_| *pinging > 0).map(|f| {
                    // Counts of instances: far below 2^52, exact as f64.
                    format!("{:.1}%", f.reporting as f64 * 100.0 / *pinging as f64)
                }),
            })
            .collect();
        Figure {
            key_path: metric.key_path.as_str(),
            slug: &metric.names.slug,
            anchor: &metric.names.dbt,
            description: metric.description.as_deref().unwrap_or(""),
            roles: series.roles.iter().map(|r| r.display_name()).collect(),
            chart: format!("charts/{}.svg", metric.names.slug),
            rows,
            never_reported: series.figures.iter().flatten().all(|f| f.reporting == 0),
        }
    }

    /// The figures of `metrics` that the data has, and those it lacks.
    fn figures(
        &self,
        metrics: impl Iterator<Item = &'a MetricView>,
    ) -> (Vec<Figure<'a>>, Vec<MetricRef<'a>>) {
        let mut figures = Vec::new();
        let mut missing = Vec::new();
        for metric in metrics {
            match self.data.metrics.get(metric.key_path.as_str()) {
                Some(series) => figures.push(self.figure(metric, series)),
                None => missing.push(self.reference(metric)),
            }
        }
        (figures, missing)
    }

    /// The xMAU metrics of a group, broadest role first.
    fn group_metrics(&self, group: &GroupView) -> Vec<&'a MetricView> {
        let mut metrics: Vec<&MetricView> = group
            .metrics
            .iter()
            .filter_map(|k| self.view.metric(k))
            .filter(|m| is_xmau(m))
            .collect();
        metrics.sort_by_key(|m| {
            let first = m
                .performance_indicator_type
                .iter()
                .map(|r| data::role_order(*r))
                .min()
                .unwrap_or(usize::MAX);
            (first, m.key_path.as_str())
        });
        metrics
    }

    fn stage_page(&self, section: &'a str, stage: &'a StageView) -> StagePage<'a> {
        let mut metrics: Vec<&MetricView> = stage
            .groups
            .iter()
            .flat_map(|g| self.group_metrics(g))
            .collect();
        metrics.sort_by_key(|m| {
            let first = m
                .performance_indicator_type
                .iter()
                .map(|r| data::role_order(*r))
                .min()
                .unwrap_or(usize::MAX);
            (first, m.key_path.as_str())
        });
        let (figures, no_data) = self.figures(metrics.iter().copied());
        let with = |group: &GroupView, role| {
            self.group_metrics(group)
                .into_iter()
                .filter(|m| has_role(m, role))
                .map(|m| self.reference(m))
                .collect()
        };
        let groups = stage
            .groups
            .iter()
            .map(|g| GroupSummary {
                key: &g.key,
                name: &g.name,
                slug: &g.names.slug,
                gmau: with(g, IndicatorType::Gmau),
                paid_gmau: with(g, IndicatorType::PaidGmau),
                amau: with(g, IndicatorType::Amau),
            })
            .collect();
        let mut categories: BTreeMap<&str, Vec<MetricRef<'a>>> = BTreeMap::new();
        for group in &stage.groups {
            for category in &group.categories {
                categories.entry(category.as_str()).or_default();
            }
        }
        for metric in &metrics {
            for category in &metric.product_categories {
                categories
                    .entry(category.as_str())
                    .or_default()
                    .push(self.reference(metric));
            }
        }
        StagePage {
            section,
            stage: &stage.name,
            slug: &stage.names.slug,
            smau: metrics
                .iter()
                .filter(|m| has_role(m, IndicatorType::Smau))
                .map(|m| self.reference(m))
                .collect(),
            groups,
            figures,
            categories: categories
                .into_iter()
                .map(|(name, metrics)| Category { name, metrics })
                .collect(),
            no_data,
            months: self.span.clone(),
        }
    }

    fn group_page(&self, stage: &'a StageView, group: &'a GroupView) -> GroupPage<'a> {
        let (figures, no_data) = self.figures(self.group_metrics(group).into_iter());
        GroupPage {
            stage: &stage.name,
            stage_slug: &stage.names.slug,
            group: &group.name,
            figures,
            no_data,
            months: self.span.clone(),
        }
    }

    fn overview(&self) -> Overview<'a> {
        let umau_metrics = self
            .view
            .metrics
            .iter()
            .filter(|m| has_role(m, IndicatorType::Umau));
        let (umau, umau_no_data) = self.figures(umau_metrics);
        let umau_series = umau.first().and_then(|f| self.data.metrics.get(f.key_path));
        let instances = self
            .data
            .months
            .iter()
            .enumerate()
            .map(|(i, month)| InstancesRow {
                month: month_label(month).to_owned(),
                pinging: self.data.instances_pinging[i],
                reporting: umau_series
                    .and_then(|s| s.figures.get(i).copied().flatten())
                    .map(|f| f.reporting),
            })
            .collect();
        let mut stages = Vec::new();
        for section in &self.view.taxonomy {
            for stage in &section.stages {
                let smau = stage
                    .groups
                    .iter()
                    .flat_map(|g| self.group_metrics(g))
                    .filter(|m| has_role(m, IndicatorType::Smau));
                let (smau, no_data) = self.figures(smau);
                stages.push(StageOverview {
                    section: &section.name,
                    stage: &stage.name,
                    slug: &stage.names.slug,
                    smau,
                    no_data,
                });
            }
        }
        Overview {
            umau_key_path: umau.first().map(|f| f.key_path),
            umau,
            umau_no_data,
            instances,
            stages_without_smau: stages
                .iter()
                .filter(|s| s.smau.is_empty() && s.no_data.is_empty())
                .count(),
            stages,
            months: self.span.clone(),
        }
    }

    /// The chart of a metric's estimated and recorded figures.
    fn metric_chart(&self, metric: &MetricView, series: &Series) -> Result<String, EmitError> {
        let chart = Chart {
            title: metric.key_path.as_str(),
            y_label: "Users",
            months: &self.months,
            series: vec![
                Line {
                    name: "Estimated".to_owned(),
                    values: series
                        .figures
                        .iter()
                        .map(|f| f.and_then(|f| f.estimated))
                        .collect(),
                },
                Line {
                    name: "Recorded".to_owned(),
                    values: series
                        .figures
                        .iter()
                        .map(|f| f.map(|f| f.recorded))
                        .collect(),
                },
            ],
        };
        charts::svg(&chart).map_err(|message| EmitError::Backend {
            backend: "docs",
            message,
        })
    }

    fn instances_chart(&self, overview: &Overview<'_>) -> Result<String, EmitError> {
        let mut series = vec![Line {
            name: "Instances pinging".to_owned(),
            values: self
                .data
                .instances_pinging
                .iter()
                .map(|n| Some(*n as f64))
                .collect(),
        }];
        if overview.umau_key_path.is_some() {
            series.push(Line {
                name: "Instances reporting the UMAU".to_owned(),
                values: overview
                    .instances
                    .iter()
                    .map(|r| r.reporting.map(|n| n as f64))
                    .collect(),
            });
        }
        let chart = Chart {
            title: "Instances that pinged",
            y_label: "Instances",
            months: &self.months,
            series,
        };
        charts::svg(&chart).map_err(|message| EmitError::Backend {
            backend: "docs",
            message,
        })
    }
}

/// The dashboards' pages and charts, rendered with the site's templates.
pub(super) fn emit(
    view: &View,
    data: &XmauData,
    renderer: &Renderer<'_>,
) -> Result<Vec<OutputFile>, EmitError> {
    let dashboards = Dashboards {
        view,
        data,
        months: data.months.iter().map(|m| month_label(m)).collect(),
        span: Span {
            first: data.months.first().map(|m| month_label(m).to_owned()),
            last: data.months.last().map(|m| month_label(m).to_owned()),
            count: data.months.len(),
        },
    };
    let render = |template: &str, path: String, root: &'static str, page: &dyn erased::Page| {
        let context = Context {
            site: &renderer.site,
            root,
            id: "dashboards",
            page: page.value(),
        };
        let name = format!("{TEMPLATES}/{template}.html.j2");
        let text = renderer.templates.render(&renderer.env, &name, &context)?;
        Ok::<_, EmitError>(OutputFile::new(path, text))
    };

    let overview = dashboards.overview();
    let mut files = vec![
        render("overview", format!("{DIR}/index.html"), "../", &overview)?,
        OutputFile::new(
            format!("{DIR}/charts/instances.svg"),
            dashboards.instances_chart(&overview)?,
        ),
    ];
    let stages: Vec<(&str, &StageView)> = view
        .taxonomy
        .iter()
        .flat_map(|s| s.stages.iter().map(move |st| (s.name.as_str(), st)))
        .collect();
    let pages = stages
        .par_iter()
        .map(|(section, stage)| {
            let mut files = vec![render(
                "stage",
                format!("{DIR}/stages/{}.html", stage.names.slug),
                "../../",
                &dashboards.stage_page(section, stage),
            )?];
            for group in &stage.groups {
                files.push(render(
                    "group",
                    format!("{DIR}/groups/{}.html", group.names.slug),
                    "../../",
                    &dashboards.group_page(stage, group),
                )?);
            }
            Ok(files)
        })
        .collect::<Result<Vec<_>, EmitError>>()?;
    files.extend(pages.into_iter().flatten());
    let metrics: Vec<(&MetricView, &Series)> = view
        .metrics
        .iter()
        .filter_map(|m| data.metrics.get(m.key_path.as_str()).map(|s| (m, s)))
        .collect();
    let charts = metrics
        .par_iter()
        .map(|(metric, series)| {
            Ok(OutputFile::new(
                format!("{DIR}/charts/{}.svg", metric.names.slug),
                dashboards.metric_chart(metric, series)?,
            ))
        })
        .collect::<Result<Vec<_>, EmitError>>()?;
    files.extend(charts);
    Ok(files)
}

/// Pages of different types through one rendering closure.
mod erased {
    use minijinja::Value;
    use minijinja::value::Serde;
    use serde::Serialize;

    pub trait Page: Sync {
        fn value(&self) -> Value;
    }

    impl<T: Serialize + Sync> Page for T {
        fn value(&self) -> Value {
            Value::from(Serde(self))
        }
    }
}
