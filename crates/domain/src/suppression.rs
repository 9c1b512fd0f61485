//! Small-cell suppression for the open-data export: no published figure may reveal a count
//! of fewer than a threshold of people (5 by default), either directly or by subtraction.
//!
//! # The rules
//!
//! A table is published with its totals: a list with its total, or a two-way table with its
//! row totals, column totals and grand total. Totals are counts like the others and follow
//! the same rules.
//!
//! 1. **Primary suppression.** Every count from 1 to `threshold − 1` is published as
//!    [`Published::Under`] (`"<5"`). Zero is published: it reveals nobody.
//! 2. **Secondary suppression.** A hidden count must not be recomputable from what is
//!    published. Each row, each column, the row of column totals and the column of row totals
//!    is an equation (its cells add up to its total). While some hidden count is pinned to a
//!    single value, another cell of its row or column is hidden as [`Published::Hidden`]
//!    (`"s"`, for *secret statistique*): inner cells before totals, first one whose other line
//!    also has a lone hidden figure (it closes a rectangle), then non-zero before zero, then
//!    the smallest. A line hiding a single figure is mended first; then whatever the audit
//!    below still pins. A total is hidden only when its line has nothing else left to hide,
//!    for example a row whose single non-zero cell is small: hiding that row's total is then
//!    the only way to keep the cell hidden.
//! 3. **A last resort.** Some tables give a small count away through the bounds `"<5"` itself
//!    states: four cells `"<5"` whose total is `"<5"` must each be 1. When nothing published
//!    is left to hide near a pinned count, one `"<5"` near it is published as `"s"` instead,
//!    which claims no bound.
//!
//! 4. **Zeros given away.** A zero hidden as a complement, that the equations pin anyway (a
//!    line of published zeros adds up to it), protects nothing: it is published as `0` and
//!    another figure is hidden in its place. Publishing what the reader can already work out
//!    changes nothing they know.
//!
//! Several tables that share margins are suppressed as one system ([`Figures`]), so that a
//! figure hidden in one table cannot be read in another. The system also holds the
//! inequalities a reader knows from what the figures count ([`Figures::at_most`]: the people of
//! some figures are all among the people of others): the audit reads them as it reads the
//! equations, and rule 2 hides a figure of one when it pins a count (an inequality hiding a
//! single figure gives nothing away by itself, so the first step of rule 2 is for equations
//! only).
//!
//! # The audit applied
//!
//! A reader knows every published count exactly, that a `"<5"` is between 1 and
//! `threshold − 1`, that an `"s"` is some count of zero or more, and every equation of the
//! table (and, for a [`Figures`] system, every inequality given to it). The audit gives each
//! hidden cell those bounds and tightens them through every relation in turn until nothing
//! changes (interval propagation: each equation bounds each of its cells by the bounds of the
//! others; an inequality bounds them on one side). A hidden cell is disclosed when its bounds
//! meet.
//! Suppression ends only when no hidden cell is disclosed, so after it:
//!
//! - every row and column holding a hidden cell holds at least two (one alone would be its
//!   total minus the published cells; inequalities are not lines of this kind);
//! - no published count is between 1 and `threshold − 1`.
//!
//! Interval propagation is what a reader can do by hand and by spreadsheet. It is not the
//! exact attack (integer programming over the whole table can in rare tables tighten a bound
//! further); the tests check the exact attack by enumeration on every 2 × 2 table they draw.
//!
//! A margin published elsewhere (say, the facts of all chats, which are the column totals of
//! facts by département) must be taken from this table's result, not suppressed again on its
//! own: two different suppressions of the same figures can give each other away.

use std::fmt;

/// The default threshold: counts of 1 to 4 are not published.
pub const DEFAULT_THRESHOLD: u64 = 5;

/// Why a table could not be suppressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SuppressionError {
    /// The threshold must be at least 3.
    #[error("the suppression threshold must be at least 3 (got {0})")]
    Threshold(u64),
    /// Every row of a table must have the same number of columns.
    #[error("row {row} has {found} columns where the first row has {expected}")]
    Ragged {
        /// The first row of another length.
        row: usize,
        /// The length of the first row.
        expected: usize,
        /// The length of the offending row.
        found: usize,
    },
    /// An equation whose parts do not add up to its total.
    #[error("equation {0}: its parts do not add up to its total")]
    Unbalanced(usize),
    /// An inequality the figures do not satisfy.
    #[error("relation {0}: the smaller side adds up to more than the larger")]
    Untrue(usize),
}

/// Counts from 1 to `threshold − 1` are not published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Threshold(u64);

impl Threshold {
    /// Accepts 3 or more. Below, `"<2"` would say the count is 1, and 1 would hide nothing.
    pub fn new(threshold: u64) -> Result<Self, SuppressionError> {
        if threshold < 3 {
            Err(SuppressionError::Threshold(threshold))
        } else {
            Ok(Self(threshold))
        }
    }

