//! Charts drawn on the server as SVG, with no script and no library: bars over categories or
//! time (grouped or stacked, upright or lying), a heat map, lines through points (on numbers
//! or on ordered levels such as wait buckets), and bars with a line on the same scale.
//!
//! Each chart is a standalone SVG document (`xmlns`, `viewBox`, `role="img"`, a `<title>` and a
//! `<desc>` it is labelled by) that is also placed as is inside a page. The rules it keeps:
//!
//! - **The CSP holds.** The pages' policy allows no inline style (`style-src 'self'`), so the
//!   drawing uses SVG presentation attributes only (`fill="…"`, `stroke-dasharray="…"`), never a
//!   `style` attribute or a `<style>` element, and no script.
//! - **Readable printed, and not by colour alone.** Dark on white; series differ by pattern
//!   (solid, hatched, dotted…) and lines by dash and marker shape as well as by colour; every bar
//!   is outlined; a heat map writes its number in each cell; values are written next to bars
//!   when there is room. The chart's data goes in a table beside it on the page.
//! - **Ids are the chart's own.** Every `id` inside (patterns, title, description) starts with
//!   the chart's id, so several charts can sit in one page.
//! - **Text is escaped**, and characters XML cannot hold are dropped.
//! - The layout runs left to right whatever the page's direction (`direction="ltr"`): time goes
//!   rightwards in the four languages; labels in Arabic are still shaped right to left.
//!
//! The API: build a [`BarChart`], [`LineChart`], [`HeatMap`] or [`BarsAndLine`] with its
//! [`ChartText`], and call [`Chart::svg`]. Values are `f64`; a line's missing point is `None`.
//! The category labels are drawn every `tick_every` categories (0: as many as fit).

use std::fmt::Write;

/// Width of every chart, in SVG units (the page scales it down to fit).
pub const WIDTH: f64 = 720.0;
const FONT: f64 = 12.0;
const SMALL: f64 = 11.0;
/// An estimate of a character's width, in units of the font size: the labels are laid out
/// without measuring text.
const CHAR_WIDTH: f64 = 0.6;
const TEXT: &str = "#1d2327";
const MUTED: &str = "#4b545a";
const GRID: &str = "#d6d3ca";

/// The words of a chart and the id its inner ids start with.
#[derive(Debug, Clone, Default)]
pub struct ChartText {
    /// Unique in a page, made of letters, digits and `-` (other characters are replaced).
    pub id: String,
    /// A short title (the `<title>` the image is named by).
    pub title: String,
    /// What the chart shows, in a sentence or two (the `<desc>`).
    pub desc: String,
    /// The language of the words (`fr`, `en`…), as `xml:lang`.
    pub lang: String,
    /// Written across the chart when it has nothing to draw (every value zero or missing).
    pub empty: String,
}

/// How numbers are written on a chart.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Numbers {
    /// Digits after the decimal mark.
    pub decimals: u8,
    /// `.` or `,`.
    pub decimal_mark: char,
}

impl Default for Numbers {
    fn default() -> Self {
        Self {
            decimals: 0,
            decimal_mark: '.',
        }
    }
}

impl Numbers {
    /// A tick of the scale: a whole number without decimals ("20", not "20,0").
    pub fn tick(&self, v: f64) -> String {
        if v.fract() == 0.0 {
            format!("{v:.0}")
        } else {
            self.format(v)
        }
    }

    /// A value as the chart writes it.
    pub fn format(&self, v: f64) -> String {
        let s = format!("{:.*}", usize::from(self.decimals), v);
        if self.decimal_mark == '.' {
            s
        } else {
            s.replace('.', &self.decimal_mark.to_string())
        }
    }
}

/// A named series of values, one per category.
#[derive(Debug, Clone, Default)]
pub struct Series {
    /// Its name in the legend.
    pub name: String,
    /// One value per category; negative values are drawn as zero.
    pub values: Vec<f64>,
}

/// A named line, one point per category; `None` leaves a gap.
#[derive(Debug, Clone, Default)]
pub struct Line {
    /// Its name in the legend.
    pub name: String,
    /// One point per category.
    pub values: Vec<Option<f64>>,
}

/// How several series share a category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Stacking {
    /// Side by side.
    #[default]
    Grouped,
    /// On top of each other: the bar's length is their sum.
    Stacked,
}

/// Which way bars go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Direction {
    /// Upright bars over categories along the bottom: time, or a few short labels.
    #[default]
    Columns,
    /// Bars lying along rows, labels on the left: many or long labels.
    Rows,
}

/// The value axis: its name and how its numbers are written.
#[derive(Debug, Clone, Default)]
pub struct Axis {
    /// What the values count ("chats"), written above the axis.
    pub label: String,
    /// How the numbers are written.
    pub numbers: Numbers,
    /// The top of the scale when it is fixed (100 for percentages); otherwise from the data.
    pub max: Option<f64>,
}

/// A chart that draws itself as an SVG document.
pub trait Chart {
    /// The standalone SVG document.
    fn svg(&self) -> String;
}

/// Bars over categories: one series (a plain bar chart), or several grouped or stacked.
#[derive(Debug, Clone, Default)]
pub struct BarChart {
    /// Title, description and id.
    pub text: ChartText,
    /// One label per category, in order.
    pub categories: Vec<String>,
    /// The series; a legend is drawn when there are several.
    pub series: Vec<Series>,
    /// Side by side or stacked.
    pub stacking: Stacking,
    /// Columns or rows.
    pub direction: Direction,
    /// The value axis.
    pub axis: Axis,
    /// Columns only: a category label every this many (0: as many as fit).
    pub tick_every: usize,
}

/// Lines through points, on a numeric scale or on ordered levels.
#[derive(Debug, Clone, Default)]
pub struct LineChart {
    /// Title, description and id.
    pub text: ChartText,
    /// One label per category (point), in order.
    pub categories: Vec<String>,
    /// The lines; a legend is drawn when there are several.
    pub lines: Vec<Line>,
    /// The vertical scale.
    pub scale: Scale,
    /// A category label every this many (0: as many as fit).
    pub tick_every: usize,
}

/// The vertical scale of a line chart.
#[derive(Debug, Clone)]
pub enum Scale {
    /// Numbers from zero.
    Numbers(Axis),
    /// Ordered levels, lowest first: the value `i` is the level `i` (wait buckets).
    Levels {
        /// What the levels are ("wait").
        label: String,
        /// Their names, lowest first.
        levels: Vec<String>,
    },
}

impl Default for Scale {
    fn default() -> Self {
        Self::Numbers(Axis::default())
    }
}

