//! The dashboards' input: the dbt project's `xmau_monthly` mart exported as CSV
//! (`dbt run-operation export_xmau`), read and checked against the definitions before emit.
//!
//! The contract is the mart's columns ([`COLUMNS`]; others are ignored), a header line first.
//! Every problem is reported at once, each with its line and column and a code
//! ([`DataProblem`]); a file with any problem gives no [`XmauData`], so no dashboard is drawn
//! from data that contradicts the definitions.

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;

use crate::model::IndicatorType;
use crate::resolve::view::View;
use crate::suggest::closest;

/// The columns of `xmau_monthly`, in the mart's order: the CSV's contract.
pub const COLUMNS: [&str; 10] = [
    "reporting_month",
    "role",
    "section",
    "stage",
    "product_group",
    "key_path",
    "recorded_value",
    "instances_reporting",
    "instances_pinging",
    "estimated_value",
];

/// At most this many problems are listed; the rest are counted.
pub const MAX_PROBLEMS: usize = 100;

/// The figures of the CSV, checked: months, instances per month, each metric's series.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct XmauData {
    /// The months, sorted (`2024-01-01`: the first day of each).
    pub months: Vec<String>,
    /// How many instances pinged in each month (the order of `months`).
    pub instances_pinging: Vec<u64>,
    /// Each metric's figures, by key path.
    pub metrics: BTreeMap<String, Series>,
}

/// One metric's figures: the roles the CSV gives it and a figure per month (none for a
/// month the CSV has no row of it for).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Series {
    pub roles: Vec<IndicatorType>,
    pub figures: Vec<Option<Figure>>,
}

/// A metric in a month.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Figure {
    /// The sum of the values the instances reported.
    pub recorded: f64,
    /// How many instances reported a value.
    pub reporting: u64,
    /// `recorded × instances pinging / reporting`; none when no instance reported.
    pub estimated: Option<f64>,
}

/// What is wrong with a line of the CSV.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataProblem {
    pub kind: ProblemKind,
    /// 1-based; the header is line 1.
    pub line: u64,
    /// The column the problem is in, when it is in one.
    pub column: Option<&'static str>,
    pub message: String,
    pub help: String,
}

/// The kinds of problems, each with a stable code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProblemKind {
    /// Not CSV, not UTF-8, a line with another number of fields than the header, no header.
    Unreadable,
    /// A column of the contract is not in the header.
    MissingColumn,
    /// A value that is not a month, a role, a number or a count.
    InvalidValue,
    /// A key path that no definition has.
    UnknownKeyPath,
    /// A role the metric's definition does not give it.
    RoleMismatch,
    /// A section, stage or group other than the definition's.
    OwnerMismatch,
    /// Lines that contradict each other (a row twice, two instance counts for a month).
    Inconsistent,
}

impl ProblemKind {
    /// The stable code (`metricc` prints it, documentation lists it).
    pub fn code(self) -> &'static str {
        match self {
            ProblemKind::Unreadable => "MCD001",
            ProblemKind::MissingColumn => "MCD002",
            ProblemKind::InvalidValue => "MCD003",
            ProblemKind::UnknownKeyPath => "MCD004",
            ProblemKind::RoleMismatch => "MCD005",
            ProblemKind::OwnerMismatch => "MCD006",
            ProblemKind::Inconsistent => "MCD007",
        }
    }

    /// The kind's name, in words with dashes.
    pub fn name(self) -> &'static str {
        match self {
            ProblemKind::Unreadable => "unreadable-csv",
            ProblemKind::MissingColumn => "missing-column",
            ProblemKind::InvalidValue => "invalid-value",
            ProblemKind::UnknownKeyPath => "unknown-key-path",
            ProblemKind::RoleMismatch => "role-mismatch",
            ProblemKind::OwnerMismatch => "owner-mismatch",
            ProblemKind::Inconsistent => "inconsistent-rows",
        }
    }
}

