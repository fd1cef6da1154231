//! The command line: clap definitions only (no SDK types, no logic).

use clap::{ArgAction, Args, Parser, Subcommand, ValueEnum};

use crate::error::quoted;
use crate::ids::parse_region;
use crate::names::{parse_template, NameTemplate};
use crate::retention::Count;
use crate::timeparse::{parse_span, parse_time, Span, TimeSpec};

pub mod exports;
pub mod help;
pub use exports::{ArchiveOpts, ExportArgs, ImportArgs};
pub use help::try_parse_from;

const ABOUT: &str = "Scheduled DynamoDB on-demand backups, a retention policy that cannot delete \
the wrong thing, listing and restore.";

const LONG_ABOUT: &str = "\
ddb-backup takes Amazon DynamoDB on-demand backups (CreateBackup), prunes old ones by a \
restic-style retention policy with safety rails, lists and describes them, and restores tables \
from them, ready to use. Run it from cron or a systemd timer, by hand during an incident, or as \
a CI step before a risky migration.

Credentials come from the standard AWS chain (environment, profiles, SSO, web identity, \
instance roles).";

#[derive(Debug, Parser)]
#[command(
    name = "ddb-backup",
    version,
    about = ABOUT,
    long_about = LONG_ABOUT,
    after_help = MAIN_AFTER_HELP,
    propagate_version = true,
    disable_help_subcommand = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalOpts,

    #[command(subcommand)]
    pub command: Command,
}

const MAIN_AFTER_HELP: &str = concat!(
    "Examples:\n",
    "  ddb-backup backup --table orders --wait\n",
    "  ddb-backup list --table orders\n",
    "  ddb-backup prune --table orders --keep-daily 7 --keep-weekly 4 --dry-run\n",
    "  ddb-backup restore --table orders --latest --target orders-restored --wait\n",
    "\n",
    crate::exit_codes_text!()
);

/// Output formats for data on stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// A human-readable table (the default on a terminal).
    Table,
    /// One JSON document (the default when stdout is not a terminal).
    Json,
    /// One JSON object per line.
    Ndjson,
    /// Comma-separated values, one row per table, for spreadsheets (report only).
    Csv,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// Options valid on every subcommand. A later value of one of these replaces an earlier one
/// (wrappers add their own); a subcommand's options may be given once only.
#[derive(Debug, Clone, Args)]
pub struct GlobalOpts {
    /// AWS region(s): comma-separated or repeated, each a target of the run
    /// (e.g. --region us-east-1,eu-west-1) [default: the SDK's chain: AWS_REGION, the
    /// profile, instance metadata]
    #[arg(long, global = true, value_name = "REGION", value_parser = parse_region, value_delimiter = ',', action = ArgAction::Append)]
    pub region: Vec<String>,

    /// Assume this IAM role (STS AssumeRole from the base credentials) and work in its
    /// account; repeat for several accounts: each role × region is a target
    /// (e.g. --role-arn arn:aws:iam::222222222222:role/ddb-backup)
    #[arg(long, global = true, value_name = "ARN", value_parser = parse_role_arn, value_delimiter = ',', action = ArgAction::Append)]
    pub role_arn: Vec<String>,

    /// External ID to pass when assuming --role-arn roles (when their trust policy asks for one)
    #[arg(long, global = true, value_name = "ID", value_parser = parse_external_id, overrides_with = "external_id")]
    pub external_id: Option<String>,

    /// How many targets (account × region) are worked on at once [default: all]
    #[arg(long, global = true, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=256), overrides_with = "target_concurrency")]
    pub target_concurrency: Option<u32>,

    /// Named profile from ~/.aws/config and ~/.aws/credentials (SSO profiles work)
    #[arg(long, global = true, value_name = "NAME", overrides_with = "profile")]
    pub profile: Option<String>,

    /// DynamoDB endpoint (e.g. a local emulator); AWS_ENDPOINT_URL_DYNAMODB and AWS_ENDPOINT_URL are honoured too. Plain http:// to a host other than this machine is warned about (requests and answers travel unencrypted): use https
    #[arg(long, global = true, value_name = "URL", value_parser = parse_url, overrides_with = "endpoint_url")]
    pub endpoint_url: Option<String>,

    /// Output format of the data on stdout [default: table on a terminal, json otherwise]
    #[arg(
        long,
        short = 'o',
        global = true,
        value_enum,
        value_name = "FORMAT",
        overrides_with = "output"
    )]
    pub output: Option<OutputFormat>,

    /// Tables at full length: every column, no cell cut [default: tables fit the terminal's
    /// width, COLUMNS, or 80 columns when neither is known]
    #[arg(long, global = true)]
    pub wide: bool,

    /// More log detail on stderr (-v debug, -vv debug for the AWS SDK too, -vvv trace). On
    /// a terminal one step less: warnings and the result by default, -v for the INFO lines
    /// (printed above the progress bar)
    #[arg(long, short = 'v', global = true, action = ArgAction::Count, conflicts_with = "quiet")]
    pub verbose: u8,

    /// No diagnostics: no log lines or progress, only errors. Read commands (list,
    /// describe, check, config check, report) and dry runs still print their data;
    /// commands that change something print nothing when they succeed, and without -o a
    /// failed `run` prints a short summary on stderr instead of its report (for cron: mail
    /// only on failure)
    #[arg(long, short = 'q', global = true)]
    pub quiet: bool,

    /// Log format on stderr
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text, value_name = "FORMAT", overrides_with = "log_format")]
    pub log_format: LogFormat,

    /// Colours in tables and logs (NO_COLOR is respected under auto)
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN", overrides_with = "color")]
    pub color: ColorChoice,

    /// Attempts per AWS call: throttling, server errors, timeouts and busy tables/backups are
    /// retried with jittered exponential backoff, every attempt paced under the documented rates
    #[arg(long, global = true, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=20), value_name = "N", overrides_with = "max_attempts")]
    pub max_attempts: u32,

    /// First retry backoff; doubles on each retry, capped at 20s
    #[arg(long, global = true, default_value = "1s", value_parser = parse_span, value_name = "DURATION", overrides_with = "retry_backoff")]
    pub retry_backoff: Span,

    /// Time allowed to open a connection to DynamoDB
    #[arg(long, global = true, default_value = "5s", value_parser = parse_span, value_name = "DURATION", overrides_with = "connect_timeout")]
    pub connect_timeout: Span,

    /// Time allowed for DynamoDB to answer one request
    #[arg(long, global = true, default_value = "30s", value_parser = parse_span, value_name = "DURATION", overrides_with = "read_timeout")]
    pub read_timeout: Span,

    /// Scale the client-side pacing under DynamoDB's documented per-operation rate limits
    /// (1 = 95% of the documented rates; 0 = no pacing; only endpoints with other limits need this) [default: 1]
    #[arg(long, global = true, value_parser = parse_multiplier, value_name = "FACTOR", overrides_with = "rate_multiplier")]
    pub rate_multiplier: Option<f64>,
}

