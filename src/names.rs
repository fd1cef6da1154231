//! Backup name templates: rendering, validation against DynamoDB's naming rules, and the
//! one answer to "did this tool make this backup of this table?" ([`NameTemplate::owns`],
//! used by prune, check and skip-if-recent alike). Also the names of the tables this tool
//! makes for its own work ([`WorkTable`]): built and recognised here, in one place, so a
//! selection over ListTables never picks one up.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};

use crate::error::quoted;
use crate::ids::{is_name_char, validate_name, NAME_MAX};
use crate::model::{Backup, BackupKind};

/// The default template: recognisably the tool's own.
pub const DEFAULT_TEMPLATE: &str = "ddb-backup.{table}.{timestamp}";

/// `{timestamp}` renders as `20261122T090507Z`, `{date}` as `2026-11-22`.
const TIMESTAMP_FORMAT: &str = "%Y%m%dT%H%M%SZ";
const TIMESTAMP_LEN: usize = 16;
const DATE_FORMAT: &str = "%Y-%m-%d";
const DATE_LEN: usize = 10;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Literal(String),
    Table,
    Timestamp,
    Date,
}

/// A parsed `--name` template.
#[derive(Debug, Clone)]
pub struct NameTemplate {
    text: String,
    parts: Vec<Part>,
    /// How many characters of the table name each `{table}` gets (`None`: no `{table}`).
    table_room: Option<usize>,
    /// What it names: `backup name`, or `table name` (a restore's target).
    what: &'static str,
}

impl PartialEq for NameTemplate {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl Default for NameTemplate {
    fn default() -> Self {
        DEFAULT_TEMPLATE
            .parse()
            .expect("the default template is valid")
    }
}

impl std::str::FromStr for NameTemplate {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        NameTemplate::parse_as(text, "backup name")
    }
}

impl NameTemplate {
    /// A template for the names of restored tables (`restore --target-template`): the same
    /// placeholders, `{table}` shortened so that a name stays within 255 characters, and
    /// no time needed (the same name on every run is what makes a rerun resume).
    pub fn target(text: &str) -> Result<Self, String> {
        let t = NameTemplate::parse_as(text, "table name")?;
        // A restored table must never look like one of this tool's work tables, which it
        // never selects and deletes when it finds them left over.
        if let Ok(probe) = t.render("table", Utc::now()) {
            if let Some(kind) = work_table(&probe) {
                return Err(format!(
                    "invalid name template {}: it makes names like {}, the shape of {} of \
                     this tool (never selected, and deleted by it): choose one without '{}' \
                     and a time",
                    quoted(text),
                    quoted(&probe),
                    kind.what(),
                    kind.infix()
                ));
            }
        }
        Ok(t)
    }

    fn parse_as(text: &str, what: &'static str) -> Result<Self, String> {
        let shown = quoted(text);
        let mut parts = Vec::new();
        let mut rest = text;
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix('{') {
                let end = after.find('}').ok_or_else(|| {
                    format!("invalid name template {shown}: '{{' without a closing '}}'")
                })?;
                let part = match &after[..end] {
                    "table" => Part::Table,
                    "timestamp" => Part::Timestamp,
                    "date" => Part::Date,
                    other => {
                        return Err(format!(
                            "invalid name template {shown}: unknown placeholder {} \
                             (known: {{table}}, {{timestamp}}, {{date}})",
                            quoted(&format!("{{{other}}}"))
                        ))
                    }
                };
                parts.push(part);
                rest = &after[end + 1..];
            } else {
                let end = rest.find('{').unwrap_or(rest.len());
                let lit = &rest[..end];
                if let Some(bad) = lit.chars().find(|c| !is_name_char(*c)) {
                    return Err(format!(
                        "invalid name template {shown}: character '{bad}' is not allowed in \
                         {what}s (use letters, digits, '_', '.', '-')"
                    ));
                }
                parts.push(Part::Literal(lit.to_string()));
                rest = &rest[end..];
            }
        }
        if what == "backup name"
            && !parts
                .iter()
                .any(|p| matches!(p, Part::Timestamp | Part::Date))
        {
            return Err(format!(
                "invalid name template {shown}: it needs {{timestamp}} or {{date}} so that \
                 backups can be told apart and recognised by prune"
            ));
        }
        // Every part but {table} has a fixed length, so whether a name fits DynamoDB's 255
        // characters is known now, for every table: refuse a template that cannot fit.
        let fixed: usize = parts
            .iter()
            .map(|p| match p {
                Part::Literal(l) => l.len(),
                Part::Table => 0,
                Part::Timestamp => TIMESTAMP_LEN,
                Part::Date => DATE_LEN,
            })
            .sum();
        let tables = parts.iter().filter(|p| **p == Part::Table).count();
        let table_room = match NAME_MAX.saturating_sub(fixed).checked_div(tables) {
            None if fixed > NAME_MAX => {
                return Err(format!(
                    "invalid name template {shown}: its names would be {fixed} characters, \
                     more than DynamoDB's {NAME_MAX}"
                ))
            }
            None => None,
            Some(0) => {
                return Err(format!(
                    "invalid name template {shown}: it leaves no room for the table name \
                     within DynamoDB's {NAME_MAX} characters"
                ))
            }
            Some(room) => Some(room),
        };
        Ok(NameTemplate {
            text: text.to_string(),
            parts,
            table_room,
            what,
        })
    }
}