/// The problems of a CSV file: those listed (at most [`MAX_PROBLEMS`]) and how many more.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DataProblems {
    pub listed: Vec<DataProblem>,
    pub more: usize,
}

impl DataProblems {
    fn push(&mut self, problem: DataProblem) {
        if self.listed.len() < MAX_PROBLEMS {
            self.listed.push(problem);
        } else {
            self.more += 1;
        }
    }

    fn is_empty(&self) -> bool {
        self.listed.is_empty()
    }

    /// The problems as text, one paragraph each, each located in `file`.
    pub fn render(&self, file: &str) -> String {
        let mut out = String::new();
        for p in &self.listed {
            out.push_str(&format!(
                "error[{}]: {}\n  --> {file}:{}",
                p.kind.code(),
                p.message,
                p.line
            ));
            if let Some(column) = p.column {
                out.push_str(&format!(", column `{column}`"));
            }
            out.push_str(&format!("\n  = help: {}\n", p.help));
        }
        if self.more > 0 {
            out.push_str(&format!("... and {} more problems\n", self.more));
        }
        out
    }
}

/// What the rows of one metric gave so far: its roles, and each month's figure with the
/// line it came from.
type Collected = (Vec<IndicatorType>, BTreeMap<String, (Figure, u64)>);

/// One row's values, parsed.
struct Row<'a> {
    month: &'a str,
    role: IndicatorType,
    key_path: &'a str,
    recorded: f64,
    reporting: u64,
    pinging: u64,
    estimated: Option<f64>,
}