impl GlobalOpts {
    /// `-q` without `-o`: a mutating command is silent on success and, on failure, says
    /// what failed in a few lines on stderr (what cron mails) instead of its whole report.
    pub fn summary_only(&self) -> bool {
        self.quiet && self.output.is_none()
    }
}

pub fn parse_url(s: &str) -> Result<String, String> {
    let ok = (s.starts_with("http://") || s.starts_with("https://"))
        && s.len() > "http://".len()
        && !s.contains(char::is_whitespace);
    if ok {
        Ok(s.to_string())
    } else {
        Err(format!(
            "invalid endpoint URL {}: give an http:// or https:// URL, e.g. http://127.0.0.1:8000",
            quoted(s)
        ))
    }
}

/// The pacing multiplier: 0 (no pacing), or from 0.01 to 1000 (a tiny positive factor
/// would mean waiting for ages between calls).
pub const MULTIPLIER_MIN: f64 = 0.01;
pub const MULTIPLIER_MAX: f64 = 1000.0;

pub fn parse_multiplier(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if v == 0.0 || (MULTIPLIER_MIN..=MULTIPLIER_MAX).contains(&v) => Ok(v),
        _ => Err(format!(
            "invalid rate multiplier {}: give 0 (no pacing) or a number from \
             {MULTIPLIER_MIN} to {MULTIPLIER_MAX}",
            quoted(s)
        )),
    }
}

/// An IAM role ARN: `arn:<partition>:iam::<12-digit account>:role/<path/name>`.
pub fn parse_role_arn(s: &str) -> Result<String, String> {
    crate::ids::role_account(s)
        .map(|_| s.to_string())
        .ok_or_else(|| {
            format!(
                "invalid role ARN {}: give arn:aws:iam::<12-digit account id>:role/<name>, \
                 e.g. arn:aws:iam::222222222222:role/ddb-backup",
                quoted(s)
            )
        })
}

/// An STS external ID: 2 to 1224 characters of letters, digits and `+=,.@:/-` (STS's rule).
pub fn parse_external_id(s: &str) -> Result<String, String> {
    let ok = (2..=1224).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "+=,.@:/-_".contains(c));
    if ok {
        Ok(s.to_string())
    } else {
        Err(format!(
            "invalid external ID {}: give 2 to 1224 letters, digits or +=,.@:/-_",
            quoted(s)
        ))
    }
}

/// A value that must not be empty (or only spaces).
fn parse_nonempty(s: &str) -> Result<String, String> {
    if s.trim().is_empty() {
        Err("the value must not be empty".into())
    } else {
        Ok(s.to_string())
    }
}

fn parse_backup_name(s: &str) -> Result<String, String> {
    crate::ids::validate_name("backup name", s)?;
    Ok(s.to_string())
}

/// A table given by name or ARN, validated before any call.
pub fn parse_table(s: &str) -> Result<String, String> {
    if s.starts_with("arn:") {
        crate::ids::validate_arn(s, false)?;
    } else {
        crate::ids::validate_name("table name", s)?;
    }
    Ok(s.to_string())
}

fn parse_backup_arn(s: &str) -> Result<String, String> {
    crate::ids::validate_arn(s, true)?;
    Ok(s.to_string())
}

/// A backup ARN, or a backup's id as `list` shows it (the ARN's final part).
fn parse_backup_ref(s: &str) -> Result<String, String> {
    if crate::ids::is_backup_id(s) {
        return Ok(s.to_string());
    }
    parse_backup_arn(s).map_err(|e| {
        format!("{e}, or a backup id as `ddb-backup list` shows it (e.g. 01700000000000-abcd1234)")
    })
}

pub fn parse_glob(s: &str) -> Result<String, String> {
    glob::Pattern::new(s).map_err(|e| format!("invalid glob {}: {e}", quoted(s)))?;
    if s.is_empty() {
        return Err("invalid glob '': it must not be empty".into());
    }
    Ok(s.to_string())
}

fn parse_tag(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.to_string())),
        _ => Err(format!(
            "invalid tag filter {}: use KEY=VALUE, e.g. backup=daily",
            quoted(s)
        )),
    }
}

fn parse_count(s: &str) -> Result<Count, String> {
    s.parse()
}

pub fn parse_timezone(s: &str) -> Result<chrono_tz::Tz, String> {
    s.parse::<chrono_tz::Tz>().map_err(|_| {
        format!(
            "unknown timezone {}: use an IANA name such as UTC, Europe/Berlin or America/New_York",
            quoted(s)
        )
    })
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List backups of tables, newest first
    #[command(after_help = LIST_EXAMPLES)]
    List(ListArgs),
    /// Show everything DescribeBackup knows about one backup, or a table's settings record
    #[command(after_help = DESCRIBE_EXAMPLES)]
    Describe(DescribeArgs),
    /// Create on-demand backups of one table or a fleet
    #[command(after_help = BACKUP_EXAMPLES)]
    Backup(BackupArgs),
    /// Delete old backups made by ddb-backup according to a retention policy
    #[command(after_help = PRUNE_EXAMPLES, long_about = PRUNE_LONG)]
    Prune(Box<PruneArgs>),
    /// Restore a table from a backup or to a point in time
    #[command(after_help = RESTORE_EXAMPLES, long_about = RESTORE_LONG)]
    Restore(Box<RestoreArgs>),
    /// The daily job: back up every table of a config (or the command line), then prune it
    #[command(after_help = RUN_EXAMPLES, long_about = RUN_LONG)]
    Run(Box<RunArgs>),
    /// Verify that tables have a recent AVAILABLE backup (for monitoring and CI gates)
    #[command(after_help = CHECK_EXAMPLES)]
    Check(CheckArgs),

    /// Export tables to S3 (the archive tier), full or incremental
    #[command(after_help = exports::EXPORT_EXAMPLES, long_about = exports::EXPORT_LONG)]
    Export(Box<ExportArgs>),

    /// Create a new table from an export in S3
    #[command(after_help = exports::IMPORT_EXAMPLES, long_about = exports::IMPORT_LONG)]
    Import(Box<ImportArgs>),
    /// Restore drill: restore each table's newest backup to a scratch table, check it, drop it
    #[command(after_help = VERIFY_EXAMPLES, long_about = VERIFY_LONG)]
    Verify(Box<VerifyArgs>),
    /// Evidence and cost at a glance, as a table, JSON, CSV or one HTML page
    #[command(after_help = REPORT_EXAMPLES, long_about = REPORT_LONG)]
    Report(Box<ReportArgs>),
    /// Work with the config file
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish)
    #[command(after_help = COMPLETIONS_EXAMPLES)]
    Completions(CompletionsArgs),
}