impl NameTemplate {
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// What `{table}` becomes for `table`: the name, shortened so that the whole backup
    /// name stays within DynamoDB's 255 characters.
    fn table_part<'a>(&self, table: &'a str) -> &'a str {
        match self.table_room {
            Some(room) => match table.char_indices().nth(room) {
                Some((cut, _)) => &table[..cut],
                None => table,
            },
            None => "",
        }
    }

    /// Renders the name for `table` at `now`; a long table name is shortened so that the
    /// result stays within DynamoDB's 255 characters. The result is validated.
    pub fn render(&self, table: &str, now: DateTime<Utc>) -> Result<String, String> {
        let timestamp = now.format(TIMESTAMP_FORMAT).to_string();
        let date = now.format(DATE_FORMAT).to_string();
        let table_part = self.table_part(table);
        let mut name = String::new();
        for p in &self.parts {
            match p {
                Part::Literal(l) => name.push_str(l),
                Part::Table => name.push_str(table_part),
                Part::Timestamp => name.push_str(&timestamp),
                Part::Date => name.push_str(&date),
            }
        }
        validate_name(self.what, &name)
            .map_err(|e| format!("{e} (rendered from template {})", quoted(&self.text)))?;
        Ok(name)
    }

    /// True when `name` is exactly what this template renders for `table` at some valid
    /// time: the literals and the (shortened) table name to the letter, real dates and
    /// times in the placeholders, and `{date}`/`{timestamp}` agreeing with each other.
    /// A name made for another table, or by hand around the tool's pattern, is not owned.
    pub fn owns(&self, table: &str, name: &str) -> bool {
        self.time_in(table, name)
            .is_some_and(|at| self.render(table, at).is_ok_and(|n| n == name))
    }

    /// The time a name of this template for `table` carries (before the render-back check).
    fn time_in(&self, table: &str, name: &str) -> Option<DateTime<Utc>> {
        let table_part = self.table_part(table);
        let mut rest = name;
        let mut stamp: Option<NaiveDateTime> = None;
        let mut day: Option<NaiveDate> = None;
        for p in &self.parts {
            rest = match p {
                Part::Literal(l) => rest.strip_prefix(l.as_str())?,
                Part::Table => rest.strip_prefix(table_part)?,
                Part::Timestamp => {
                    let s = rest.get(..TIMESTAMP_LEN)?;
                    stamp = Some(parse_timestamp(s)?);
                    &rest[TIMESTAMP_LEN..]
                }
                Part::Date => {
                    let s = rest.get(..DATE_LEN)?;
                    day = Some(parse_date(s)?);
                    &rest[DATE_LEN..]
                }
            };
        }
        if !rest.is_empty() {
            return None;
        }
        let naive = stamp.or_else(|| day.map(|d| d.and_time(NaiveTime::MIN)))?;
        Some(Utc.from_utc_datetime(&naive))
    }
}

/// Is `b` a backup this tool made of `table` under `template`? A USER backup whose name
/// the template owns. The one place this question is answered.
pub fn is_managed(template: &NameTemplate, table: &str, b: &Backup) -> bool {
    b.kind == BackupKind::User && template.owns(table, &b.backup_name)
}

fn digits(s: &str) -> Option<u32> {
    if s.bytes().all(|c| c.is_ascii_digit()) {
        s.parse().ok()
    } else {
        None
    }
}

