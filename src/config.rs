//! The TOML config file of `run`, `check` and `config check`: parsing (every error carries
//! file, line and column), validation, and the offline part of the "one policy per table"
//! rule. Nothing here calls AWS.

mod hints;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use chrono_tz::Tz;
use glob::Pattern;
use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;

use crate::cli::{KeepOpts, RailOpts, TableSelection};
use crate::error::{cut, quoted, UsageError, MESSAGE_MAX};
use crate::ids::table_name;
use crate::names::NameTemplate;
use crate::retention::Count;
use crate::timeparse::Span;

/// The environment variable naming the config file when `--config` is not given.
pub const CONFIG_ENV: &str = "DDB_BACKUP_CONFIG";

/// A whole config file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub defaults: Defaults,
    #[serde(default, rename = "policy")]
    pub policies: Vec<PolicyConfig>,
    /// `[[targets]]`: the accounts and regions the policies apply in (none: the command
    /// line's `--region`/`--role-arn`, or the default credentials and region).
    #[serde(default)]
    pub targets: Vec<TargetConfig>,
}

/// One `[[targets]]`: an account (the base credentials', a profile's, or an assumed role's)
/// and the regions to work in there.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetConfig {
    pub name: toml::Spanned<String>,
    #[serde(deserialize_with = "region_list")]
    pub regions: Vec<Region>,
    #[serde(default, deserialize_with = "role_opt")]
    pub role_arn: Option<String>,
    #[serde(default, deserialize_with = "external_id_opt")]
    pub external_id: Option<String>,
    pub profile: Option<String>,
}

/// `[defaults]`: used where neither the command line nor the AWS environment says otherwise.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Defaults {
    #[serde(default, deserialize_with = "parsed_opt::<_, Region>")]
    pub region: Option<Region>,
    pub profile: Option<String>,
    #[serde(default, deserialize_with = "parsed_opt::<_, Url>")]
    pub endpoint_url: Option<Url>,
    #[serde(default, deserialize_with = "parsed_opt::<_, NameTemplate>")]
    pub name: Option<NameTemplate>,
    #[serde(default, deserialize_with = "timezone_opt")]
    pub timezone: Option<Tz>,
    #[serde(default, deserialize_with = "multiplier_opt")]
    pub rate_multiplier: Option<f64>,
    #[serde(default, deserialize_with = "concurrency_opt")]
    pub concurrency: Option<u32>,
}

/// One `[[policy]]`: which tables, how to back them up, how to prune them.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyConfig {
    pub name: String,
    #[serde(default, deserialize_with = "table_list")]
    pub tables: Vec<String>,
    #[serde(default, rename = "match", deserialize_with = "glob_list")]
    pub globs: Vec<String>,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    #[serde(default)]
    pub all_tables: bool,
    #[serde(default, deserialize_with = "glob_list")]
    pub exclude: Vec<String>,
    #[serde(default)]
    pub backup: BackupSection,
    /// Absent: this policy only backs up (run says so); present: it must keep something.
    pub retention: Option<RetentionSection>,
    /// The `[[targets]]` (by name) this policy applies in; absent: every target.
    #[serde(default)]
    pub targets: Option<toml::Spanned<Vec<toml::Spanned<String>>>>,
    /// `[policy.verify]`: `run` performs a restore drill of each table when one is due.
    pub verify: Option<VerifySection>,
    /// `[policy.export]`: `run` exports each table to S3 when one is due, and prunes the
    /// exports by their own `[policy.export.retention]`.
    pub export: Option<ExportSection>,
    /// `[policy.check]`: what `check` expects of this policy's tables (a weekly policy is
    /// not stale after a day).
    pub check: Option<CheckSection>,
}

/// `[policy.check]`
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckSection {
    /// A table fails unless its newest backup is younger than this.
    #[serde(default, deserialize_with = "parsed_opt::<_, Span>")]
    pub max_age: Option<Span>,
    /// A table also fails unless it has at least this many AVAILABLE backups.
    pub min_count: Option<u32>,
}

/// `[policy.export]`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportSection {
    #[serde(deserialize_with = "parsed::<_, BucketName>")]
    pub bucket: BucketName,
    #[serde(default)]
    pub prefix: Option<String>,
    #[serde(default)]
    pub bucket_owner: Option<String>,
    #[serde(default)]
    pub sse_kms_key: Option<String>,
    /// An export is due when the newest one is older than this.
    #[serde(deserialize_with = "parsed::<_, Span>")]
    pub every: Span,
    #[serde(default)]
    pub incremental: bool,
    /// The exports' own keep rules and rails; absent: exports are not pruned.
    pub retention: Option<RetentionSection>,
}

/// An S3 bucket name, checked like `--bucket`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BucketName(pub String);

impl std::str::FromStr for BucketName {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        crate::cli::exports::parse_bucket(s).map(BucketName)
    }
}

impl ExportSection {
    /// The options of `export`, checked like its command line.
    pub fn archive_opts(&self) -> Result<crate::cli::ArchiveOpts, String> {
        let prefix = self
            .prefix
            .as_deref()
            .map(crate::cli::exports::parse_prefix)
            .transpose()?;
        if let Some(o) = &self.bucket_owner {
            if !crate::ids::is_account(o) {
                return Err(format!("bucket_owner {}: 12 digits", quoted(o)));
            }
        }
        Ok(crate::cli::ArchiveOpts {
            bucket: Some(self.bucket.0.clone()),
            prefix,
            bucket_owner: self.bucket_owner.clone(),
        })
    }
}

