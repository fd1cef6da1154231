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
    assert_eq!(values, vec!["table", "json", "ndjson"]);
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
