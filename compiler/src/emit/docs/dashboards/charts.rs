//! Line charts as static SVG, drawn at build time with `plotters`' SVG backend: a title,
//! axis labels, a legend, one line (with a dot per month) per series, and gaps for the
//! months a series has no figure in. No script, no font file, no request to another host.

use plotters::prelude::*;

/// One chart: the months along the x axis, a few series of figures over them.
pub struct Chart<'a> {
    pub title: &'a str,
    /// What the y axis counts (`Users`).
    pub y_label: &'a str,
    /// The months, as their x-axis labels (`2024-03`).
    pub months: &'a [&'a str],
    pub series: Vec<Line>,
}

/// A series: its legend text and a figure per month.
pub struct Line {
    pub name: String,
    pub values: Vec<Option<f64>>,
}

pub const WIDTH: u32 = 720;
pub const HEIGHT: u32 = 300;

/// Colours that stay apart for colour-blind readers (Okabe and Ito), dark enough on white.
const PALETTE: [RGBColor; 6] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
];

/// The top of the y axis: a round number well above every figure (1 when all are zero), so
/// that the legend, in the upper left corner, leaves the lines visible.
pub fn y_top(series: &[Line]) -> f64 {
    let max = series
        .iter()
        .flat_map(|s| s.values.iter().flatten())
        .fold(0.0f64, |a, b| a.max(*b));
    if max <= 0.0 {
        return 1.0;
    }
    let wanted = max * 1.35;
    let magnitude = 10f64.powf(wanted.log10().floor());
    for step in [1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0] {
        if step * magnitude >= wanted {
            return step * magnitude;
        }
    }
    10.0 * magnitude
}

/// A figure as an axis label: whole numbers plain, others with at most two decimals.
pub fn number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{value:.0}")
    } else {
        let text = format!("{value:.2}");
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    }
}

/// The chart as an SVG document.
pub fn svg(chart: &Chart<'_>) -> Result<String, String> {
    let mut out = String::new();
    draw(chart, &mut out).map_err(|e| format!("cannot draw the chart `{}`: {e}", chart.title))?;
    Ok(out)
}

fn draw(chart: &Chart<'_>, out: &mut String) -> Result<(), Box<dyn std::error::Error>> {
    let root = SVGBackend::with_string(out, (WIDTH, HEIGHT)).into_drawing_area();
    root.fill(&WHITE)?;
    let months = chart.months;
    let last = months.len().max(1) as f64 - 1.0;
    let top = y_top(&chart.series);
    let mut plot = ChartBuilder::on(&root)
        .caption(chart.title, ("sans-serif", 20))
        .margin(10)
        .x_label_area_size(44)
        .y_label_area_size(64)
        .build_cartesian_2d(-0.5f64..last + 0.5, 0f64..top)?;
    let label_month = |x: &f64| -> String {
        let i = x.round();
        if (x - i).abs() < 1e-9 && i >= 0.0 {
            months
                .get(i as usize)
                .map(|m| (*m).to_owned())
                .unwrap_or_default()
        } else {
            String::new()
        }
    };
    plot.configure_mesh()
        .disable_x_mesh()
        .max_light_lines(0)
        .x_labels(months.len().clamp(1, 12))
        .x_label_formatter(&label_month)
        .y_labels(6)
        .y_label_formatter(&|y| number(*y))
        .x_desc("Month")
        .y_desc(chart.y_label)
        .axis_desc_style(("sans-serif", 16))
        .label_style(("sans-serif", 15))
        .draw()?;
    for (i, series) in chart.series.iter().enumerate() {
        let color = PALETTE[i % PALETTE.len()];
        let points: Vec<(f64, f64)> = series
            .values
            .iter()
            .enumerate()
            .filter_map(|(x, v)| v.map(|v| (x as f64, v)))
            .collect();
        // A line through each run of consecutive months; a missing month is a gap.
        let mut run: Vec<(f64, f64)> = Vec::new();
        for (x, value) in series.values.iter().enumerate() {
            match value {
                Some(v) => run.push((x as f64, *v)),
                None => {
                    if run.len() > 1 {
                        plot.draw_series(LineSeries::new(run.clone(), color.stroke_width(2)))?;
                    }
                    run.clear();
                }
            }
        }
        if run.len() > 1 {
            plot.draw_series(LineSeries::new(run, color.stroke_width(2)))?;
        }
        plot.draw_series(
            points
                .into_iter()
                .map(|p| Circle::new(p, 3, color.filled())),
        )?
        .label(series.name.as_str())
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(3)));
    }
    if !chart.series.is_empty() {
        plot.configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.4))
            .label_font(("sans-serif", 15))
            .draw()?;
    }
    root.present()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_y_axis_ends_at_a_round_number_above_the_figures() {
        let line = |v: f64| Line {
            name: String::new(),
            values: vec![Some(v), None],
        };
        assert_eq!(y_top(&[line(0.0)]), 1.0);
        assert_eq!(y_top(&[line(7.0)]), 10.0);
        assert_eq!(y_top(&[line(9.0)]), 15.0);
        assert_eq!(y_top(&[line(91.0)]), 150.0);
        assert_eq!(y_top(&[line(1200.0)]), 2000.0);
        assert_eq!(y_top(&[line(2200.0)]), 3000.0);
    }

    #[test]
    fn numbers_are_plain() {
        assert_eq!(number(12.0), "12");
        assert_eq!(number(12.5), "12.5");
        assert_eq!(number(1.0 / 3.0), "0.33");
        assert_eq!(number(0.0), "0");
    }

    #[test]
    fn a_chart_has_its_title_labels_legend_and_a_dot_per_figure() {
        let months = ["2024-01", "2024-02", "2024-03"];
        let chart = Chart {
            title: "SMAU of <Plan> & co",
            y_label: "Users",
            months: &months,
            series: vec![
                Line {
                    name: "Estimated".into(),
                    values: vec![Some(10.0), None, Some(30.0)],
                },
                Line {
                    name: "Recorded".into(),
                    values: vec![Some(5.0), Some(6.0), Some(7.0)],
                },
            ],
        };
        let svg = svg(&chart).unwrap();
        assert!(svg.starts_with("<svg"), "{svg}");
        assert!(svg.contains("SMAU of &lt;Plan&gt; &amp; co"), "{svg}");
        for text in ["Month", "Users", "Estimated", "Recorded", "2024-02"] {
            assert!(svg.contains(&format!(">\n{text}\n<")), "{text} in {svg}");
        }
        assert_eq!(svg.matches("<circle").count(), 5, "{svg}");
        assert!(!svg.contains("http://") || svg.contains("xmlns=\"http://www.w3.org/2000/svg\""));
        assert_eq!(svg, super::svg(&chart).unwrap(), "deterministic");
    }
}