/// `YYYYMMDDTHHMMSSZ`, digits exactly where they belong.
fn parse_timestamp(s: &str) -> Option<NaiveDateTime> {
    // ASCII first: slicing a name with a multi-byte character at these offsets would panic.
    if !s.is_ascii() || s.len() != TIMESTAMP_LEN || &s[8..9] != "T" || &s[15..16] != "Z" {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(
        digits(&s[0..4])? as i32,
        digits(&s[4..6])?,
        digits(&s[6..8])?,
    )?;
    let time =
        NaiveTime::from_hms_opt(digits(&s[9..11])?, digits(&s[11..13])?, digits(&s[13..15])?)?;
    Some(date.and_time(time))
}

/// `YYYY-MM-DD`, digits exactly where they belong.
fn parse_date(s: &str) -> Option<NaiveDate> {
    if !s.is_ascii() || s.len() != DATE_LEN || &s[4..5] != "-" || &s[7..8] != "-" {
        return None;
    }
    NaiveDate::from_ymd_opt(
        digits(&s[0..4])? as i32,
        digits(&s[5..7])?,
        digits(&s[8..10])?,
    )
}

/// The tag every `verify` scratch table carries: its value is the drill's run id.
pub const VERIFY_TAG: &str = "ddb-backup:verify";

/// A table this tool makes for its own work and drops again. Such a table is never picked
/// by `--all-tables`, `--match`, `--tag` or a policy's `all_tables`/`match`/`tags`: backing
/// it up would leave a backup of a table that is about to vanish. Named explicitly
/// (`--table`, a policy's `tables`), it is worked on like any other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkTable {
    /// `verify`'s scratch table: `TABLE-verify-TIMESTAMP`, tagged [`VERIFY_TAG`].
    Scratch,
    /// `restore --replace`'s point-in-time staging table: `TABLE-replace-TIMESTAMP`.
    Staging,
}

impl WorkTable {
    const ALL: [WorkTable; 2] = [WorkTable::Scratch, WorkTable::Staging];

    pub fn infix(self) -> &'static str {
        match self {
            WorkTable::Scratch => "-verify-",
            WorkTable::Staging => "-replace-",
        }
    }

    /// What the table is, for messages.
    pub fn what(self) -> &'static str {
        match self {
            WorkTable::Scratch => "a verify scratch table",
            WorkTable::Staging => "a restore --replace staging table",
        }
    }

    /// `TABLE-verify-TIMESTAMP` / `TABLE-replace-TIMESTAMP` for `table` at `at`, the table
    /// part shortened so that the name fits DynamoDB's 255 characters.
    pub fn name(self, table: &str, at: DateTime<Utc>) -> String {
        let suffix = format!("{}{}", self.infix(), stamp(at));
        let t: String = table.chars().take(NAME_MAX - suffix.len()).collect();
        format!("{t}{suffix}")
    }
}

/// `at` as names carry it: `20261122T090507Z`.
pub fn stamp(at: DateTime<Utc>) -> String {
    at.format(TIMESTAMP_FORMAT).to_string()
}

/// Which of this tool's work tables `name` is, by its shape alone: something, then
/// `-verify-` or `-replace-`, then a real time spelled exactly as [`WorkTable::name`]
/// spells it, and nothing after. `orders-verify` or `x-replace-y` are ordinary tables.
pub fn work_table(name: &str) -> Option<WorkTable> {
    WorkTable::ALL.into_iter().find(|k| {
        name.rsplit_once(k.infix())
            .is_some_and(|(table, ts)| !table.is_empty() && parse_timestamp(ts).is_some())
    })
}

/// `clap` value parser for restore target templates.
pub fn parse_target_template(s: &str) -> Result<NameTemplate, String> {
    NameTemplate::target(s)
}

/// `clap` value parser for templates.
pub fn parse_template(s: &str) -> Result<NameTemplate, String> {
    s.parse()
}