/// Reads and checks the CSV against the view of the definitions.
pub fn parse(bytes: &[u8], view: &View) -> Result<XmauData, DataProblems> {
    let mut problems = DataProblems::default();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(bytes);
    let header = match reader.headers() {
        Ok(header) => header.clone(),
        Err(e) => {
            problems.push(unreadable(&e));
            return Err(problems);
        }
    };
    if header.is_empty() || (header.len() == 1 && header[0].is_empty()) {
        problems.push(DataProblem {
            kind: ProblemKind::Unreadable,
            line: 1,
            column: None,
            message: "the file is empty: the first line must name the columns".to_owned(),
            help: contract_help(),
        });
        return Err(problems);
    }
    let mut index = [0usize; COLUMNS.len()];
    for (i, column) in COLUMNS.iter().enumerate() {
        match header.iter().position(|h| h.trim() == *column) {
            Some(at) => index[i] = at,
            None => {
                let hint = closest(column, header.iter())
                    .map(|c| format!(" (the header has `{c}`)"))
                    .unwrap_or_default();
                problems.push(DataProblem {
                    kind: ProblemKind::MissingColumn,
                    line: 1,
                    column: Some(column),
                    message: format!("the header has no column `{column}`{hint}"),
                    help: contract_help(),
                });
            }
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }

    // Month → (instances pinging, line); (month, role, key path) → line.
    let mut months: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    let mut seen: BTreeMap<(String, IndicatorType, String), u64> = BTreeMap::new();
    let mut figures: BTreeMap<String, Collected> = BTreeMap::new();
    for record in reader.records() {
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                problems.push(unreadable(&e));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        let field = |column: usize| record.get(index[column]).unwrap_or_default();
        let Some(row) = read_row(line, &field, view, &mut problems) else {
            continue;
        };
        match seen.entry((row.month.to_owned(), row.role, row.key_path.to_owned())) {
            Entry::Occupied(first) => {
                problems.push(DataProblem {
                    kind: ProblemKind::Inconsistent,
                    line,
                    column: Some("key_path"),
                    message: format!(
                        "a second row for `{}` as {} in {} (the first is on line {})",
                        row.key_path,
                        row.role.display_name(),
                        row.month,
                        first.get()
                    ),
                    help: "xmau_monthly has one row per month, role and metric: export it again"
                        .to_owned(),
                });
                continue;
            }
            Entry::Vacant(slot) => {
                slot.insert(line);
            }
        }
        match months.entry(row.month.to_owned()) {
            Entry::Vacant(slot) => {
                slot.insert((row.pinging, line));
            }
            Entry::Occupied(first) => {
                let (pinging, first_line) = *first.get();
                if pinging != row.pinging {
                    problems.push(DataProblem {
                        kind: ProblemKind::Inconsistent,
                        line,
                        column: Some("instances_pinging"),
                        message: format!(
                            "{} instances pinging in {}, where line {first_line} says {pinging}",
                            row.pinging, row.month
                        ),
                        help: "every row of a month counts the same instances: export the \
                               mart again rather than editing the file"
                            .to_owned(),
                    });
                    continue;
                }
            }
        }
        let figure = Figure {
            recorded: row.recorded,
            reporting: row.reporting,
            estimated: row.estimated,
        };
        let (roles, by_month) = figures.entry(row.key_path.to_owned()).or_default();
        if !roles.contains(&row.role) {
            roles.push(row.role);
        }
        match by_month.entry(row.month.to_owned()) {
            Entry::Vacant(slot) => {
                slot.insert((figure, line));
            }
            Entry::Occupied(first) => {
                let (other, first_line) = first.get();
                if *other != figure {
                    problems.push(DataProblem {
                        kind: ProblemKind::Inconsistent,
                        line,
                        column: Some("recorded_value"),
                        message: format!(
                            "`{}` has other figures in {} here than on line {first_line}",
                            row.key_path, row.month
                        ),
                        help: "a metric with several roles has the same figures in each of \
                               its rows: export the mart again"
                            .to_owned(),
                    });
                }
            }
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let month_list: Vec<String> = months.keys().cloned().collect();
    let metrics = figures
        .into_iter()
        .map(|(key_path, (mut roles, by_month))| {
            roles.sort_by_key(|r| role_order(*r));
            let figures = month_list
                .iter()
                .map(|m| by_month.get(m).map(|(f, _)| *f))
                .collect();
            (key_path, Series { roles, figures })
        })
        .collect();
    Ok(XmauData {
        instances_pinging: months.values().map(|(n, _)| *n).collect(),
        months: month_list,
        metrics,
    })
}

/// The order roles are shown in: the broadest first.
pub fn role_order(role: IndicatorType) -> usize {
    match role {
        IndicatorType::Umau => 0,
        IndicatorType::Smau => 1,
        IndicatorType::Gmau => 2,
        IndicatorType::PaidGmau => 3,
        IndicatorType::Amau => 4,
        _ => 5,
    }
}

fn contract_help() -> String {
    format!(
        "the file must be `xmau_monthly` exported with its header line (`dbt run-operation \
         export_xmau`): the columns {}",
        COLUMNS.join(", ")
    )
}

fn unreadable(e: &csv::Error) -> DataProblem {
    let line = e.position().map_or(1, |p| p.line());
    let message = match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("this line has {len} fields, the header {expected_len}"),
        csv::ErrorKind::Utf8 { .. } => "this line is not valid UTF-8".to_owned(),
        _ => format!("this is not CSV: {e}"),
    };
    DataProblem {
        kind: ProblemKind::Unreadable,
        line,
        column: None,
        message,
        help: contract_help(),
    }
}

/// Parses one row and checks it against the definitions; reports and returns `None` when
/// anything is wrong.
fn read_row<'a>(
    line: u64,
    field: &dyn Fn(usize) -> &'a str,
    view: &View,
    problems: &mut DataProblems,
) -> Option<Row<'a>> {
    let before = problems.listed.len() + problems.more;
    let mut invalid = |column: &'static str, message: String, help: &str| {
        problems.push(DataProblem {
            kind: ProblemKind::InvalidValue,
            line,
            column: Some(column),
            message,
            help: help.to_owned(),
        });
    };
    let month = field(0);
    if !is_first_of_month(month) {
        invalid(
            "reporting_month",
            format!("`{month}` is not the first day of a month"),
            "reporting_month is a date, the first day of the month: `2024-03-01`",
        );
    }
    let role_text = field(1);
    let role = IndicatorType::ALL
        .iter()
        .copied()
        .find(|r| r.is_xmau() && r.as_str() == role_text);
    if role.is_none() {
        invalid(
            "role",
            format!("`{role_text}` is not an xMAU role"),
            "the roles are amau, gmau, paid_gmau, smau and umau",
        );
    }
    let number = |column: usize| -> Result<f64, String> {
        let text = field(column);
        match text.trim().parse::<f64>() {
            Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
            _ => Err(format!("`{text}` is not a number of users")),
        }
    };
    let count = |column: usize| -> Result<u64, String> {
        let text = field(column);
        text.trim()
            .parse::<u64>()
            .map_err(|_| format!("`{text}` is not a count of instances"))
    };
    let recorded = number(6)
        .map_err(|m| invalid("recorded_value", m, "a number, zero or more: `1250.0`"))
        .ok();
    let reporting = count(7)
        .map_err(|m| invalid("instances_reporting", m, "a whole number: `12`"))
        .ok();
    let pinging = count(8)
        .map_err(|m| invalid("instances_pinging", m, "a whole number: `12`"))
        .ok();
    let estimated = if field(9).trim().is_empty() {
        Some(None)
    } else {
        number(9)
            .map_err(|m| {
                invalid(
                    "estimated_value",
                    m,
                    "a number, or nothing when no instance reported",
                )
            })
            .ok()
            .map(Some)
    };
    if let (Some(reporting), Some(pinging)) = (reporting, pinging) {
        if reporting > pinging {
            invalid(
                "instances_reporting",
                format!("{reporting} instances reporting, of {pinging} pinging"),
                "only instances that pinged can report: export the mart again",
            );
        }
    }

    let key_path = field(5);
    match view.metric(key_path) {
        None => {
            let hint = closest(key_path, view.metrics.iter().map(|m| m.key_path.as_str()))
                .map(|c| format!(" (did you mean `{c}`?)"))
                .unwrap_or_default();
            problems.push(DataProblem {
                kind: ProblemKind::UnknownKeyPath,
                line,
                column: Some("key_path"),
                message: format!("no metric definition has the key path `{key_path}`{hint}"),
                help: "the export comes from a dbt project built from other definitions: \
                       run `metricc build`, `dbt build` and the export again"
                    .to_owned(),
            });
        }
        Some(metric) => {
            if let Some(role) = role {
                if !metric.performance_indicator_type.contains(&role) {
                    let roles: Vec<String> = metric
                        .performance_indicator_type
                        .iter()
                        .filter(|r| r.is_xmau())
                        .map(|r| r.display_name())
                        .collect();
                    let has = if roles.is_empty() {
                        "no xMAU role".to_owned()
                    } else {
                        format!("the roles {}", roles.join(", "))
                    };
                    problems.push(DataProblem {
                        kind: ProblemKind::RoleMismatch,
                        line,
                        column: Some("role"),
                        message: format!(
                            "the definition of `{key_path}` ({}:{}) gives it {has}, not the \
                             role {}",
                            metric.file,
                            metric.line,
                            role.display_name()
                        ),
                        help: "the definitions changed since the export: run `dbt build` and \
                               the export again, or fix `performance_indicator_type`"
                            .to_owned(),
                    });
                }
            }
            for (column, at, defined) in [
                ("section", 2, &metric.product_section),
                ("stage", 3, &metric.product_stage),
                ("product_group", 4, &metric.product_group),
            ] {
                let given = field(at);
                let expected = defined.as_deref().unwrap_or("");
                if given != expected {
                    problems.push(DataProblem {
                        kind: ProblemKind::OwnerMismatch,
                        line,
                        column: Some(column),
                        message: format!(
                            "`{key_path}` belongs to {column} `{expected}` in its definition \
                             ({}:{}), not `{given}`",
                            metric.file, metric.line
                        ),
                        help: "the definitions changed since the export: run `dbt build` and \
                               the export again"
                            .to_owned(),
                    });
                }
            }
        }
    }
    if problems.listed.len() + problems.more != before {
        return None;
    }
    Some(Row {
        month,
        role: role?,
        key_path,
        recorded: recorded?,
        reporting: reporting?,
        pinging: pinging?,
        estimated: estimated?,
    })
}