    /// The threshold.
    pub fn get(self) -> u64 {
        self.0
    }
}

impl Default for Threshold {
    /// [`DEFAULT_THRESHOLD`].
    fn default() -> Self {
        Self(DEFAULT_THRESHOLD)
    }
}

/// One published figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Published {
    /// The count itself: zero, or at least the threshold.
    Count(u64),
    /// A count from 1 to the threshold minus 1, shown as `"<5"` (the threshold is carried).
    Under(u64),
    /// Hidden so that another figure cannot be recomputed, shown as `"s"`: any count.
    Hidden,
}

impl Published {
    /// The count, when it is published.
    pub fn count(self) -> Option<u64> {
        match self {
            Self::Count(n) => Some(n),
            Self::Under(_) | Self::Hidden => None,
        }
    }

    /// Whether the figure is withheld (`"<5"` or `"s"`).
    pub fn is_suppressed(self) -> bool {
        !matches!(self, Self::Count(_))
    }
}

impl fmt::Display for Published {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Count(n) => write!(f, "{n}"),
            Self::Under(threshold) => write!(f, "<{threshold}"),
            Self::Hidden => f.write_str("s"),
        }
    }
}

/// A list of counts and its total, ready to publish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuppressedList {
    /// The counts, in the order given.
    pub cells: Vec<Published>,
    /// Their total.
    pub total: Published,
}

/// A two-way table of counts with its totals, ready to publish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuppressedTable {
    /// The inner cells, row by row.
    pub cells: Vec<Vec<Published>>,
    /// The total of each row.
    pub row_totals: Vec<Published>,
    /// The total of each column.
    pub column_totals: Vec<Published>,
    /// The total of the table.
    pub grand_total: Published,
}

/// Suppresses a list of counts and its total.
pub fn suppress_list(counts: &[u64], threshold: Threshold) -> SuppressedList {
    let total: u64 = counts.iter().sum();
    let mut values = counts.to_vec();
    values.push(total);
    let n = counts.len();
    let grid = Grid {
        values,
        is_total: (0..=n).map(|i| i == n).collect(),
        lines: vec![Line::sum((0..n).collect(), n)],
    };
    let marks = grid.suppress(threshold.0);
    let published = grid.publish(&marks, threshold.0);
    SuppressedList {
        cells: published[..n].to_vec(),
        total: published[n],
    }
}

/// Suppresses a two-way table of counts (rows of equal length) and its totals.
pub fn suppress_table(
    counts: &[Vec<u64>],
    threshold: Threshold,
) -> Result<SuppressedTable, SuppressionError> {
    let columns = counts.first().map_or(0, Vec::len);
    if let Some((row, r)) = counts.iter().enumerate().find(|(_, r)| r.len() != columns) {
        return Err(SuppressionError::Ragged {
            row,
            expected: columns,
            found: r.len(),
        });
    }
    let grid = Grid::two_way(counts, columns);
    let marks = grid.suppress(threshold.0);
    let published = grid.publish(&marks, threshold.0);
    let width = columns + 1;
    let rows = counts.len();
    Ok(SuppressedTable {
        cells: (0..rows)
            .map(|r| published[r * width..r * width + columns].to_vec())
            .collect(),
        row_totals: (0..rows).map(|r| published[r * width + columns]).collect(),
        column_totals: published[rows * width..rows * width + columns].to_vec(),
        grand_total: published[rows * width + columns],
    })
}

/// One figure of a [`Figures`] system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Figure(usize);

/// Figures published together across several tables, with every equation a reader can write
/// between them, suppressed as one system.
///
/// Two tables that share a margin (chats per weekday, as the column totals of a week × weekday
/// table and as the row totals of a weekday × hour table) must not be suppressed one by one:
/// a total hidden in one would be read in the other. Here a shared margin is one [`Figure`]
/// in the equations of both tables, so the audit sees both at once.
#[derive(Debug, Clone, Default)]
pub struct Figures {
    values: Vec<u64>,
    is_total: Vec<bool>,
    lines: Vec<Line>,
}

impl Figures {
    /// An empty system.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an inner count.
    pub fn cell(&mut self, value: u64) -> Figure {
        self.push(value, false)
    }

    /// Adds the total of `parts`, with the equation that ties them.
    pub fn sum(&mut self, parts: &[Figure]) -> Figure {
        let value = parts.iter().map(|p| self.values[p.0]).sum();
        let total = self.push(value, true);
        self.lines
            .push(Line::sum(parts.iter().map(|p| p.0).collect(), total.0));
        total
    }