pub const REPORT_EXAMPLES: &str = "\
Examples:
  ddb-backup report --config /etc/ddb-backup.toml --html backups.html
  ddb-backup report --all-tables --keep-daily 7 --keep-weekly 4 --output csv
  ddb-backup report --match 'prod-*' --max-age 26h --min-streak-days 30 \\
    --metrics-file /var/lib/prom/ddb-backup.prom";

const REPORT_LONG: &str = concat!(
    "\
Evidence and cost at a glance, for operators and auditors. For every selected table (or \
every table of a config's policies, in its targets), from one backup listing (an \
incomplete or inconsistent listing is shown as such, never as \"no backups\"):

held: AVAILABLE backups by type (managed, unmanaged, SYSTEM, AWS_BACKUP), oldest and \
newest, storage_bytes (the sum of BackupSizeBytes, which DynamoDB updates about every six \
hours) and monthly_cost_usd at the region's on-demand backup storage price
plan: what the retention policy (the config's, or the --keep-* flags) would delete \
now: freed_bytes, freed_monthly_cost_usd, and the reasons each kept backup stays
continuity: streak_days: consecutive days (in --timezone) ending today or yesterday with \
an AVAILABLE backup; gap_days: the days of the last 90 without one (today is not counted \
until it is over); the longest gap
pitr: point-in-time recovery: enabled, recovery period, earliest restorable time
drill: with --metrics-file (the file run and verify write): the last drill's result, \
its date and seconds to ACTIVE
failing: the rules the table breaks (--max-age, --min-count, --min-streak-days: the \
checks of `check`, here as evidence; the exit code does not depend on them)

Costs: backup storage is billed per GB-month (GB = 2^30 bytes), and deleting a backup \
earns a prorated credit for the rest of the month, so freed_monthly_cost_usd is the monthly \
run-rate saved. Prices per GB-month (on-demand backup / PITR) come from a table in the \
program: ",
    "AWS price list for Amazon DynamoDB (aws.amazon.com/dynamodb/pricing), as of 2026-12-03",
    "; --price-per-gb-month replaces the backup price. In a region missing from the table the \
cost is unknown (never zero).

Output: a table on a terminal (one row per table, the summary below), --output json or \
ndjson (the fields above), --output csv; --html FILE also writes one self-contained page \
(no script, no network; light and dark; printable) with a 90-day calendar strip, the held \
and freed cost, PITR and drill badges and the plan of each table.

Exit 0 when every table was reported, 3 when some could not be (an incomplete listing, a \
target out of reach), 1 when none could."
);

#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub config: ConfigOpt,

    #[command(flatten)]
    pub select: TableSelection,

    #[command(flatten)]
    pub name: NameOpts,

    #[command(flatten)]
    pub keep: KeepOpts,

    #[command(flatten)]
    pub rails: RailOpts,

    /// Also write the report as one self-contained HTML page here (atomically)
    #[arg(long, value_name = "FILE")]
    pub html: Option<std::path::PathBuf>,

    /// The metrics file `run` or `verify` writes: each table's last restore drill
    #[arg(long, value_name = "PATH")]
    pub metrics_file: Option<std::path::PathBuf>,

    /// US dollars per GB-month of on-demand backup storage, instead of the price table's
    /// (e.g. a negotiated price, or a region the table does not know)
    #[arg(long, value_name = "USD", value_parser = crate::evidence::prices::parse_price)]
    pub price_per_gb_month: Option<f64>,

    /// A table fails unless its newest AVAILABLE backup made by ddb-backup is younger than this
    #[arg(long, value_parser = parse_span, value_name = "DURATION")]
    pub max_age: Option<Span>,

    /// A table fails unless it has at least N AVAILABLE backups made by ddb-backup
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..), value_name = "N")]
    pub min_count: Option<u32>,

    /// A table fails unless its streak (days in a row with a backup) is at least N days
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..), value_name = "N")]
    pub min_streak_days: Option<u32>,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: clap_complete::Shell,
}

pub const COMPLETIONS_EXAMPLES: &str = "\
Examples:
  ddb-backup completions bash > /etc/bash_completion.d/ddb-backup
  ddb-backup completions zsh > \"${fpath[1]}/_ddb-backup\"
  ddb-backup completions fish > ~/.config/fish/completions/ddb-backup.fish";

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Validate a config file and show which table gets which policy
    #[command(after_help = CONFIG_CHECK_EXAMPLES)]
    Check(ConfigCheckArgs),
    /// Print a commented starter config for the tables of the account and region
    #[command(after_help = CONFIG_INIT_EXAMPLES)]
    Init(ConfigInitArgs),
}

#[derive(Debug, Args)]
pub struct ConfigInitArgs {}

pub const CONFIG_INIT_EXAMPLES: &str = "\
Examples:
  ddb-backup config init --region eu-west-1 > ddb-backup.toml
  ddb-backup config init --profile prod > /etc/ddb-backup.toml";

pub const RUN_EXAMPLES: &str = "\
Examples:
  ddb-backup run -c /etc/ddb-backup.toml -q \\
    --metrics-file /var/lib/prom/ddb-backup.prom
  ddb-backup run --config ddb-backup.toml --dry-run
  ddb-backup run --table orders --skip-if-recent 20h --keep-daily 7 \\
    --keep-weekly 4
  ddb-backup run --config ddb-backup.toml --table orders \\
    --lock-file /run/ddb-backup.lock";

const RUN_LONG: &str = "\
The unattended daily job. For every selected table: create a backup, then prune by the \
table's retention policy. A table is pruned only when this run's backup of it succeeded (or was \
skipped by skip_if_recent because a fresh one exists), so failing backups never lead to \
deletions.

Tables and policies come from a config file (--config or DDB_BACKUP_CONFIG); --table, \
--match and --exclude then narrow the run to some of the config's tables. Without a config \
file, the table selection, backup options and keep rules come from the command line. \
Command-line flags override config values. A policy without retention rules only backs up.";

