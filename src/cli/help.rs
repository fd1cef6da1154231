//! How `--help` reads. `ddb-backup --help` lists the global options in three groups; a
//! subcommand's help shows only its own options, grouped by purpose, and one line that
//! points at `ddb-backup --help` for the global ones (they still parse everywhere).

use clap::{Arg, Command, CommandFactory, FromArgMatches};

use super::Cli;

/// The line a subcommand's help shows in place of the global options.
pub const GLOBAL_POINTER: &str =
    "Global options (--region, --profile, -o, --wide, -q, -v, ...): ddb-backup --help";

/// Parses a command line with the help layout of [`command`].
pub fn try_parse_from<I, T>(args: I) -> Result<Cli, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    parse_with(command(), args)
}

/// [`try_parse_from`] with help wrapped at `width` columns (at most 100: longer lines
/// are harder to read): the width tables fit, so help is 80 columns wide where the
/// terminal's width is unknown, as tables are.
pub fn try_parse_at_width<I, T>(args: I, width: usize) -> Result<Cli, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    parse_with(command().term_width(width.clamp(20, 100)), args)
}

fn parse_with<I, T>(mut cmd: Command, args: I) -> Result<Cli, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let args: Vec<std::ffi::OsString> = args.into_iter().map(Into::into).collect();
    let matches = cmd.try_get_matches_from_mut(args.clone())?;
    if let Some(msg) = split_targets(&cmd, &args) {
        return Err(cmd.error(clap::error::ErrorKind::ArgumentConflict, msg));
    }
    Cli::from_arg_matches(&matches).map_err(|e| e.format(&mut cmd))
}

/// The options that add targets, given on both sides of the subcommand: clap keeps only
/// the later side's values, so a region or role given before would be dropped silently.
fn split_targets(cmd: &Command, args: &[std::ffi::OsString]) -> Option<String> {
    let takes_value = |long: &str| {
        cmd.get_arguments()
            .any(|a| a.get_long() == Some(long) && a.get_action().takes_values())
    };
    let short_takes_value = |c: char| {
        cmd.get_arguments()
            .any(|a| a.get_short() == Some(c) && a.get_action().takes_values())
    };
    let mut before: Vec<&str> = Vec::new();
    let mut after: Vec<&str> = Vec::new();
    let mut in_sub = false;
    let mut skip = false;
    for a in args.iter().skip(1) {
        if std::mem::take(&mut skip) {
            continue;
        }
        let Some(s) = a.to_str() else { continue };
        if s == "--" {
            break;
        }
        if let Some(long) = s.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((n, _)) => (n, true),
                None => (long, false),
            };
            if let Some(known) = ["region", "role-arn"].into_iter().find(|k| *k == name) {
                if in_sub {
                    after.push(known);
                } else {
                    before.push(known);
                }
            }
            skip = !inline && !in_sub && takes_value(name);
        } else if let Some(shorts) = s.strip_prefix('-').filter(|r| !r.is_empty()) {
            // `-o json`, `-ojson`, `-qv`: a value-taking short at the end takes the next.
            skip = !in_sub
                && shorts
                    .chars()
                    .last()
                    .is_some_and(|c| short_takes_value(c) && shorts.len() == 1);
        } else if !in_sub {
            in_sub = true;
        }
    }
    let both = ["region", "role-arn"]
        .into_iter()
        .find(|k| before.contains(k) && after.contains(k))?;
    Some(format!(
        "--{both} is given both before and after the subcommand: the later ones would replace \
         the earlier and drop their targets; give every --{both} on one side (comma-separated \
         or repeated)"
    ))
}

/// The command line as it is parsed and documented (man pages): every option under a heading
/// that says what it is for, the global ones hidden below the top level.
pub fn command() -> Command {
    let cmd = Cli::command();
    let globals: Vec<Arg> = cmd
        .get_arguments()
        .filter(|a| a.is_global_set())
        .cloned()
        .collect();
    cmd.mut_args(|a| match global_heading(a.get_id().as_str()) {
        Some(h) => a.help_heading(h),
        None => a,
    })
    .mut_subcommands(|sc| subcommand(sc, &globals))
}