    /// States that `parts` also add up to `total`, a figure already in the system (a margin
    /// that two tables share); refuses an equation that does not hold.
    pub fn equation(&mut self, parts: &[Figure], total: Figure) -> Result<(), SuppressionError> {
        let value: u64 = parts.iter().map(|p| self.values[p.0]).sum();
        if value != self.values[total.0] {
            return Err(SuppressionError::Unbalanced(self.lines.len()));
        }
        self.lines
            .push(Line::sum(parts.iter().map(|p| p.0).collect(), total.0));
        Ok(())
    }

    /// States that `smaller` add up to at most what `larger` add up to: what a reader knows
    /// when the people counted on one side are all counted on the other too (the chats purged
    /// while waiting are among the chats purged unclosed; a qualified chat has at least one
    /// fact). The audit reads it as it reads an equation; refuses a relation that does not hold.
    pub fn at_most(
        &mut self,
        smaller: &[Figure],
        larger: &[Figure],
    ) -> Result<(), SuppressionError> {
        let sum = |side: &[Figure]| side.iter().map(|p| self.values[p.0]).sum::<u64>();
        if sum(smaller) > sum(larger) {
            return Err(SuppressionError::Untrue(self.lines.len()));
        }
        self.lines.push(Line {
            parts: smaller.iter().map(|p| p.0).collect(),
            totals: larger.iter().map(|p| p.0).collect(),
            equal: false,
        });
        Ok(())
    }

    /// The value of a figure.
    pub fn value(&self, figure: Figure) -> u64 {
        self.values[figure.0]
    }

    /// Suppresses the whole system: primary and secondary suppression as for a table (module
    /// doc), over every equation.
    pub fn suppress(&self, threshold: Threshold) -> PublishedFigures {
        let grid = Grid {
            values: self.values.clone(),
            is_total: self.is_total.clone(),
            lines: self.lines.clone(),
        };
        let marks = grid.suppress(threshold.0);
        PublishedFigures(grid.publish(&marks, threshold.0))
    }

    fn push(&mut self, value: u64, is_total: bool) -> Figure {
        self.values.push(value);
        self.is_total.push(is_total);
        Figure(self.values.len() - 1)
    }
}

/// Every figure of a [`Figures`] system as it is published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedFigures(Vec<Published>);

impl PublishedFigures {
    /// How `figure` is published.
    pub fn get(&self, figure: Figure) -> Published {
        self.0[figure.0]
    }
}

/// How a cell is published.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mark {
    Open,
    Under,
    Hidden,
    /// A zero hidden once, then found to be worked out exactly through the equations:
    /// published, since the reader knows it anyway, and never hidden again.
    Known,
}

impl Mark {
    fn withheld(self) -> bool {
        matches!(self, Self::Under | Self::Hidden)
    }
}

/// One relation a reader can write between figures: the parts add up to the totals
/// (an equation, whose right side is a single total), or to at most what they add up to.
#[derive(Debug, Clone)]
struct Line {
    parts: Vec<usize>,
    totals: Vec<usize>,
    /// An equation; else `Σ parts ≤ Σ totals`.
    equal: bool,
}

impl Line {
    /// The equation `Σ parts = total`.
    fn sum(parts: Vec<usize>, total: usize) -> Self {
        Self {
            parts,
            totals: vec![total],
            equal: true,
        }
    }

    /// Every figure of the relation, the parts first.
    fn cells(&self) -> impl Iterator<Item = usize> + '_ {
        self.parts.iter().chain(&self.totals).copied()
    }
}

/// Every figure of a table, totals included, and the equations between them.
#[derive(Debug, Clone)]
struct Grid {
    values: Vec<u64>,
    is_total: Vec<bool>,
    lines: Vec<Line>,
}

/// What a reader can know of a cell: at least `lo`, at most `hi` (`None`: no upper bound).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Bounds {
    lo: i128,
    hi: Option<i128>,
}

impl Bounds {
    fn pinned(self) -> bool {
        self.hi == Some(self.lo)
    }
}

impl Grid {
    /// The (rows + 1) × (columns + 1) grid: the table, a column of row totals on the right,
    /// a row of column totals at the bottom, the grand total in the corner.
    fn two_way(counts: &[Vec<u64>], columns: usize) -> Self {
        let rows = counts.len();
        let width = columns + 1;
        let mut values = vec![0u64; (rows + 1) * width];
        for (r, row) in counts.iter().enumerate() {
            for (c, &v) in row.iter().enumerate() {
                values[r * width + c] = v;
                values[r * width + columns] += v;
                values[rows * width + c] += v;
                values[rows * width + columns] += v;
            }
        }
        let is_total = (0..values.len())
            .map(|i| i / width == rows || i % width == columns)
            .collect();
        let row_lines = (0..=rows).map(|r| {
            Line::sum(
                (0..columns).map(|c| r * width + c).collect(),
                r * width + columns,
            )
        });
        let column_lines = (0..=columns)
            .map(|c| Line::sum((0..rows).map(|r| r * width + c).collect(), rows * width + c));
        Self {
            values,
            is_total,
            lines: row_lines.chain(column_lines).collect(),
        }
    }

