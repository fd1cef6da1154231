//! deploy/template.yaml: cfn-lint clean, and its execution role grants exactly the
//! statements of docs/iam-policy.json that the function uses.

use std::process::Command;

use crate::common::*;

fn tool(name: &str) -> std::path::PathBuf {
    python().parent().unwrap().join(name)
}

fn policy_check(template: &std::path::Path) -> std::process::Output {
    Command::new(python())
        .arg(root().join("tests/lambda/check_template_policy.py"))
        .arg(template)
        .arg(root().join("docs/iam-policy.json"))
        .output()
        .unwrap()
}

#[test]
fn the_template_lints_clean_and_grants_exactly_the_documented_policy() {
    let template = root().join("deploy/template.yaml");
    let lint = Command::new(tool("cfn-lint"))
        .arg(&template)
        .output()
        .unwrap();
    assert!(
        lint.status.success(),
        "cfn-lint: {}{}",
        String::from_utf8_lossy(&lint.stdout),
        String::from_utf8_lossy(&lint.stderr)
    );
    let ok = policy_check(&template);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stdout)
    );
    // The check notices a difference either way: an extra action, a missing statement.
    let text = std::fs::read_to_string(&template).unwrap();
    let dir = tempfile::tempdir().unwrap();
    for (what, changed) in [
        (
            "an extra action",
            text.replace(
                "                  - dynamodb:DeleteBackup\n",
                "                  - dynamodb:DeleteBackup\n                  - dynamodb:DeleteTable\n",
            ),
        ),
        (
            "a narrower resource",
            text.replace(
                "Resource: arn:aws:dynamodb:*:*:table/*/backup/*",
                "Resource: arn:aws:dynamodb:*:*:table/prod-*/backup/*",
            ),
        ),
        (
            "an extra archive action",
            text.replace(
                "                    - dynamodb:DescribeExport\n",
                "                    - dynamodb:DescribeExport\n                    - dynamodb:DeleteTable\n",
            ),
        ),
        ("a missing statement", {
            let start = text.find("              - Sid: SelectByTag").unwrap();
            let end = text.find("              - Sid: CreateBackups").unwrap();
            format!("{}{}", &text[..start], &text[end..])
        }),
    ] {
        assert_ne!(changed, text, "{what}: the edit applies");
        let path = dir.path().join("template.yaml");
        std::fs::write(&path, &changed).unwrap();
        let bad = policy_check(&path);
        assert!(!bad.status.success(), "{what} went unnoticed");
    }
    // cfn-lint itself is not a rubber stamp.
    let broken = dir.path().join("broken.yaml");
    std::fs::write(
        &broken,
        text.replace("Mode: \"OFF\"", "Mode: \"SOMETIMES\""),
    )
    .unwrap();
    let lint = Command::new(tool("cfn-lint"))
        .arg(&broken)
        .output()
        .unwrap();
    assert!(!lint.status.success());
}