/// A grid of counts, darker where larger, each cell with its number.
#[derive(Debug, Clone, Default)]
pub struct HeatMap {
    /// Title, description and id.
    pub text: ChartText,
    /// Row labels, top to bottom.
    pub rows: Vec<String>,
    /// Column labels, left to right.
    pub columns: Vec<String>,
    /// `values[row][column]`; a missing cell is drawn as zero.
    pub values: Vec<Vec<f64>>,
    /// How the numbers are written.
    pub numbers: Numbers,
    /// A column label every this many (0: as many as fit).
    pub tick_every: usize,
    /// The legend's words for "fewer" and "more", at either end of the shades.
    pub legend: (String, String),
}

/// Bars and a line on one scale over the same categories: demand against capacity, such as
/// the chats of each week and those left unanswered, or the officers needed each hour of the
/// week against those present.
#[derive(Debug, Clone, Default)]
pub struct BarsAndLine {
    /// Title, description and id.
    pub text: ChartText,
    /// One label per category, in order.
    pub categories: Vec<String>,
    /// The bars.
    pub bars: Series,
    /// The line, drawn over the bars.
    pub line: Line,
    /// The shared value axis.
    pub axis: Axis,
    /// A category label every this many (0: as many as fit).
    pub tick_every: usize,
}

// ------------------------------------------------------------------ drawing helpers

/// Text for XML: the five special characters escaped, characters XML forbids dropped.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(' '),
            c if c < ' ' || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// An id safe in XML and HTML: letters, digits and `-`, starting with a letter.
fn clean_id(id: &str) -> String {
    let mut out: String = id
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    if !out.starts_with(|c: char| c.is_ascii_alphabetic()) {
        out.insert_str(0, "chart-");
    }
    out
}

