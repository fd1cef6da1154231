//! Human tables that fit where they are read: the width of the terminal (or `COLUMNS`, or
//! 80 when neither is known), one line per row. A cell too long for its column is cut
//! with `…` instead of being wrapped: free text first, names last (a name is cut in its
//! middle, so that both the prefix and the distinguishing end stay visible). When even
//! that cannot fit, the columns a table marks as optional are left out, in their order,
//! and a line under the table says which (`--wide` shows everything at full length).
//! Account and Region columns that hold one value are replaced by a line above the table.

use std::fmt;

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{Cell, CellAlignment, Color, ContentArrangement, Table};

/// Columns that hold names: cut last, in the middle.
const NAMES: &[&str] = &[
    "Table",
    "Backup name",
    "Source",
    "Target",
    "Newest backup",
    "Policy",
    "Policies",
    "Tables",
    "Role",
];

/// Columns whose words are a state: coloured on a terminal.
const STATES: &[&str] = &[
    "Status", "Action", "Result", "Verdict", "Verified", "Backup",
];

/// The narrowest a name is cut to before optional columns are left out.
const NAME_FLOOR: usize = 12;
/// A name this long is read without trouble: free text gets room only after names have it.
const NAME_READABLE: usize = 24;
/// Free text cut shorter than this says little: optional columns give way for it.
const TEXT_READABLE: usize = 24;
/// The narrowest a free-text cell (detail, reasons) is cut to.
const TEXT_FLOOR: usize = 10;

/// One cell: its text and whether it is aligned right (sizes, counts).
#[derive(Debug, Clone, Default)]
pub struct GridCell {
    text: String,
    right: bool,
}

impl GridCell {
    pub fn right(text: impl Into<String>) -> GridCell {
        GridCell {
            text: text.into(),
            right: true,
        }
    }
}

impl From<String> for GridCell {
    fn from(text: String) -> GridCell {
        GridCell { text, right: false }
    }
}

impl From<&str> for GridCell {
    fn from(text: &str) -> GridCell {
        text.to_string().into()
    }
}

impl From<&String> for GridCell {
    fn from(text: &String) -> GridCell {
        text.clone().into()
    }
}

impl From<std::borrow::Cow<'_, str>> for GridCell {
    fn from(text: std::borrow::Cow<'_, str>) -> GridCell {
        text.into_owned().into()
    }
}

/// A table being built; rendered by `Display`.
#[derive(Debug, Clone)]
pub struct Grid {
    header: Vec<String>,
    rows: Vec<Vec<GridCell>>,
    /// Left out first, in this order, when the width is short.
    optional: Vec<String>,
    /// `None`: `--wide`, every column at full length.
    width: Option<usize>,
    color: bool,
}

/// How a column gives way when the table is too wide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Never cut (times, ids, sizes, states).
    Fixed,
    /// Cut first, at the end.
    Text,
    /// Cut last, in the middle.
    Name,
}

fn kind(header: &str) -> Kind {
    if NAMES.contains(&header) {
        Kind::Name
    } else if matches!(
        header,
        "Detail" | "Reasons" | "Prune" | "Settings" | "Retention" | "As recorded"
    ) || header.starts_with("Verdict")
    {
        Kind::Text
    } else {
        Kind::Fixed
    }
}

fn len(s: &str) -> usize {
    s.chars().count()
}

/// `s` in at most `w` characters: cut at the end, or (names) in the middle, with `…`.
pub fn cut(s: &str, w: usize, middle: bool) -> String {
    let n = len(s);
    if n <= w {
        return s.to_string();
    }
    if w == 0 {
        return String::new();
    }
    let keep = w - 1;
    if !middle {
        return s.chars().take(keep).chain(['…']).collect();
    }
    let head = keep.div_ceil(2);
    let tail = keep - head;
    s.chars()
        .take(head)
        .chain(['…'])
        .chain(s.chars().skip(n - tail))
        .collect()
}

/// The colour of a state word: done and fine (green), a deletion (yellow), a failure or
/// a stale table (red), in progress (cyan).
fn tone(text: &str) -> Option<Color> {
    let t = text.to_ascii_lowercase();
    let first = t.split([':', ' ', ',']).next().unwrap_or("");
    if t.starts_with("fail") || t.contains("failed") || t.contains("stale") || first == "error" {
        Some(Color::Red)
    } else if t.contains("delete") || t.contains("deleting") || first == "outcome" {
        Some(Color::Yellow)
    } else if matches!(
        first,
        "keep" | "ok" | "available" | "active" | "passed" | "created" | "restored" | "verified"
    ) {
        Some(Color::Green)
    } else if first.starts_with("would") || first == "creating" || first == "held" {
        Some(Color::Cyan)
    } else {
        None
    }
}

impl Grid {
    pub fn new(header: &[&str], width: Option<usize>, color: bool) -> Grid {
        Grid {
            header: header.iter().map(|h| h.to_string()).collect(),
            rows: Vec::new(),
            optional: Vec::new(),
            width,
            color,
        }
    }

