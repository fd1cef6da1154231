//! Backup name templates: rendering, validation against DynamoDB's naming rules, and
//! recognising the names this tool made (which is what `prune` limits itself to).

use chrono::{DateTime, Utc};
use regex::Regex;

/// The default template: recognisably the tool's own.
pub const DEFAULT_TEMPLATE: &str = "ddb-backup.{table}.{timestamp}";

/// DynamoDB's limits for backup names (and table names): 3–255 of `[a-zA-Z0-9_.-]`.
pub const NAME_MIN: usize = 3;
pub const NAME_MAX: usize = 255;

pub fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')
}

/// Checks a backup or table name against DynamoDB's rules.
pub fn validate_name(what: &str, name: &str) -> Result<(), String> {
    let len = name.chars().count();
    if !(NAME_MIN..=NAME_MAX).contains(&len) {
        return Err(format!(
            "invalid {what} '{name}': must be {NAME_MIN} to {NAME_MAX} characters long (it is {len})"
        ));
    }
    if let Some(bad) = name.chars().find(|c| !is_name_char(*c)) {
        return Err(format!(
            "invalid {what} '{name}': character '{bad}' is not allowed (use letters, digits, '_', '.', '-')"
        ));
    }
    Ok(())
}

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
    matcher: Regex,
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
        let mut parts = Vec::new();
        let mut rest = text;
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix('{') {
                let end = after.find('}').ok_or_else(|| {
                    format!("invalid name template '{text}': '{{' without a closing '}}'")
                })?;
                let part = match &after[..end] {
                    "table" => Part::Table,
                    "timestamp" => Part::Timestamp,
                    "date" => Part::Date,
                    other => {
                        return Err(format!(
                            "invalid name template '{text}': unknown placeholder '{{{other}}}' \
                             (known: {{table}}, {{timestamp}}, {{date}})"
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
                        "invalid name template '{text}': character '{bad}' is not allowed in \
                         backup names (use letters, digits, '_', '.', '-')"
                    ));
                }
                parts.push(Part::Literal(lit.to_string()));
                rest = &rest[end..];
            }
        }
        if !parts
            .iter()
            .any(|p| matches!(p, Part::Timestamp | Part::Date))
        {
            return Err(format!(
                "invalid name template '{text}': it needs {{timestamp}} or {{date}} so that \
                 backups can be told apart and recognised by prune"
            ));
        }
        let mut pattern = String::from("^");
        for p in &parts {
            match p {
                Part::Literal(l) => pattern.push_str(&regex::escape(l)),
                Part::Table => pattern.push_str("[A-Za-z0-9_.-]+"),
                Part::Timestamp => pattern.push_str("[0-9]{8}T[0-9]{6}Z"),
                Part::Date => pattern.push_str("[0-9]{4}-[0-9]{2}-[0-9]{2}"),
            }
        }
        pattern.push('$');
        let matcher =
            Regex::new(&pattern).map_err(|e| format!("invalid name template '{text}': {e}"))?;
        Ok(NameTemplate {
            text: text.to_string(),
            parts,
            matcher,
        })
    }
}

impl NameTemplate {
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Renders the name for `table` at `now`; a long table name is shortened so that the
    /// result stays within DynamoDB's 255 characters. The result is validated.
    pub fn render(&self, table: &str, now: DateTime<Utc>) -> Result<String, String> {
        let timestamp = now.format("%Y%m%dT%H%M%SZ").to_string();
        let date = now.format("%Y-%m-%d").to_string();
        let fixed: usize = self
            .parts
            .iter()
            .map(|p| match p {
                Part::Literal(l) => l.len(),
                Part::Table => 0,
                Part::Timestamp => timestamp.len(),
                Part::Date => date.len(),
            })
            .sum();
        let tables = self.parts.iter().filter(|p| **p == Part::Table).count();
        let table_part = match NAME_MAX.saturating_sub(fixed).checked_div(tables) {
            None => String::new(),
            Some(0) => {
                return Err(format!(
                    "name template '{}' leaves no room for the table name",
                    self.text
                ));
            }
            Some(room) => table.chars().take(room).collect(),
        };
        let mut name = String::new();
        for p in &self.parts {
            match p {
                Part::Literal(l) => name.push_str(l),
                Part::Table => name.push_str(&table_part),
                Part::Timestamp => name.push_str(&timestamp),
                Part::Date => name.push_str(&date),
            }
        }
        validate_name("backup name", &name)
            .map_err(|e| format!("{e} (rendered from template '{}')", self.text))?;
        Ok(name)
    }

    /// True when `name` has the shape this template renders, i.e. this tool made it.
    pub fn matches(&self, name: &str) -> bool {
        self.matcher.is_match(name)
    }
}

/// `clap` value parser for templates.
pub fn parse_template(s: &str) -> Result<NameTemplate, String> {
    s.parse()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 22, 9, 5, 7).unwrap()
    }

    #[test]
    fn default_template_renders_and_recognises_its_names() {
        let t = NameTemplate::default();
        let name = t.render("orders", now()).unwrap();
        assert_eq!(name, "ddb-backup.orders.20261122T090507Z");
        assert!(t.matches(&name));
        assert!(!t.matches("orders-manual-before-migration"));
        assert!(!t.matches("ddb-backup.orders.latest"));
        assert!(!t.matches("xddb-backup.orders.20261122T090507Z"));
    }

    #[test]
    fn custom_template_with_date() {
        let t: NameTemplate = "nightly-{date}-{table}".parse().unwrap();
        assert_eq!(
            t.render("users", now()).unwrap(),
            "nightly-2026-11-22-users"
        );
        assert!(t.matches("nightly-2026-11-22-users"));
        assert!(!t.matches("nightly-2026-11-22-"));
    }

    #[test]
    fn long_table_names_are_shortened_to_a_valid_name() {
        let table = "t".repeat(255);
        let t = NameTemplate::default();
        let name = t.render(&table, now()).unwrap();
        assert_eq!(name.len(), 255);
        assert!(t.matches(&name));
        assert!(validate_name("backup name", &name).is_ok());
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

    proptest! {
        #[test]
        fn rendered_names_are_valid_and_recognised(table in "[A-Za-z0-9_.-]{3,255}", secs in 0i64..4_000_000_000) {
            let at = Utc.timestamp_opt(secs, 0).unwrap();
            let t = NameTemplate::default();
            let name = t.render(&table, at).unwrap();
            prop_assert!(validate_name("backup name", &name).is_ok());
            prop_assert!(t.matches(&name));
        }

        #[test]
        fn template_parser_never_panics(s in "\\PC{0,60}") {
            if let Ok(t) = s.parse::<NameTemplate>() {
                let _ = t.render("orders", now());
            }
        }
    }
}