/// `[policy.verify]`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifySection {
    /// A drill is due when the table's last passed drill is older than this.
    #[serde(deserialize_with = "parsed::<_, Span>")]
    pub every: Span,
}

/// `[policy.backup]`
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackupSection {
    #[serde(default, deserialize_with = "parsed_opt::<_, NameTemplate>")]
    pub name: Option<NameTemplate>,
    #[serde(default, deserialize_with = "parsed_opt::<_, Span>")]
    pub skip_if_recent: Option<Span>,
    pub wait: Option<bool>,
    #[serde(default, deserialize_with = "parsed_opt::<_, Span>")]
    pub timeout: Option<Span>,
}

/// `[policy.retention]`: every keep rule and safety rail of `prune`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetentionSection {
    #[serde(default, deserialize_with = "count_opt")]
    pub keep_last: Option<Count>,
    #[serde(default, deserialize_with = "count_opt")]
    pub keep_hourly: Option<Count>,
    #[serde(default, deserialize_with = "count_opt")]
    pub keep_daily: Option<Count>,
    #[serde(default, deserialize_with = "count_opt")]
    pub keep_weekly: Option<Count>,
    #[serde(default, deserialize_with = "count_opt")]
    pub keep_monthly: Option<Count>,
    #[serde(default, deserialize_with = "count_opt")]
    pub keep_yearly: Option<Count>,
    #[serde(default, deserialize_with = "parsed_opt::<_, Span>")]
    pub keep_within: Option<Span>,
    #[serde(default, deserialize_with = "parsed_opt::<_, Span>")]
    pub keep_within_hourly: Option<Span>,
    #[serde(default, deserialize_with = "parsed_opt::<_, Span>")]
    pub keep_within_daily: Option<Span>,
    #[serde(default, deserialize_with = "parsed_opt::<_, Span>")]
    pub keep_within_weekly: Option<Span>,
    #[serde(default, deserialize_with = "parsed_opt::<_, Span>")]
    pub keep_within_monthly: Option<Span>,
    #[serde(default, deserialize_with = "parsed_opt::<_, Span>")]
    pub keep_within_yearly: Option<Span>,
    pub min_keep: Option<u32>,
    #[serde(default, deserialize_with = "parsed_opt::<_, Span>")]
    pub require_recent: Option<Span>,
    #[serde(default, deserialize_with = "max_delete_opt")]
    pub max_delete: Option<u32>,
    pub include_unmanaged: Option<bool>,
    #[serde(default, deserialize_with = "timezone_opt")]
    pub timezone: Option<Tz>,
}

/// A region name, checked for shape only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region(pub String);

impl FromStr for Region {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        crate::ids::parse_region(s).map(Region)
    }
}

/// An endpoint URL, checked like `--endpoint-url`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Url(pub String);

impl FromStr for Url {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        crate::cli::parse_url(s).map(Url)
    }
}

impl Config {
    /// Reads and validates a config file. Every problem is a usage error naming the file,
    /// and (for syntax, type and value errors) the line and column.
    ///
    /// The file decides what gets deleted, so one that every user may change (or replace)
    /// is refused, and one that a group or another user may change is warned about (see
    /// [`exposure`]).
    pub fn load(path: &Path) -> Result<Config, UsageError> {
        use std::io::Read;
        let cannot = |e: std::io::Error| format!("cannot read config file {}: {e}", path.display());
        // The checks and the read are of the same open file.
        let mut file = std::fs::File::open(path).map_err(|e| UsageError::new(cannot(e)))?;
        #[cfg(unix)]
        {
            let meta = file.metadata().map_err(|e| UsageError::new(cannot(e)))?;
            for warning in check_exposure(path, &meta)? {
                tracing::warn!("{warning}");
            }
        }
        let mut text = String::new();
        file.read_to_string(&mut text)
            .map_err(|e| UsageError::new(cannot(e)))?;
        Config::parse(&text, path)
    }

    /// Parses and validates config text (`path` is only used in messages).
    pub fn parse(text: &str, path: &Path) -> Result<Config, UsageError> {
        let config: Config = toml::from_str(text).map_err(|e| {
            let at = e
                .span()
                .map(|s| {
                    let (line, col) = line_col(text, s.start);
                    format!(":{line}:{col}")
                })
                .unwrap_or_default();
            let hint = e
                .span()
                .and_then(|s| text.get(s.start..))
                .and_then(|from| hints::hint(e.message(), from))
                .map(|h| format!("; {h}"))
                .unwrap_or_default();
            // The parser's message may quote the offending input whole.
            UsageError::new(format!(
                "config {}{at}: {}{hint}",
                path.display(),
                cut(&e.message().trim().replace('\n', " "), MESSAGE_MAX)
            ))
        })?;
        config
            .validate()
            .and_then(|()| config.validate_targets(text))
            .map_err(|m| UsageError::new(format!("config {}{m}", path.display())))?;
        Ok(config)
    }