    fn primary(&self, threshold: u64) -> Vec<Mark> {
        self.values
            .iter()
            .map(|&v| {
                if v > 0 && v < threshold {
                    Mark::Under
                } else {
                    Mark::Open
                }
            })
            .collect()
    }

    fn suppress(&self, threshold: u64) -> Vec<Mark> {
        let mut marks = self.primary(threshold);
        let mut lines_of = vec![Vec::new(); self.values.len()];
        for (l, line) in self.lines.iter().enumerate() {
            for cell in line.cells() {
                lines_of[cell].push(l);
            }
        }
        let cells_of = |l: usize| self.lines[l].cells();
        // An equation hiding a single figure gives it away by subtraction; an inequality
        // does not (the audit sees what it does give away).
        let equal = |l: usize| self.lines[l].equal;
        let hidden_in =
            |marks: &[Mark], l: usize| cells_of(l).filter(|&i| marks[i].withheld()).count();
        // The cell to hide next among the published cells of `lines`: inner before totals;
        // then one that also keeps company to a lone hidden figure of its other line (it
        // closes a rectangle instead of opening a new line); then non-zero (a zero beside a
        // "<5" often protects nothing); then the smallest.
        let complement = |marks: &[Mark], lines: &[usize]| {
            lines
                .iter()
                .flat_map(|&l| cells_of(l))
                .filter(|&i| marks[i] == Mark::Open)
                .min_by_key(|&i| {
                    let keeps_company = lines_of[i]
                        .iter()
                        .any(|l| !lines.contains(l) && equal(*l) && hidden_in(marks, *l) == 1);
                    let v = self.values[i];
                    (self.is_total[i], !keeps_company, v == 0, v, i)
                })
        };
        // Each turn changes marks one way only, Open → Hidden, Under → Hidden, Hidden → Known,
        // and Known is final: at most three turns per cell.
        loop {
            // The plain rule first: a line hiding one figure gives it away by subtraction.
            if let Some(l) = (0..self.lines.len()).find(|&l| equal(l) && hidden_in(&marks, l) == 1)
                && let Some(cell) = complement(&marks, &[l])
            {
                marks[cell] = Mark::Hidden;
                continue;
            }
            // Then what the audit still pins, through the bounds and several equations.
            let bounds = self.audit(&marks, threshold);
            // A figure hidden only to protect another, that the equations give away anyway
            // and that is not small itself (a zero, most often, in a line of zeros), protects
            // nothing: it is published and another is hidden in its place.
            let known: Vec<usize> = (0..marks.len())
                .filter(|&i| marks[i] == Mark::Hidden && bounds[i].pinned() && self.values[i] == 0)
                .collect();
            if !known.is_empty() {
                for i in known {
                    marks[i] = Mark::Known;
                }
                continue;
            }
            let Some(pinned) =
                (0..marks.len()).find(|&i| marks[i].withheld() && bounds[i].pinned())
            else {
                return marks;
            };
            if let Some(cell) = complement(&marks, &lines_of[pinned]) {
                marks[cell] = Mark::Hidden;
                continue;
            }
            // Nothing published is left near the pinned cell: the bounds "<5" states give it
            // away. Withdraw one such bound, the pinned cell's own first.
            let widen = std::iter::once(pinned)
                .chain(lines_of[pinned].iter().flat_map(|&l| cells_of(l)))
                .chain(0..marks.len())
                .find(|&i| marks[i] == Mark::Under);
            match widen {
                Some(cell) => marks[cell] = Mark::Hidden,
                // Unreachable: with every figure "s" nothing is bounded above, so nothing is
                // pinned. Stop rather than loop; the tests would see the disclosure.
                None => return marks,
            }
        }
    }

    /// The bounds a reader can derive for every cell, by interval propagation through the
    /// equations until nothing changes.
    fn audit(&self, marks: &[Mark], threshold: u64) -> Vec<Bounds> {
        let mut bounds: Vec<Bounds> = self
            .values
            .iter()
            .zip(marks)
            .map(|(&v, mark)| match mark {
                Mark::Open | Mark::Known => Bounds {
                    lo: i128::from(v),
                    hi: Some(i128::from(v)),
                },
                Mark::Under => Bounds {
                    lo: 1,
                    hi: Some(i128::from(threshold) - 1),
                },
                Mark::Hidden => Bounds { lo: 0, hi: None },
            })
            .collect();
        propagate(&mut bounds, &self.lines);
        debug_assert!(self.values.iter().zip(&bounds).all(|(&v, b)| {
            let v = i128::from(v);
            b.lo <= v && b.hi.is_none_or(|hi| v <= hi)
        }));
        bounds
    }