fn subcommand(sc: Command, globals: &[Arg]) -> Command {
    let name = sc.get_name().to_string();
    // A hidden copy of each global option: clap then does not copy the visible one in.
    let mut sc = globals
        .iter()
        .fold(sc, |sc, g| sc.arg(g.clone().hide(true)))
        .mut_args(|a| {
            if a.is_global_set() {
                return a;
            }
            match heading(&name, a.get_id().as_str()) {
                Some(h) => a.help_heading(h),
                None => a,
            }
        });
    if sc.has_subcommands() {
        sc = sc.mut_subcommands(|leaf| subcommand(leaf, globals));
    }
    sc.help_template(format!(
        "{{before-help}}{{about-with-newline}}\n{{usage-heading}} {{usage}}\n\n{{all-args}}\n\n\
         {GLOBAL_POINTER}{{after-help}}"
    ))
}

/// The examples of a help text: each a command line starting `ddb-backup `, with the lines
/// that continue it (after a trailing `\\`) joined on, trimmed, by a newline.
pub fn examples(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut continued = false;
    for line in text.lines().map(str::trim) {
        if continued {
            if let Some(last) = out.last_mut() {
                last.push('\n');
                last.push_str(line);
            }
        } else if line.starts_with("ddb-backup ") {
            out.push(line.to_string());
        } else {
            continue;
        }
        continued = line.ends_with('\\');
    }
    out
}

/// The groups of `ddb-backup --help`.
fn global_heading(id: &str) -> Option<&'static str> {
    Some(match id {
        "region" | "role_arn" | "external_id" | "target_concurrency" | "profile"
        | "endpoint_url" => "AWS targets",
        "output" | "wide" | "verbose" | "quiet" | "log_format" | "color" => "Output and logs",
        "max_attempts" | "retry_backoff" | "connect_timeout" | "read_timeout"
        | "rate_multiplier" => "AWS calls",
        _ => return None,
    })
}