    /// The `[[targets]]` and the policies' references to them. Messages start with
    /// ":line:col: " where a position is known.
    fn validate_targets(&self, text: &str) -> Result<(), String> {
        let at = |span: std::ops::Range<usize>| {
            let (line, col) = line_col(text, span.start);
            format!(":{line}:{col}: ")
        };
        let mut names: BTreeMap<&str, usize> = BTreeMap::new();
        let mut covered: BTreeMap<(Option<&str>, Option<&str>, &str), &str> = BTreeMap::new();
        for (i, t) in self.targets.iter().enumerate() {
            let name = t.name.get_ref();
            let shown = quoted(name);
            let name_ok = (1..=64).contains(&name.len())
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
            if !name_ok {
                return Err(format!(
                    "{}target #{} has the name {}: use 1 to 64 letters, digits, '-', '_' \
                     or '.'",
                    at(t.name.span()),
                    i + 1,
                    quoted(name)
                ));
            }
            if t.profile.as_deref().is_some_and(|p| p.trim().is_empty()) {
                return Err(format!(
                    "{}target {shown} has an empty profile: name one, or leave it out",
                    at(t.name.span())
                ));
            }
            if names.insert(name, i).is_some() {
                return Err(format!(
                    "{}two [[targets]] are named {shown}: names must be unique",
                    at(t.name.span())
                ));
            }
            if t.regions.is_empty() {
                return Err(format!(
                    "{}target {shown} has no regions: give regions = [\"us-east-1\", ...]",
                    at(t.name.span())
                ));
            }
            if t.external_id.is_some() && t.role_arn.is_none() {
                return Err(format!(
                    "{}target {shown} has an external_id but no role_arn: the external ID is \
                     only sent when assuming a role",
                    at(t.name.span())
                ));
            }
            for r in &t.regions {
                // A role's account is known: two roles into one account are one place.
                let key = match t.role_arn.as_deref().and_then(crate::ids::role_account) {
                    Some(account) => (Some(account), None, r.0.as_str()),
                    None => (None, t.profile.as_deref(), r.0.as_str()),
                };
                if let Some(other) = covered.insert(key, name) {
                    return Err(format!(
                        "{}targets {} and {shown} both cover region {} of the same \
                         account: each table would be worked on twice, possibly under two \
                         policies; list the region once",
                        at(t.name.span()),
                        quoted(other),
                        r.0
                    ));
                }
            }
        }
        for p in &self.policies {
            if let Some(t) = p.target_names().first().filter(|_| self.targets.is_empty()) {
                return Err(format!(
                    "{}policy {} names targets, but the config defines no [[targets]]",
                    at(t.span()),
                    quoted(&p.name)
                ));
            }
            if let Some(list) = p.targets.as_ref().filter(|l| l.get_ref().is_empty()) {
                return Err(format!(
                    "{}policy {} has targets = [], which applies it nowhere: name targets, or \
                     leave targets out to apply it everywhere",
                    at(list.span()),
                    quoted(&p.name)
                ));
            }
            let mut listed = std::collections::BTreeSet::new();
            for t in p.target_names() {
                if !listed.insert(t.get_ref().as_str()) {
                    return Err(format!(
                        "{}policy {} lists target {} twice",
                        at(t.span()),
                        quoted(&p.name),
                        quoted(t.get_ref())
                    ));
                }
                if !names.contains_key(t.get_ref().as_str()) {
                    let known: Vec<&str> = names.keys().copied().collect();
                    return Err(format!(
                        "{}policy {} names target {}, which is not defined (targets: {})",
                        at(t.span()),
                        quoted(&p.name),
                        quoted(t.get_ref()),
                        if known.is_empty() {
                            "none; add [[targets]] sections".to_string()
                        } else {
                            known.join(", ")
                        }
                    ));
                }
            }
        }
        for t in &self.targets {
            let name = t.name.get_ref();
            let shown = quoted(name);
            if !self.policies.iter().any(|p| {
                p.targets.is_none() || p.target_names().iter().any(|x| x.get_ref() == name)
            }) {
                return Err(format!(
                    "{}no policy applies in target {shown}: name it in a policy's targets, or \
                     leave a policy's targets out (it then applies everywhere)",
                    at(t.name.span())
                ));
            }
        }
        Ok(())
    }

    /// True when policy `i` applies in the target named `target` (config targets have
    /// names; command-line targets are `None`, where every policy applies).
    pub fn applies(&self, i: usize, target: Option<&str>) -> bool {
        let p = &self.policies[i];
        match target {
            Some(t) if p.targets.is_some() => p.target_names().iter().any(|x| x.get_ref() == t),
            _ => true,
        }
    }

    fn validate(&self) -> Result<(), String> {
        self.validate_policies().map_err(|m| format!(": {m}"))
    }