pub const CHECK_EXAMPLES: &str = "\
Examples:
  ddb-backup check --table orders --max-age 1d
  ddb-backup check --config /etc/ddb-backup.toml --max-age 26h --min-count 7
  ddb-backup check --config /etc/ddb-backup.toml --policy weekly-archive
  ddb-backup check --table orders --max-age 1d \\
    --max-export-age 32d --bucket acme-ddb-archive";

pub const CONFIG_CHECK_EXAMPLES: &str = "\
Examples:
  ddb-backup config check --config examples/ddb-backup.toml --offline
  ddb-backup config check --config /etc/ddb-backup.toml --output json";

/// `--config PATH` (or DDB_BACKUP_CONFIG).
#[derive(Debug, Clone, Default, Args)]
pub struct ConfigOpt {
    /// TOML config file with defaults and policies (see examples/ddb-backup.toml). Refused if every user may change it (world-writable, or in a world-writable directory that is not sticky); warned about if its group or another user than you and root may
    #[arg(
        long = "config",
        short = 'c',
        env = "DDB_BACKUP_CONFIG",
        value_name = "PATH"
    )]
    pub path: Option<std::path::PathBuf>,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub config: ConfigOpt,

    #[command(flatten)]
    pub select: TableSelection,

    #[command(flatten)]
    pub name: NameOpts,

    /// Wait until every new backup is AVAILABLE before pruning
    #[arg(long)]
    pub wait: bool,

    /// How long --wait waits [default: 30min]
    #[arg(long, value_parser = parse_span, value_name = "DURATION")]
    pub timeout: Option<Span>,

    /// Skip the backup of a table whose newest backup made by ddb-backup is younger than this
    #[arg(long, value_parser = parse_span, value_name = "DURATION")]
    pub skip_if_recent: Option<Span>,

    /// Tables backed up at the same time [default: 16]
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=256), value_name = "N")]
    pub concurrency: Option<u32>,

    #[command(flatten)]
    pub keep: KeepOpts,

    #[command(flatten)]
    pub rails: RailOpts,

    #[command(flatten)]
    pub sched: SchedulerOpts,

    /// Show what would be backed up and pruned; change nothing
    #[arg(long)]
    pub dry_run: bool,
}

/// Options for unattended runs.
#[derive(Debug, Clone, Default, Args)]
pub struct SchedulerOpts {
    /// Write Prometheus textfile-collector metrics here (atomically: temp file + rename)
    #[arg(long, value_name = "PATH")]
    pub metrics_file: Option<std::path::PathBuf>,

    /// Also write the JSON report to this file (atomically)
    #[arg(long, value_name = "PATH")]
    pub report: Option<std::path::PathBuf>,

    /// Hold this lock file for the run; a second overlapping run exits at once (code 1)
    #[arg(long, value_name = "PATH")]
    pub lock_file: Option<std::path::PathBuf>,
}

#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub config: ConfigOpt,

    #[command(flatten)]
    pub select: TableSelection,

    #[command(flatten)]
    pub name: NameOpts,

    /// A table fails unless its newest AVAILABLE backup is younger than this (with a
    /// config: for every policy, over its [policy.check] max_age) [required without a
    /// config, or for a policy without [policy.check] max_age]
    #[arg(long, value_parser = parse_span, value_name = "DURATION")]
    pub max_age: Option<Span>,

    /// A table also fails unless it has at least N AVAILABLE backups (with a config: over
    /// [policy.check] min_count) [default: 1]
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..), value_name = "N")]
    pub min_count: Option<u32>,

    /// With --config: check only this policy's tables (repeatable)
    #[arg(long = "policy", value_name = "NAME", requires = "path")]
    pub policies: Vec<String>,

    /// Count every AVAILABLE backup (any name, USER, SYSTEM or AWS_BACKUP), not only ddb-backup's
    #[arg(long)]
    pub any_backup: bool,

    /// A table also fails unless its newest completed export in --bucket is younger than this
    #[arg(long, value_parser = parse_span, value_name = "DURATION", requires = "bucket")]
    pub max_export_age: Option<Span>,

    #[command(flatten)]
    pub archive: ArchiveOpts,
}

#[derive(Debug, Clone, Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub config: ConfigOpt,

    #[command(flatten)]
    pub select: TableSelection,

    #[command(flatten)]
    pub name: NameOpts,

    /// Drill this backup (its ARN, or its id as `list` shows it) instead of each table's
    /// newest one made by ddb-backup
    #[arg(long, value_name = "ARN|ID", value_parser = parse_backup_ref, conflicts_with_all = ["tables", "globs", "tags", "all_tables", "path"])]
    pub backup_arn: Option<String>,

    /// How long a scratch table may take to become ACTIVE
    #[arg(long, default_value = "30min", value_parser = parse_span, value_name = "DURATION")]
    pub timeout: Span,

    /// Drills at once per target (each is a restore: DynamoDB's default quota is 50
    /// restores in progress per account and region)
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=25), value_name = "N")]
    pub concurrency: u32,

    /// Prometheus textfile metrics of the drills (last success, restore time, items), atomic
    #[arg(long, value_name = "PATH")]
    pub metrics_file: Option<std::path::PathBuf>,

    /// Show which backup each table's drill would restore; restore nothing
    #[arg(long)]
    pub dry_run: bool,
}

pub const VERIFY_EXAMPLES: &str = "\
Examples:
  ddb-backup verify --table orders
  ddb-backup verify --config /etc/ddb-backup.toml \\
    --metrics-file /var/lib/prom/ddb-verify.prom
  ddb-backup verify --backup-arn 01700000000000-abcd1234";

const VERIFY_LONG: &str = "\
A restore drill, for auditors and runbooks that want backups tested, not only taken: for \
each selected table, the newest AVAILABLE backup made by ddb-backup (or --backup-arn) is \
restored to a scratch table (TABLE-verify-TIMESTAMP, tagged ddb-backup:verify), waited for \
until ACTIVE, and checked against the backup's description: key schema, global and local \
secondary indexes, billing mode and capacity, and the item count (a paginated Scan with \
Select=COUNT). Each check is reported with its numbers, and the restore's duration (a real \
recovery time).

The scratch table is always dropped: on success, failure, timeout and SIGINT/SIGTERM, and \
only a table this tool made (name and tag both match). A scratch table left by a killed \
drill on this host (or older than a day) is dropped by the next verify. Restore drills cost \
a restore each: see DynamoDB's restore pricing.";

#[derive(Debug, Args)]
pub struct ConfigCheckArgs {
    #[command(flatten)]
    pub config: ConfigOpt,

    /// Do not list tables: check the file alone (globs and tags stay unresolved)
    #[arg(long)]
    pub offline: bool,
}