/// The purpose of a subcommand's option. The same flag has the same heading everywhere but
/// for the few that mean something else in one subcommand.
pub fn heading(sub: &str, id: &str) -> Option<&'static str> {
    Some(match (sub, id) {
        ("describe", "skip_setting") => "Output",
        ("restore", "sse_kms_key") => "Overrides",
        ("export", "sse_kms_key") => "Archive (S3)",
        ("restore", "verify") => "After the restore",
        // The report deletes nothing: these shape the plan it shows, as prune would run it.
        ("report", "min_keep" | "require_recent" | "max_delete" | "include_unmanaged") => {
            "Safety rails of the plan shown (as prune applies them)"
        }
        (_, "path" | "offline") => "Config",
        (_, "tables" | "globs" | "tags" | "all_tables" | "excludes" | "policies") => {
            "Table selection"
        }
        (
            _,
            "table" | "latest" | "backup_name" | "before" | "to_time" | "latest_restorable"
            | "backup_arn" | "export_time" | "manifest",
        ) => "Source",
        (_, "kind" | "status" | "since" | "until" | "name_prefix") => "Filters",
        (_, "template" | "skip_if_recent") => "Backups",
        (_, "timezone") => "Keep rules (restic forget semantics)",
        (_, id) if id.starts_with("keep_") => "Keep rules (restic forget semantics)",
        (
            _,
            "min_keep"
            | "require_recent"
            | "max_delete"
            | "include_unmanaged"
            | "dry_run"
            | "yes"
            | "disable_deletion_protection"
            | "lock_file",
        ) => "Safety rails",
        (_, "max_age" | "min_count" | "min_streak_days" | "any_backup" | "max_export_age") => {
            "Rules"
        }
        (_, "bucket" | "prefix" | "bucket_owner" | "exports" | "incremental") => "Archive (S3)",
        (_, "target" | "target_region" | "target_template" | "replace") => "Target",
        (
            _,
            "billing_mode" | "read_capacity" | "write_capacity" | "exclude_gsi" | "no_gsi"
            | "exclude_lsi" | "no_lsi" | "sse",
        ) => "Overrides",
        (
            _,
            "no_settings" | "copy_settings" | "settings_from" | "skip_setting" | "copy_alarms"
            | "copy_alarm_actions",
        ) => "After the restore",
        (_, "wait" | "timeout" | "concurrency" | "max_restores") => "Pace and waiting",
        (_, "report" | "metrics_file" | "html" | "price_per_gb_month") => "Output",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaves(cmd: &Command) -> Vec<(String, Command)> {
        let mut out = Vec::new();
        for sc in cmd.get_subcommands() {
            if sc.has_subcommands() {
                for leaf in sc.get_subcommands() {
                    out.push((
                        format!("{} {}", sc.get_name(), leaf.get_name()),
                        leaf.clone(),
                    ));
                }
            } else {
                out.push((sc.get_name().to_string(), sc.clone()));
            }
        }
        out
    }

    fn width(cmd: Command, w: usize) -> Command {
        cmd.term_width(w).mut_subcommands(|s| width(s, w))
    }

    fn help_of(args: &[&str]) -> String {
        let mut all = vec!["ddb-backup"];
        all.extend(args);
        all.push("--help");
        match width(command(), 80).try_get_matches_from(all) {
            Err(e) if !e.use_stderr() => e.render().to_string(),
            other => panic!("{args:?} --help did not print help: {other:?}"),
        }
    }

    #[test]
    fn every_option_of_every_subcommand_is_under_a_heading_that_says_what_it_is_for() {
        let mut cmd = command();
        cmd.build();
        for (name, leaf) in leaves(&cmd) {
            for a in leaf.get_arguments() {
                let id = a.get_id().as_str();
                if a.is_global_set() || a.is_positional() || id == "help" || id == "version" {
                    continue;
                }
                assert!(
                    a.get_help_heading().is_some(),
                    "{name} --{id} has no heading: add it to cli::help::heading"
                );
            }
        }
        for a in cmd.get_arguments().filter(|a| a.is_global_set()) {
            assert!(a.get_help_heading().is_some(), "global {}", a.get_id());
        }
    }

    #[test]
    fn a_subcommands_help_shows_its_own_options_and_one_line_for_the_global_ones() {
        let mut cmd = command();
        cmd.build();
        let top = help_of(&[]);
        for g in cmd.get_arguments().filter(|a| a.is_global_set()) {
            let long = format!("--{}", g.get_long().unwrap_or_default());
            assert!(top.contains(&long), "ddb-backup --help lacks {long}");
        }
        for (name, _) in leaves(&cmd) {
            let args: Vec<&str> = name.split(' ').collect();
            let help = help_of(&args);
            assert_eq!(help.matches(GLOBAL_POINTER).count(), 1, "{name}:\n{help}");
            for hidden in [
                "--region <",
                "--endpoint-url",
                "--max-attempts",
                "--log-format",
            ] {
                assert!(!help.contains(hidden), "{name} --help shows {hidden}");
            }
            assert!(help.trim_end().contains("\nExamples:\n"), "{name}");
        }
        // Hidden from help, the global options still parse after the subcommand.
        let cli = try_parse_from([
            "ddb-backup",
            "list",
            "--all-tables",
            "--region",
            "eu-west-1",
        ])
        .map_err(|e| e.to_string());
        assert_eq!(
            cli.map(|c| c.global.region),
            Ok(vec!["eu-west-1".to_string()])
        );
    }

    #[test]
    fn targets_split_around_the_subcommand_are_refused_not_dropped() {
        let p = |v: &[&str]| {
            let mut all = vec!["ddb-backup"];
            all.extend(v);
            try_parse_from(all)
                .map(|c| c.global.region)
                .map_err(|e| e.to_string())
        };
        let e = p(&[
            "--region",
            "us-east-1",
            "list",
            "--all-tables",
            "--region",
            "eu-west-1",
        ])
        .unwrap_err();
        assert!(e.contains("--region is given both before and after"), "{e}");
        let e = p(&[
            "--region=us-east-1",
            "list",
            "--all-tables",
            "--region=eu-west-1",
        ])
        .unwrap_err();
        assert!(e.contains("--region is given both"), "{e}");
        let e = p(&[
            "--role-arn",
            "arn:aws:iam::222222222222:role/x",
            "list",
            "--all-tables",
            "--role-arn",
            "arn:aws:iam::333333333333:role/x",
        ])
        .unwrap_err();
        assert!(e.contains("--role-arn is given both"), "{e}");
        // One side, any form: every region is a target.
        let both = Ok(vec!["us-east-1".to_string(), "eu-west-1".to_string()]);
        assert_eq!(
            p(&[
                "--region",
                "us-east-1",
                "--region",
                "eu-west-1",
                "list",
                "-t",
                "orders"
            ]),
            both
        );
        assert_eq!(
            p(&["list", "-t", "orders", "--region", "us-east-1,eu-west-1"]),
            both
        );
        // A value that looks like a subcommand is a value (a profile named list).
        assert!(p(&[
            "--profile",
            "list",
            "list",
            "-t",
            "x-y",
            "--region",
            "us-east-1"
        ])
        .is_ok());
        assert!(p(&["-o", "json", "list", "-t", "x-y", "--region", "us-east-1"]).is_ok());
    }

    #[test]
    fn an_example_continued_over_lines_is_one_example() {
        let text = "Examples:\n  ddb-backup a \\\n    --b c\n  ddb-backup d\nnot one\n";
        assert_eq!(
            examples(text),
            vec!["ddb-backup a \\\n--b c", "ddb-backup d"]
        );
    }

    #[test]
    fn no_help_line_is_wider_than_80_columns_or_wraps_an_example() {
        let mut cmd = command();
        cmd.build();
        let mut pages = vec![(String::from("ddb-backup"), help_of(&[]))];
        for (name, _) in leaves(&cmd) {
            let args: Vec<&str> = name.split(' ').collect();
            pages.push((name.clone(), help_of(&args)));
        }
        // A line laid out by hand (indented) in an about or after-help text is never wrapped.
        let texts = std::iter::once(cmd.clone())
            .chain(leaves(&cmd).into_iter().map(|(_, c)| c))
            .flat_map(|c| {
                [c.get_long_about(), c.get_about(), c.get_after_help()]
                    .into_iter()
                    .flatten()
                    .map(|t| t.to_string())
                    .collect::<Vec<_>>()
            });
        for text in texts {
            for line in text.lines().filter(|l| l.starts_with(' ')) {
                assert!(
                    line.chars().count() <= 80,
                    "indented line over 80: {line:?}"
                );
            }
        }
        for (name, page) in pages {
            for line in page.lines() {
                assert!(line.chars().count() <= 80, "{name}: {line:?}");
            }
            // An example line is a whole command or ends with a continuation.
            let examples = page.split("\nExamples:\n").nth(1).unwrap_or_default();
            let mut continued = false;
            for line in examples.lines().take_while(|l| !l.is_empty()) {
                // Two columns to spare: a terminal a little narrower wraps none either.
                assert!(line.chars().count() <= 78, "{name}: {line:?}");
                let l = line.trim_start();
                assert!(
                    continued || l.starts_with("ddb-backup ") || l.starts_with('#'),
                    "{name}: an example was wrapped: {line:?}"
                );
                continued = l.ends_with('\\');
            }
        }
    }
}
