//! Each chart of the statistics page with its table, built from a period's figures: the chart
//! as SVG, the table as the page shows it (labels in the reader's language) and as its CSV file
//! gives it (stable machine names: `2026-W03`, `rape`, `police`, `lt1m`).
//!
//! One [`Table`] gives both the HTML table and the CSV, so the file always holds what the page
//! shows.

use crate::charts::{
    Axis, BarChart, BarsAndLine, Chart, ChartText, Direction, HeatMap, Line, LineChart, Numbers,
    Scale, Series, Stacking,
};
use crate::i18n::Tr;
use ecoute_domain::{
    ContactBucket, Ending, Fact, Force, IsoWeek, Outcome, PeriodFigures, UnitContacts, UnitId,
    WaitBucket, WeekFigures, share,
};
use std::collections::HashMap;
use time::Date;
use time::macros::format_description;

/// The charts of the page, in page order; each names its SVG and its CSV file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    ChatsPerDay,
    ChatsPerWeek,
    HourOfWeek,
    Waits,
    WaitBuckets,
    LeftBeforeAnswer,
    Outcomes,
    Facts,
    MinorsWitnesses,
    ForwardedByForce,
    ForwardedByDepartement,
    FirstContact,
}

impl Key {
    /// Every chart, in page order.
    pub const ALL: [Key; 12] = [
        Key::ChatsPerDay,
        Key::ChatsPerWeek,
        Key::HourOfWeek,
        Key::Waits,
        Key::WaitBuckets,
        Key::LeftBeforeAnswer,
        Key::Outcomes,
        Key::Facts,
        Key::MinorsWitnesses,
        Key::ForwardedByForce,
        Key::ForwardedByDepartement,
        Key::FirstContact,
    ];