pub const LIST_EXAMPLES: &str = "\
Examples:
  ddb-backup list --table orders
  ddb-backup list --all-tables --since 7d --output json
  ddb-backup list --table orders --type all --status available --wide
  ddb-backup list --exports --bucket acme-ddb-archive --table orders";

pub const DESCRIBE_EXAMPLES: &str = "\
Examples:
  ddb-backup describe 01700000000000-abcd1234 --output json
  ddb-backup describe --table orders \\
    --backup-name ddb-backup.orders.20261122T030000Z
  ddb-backup describe --table orders --latest
  ddb-backup describe --table orders --output json";

pub const BACKUP_EXAMPLES: &str = "\
Examples:
  ddb-backup backup --table orders --table customers --wait
  ddb-backup backup --match 'prod-*' --exclude 'prod-tmp-*' \\
    --skip-if-recent 20h
  ddb-backup backup --tag backup=daily --name 'nightly-{table}-{date}'
  ddb-backup backup --all-tables --dry-run";

pub const PRUNE_EXAMPLES: &str = "\
Examples:
  ddb-backup prune --table orders --keep-daily 7 --keep-weekly 4 \\
    --keep-monthly 12 --dry-run
  ddb-backup prune --all-tables --keep-within 35d --require-recent 2d
  ddb-backup prune --match 'prod-*' --keep-last 10 --max-delete 20 -o json
  ddb-backup prune --exports --bucket acme-ddb-archive --all-tables \\
    --keep-monthly 84 --dry-run";

const PRUNE_LONG: &str = "\
Delete old backups made by ddb-backup according to a retention policy.

The keep rules combine as a union and mean what restic's `forget` options mean: --keep-last N \
keeps the N newest; --keep-hourly/daily/weekly/monthly/yearly N keep the newest backup of each \
of the N newest hours/days/ISO weeks/months/years that have a backup (in --timezone); \
--keep-within D keeps everything younger than D measured back from the newest backup (not from \
now); --keep-within-daily D etc. keep one per day (...) inside D. The blog's \"retention days\" \
is --keep-within Nd.

Only AVAILABLE USER backups whose names match the backup name template (--name) are \
candidates, unless --include-unmanaged. SYSTEM, AWS_BACKUP and CREATING backups are never \
deleted. After the policy, safety rails apply: the newest AVAILABLE backup is always kept, \
never fewer than --min-keep remain, --require-recent and --max-delete hold a table's whole \
plan, and nothing is deleted for a table whose listing did not complete.";

pub const RESTORE_EXAMPLES: &str = "\
Examples:
  ddb-backup restore --table orders --latest --target orders-copy \\
    --copy-settings --copy-alarms
  ddb-backup restore --table orders --latest --replace --yes \\
    --report replace.json
  ddb-backup restore --target orders --settings-from replace.json
  ddb-backup restore --match 'orders-*' --latest --target-region us-west-2 \\
    --verify --report dr.json";

const RESTORE_LONG: &str = "\
Restore a new table from an on-demand backup (RestoreTableFromBackup) or from point-in-time \
recovery (RestoreTableToPointInTime). DynamoDB never restores over an existing table: the \
target must not exist.

A restored table does not get back what DynamoDB's restore guide says must be set up again. ddb-backup keeps a settings record of the table and, with --copy-settings (a new name) or --replace, re-applies each item and reads it back:
  capacity            billing mode, table and GSI throughput as it is now,
                      on-demand maximum, warm throughput
  table_class         restores are always STANDARD: STANDARD_INFREQUENT_ACCESS
                      is set again
  stream              view type set again; the new stream ARN is reported
                      (re-point its consumers)
  ttl                 set again (DynamoDB allows one change an hour)
  point_in_time_recovery
                      set again with its recovery period
  tags                copied in batches; reserved aws: tags are reported, never
                      copied
  resource_policy     saved, and put again (ARNs rewritten for a new name)
  kinesis_streaming_destinations, contributor_insights
                      set again
  auto_scaling        scalable targets, scaling policies and scheduled actions
                      registered again
  alarms              --replace: kept by name and checked; a new name:
                      --copy-alarms copies them
  deletion_protection set again
IAM identity-based policies that name the table are outside it: update them for a new name. Each setting is reported verified, unchanged, skipped or failed (with the command that sets it); any failure is exit 3. --skip-setting NAME leaves one out; --settings-from FILE applies a saved record (or a --replace report) when the source table is gone; --dry-run lists the record.

--replace restores into the source table's own name, as one guarded procedure: it asks for \
the table name to be typed (or --yes, required off a terminal), refuses a table with deletion \
protection unless --disable-deletion-protection, takes a safety backup \
(ddb-backup-safety.TABLE.TIMESTAMP, never pruned) and waits until it is AVAILABLE, records the \
table's settings record (all of the above, before anything changes: a setting that cannot be \
read stops it, unless --skip-setting; the record goes into the report), deletes the table, restores under its name, waits for ACTIVE and \
re-applies the settings. THE TABLE IS UNAVAILABLE between its deletion and ACTIVE (about as \
long as a restore takes). A point in time is first restored to a staging table and backed up, \
so the table is deleted only once the data to put back is a backup. Any failure after the \
deletion prints the safety backup's ARN and the command that puts it back.

A fleet: the same table selection as backup (--table repeatable, --match, --tag, \
--all-tables, --exclude, or --config: its policies' tables, in its targets, narrowed by \
--table, --match and --exclude) with --target-template '{table}-restored' and/or --target-region \
REGION (no --target). Every table is restored at once, as fast as the quotas allow: requests \
paced at 10/s, at most --max-restores in progress (50 by default, DynamoDB's default quota), \
LimitExceeded waited out and asked again. Each table is waited for ACTIVE, gets its source \
table's settings record (--no-settings to skip) and, with --verify, its item count compared \
with the backup's. A target that exists and was restored from the same backup (or table and \
point in time) is finished, not restored again: after a stop, run the same command again. A \
target that exists for any other reason fails alone. Each table's seconds to ACTIVE and the \
fleet's are reported; --dry-run shows the plan and an estimate. Exit 0, 3 when some tables \
failed, 1 when none succeeded, 130 when stopped (restores already requested go on: a rerun \
picks them up).";

/// Which tables a command works on.
#[derive(Debug, Clone, Default, Args)]
pub struct TableSelection {
    /// A table name or ARN (repeatable)
    #[arg(long = "table", short = 't', value_name = "NAME|ARN", value_parser = parse_table)]
    pub tables: Vec<String>,