    fn validate_policies(&self) -> Result<(), String> {
        if self.policies.is_empty() {
            return Err(
                "no [[policy]] defined: add at least one (see examples/ddb-backup.toml)".into(),
            );
        }
        let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
        for (i, p) in self.policies.iter().enumerate() {
            if p.name.trim().is_empty() {
                return Err(format!("policy #{} has an empty name", i + 1));
            }
            if p.name.chars().any(char::is_control) {
                return Err(format!(
                    "policy #{} has a name with a control character (such as a newline): {}; \
                     use printable characters only",
                    i + 1,
                    quoted(&p.name.escape_debug().to_string())
                ));
            }
            if let Some(j) = seen.insert(&p.name, i) {
                return Err(format!(
                    "policies #{} and #{} are both named {}: names must be unique",
                    j + 1,
                    i + 1,
                    quoted(&p.name)
                ));
            }
            if p.selection().validate().is_err() {
                return Err(format!(
                    "policy {} selects no tables: give tables, match, tags or all_tables = true",
                    quoted(&p.name)
                ));
            }
            if let Some(r) = &p.retention {
                if r.policy_is_empty() {
                    return Err(format!(
                        "policy {} has a [retention] with no keep rule: refusing to delete every \
                         backup; add e.g. keep_daily = 7, or remove the section to only back up",
                        quoted(&p.name)
                    ));
                }
            }
        }
        self.check_overlaps_offline()
    }

