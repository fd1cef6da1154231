//! The generated man pages and completions are current, complete, and work.

#[path = "../../examples/gen-docs.rs"]
mod gen_docs;

use std::process::Command;

#[test]
fn generated_files_are_current() {
    let stale = gen_docs::stale(&gen_docs::root());
    assert!(
        stale.is_empty(),
        "stale generated files {stale:?}: run `cargo run --example gen-docs` and commit the result"
    );
}

#[test]
fn every_man_page_has_the_operator_sections() {
    for (path, content) in gen_docs::render_all() {
        if !path.starts_with("man") {
            continue;
        }
        let text = String::from_utf8(content).unwrap();
        for section in [
            ".SH NAME",
            ".SH SYNOPSIS",
            ".SH OPTIONS",
            ".SH EXIT STATUS",
            ".SH ENVIRONMENT",
            ".SH FILES",
        ] {
            assert!(text.contains(section), "{} lacks {section}", path.display());
        }
        let leaf = !text.contains(".SH SUBCOMMANDS");
        if leaf {
            assert!(
                text.contains(".SH EXAMPLES"),
                "{} lacks examples",
                path.display()
            );
        }
    }
    let restore =
        std::fs::read_to_string(gen_docs::root().join("man/ddb-backup-restore.1")).unwrap();
    assert!(restore.contains(".SH OUT OF SCOPE") && restore.contains("auto scaling"));
}

/// Asks the checked-in bash completion what it offers for a partial command line.
fn bash_complete(words: &[&str]) -> Vec<String> {
    let script = format!(
        "source '{}'\nCOMP_WORDS=({})\nCOMP_CWORD={}\nCOMP_LINE=\"${{COMP_WORDS[*]}}\"\nCOMP_POINT=${{#COMP_LINE}}\nfn=$(complete -p ddb-backup | sed 's/.*-F \\([^ ]*\\).*/\\1/')\n\"$fn\" ddb-backup \"${{COMP_WORDS[-1]}}\" \"${{COMP_WORDS[-2]}}\"\nprintf '%s\\n' \"${{COMPREPLY[@]}}\"\n",
        gen_docs::root().join("completions/ddb-backup.bash").display(),
        words.iter().map(|w| format!("'{w}'")).collect::<Vec<_>>().join(" "),
        words.len() - 1
    );
    let out = Command::new("bash")
        .args(["--norc", "--noprofile", "-c", &script])
        .output()
        .expect("bash runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

#[test]
fn bash_completion_completes_subcommands_and_flags() {
    assert_eq!(bash_complete(&["ddb-backup", "pru"]), vec!["prune"]);
    let r = bash_complete(&["ddb-backup", "re"]);
    assert!(r.contains(&"restore".to_string()), "{r:?}");
    let flags = bash_complete(&["ddb-backup", "prune", "--keep-w"]);
    assert!(flags.contains(&"--keep-weekly".to_string()), "{flags:?}");
    assert!(flags.contains(&"--keep-within".to_string()), "{flags:?}");
    let values = bash_complete(&["ddb-backup", "list", "--output", ""]);
    assert_eq!(values, vec!["table", "json", "ndjson", "csv"]);
}

#[test]
fn zsh_and_fish_completions_name_every_subcommand() {
    let root = gen_docs::root();
    let zsh = std::fs::read_to_string(root.join("completions/_ddb-backup")).unwrap();
    let fish = std::fs::read_to_string(root.join("completions/ddb-backup.fish")).unwrap();
    assert!(zsh.starts_with("#compdef ddb-backup"));
    for sub in [
        "list", "describe", "backup", "prune", "restore", "run", "check", "config",
    ] {
        assert!(zsh.contains(&format!("'{sub}:")), "zsh lacks {sub}");
        assert!(fish.contains(&format!("-a \"{sub}\"")), "fish lacks {sub}");
    }
}

/// Splits a shell command line (single and double quotes; no expansions).
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut in_word = false;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => cur.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                in_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            (None, c) => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    words
}

/// The README and the pages of docs/: (path, text).
fn documents() -> Vec<(String, String)> {
    let root = gen_docs::root();
    let mut paths = vec![root.join("README.md")];
    let mut pages: Vec<_> = std::fs::read_dir(root.join("docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    pages.sort();
    paths.extend(pages);
    paths
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            let rel = p.strip_prefix(&root).unwrap().to_string_lossy().to_string();
            (rel, text)
        })
        .collect()
}

/// Every `ddb-backup …` command in the code blocks of the README and docs/ (continuations
/// joined, comments and redirections cut).
fn readme_commands() -> Vec<String> {
    documents()
        .iter()
        .flat_map(|(_, text)| commands_in(text))
        .collect()
}

fn commands_in(readme: &str) -> Vec<String> {
    let mut in_code = false;
    let mut lines: Vec<String> = Vec::new();
    let mut pending = String::new();
    for line in readme.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if !in_code {
            // Inline code: `ddb-backup ...`
            for part in line.split('`').skip(1).step_by(2) {
                if part.starts_with("ddb-backup ") {
                    lines.push(part.to_string());
                }
            }
            continue;
        }
        if line.trim_start().starts_with("- run: cargo") || line.trim_start().starts_with("cargo ")
        {
            continue;
        }
        let mut l = line.trim().to_string();
        if !pending.is_empty() {
            l = format!("{pending} {l}");
            pending.clear();
        }
        if let Some(stripped) = l.strip_suffix('\\') {
            pending = stripped.trim().to_string();
            continue;
        }
        lines.push(l);
    }
    let mut out = Vec::new();
    for l in lines {
        let Some(at) = l
            .match_indices("ddb-backup ")
            .map(|(i, _)| i)
            .find(|&i| i == 0 || matches!(l.as_bytes()[i - 1], b' ' | b'/'))
        else {
            continue;
        };
        let mut cmd = l[at..].to_string();
        for cut in [" #", " >", " |"] {
            if let Some(i) = cmd.find(cut) {
                cmd.truncate(i);
            }
        }
        out.push(cmd.trim().to_string());
    }
    out
}