    /// Tables whose name matches a glob such as 'orders-*' (repeatable; over ListTables;
    /// this tool's own scratch and staging tables are skipped)
    ///
    /// Like --tag and --all-tables, never picks a table this tool makes for its own work:
    /// verify's scratch tables (TABLE-verify-YYYYMMDDTHHMMSSZ) and restore --replace's
    /// staging tables (TABLE-replace-YYYYMMDDTHHMMSSZ). Name one with --table to select it.
    #[arg(long = "match", value_name = "GLOB", value_parser = parse_glob)]
    pub globs: Vec<String>,

    /// Tables carrying this tag (repeatable: all given tags must match; this tool's own
    /// scratch and staging tables are skipped)
    ///
    /// Never picks a table this tool makes for its own work: by its name shape (as with
    /// --match) or by verify's ddb-backup:verify tag. Name one with --table to select it.
    #[arg(long = "tag", value_name = "KEY=VALUE", value_parser = parse_tag)]
    pub tags: Vec<(String, String)>,

    /// Every table in the region, but this tool's own scratch and staging tables
    ///
    /// Every table but those this tool makes for its own work and drops again: verify's
    /// scratch tables (TABLE-verify-YYYYMMDDTHHMMSSZ) and restore --replace's staging tables
    /// (TABLE-replace-YYYYMMDDTHHMMSSZ). Name one with --table to select it.
    #[arg(long)]
    pub all_tables: bool,

    /// Leave out tables whose name matches this glob (repeatable)
    #[arg(long = "exclude", value_name = "GLOB", value_parser = parse_glob)]
    pub excludes: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TypeFilter {
    User,
    System,
    AwsBackup,
    All,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatusFilter {
    Creating,
    Available,
    Deleted,
}

#[derive(Debug, Clone, Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub select: TableSelection,

    /// Backup type to list (the API's default is user)
    #[arg(long = "type", value_enum, default_value_t = TypeFilter::User)]
    pub kind: TypeFilter,

    /// Only backups in this status
    #[arg(long, value_enum)]
    pub status: Option<StatusFilter>,

    /// Only backups created at or after this time (RFC 3339, a date such as 2026-11-01 for
    /// its start in UTC, or a duration back from now such as 7d)
    #[arg(long, value_parser = parse_time, value_name = "TIME")]
    pub since: Option<TimeSpec>,

    /// Only backups created before this time (RFC 3339, a date for its start in UTC, or a
    /// duration back from now such as 36h)
    #[arg(long, value_parser = parse_time, value_name = "TIME")]
    pub until: Option<TimeSpec>,

    /// Only backups whose name starts with this
    #[arg(long, value_name = "PREFIX")]
    pub name_prefix: Option<String>,

    /// List the exports in S3 (from ddb-backup's manifests) instead of backups
    #[arg(long, requires = "bucket")]
    pub exports: bool,

    #[command(flatten)]
    pub archive: ArchiveOpts,
}

#[derive(Debug, Args)]
pub struct DescribeArgs {
    /// The backup: its ARN, or its id as `list` shows it (01700000000000-abcd1234)
    #[arg(value_name = "BACKUP_ARN|ID", value_parser = parse_backup_ref, required_unless_present = "table")]
    pub arn: Option<String>,

    /// With --table: describe the table's newest AVAILABLE backup instead of its settings
    #[arg(long, requires = "table", conflicts_with = "backup_name")]
    pub latest: bool,

    /// With --table: describe the table's backup of this name instead of its settings
    #[arg(long, value_name = "NAME", requires = "table")]
    pub backup_name: Option<String>,

    /// Instead of a backup: this table's settings record (the settings a restore does not
    /// carry), as restore --copy-settings and --replace read it; save it with --output json
    /// and apply it later with restore --settings-from
    #[arg(long, short = 't', value_name = "NAME|ARN", value_parser = parse_table, conflicts_with = "arn")]
    pub table: Option<String>,

    /// With --table: do not read this setting (repeatable; names as in restore --skip-setting)
    #[arg(long, value_name = "NAME", value_parser = crate::model::Setting::parse, requires = "table")]
    pub skip_setting: Vec<crate::model::Setting>,
}

/// Options shared by commands that name or recognise backups.
#[derive(Debug, Clone, Args)]
pub struct NameOpts {
    /// Backup name template; placeholders {table}, {timestamp} (UTC, 20261122T030000Z), {date} (2026-11-22).
    /// prune and check only consider backups whose names fit this template [default: ddb-backup.{table}.{timestamp}]
    #[arg(long = "name", value_name = "TEMPLATE", value_parser = parse_template)]
    pub template: Option<NameTemplate>,
}

impl NameOpts {
    /// The template given, or the default one.
    pub fn template_or_default(&self) -> NameTemplate {
        self.template.clone().unwrap_or_default()
    }
}

#[derive(Debug, Args)]
pub struct BackupArgs {
    #[command(flatten)]
    pub select: TableSelection,

    #[command(flatten)]
    pub name: NameOpts,

    /// Wait until every new backup is AVAILABLE
    #[arg(long)]
    pub wait: bool,

    /// How long --wait waits before reporting backups still CREATING
    #[arg(long, default_value = "30min", value_parser = parse_span, value_name = "DURATION")]
    pub timeout: Span,

    /// Skip a table whose newest AVAILABLE or CREATING backup made by ddb-backup is younger than this
    #[arg(long, value_parser = parse_span, value_name = "DURATION")]
    pub skip_if_recent: Option<Span>,

    /// Tables backed up at the same time (CreateBackup stays under 50 calls/s whatever this is)
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u32).range(1..=256), value_name = "N")]
    pub concurrency: u32,

    /// Show what would be created; create nothing
    #[arg(long)]
    pub dry_run: bool,
}

