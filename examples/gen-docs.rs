//! Generates the man pages (`man/`) and shell completions (`completions/`) from the clap
//! definitions. Run `cargo run --example gen-docs` after changing a flag; the end-to-end
//! test `docs::generated_files_are_current` fails while the checked-in files are stale.
//!
//! It is an example rather than a subcommand so that clap_mangen stays out of the
//! installed binary; the completion scripts are the ones `ddb-backup completions` prints.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use clap_complete::Shell;

const ENVIRONMENT: &[(&str, &str)] = &[
    ("DDB_BACKUP_CONFIG", "Config file for run, check and config check when --config is not given."),
    ("AWS_REGION, AWS_DEFAULT_REGION", "Region, when --region is not given."),
    ("AWS_PROFILE", "Named profile from ~/.aws/config, when --profile is not given (SSO profiles work)."),
    ("AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN", "Static credentials; otherwise the standard chain (profile, SSO, web identity, container and instance roles) is used."),
    ("AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE", "Web-identity role assumption (for example OIDC in CI)."),
    ("AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL", "DynamoDB endpoint, when --endpoint-url is not given (for example a local emulator)."),
    ("AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE", "Other locations of the AWS config and credentials files."),
    ("AWS_EC2_METADATA_DISABLED", "Set to true to stop the credential chain from asking instance metadata."),
    ("NO_COLOR", "Disables colour under --color auto."),
];

const FILES: &[(&str, &str)] = &[
    ("~/.aws/config, ~/.aws/credentials", "Profiles and credentials of the standard AWS chain."),
    ("ddb-backup.toml", "The config file named by --config or DDB_BACKUP_CONFIG; see examples/ddb-backup.toml in the source."),
];

const EXIT_STATUS: &[(&str, &str)] = &[
    ("0", "Success: everything asked for was done."),
    ("1", "Failure: the run failed (for several tables: all of them failed), or a check failed for every table."),
    ("2", "Usage error: an invalid argument, value, name, duration, ARN or config file. Nothing was sent to AWS."),
    ("3", "Partial failure: some tables succeeded and some failed."),
    ("130", "Interrupted by SIGINT or SIGTERM: calls in flight finished, no new ones were started, and the summary says what was done."),
];

const OUT_OF_SCOPE: &str = "IAM identity-based policies (those attached to users and roles) that \
name a table, and the table's CloudWatch metrics history, are outside ddb-backup: update the policies \
for a new name; metrics start again. What else the restore guide says must be set up again (auto \
scaling, alarms, stream, TTL, point-in-time recovery, tags, table class, resource policy, capacity) \
is in the settings record that --copy-settings and --replace re-apply and read back.";

/// Every generated file: its path relative to the project root, and its content.
pub fn render_all() -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut cmd = ddb_backup::cli::help::command();
    cmd.build();
    out.push((
        PathBuf::from("man/ddb-backup.1"),
        man_page(&cmd, "ddb-backup"),
    ));
    for sub in cmd.get_subcommands() {
        let name = format!("ddb-backup-{}", sub.get_name());
        out.push((PathBuf::from(format!("man/{name}.1")), man_page(sub, &name)));
        for leaf in sub.get_subcommands() {
            let name = format!("{name}-{}", leaf.get_name());
            out.push((
                PathBuf::from(format!("man/{name}.1")),
                man_page(leaf, &name),
            ));
        }
    }
    for (shell, file) in [
        (Shell::Bash, "ddb-backup.bash"),
        (Shell::Zsh, "_ddb-backup"),
        (Shell::Fish, "ddb-backup.fish"),
        (Shell::PowerShell, "_ddb-backup.ps1"),
        (Shell::Elvish, "ddb-backup.elv"),
    ] {
        let buf = ddb_backup::commands::completions::script(shell);
        out.push((PathBuf::from(format!("completions/{file}")), buf));
    }
    out
}

fn man_page(cmd: &clap::Command, name: &str) -> Vec<u8> {
    let cmd = cmd.clone().display_name(name.to_string());
    let man = clap_mangen::Man::new(cmd.clone())
        .title(name.to_uppercase())
        .section("1")
        .source(format!("ddb-backup {}", env!("CARGO_PKG_VERSION")))
        .manual("ddb-backup manual");
    let mut w: Vec<u8> = Vec::new();
    let rendered = (|| -> std::io::Result<()> {
        man.render_title(&mut w)?;
        man.render_name_section(&mut w)?;
        man.render_synopsis_section(&mut w)?;
        man.render_description_section(&mut w)?;
        man.render_options_section(&mut w)?;
        if cmd.has_subcommands() {
            man.render_subcommands_section(&mut w)?;
        }
        Ok(())
    })();
    if let Err(e) = rendered {
        panic!("rendering {name}: {e}");
    }
    let mut roff = String::new();
    let examples: Vec<String> = ddb_backup::cli::help::examples(
        &cmd.get_after_help()
            .map(|h| h.to_string())
            .unwrap_or_default(),
    )
    .into_iter()
    .map(|e| e.replace('\n', "\n    "))
    .collect();
    if !examples.is_empty() {
        roff.push_str(".SH EXAMPLES\n");
        for e in examples {
            let lines: Vec<String> = e.lines().map(escape).collect();
            roff.push_str(&format!(".PP\n.nf\n{}\n.fi\n", lines.join("\n")));
        }
    }
    if name == "ddb-backup-restore" {
        roff.push_str(&format!(".SH OUT OF SCOPE\n{}\n", escape(OUT_OF_SCOPE)));
    }
    roff.push_str(".SH EXIT STATUS\n");
    push_list(&mut roff, EXIT_STATUS);
    roff.push_str(".SH ENVIRONMENT\n");
    push_list(&mut roff, ENVIRONMENT);
    roff.push_str(".SH FILES\n");
    push_list(&mut roff, FILES);
    if name != "ddb-backup" {
        roff.push_str(".SH GLOBAL OPTIONS\nThe options of every command (AWS targets, output and logs, AWS calls) are in\n.BR ddb-backup (1).\n");
        roff.push_str(".SH SEE ALSO\n.BR ddb-backup (1)\n");
    }
    w.extend_from_slice(roff.as_bytes());
    man.render_version_section(&mut w).unwrap_or_default();
    w
}

fn push_list(roff: &mut String, items: &[(&str, &str)]) {
    for (k, v) in items {
        roff.push_str(&format!(".TP\n.B {}\n{}\n", escape(k), escape(v)));
    }
}

/// Escapes text for roff: backslashes, and a leading '.' or '\'' that would be a request.
fn escape(s: &str) -> String {
    let s = s.replace('\\', "\\e").replace('-', "\\-");
    if s.starts_with('.') || s.starts_with('\'') {
        format!("\\&{s}")
    } else {
        s
    }
}

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Files whose checked-in content differs from what the definitions generate.
pub fn stale(root: &Path) -> Vec<PathBuf> {
    render_all()
        .into_iter()
        .filter(|(p, content)| std::fs::read(root.join(p)).ok().as_deref() != Some(content))
        .map(|(p, _)| p)
        .collect()
}

fn main() -> std::io::Result<()> {
    let root = root();
    for dir in ["man", "completions"] {
        std::fs::create_dir_all(root.join(dir))?;
    }
    for (path, content) in render_all() {
        std::fs::write(root.join(&path), content)?;
        println!("wrote {}", path.display());
    }
    Ok(())
}
