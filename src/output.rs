//! Rendering of the project's own serde types: human tables on a terminal, JSON and NDJSON
//! for scripts. Nothing here decides anything.

pub mod html;
pub mod report;

use std::io::{self, IsTerminal, Write};

use chrono::{DateTime, Utc};
use serde::Serialize;

pub mod grid;
pub mod progress;
pub use grid::{Grid, GridCell};

use crate::cli::{ColorChoice, OutputFormat};
use crate::model::Backup;
use crate::timeparse::format_age;

/// Where and how data is printed.
#[derive(Debug, Clone)]
pub struct Output {
    pub format: OutputFormat,
    pub color: bool,
    /// `-q`: a command that changes something prints nothing on stdout when it succeeded.
    pub quiet: bool,
    /// The width human tables fit in; `None` under `--wide` (every column, uncut).
    pub width: Option<usize>,
    /// Set when a caller takes the data document instead of stdout (the Lambda function
    /// answers with it): `data` stores the JSON document here.
    pub captured: Option<Captured>,
}

/// The JSON document a command produced, when captured.
pub type Captured = std::sync::Arc<std::sync::Mutex<Option<serde_json::Value>>>;

impl Output {
    /// JSON documents go to `into` instead of stdout.
    pub fn capture(into: Captured) -> Output {
        Output {
            format: OutputFormat::Json,
            color: false,
            quiet: false,
            width: None,
            captured: Some(into),
        }
    }

    /// Plain JSON on stdout, whatever was chosen (a report that must not be lost).
    pub fn json() -> Output {
        Output {
            format: OutputFormat::Json,
            color: false,
            quiet: false,
            width: None,
            captured: None,
        }
    }

    /// Whether a command that changes something and ends with `exit` prints its result:
    /// always, except under `-q` when everything succeeded (so cron mails only failures).
    /// Read commands (list, describe, check, config check, report) and dry runs (whose
    /// plan is all they do) always print their data.
    pub fn shows(&self, exit: crate::exit::Exit) -> bool {
        !(self.quiet && exit == crate::exit::Exit::Success)
    }

    /// Table on a terminal, JSON otherwise, unless the user chose.
    pub fn new(
        format: Option<OutputFormat>,
        color: ColorChoice,
        quiet: bool,
        wide: bool,
    ) -> Output {
        let tty = io::stdout().is_terminal();
        let format = format.unwrap_or(if tty {
            OutputFormat::Table
        } else {
            OutputFormat::Json
        });
        let color = match color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => tty && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        };
        Output {
            format,
            color,
            quiet,
            width: (!wide).then(|| terminal_width(std::env::var("COLUMNS").ok().as_deref(), tty)),
            captured: None,
        }
    }

    pub fn is_table(&self) -> bool {
        self.format == OutputFormat::Table
    }

    /// Prints a document (json), or (ndjson) the items of its array field `items` one per
    /// line followed by one last line holding everything else in the document (summary,
    /// errors, completeness) marked `"record": "summary"`: both formats carry the same facts.
    /// `items` empty: the document is one item.
    pub fn data<T: Serialize>(&self, doc: &T, items: &str) -> io::Result<()> {
        if let Some(c) = &self.captured {
            let value = serde_json::to_value(doc)?;
            *c.lock().unwrap_or_else(|e| e.into_inner()) = Some(value);
            return Ok(());
        }
        reader_gone_is_fine(self.write_data(doc, items))
    }

    fn write_data<T: Serialize>(&self, doc: &T, items: &str) -> io::Result<()> {
        let mut out = io::stdout().lock();
        match self.format {
            OutputFormat::Ndjson => {
                let mut value = serde_json::to_value(doc)?;
                let list = match value.as_object_mut().and_then(|o| o.remove(items)) {
                    Some(serde_json::Value::Array(list)) => list,
                    Some(other) => vec![other],
                    None => {
                        serde_json::to_writer(&mut out, &value)?;
                        out.write_all(b"\n")?;
                        return out.flush();
                    }
                };
                for i in &list {
                    serde_json::to_writer(&mut out, i)?;
                    out.write_all(b"\n")?;
                }
                if let Some(o) = value.as_object_mut() {
                    o.insert("record".into(), "summary".into());
                }
                serde_json::to_writer(&mut out, &value)?;
                out.write_all(b"\n")?;
            }
            _ => {
                serde_json::to_writer_pretty(&mut out, doc)?;
                out.write_all(b"\n")?;
            }
        }
        out.flush()
    }

    /// Prints a human-readable block of text.
    pub fn text(&self, s: &str) -> io::Result<()> {
        let mut out = io::stdout().lock();
        let written = out.write_all(s.as_bytes()).and_then(|()| {
            if !s.ends_with('\n') {
                out.write_all(b"\n")?;
            }
            out.flush()
        });
        reader_gone_is_fine(written)
    }

    /// A human table that fits [`Output::width`], coloured when colours are on.
    pub fn table(&self, header: &[&str]) -> Grid {
        Grid::new(header, self.width, self.color)
    }
}