/// The keep rules of prune (and of a config file policy).
#[derive(Debug, Clone, Default, Args)]
pub struct KeepOpts {
    /// Keep the N newest backups
    #[arg(long, value_name = "N|unlimited", value_parser = parse_count)]
    pub keep_last: Option<Count>,
    /// Keep the newest backup of each of the N newest hours that have one
    #[arg(long, value_name = "N|unlimited", value_parser = parse_count)]
    pub keep_hourly: Option<Count>,
    /// Keep the newest backup of each of the N newest days that have one
    #[arg(long, value_name = "N|unlimited", value_parser = parse_count)]
    pub keep_daily: Option<Count>,
    /// Keep the newest backup of each of the N newest ISO weeks that have one
    #[arg(long, value_name = "N|unlimited", value_parser = parse_count)]
    pub keep_weekly: Option<Count>,
    /// Keep the newest backup of each of the N newest months that have one
    #[arg(long, value_name = "N|unlimited", value_parser = parse_count)]
    pub keep_monthly: Option<Count>,
    /// Keep the newest backup of each of the N newest years that have one
    #[arg(long, value_name = "N|unlimited", value_parser = parse_count)]
    pub keep_yearly: Option<Count>,
    /// Keep every backup younger than DURATION, measured from the newest backup
    /// (the "retention days" N of the AWS blog post's Lambda is --keep-within Nd)
    #[arg(long, value_name = "DURATION", value_parser = parse_span)]
    pub keep_within: Option<Span>,
    /// Keep one backup per hour within DURATION of the newest backup
    #[arg(long, value_name = "DURATION", value_parser = parse_span)]
    pub keep_within_hourly: Option<Span>,
    /// Keep one backup per day within DURATION of the newest backup
    #[arg(long, value_name = "DURATION", value_parser = parse_span)]
    pub keep_within_daily: Option<Span>,
    /// Keep one backup per ISO week within DURATION of the newest backup
    #[arg(long, value_name = "DURATION", value_parser = parse_span)]
    pub keep_within_weekly: Option<Span>,
    /// Keep one backup per month within DURATION of the newest backup
    #[arg(long, value_name = "DURATION", value_parser = parse_span)]
    pub keep_within_monthly: Option<Span>,
    /// Keep one backup per year within DURATION of the newest backup
    #[arg(long, value_name = "DURATION", value_parser = parse_span)]
    pub keep_within_yearly: Option<Span>,
}

/// Safety rails and scope of prune.
#[derive(Debug, Clone, Default, Args)]
pub struct RailOpts {
    /// Always keep the N newest AVAILABLE backups made by ddb-backup [default: 2]
    #[arg(long, value_name = "N")]
    pub min_keep: Option<u32>,

    /// Delete nothing for a table unless --min-keep of its backups are younger than DURATION
    /// (backups that stopped arriving are reported as a failure instead)
    #[arg(long, value_parser = parse_span, value_name = "DURATION")]
    pub require_recent: Option<Span>,

    /// Delete nothing for a table whose plan would delete more than N backups
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub max_delete: Option<u32>,

    /// Also consider USER backups not made by ddb-backup (names not matching --name)
    #[arg(long)]
    pub include_unmanaged: bool,

    /// Timezone for hourly/daily/weekly/monthly/yearly buckets (IANA name) [default: UTC]
    #[arg(long, value_parser = parse_timezone, value_name = "TZ")]
    pub timezone: Option<chrono_tz::Tz>,
}

#[derive(Debug, Args)]
pub struct PruneArgs {
    #[command(flatten)]
    pub select: TableSelection,

    #[command(flatten)]
    pub keep: KeepOpts,

    #[command(flatten)]
    pub rails: RailOpts,

    #[command(flatten)]
    pub name: NameOpts,

    /// Show the plan; delete nothing
    #[arg(long)]
    pub dry_run: bool,

    /// Prune the exports in S3 (those with a ddb-backup manifest) instead of backups
    #[arg(long, requires = "bucket")]
    pub exports: bool,