    fn publish(&self, marks: &[Mark], threshold: u64) -> Vec<Published> {
        self.values
            .iter()
            .zip(marks)
            .map(|(&v, mark)| match mark {
                Mark::Open | Mark::Known => Published::Count(v),
                Mark::Under => Published::Under(threshold),
                Mark::Hidden => Published::Hidden,
            })
            .collect()
    }
}

/// Tightens `bounds` through every relation until a fixed point. Each is read as
/// `Σ sign·x = 0` (an equation) or `Σ sign·x ≤ 0` (an inequality), parts +1 and totals −1: a
/// cell lies within minus the range of the others' sum (an inequality bounds it on one side
/// only). Bounds only shrink and stay around the true values, so this ends.
fn propagate(bounds: &mut [Bounds], lines: &[Line]) {
    let mut changed = true;
    while changed {
        changed = false;
        for line in lines {
            let terms: Vec<(usize, i128)> = line
                .parts
                .iter()
                .map(|&i| (i, 1))
                .chain(line.totals.iter().map(|&i| (i, -1)))
                .collect();
            // The range of sign·x for one term: (min, max), None meaning infinite.
            let range = |b: Bounds, sign: i128| -> (Option<i128>, Option<i128>) {
                if sign > 0 {
                    (Some(b.lo), b.hi)
                } else {
                    (b.hi.map(|h| -h), Some(-b.lo))
                }
            };
            let (mut min_sum, mut min_inf, mut max_sum, mut max_inf) = (0i128, 0u32, 0i128, 0u32);
            for &(i, sign) in &terms {
                let (lo, hi) = range(bounds[i], sign);
                match lo {
                    Some(v) => min_sum += v,
                    None => min_inf += 1,
                }
                match hi {
                    Some(v) => max_sum += v,
                    None => max_inf += 1,
                }
            }
            for &(i, sign) in &terms {
                let (lo, hi) = range(bounds[i], sign);
                // The others' sum lies in [rest_min, rest_max].
                let rest_min = match lo {
                    Some(v) if min_inf == 0 => Some(min_sum - v),
                    None if min_inf == 1 => Some(min_sum),
                    _ => None,
                };
                let rest_max = match hi {
                    Some(v) if max_inf == 0 => Some(max_sum - v),
                    None if max_inf == 1 => Some(max_sum),
                    _ => None,
                };
                // sign·x = −(others), so x ∈ [−rest_max, −rest_min] or [rest_min, rest_max];
                // sign·x ≤ −(others) keeps only the bound that says "at most −rest_min".
                let (new_lo, new_hi) = match (sign > 0, line.equal) {
                    (true, true) => (rest_max.map(|v| -v), rest_min.map(|v| -v)),
                    (true, false) => (None, rest_min.map(|v| -v)),
                    (false, true) => (rest_min, rest_max),
                    (false, false) => (rest_min, None),
                };
                let b = &mut bounds[i];
                if let Some(lo) = new_lo
                    && lo > b.lo
                {
                    b.lo = lo;
                    changed = true;
                }
                if let Some(hi) = new_hi
                    && b.hi.is_none_or(|h| hi < h)
                {
                    b.hi = Some(hi);
                    changed = true;
                }
            }
        }
    }
}

/// What a reader knows of a figure from how it is published.
#[cfg(test)]
fn reader_bounds(p: Published, threshold: u64) -> Bounds {
    match p {
        Published::Count(n) => Bounds {
            lo: i128::from(n),
            hi: Some(i128::from(n)),
        },
        Published::Under(_) => Bounds {
            lo: 1,
            hi: Some(i128::from(threshold) - 1),
        },
        Published::Hidden => Bounds { lo: 0, hi: None },
    }
}