/// The width tables fit in: `COLUMNS` when it is a positive number, else the terminal's
/// (when stdout is one and reports a size), else 80.
pub fn terminal_width(columns: Option<&str>, tty: bool) -> usize {
    if let Some(n) = columns.and_then(|c| c.trim().parse::<usize>().ok()) {
        if n > 0 {
            return n;
        }
    }
    let reported = if tty {
        comfy_table::Table::new().width().map(usize::from)
    } else {
        None
    };
    reported.filter(|w| *w > 0).unwrap_or(80)
}

/// `1.5 GiB`, `312 B`.
pub fn human_size(bytes: Option<i64>) -> String {
    let Some(b) = bytes else {
        return "-".to_string();
    };
    let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    let mut v = b as f64;
    let mut u = 0;
    while v >= 1024.0 && u < units.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{b} B")
    } else {
        format!("{v:.1} {}", units[u])
    }
}

pub use crate::error::count;

/// "kept 3", and the backups that are neither kept nor deleted: "kept 3 (not counted: 1 still
/// CREATING, 1 already DELETED)".
pub fn kept(kept: usize, creating: usize, deleted_elsewhere: usize) -> String {
    let apart: Vec<String> = [
        (creating, "still CREATING"),
        (deleted_elsewhere, "already DELETED"),
    ]
    .into_iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, what)| format!("{n} {what}"))
    .collect();
    if apart.is_empty() {
        format!("kept {kept}")
    } else {
        // Apart from the kept: a CREATING or DELETED backup is not counted among them.
        format!("kept {kept} (not counted: {})", apart.join(", "))
    }
}

/// ", freeing 1.5 GiB ($0.15/month)" for deletions that free bytes (the cost when the
/// price is known); empty when nothing is freed.
pub fn freed(bytes: i64, monthly_cost_usd: Option<f64>) -> String {
    if bytes <= 0 {
        return String::new();
    }
    match monthly_cost_usd {
        Some(c) => format!(", freeing {} (${c:.2}/month)", human_size(Some(bytes))),
        None => format!(", freeing {}", human_size(Some(bytes))),
    }
}

pub fn time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// A time to the millisecond (a point-in-time recovery window, a restore point): what
/// DynamoDB resolves, so that a window edge is not rounded into or out of the window.
pub fn time_ms(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// A name as a terminal should show it: control and bidirectional-override characters
/// (which could make one name look like another) are shown as `\u{..}` escapes. Only the
/// human table does this; JSON carries names as they are.
pub fn printable(s: &str) -> std::borrow::Cow<'_, str> {
    crate::error::escaped(s)
}

/// The human table of backups with a total line.
pub fn backups_table(
    out: &Output,
    backups: &[crate::targets::Placed<Backup>],
    now: DateTime<Utc>,
) -> String {
    let mut t = out
        .table(&[
            "Account",
            "Region",
            "Table",
            "Backup id",
            "Backup name",
            "Status",
            "Type",
            "Created (UTC)",
            "Age",
            "Size",
        ])
        .optional(&["Type", "Age", "Size", "Backup name"]);
    for b in backups {
        t.add_row([
            GridCell::from(&b.at.account),
            (&b.at.region).into(),
            printable(&b.table).into(),
            crate::ids::backup_id(&b.backup_arn).into(),
            printable(&b.backup_name).into(),
            b.status.as_str().into(),
            b.kind.as_str().into(),
            time(b.created_at).into(),
            format_age(now - b.created_at).into(),
            GridCell::right(human_size(b.size_bytes)),
        ]);
    }
    let total: i64 = backups.iter().filter_map(|b| b.size_bytes).sum();
    format!(
        "{t}\n{} backup{}, {} in total",
        backups.len(),
        if backups.len() == 1 { "" } else { "s" },
        human_size(Some(total))
    )
}