    #[command(flatten)]
    pub archive: ArchiveOpts,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BillingModeArg {
    PayPerRequest,
    Provisioned,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SseArg {
    /// An AWS owned key (DynamoDB's default encryption)
    Default,
    /// A KMS key: --sse-kms-key, or the AWS managed key
    Kms,
    /// Send no encryption override: the backup's settings apply
    None,
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// The source tables: one --table (with --target for a new name), or a fleet (several
    /// --table, --match, --tag, --all-tables; with --target-template and/or --target-region)
    #[command(flatten)]
    pub select: TableSelection,

    /// A fleet restore: the tables of the config's policies, in its targets
    #[command(flatten)]
    pub config: ConfigOpt,

    /// Restore from this backup: its ARN, or its id as `list` shows it
    #[arg(long, value_name = "ARN|ID", value_parser = parse_backup_ref, conflicts_with_all = ["tables", "globs", "tags", "all_tables", "latest", "backup_name", "before", "to_time", "latest_restorable"])]
    pub backup_arn: Option<String>,

    /// The newest AVAILABLE backup of each source table
    #[arg(long, conflicts_with_all = ["backup_name", "before", "to_time", "latest_restorable"])]
    pub latest: bool,

    /// The backup of each source table with this name
    #[arg(long, value_name = "NAME", value_parser = parse_backup_name, conflicts_with_all = ["before", "to_time", "latest_restorable"])]
    pub backup_name: Option<String>,

    /// The newest AVAILABLE backup of each source table created before TIME (RFC 3339 or a duration back from now)
    #[arg(long, value_name = "TIME", value_parser = parse_time, conflicts_with_all = ["to_time", "latest_restorable"])]
    pub before: Option<TimeSpec>,

    /// Point-in-time restore of each source table to TIME (RFC 3339, or for one table a
    /// duration back from now; a fleet needs RFC 3339 so that a rerun resumes to the same point)
    #[arg(long, value_name = "TIME", value_parser = parse_time, conflicts_with = "latest_restorable")]
    pub to_time: Option<TimeSpec>,

    /// Point-in-time restore of each source table to its latest restorable time
    #[arg(long)]
    pub latest_restorable: bool,

    /// Name of the new table (must not exist; one source table)
    #[arg(long, value_name = "NAME", value_parser = parse_table_name, required_unless_present_any = ["replace", "target_template", "target_region"])]
    pub target: Option<String>,

    /// Region to restore into (default: the backup's region); needs an SSE choice, default
    /// is used if none. Without --target, each table keeps its name (or --target-template's)
    #[arg(long, value_name = "REGION", value_parser = parse_region)]
    pub target_region: Option<String>,

    /// The new tables' names: {table} is the source table's name, shortened so that a name
    /// stays within 255 characters ({date} and {timestamp} are known too, but a name
    /// without them is what lets a rerun resume)
    #[arg(long, value_name = "TEMPLATE", value_parser = crate::names::parse_target_template, conflicts_with_all = ["target", "replace"])]
    pub target_template: Option<crate::names::NameTemplate>,

    /// A fleet restore: at most this many restores in progress (requested, not ACTIVE yet)
    /// in each account and region (DynamoDB's default quota is 50; it is adjustable)
    #[arg(long, value_name = "N", default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub max_restores: u32,

    /// A fleet restore: do not apply the source tables' settings records to the new tables
    #[arg(long, conflicts_with_all = ["copy_settings", "settings_from", "replace"])]
    pub no_settings: bool,

    /// A fleet restore: count each new table's items (a Scan) and compare with the backup's
    /// item count, as verify does
    #[arg(long, conflicts_with = "replace")]
    pub verify: bool,

    /// Restore into the source table's own name: safety backup, delete, restore, re-apply
    /// its settings (the table is unavailable between the deletion and ACTIVE; --help
    /// says more)
    #[arg(long, conflicts_with_all = ["target", "target_region", "copy_settings"])]
    pub replace: bool,

    /// Confirm --replace without typing the table name (required when not on a terminal)
    #[arg(long, requires = "replace")]
    pub yes: bool,

    /// Let --replace turn off the table's deletion protection (it is turned on again after)
    #[arg(long, requires = "replace")]
    pub disable_deletion_protection: bool,

    /// Billing mode of the new table
    #[arg(long, value_enum)]
    pub billing_mode: Option<BillingModeArg>,

    /// Read capacity units (with --billing-mode provisioned)
    #[arg(long, value_name = "RCU", value_parser = clap::value_parser!(i64).range(1..))]
    pub read_capacity: Option<i64>,

    /// Write capacity units (with --billing-mode provisioned)
    #[arg(long, value_name = "WCU", value_parser = clap::value_parser!(i64).range(1..))]
    pub write_capacity: Option<i64>,

    /// Leave out this global secondary index (repeatable)
    #[arg(long, value_name = "NAME", conflicts_with = "no_gsi")]
    pub exclude_gsi: Vec<String>,

    /// Restore without any global secondary index
    #[arg(long)]
    pub no_gsi: bool,

    /// Leave out this local secondary index (repeatable)
    #[arg(long, value_name = "NAME", conflicts_with = "no_lsi")]
    pub exclude_lsi: Vec<String>,

    /// Restore without any local secondary index
    #[arg(long)]
    pub no_lsi: bool,

    /// Encryption of the new table
    #[arg(long, value_enum)]
    pub sse: Option<SseArg>,

    /// KMS key id, ARN or alias for --sse kms
    #[arg(long, value_name = "KEY", value_parser = parse_nonempty)]
    pub sse_kms_key: Option<String>,

    /// Copy the source table's settings record to the new table: capacity as it is now,
    /// table class, stream, TTL, point-in-time recovery with its period, tags, resource
    /// policy, Kinesis destinations, contributor insights, auto scaling, deletion protection
    /// (alarms with --copy-alarms); each is read back and reported
    #[arg(long, conflicts_with = "settings_from")]
    pub copy_settings: bool,

    /// Apply a saved settings record (a record, or the JSON report of restore --replace or
    /// --copy-settings) to the new table: the way back when the source table is gone
    #[arg(long, value_name = "FILE", conflicts_with = "replace")]
    pub settings_from: Option<std::path::PathBuf>,

    /// Neither read nor apply this setting (repeatable): capacity, table_class, stream,
    /// ttl, point_in_time_recovery, tags, resource_policy, kinesis_streaming_destinations,
    /// contributor_insights, auto_scaling, alarms, deletion_protection
    #[arg(long, value_name = "NAME", value_parser = crate::model::Setting::parse)]
    pub skip_setting: Vec<crate::model::Setting>,

    /// With a new name: copy the source table's CloudWatch alarms, each with its TableName
    /// dimension rewritten and the new table's name appended to its name, actions disabled
    #[arg(long)]
    pub copy_alarms: bool,

    /// With --copy-alarms: keep the copied alarms' actions enabled
    #[arg(long, requires = "copy_alarms")]
    pub copy_alarm_actions: bool,

    /// Wait until the new table is ACTIVE (and settings are copied)
    #[arg(long)]
    pub wait: bool,

    /// How long --wait waits
    #[arg(long, default_value = "2h", value_parser = parse_span, value_name = "DURATION")]
    pub timeout: Span,

    /// Show what would be restored; restore nothing
    #[arg(long)]
    pub dry_run: bool,

    /// Also write the JSON report to this file (atomically); --replace writes it with the
    /// settings record before the table is deleted, and again at the end, failed or not
    #[arg(long, value_name = "PATH")]
    pub report: Option<std::path::PathBuf>,
}

fn parse_table_name(s: &str) -> Result<String, String> {
    crate::ids::validate_name("table name", s)?;
    Ok(s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn clap_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn every_subcommand_help_ends_with_examples() {
        let cmd = Cli::command();
        let leaves = cmd.get_subcommands().flat_map(|s| {
            if s.has_subcommands() {
                s.get_subcommands().collect::<Vec<_>>()
            } else {
                vec![s]
            }
        });
        for sub in leaves {
            let after = sub
                .get_after_help()
                .map(|s| s.to_string())
                .unwrap_or_default();
            assert!(
                after.starts_with("Examples:"),
                "{} has no examples",
                sub.get_name()
            );
            let n = after
                .lines()
                .filter(|l| l.trim_start().starts_with("ddb-backup "))
                .count();
            assert!((2..=4).contains(&n), "{} has {n} examples", sub.get_name());
        }
    }

    #[test]
    fn report_help_names_the_price_tables_source_and_date() {
        use crate::evidence::prices::{PRICES_AS_OF, PRICES_SOURCE};
        assert!(REPORT_LONG.contains(&format!("{PRICES_SOURCE}, as of {PRICES_AS_OF}")));
    }

    #[test]
    fn values_are_validated_at_parse_time() {
        let bad = [
            vec!["ddb-backup", "list", "--table", "ab"],
            vec!["ddb-backup", "list", "--table", "bad name"],
            vec!["ddb-backup", "list", "--since", "yesterday"],
            vec![
                "ddb-backup",
                "prune",
                "--table",
                "orders",
                "--keep-daily",
                "0",
            ],
            vec![
                "ddb-backup",
                "prune",
                "--table",
                "orders",
                "--keep-daily",
                "-1",
            ],
            vec![
                "ddb-backup",
                "prune",
                "--table",
                "orders",
                "--keep-daily",
                "7",
                "--timezone",
                "Mars/Olympus",
            ],
            vec![
                "ddb-backup",
                "backup",
                "--table",
                "orders",
                "--name",
                "x:{timestamp}",
            ],
            vec!["ddb-backup", "restore", "--table", "orders", "--latest"],
            vec!["ddb-backup", "describe", "arn:aws:s3:::bucket"],
        ];
        for args in bad {
            assert!(
                Cli::try_parse_from(&args).is_err(),
                "{args:?} should be refused"
            );
        }
        assert!(Cli::try_parse_from([
            "ddb-backup",
            "prune",
            "--table",
            "orders",
            "--keep-daily",
            "unlimited"
        ])
        .is_ok());
    }
}