#[test]
fn every_command_in_the_readme_and_in_help_parses() {
    use clap::CommandFactory;
    let mut commands = readme_commands();
    assert!(commands.len() >= 22, "found only {commands:?}");
    let cmd = ddb_backup::cli::Cli::command();
    let mut helps: Vec<String> = cmd
        .get_after_help()
        .map(|h| h.to_string())
        .into_iter()
        .collect();
    for sub in cmd.get_subcommands() {
        helps.extend(sub.get_after_help().map(|h| h.to_string()));
        for leaf in sub.get_subcommands() {
            helps.extend(leaf.get_after_help().map(|h| h.to_string()));
        }
    }
    for h in helps {
        commands.extend(
            ddb_backup::cli::help::examples(&h)
                .into_iter()
                .map(|e| e.replace("\\\n", " "))
                // What a shell does with the output is not the command's.
                .map(|l| l.split(" >").next().unwrap_or(&l).to_string()),
        );
    }
    for c in &commands {
        let words = shell_words(c);
        match ddb_backup::cli::try_parse_from(&words) {
            Ok(_) => {}
            // `ddb-backup --help`, `ddb-backup prune --help`: help is printed, not refused.
            Err(e) if !e.use_stderr() => {}
            Err(e) => panic!("`{c}` does not parse: {e}"),
        }
    }
}

#[test]
fn the_iam_policy_grants_every_operation_the_aws_module_calls() {
    let root = gen_docs::root();
    let policy = std::fs::read_to_string(root.join("docs/iam-policy.json")).unwrap();
    let policy: serde_json::Value = serde_json::from_str(&policy).unwrap();
    let granted: Vec<String> = policy["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["Action"].as_array().unwrap().clone())
        .map(|a| a.as_str().unwrap().to_string())
        .collect();
    let mut called = std::collections::BTreeSet::new();
    for entry in std::fs::read_dir(root.join("src/aws")).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        for op in [
            "list_tables",
            "list_backups",
            "describe_table",
            "list_tags_of_resource",
            "describe_continuous_backups",
            "describe_time_to_live",
            "create_backup",
            "describe_backup",
            "delete_backup",
            "restore_table_from_backup",
            "restore_table_to_point_in_time",
            "update_time_to_live",
            "tag_resource",
            "update_continuous_backups",
            "update_table",
            "delete_table",
            "update_item",
            "put_item",
            "create_table",
            "get_resource_policy",
            "put_resource_policy",
            "describe_kinesis_streaming_destination",
            "enable_kinesis_streaming_destination",
            "describe_contributor_insights",
            "update_contributor_insights",
            "export_table_to_point_in_time",
            "describe_export",
            "import_table",
            "describe_import",
            "batch_write_item",
        ] {
            if text.contains(&format!(".{op}()")) {
                let pascal: String = op
                    .split('_')
                    .map(|w| w[..1].to_uppercase() + &w[1..])
                    .collect();
                called.insert(format!("dynamodb:{pascal}"));
            }
        }
    }
    // S3 (the archive tier): the IAM actions of the calls.
    for entry in std::fs::read_dir(root.join("src/aws")).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        for (call, action) in [
            (".list_objects_v2()", "s3:ListBucket"),
            (".get_object()", "s3:GetObject"),
            (".put_object()", "s3:PutObject"),
            (".delete_objects()", "s3:DeleteObject"),
        ] {
            if text.contains(call) {
                called.insert(action.to_string());
            }
        }
    }
    // The Resource Groups Tagging API (tag selection at scale).
    for entry in std::fs::read_dir(root.join("src/aws")).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        if text.contains(".get_resources()") {
            called.insert("tag:GetResources".to_string());
        }
        // Application Auto Scaling and CloudWatch (a table's settings record).
        for (call, action) in [
            (
                ".describe_scalable_targets()",
                "application-autoscaling:DescribeScalableTargets",
            ),
            (
                ".describe_scaling_policies()",
                "application-autoscaling:DescribeScalingPolicies",
            ),
            (
                ".describe_scheduled_actions()",
                "application-autoscaling:DescribeScheduledActions",
            ),
            (
                ".register_scalable_target()",
                "application-autoscaling:RegisterScalableTarget",
            ),
            (
                ".put_scaling_policy()",
                "application-autoscaling:PutScalingPolicy",
            ),
            (
                ".put_scheduled_action()",
                "application-autoscaling:PutScheduledAction",
            ),
            (".describe_alarms()", "cloudwatch:DescribeAlarms"),
            (".put_metric_alarm()", "cloudwatch:PutMetricAlarm"),
        ] {
            if text.contains(call) {
                called.insert(action.to_string());
            }
        }
    }
    assert!(called.contains("tag:GetResources"), "{called:?}");
    assert!(called.len() >= 30, "{called:?}");
    for op in &called {
        assert!(granted.contains(op), "docs/iam-policy.json lacks {op}");
    }
    // Tables are deleted by `restore --replace` (after its safety backup) and by `verify`
    // (its own scratch tables), and by nothing else.
    for entry in std::fs::read_dir(root.join("src/commands")).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        if !["replace.rs", "verify.rs"].contains(&path.file_name().unwrap().to_str().unwrap()) {
            assert!(
                !text.contains(".delete_table("),
                "{} deletes a table",
                path.display()
            );
        }
    }
}

/// GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens.
fn anchor(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-' || *c == '_')
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

fn anchors(text: &str) -> Vec<String> {
    let mut in_code = false;
    let mut out = Vec::new();
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
        } else if !in_code && line.starts_with('#') {
            out.push(anchor(line.trim_start_matches('#')));
        }
    }
    out
}

#[test]
fn every_link_in_the_readme_and_docs_leads_somewhere() {
    let root = gen_docs::root();
    let docs = documents();
    assert!(
        docs.len() >= 4,
        "{:?}",
        docs.iter().map(|d| &d.0).collect::<Vec<_>>()
    );
    let mut broken = Vec::new();
    for (path, text) in &docs {
        let dir = std::path::Path::new(path).parent().unwrap().to_path_buf();
        for part in text.split("](").skip(1) {
            let Some(target) = part.split(')').next() else {
                continue;
            };
            if target.starts_with("http://") || target.starts_with("https://") {
                continue;
            }
            let (file, fragment) = target.split_once('#').unwrap_or((target, ""));
            let linked = if file.is_empty() {
                Some(text.clone())
            } else {
                let p = root.join(&dir).join(file);
                if !p.exists() {
                    broken.push(format!("{path}: {target} (no such file)"));
                    continue;
                }
                std::fs::read_to_string(&p).ok()
            };
            if !fragment.is_empty() {
                let text = linked.unwrap_or_default();
                if !anchors(&text).iter().any(|a| a == fragment) {
                    broken.push(format!("{path}: {target} (no such heading)"));
                }
            }
        }
    }
    assert!(broken.is_empty(), "broken links: {broken:#?}");
    // The README names its two entry points, and opens with what the tool is and is not.
    let readme = &docs[0].1;
    assert!(readme.contains("./scripts/demo.sh") && readme.contains("./scripts/test.sh"));
    let top: String = readme.lines().take(40).collect::<Vec<_>>().join("\n");
    assert!(top.contains("**What it does not do.**"), "{top}");
}

#[test]
fn every_test_named_in_the_safety_guarantees_exists() {
    let root = gen_docs::root();
    let section = std::fs::read_to_string(root.join("docs/safety.md")).unwrap();
    let mut sources = String::new();
    for dir in ["src", "src/aws", "src/commands", "src/engine", "tests/it"] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "rs") {
                sources.push_str(&std::fs::read_to_string(path).unwrap());
            }
        }
    }
    let mut named = 0;
    for part in section.split('`').skip(1).step_by(2) {
        // `module::test`, `module::tests::test` or a bare test name in the same cell.
        let name = part.rsplit("::").next().unwrap_or(part);
        if name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            && name.contains('_')
        {
            named += 1;
            assert!(
                sources.contains(&format!("fn {name}(")),
                "docs/safety.md names a test that does not exist: {part}"
            );
        }
    }
    assert!(named >= 20, "only {named} test names found");
}