/// Where a report or metrics file really goes. A symlink is followed to its target (so
/// the file it points at is replaced, not the link); the target must be a regular file or
/// not exist yet: renaming a temporary file over a device, a FIFO or a directory would
/// replace it (as root, `/dev/null` itself).
pub fn output_target(path: &std::path::Path) -> Result<std::path::PathBuf, String> {
    use std::io::ErrorKind;
    let meta = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(path.to_path_buf()),
        Err(e) => return Err(e.to_string()),
    };
    let target = if meta.file_type().is_symlink() {
        match std::fs::canonicalize(path) {
            Ok(t) => t,
            // A dangling link: its target will be created.
            Err(e) if e.kind() == ErrorKind::NotFound => {
                let link = std::fs::read_link(path).map_err(|e| e.to_string())?;
                return Ok(match path.parent() {
                    Some(dir) if link.is_relative() => dir.join(link),
                    _ => link,
                });
            }
            // A loop, or a link through something unreadable: nothing to write to.
            Err(e) => return Err(format!("the link cannot be followed ({e})")),
        }
    } else {
        path.to_path_buf()
    };
    match std::fs::metadata(&target) {
        Ok(m) if m.is_file() => Ok(target),
        Ok(m) if m.is_dir() => Err("it is a directory".into()),
        Ok(_) => Err(format!(
            "{} is not a regular file (a device, FIFO or socket); results are written by \
             renaming a new file over the old one (use --output json to print them)",
            target.display()
        )),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(target),
        Err(e) => Err(e.to_string()),
    }
}

/// A new, empty temporary file beside `path` (the target [`output_target`] resolved):
/// created exclusively (a link or anything else already at the name is never opened)
/// under a name no one can predict, `.<file name>.<random>.tmp`, with the mode a plain
/// create would give (0666 less the umask), and removed when dropped unless persisted.
pub fn temp_beside(path: &std::path::Path) -> io::Result<tempfile::NamedTempFile> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => std::path::Path::new("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    let prefix = format!(".{name}.");
    let mut b = tempfile::Builder::new();
    b.prefix(&prefix).suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        b.permissions(std::fs::Permissions::from_mode(0o666));
    }
    // The error without the random name (it names nothing the user could look for).
    b.tempfile_in(dir).map_err(|e| {
        let text = e.to_string();
        match text.rsplit_once(" at path ") {
            Some((why, _)) => io::Error::new(e.kind(), why.to_string()),
            None => e,
        }
    })
}

/// Writes a file so that readers see the old or the new content, never a partial one:
/// a temporary file in the same directory ([`temp_beside`]), flushed, then renamed over
/// the target (a symlink's target; never a device, FIFO or directory: see
/// [`output_target`]).
pub fn write_file_atomic(path: &std::path::Path, content: &[u8]) -> io::Result<()> {
    let path = &output_target(path).map_err(io::Error::other)?;
    let mut tmp = temp_beside(path)?;
    tmp.write_all(content)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// A reader that went away (`ddb-backup list | head -1`) is not a failure of the command:
/// what it did stands, and its exit code is its own. (serde_json hands an io error back
/// as it was.)
fn reader_gone_is_fine(r: io::Result<()>) -> io::Result<()> {
    match r {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_shown_safely_on_a_terminal() {
        assert_eq!(printable("ddb-backup.orders.x"), "ddb-backup.orders.x");
        assert_eq!(printable("a\u{202e}b\0c"), "a\\u{202e}b\\u{0}c");
    }

    #[test]
    fn sizes_are_human() {
        assert_eq!(human_size(Some(312)), "312 B");
        assert_eq!(human_size(Some(1536)), "1.5 KiB");
        assert_eq!(human_size(Some(5 * 1024 * 1024 * 1024)), "5.0 GiB");
        assert_eq!(human_size(None), "-");
    }
}