/// A coordinate, to a tenth.
fn n(v: f64) -> String {
    let v = if v.is_finite() { v } else { 0.0 };
    let s = format!("{:.1}", v);
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

fn text_width(s: &str, size: f64) -> f64 {
    s.chars().count() as f64 * size * CHAR_WIDTH
}

/// `s` cut with an ellipsis to fit in `width` (the whole label is in the bar's tip and the
/// table).
fn fit(s: &str, width: f64, size: f64) -> String {
    if text_width(s, size) <= width {
        return s.to_string();
    }
    let keep = ((width / (size * CHAR_WIDTH)) as usize).saturating_sub(1);
    let mut out: String = s.chars().take(keep).collect();
    out.push('…');
    out
}

/// How a series is filled: a colour, and a pattern for all but the first, so that series
/// differ without colour and in black-and-white print.
#[derive(Debug, Clone, Copy)]
enum Fill {
    Solid(&'static str),
    Hatch(&'static str),
    Dots(&'static str),
    Cross(&'static str),
    Lines(&'static str),
}

const FILLS: [Fill; 6] = [
    Fill::Solid("#2e4c5a"),
    Fill::Hatch("#9a3b12"),
    Fill::Solid("#a9c4cf"),
    Fill::Dots("#4f2f6b"),
    Fill::Cross("#1d2327"),
    Fill::Lines("#25583a"),
];

/// The look of the `i`-th line: colour, dashes, marker.
const LINE_STYLES: [(&str, Option<&str>, Marker); 3] = [
    ("#1d2327", None, Marker::Circle),
    ("#9a3b12", Some("7 4"), Marker::Square),
    ("#4f2f6b", Some("2 3"), Marker::Triangle),
];

#[derive(Debug, Clone, Copy)]
enum Marker {
    Circle,
    Square,
    Triangle,
}

/// An SVG document being written.
struct Svg {
    out: String,
    id: String,
}

impl Svg {
    fn new(text: &ChartText, height: f64) -> Self {
        let id = clean_id(&text.id);
        let mut out = String::with_capacity(4096);
        let _ = write!(
            out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" \
             height=\"{h}\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" class=\"chart\" \
             direction=\"ltr\" font-family=\"sans-serif\" font-size=\"{FONT}\" fill=\"{TEXT}\"",
            w = n(WIDTH),
            h = n(height),
        );
        if !text.lang.is_empty() {
            let _ = write!(out, " xml:lang=\"{}\"", escape(&text.lang));
        }
        let _ = write!(
            out,
            "><title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>",
            escape(&text.title),
            escape(&text.desc),
        );
        // A white ground, so that the chart reads the same on any page and printed.
        let _ = write!(
            out,
            "<rect width=\"{}\" height=\"{}\" fill=\"#ffffff\"/>",
            n(WIDTH),
            n(height)
        );
        Self { out, id }
    }

    /// The pattern definitions for the first `count` fills.
    fn patterns(&mut self, count: usize) {
        let mut defs = String::new();
        for (i, fill) in FILLS.iter().enumerate().take(count) {
            let id = format!("{}-fill{i}", self.id);
            let open = |defs: &mut String, size: u8, rotate: Option<u8>| {
                let _ = write!(
                    defs,
                    "<pattern id=\"{id}\" width=\"{size}\" height=\"{size}\" patternUnits=\"userSpaceOnUse\""
                );
                if let Some(r) = rotate {
                    let _ = write!(defs, " patternTransform=\"rotate({r})\"");
                }
                let _ = write!(
                    defs,
                    "><rect width=\"{size}\" height=\"{size}\" fill=\"#ffffff\"/>"
                );
            };
            match *fill {
                Fill::Solid(_) => continue,
                Fill::Hatch(c) => {
                    open(&mut defs, 6, Some(45));
                    let _ = write!(
                        defs,
                        "<rect width=\"3\" height=\"6\" fill=\"{c}\"/></pattern>"
                    );
                }
                Fill::Dots(c) => {
                    open(&mut defs, 5, None);
                    let _ = write!(
                        defs,
                        "<circle cx=\"2.5\" cy=\"2.5\" r=\"1.5\" fill=\"{c}\"/></pattern>"
                    );
                }
                Fill::Cross(c) => {
                    open(&mut defs, 6, Some(45));
                    let _ = write!(
                        defs,
                        "<rect width=\"1.5\" height=\"6\" fill=\"{c}\"/><rect width=\"6\" height=\"1.5\" fill=\"{c}\"/></pattern>"
                    );
                }
                Fill::Lines(c) => {
                    open(&mut defs, 5, None);
                    let _ = write!(
                        defs,
                        "<rect width=\"5\" height=\"2\" fill=\"{c}\"/></pattern>"
                    );
                }
            }
        }
        if !defs.is_empty() {
            let _ = write!(self.out, "<defs>{defs}</defs>");
        }
    }

    /// The `fill` attribute's value of the `i`-th series.
    fn fill(&self, i: usize) -> String {
        match FILLS[i % FILLS.len()] {
            Fill::Solid(c) => c.to_string(),
            _ => format!("url(#{}-fill{})", self.id, i % FILLS.len()),
        }
    }

    fn rect(&mut self, x: f64, y: f64, w: f64, h: f64, fill: &str, tip: Option<&str>) {
        let _ = write!(
            self.out,
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{fill}\" stroke=\"{TEXT}\" stroke-width=\"0.6\"",
            n(x),
            n(y),
            n(w.max(0.0)),
            n(h.max(0.0)),
        );
        match tip {
            Some(t) => {
                let _ = write!(self.out, "><title>{}</title></rect>", escape(t));
            }
            None => self.out.push_str("/>"),
        }
    }

    fn line(&mut self, x1: f64, y1: f64, x2: f64, y2: f64, stroke: &str, width: f64) {
        let _ = write!(
            self.out,
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{stroke}\" stroke-width=\"{}\"/>",
            n(x1),
            n(y1),
            n(x2),
            n(y2),
            n(width)
        );
    }

    /// Text anchored at `anchor` (`start`, `middle`, `end`), its baseline at `y`.
    fn text(&mut self, x: f64, y: f64, anchor: &str, size: f64, fill: &str, s: &str) {
        let _ = write!(
            self.out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"{anchor}\" font-size=\"{}\" fill=\"{fill}\">{}</text>",
            n(x),
            n(y),
            n(size),
            escape(s)
        );
    }

    fn marker(&mut self, marker: Marker, x: f64, y: f64, colour: &str, tip: &str) {
        let tip = escape(tip);
        let _ = match marker {
            Marker::Circle => write!(
                self.out,
                "<circle cx=\"{}\" cy=\"{}\" r=\"3.5\" fill=\"{colour}\"><title>{tip}</title></circle>",
                n(x),
                n(y)
            ),
            Marker::Square => write!(
                self.out,
                "<rect x=\"{}\" y=\"{}\" width=\"9\" height=\"9\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\"><title>{tip}</title></rect>",
                n(x - 4.5),
                n(y - 4.5)
            ),
            Marker::Triangle => write!(
                self.out,
                "<path d=\"M{} {}L{} {}L{} {}Z\" fill=\"{colour}\"><title>{tip}</title></path>",
                n(x),
                n(y - 5.0),
                n(x + 5.0),
                n(y + 4.0),
                n(x - 5.0),
                n(y + 4.0)
            ),
        };
    }

    /// A polyline through the points, broken where a point is missing; markers on every point
    /// when asked, and always on a point with no neighbour (it would not show otherwise).
    fn polyline(
        &mut self,
        points: &[Option<(f64, f64)>],
        style: usize,
        markers: bool,
        tips: &[String],
    ) {
        let (colour, dash, marker) = LINE_STYLES[style % LINE_STYLES.len()];
        let mut d = String::new();
        let mut pen_down = false;
        for p in points {
            match p {
                Some((x, y)) => {
                    let _ = write!(d, "{}{} {}", if pen_down { "L" } else { "M" }, n(*x), n(*y));
                    pen_down = true;
                }
                None => pen_down = false,
            }
        }
        if d.contains('L') {
            let _ = write!(
                self.out,
                "<path d=\"{d}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2.5\" stroke-linejoin=\"round\""
            );
            if let Some(dash) = dash {
                let _ = write!(self.out, " stroke-dasharray=\"{dash}\"");
            }
            self.out.push_str("/>");
        }
        for (i, p) in points.iter().enumerate() {
            let Some((x, y)) = p else { continue };
            let alone = (i == 0 || points[i - 1].is_none())
                && points.get(i + 1).is_none_or(|q| q.is_none());
            if markers || alone {
                let tip = tips.get(i).map(String::as_str).unwrap_or_default();
                self.marker(marker, *x, *y, colour, tip);
            }
        }
    }

    /// A legend in a row (wrapping) from `y`: each entry a swatch and its name. Returns the
    /// height used.
    fn legend(&mut self, entries: &[(LegendKey, String)], x0: f64, y: f64) -> f64 {
        let mut x = x0;
        let mut row = 0.0;
        for (key, name) in entries {
            let w = 26.0 + text_width(name, SMALL) + 16.0;
            if x + w > WIDTH - 8.0 && x > x0 {
                x = x0;
                row += 18.0;
            }
            let cy = y + row;
            match key {
                LegendKey::Fill(i) => {
                    let fill = self.fill(*i);
                    self.rect(x, cy - 9.0, 18.0, 11.0, &fill, None);
                }
                LegendKey::Line(style, markers) => {
                    let points = [Some((x, cy - 3.5)), Some((x + 18.0, cy - 3.5))];
                    self.polyline(&points, *style, false, &[]);
                    if *markers {
                        let (colour, _, marker) = LINE_STYLES[style % LINE_STYLES.len()];
                        self.marker(marker, x + 9.0, cy - 3.5, colour, name);
                    }
                }
            }
            self.text(x + 24.0, cy, "start", SMALL, TEXT, name);
            x += w;
        }
        row + 18.0
    }

    fn empty_note(&mut self, text: &ChartText, x: f64, y: f64) {
        if !text.empty.is_empty() {
            self.text(x, y, "middle", FONT + 1.0, MUTED, &text.empty);
        }
    }

    fn finish(mut self) -> String {
        self.out.push_str("</svg>");
        self.out
    }
}

enum LegendKey {
    /// The `i`-th series' fill.
    Fill(usize),
    /// The `i`-th line style, with or without its marker.
    Line(usize, bool),
}

/// A scale from zero to a round top, with its ticks.
struct ValueScale {
    top: f64,
    step: f64,
}

impl ValueScale {
    fn new(max: f64, fixed: Option<f64>, integers: bool) -> Self {
        let max = fixed.unwrap_or(max);
        let max = if max.is_finite() && max > 0.0 {
            max
        } else {
            1.0
        };
        let rough = max / 5.0;
        let magnitude = 10f64.powf(rough.log10().floor());
        let mut step = [1.0, 2.0, 2.5, 5.0, 10.0]
            .into_iter()
            .map(|m| m * magnitude)
            .find(|s| *s >= rough)
            .unwrap_or(magnitude * 10.0);
        if integers {
            step = step.max(1.0).round();
        }
        let top = if fixed.is_some() {
            max
        } else {
            (max / step).ceil() * step
        };
        Self { top, step }
    }

    fn ticks(&self) -> Vec<f64> {
        let count = (self.top / self.step).round() as usize;
        (0..=count.min(20))
            .map(|i| (i as f64 * self.step).min(self.top))
            .collect()
    }
}

/// How many category labels to skip so that they do not overlap.
fn label_every(labels: &[String], band: f64, asked: usize) -> usize {
    if asked > 0 {
        return asked;
    }
    let widest = labels
        .iter()
        .map(|l| text_width(l, SMALL))
        .fold(0.0, f64::max)
        + 8.0;
    ((widest / band.max(0.1)).ceil() as usize).max(1)
}

fn clean(v: f64) -> f64 {
    if v.is_finite() && v > 0.0 { v } else { 0.0 }
}

/// Margins of the charts with categories along the bottom.
const LEFT: f64 = 56.0;
const RIGHT: f64 = 16.0;
const PLOT_HEIGHT: f64 = 220.0;
/// The widest a column (or a group of columns) gets, so that one week is not a wall.
const MAX_BAR: f64 = 64.0;

/// Draws the value axis (ticks, grid and label) of a vertical scale, and the category labels
/// along the bottom. Returns the y of a value.
struct Frame {
    top: f64,
    bottom: f64,
    left: f64,
    right: f64,
}

impl Frame {
    fn band(&self, n: usize) -> f64 {
        (self.right - self.left) / n.max(1) as f64
    }

    fn y(&self, scale: &ValueScale, v: f64) -> f64 {
        self.bottom - (clean(v) / scale.top).min(1.0) * (self.bottom - self.top)
    }

    fn value_axis(&self, svg: &mut Svg, scale: &ValueScale, axis: &Axis) {
        for t in scale.ticks() {
            let y = self.y(scale, t);
            svg.line(self.left, y, self.right, y, GRID, 1.0);
            svg.text(
                self.left - 6.0,
                y + 4.0,
                "end",
                SMALL,
                MUTED,
                &axis.numbers.tick(t),
            );
        }
        svg.text(
            self.left - 6.0,
            self.top - 12.0,
            "start",
            SMALL,
            MUTED,
            &axis.label,
        );
    }

    fn categories(&self, svg: &mut Svg, labels: &[String], every: usize) {
        let band = self.band(labels.len());
        let every = label_every(labels, band, every);
        for (i, label) in labels.iter().enumerate() {
            let x = self.left + band * (i as f64 + 0.5);
            if i % every == 0 {
                svg.line(x, self.bottom, x, self.bottom + 4.0, TEXT, 1.0);
                svg.text(x, self.bottom + 17.0, "middle", SMALL, TEXT, label);
            }
        }
        svg.line(self.left, self.bottom, self.right, self.bottom, TEXT, 1.2);
    }
}

// ------------------------------------------------------------------ the charts

impl Chart for BarChart {
    fn svg(&self) -> String {
        match self.direction {
            Direction::Columns => self.columns(),
            Direction::Rows => self.rows(),
        }
    }
}

impl BarChart {
    fn value(&self, s: usize, c: usize) -> f64 {
        clean(self.series[s].values.get(c).copied().unwrap_or(0.0))
    }

    /// The length of a category's bar(s): the sum when stacked, the largest otherwise.
    fn extent(&self, c: usize) -> f64 {
        let values = (0..self.series.len()).map(|s| self.value(s, c));
        match self.stacking {
            Stacking::Stacked => values.sum(),
            Stacking::Grouped => values.fold(0.0, f64::max),
        }
    }

    fn max(&self) -> f64 {
        (0..self.categories.len())
            .map(|c| self.extent(c))
            .fold(0.0, f64::max)
    }

    fn integers(&self) -> bool {
        self.axis.numbers.decimals == 0
    }

    fn legend_entries(&self) -> Vec<(LegendKey, String)> {
        self.series
            .iter()
            .enumerate()
            .map(|(i, s)| (LegendKey::Fill(i), s.name.clone()))
            .collect()
    }

    fn tip(&self, s: usize, c: usize) -> String {
        let value = self.axis.numbers.format(self.value(s, c));
        if self.series.len() > 1 {
            format!("{} · {}: {value}", self.categories[c], self.series[s].name)
        } else {
            format!("{}: {value}", self.categories[c])
        }
    }

    fn columns(&self) -> String {
        let legend_rows = if self.series.len() > 1 { 1.0 } else { 0.0 };
        let top = 34.0 + legend_rows * 20.0;
        let height = top + PLOT_HEIGHT + 30.0;
        let mut svg = Svg::new(&self.text, height);
        svg.patterns(self.series.len());
        if self.series.len() > 1 {
            svg.legend(&self.legend_entries(), LEFT, 18.0);
        }
        let frame = Frame {
            top,
            bottom: top + PLOT_HEIGHT,
            left: LEFT,
            right: WIDTH - RIGHT,
        };
        let scale = ValueScale::new(self.max(), self.axis.max, self.integers());
        frame.value_axis(&mut svg, &scale, &self.axis);
        let count = self.categories.len();
        let band = frame.band(count);
        let groups = match self.stacking {
            Stacking::Grouped => self.series.len().max(1),
            Stacking::Stacked => 1,
        };
        let bar = ((band * 0.8).min(MAX_BAR) / groups as f64).max(0.3);
        let show_values = band >= 26.0 && count <= 40;
        for c in 0..count {
            let x0 = frame.left + band * c as f64 + (band - bar * groups as f64) / 2.0;
            let mut base = 0.0;
            for s in 0..self.series.len() {
                let v = self.value(s, c);
                let fill = svg.fill(s);
                let tip = self.tip(s, c);
                let (x, from, to) = match self.stacking {
                    Stacking::Grouped => (x0 + bar * s as f64, 0.0, v),
                    Stacking::Stacked => (x0, base, base + v),
                };
                base += v;
                if v > 0.0 {
                    let y = frame.y(&scale, to);
                    svg.rect(x, y, bar, frame.y(&scale, from) - y, &fill, Some(&tip));
                }
                if show_values && self.stacking == Stacking::Grouped {
                    svg.text(
                        x + bar / 2.0,
                        frame.y(&scale, v) - 4.0,
                        "middle",
                        SMALL,
                        TEXT,
                        &self.axis.numbers.format(v),
                    );
                }
            }
            if show_values && self.stacking == Stacking::Stacked && !self.series.is_empty() {
                let total = self.extent(c);
                svg.text(
                    x0 + bar / 2.0,
                    frame.y(&scale, total) - 4.0,
                    "middle",
                    SMALL,
                    TEXT,
                    &self.axis.numbers.format(total),
                );
            }
        }
        frame.categories(&mut svg, &self.categories, self.tick_every);
        if self.max() <= 0.0 {
            svg.empty_note(
                &self.text,
                (frame.left + frame.right) / 2.0,
                frame.top + PLOT_HEIGHT / 2.0,
            );
        }
        svg.finish()
    }

    fn rows(&self) -> String {
        let count = self.categories.len();
        let groups = match self.stacking {
            Stacking::Grouped => self.series.len().max(1),
            Stacking::Stacked => 1,
        };
        let row = (groups as f64 * 14.0 + 10.0).max(24.0);
        let widest = self
            .categories
            .iter()
            .map(|l| text_width(l, SMALL))
            .fold(0.0, f64::max);
        let left = (widest + 16.0).clamp(60.0, 300.0);
        let right = WIDTH - 56.0;
        let legend_height = if self.series.len() > 1 {
            // Measured by drawing it once in a scratch document.
            let mut scratch = Svg::new(&self.text, 0.0);
            scratch.legend(&self.legend_entries(), left, 18.0)
        } else {
            0.0
        };
        let top = 34.0 + legend_height;
        let plot = row * count.max(1) as f64;
        let height = top + plot + 30.0;
        let mut svg = Svg::new(&self.text, height);
        svg.patterns(self.series.len());
        if self.series.len() > 1 {
            svg.legend(&self.legend_entries(), left, 18.0);
        }
        let scale = ValueScale::new(self.max(), self.axis.max, self.integers());
        let x = |v: f64| left + (clean(v) / scale.top).min(1.0) * (right - left);
        for t in scale.ticks() {
            svg.line(x(t), top, x(t), top + plot, GRID, 1.0);
            svg.text(
                x(t),
                top + plot + 16.0,
                "middle",
                SMALL,
                MUTED,
                &self.axis.numbers.tick(t),
            );
        }
        svg.text(right, top - 8.0, "end", SMALL, MUTED, &self.axis.label);
        let bar = (row - 10.0) / groups as f64;
        for c in 0..count {
            let y0 = top + row * c as f64 + 5.0;
            svg.text(
                left - 8.0,
                y0 + (row - 10.0) / 2.0 + 4.0,
                "end",
                SMALL,
                TEXT,
                &fit(&self.categories[c], left - 12.0, SMALL),
            );
            let mut base = 0.0;
            for s in 0..self.series.len() {
                let v = self.value(s, c);
                let fill = svg.fill(s);
                let tip = self.tip(s, c);
                let (y, from, to) = match self.stacking {
                    Stacking::Grouped => (y0 + bar * s as f64, 0.0, v),
                    Stacking::Stacked => (y0, base, base + v),
                };
                base += v;
                if v > 0.0 {
                    svg.rect(x(from), y, x(to) - x(from), bar, &fill, Some(&tip));
                }
                if self.stacking == Stacking::Grouped {
                    svg.text(
                        x(v) + 4.0,
                        y + bar / 2.0 + 4.0,
                        "start",
                        SMALL,
                        TEXT,
                        &self.axis.numbers.format(v),
                    );
                }
            }
            if self.stacking == Stacking::Stacked {
                let total = self.extent(c);
                svg.text(
                    x(total) + 4.0,
                    y0 + bar / 2.0 + 4.0,
                    "start",
                    SMALL,
                    TEXT,
                    &self.axis.numbers.format(total),
                );
            }
        }
        svg.line(left, top, left, top + plot, TEXT, 1.2);
        if self.max() <= 0.0 {
            svg.empty_note(&self.text, (left + right) / 2.0, top + plot / 2.0 + 4.0);
        }
        svg.finish()
    }
}

/// Where a line chart puts a value, and how it writes it.
enum Vertical<'a> {
    /// On a scale of numbers from zero.
    Numbers(ValueScale, Numbers),
    /// On ordered levels, one band each, lowest at the bottom.
    Levels(&'a [String]),
}

impl Vertical<'_> {
    fn y(&self, frame: &Frame, v: f64) -> f64 {
        match self {
            Vertical::Numbers(scale, _) => frame.y(scale, v),
            Vertical::Levels(levels) => {
                let steps = levels.len().max(1) as f64;
                let plot = frame.bottom - frame.top;
                frame.bottom - (clean(v).min(steps - 1.0) + 0.5) * plot / steps
            }
        }
    }

    fn write(&self, v: f64) -> String {
        match self {
            Vertical::Numbers(_, numbers) => numbers.format(v),
            Vertical::Levels(levels) => levels
                .get(clean(v).round() as usize)
                .cloned()
                .unwrap_or_default(),
        }
    }
}

impl Chart for LineChart {
    fn svg(&self) -> String {
        let legend = self.lines.len() > 1;
        let top = 34.0 + if legend { 20.0 } else { 0.0 };
        let height = top + PLOT_HEIGHT + 30.0;
        let mut svg = Svg::new(&self.text, height);
        let count = self.categories.len();
        let markers = count <= 60;
        if legend {
            let entries: Vec<_> = self
                .lines
                .iter()
                .enumerate()
                .map(|(i, l)| (LegendKey::Line(i, true), l.name.clone()))
                .collect();
            svg.legend(&entries, LEFT + 60.0, 18.0);
        }
        let left = match &self.scale {
            Scale::Levels { levels, .. } => {
                let widest = levels
                    .iter()
                    .map(|l| text_width(l, SMALL))
                    .fold(0.0, f64::max);
                (widest + 14.0).max(LEFT)
            }
            Scale::Numbers(_) => LEFT,
        };
        let frame = Frame {
            top,
            bottom: top + PLOT_HEIGHT,
            left,
            right: WIDTH - RIGHT,
        };
        let max = self
            .lines
            .iter()
            .flat_map(|l| l.values.iter().flatten())
            .copied()
            .fold(0.0, f64::max);
        // y of a value, and how a value is written in a tip.
        let vertical = match &self.scale {
            Scale::Numbers(axis) => {
                let scale = ValueScale::new(max, axis.max, axis.numbers.decimals == 0);
                frame.value_axis(&mut svg, &scale, axis);
                Vertical::Numbers(scale, axis.numbers)
            }
            Scale::Levels { label, levels } => {
                let vertical = Vertical::Levels(levels);
                for (i, name) in levels.iter().enumerate() {
                    let y = vertical.y(&frame, i as f64);
                    svg.line(frame.left, y, frame.right, y, GRID, 1.0);
                    svg.text(frame.left - 6.0, y + 4.0, "end", SMALL, MUTED, name);
                }
                svg.text(
                    frame.left - 6.0,
                    frame.top - 12.0,
                    "end",
                    SMALL,
                    MUTED,
                    label,
                );
                vertical
            }
        };
        let y_of = |v: f64| vertical.y(&frame, v);
        let write = |v: f64| vertical.write(v);
        let band = frame.band(count);
        for (style, line) in self.lines.iter().enumerate() {
            let points: Vec<Option<(f64, f64)>> = (0..count)
                .map(|c| {
                    line.values
                        .get(c)
                        .copied()
                        .flatten()
                        .map(|v| (frame.left + band * (c as f64 + 0.5), y_of(v)))
                })
                .collect();
            let tips: Vec<String> = (0..count)
                .map(|c| match line.values.get(c).copied().flatten() {
                    Some(v) => format!("{} · {}: {}", self.categories[c], line.name, write(v)),
                    None => String::new(),
                })
                .collect();
            svg.polyline(&points, style, markers, &tips);
        }
        frame.categories(&mut svg, &self.categories, self.tick_every);
        let nothing = self
            .lines
            .iter()
            .all(|l| l.values.iter().all(Option::is_none));
        if nothing {
            svg.empty_note(
                &self.text,
                (frame.left + frame.right) / 2.0,
                frame.top + PLOT_HEIGHT / 2.0,
            );
        }
        svg.finish()
    }
}

/// The shades of a heat map, lightest (zero) first, and whether a cell's number is written in
/// white on it.
const SHADES: [(&str, bool); 6] = [
    ("#ffffff", false),
    ("#e3edf1", false),
    ("#a9c4cf", false),
    ("#4a7486", true),
    ("#2e4c5a", true),
    ("#132a33", true),
];

impl Chart for HeatMap {
    fn svg(&self) -> String {
        let widest = self
            .rows
            .iter()
            .map(|l| text_width(l, SMALL))
            .fold(0.0, f64::max);
        let left = (widest + 14.0).clamp(40.0, 200.0);
        let right = WIDTH - RIGHT;
        let top = 40.0;
        let cell_h = 24.0;
        let cols = self.columns.len().max(1);
        let cell_w = (right - left) / cols as f64;
        let plot = cell_h * self.rows.len() as f64;
        let height = top + plot + 30.0;
        let mut svg = Svg::new(&self.text, height);
        let value = |r: usize, c: usize| {
            clean(
                self.values
                    .get(r)
                    .and_then(|row| row.get(c))
                    .copied()
                    .unwrap_or(0.0),
            )
        };
        let max = (0..self.rows.len())
            .flat_map(|r| (0..self.columns.len()).map(move |c| (r, c)))
            .map(|(r, c)| value(r, c))
            .fold(0.0, f64::max);
        let shade = |v: f64| {
            if v <= 0.0 || max <= 0.0 {
                0
            } else {
                (((v / max) * 5.0).ceil() as usize).clamp(1, 5)
            }
        };
        // The legend: from "fewer" to "more", each shade once.
        let mut x = left;
        svg.text(x, 22.0, "start", SMALL, MUTED, &self.legend.0);
        x += text_width(&self.legend.0, SMALL) + 8.0;
        for (colour, _) in SHADES {
            svg.rect(x, 12.0, 18.0, 12.0, colour, None);
            x += 20.0;
        }
        svg.text(x + 4.0, 22.0, "start", SMALL, MUTED, &self.legend.1);
        let size = if cell_w < 24.0 { 9.0 } else { 10.0 };
        for (r, row_label) in self.rows.iter().enumerate() {
            let y = top + cell_h * r as f64;
            svg.text(
                left - 6.0,
                y + cell_h / 2.0 + 4.0,
                "end",
                SMALL,
                TEXT,
                row_label,
            );
            for c in 0..self.columns.len() {
                let v = value(r, c);
                let (colour, white) = SHADES[shade(v)];
                let x = left + cell_w * c as f64;
                let tip = format!(
                    "{} · {}: {}",
                    row_label,
                    self.columns[c],
                    self.numbers.format(v)
                );
                svg.rect(x, y, cell_w, cell_h, colour, Some(&tip));
                let ink = if white { "#ffffff" } else { TEXT };
                svg.text(
                    x + cell_w / 2.0,
                    y + cell_h / 2.0 + 3.5,
                    "middle",
                    size,
                    ink,
                    &self.numbers.format(v),
                );
            }
        }
        let every = label_every(&self.columns, cell_w, self.tick_every);
        for (c, label) in self.columns.iter().enumerate() {
            if c % every == 0 {
                svg.text(
                    left + cell_w * (c as f64 + 0.5),
                    top + plot + 16.0,
                    "middle",
                    SMALL,
                    TEXT,
                    label,
                );
            }
        }
        if max <= 0.0 {
            svg.empty_note(&self.text, (left + right) / 2.0, top + plot + 28.0);
        }
        svg.finish()
    }
}

impl Chart for BarsAndLine {
    fn svg(&self) -> String {
        let top = 54.0;
        let height = top + PLOT_HEIGHT + 30.0;
        let mut svg = Svg::new(&self.text, height);
        let count = self.categories.len();
        let markers = count <= 60;
        // The bars take the light fill, so that the line reads over them.
        const BAR_FILL: usize = 2;
        svg.legend(
            &[
                (LegendKey::Fill(BAR_FILL), self.bars.name.clone()),
                (LegendKey::Line(0, markers), self.line.name.clone()),
            ],
            LEFT + 60.0,
            18.0,
        );
        let frame = Frame {
            top,
            bottom: top + PLOT_HEIGHT,
            left: LEFT,
            right: WIDTH - RIGHT,
        };
        let bar_value = |c: usize| clean(self.bars.values.get(c).copied().unwrap_or(0.0));
        let max = (0..count)
            .map(bar_value)
            .chain(self.line.values.iter().flatten().copied())
            .fold(0.0, f64::max);
        let scale = ValueScale::new(max, self.axis.max, self.axis.numbers.decimals == 0);
        frame.value_axis(&mut svg, &scale, &self.axis);
        let band = frame.band(count);
        let bar = (band * 0.8).clamp(0.3, MAX_BAR);
        let fill = svg.fill(BAR_FILL);
        for c in 0..count {
            let v = bar_value(c);
            if v > 0.0 {
                let y = frame.y(&scale, v);
                let tip = format!(
                    "{} · {}: {}",
                    self.categories[c],
                    self.bars.name,
                    self.axis.numbers.format(v)
                );
                svg.rect(
                    frame.left + band * c as f64 + (band - bar) / 2.0,
                    y,
                    bar,
                    frame.bottom - y,
                    &fill,
                    Some(&tip),
                );
            }
        }
        let points: Vec<_> = (0..count)
            .map(|c| {
                self.line
                    .values
                    .get(c)
                    .copied()
                    .flatten()
                    .map(|v| (frame.left + band * (c as f64 + 0.5), frame.y(&scale, v)))
            })
            .collect();
        let tips: Vec<String> = (0..count)
            .map(|c| match self.line.values.get(c).copied().flatten() {
                Some(v) => format!(
                    "{} · {}: {}",
                    self.categories[c],
                    self.line.name,
                    self.axis.numbers.format(v)
                ),
                None => String::new(),
            })
            .collect();
        svg.polyline(&points, 0, markers, &tips);
        frame.categories(&mut svg, &self.categories, self.tick_every);
        if max <= 0.0 {
            svg.empty_note(
                &self.text,
                (frame.left + frame.right) / 2.0,
                frame.top + PLOT_HEIGHT / 2.0,
            );
        }
        svg.finish()
    }
}

#[cfg(test)]
#[path = "../tests/support/xml.rs"]
mod xml;

#[cfg(test)]
mod tests {
    use super::xml::{Element, parse};
    use super::*;

    fn text(id: &str) -> ChartText {
        ChartText {
            id: id.into(),
            title: "Conversations par semaine".into(),
            desc: "Nombre de conversations commencées chaque semaine.".into(),
            lang: "fr".into(),
            empty: "Aucune donnée sur la période".into(),
        }
    }

    fn weeks(n: usize) -> Vec<String> {
        (1..=n).map(|w| format!("S{w:02}")).collect()
    }

    /// The rules every chart keeps, whatever it draws.
    fn check(svg: &str) -> Element {
        let root = parse(svg).unwrap_or_else(|e| panic!("not well-formed XML: {e}\n{svg}"));
        assert_eq!(root.name, "svg");
        assert_eq!(root.attr("xmlns"), Some("http://www.w3.org/2000/svg"));
        assert_eq!(root.attr("role"), Some("img"));
        assert!(
            root.attr("viewBox")
                .is_some_and(|v| v.starts_with("0 0 720 "))
        );
        let first: Vec<_> = root.elements().take(2).map(|e| e.name.as_str()).collect();
        assert_eq!(first, ["title", "desc"], "title and desc come first");
        let labelled = root.attr("aria-labelledby").unwrap();
        for id in labelled.split(' ') {
            assert!(
                root.descendants().iter().any(|e| e.attr("id") == Some(id)),
                "labelled by a missing {id}"
            );
        }
        for e in root.descendants() {
            assert!(
                e.attr("style").is_none(),
                "a style attribute on <{}>",
                e.name
            );
            assert!(
                !["style", "script", "foreignObject"].contains(&e.name.as_str()),
                "a <{}> element",
                e.name
            );
            assert!(
                e.attrs.iter().all(|(name, _)| !name.starts_with("on")),
                "an event handler on <{}>",
                e.name
            );
            // Every reference to a pattern names one defined in this chart.
            if let Some(url) = e.attr("fill").and_then(|f| f.strip_prefix("url(#")) {
                let id = url.trim_end_matches(')');
                assert!(
                    root.descendants()
                        .iter()
                        .any(|p| p.name == "pattern" && p.attr("id") == Some(id)),
                    "{id}"
                );
            }
        }
        let mut ids: Vec<_> = root
            .descendants()
            .iter()
            .filter_map(|e| e.attr("id"))
            .collect();
        let count = ids.len();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), count, "ids are unique");
        root
    }

    fn texts(root: &Element) -> Vec<String> {
        root.descendants()
            .into_iter()
            .filter(|e| e.name == "text")
            .map(|e| e.text())
            .collect()
    }

    fn bars(root: &Element) -> usize {
        root.descendants()
            .iter()
            .filter(|e| e.name == "rect" && e.elements().any(|t| t.name == "title"))
            .count()
    }

    #[test]
    fn a_bar_chart_is_a_standalone_svg_with_its_title_and_description() {
        let chart = BarChart {
            text: text("per-week"),
            categories: weeks(8),
            series: vec![Series {
                name: "conversations".into(),
                values: vec![3.0, 0.0, 5.0, 8.0, 13.0, 2.0, 1.0, 7.0],
            }],
            axis: Axis {
                label: "conversations".into(),
                ..Axis::default()
            },
            ..BarChart::default()
        };
        let root = check(&chart.svg());
        let title = root.elements().next().unwrap();
        assert_eq!(title.text(), "Conversations par semaine");
        assert_eq!(title.attr("id"), Some("per-week-title"));
        assert_eq!(root.attr("xml:lang"), Some("fr"));
        // Seven bars (the zero draws none), every value written above its bar.
        assert_eq!(bars(&root), 7);
        let written = texts(&root);
        for v in ["3", "13", "7"] {
            assert!(written.iter().any(|t| t == v), "{v} in {written:?}");
        }
        assert!(!written.iter().any(|t| t == "Aucune donnée sur la période"));
    }

    #[test]
    fn text_is_escaped_and_characters_xml_forbids_are_dropped() {
        let nasty = "<script>alert('x')</script> & \"co\"\u{1}";
        let chart = BarChart {
            text: ChartText {
                title: nasty.into(),
                desc: nasty.into(),
                ..text("x\"><script>")
            },
            categories: vec![nasty.into()],
            series: vec![Series {
                name: nasty.into(),
                values: vec![1.0],
            }],
            direction: Direction::Rows,
            ..BarChart::default()
        };
        let svg = chart.svg();
        assert!(!svg.contains("<script"), "{svg}");
        let root = check(&svg);
        assert_eq!(
            root.elements().next().unwrap().text(),
            "<script>alert('x')</script> & \"co\""
        );
        assert!(texts(&root).iter().any(|t| t.starts_with("<script>")));
        // The id is reduced to letters, digits and dashes.
        assert_eq!(
            root.elements().next().unwrap().attr("id"),
            Some("x---script--title")
        );
    }

    #[test]
    fn a_chart_with_no_data_says_so_and_stays_valid() {
        let empty = text("empty");
        let svgs = [
            BarChart {
                text: empty.clone(),
                categories: weeks(8),
                series: vec![Series {
                    name: "a".into(),
                    values: vec![0.0; 8],
                }],
                ..BarChart::default()
            }
            .svg(),
            BarChart {
                text: empty.clone(),
                direction: Direction::Rows,
                ..BarChart::default()
            }
            .svg(),
            LineChart {
                text: empty.clone(),
                categories: weeks(3),
                lines: vec![Line {
                    name: "médiane".into(),
                    values: vec![None; 3],
                }],
                scale: Scale::Levels {
                    label: "attente".into(),
                    levels: vec!["< 1 min".into(), "1–5 min".into()],
                },
                ..LineChart::default()
            }
            .svg(),
            HeatMap {
                text: empty.clone(),
                rows: vec!["lun.".into()],
                columns: (0..24).map(|h| format!("{h}")).collect(),
                ..HeatMap::default()
            }
            .svg(),
            BarsAndLine {
                text: empty.clone(),
                ..BarsAndLine::default()
            }
            .svg(),
        ];
        for svg in svgs {
            let root = check(&svg);
            assert!(
                texts(&root)
                    .iter()
                    .any(|t| t == "Aucune donnée sur la période"),
                "{svg}"
            );
            assert!(!svg.contains("NaN") && !svg.contains("inf"), "{svg}");
        }
    }

    #[test]
    fn a_single_point_is_drawn_as_a_marker() {
        let chart = LineChart {
            text: text("one"),
            categories: weeks(1),
            lines: vec![Line {
                name: "médiane".into(),
                values: vec![Some(2.0)],
            }],
            scale: Scale::Levels {
                label: "attente".into(),
                levels: ["< 1", "1–5", "5–15"].map(String::from).to_vec(),
            },
            ..LineChart::default()
        };
        let root = check(&chart.svg());
        let circles: Vec<_> = root
            .descendants()
            .into_iter()
            .filter(|e| e.name == "circle")
            .collect();
        assert_eq!(circles.len(), 1);
        assert_eq!(circles[0].text(), "S01 · médiane: 5–15");
        // A lone point between gaps gets its marker even where markers are off (many points).
        let mut values = vec![None; 100];
        values[50] = Some(1.0);
        let many = LineChart {
            text: text("many"),
            categories: weeks(100),
            lines: vec![Line {
                name: "x".into(),
                values,
            }],
            ..LineChart::default()
        };
        let root = check(&many.svg());
        assert_eq!(
            root.descendants()
                .iter()
                .filter(|e| e.name == "circle")
                .count(),
            1
        );
    }

    #[test]
    fn series_differ_by_pattern_and_lines_by_dash_not_by_colour_alone() {
        let chart = BarChart {
            text: text("stack"),
            categories: weeks(4),
            series: (0..5)
                .map(|i| Series {
                    name: format!("b{i}"),
                    values: vec![1.4, 2.0, 0.0, 2.6],
                })
                .collect(),
            stacking: Stacking::Stacked,
            ..BarChart::default()
        };
        let root = check(&chart.svg());
        let patterns = root
            .descendants()
            .iter()
            .filter(|e| e.name == "pattern")
            .count();
        assert_eq!(
            patterns, 3,
            "hatched, dotted, crossed; solid dark and solid light need none"
        );
        // The legend names every series.
        let written = texts(&root);
        for i in 0..5 {
            assert!(written.contains(&format!("b{i}")));
        }
        // Stacked: the totals are written (the ticks are 0, 5, 10, 15).
        assert!(written.contains(&"7".to_string()), "{written:?}");
        assert!(written.contains(&"13".to_string()), "{written:?}");

        let lines = LineChart {
            text: text("lines"),
            categories: weeks(3),
            lines: vec![
                Line {
                    name: "médiane".into(),
                    values: vec![Some(0.0), Some(1.0), Some(1.0)],
                },
                Line {
                    name: "9e décile".into(),
                    values: vec![Some(1.0), Some(2.0), Some(3.0)],
                },
            ],
            ..LineChart::default()
        };
        let root = check(&lines.svg());
        let paths: Vec<_> = root
            .descendants()
            .into_iter()
            .filter(|e| e.name == "path" && e.attr("fill") == Some("none"))
            .collect();
        assert!(paths.iter().any(|p| p.attr("stroke-dasharray").is_none()));
        assert!(paths.iter().any(|p| p.attr("stroke-dasharray").is_some()));
    }

    #[test]
    fn a_heat_map_writes_every_count_in_its_cell() {
        let values: Vec<Vec<f64>> = (0..7)
            .map(|d| (0..24).map(|h| f64::from(d * h)).collect())
            .collect();
        let chart = HeatMap {
            text: text("heat"),
            rows: ["lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim."]
                .map(String::from)
                .to_vec(),
            columns: (0..24).map(|h| format!("{h} h")).collect(),
            values,
            legend: ("moins".into(), "plus".into()),
            ..HeatMap::default()
        };
        let root = check(&chart.svg());
        assert_eq!(bars(&root), 7 * 24);
        let written = texts(&root);
        assert!(written.contains(&"138".to_string()), "6 × 23");
        // The darkest cells write their number in white.
        assert!(
            root.descendants()
                .iter()
                .any(|e| e.name == "text" && e.attr("fill") == Some("#ffffff"))
        );
    }

    #[test]
    fn bars_and_a_line_share_one_scale_over_a_week_of_hours() {
        // The staffing chart's shape: 168 hours, officers needed (bars) and present (line).
        let needed: Vec<f64> = (0..168).map(|h| f64::from(2 + (h % 24) / 6)).collect();
        let present: Vec<Option<f64>> = (0..168)
            .map(|h| (h < 100).then_some(f64::from(3 + h % 2)))
            .collect();
        let chart = BarsAndLine {
            text: text("staffing"),
            categories: (0..168)
                .map(|h| {
                    format!(
                        "{} {:02} h",
                        ["lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim."][h / 24],
                        h % 24
                    )
                })
                .collect(),
            bars: Series {
                name: "agents nécessaires".into(),
                values: needed,
            },
            line: Line {
                name: "agents présents".into(),
                values: present,
            },
            axis: Axis {
                label: "agents".into(),
                ..Axis::default()
            },
            tick_every: 24,
        };
        let svg = chart.svg();
        let root = check(&svg);
        assert_eq!(bars(&root), 168);
        let written = texts(&root);
        assert!(written.contains(&"lun. 00 h".to_string()));
        assert!(written.contains(&"dim. 00 h".to_string()));
        assert!(
            !written.contains(&"lun. 01 h".to_string()),
            "one label a day"
        );
        // The scale reaches the highest of either.
        assert!(
            written.contains(&"5".to_string()) || written.contains(&"6".to_string()),
            "{written:?}"
        );
        // No marker on 168 points, one path for the line.
        assert_eq!(
            root.descendants()
                .iter()
                .filter(|e| e.name == "path" && e.attr("fill") == Some("none"))
                .count(),
            2,
            "the line and its legend key"
        );
    }

    #[test]
    fn a_label_too_long_for_the_margin_is_cut_but_kept_whole_in_the_tip() {
        let long =
            "Brigade territoriale autonome de gendarmerie de Villefranche-sur-Saône et environs";
        let chart = BarChart {
            text: text("units"),
            categories: vec![long.into(), "Lyon".into()],
            series: vec![Series {
                name: "signalements".into(),
                values: vec![3.0, 4.0],
            }],
            direction: Direction::Rows,
            ..BarChart::default()
        };
        let root = check(&chart.svg());
        let written = texts(&root);
        let cut = written.iter().find(|t| t.starts_with("Brigade")).unwrap();
        assert!(cut.ends_with('…') && cut.len() < long.len(), "{cut}");
        assert!(written.contains(&"Lyon".to_string()));
        let tips: Vec<String> = root
            .descendants()
            .iter()
            .filter(|e| e.name == "title")
            .map(|e| e.text())
            .collect();
        assert!(tips.iter().any(|t| t.starts_with(long)), "{tips:?}");
    }

    #[test]
    fn the_scale_ends_on_a_round_number_above_the_largest_value() {
        let s = ValueScale::new(13.0, None, true);
        assert_eq!((s.top, s.step), (15.0, 5.0));
        let s = ValueScale::new(0.0, None, true);
        assert_eq!(s.top, 1.0);
        let s = ValueScale::new(3.0, None, true);
        assert_eq!(s.ticks(), [0.0, 1.0, 2.0, 3.0]);
        let s = ValueScale::new(37.0, Some(100.0), false);
        assert_eq!(s.top, 100.0);
        assert_eq!(s.ticks().len(), 6);
        let s = ValueScale::new(1234.0, None, true);
        assert_eq!((s.top, s.step), (1250.0, 250.0));
        assert_eq!(
            Numbers {
                decimals: 1,
                decimal_mark: ','
            }
            .format(12.26),
            "12,3"
        );
        let percent = Numbers {
            decimals: 1,
            decimal_mark: ',',
        };
        assert_eq!(percent.tick(20.0), "20", "a whole tick has no decimals");
        assert_eq!(percent.tick(2.5), "2,5");
    }
}
