//! A trend drawn by the server as an inline SVG: one share (0–100%) month by month, with the
//! programme's target as a dashed line, sized for a 360 px phone (its text stays 11 px at
//! that width). Written here rather than with a plotting crate: the ones that stay small lay
//! out a fixed frame of 800 × 500 units with 150-unit margins, whose labels shrink to about
//! 5 px on a phone.

use chibo_app::reports::indicators::Series;
use std::fmt::Write;

const WIDTH: f64 = 360.0;
const HEIGHT: f64 = 180.0;
const LEFT: f64 = 36.0;
const RIGHT: f64 = 8.0;
const TOP: f64 = 10.0;
const BOTTOM: f64 = 28.0;
/// Month labels shown at most: every k-th month beyond this.
const LABELS: usize = 6;

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// "93,3%".
fn percent(v: f64) -> String {
    format!("{v:.1}%").replace('.', ",")
}

/// "11/26" for `2026-11`.
fn month_label(month: &str) -> String {
    let (year, m) = month.split_once('-').unwrap_or((month, ""));
    format!(
        "{}/{}",
        m.trim_start_matches('0'),
        &year[year.len().saturating_sub(2)..]
    )
}

/// The SVG of one series over `months` (`YYYY-MM`); `id` names it for its title.
pub fn trend_svg(id: &str, s: &Series, months: &[String]) -> String {
    let n = months.len().max(1);
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let x = |i: usize| LEFT + (i as f64 + 0.5) * plot_w / n as f64;
    let y = |v: f64| TOP + (100.0 - v.clamp(0.0, 100.0)) * plot_h / 100.0;
    let mut out = String::new();
    let title = s.caption();
    let _ = write!(
        out,
        r#"<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{id}-title" xmlns="http://www.w3.org/2000/svg"><title id="{id}-title">{}</title>"#,
        escape(&title)
    );
    for v in [0.0, 50.0, 100.0] {
        let _ = write!(
            out,
            r#"<line class="grid" x1="{LEFT}" x2="{:.1}" y1="{:.1}" y2="{:.1}"/><text class="axis" x="{:.1}" y="{:.1}" text-anchor="end">{}%</text>"#,
            WIDTH - RIGHT,
            y(v),
            y(v),
            LEFT - 4.0,
            y(v) + 4.0,
            v as i64
        );
    }
    if let Some(t) = s.target {
        let _ = write!(
            out,
            r#"<line class="target" x1="{LEFT}" x2="{:.1}" y1="{:.1}" y2="{:.1}"><title>Mục tiêu {}</title></line>"#,
            WIDTH - RIGHT,
            y(t),
            y(t),
            escape(s.target_text.as_deref().unwrap_or_default())
        );
    }
    let every = n.div_ceil(LABELS);
    for (i, m) in months.iter().enumerate() {
        if i % every == 0 {
            let _ = write!(
                out,
                r#"<text class="axis" x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
                x(i),
                HEIGHT - 10.0,
                month_label(m)
            );
        }
    }
    // The line breaks where a month has nothing to count.
    let mut runs: Vec<Vec<(usize, f64)>> = vec![vec![]];
    for (i, v) in s.values.iter().enumerate() {
        match v {
            Some(v) => runs.last_mut().expect("a run").push((i, *v)),
            None if runs.last().is_some_and(|r| !r.is_empty()) => runs.push(vec![]),
            None => {}
        }
    }
    for run in runs.iter().filter(|r| r.len() > 1) {
        let points: Vec<String> = run
            .iter()
            .map(|(i, v)| format!("{:.1},{:.1}", x(*i), y(*v)))
            .collect();
        let _ = write!(
            out,
            r#"<polyline class="value" points="{}"/>"#,
            points.join(" ")
        );
    }
    for (i, v) in s.values.iter().enumerate() {
        if let Some(v) = v {
            let missed = s.met.get(i).copied().flatten() == Some(false);
            let _ = write!(
                out,
                r#"<circle class="{}" cx="{:.1}" cy="{:.1}" r="3.5"><title>Tháng {}: {}</title></circle>"#,
                if missed { "point missed" } else { "point" },
                x(i),
                y(*v),
                month_label(&months[i]),
                percent(*v)
            );
        }
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(values: Vec<Option<f64>>, target: Option<f64>) -> Series {
        Series {
            met: values
                .iter()
                .map(|v| target.zip(*v).map(|(t, v)| v >= t))
                .collect(),
            code: "attendance_rate".into(),
            label: "Tỷ lệ <dự>".into(),
            target,
            target_text: target.map(|t| format!("≥ {t}%")),
            values,
        }
    }

    #[test]
    fn a_month_without_a_figure_breaks_the_line() {
        let months: Vec<String> = (1..=5).map(|m| format!("2026-{m:02}")).collect();
        let svg = trend_svg(
            "t",
            &series(
                vec![Some(90.0), Some(95.5), None, Some(80.0), Some(85.0)],
                Some(90.0),
            ),
            &months,
        );
        assert_eq!(svg.matches("<polyline").count(), 2);
        assert_eq!(svg.matches("<circle").count(), 4);
        assert_eq!(
            svg.matches("point missed").count(),
            2,
            "80 and 85 miss ≥ 90"
        );
        assert!(svg.contains("Tháng 2/26: 95,5%"));
        assert!(svg.contains("class=\"target\""));
        assert!(svg.contains("Tỷ lệ &lt;dự&gt;"), "text is escaped");
    }

    #[test]
    fn labels_thin_out_over_long_periods_and_values_stay_in_the_frame() {
        let months: Vec<String> = (0..36)
            .map(|i| format!("{}-{:02}", 2024 + i / 12, i % 12 + 1))
            .collect();
        let svg = trend_svg("t", &series(vec![Some(120.0); 36], None), &months);
        let labels = svg.matches("text-anchor=\"middle\"").count();
        assert!(labels <= LABELS, "{labels} month labels");
        assert!(!svg.contains("class=\"target\""));
        assert!(svg.contains(&format!("cy=\"{TOP:.1}\"")), "clamped to 100%");
    }
}