/// The known names nearest to `word` (a typo's "did you mean"): within two edits, or one
/// edit in six for a long name, letter case not counted. Equally near names are all
/// returned, in `known`'s order; none when more than three are (a guess among many is
/// no help), and never `word` itself.
pub fn nearest<'a>(word: &str, known: &[&'a str]) -> Vec<&'a str> {
    let limit = (word.chars().count() / 6).max(2);
    let lower = word.to_lowercase();
    let near: Vec<(usize, &'a str)> = known
        .iter()
        .filter(|k| **k != word)
        .map(|k| (strsim::levenshtein(&lower, &k.to_lowercase()), *k))
        .filter(|(d, _)| *d <= limit)
        .collect();
    let Some(best) = near.iter().map(|(d, _)| *d).min() else {
        return Vec::new();
    };
    let mut out: Vec<&'a str> = near
        .into_iter()
        .filter(|(d, _)| *d == best)
        .map(|(_, k)| k)
        .collect();
    out.dedup();
    if out.len() > 3 {
        out.clear();
    }
    out
}

/// "did you mean 'a'?", "did you mean 'a' or 'b'?", "did you mean 'a', 'b' or 'c'?"
/// (each name between `quote`s), or `None`.
pub fn did_you_mean(word: &str, known: &[&str], quote: char) -> Option<String> {
    let near = nearest(word, known);
    let q: Vec<String> = near.iter().map(|k| format!("{quote}{k}{quote}")).collect();
    match q.as_slice() {
        [] => None,
        [one] => Some(format!("did you mean {one}?")),
        [init @ .., last] => Some(format!("did you mean {} or {last}?", init.join(", "))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typo_finds_the_name_meant_and_a_stranger_finds_none() {
        let known = ["orders", "customers", "orders-archive-2026", "Invoices"];
        assert_eq!(nearest("ordres", &known), vec!["orders"]);
        assert_eq!(nearest("invoices", &known), vec!["Invoices"]);
        assert_eq!(
            nearest("ORDERS", &known),
            vec!["orders"],
            "case is not counted"
        );
        assert_eq!(
            nearest("ORDERS-ARCHIVE-2026", &known),
            vec!["orders-archive-2026"]
        );
        assert_eq!(
            nearest("orders-archiv-2025", &known),
            vec!["orders-archive-2026"]
        );
        assert!(nearest("payments", &known).is_empty());
        assert!(
            nearest("orders", &known).is_empty(),
            "the same name is no suggestion"
        );
        assert!(nearest("x", &[]).is_empty());
        // Equally near names are all named, or none when there are too many.
        let prod = ["prod-a", "prod-b", "prod-scratch-1"];
        assert_eq!(
            did_you_mean("prod", &prod, '\'').as_deref(),
            Some("did you mean 'prod-a' or 'prod-b'?")
        );
        let svc: Vec<String> = (0..300).map(|i| format!("svc-{i:03}")).collect();
        let svc: Vec<&str> = svc.iter().map(String::as_str).collect();
        assert_eq!(
            did_you_mean("svc-30", &svc, '\'').as_deref(),
            Some("did you mean 'svc-030', 'svc-130' or 'svc-230'?")
        );
        assert_eq!(
            did_you_mean("svc-0", &svc, '\''),
            None,
            "too many to guess among"
        );
    }
    use proptest::prelude::*;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 22, 9, 5, 7).unwrap()
    }

    #[test]
    fn default_template_renders_and_owns_its_names() {
        let t = NameTemplate::default();
        let name = t.render("orders", now()).unwrap();
        assert_eq!(name, "ddb-backup.orders.20261122T090507Z");
        assert!(t.owns("orders", &name));
        assert!(!t.owns("orders", "orders-manual-before-migration"));
        assert!(!t.owns("orders", "ddb-backup.orders.latest"));
        assert!(!t.owns("orders", "xddb-backup.orders.20261122T090507Z"));
    }

    /// The two wrong deletions once reported: `{table}` must be this table, to the letter.
    #[test]
    fn names_of_other_tables_or_made_by_hand_are_not_owned() {
        let t = NameTemplate::default();
        for name in [
            "ddb-backup.orders.KEEP-FOREVER-legal-hold.20261001T000000Z",
            "ddb-backup.customers.20261002T000000Z",
            "ddb-backup.orders.x.20261002T000000Z",
            "ddb-backup.order.20261002T000000Z",
            "ddb-backup.orders.20261302T000000Z",
            "ddb-backup.orders.20261002T250000Z",
            "ddb-backup.orders.+2026100T000000Z",
        ] {
            assert!(!t.owns("orders", name), "{name}");
        }
        let t: NameTemplate = "{table}-{timestamp}".parse().unwrap();
        assert!(t.owns("orders", "orders-20261123T042736Z"));
        assert!(!t.owns("orders", "pre-migration-orders-20261123T042736Z"));
        assert!(!t.owns("orders", "orders-eu-20261123T042736Z"));
        assert!(!t.owns("orders-eu", "orders-20261123T042736Z"));
    }

    #[test]
    fn multi_byte_characters_in_the_timestamp_do_not_panic() {
        let t = NameTemplate::default();
        assert!(!t.owns("tab02", "ddb-backup.tab02.2026110１T030000Z"));
        assert!(!t.owns("aaa", "ddb-backup.aaa.٢٠٢٦١١٠١T030000Z"));
        let d: NameTemplate = "{table}-{date}".parse().unwrap();
        assert!(!d.owns("aaa", "aaa-2026-1１-01"));
    }

    #[test]
    fn date_and_timestamp_must_agree() {
        let t: NameTemplate = "{date}.{table}.{timestamp}".parse().unwrap();
        assert!(t.owns("orders", "2026-11-22.orders.20261122T090507Z"));
        assert!(!t.owns("orders", "2026-11-21.orders.20261122T090507Z"));
        assert!(!t.owns("orders", "2026-02-30.orders.20260230T090507Z"));
    }

    #[test]
    fn custom_template_with_date() {
        let t: NameTemplate = "nightly-{date}-{table}".parse().unwrap();
        assert_eq!(
            t.render("users", now()).unwrap(),
            "nightly-2026-11-22-users"
        );
        assert!(t.owns("users", "nightly-2026-11-22-users"));
        assert!(!t.owns("users", "nightly-2026-11-22-"));
        assert!(!t.owns("users", "nightly-2026-11-22-users2"));
    }

    #[test]
    fn long_table_names_are_shortened_and_still_owned() {
        let table = "t".repeat(255);
        let t = NameTemplate::default();
        let name = t.render(&table, now()).unwrap();
        assert_eq!(name.len(), 255);
        assert!(t.owns(&table, &name));
        assert!(validate_name("backup name", &name).is_ok());
        // Another table with the same shortened name renders the same name.
        let other = format!("{}x", "t".repeat(254));
        assert_eq!(t.render(&other, now()).unwrap(), name);
        assert!(t.owns(&other, &name));
        assert!(!t.owns("t", &name));
    }

    #[test]
    fn bad_templates_are_refused_with_a_reason() {
        assert!("x:{timestamp}"
            .parse::<NameTemplate>()
            .unwrap_err()
            .contains("':'"));
        assert!("{tabel}-{date}"
            .parse::<NameTemplate>()
            .unwrap_err()
            .contains("unknown placeholder"));
        assert!("{table"
            .parse::<NameTemplate>()
            .unwrap_err()
            .contains("closing"));
        assert!("{table}"
            .parse::<NameTemplate>()
            .unwrap_err()
            .contains("{timestamp}"));
        let long = format!("{}{{table}}{{timestamp}}", "x".repeat(239));
        assert!(long
            .parse::<NameTemplate>()
            .unwrap_err()
            .contains("no room for the table name"));
        let too_long = format!("{}{{timestamp}}", "x".repeat(240));
        assert!(too_long
            .parse::<NameTemplate>()
            .unwrap_err()
            .contains("more than DynamoDB's 255"));
    }

    #[test]
    fn names_are_validated() {
        assert!(validate_name("table name", "ab")
            .unwrap_err()
            .contains("3 to 255"));
        assert!(validate_name("table name", "a b c")
            .unwrap_err()
            .contains("' '"));
        assert!(validate_name("table name", "orders-2026_v1.x").is_ok());
        assert!(validate_name("table name", &"a".repeat(256)).is_err());
    }

    /// Table names that trip naive matchers: prefixes of each other, dots, digits that look
    /// like timestamps, and names long enough to be shortened.
    fn arb_table() -> impl Strategy<Value = String> {
        prop_oneof![
            prop::sample::select(vec![
                "orders",
                "orders.eu",
                "orders-1",
                "orders.",
                "ord",
                "o.o",
                "20261122",
                "T000000Z",
                "ddb-backup",
                "orders-20261122T000000Z",
            ])
            .prop_map(str::to_string),
            "[a-z]{1,3}[a-z0-9_.-]{2,12}",
            ("[a-z]{1,2}", 230usize..256)
                .prop_map(|(p, n)| format!("{p}{}", "t".repeat(n - p.len()))),
        ]
    }

    fn arb_template() -> impl Strategy<Value = NameTemplate> {
        let part = prop_oneof![
            Just("{table}".to_string()),
            Just("{timestamp}".to_string()),
            Just("{date}".to_string()),
            prop::sample::select(vec![
                ".",
                "-",
                "_",
                "ddb-backup.",
                "x",
                "2026",
                "T",
                "orders"
            ])
            .prop_map(str::to_string),
        ];
        prop::collection::vec(part, 1..6).prop_filter_map("a usable template", |parts| {
            parts.concat().parse::<NameTemplate>().ok()
        })
    }

    fn arb_time() -> impl Strategy<Value = DateTime<Utc>> {
        // 2000-01-01 .. 2100-01-01
        (946_684_800i64..4_102_444_800).prop_map(|s| Utc.timestamp_opt(s, 0).unwrap())
    }

    /// An oracle that shares no code with `owns`: every time that any 16- or 10-character
    /// window of the name spells, rendered back.
    fn renders_somehow(t: &NameTemplate, table: &str, name: &str) -> bool {
        let mut times = Vec::new();
        for i in 0..name.len() {
            if let Some(s) = name.get(i..i + 16) {
                if let Ok(x) = NaiveDateTime::parse_from_str(s, TIMESTAMP_FORMAT) {
                    times.push(Utc.from_utc_datetime(&x));
                }
            }
            if let Some(s) = name.get(i..i + 10) {
                if let Ok(d) = NaiveDate::parse_from_str(s, DATE_FORMAT) {
                    times.push(Utc.from_utc_datetime(&d.and_time(NaiveTime::MIN)));
                }
            }
        }
        times
            .into_iter()
            .any(|at| t.render(table, at).is_ok_and(|n| n == name))
    }

    #[test]
    fn work_tables_are_recognised_by_their_exact_shape() {
        assert_eq!(
            WorkTable::Scratch.name("orders", now()),
            "orders-verify-20261122T090507Z"
        );
        assert_eq!(
            WorkTable::Staging.name("orders", now()),
            "orders-replace-20261122T090507Z"
        );
        for (name, kind) in [
            ("orders-verify-20261122T090507Z", WorkTable::Scratch),
            ("orders-replace-20261122T090507Z", WorkTable::Staging),
            (
                "a-verify-20261122T090507Z-verify-20261122T090507Z",
                WorkTable::Scratch,
            ),
            ("x-verify-x-replace-20261122T090507Z", WorkTable::Staging),
        ] {
            assert_eq!(work_table(name), Some(kind), "{name}");
        }
        for name in [
            "orders",
            "orders-verify",
            "orders-verify-",
            "orders-replace",
            "x-replace-y",
            "orders-verify-2026",
            "orders-verify-20261122",
            "orders-verify-20261122T090507",
            "orders-verify-20261122T090507Z-old",
            "orders-verify-20261322T090507Z",
            "orders-verify-20261122T250507Z",
            "orders-verify-2026112２T090507Z",
            "orders-verify-+2026112T090507Z",
            "orders-verified-20261122T090507Z",
            "orders_verify_20261122T090507Z",
            "orders-Verify-20261122T090507Z",
            "orders-replaced-20261122T090507Z",
            "-verify-20261122T090507Z",
            "ddb-backup.orders.20261122T090507Z",
        ] {
            assert_eq!(work_table(name), None, "{name}");
        }
    }

    #[test]
    fn target_templates_need_no_time_and_say_table_name() {
        let t = NameTemplate::target("{table}-restored").unwrap();
        assert_eq!(t.render("orders", now()).unwrap(), "orders-restored");
        // A backup template must carry a time; a target template need not.
        assert!("{table}-restored".parse::<NameTemplate>().is_err());
        let err = NameTemplate::target("{table} x").unwrap_err();
        assert!(err.contains("table names"), "{err}");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]

        /// Every table name gets a valid target name of at most 255 characters, the
        /// template's literals kept and the table's name shortened.
        #[test]
        fn target_names_are_shortened_to_fit(table in "[a-zA-Z0-9_.-]{3,255}") {
            let t = NameTemplate::target("dr-{table}-restored").unwrap();
            let name = t.render(&table, now()).unwrap();
            prop_assert!(name.chars().count() <= NAME_MAX);
            prop_assert!(name.starts_with("dr-") && name.ends_with("-restored"));
            let kept = &name[3..name.len() - "-restored".len()];
            prop_assert!(table.starts_with(kept));
        }

        #[test]
        fn rendered_names_are_valid_and_owned(table in "[A-Za-z0-9_.-]{3,255}", secs in 0i64..4_000_000_000) {
            let at = Utc.timestamp_opt(secs, 0).unwrap();
            let t = NameTemplate::default();
            let name = t.render(&table, at).unwrap();
            prop_assert!(validate_name("backup name", &name).is_ok());
            prop_assert!(t.owns(&table, &name));
        }

        /// A name rendered by A for T is owned by A for T; by A for U only when A renders
        /// that very name for U; and by B for T only when B can render exactly that name.
        #[test]
        fn a_name_is_owned_only_by_what_renders_it(
            t in arb_table(), u in arb_table(),
            a in arb_template(), b in arb_template(),
            at in arb_time(),
        ) {
            let name = a.render(&t, at).unwrap();
            prop_assert!(a.owns(&t, &name));
            if t != u {
                prop_assert_eq!(a.owns(&u, &name), a.render(&u, at).unwrap() == name);
            }
            if a != b {
                prop_assert_eq!(b.owns(&t, &name), renders_somehow(&b, &t, &name), "{} / {}", a.as_str(), b.as_str());
            }
        }

        /// A rendered name with any one character replaced by any other (multi-byte ones
        /// included) never panics, and is owned only if it is still a rendering.
        #[test]
        fn mangled_names_never_panic(
            t in arb_template(), table in arb_table(), at in arb_time(),
            pos in any::<prop::sample::Index>(), c in any::<char>(),
        ) {
            let name = t.render(&table, at).unwrap();
            let chars: Vec<char> = name.chars().collect();
            let i = pos.index(chars.len());
            let mangled: String = chars.iter().enumerate().map(|(j, x)| if j == i { c } else { *x }).collect();
            if t.owns(&table, &mangled) {
                prop_assert!(renders_somehow(&t, &table, &mangled));
            }
        }

        /// Any table, any time: the name built for a work table is a valid table name
        /// and is recognised as that very kind of work table.
        #[test]
        fn built_work_table_names_are_recognised(
            table in prop_oneof![arb_table(), "[A-Za-z0-9_.-]{3,255}"],
            // 1970 .. the end of year 9999 (what a four-digit year spells)
            secs in 0i64..253_402_300_800,
            scratch in any::<bool>(),
        ) {
            let kind = if scratch { WorkTable::Scratch } else { WorkTable::Staging };
            let at = Utc.timestamp_opt(secs, 0).unwrap();
            let name = kind.name(&table, at);
            prop_assert!(validate_name("table name", &name).is_ok(), "{}", name);
            prop_assert_eq!(work_table(&name), Some(kind), "{}", name);
        }

        /// Names near the shape (other words, times cut, extended or mangled) are work
        /// tables exactly when an independent reading says so: a word, `-verify-` or
        /// `-replace-`, and a time chrono reads from sixteen characters.
        #[test]
        fn only_the_exact_shape_is_a_work_table(
            table in prop_oneof![arb_table(), Just(String::new())],
            infix in prop::sample::select(vec![
                "-verify-", "-replace-", "-verify", "verify-", "-Verify-", "-replaced-",
                "-restore-", "-", "", ".verify.",
            ]),
            at in arb_time(),
            cut in prop_oneof![Just(16usize), 0usize..17],
            tail in "[A-Za-z0-9_.-]{0,3}",
        ) {
            let stamp = stamp(at);
            let name = format!("{table}{infix}{}{tail}", &stamp[..cut]);
            let expected = ["-verify-", "-replace-"].iter().any(|i| {
                name.rsplit_once(i).is_some_and(|(t, ts)| {
                    !t.is_empty()
                        && ts.len() == 16
                        && ts.bytes().enumerate().all(|(j, c)| match j {
                            8 => c == b'T',
                            15 => c == b'Z',
                            _ => c.is_ascii_digit(),
                        })
                        && NaiveDateTime::parse_from_str(ts, TIMESTAMP_FORMAT).is_ok()
                })
            });
            prop_assert_eq!(work_table(&name).is_some(), expected, "{}", name);
        }

        #[test]
        fn template_parser_never_panics(s in "\\PC{0,60}", name in "\\PC{0,40}") {
            if let Ok(t) = s.parse::<NameTemplate>() {
                let _ = t.render("orders", now());
                let _ = t.owns("orders", &name);
            }
        }
    }
}