/// `YYYY-MM-01`.
fn is_first_of_month(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 10
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && matches!(
            text.get(5..7).and_then(|m| m.parse::<u8>().ok()),
            Some(1..=12)
        )
        && text.get(7..) == Some("-01")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view() -> View {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let config = crate::config::Config::load(&root, None, None).unwrap();
        let compilation = crate::pipeline::compile(&config).unwrap();
        View::new(&compilation.dictionary, &compilation.sources)
    }

    /// A metric of the example with a role, and its owners.
    fn smau(view: &View) -> (String, String) {
        xmau_metric(view, IndicatorType::Smau)
    }

    /// A metric of the example with `role`, and its owners.
    fn xmau_metric(view: &View, role: IndicatorType) -> (String, String) {
        let m = view
            .metrics
            .iter()
            .find(|m| m.performance_indicator_type == [role])
            .unwrap();
        let owners = format!(
            "{},{},{}",
            m.product_section.as_deref().unwrap_or(""),
            m.product_stage.as_deref().unwrap_or(""),
            m.product_group.as_deref().unwrap_or("")
        );
        (m.key_path.to_string(), owners)
    }

    fn header() -> String {
        COLUMNS.join(",")
    }

    #[test]
    fn a_valid_export_gives_each_metric_a_series_over_the_months() {
        let view = view();
        let (key, owners) = smau(&view);
        let csv = format!(
            "{}\n2024-02-01,smau,{owners},{key},10.0,2,4,20.0\n2024-01-01,smau,{owners},{key},3,1,1,3\n2024-03-01,smau,{owners},{key},0.0,0,3,\n",
            header()
        );
        let data = parse(csv.as_bytes(), &view).unwrap();
        assert_eq!(data.months, ["2024-01-01", "2024-02-01", "2024-03-01"]);
        assert_eq!(data.instances_pinging, [1, 4, 3]);
        let series = &data.metrics[&key];
        assert_eq!(series.roles, [IndicatorType::Smau]);
        assert_eq!(
            series.figures[1],
            Some(Figure {
                recorded: 10.0,
                reporting: 2,
                estimated: Some(20.0)
            })
        );
        assert_eq!(series.figures[2].unwrap().estimated, None);
    }

    #[test]
    fn a_missing_column_is_reported_on_the_header_line() {
        let view = view();
        let csv = "reporting_month,role,section,stage,product_group,key_path,recorded_value,instances_reporting,instances_pinging\n";
        let problems = parse(csv.as_bytes(), &view).unwrap_err();
        assert_eq!(problems.listed.len(), 1);
        let p = &problems.listed[0];
        assert_eq!(
            (p.kind, p.line, p.column),
            (ProblemKind::MissingColumn, 1, Some("estimated_value"))
        );
        let text = problems.render("x.csv");
        assert!(
            text.contains("error[MCD002]: the header has no column `estimated_value`"),
            "{text}"
        );
        assert!(
            text.contains("--> x.csv:1, column `estimated_value`"),
            "{text}"
        );
    }

    #[test]
    fn unknown_key_paths_and_contradicted_roles_are_located() {
        let view = view();
        let (key, owners) = smau(&view);
        let csv = format!(
            "{}\n2024-01-01,smau,{owners},{key}x,3,1,1,3\n2024-01-01,amau,{owners},{key},3,1,1,3\n",
            header()
        );
        let problems = parse(csv.as_bytes(), &view).unwrap_err();
        let found: Vec<_> = problems
            .listed
            .iter()
            .map(|p| (p.kind, p.line, p.column))
            .collect();
        assert_eq!(
            found,
            [
                (ProblemKind::UnknownKeyPath, 2, Some("key_path")),
                (ProblemKind::RoleMismatch, 3, Some("role")),
            ]
        );
        assert!(
            problems.listed[0]
                .message
                .contains(&format!("did you mean `{key}`")),
            "{:?}",
            problems.listed[0]
        );
        assert!(
            problems.listed[1].message.contains("gives it the roles"),
            "{:?}",
            problems.listed[1]
        );
    }

    #[test]
    fn bad_values_and_contradicting_rows_are_each_reported() {
        let view = view();
        let (key, owners) = smau(&view);
        let (amau, amau_owners) = xmau_metric(&view, IndicatorType::Amau);
        let csv = format!(
            "{h}\n2024-01-15,smau,{owners},{key},3,1,1,3\n2024-01-01,xmau,{owners},{key},-3,x,1,\n\
             2024-01-01,smau,{owners},{key},3,2,1,3\n2024-01-01,smau,{owners},{key},3,1,1,3\n\
             2024-01-01,smau,{owners},{key},3,1,1,3\n2024-02-01,smau,,,,{key},3,1,1,3\n\
             2024-03-01,smau,{owners},{key},3,1,1,3\n2024-03-01,amau,{amau_owners},{amau},3,1,2,3\n\
             2024-04-01,smau\n",
            h = header()
        );
        let problems = parse(csv.as_bytes(), &view).unwrap_err();
        let found: Vec<_> = problems
            .listed
            .iter()
            .map(|p| (p.kind.code(), p.line, p.column.unwrap_or("")))
            .collect();
        assert_eq!(
            found,
            [
                ("MCD003", 2, "reporting_month"),
                ("MCD003", 3, "role"),
                ("MCD003", 3, "recorded_value"),
                ("MCD003", 3, "instances_reporting"),
                ("MCD003", 4, "instances_reporting"),
                ("MCD007", 6, "key_path"),
                ("MCD006", 7, "section"),
                ("MCD006", 7, "stage"),
                ("MCD006", 7, "product_group"),
                ("MCD007", 9, "instances_pinging"),
                ("MCD001", 10, ""),
            ]
        );
    }

    #[test]
    fn an_empty_file_or_a_file_of_another_shape_is_unreadable() {
        let view = view();
        for text in ["", "\n", "a;b;c\n1;2;3\n"] {
            let problems = parse(text.as_bytes(), &view).unwrap_err();
            assert!(!problems.listed.is_empty(), "{text:?}");
            assert!(problems.listed.iter().all(|p| p.line == 1), "{problems:?}");
        }
    }

    #[test]
    fn problems_beyond_the_limit_are_counted() {
        let view = view();
        let mut csv = header();
        for _ in 0..MAX_PROBLEMS + 5 {
            csv.push_str("\n2024-01-01,smau,a,b,c,no.such.metric,1,1,1,1");
        }
        let problems = parse(csv.as_bytes(), &view).unwrap_err();
        assert_eq!(problems.listed.len(), MAX_PROBLEMS);
        assert!(problems.more > 0);
        assert!(problems.render("f").contains("more problems"));
    }

    #[test]
    fn months_are_first_days() {
        assert!(is_first_of_month("2024-12-01"));
        for bad in [
            "2024-13-01",
            "2024-00-01",
            "2024-1-01",
            "2024-01-02",
            "20x4-01-01",
            "",
        ] {
            assert!(!is_first_of_month(bad), "{bad}");
        }
    }
}