    /// A table claimed by two policies, as far as can be told without listing tables:
    /// a table named in one policy and named, globbed or covered by `all_tables` in another.
    fn check_overlaps_offline(&self) -> Result<(), String> {
        for (i, a) in self.policies.iter().enumerate() {
            for b in self
                .policies
                .iter()
                .skip(i + 1)
                .filter(|b| a.shares_a_target(b))
            {
                for (x, y) in [(a, b), (b, a)] {
                    for t in &x.tables {
                        let name = table_name(t);
                        if y.claims_by_name(name) && !x.selection().excluded(name) {
                            return Err(overlap_message(name, &a.name, &b.name));
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// Which policy each table belongs to, given each policy's resolved tables (in policy
    /// order): the first policy that claims it. A table claimed by several policies (found
    /// only once tags or globs are resolved) is returned with the conflict's description.
    pub fn assign(&self, resolved: &[Vec<String>]) -> BTreeMap<String, (usize, Option<String>)> {
        let mut owner: BTreeMap<String, (usize, Option<String>)> = BTreeMap::new();
        for (i, tables) in resolved.iter().enumerate() {
            for t in tables {
                let entry = owner.entry(table_name(t).to_string()).or_insert((i, None));
                if entry.0 != i && entry.1.is_none() {
                    entry.1 = Some(overlap_message(
                        table_name(t),
                        &self.policies[entry.0].name,
                        &self.policies[i].name,
                    ));
                }
            }
        }
        owner
    }
}

fn overlap_message(table: &str, a: &str, b: &str) -> String {
    format!(
        "table {} is claimed by two policies, {} and {}: a table may belong to one \
         policy only (narrow one with exclude = [...])",
        quoted(table),
        quoted(a),
        quoted(b)
    )
}

impl PolicyConfig {
    /// The targets this policy names (empty when it applies everywhere).
    pub fn target_names(&self) -> &[toml::Spanned<String>] {
        self.targets
            .as_ref()
            .map(|l| l.get_ref().as_slice())
            .unwrap_or(&[])
    }

    /// True when this policy and `other` can apply in one target.
    fn shares_a_target(&self, other: &PolicyConfig) -> bool {
        let (a, b) = (self.target_names(), other.target_names());
        a.is_empty()
            || b.is_empty()
            || a.iter()
                .any(|x| b.iter().any(|y| x.get_ref() == y.get_ref()))
    }

    /// This policy's tables as a command-line style selection.
    pub fn selection(&self) -> TableSelection {
        TableSelection {
            tables: self.tables.clone(),
            globs: self.globs.clone(),
            tags: self
                .tags
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            all_tables: self.all_tables,
            excludes: self.exclude.clone(),
        }
    }

    /// True when this policy selects `name` by name alone (named, globbed or all_tables,
    /// and not excluded). Tag-only selections need a listing and say false here. A work
    /// table of this tool is claimed only by naming it, as in the selection itself.
    fn claims_by_name(&self, name: &str) -> bool {
        let sel = self.selection();
        if sel.excluded(name) || !self.tags.is_empty() {
            return false;
        }
        let listed = crate::names::work_table(name).is_none();
        self.tables.iter().any(|t| table_name(t) == name)
            || listed && self.all_tables
            || listed
                && self
                    .globs
                    .iter()
                    .any(|g| Pattern::new(g).is_ok_and(|p| p.matches(name)))
    }
}

impl RetentionSection {
    /// The keep rules, as `prune` takes them.
    pub fn keep_opts(&self) -> KeepOpts {
        KeepOpts {
            keep_last: self.keep_last,
            keep_hourly: self.keep_hourly,
            keep_daily: self.keep_daily,
            keep_weekly: self.keep_weekly,
            keep_monthly: self.keep_monthly,
            keep_yearly: self.keep_yearly,
            keep_within: self.keep_within.clone(),
            keep_within_hourly: self.keep_within_hourly.clone(),
            keep_within_daily: self.keep_within_daily.clone(),
            keep_within_weekly: self.keep_within_weekly.clone(),
            keep_within_monthly: self.keep_within_monthly.clone(),
            keep_within_yearly: self.keep_within_yearly.clone(),
        }
    }

    /// The safety rails, as `prune` takes them (unset fields stay unset).
    pub fn rail_opts(&self) -> RailOpts {
        RailOpts {
            min_keep: self.min_keep,
            require_recent: self.require_recent.clone(),
            max_delete: self.max_delete,
            include_unmanaged: self.include_unmanaged.unwrap_or(false),
            timezone: self.timezone,
        }
    }

    fn policy_is_empty(&self) -> bool {
        crate::retention::Policy::from(&self.keep_opts()).is_empty()
    }
}

/// The config path from `--config` or `DDB_BACKUP_CONFIG` (clap reads both).
pub fn path_or_usage(path: Option<&PathBuf>) -> Result<&PathBuf, UsageError> {
    path.ok_or_else(|| {
        UsageError::new(format!(
            "no config file: give --config PATH or set {CONFIG_ENV}"
        ))
    })
}

/// The mode and owner of a config file or of a directory holding it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Access {
    pub mode: u32,
    pub uid: u32,
}

const WORLD_WRITABLE: u32 = 0o002;
const GROUP_WRITABLE: u32 = 0o020;
const STICKY: u32 = 0o1000;

/// Who besides the user running (`me`) may change the config at `path`, from the file's
/// and its directories' modes and owners. An error when every user may: the file is
/// world-writable, or a directory holding it is (without the sticky bit, which lets only
/// a file's owner replace it, as in /tmp). Warnings when a group may (group-writable) or
/// another user than `me` and root owns the file or a directory holding it (as OpenSSH
/// checks its own files).
pub fn exposure(
    path: &Path,
    file: Access,
    dirs: &[(PathBuf, Access)],
    me: u32,
) -> Result<Vec<String>, String> {
    let shown = path.display();
    let mode = |a: Access| format!("{:04o}", a.mode & 0o7777);
    if file.mode & WORLD_WRITABLE != 0 {
        return Err(format!(
            "config {shown} is writable by every user (mode {}): anyone on this host could \
             change what gets deleted; fix with: chmod o-w {shown}",
            mode(file)
        ));
    }
    for (dir, a) in dirs {
        if a.mode & WORLD_WRITABLE != 0 && a.mode & STICKY == 0 {
            return Err(format!(
                "config {shown} is in {}, which every user can write to (mode {}): anyone on \
                 this host could replace the file and change what gets deleted; fix with: \
                 chmod o-w {}",
                dir.display(),
                mode(*a),
                dir.display()
            ));
        }
    }
    let mut warnings = Vec::new();
    let foreign = |uid: u32| uid != me && uid != 0;
    if file.mode & GROUP_WRITABLE != 0 {
        warnings.push(format!(
            "config {shown} is writable by its group (mode {}): its members could change what \
             gets deleted; fix with: chmod g-w {shown}",
            mode(file)
        ));
    }
    if foreign(file.uid) {
        warnings.push(format!(
            "config {shown} is owned by uid {}, neither the user running (uid {me}) nor root: \
             that user could change what gets deleted; fix with: chown {me} {shown}",
            file.uid
        ));
    }
    for (dir, a) in dirs {
        if a.mode & STICKY != 0 {
            continue;
        }
        if a.mode & GROUP_WRITABLE != 0 {
            warnings.push(format!(
                "config {shown} is in {}, which its group can write to (mode {}): its members \
                 could replace the file and change what gets deleted; fix with: chmod g-w {}",
                dir.display(),
                mode(*a),
                dir.display()
            ));
        }
        if foreign(a.uid) {
            warnings.push(format!(
                "config {shown} is in {}, owned by uid {}, neither the user running (uid {me}) \
                 nor root: that user could replace the file and change what gets deleted",
                dir.display(),
                a.uid
            ));
        }
    }
    Ok(warnings)
}

/// [`exposure`] of the open config file `meta` at `path`: the directory named in `path`
/// and, when `path` goes through links, the one the file really is in.
#[cfg(unix)]
fn check_exposure(path: &Path, meta: &std::fs::Metadata) -> Result<Vec<String>, UsageError> {
    use std::os::unix::fs::MetadataExt;
    let access = |m: &std::fs::Metadata| Access {
        mode: m.mode(),
        uid: m.uid(),
    };
    let named = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut dirs: Vec<(PathBuf, Access)> = Vec::new();
    let real = std::fs::canonicalize(path)
        .ok()
        .and_then(|p| p.parent().map(Path::to_path_buf));
    for dir in std::iter::once(named).chain(real) {
        if dirs.iter().any(|(d, _)| *d == dir) {
            continue;
        }
        let m = std::fs::metadata(&dir).map_err(|e| {
            UsageError::new(format!(
                "cannot read config file {}: its directory {}: {e}",
                path.display(),
                dir.display()
            ))
        })?;
        dirs.push((dir, access(&m)));
    }
    let me = rustix::process::geteuid().as_raw();
    exposure(path, access(meta), &dirs, me).map_err(UsageError::new)
}

/// 1-based line and column (in characters) of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let col = before
        .rsplit('\n')
        .next()
        .map(|l| l.chars().count())
        .unwrap_or(0)
        + 1;
    (line, col)
}

// ---- value deserializers: each reuses the command line's parser and message ----

fn parsed<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: FromStr<Err = String>,
{
    let s = String::deserialize(d)?;
    s.parse::<T>().map_err(de::Error::custom)
}

fn parsed_opt<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: FromStr<Err = String>,
{
    let s = String::deserialize(d)?;
    s.parse::<T>().map(Some).map_err(de::Error::custom)
}

fn timezone_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Tz>, D::Error> {
    let s = String::deserialize(d)?;
    crate::cli::parse_timezone(&s)
        .map(Some)
        .map_err(de::Error::custom)
}

fn multiplier_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    let v = f64::deserialize(d)?;
    crate::cli::parse_multiplier(&v.to_string())
        .map(Some)
        .map_err(de::Error::custom)
}

fn concurrency_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    let v = u32::deserialize(d)?;
    if (1..=256).contains(&v) {
        Ok(Some(v))
    } else {
        Err(de::Error::custom(format!(
            "invalid concurrency {v}: give 1 to 256"
        )))
    }
}

fn max_delete_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    let v = u32::deserialize(d)?;
    if v == 0 {
        Err(de::Error::custom(
            "invalid max_delete 0: give at least 1 (or leave it out for no limit)",
        ))
    } else {
        Ok(Some(v))
    }
}

fn region_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Region>, D::Error> {
    let v = Vec::<String>::deserialize(d)?;
    let mut out: Vec<Region> = Vec::new();
    for r in v {
        let r: Region = r.parse().map_err(de::Error::custom)?;
        if out.contains(&r) {
            return Err(de::Error::custom(format!("region {} is listed twice", r.0)));
        }
        out.push(r);
    }
    Ok(out)
}

fn role_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let s = String::deserialize(d)?;
    crate::cli::parse_role_arn(&s)
        .map(Some)
        .map_err(de::Error::custom)
}