    /// Its stable name: the files are `NAME.svg` and `NAME.csv`.
    pub fn as_str(self) -> &'static str {
        match self {
            Key::ChatsPerDay => "chats-per-day",
            Key::ChatsPerWeek => "chats-per-week",
            Key::HourOfWeek => "hour-of-week",
            Key::Waits => "waits",
            Key::WaitBuckets => "wait-buckets",
            Key::LeftBeforeAnswer => "left-before-answer",
            Key::Outcomes => "outcomes",
            Key::Facts => "facts",
            Key::MinorsWitnesses => "minors-witnesses",
            Key::ForwardedByForce => "forwarded-by-force",
            Key::ForwardedByDepartement => "forwarded-by-departement",
            Key::FirstContact => "first-contact",
        }
    }

    /// The chart of a stable name.
    pub fn parse(s: &str) -> Option<Key> {
        Key::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A column: its machine name (the CSV header) and its label (the page's).
pub struct Column {
    pub key: String,
    pub label: String,
}

/// A cell: its machine value (the CSV's) and what the page shows.
pub struct Cell {
    pub value: String,
    pub shown: String,
}

/// A row: its key and label (the row header), and its cells.
pub struct Row {
    pub key: String,
    pub label: String,
    pub cells: Vec<Cell>,
}

/// A chart's data, for the page and the CSV file.
pub struct Table {
    /// The first column heads the rows.
    pub columns: Vec<Column>,
    pub rows: Vec<Row>,
}

impl Table {
    /// The CSV records: the header, then a record per row.
    pub fn csv(&self) -> String {
        let header = self
            .columns
            .iter()
            .map(|c| c.key.clone())
            .collect::<Vec<_>>();
        let rows = self.rows.iter().map(|r| {
            std::iter::once(r.key.clone())
                .chain(r.cells.iter().map(|c| c.value.clone()))
                .collect::<Vec<_>>()
        });
        let records: Vec<Vec<String>> = std::iter::once(header).chain(rows).collect();
        crate::csv::write(&records)
    }
}

/// One chart and its table, as the page shows them.
pub struct View {
    pub key: &'static str,
    pub heading: String,
    /// What it shows and how to read it.
    pub about: String,
    pub svg: String,
    pub table: Table,
    /// Said in the table's place when it has no row.
    pub empty: String,
}

/// The words and number style of the reader's language, and the units' names.
pub struct Words {
    pub t: Tr,
    /// `,` or `.`.
    pub mark: char,
    /// The names of the units in the directory, by id.
    pub units: HashMap<UnitId, String>,
}

impl Words {
    pub fn new(t: Tr, units: HashMap<UnitId, String>) -> Self {
        let mark = t.s("stats-decimal-mark").chars().next().unwrap_or('.');
        Self { t, mark, units }
    }

    fn s(&self, id: &str) -> String {
        self.t.s(id)
    }

    /// A share as a percentage with one decimal ("12,5 %"); a dash when there is none.
    pub fn percent(&self, share: Option<f64>) -> String {
        match share {
            Some(s) => self.t.a("stats-percent", "value", &self.decimal(s * 100.0)),
            None => "—".into(),
        }
    }

    fn decimal(&self, v: f64) -> String {
        Numbers {
            decimals: 1,
            decimal_mark: self.mark,
        }
        .format(v)
    }

    fn text(&self, key: Key, lang: &str) -> ChartText {
        let id = key.as_str();
        ChartText {
            id: id.to_string(),
            title: self.s(&format!("stats-{id}-title")),
            desc: self.s(&format!("stats-{id}-desc")),
            lang: lang.to_string(),
            empty: self.s("stats-no-data"),
        }
    }

    fn wait(&self, b: WaitBucket) -> String {
        self.s(&format!("stats-wait-{}", b.as_str()))
    }

    fn ending(&self, e: Ending) -> String {
        self.s(match e {
            Ending::Closed(Outcome::InformationGiven) => "outcome-information-given",
            Ending::Closed(Outcome::ReferredToSupport) => "outcome-referred",
            Ending::Closed(Outcome::ReportForwarded) => "outcome-forwarded",
            Ending::Closed(Outcome::InterventionRequested) => "outcome-intervention",
            Ending::Closed(Outcome::VisitorLeft) => "outcome-visitor-left",
            Ending::Closed(Outcome::Blocked) => "outcome-blocked",
            Ending::PurgedUnclosed => "stats-ending-purged",
        })
    }

    fn fact(&self, f: Fact) -> String {
        self.s(&format!("fact-{}", f.as_str().replace('_', "-")))
    }

    fn force(&self, f: Option<Force>) -> String {
        match f {
            Some(Force::Police) => self.s("force-police"),
            Some(Force::Gendarmerie) => self.s("force-gendarmerie"),
            None => self.s("stats-unknown"),
        }
    }

    fn week_row(&self, w: IsoWeek) -> String {
        self.t.args(
            "stats-week-row",
            &[("week", w.to_string()), ("monday", date(w.monday()))],
        )
    }

    fn column(&self, key: &str, label_id: &str) -> Column {
        Column {
            key: key.to_string(),
            label: self.s(label_id),
        }
    }

    /// The columns `(CSV name, label's message id)`, in order.
    fn columns(&self, columns: &[(&str, &str)]) -> Vec<Column> {
        columns
            .iter()
            .map(|(key, id)| self.column(key, id))
            .collect()
    }
}

/// A date as the staff pages write it.
pub fn date(d: Date) -> String {
    d.format(format_description!("[day]/[month]/[year]"))
        .unwrap_or_default()
}

fn count(n: u64) -> Cell {
    Cell {
        value: n.to_string(),
        shown: n.to_string(),
    }
}

fn share_cell(w: &Words, part: u64, whole: u64) -> Cell {
    let s = share(part, whole);
    Cell {
        value: s.map(|s| format!("{s:.4}")).unwrap_or_default(),
        shown: w.percent(s),
    }
}

fn bucket_cell(w: &Words, b: Option<WaitBucket>) -> Cell {
    Cell {
        value: b.map(|b| b.as_str().to_string()).unwrap_or_default(),
        shown: b.map(|b| w.wait(b)).unwrap_or_else(|| "—".into()),
    }
}

/// The weeks as a chart's categories: `W03`, or `2026-W03` when the period spans two years.
fn week_labels(weeks: &[WeekFigures]) -> Vec<String> {
    let one_year = weeks
        .first()
        .zip(weeks.last())
        .is_some_and(|(a, b)| a.week.year() == b.week.year());
    weeks
        .iter()
        .map(|w| {
            if one_year {
                format!("W{:02}", w.week.week())
            } else {
                w.week.to_string()
            }
        })
        .collect()
}

/// A row per week of the period, its cells from `cells`.
fn week_rows(f: &PeriodFigures, w: &Words, cells: impl Fn(&WeekFigures) -> Vec<Cell>) -> Vec<Row> {
    f.weeks
        .iter()
        .map(|wk| Row {
            key: wk.week.to_string(),
            label: w.week_row(wk.week),
            cells: cells(wk),
        })
        .collect()
}

fn counts_axis(w: &Words) -> Axis {
    Axis {
        label: w.s("stats-axis-chats"),
        ..Axis::default()
    }
}

/// The view of `key`.
pub fn view(key: Key, f: &PeriodFigures, w: &Words) -> View {
    let lang = w.t.lang();
    let text = w.text(key, lang);
    let id = key.as_str();
    let (svg, table) = match key {
        Key::ChatsPerDay => chats_per_day(f, w, text),
        Key::ChatsPerWeek => chats_per_week(f, w, text),
        Key::HourOfWeek => hour_of_week(f, w, text),
        Key::Waits => waits(f, w, text),
        Key::WaitBuckets => wait_buckets(f, w, text),
        Key::LeftBeforeAnswer => left_before_answer(f, w, text),
        Key::Outcomes => outcomes(f, w, text),
        Key::Facts => facts(f, w, text),
        Key::MinorsWitnesses => minors_witnesses(f, w, text),
        Key::ForwardedByForce => forwarded_by_force(f, w, text),
        Key::ForwardedByDepartement => forwarded_by_departement(f, w, text),
        Key::FirstContact => first_contact(f, w, text),
    };
    let about = match key {
        Key::Facts => w.t.n("stats-facts-about", "qualified", f.qualified as i64),
        _ => w.s(&format!("stats-{id}-desc")),
    };
    View {
        key: key.as_str(),
        heading: w.s(&format!("stats-{id}-title")),
        about,
        svg,
        table,
        empty: w.s(match key {
            Key::ForwardedByDepartement | Key::FirstContact => "stats-no-forwarded",
            _ => "stats-no-data",
        }),
    }
}

const WEEKDAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

fn chats_per_day(f: &PeriodFigures, w: &Words, text: ChartText) -> (String, Table) {
    let chart = BarChart {
        text,
        categories: f
            .days
            .iter()
            .map(|(d, _)| format!("{:02}/{:02}", d.day(), u8::from(d.month())))
            .collect(),
        series: vec![Series {
            name: w.s("stats-axis-chats"),
            values: f.days.iter().map(|(_, n)| *n as f64).collect(),
        }],
        axis: counts_axis(w),
        // A label each Monday (or every few Mondays when they would overlap).
        tick_every: 7,
        ..BarChart::default()
    };
    // A row per week, a column per day: every day of the period, zeros included.
    let mut columns = vec![w.column("week", "stats-col-week")];
    columns.extend(
        WEEKDAYS
            .iter()
            .enumerate()
            .map(|(i, d)| w.column(d, &format!("stats-day-{}", i + 1))),
    );
    let rows = f
        .days
        .chunks(7)
        .map(|days| {
            let week = IsoWeek::of_date(days[0].0);
            Row {
                key: week.to_string(),
                label: w.week_row(week),
                cells: days.iter().map(|(_, n)| count(*n)).collect(),
            }
        })
        .collect();
    (chart.svg(), Table { columns, rows })
}

fn chats_per_week(f: &PeriodFigures, w: &Words, text: ChartText) -> (String, Table) {
    let chart = BarChart {
        text,
        categories: week_labels(&f.weeks),
        series: vec![Series {
            name: w.s("stats-axis-chats"),
            values: f.weeks.iter().map(|wk| wk.chats as f64).collect(),
        }],
        axis: counts_axis(w),
        ..BarChart::default()
    };
    let columns = w.columns(&[("week", "stats-col-week"), ("chats", "stats-col-chats")]);
    let rows = week_rows(f, w, |wk| vec![count(wk.chats)]);
    (chart.svg(), Table { columns, rows })
}

fn hour_of_week(f: &PeriodFigures, w: &Words, text: ChartText) -> (String, Table) {
    let hours: Vec<String> = (0..24).map(|h| format!("{h:02}")).collect();
    let chart = HeatMap {
        text,
        rows: (1..=7)
            .map(|d| w.s(&format!("stats-day-short-{d}")))
            .collect(),
        columns: hours.clone(),
        values: f
            .heat
            .iter()
            .map(|day| day.iter().map(|n| *n as f64).collect())
            .collect(),
        legend: (w.s("stats-legend-fewer"), w.s("stats-legend-more")),
        ..HeatMap::default()
    };
    let mut columns = vec![w.column("day", "stats-col-day")];
    columns.extend(hours.iter().map(|h| Column {
        key: format!("h{h}"),
        label: h.clone(),
    }));
    let rows = f
        .heat
        .iter()
        .enumerate()
        .map(|(d, day)| Row {
            key: WEEKDAYS[d].to_string(),
            label: w.s(&format!("stats-day-{}", d + 1)),
            cells: day.iter().map(|n| count(*n)).collect(),
        })
        .collect();
    (chart.svg(), Table { columns, rows })
}

fn level(b: Option<WaitBucket>) -> Option<f64> {
    b.and_then(|b| WaitBucket::ALL.iter().position(|x| *x == b))
        .map(|i| i as f64)
}

fn waits(f: &PeriodFigures, w: &Words, text: ChartText) -> (String, Table) {
    let chart = LineChart {
        text,
        categories: week_labels(&f.weeks),
        lines: vec![
            Line {
                name: w.s("stats-col-median"),
                values: f.weeks.iter().map(|wk| level(wk.waits.median())).collect(),
            },
            Line {
                name: w.s("stats-col-p90"),
                values: f.weeks.iter().map(|wk| level(wk.waits.p90())).collect(),
            },
        ],
        scale: Scale::Levels {
            label: w.s("stats-axis-wait"),
            levels: WaitBucket::ALL.iter().map(|b| w.wait(*b)).collect(),
        },
        tick_every: 0,
    };
    let columns = w.columns(&[
        ("week", "stats-col-week"),
        ("answered", "stats-col-answered"),
        ("median", "stats-col-median"),
        ("p90", "stats-col-p90"),
    ]);
    let rows = week_rows(f, w, |wk| {
        vec![
            count(wk.waits.total()),
            bucket_cell(w, wk.waits.median()),
            bucket_cell(w, wk.waits.p90()),
        ]
    });
    (chart.svg(), Table { columns, rows })
}

fn wait_buckets(f: &PeriodFigures, w: &Words, text: ChartText) -> (String, Table) {
    let chart = BarChart {
        text,
        categories: week_labels(&f.weeks),
        series: WaitBucket::ALL
            .iter()
            .enumerate()
            .map(|(i, b)| Series {
                name: w.wait(*b),
                values: f.weeks.iter().map(|wk| wk.waits.counts[i] as f64).collect(),
            })
            .collect(),
        stacking: Stacking::Stacked,
        axis: counts_axis(w),
        ..BarChart::default()
    };
    let mut columns = vec![w.column("week", "stats-col-week")];
    columns.extend(WaitBucket::ALL.iter().map(|b| Column {
        key: b.as_str().to_string(),
        label: w.wait(*b),
    }));
    let rows = week_rows(f, w, |wk| {
        wk.waits.counts.iter().map(|n| count(*n)).collect()
    });
    (chart.svg(), Table { columns, rows })
}

fn left_before_answer(f: &PeriodFigures, w: &Words, text: ChartText) -> (String, Table) {
    let chart = BarsAndLine {
        text,
        categories: week_labels(&f.weeks),
        bars: Series {
            name: w.s("stats-col-chats"),
            values: f.weeks.iter().map(|wk| wk.chats as f64).collect(),
        },
        line: Line {
            name: w.s("stats-col-left"),
            values: f
                .weeks
                .iter()
                .map(|wk| Some(wk.left_before_answer as f64))
                .collect(),
        },
        axis: counts_axis(w),
        tick_every: 0,
    };
    let columns = w.columns(&[
        ("week", "stats-col-week"),
        ("chats", "stats-col-chats"),
        ("left_before_answer", "stats-col-left"),
        ("share_left", "stats-col-share-left"),
        ("quick_exits", "stats-col-quick-exits"),
    ]);
    let rows = week_rows(f, w, |wk| {
        vec![
            count(wk.chats),
            count(wk.left_before_answer),
            share_cell(w, wk.left_before_answer, wk.chats),
            count(wk.quick_exits),
        ]
    });
    (chart.svg(), Table { columns, rows })
}

/// A chart of bars lying in rows, one series, and its table with a share column of `whole`:
/// `columns` are the key, count and share columns, each (CSV name, label's message id); each
/// item is (key, label, count).
fn rows_chart(
    w: &Words,
    text: ChartText,
    columns: [(&str, &str); 3],
    items: Vec<(String, String, u64)>,
    whole: u64,
) -> (String, Table) {
    let [key_column, value_column, share_column] = columns.map(|(key, id)| w.column(key, id));
    let chart = BarChart {
        text,
        categories: items.iter().map(|(_, label, _)| label.clone()).collect(),
        series: vec![Series {
            name: value_column.label.clone(),
            values: items.iter().map(|(_, _, n)| *n as f64).collect(),
        }],
        direction: Direction::Rows,
        axis: Axis {
            label: value_column.label.clone(),
            ..Axis::default()
        },
        ..BarChart::default()
    };
    let rows = items
        .into_iter()
        .map(|(key, label, n)| Row {
            key,
            label,
            cells: vec![count(n), share_cell(w, n, whole)],
        })
        .collect();
    (
        chart.svg(),
        Table {
            columns: vec![key_column, value_column, share_column],
            rows,
        },
    )
}

fn outcomes(f: &PeriodFigures, w: &Words, text: ChartText) -> (String, Table) {
    let items = f
        .endings
        .iter()
        .map(|(e, n)| (e.as_str().to_string(), w.ending(*e), *n))
        .collect();
    rows_chart(
        w,
        text,
        [
            ("ending", "stats-col-ending"),
            ("chats", "stats-col-chats"),
            ("share", "stats-col-share"),
        ],
        items,
        f.chats,
    )
}

fn facts(f: &PeriodFigures, w: &Words, text: ChartText) -> (String, Table) {
    let items = f
        .facts
        .iter()
        .map(|(fact, n)| (fact.as_str().to_string(), w.fact(*fact), *n))
        .collect();
    rows_chart(
        w,
        text,
        [
            ("fact", "stats-col-fact"),
            ("chats", "stats-col-chats"),
            ("share_of_qualified", "stats-col-share-qualified"),
        ],
        items,
        f.qualified,
    )
}

fn minors_witnesses(f: &PeriodFigures, w: &Words, text: ChartText) -> (String, Table) {
    let p = &f.people;
    let groups = [
        ("minor", w.s("stats-group-minors"), p.minors),
        ("witness", w.s("stats-group-witnesses"), p.witnesses),
    ];
    let chart = BarChart {
        text,
        categories: groups.iter().map(|(_, label, _)| label.clone()).collect(),
        series: vec![Series {
            name: w.s("stats-col-share"),
            values: groups
                .iter()
                .map(|(_, _, n)| share(*n, p.chats).unwrap_or(0.0) * 100.0)
                .collect(),
        }],
        direction: Direction::Rows,
        axis: Axis {
            label: w.s("stats-axis-percent"),
            numbers: Numbers {
                decimals: 1,
                decimal_mark: w.mark,
            },
            max: Some(100.0),
        },
        ..BarChart::default()
    };
    let rows = std::iter::once(("all", w.s("stats-group-all"), p.chats))
        .chain(groups)
        .map(|(key, label, n)| Row {
            key: key.to_string(),
            label,
            cells: vec![count(n), share_cell(w, n, p.chats)],
        })
        .collect();
    let columns = w.columns(&[
        ("group", "stats-col-group"),
        ("chats", "stats-col-chats"),
        ("share", "stats-col-share"),
    ]);
    (chart.svg(), Table { columns, rows })
}

fn forwarded_by_force(f: &PeriodFigures, w: &Words, text: ChartText) -> (String, Table) {
    let items = f
        .forwarded
        .by_force
        .iter()
        .map(|(force, n)| {
            let key = force.map_or("unknown", |f| f.as_str()).to_string();
            (key, w.force(*force), *n)
        })
        .collect();
    rows_chart(
        w,
        text,
        [
            ("force", "stats-col-force"),
            ("reports", "stats-col-reports"),
            ("share", "stats-col-share"),
        ],
        items,
        f.forwarded.total,
    )
}

fn forwarded_by_departement(f: &PeriodFigures, w: &Words, text: ChartText) -> (String, Table) {
    let items = f
        .forwarded
        .by_departement
        .iter()
        .map(|(d, n)| match d {
            Some(d) => (d.as_str().to_string(), d.as_str().to_string(), *n),
            None => ("unknown".to_string(), w.s("stats-unknown"), *n),
        })
        .collect();
    rows_chart(
        w,
        text,
        [
            ("departement", "stats-col-departement"),
            ("reports", "stats-col-reports"),
            ("share", "stats-col-share"),
        ],
        items,
        f.forwarded.total,
    )
}

fn first_contact(f: &PeriodFigures, w: &Words, text: ChartText) -> (String, Table) {
    let units = &f.forwarded.by_unit;
    let key = |u: &UnitContacts| {
        u.unit
            .as_ref()
            .map_or("unknown", |id| id.as_str())
            .to_string()
    };
    let label = |u: &UnitContacts| match &u.unit {
        Some(id) => w
            .units
            .get(id)
            .cloned()
            .unwrap_or_else(|| id.as_str().to_string()),
        None => w.s("stats-unknown"),
    };
    // The buckets from the quickest, then not yet, then not followed: one column each.
    let mut columns: Vec<(String, String)> = ContactBucket::ALL
        .iter()
        .map(|b| {
            let name = b.as_str();
            (name.to_string(), w.s(&format!("stats-contact-{name}")))
        })
        .collect();
    columns.push(("not_yet".into(), w.s("stats-contact-not-yet")));
    columns.push(("unknown".into(), w.s("stats-contact-unknown")));
    let counts = |u: &UnitContacts| {
        let mut c = u.contacted.to_vec();
        c.extend([u.not_yet, u.unknown]);
        c
    };
    let chart = BarChart {
        text,
        categories: units.iter().map(label).collect(),
        series: columns
            .iter()
            .enumerate()
            .map(|(i, (_, name))| Series {
                name: name.clone(),
                values: units.iter().map(|u| counts(u)[i] as f64).collect(),
            })
            .collect(),
        stacking: Stacking::Stacked,
        direction: Direction::Rows,
        axis: Axis {
            label: w.s("stats-col-reports"),
            ..Axis::default()
        },
        ..BarChart::default()
    };
    let mut head = w.columns(&[("unit", "stats-col-unit"), ("reports", "stats-col-reports")]);
    head.extend(
        columns
            .into_iter()
            .map(|(key, label)| Column { key, label }),
    );
    let rows = units
        .iter()
        .map(|u| Row {
            key: key(u),
            label: label(u),
            cells: std::iter::once(u.reports)
                .chain(counts(u))
                .map(count)
                .collect(),
        })
        .collect();
    (
        chart.svg(),
        Table {
            columns: head,
            rows,
        },
    )
}

/// The few figures at the top of the page: (label, value).
pub fn summary(f: &PeriodFigures, w: &Words) -> Vec<(String, String)> {
    let answered: u64 = f.weeks.iter().map(|wk| wk.answered).sum();
    let left: u64 = f.weeks.iter().map(|wk| wk.left_before_answer).sum();
    let bucket = |b: Option<WaitBucket>| b.map(|b| w.wait(b)).unwrap_or_else(|| "—".into());
    vec![
        (w.s("stats-sum-chats"), f.chats.to_string()),
        (w.s("stats-sum-answered"), answered.to_string()),
        (
            w.s("stats-sum-left"),
            format!("{left} ({})", w.percent(share(left, f.chats))),
        ),
        (w.s("stats-sum-forwarded"), f.forwarded.total.to_string()),
        (w.s("stats-col-median"), bucket(f.waits.median())),
        (w.s("stats-col-p90"), bucket(f.waits.p90())),
        (
            w.s("stats-group-minors"),
            w.percent(share(f.people.minors, f.people.chats)),
        ),
        (
            w.s("stats-group-witnesses"),
            w.percent(share(f.people.witnesses, f.people.chats)),
        ),
    ]
}