/// The withheld figures a reader can work out exactly from `published` through `equations`
/// (each `(parts, total)`) and `at_most` (each `(smaller, larger)`: the first add up to at most
/// what the second do), over indices of `published`, by the interval propagation the audit
/// uses: for the tests of a publication whose relations they write down on their own.
#[cfg(test)]
pub(crate) fn disclosed(
    published: &[Published],
    equations: &[(Vec<usize>, usize)],
    at_most: &[(Vec<usize>, Vec<usize>)],
    threshold: u64,
) -> Vec<usize> {
    let mut bounds: Vec<Bounds> = published
        .iter()
        .map(|p| reader_bounds(*p, threshold))
        .collect();
    let lines: Vec<Line> = equations
        .iter()
        .map(|(parts, total)| Line::sum(parts.clone(), *total))
        .chain(at_most.iter().map(|(smaller, larger)| Line {
            parts: smaller.clone(),
            totals: larger.clone(),
            equal: false,
        }))
        .collect();
    propagate(&mut bounds, &lines);
    (0..published.len())
        .filter(|&i| published[i].is_suppressed() && bounds[i].pinned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const UNDER5: Published = Published::Under(5);
    const S: Published = Published::Hidden;

    fn c(n: u64) -> Published {
        Published::Count(n)
    }

    fn table(counts: &[&[u64]]) -> SuppressedTable {
        let counts: Vec<Vec<u64>> = counts.iter().map(|r| r.to_vec()).collect();
        suppress_table(&counts, Threshold::default()).unwrap()
    }

    /// The published table as the grid of the audit: figures and the reader's bounds.
    fn reader_view(t: &SuppressedTable, threshold: u64) -> (Vec<Bounds>, Vec<Line>) {
        let rows = t.cells.len();
        let columns = t.column_totals.len();
        let mut figures = Vec::new();
        for r in 0..rows {
            figures.extend(t.cells[r].iter().copied());
            figures.push(t.row_totals[r]);
        }
        figures.extend(t.column_totals.iter().copied());
        figures.push(t.grand_total);
        let bounds = figures
            .iter()
            .map(|p| reader_bounds(*p, threshold))
            .collect();
        let lines = Grid::two_way(&vec![vec![0; columns]; rows], columns).lines;
        (bounds, lines)
    }

    fn suppressed_positions(t: &SuppressedTable) -> Vec<bool> {
        reader_view(t, DEFAULT_THRESHOLD)
            .0
            .iter()
            .map(|b| !b.pinned())
            .collect()
    }

    #[test]
    fn counts_under_the_threshold_are_published_as_under_5_and_zero_as_zero() {
        assert_eq!(UNDER5.to_string(), "<5");
        assert_eq!(S.to_string(), "s");
        assert_eq!(c(12).to_string(), "12");
        let list = suppress_list(&[0, 12, 30], Threshold::default());
        assert_eq!(list.cells, vec![c(0), c(12), c(30)]);
        assert_eq!(list.total, c(42));
    }

    #[test]
    fn a_lone_small_count_in_a_list_gets_the_smallest_other_count_hidden_with_it() {
        let list = suppress_list(&[3, 40, 12, 9], Threshold::default());
        assert_eq!(list.cells, vec![UNDER5, c(40), c(12), S]);
        assert_eq!(list.total, c(64));
    }

    #[test]
    fn two_small_counts_in_a_list_protect_each_other_when_their_sum_leaves_room() {
        // 2 + 3 = 5: each is 1 to 4, so neither is pinned.
        let list = suppress_list(&[2, 3, 20], Threshold::default());
        assert_eq!(list.cells, vec![UNDER5, UNDER5, c(20)]);
    }

    #[test]
    fn two_ones_are_pinned_by_their_sum_and_need_a_third_hidden_count() {
        // 1 + 1 = 2 with each at least 1: both would be 1.
        let list = suppress_list(&[1, 1, 20, 30], Threshold::default());
        assert_eq!(list.cells, vec![UNDER5, UNDER5, S, c(30)]);
    }

    #[test]
    fn a_list_whose_only_count_is_small_hides_its_total() {
        // The total is small too: "<5" twice, equal, each 1 to 4.
        let list = suppress_list(&[0, 3, 0], Threshold::default());
        assert_eq!(list.cells, vec![c(0), UNDER5, c(0)]);
        assert_eq!(list.total, UNDER5);
        // A small count beside zeros and one large count: the large one is hidden with it.
        let list = suppress_list(&[0, 0, 7, 0, 3], Threshold::default());
        assert_eq!(list.cells, vec![c(0), c(0), S, c(0), UNDER5]);
        assert_eq!(list.total, c(10));
    }

    #[test]
    fn a_row_with_a_single_non_zero_small_cell_has_its_total_hidden_too() {
        let t = table(&[&[0, 2, 0], &[10, 20, 30], &[11, 21, 31]]);
        assert_eq!(t.cells[0][1], UNDER5);
        assert!(t.row_totals[0].is_suppressed(), "{t:?}");
        assert!(t.cells[1][1].is_suppressed() || t.cells[2][1].is_suppressed());
    }

    #[test]
    fn a_lone_small_cell_gets_complements_in_its_row_and_its_column() {
        let t = table(&[&[3, 40, 50], &[20, 60, 70], &[30, 80, 90]]);
        assert_eq!(t.cells[0][0], UNDER5);
        // The smallest cells of its row and column, then the one closing the rectangle.
        assert_eq!(t.cells[0][1], S);
        assert_eq!(t.cells[1][0], S);
        assert_eq!(t.cells[1][1], S);
        assert_eq!(t.cells[2], vec![c(30), c(80), c(90)]);
        assert_eq!(t.row_totals, vec![c(93), c(150), c(200)]);
        assert_eq!(t.grand_total, c(443));
    }

    #[test]
    fn four_ones_under_a_small_total_withdraw_a_bound_they_would_give_away() {
        // Four "<5" adding up to a "<5" must each be 1: one of them is published as "s".
        let list = suppress_list(&[1, 1, 1, 1], Threshold::default());
        assert!(list.cells.contains(&S), "{list:?}");
        assert!(
            list.cells
                .iter()
                .chain([&list.total])
                .all(|p| p.is_suppressed())
        );
    }

    #[test]
    fn an_inequality_a_reader_knows_is_audited_as_an_equation_is() {
        // 30 chats, 16 not qualified, facts 10 and 4: every qualified chat has a fact, so
        // the facts add up to 14 at least, and "<5" alone would be 4.
        let mut f = Figures::new();
        let (a, b, u, chats) = (f.cell(10), f.cell(4), f.cell(16), f.cell(30));
        f.at_most(&[a, u], &[chats]).unwrap();
        f.at_most(&[b, u], &[chats]).unwrap();
        f.at_most(&[chats], &[a, b, u]).unwrap();
        assert_eq!(
            f.at_most(&[chats], &[a]),
            Err(SuppressionError::Untrue(3)),
            "a relation the figures break is refused"
        );
        let p = f.suppress(Threshold::default());
        assert_eq!(p.get(b), UNDER5);
        let published: Vec<Published> = [a, b, u, chats].map(|x| p.get(x)).to_vec();
        assert!(published.contains(&S), "{published:?}");
        let at_most = [
            (vec![0, 2], vec![3]),
            (vec![1, 2], vec![3]),
            (vec![3], vec![0, 1, 2]),
        ];
        assert_eq!(
            disclosed(&published, &[], &at_most, DEFAULT_THRESHOLD),
            Vec::<usize>::new()
        );
        // Without the inequalities' audit, the reader would have had it.
        let naive = [c(10), UNDER5, c(16), c(30)];
        assert_eq!(disclosed(&naive, &[], &at_most, DEFAULT_THRESHOLD), [1]);
    }

    #[test]
    fn ragged_tables_and_thresholds_that_protect_nothing_are_refused() {
        assert_eq!(
            suppress_table(&[vec![1, 2], vec![3]], Threshold::default()),
            Err(SuppressionError::Ragged {
                row: 1,
                expected: 2,
                found: 1
            })
        );
        for t in 0..3 {
            assert_eq!(Threshold::new(t), Err(SuppressionError::Threshold(t)));
        }
        assert!(Threshold::new(3).is_ok());
        assert_eq!(Threshold::default().get(), 5);
    }

    #[test]
    fn an_empty_table_publishes_a_zero_total() {
        let t = suppress_table(&[], Threshold::default()).unwrap();
        assert_eq!(t.grand_total, c(0));
        let t = table(&[&[], &[]]);
        assert_eq!(t.row_totals, vec![c(0), c(0)]);
    }

    /// The size of a real export: 101 départements by 12 facts, most counts small.
    #[test]
    fn a_table_of_every_departement_by_fact_leaves_nothing_recomputable() {
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let counts: Vec<Vec<u64>> = (0..101)
            .map(|_| (0..12).map(|_| next() % 9 * (next() % 3)).collect())
            .collect();
        let t = suppress_table(&counts, Threshold::default()).unwrap();
        let (mut bounds, lines) = reader_view(&t, DEFAULT_THRESHOLD);
        let hidden: Vec<bool> = bounds.iter().map(|b| !b.pinned()).collect();
        propagate(&mut bounds, &lines);
        assert!(hidden.iter().zip(&bounds).all(|(&h, b)| !h || !b.pinned()));
        assert!(t.grand_total == Published::Count(counts.iter().flatten().sum()));
    }

    /// The exact attack on a 2 × 2 table: every inner assignment within the reader's bounds
    /// (up to `cap`) consistent with everything published; each hidden figure must take at
    /// least two values across them.
    fn exact_attack_finds_nothing(t: &SuppressedTable, threshold: u64, cap: u64) -> bool {
        let (bounds, _) = reader_view(t, threshold);
        // Grid of 3 × 3: inner cells 0, 1, 3, 4; totals 2, 5, 6, 7, 8.
        let range = |b: Bounds| b.lo as u64..=b.hi.map_or(cap, |h| h as u64);
        let fits = |i: usize, v: u64| {
            let b = bounds[i];
            i128::from(v) >= b.lo && b.hi.is_none_or(|h| i128::from(v) <= h)
        };
        let mut seen: Vec<std::collections::BTreeSet<u64>> = vec![Default::default(); 9];
        for a in range(bounds[0]) {
            for b in range(bounds[1]).filter(|&b| fits(2, a + b)) {
                for d in range(bounds[3]).filter(|&d| fits(6, a + d)) {
                    for e in range(bounds[4]) {
                        let grid = [a, b, a + b, d, e, d + e, a + d, b + e, a + b + d + e];
                        if grid.iter().enumerate().all(|(i, &v)| fits(i, v)) {
                            for (i, &v) in grid.iter().enumerate() {
                                seen[i].insert(v);
                            }
                        }
                    }
                }
            }
        }
        (0..9).all(|i| bounds[i].pinned() || seen[i].len() >= 2)
    }

    fn any_table() -> impl Strategy<Value = Vec<Vec<u64>>> {
        // Many small counts and zeros, some large ones: the tables suppression finds hard.
        let count = prop_oneof![4 => 0u64..8, 1 => 0u64..60];
        (1usize..7, 1usize..7).prop_flat_map(move |(rows, columns)| {
            proptest::collection::vec(proptest::collection::vec(count.clone(), columns), rows)
        })
    }

    proptest! {
        #[test]
        fn no_published_count_is_under_the_threshold_except_zero(
            counts in any_table(), threshold in 3u64..8,
        ) {
            let t = suppress_table(&counts, Threshold::new(threshold).unwrap()).unwrap();
            let figures = t.cells.iter().flatten()
                .chain(&t.row_totals).chain(&t.column_totals).chain([&t.grand_total]);
            for p in figures {
                if let Published::Count(n) = p {
                    prop_assert!(*n == 0 || *n >= threshold, "{n} published");
                }
            }
        }

        #[test]
        fn published_counts_are_the_true_counts(counts in any_table()) {
            let t = suppress_table(&counts, Threshold::default()).unwrap();
            for (r, row) in counts.iter().enumerate() {
                for (col, &v) in row.iter().enumerate() {
                    if let Published::Count(n) = t.cells[r][col] {
                        prop_assert_eq!(n, v);
                    }
                }
                if let Published::Count(n) = t.row_totals[r] {
                    prop_assert_eq!(n, row.iter().sum::<u64>());
                }
            }
        }

        #[test]
        fn every_row_and_column_with_a_hidden_figure_hides_at_least_two(counts in any_table()) {
            let t = suppress_table(&counts, Threshold::default()).unwrap();
            let hidden = suppressed_positions(&t);
            let (_, lines) = reader_view(&t, DEFAULT_THRESHOLD);
            for line in &lines {
                let n = line.cells().filter(|&i| hidden[i]).count();
                prop_assert!(n != 1, "a line hides exactly one figure: {t:?}");
            }
        }

        #[test]
        fn no_hidden_figure_can_be_recomputed_from_the_published_ones(
            counts in any_table(), threshold in 3u64..8,
        ) {
            let t = suppress_table(&counts, Threshold::new(threshold).unwrap()).unwrap();
            let (mut bounds, lines) = reader_view(&t, threshold);
            let hidden: Vec<bool> = bounds.iter().map(|b| !b.pinned()).collect();
            propagate(&mut bounds, &lines);
            for (i, b) in bounds.iter().enumerate() {
                prop_assert!(!hidden[i] || !b.pinned(), "figure {i} pinned to {}: {t:?}", b.lo);
            }
        }

        #[test]
        fn the_exact_attack_on_two_by_two_tables_recomputes_nothing(
            counts in proptest::collection::vec(proptest::collection::vec(0u64..9, 2), 2),
        ) {
            let t = suppress_table(&counts, Threshold::default()).unwrap();
            // A larger cap finds more solutions, never fewer: a small one can only raise a
            // false alarm, not miss a disclosure.
            let cap = counts.iter().flatten().sum::<u64>() + 3;
            prop_assert!(exact_attack_finds_nothing(&t, DEFAULT_THRESHOLD, cap), "{t:?}");
        }

        #[test]
        fn no_hidden_count_of_a_list_can_be_recomputed(
            counts in proptest::collection::vec(prop_oneof![3 => 0u64..6, 1 => 0u64..40], 0..12),
        ) {
            let list = suppress_list(&counts, Threshold::default());
            let t = SuppressedTable {
                cells: vec![list.cells.clone()],
                row_totals: vec![list.total],
                column_totals: list.cells.clone(),
                grand_total: list.total,
            };
            // A list is the one row of a table whose column totals repeat it: same audit.
            let (mut bounds, lines) = reader_view(&t, DEFAULT_THRESHOLD);
            let hidden: Vec<bool> = bounds.iter().map(|b| !b.pinned()).collect();
            propagate(&mut bounds, &lines);
            for (i, b) in bounds.iter().enumerate() {
                prop_assert!(!hidden[i] || !b.pinned(), "{list:?}");
            }
            for p in list.cells.iter().chain([&list.total]) {
                if let Published::Count(n) = p {
                    prop_assert!(*n == 0 || *n >= DEFAULT_THRESHOLD);
                }
            }
        }
    }
}