fn external_id_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let s = String::deserialize(d)?;
    crate::cli::parse_external_id(&s)
        .map(Some)
        .map_err(de::Error::custom)
}

fn table_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    let v = Vec::<String>::deserialize(d)?;
    for t in &v {
        crate::cli::parse_table(t).map_err(de::Error::custom)?;
    }
    Ok(v)
}

fn glob_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    let v = Vec::<String>::deserialize(d)?;
    for g in &v {
        crate::cli::parse_glob(g).map_err(de::Error::custom)?;
    }
    Ok(v)
}

/// A keep count: a whole number ≥ 1 or "unlimited".
fn count_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Count>, D::Error> {
    struct CountVisitor;
    impl Visitor<'_> for CountVisitor {
        type Value = Count;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a whole number ≥ 1 or \"unlimited\"")
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Count, E> {
            v.to_string().parse().map_err(E::custom)
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Count, E> {
            v.to_string().parse().map_err(E::custom)
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Count, E> {
            v.parse().map_err(E::custom)
        }
    }
    d.deserialize_any(CountVisitor).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_config_others_can_change_is_refused_or_warned_about() {
        let path = Path::new("/etc/ddb/ddb.toml");
        let me = 1000;
        let file = |mode, uid| Access { mode, uid };
        let dir = |mode, uid| vec![(PathBuf::from("/etc/ddb"), Access { mode, uid })];
        let safe = dir(0o40755, 0);
        // Mine or root's, writable by the owner only: nothing to say.
        for f in [file(0o100644, me), file(0o100600, 0), file(0o100400, me)] {
            assert_eq!(exposure(path, f, &safe, me), Ok(vec![]));
        }
        assert_eq!(
            exposure(path, file(0o100644, me), &dir(0o40700, me), me),
            Ok(vec![])
        );
        // Every user may write the file: refused, whoever owns it and wherever it is.
        for f in [file(0o100666, me), file(0o100646, 0), file(0o100777, 0)] {
            let e = exposure(path, f, &safe, me).unwrap_err();
            assert!(e.contains("writable by every user"), "{e}");
            assert!(e.ends_with("fix with: chmod o-w /etc/ddb/ddb.toml"), "{e}");
        }
        let e = exposure(path, file(0o100666, me), &safe, me).unwrap_err();
        assert!(e.contains("(mode 0666)"), "{e}");
        // Every user may write the directory: refused, unless it is sticky.
        let e = exposure(path, file(0o100644, me), &dir(0o40777, 0), me).unwrap_err();
        assert!(e.contains("is in /etc/ddb, which every user can write to (mode 0777)"));
        assert!(e.ends_with("fix with: chmod o-w /etc/ddb"), "{e}");
        assert_eq!(
            exposure(path, file(0o100600, me), &dir(0o41777, 0), me),
            Ok(vec![])
        );
        // In a sticky directory only the file counts.
        assert!(exposure(path, file(0o100666, me), &dir(0o41777, 0), me).is_err());
        // A group may write: a warning each for the file and the directory.
        let w = exposure(path, file(0o100664, me), &dir(0o40775, 0), me).unwrap();
        assert_eq!(w.len(), 2, "{w:?}");
        assert!(w[0].contains("writable by its group (mode 0664)"), "{w:?}");
        assert!(w[0].ends_with("chmod g-w /etc/ddb/ddb.toml"), "{w:?}");
        assert!(w[1].ends_with("chmod g-w /etc/ddb"), "{w:?}");
        // Another user than me and root: a warning; root running sees users' files so too.
        let w = exposure(path, file(0o100644, 1001), &safe, me).unwrap();
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(w[0].contains("owned by uid 1001"), "{w:?}");
        let w = exposure(path, file(0o100644, me), &dir(0o40755, 1001), 0).unwrap();
        assert_eq!(w.len(), 2, "{w:?}");
        assert!(w[1].contains("is in /etc/ddb, owned by uid 1001"), "{w:?}");
        // Every directory holding it counts (the link's and the file's).
        let two = vec![
            (
                PathBuf::from("/etc/ddb"),
                Access {
                    mode: 0o40755,
                    uid: 0,
                },
            ),
            (
                PathBuf::from("/srv/real"),
                Access {
                    mode: 0o40777,
                    uid: 0,
                },
            ),
        ];
        let e = exposure(path, file(0o100644, me), &two, me).unwrap_err();
        assert!(e.contains("/srv/real"), "{e}");
    }

    fn parse(text: &str) -> Result<Config, String> {
        Config::parse(text, Path::new("c.toml")).map_err(|e| e.to_string())
    }

    #[test]
    fn the_example_config_is_valid() {
        let c = parse(include_str!("../examples/ddb-backup.toml")).unwrap();
        assert!(c.policies.len() >= 2);
        assert!(c.policies.iter().any(|p| p.retention.is_some()));
    }

    #[test]
    fn a_minimal_config() {
        let c = parse(
            r#"
[[policy]]
name = "prod"
tables = ["orders"]
[policy.retention]
keep_daily = 7
keep_monthly = "unlimited"
"#,
        )
        .unwrap();
        let r = c.policies[0].retention.as_ref().unwrap();
        assert_eq!(r.keep_daily, Some(Count::Limited(7)));
        assert_eq!(r.keep_monthly, Some(Count::Unlimited));
    }

    #[test]
    fn errors_carry_file_line_and_column() {
        let e = parse("[[policy]]\nname = \"p\"\ntables = [\"orders\"]\n[policy.backup]\nskip_if_recent = \"soon\"\n")
            .unwrap_err();
        assert!(
            e.starts_with("config c.toml:5:18: invalid duration 'soon'"),
            "{e}"
        );
        let e =
            parse("[[policy]]\nname = \"p\"\ntables = [\"orders\"]\nkeep_daily = 7\n").unwrap_err();
        assert!(
            e.starts_with("config c.toml:4:1: unknown field `keep_daily`"),
            "{e}"
        );
        let e = parse("[defaults]\nregion = 5\n").unwrap_err();
        assert!(e.starts_with("config c.toml:2:10: invalid type"), "{e}");
        let e = parse("[[policy]\n").unwrap_err();
        assert!(e.starts_with("config c.toml:1:"), "{e}");
        assert!(!e.contains('\n'));
    }

    #[test]
    fn bad_values_are_refused() {
        for (text, want) in [
            ("[[policy]]\nname=\"p\"\ntables=[\"ab\"]\n", "invalid table name 'ab'"),
            ("[[policy]]\nname=\"p\"\nmatch=[\"[\"]\n", "invalid glob"),
            ("[[policy]]\nname=\"p\"\ntables=[\"t1x\"]\n[policy.retention]\nkeep_daily=0\n", "invalid count '0'"),
            ("[[policy]]\nname=\"p\"\ntables=[\"t1x\"]\n[policy.retention]\nkeep_daily=-3\n", "invalid count '-3'"),
            ("[[policy]]\nname=\"p\"\ntables=[\"t1x\"]\n[policy.retention]\ntimezone=\"Mars/Base\"\nkeep_last=1\n", "unknown timezone"),
            ("[[policy]]\nname=\"p\"\ntables=[\"t1x\"]\n[policy.retention]\nmin_keep=2\n", "no keep rule"),
            ("[[policy]]\nname=\"p\"\n", "selects no tables"),
            ("[defaults]\nendpoint_url=\"localhost\"\n[[policy]]\nname=\"p\"\nall_tables=true\n", "invalid endpoint URL"),
            ("[defaults]\nname=\"nightly\"\n", "needs {timestamp} or {date}"),
            ("", "no [[policy]]"),
            ("[[policy]]\nname=\"p\"\nall_tables=true\n[[policy]]\nname=\"p\"\ntables=[\"abc\"]\n", "both named 'p'"),
        ] {
            let e = parse(text).unwrap_err();
            assert!(e.contains(want), "{text:?}: {e}");
        }
    }

    #[test]
    fn overlapping_policies_are_found_offline() {
        let e = parse(
            "[[policy]]\nname=\"a\"\ntables=[\"orders\"]\n[[policy]]\nname=\"b\"\nmatch=[\"ord*\"]\n",
        )
        .unwrap_err();
        assert!(
            e.contains("'orders' is claimed by two policies, 'a' and 'b'"),
            "{e}"
        );
        // An exclusion resolves it.
        parse("[[policy]]\nname=\"a\"\ntables=[\"orders\"]\n[[policy]]\nname=\"b\"\nmatch=[\"ord*\"]\nexclude=[\"orders\"]\n").unwrap();
        // all_tables claims every name.
        let e = parse(
            "[[policy]]\nname=\"a\"\nall_tables=true\n[[policy]]\nname=\"b\"\ntables=[\"users\"]\n",
        )
        .unwrap_err();
        assert!(e.contains("'users'"), "{e}");
        // ...but not this tool's work tables, which only naming them selects: a policy
        // that names one does not clash with all_tables or a glob.
        for other in ["all_tables=true", "match=[\"orders*\"]"] {
            parse(&format!("[[policy]]\nname=\"a\"\n{other}\n[[policy]]\nname=\"b\"\ntables=[\"orders-verify-20261122T090507Z\", \"orders-replace-20261122T090507Z\"]\n")).unwrap();
        }
    }

    #[test]
    fn assignment_after_listing_names_both_policies() {
        let c = parse(
            "[[policy]]\nname=\"a\"\nmatch=[\"o*\"]\n[[policy]]\nname=\"b\"\nmatch=[\"*s\"]\n",
        )
        .unwrap();
        let ok = c.assign(&[vec!["orders1".into()], vec!["users".into()]]);
        assert_eq!(ok.get("users"), Some(&(1, None)));
        let both = c.assign(&[vec!["orders".into()], vec!["orders".into(), "users".into()]]);
        let (owner, conflict) = both.get("orders").unwrap();
        assert_eq!(*owner, 0);
        let e = conflict.as_deref().unwrap();
        assert!(
            e.contains("'orders' is claimed by two policies, 'a' and 'b'"),
            "{e}"
        );
        assert_eq!(both.get("users"), Some(&(1, None)));
        // The same table by name and by ARN in one policy is one table.
        let one = c.assign(&[vec![
            "orders".into(),
            "arn:aws:dynamodb:us-east-1:123456789012:table/orders".into(),
        ]]);
        assert_eq!(one.len(), 1);
        assert_eq!(one.get("orders"), Some(&(0, None)));
    }

    /// Random configs built from the real keys with good and bad values: the loader never
    /// panics, and every error is one line naming the file.
    fn arb_config() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let key = prop::sample::select(vec![
            "name",
            "tables",
            "match",
            "exclude",
            "tags",
            "all_tables",
            "skip_if_recent",
            "wait",
            "timeout",
            "keep_last",
            "keep_daily",
            "keep_within",
            "keep_weekly",
            "min_keep",
            "max_delete",
            "require_recent",
            "timezone",
            "region",
            "endpoint_url",
            "bogus",
        ]);
        let value = prop::sample::select(vec![
            "\"p\"",
            "[\"orders\"]",
            "[\"o*\"]",
            "[\"ab\"]",
            "[\"[\"]",
            "{ k = \"v\" }",
            "true",
            "7",
            "0",
            "-1",
            "\"unlimited\"",
            "\"7d\"",
            "\"soon\"",
            "\"UTC\"",
            "\"Mars/X\"",
            "\"http://127.0.0.1:1\"",
            "1.5",
            "[1, 2]",
            "\"\"",
            "{",
            "\"ddb-backup.{table}.{date}\"",
        ]);
        let section = prop::sample::select(vec![
            "[[policy]]",
            "[policy.backup]",
            "[policy.retention]",
            "[defaults]",
            "",
        ]);
        prop::collection::vec((section, prop::collection::vec((key, value), 0..5)), 0..6).prop_map(
            |parts| {
                let mut text = String::new();
                for (section, pairs) in parts {
                    text.push_str(section);
                    text.push('\n');
                    for (k, v) in pairs {
                        text.push_str(&format!("{k} = {v}\n"));
                    }
                }
                text
            },
        )
    }

    proptest::proptest! {
        #[test]
        fn the_loader_never_panics_and_errors_are_one_line(text in arb_config()) {
            if let Err(e) = Config::parse(&text, Path::new("f.toml")) {
                let msg = e.to_string();
                proptest::prop_assert!(msg.starts_with("config f.toml"), "{}", msg);
                proptest::prop_assert!(!msg.contains('\n'), "{}", msg);
            }
        }

        #[test]
        fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
            let _ = Config::parse(&text, Path::new("f.toml"));
        }
    }

    #[test]
    fn line_and_column_count_characters() {
        assert_eq!(line_col("ab\ncd", 0), (1, 1));
        assert_eq!(line_col("ab\ncd", 4), (2, 2));
        assert_eq!(line_col("é\nx", 3), (2, 1));
    }

    #[test]
    fn policies_in_disjoint_targets_may_name_the_same_table() {
        let targets = "[[targets]]\nname = \"a\"\nregions = [\"us-east-1\"]\n\
                       [[targets]]\nname = \"b\"\nregions = [\"eu-west-1\"]\n";
        let two = |ta: &str, tb: &str| {
            format!(
                "{targets}[[policy]]\nname = \"p\"\n{ta}tables = [\"orders\"]\n\
                 [[policy]]\nname = \"q\"\n{tb}tables = [\"orders\"]\n"
            )
        };
        assert!(parse(&two("targets = [\"a\"]\n", "targets = [\"b\"]\n")).is_ok());
        for (ta, tb) in [
            ("targets = [\"a\"]\n", "targets = [\"a\", \"b\"]\n"),
            ("targets = [\"a\"]\n", ""),
            ("", ""),
        ] {
            let e = parse(&two(ta, tb)).unwrap_err();
            assert!(e.contains("claimed by two policies"), "{e}");
        }
    }
}