    /// Columns (by header) that are left out, in this order, when the width is short.
    pub fn optional(mut self, headers: &[&str]) -> Grid {
        self.optional = headers.iter().map(|h| h.to_string()).collect();
        self
    }

    pub fn add_row<C: Into<GridCell>>(&mut self, cells: impl IntoIterator<Item = C>) -> &mut Self {
        self.rows.push(cells.into_iter().map(Into::into).collect());
        self
    }

    /// The value every row holds in column `header`, when there is exactly one.
    fn single(&self, header: &str) -> Option<String> {
        let i = self.header.iter().position(|h| h == header)?;
        let first = self.rows.first()?.get(i)?.text.clone();
        self.rows
            .iter()
            .all(|r| r.get(i).is_some_and(|c| c.text == first))
            .then_some(first)
    }

    /// The columns shown, their widths, and the lines above and below the table.
    fn layout(&self) -> (Vec<usize>, Vec<usize>, Option<String>, Option<String>) {
        let mut shown: Vec<usize> = (0..self.header.len()).collect();
        let mut above = None;
        if self.width.is_some() {
            if let (Some(a), Some(r)) = (self.single("Account"), self.single("Region")) {
                above = Some(format!("account {a}, region {r}"));
                shown.retain(|&i| self.header[i] != "Account" && self.header[i] != "Region");
            }
        }
        let natural: Vec<usize> = (0..self.header.len())
            .map(|i| {
                self.rows
                    .iter()
                    .filter_map(|r| r.get(i))
                    .map(|c| len(&c.text))
                    .chain([len(&self.header[i])])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let Some(width) = self.width else {
            let widths = shown.iter().map(|&i| natural[i]).collect();
            return (shown, widths, above, None);
        };
        let floor = |i: usize| match kind(&self.header[i]) {
            Kind::Fixed => natural[i],
            Kind::Text => natural[i].min(TEXT_FLOOR),
            Kind::Name => natural[i].min(NAME_FLOOR),
        };
        // Borders and padding: "│ a ┆ b │" is 3 per column and 1.
        let frame = |n: usize| 3 * n + 1;
        let fits = |cols: &[usize]| {
            cols.iter().map(|&i| floor(i)).sum::<usize>() + frame(cols.len()) <= width
        };
        let share = |cols: &[usize]| -> Vec<usize> {
            let mut widths: Vec<usize> = cols.iter().map(|&i| floor(i)).collect();
            let mut room = width.saturating_sub(widths.iter().sum::<usize>() + frame(cols.len()));
            // Names get the room first (up to a readable length), then free text, then
            // names again; one character at a time, to the column that is cut the most.
            for (k, cap) in [
                (Kind::Name, NAME_READABLE),
                (Kind::Text, usize::MAX),
                (Kind::Name, usize::MAX),
            ] {
                while room > 0 {
                    let short = (0..cols.len())
                        .filter(|&j| {
                            kind(&self.header[cols[j]]) == k
                                && widths[j] < natural[cols[j]].min(cap)
                        })
                        .max_by_key(|&j| (natural[cols[j]] - widths[j], std::cmp::Reverse(j)));
                    let Some(j) = short else { break };
                    widths[j] += 1;
                    room -= 1;
                }
            }
            widths
        };
        // An optional column gives way when the others do not fit, or when free text
        // (a failure's detail) would be cut to make room for it.
        let text_cut = |cols: &[usize], widths: &[usize]| {
            cols.iter().zip(widths).any(|(&i, &w)| {
                kind(&self.header[i]) == Kind::Text && w < natural[i].min(TEXT_READABLE)
            })
        };
        let mut left_out = Vec::new();
        for o in &self.optional {
            if fits(&shown) && !text_cut(&shown, &share(&shown)) {
                break;
            }
            if let Some(p) = shown.iter().position(|&i| &self.header[i] == o) {
                shown.remove(p);
                left_out.push(o.clone());
            }
        }
        let widths = share(&shown);
        let below = (!left_out.is_empty()).then(|| {
            let note = format!(
                "not shown: {} (--wide shows every column)",
                left_out.join(", ")
            );
            cut(&note, width, false)
        });
        (shown, widths, above, below)
    }
}

impl fmt::Display for Grid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (shown, widths, above, below) = self.layout();
        let mut t = Table::new();
        t.load_preset(UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Disabled);
        if self.color {
            t.enforce_styling();
        } else {
            t.force_no_tty();
        }
        let header_cells: Vec<Cell> = shown
            .iter()
            .zip(&widths)
            .map(|(&i, &w)| Cell::new(cut(&self.header[i], w, false)))
            .collect();
        t.set_header(header_cells);
        for row in &self.rows {
            let cells: Vec<Cell> = shown
                .iter()
                .zip(&widths)
                .map(|(&i, &w)| {
                    let c = row.get(i).cloned().unwrap_or_default();
                    let header = &self.header[i];
                    let state = STATES.contains(&header.as_str());
                    // A state is shown as words (`would create`, not `would_create`).
                    let text = if state {
                        c.text.replace('_', " ")
                    } else {
                        c.text.clone()
                    };
                    let mut cell = Cell::new(cut(&text, w, kind(header) == Kind::Name));
                    if c.right {
                        cell = cell.set_alignment(CellAlignment::Right);
                    }
                    if self.color && state {
                        if let Some(colour) = tone(&c.text) {
                            cell = cell.fg(colour);
                        }
                    }
                    cell
                })
                .collect();
            t.add_row(cells);
        }
        if let Some(a) = above {
            writeln!(f, "{a}")?;
        }
        write!(f, "{t}")?;
        if let Some(b) = below {
            write!(f, "\n{b}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(g: &Grid) -> Vec<String> {
        g.to_string().lines().map(str::to_string).collect()
    }

    #[test]
    fn cells_are_cut_with_an_ellipsis_names_in_the_middle() {
        assert_eq!(cut("orders", 10, true), "orders");
        assert_eq!(
            cut("customers-eu-production-ledger", 12, true),
            "custom…edger"
        );
        assert_eq!(cut("a long detail text", 8, false), "a long …");
        assert_eq!(cut("abc", 0, false), "");
    }

    #[test]
    fn a_table_fits_its_width_one_line_per_row() {
        let mut g = Grid::new(
            &[
                "Account",
                "Region",
                "Table",
                "Backup name",
                "Status",
                "Detail",
            ],
            Some(60),
            false,
        );
        for t in ["orders", "customers-eu-production-ledger"] {
            g.add_row([
                "123456789012".to_string(),
                "us-east-1".to_string(),
                t.to_string(),
                format!("ddb-backup.{t}.20261203T165539Z"),
                "AVAILABLE".to_string(),
                "a very long explanation of what happened to this table".to_string(),
            ]);
        }
        let l = lines(&g);
        // The one target above the table; a frame, a header, a rule, two rows, a frame.
        assert_eq!(l[0], "account 123456789012, region us-east-1");
        assert_eq!(l.len(), 7, "{l:#?}");
        assert!(l.iter().all(|x| x.chars().count() <= 60), "{l:#?}");
        assert!(l[4].contains("orders") && l[4].contains('…'), "{l:#?}");
        assert!(!l[2].contains("Account"));
    }

    #[test]
    fn optional_columns_give_way_and_wide_shows_everything() {
        let header = [
            "Table",
            "Backup id",
            "Status",
            "Created (UTC)",
            "Age",
            "Size",
        ];
        let row = [
            "orders",
            "01796316939835-6939eea6",
            "AVAILABLE",
            "2026-12-03T16:55:39Z",
            "3d 4h",
            "1.5 KiB",
        ];
        let mut roomy = Grid::new(&header, Some(100), false).optional(&["Age", "Size"]);
        roomy.add_row(row);
        let l = lines(&roomy);
        assert!(l[1].contains("Size") && l[3].contains("3d 4h"), "{l:#?}");
        assert_eq!(l.len(), 5, "no note when everything is shown: {l:#?}");
        let mut narrow = Grid::new(&header, Some(80), false).optional(&["Age", "Size"]);
        narrow.add_row(row);
        let l = lines(&narrow);
        assert!(l.iter().all(|x| x.chars().count() <= 80), "{l:#?}");
        assert!(!l[1].contains("Age") && !l[1].contains("Size"), "{l:#?}");
        assert_eq!(
            l.last().unwrap(),
            "not shown: Age, Size (--wide shows every column)"
        );
        let mut wide = Grid::new(&header, None, false).optional(&["Age", "Size"]);
        wide.add_row(row);
        assert!(wide.to_string().contains("3d 4h"));
    }

    #[test]
    fn optional_columns_give_way_to_a_failure_detail_and_states_are_words() {
        let mut g = Grid::new(&["Table", "Policy", "Backup", "Detail"], Some(60), false)
            .optional(&["Policy"]);
        g.add_row([
            "orders",
            "daily-and-monthly",
            "would_create",
            "table 'orders' not found: check the name",
        ]);
        let l = lines(&g);
        assert!(!l[1].contains("Policy"), "{l:#?}");
        assert!(l[3].contains("would create"), "{l:#?}");
        assert!(l[3].contains("table 'orders' not found"), "{l:#?}");
    }

    #[test]
    fn state_words_have_colours() {
        assert_eq!(tone("keep"), Some(Color::Green));
        assert_eq!(tone("would delete"), Some(Color::Yellow));
        assert_eq!(tone("deleted"), Some(Color::Yellow));
        assert_eq!(tone("FAIL: stale"), Some(Color::Red));
        assert_eq!(tone("delete failed"), Some(Color::Red));
        assert_eq!(tone("CREATING"), Some(Color::Cyan));
        let mut g = Grid::new(&["Action", "Backup name"], Some(80), true);
        g.add_row(["keep", "a"]);
        assert!(g.to_string().contains("\u{1b}["), "coloured on a terminal");
        let mut plain = Grid::new(&["Action", "Backup name"], Some(80), false);
        plain.add_row(["keep", "a"]);
        assert!(!plain.to_string().contains("\u{1b}["));
    }
}
