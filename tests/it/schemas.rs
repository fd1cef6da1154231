//! The JSON reference (docs/json.md), checked against real output: every documented key is
//! there, and every key there is documented (rows of a fleet also carry `account` and
//! `region`, documented once for all).

use serde_json::Value;

use crate::common::*;

/// A documented shape: `{a, b: {c}, d: [{e}]}`.
#[derive(Debug)]
enum Shape {
    Object(Vec<(String, Option<Shape>)>),
    List(Box<Shape>),
    /// `[[a, {..}]]`: pairs; not checked inside.
    Opaque,
}

fn parse(s: &str) -> Shape {
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    let shape = shape(&chars, &mut i);
    assert!(i <= chars.len());
    shape
}

fn skip_ws(c: &[char], i: &mut usize) {
    while *i < c.len() && c[*i].is_whitespace() {
        *i += 1;
    }
}

fn shape(c: &[char], i: &mut usize) -> Shape {
    skip_ws(c, i);
    match c.get(*i) {
        Some('{') => {
            *i += 1;
            let mut fields = Vec::new();
            loop {
                skip_ws(c, i);
                if c.get(*i) == Some(&'}') {
                    *i += 1;
                    return Shape::Object(fields);
                }
                let start = *i;
                while *i < c.len() && (c[*i].is_ascii_alphanumeric() || c[*i] == '_') {
                    *i += 1;
                }
                let mut key: String = c[start..*i].iter().collect();
                if c.get(*i) == Some(&'?') {
                    key.push('?');
                    *i += 1;
                }
                skip_ws(c, i);
                let sub = if c.get(*i) == Some(&':') {
                    *i += 1;
                    Some(shape(c, i))
                } else {
                    None
                };
                fields.push((key, sub));
                skip_ws(c, i);
                if c.get(*i) == Some(&',') {
                    *i += 1;
                }
            }
        }
        Some('[') if c.get(*i + 1) == Some(&'[') => {
            let mut depth = 0;
            while *i < c.len() {
                match c[*i] {
                    '[' => depth += 1,
                    ']' => {
                        depth -= 1;
                        if depth == 0 {
                            *i += 1;
                            break;
                        }
                    }
                    _ => {}
                }
                *i += 1;
            }
            Shape::Opaque
        }
        Some('[') => {
            *i += 1;
            let inner = shape(c, i);
            skip_ws(c, i);
            assert_eq!(c.get(*i), Some(&']'), "unclosed list at {i}");
            *i += 1;
            Shape::List(Box::new(inner))
        }
        other => panic!("unexpected {other:?} at {i}"),
    }
}

fn check(shape: &Shape, v: &Value, path: &str, in_row: bool, errors: &mut Vec<String>) {
    match (shape, v) {
        (_, Value::Null) | (Shape::Opaque, _) => {}
        (Shape::Object(fields), Value::Object(o)) => {
            for (k, sub) in fields {
                let optional = k.ends_with('?');
                let k = k.trim_end_matches('?');
                match o.get(k) {
                    None if optional => {}
                    None => errors.push(format!("{path}.{k}: documented, not in the output")),
                    Some(x) => {
                        if let Some(s) = sub {
                            check(s, x, &format!("{path}.{k}"), false, errors)
                        }
                    }
                }
            }
            for k in o.keys() {
                // Documented once for all rows and summaries.
                let placed = in_row && (k == "account" || k == "region");
                let targets = path.ends_with(".summary") && k == "targets";
                if !placed && !targets && !fields.iter().any(|(f, _)| f.trim_end_matches('?') == k)
                {
                    errors.push(format!("{path}.{k}: in the output, not documented"));
                }
            }
        }
        (Shape::List(inner), Value::Array(items)) => {
            for x in items.iter().take(3) {
                check(inner, x, &format!("{path}[]"), true, errors);
            }
        }
        (s, v) => errors.push(format!("{path}: documented as {s:?}, is {v}")),
    }
}

/// The documented shape of `command` in the JSON reference (docs/json.md).
fn documented(command: &str) -> Shape {
    let readme = std::fs::read_to_string(root().join("docs/json.md")).unwrap();
    let prefix = format!("- `{command}`: `{{");
    let line = readme
        .lines()
        .find(|l| l.starts_with(&prefix))
        .unwrap_or_else(|| panic!("no JSON reference line for {command}"));
    let start = prefix.len() - 1;
    let end = line[start..].find("}`").map(|e| start + e + 1).unwrap();
    parse(&line[start..end])
}

fn conforms(command: &str, doc: &Value, errors: &mut Vec<String>) {
    check(&documented(command), doc, command, false, errors);
}

#[test]
fn the_documented_json_matches_the_output() {
    let emu = Emulator::start();
    emu.create_tables(&["orders"]);
    emu.seed("orders", &daily_specs("orders", 4, 3600));
    let config = emu.home.path().join("c.toml");
    std::fs::write(
        &config,
        "[[policy]]\nname = \"p\"\ntables = [\"orders\"]\n[policy.retention]\nkeep_last = 2\n[policy.check]\nmax_age = \"1d\"\n",
    )
    .unwrap();
    let cfg = config.to_str().unwrap();
    let run = |args: &[&str]| {
        let r = emu.run(args);
        assert!(r.code == 0 || r.code == 3, "{args:?}: {}", r.stderr);
        r.json()
    };
    let mut errors = Vec::new();
    let e = &mut errors;
    conforms(
        "run",
        &run(&["run", "--config", cfg, "--dry-run", "-o", "json"]),
        e,
    );
    conforms("check", &run(&["check", "--config", cfg, "-o", "json"]), e);
    conforms(
        "prune",
        &run(&[
            "prune",
            "--table",
            "orders",
            "--keep-last",
            "2",
            "--dry-run",
            "-o",
            "json",
        ]),
        e,
    );
    conforms(
        "verify",
        &run(&["verify", "--table", "orders", "-o", "json"]),
        e,
    );
    conforms(
        "backup",
        &run(&["backup", "--table", "orders", "--dry-run", "-o", "json"]),
        e,
    );
    conforms(
        "list",
        &run(&["list", "--table", "orders", "-o", "json"]),
        e,
    );
    let restore = run(&[
        "restore",
        "--table",
        "orders",
        "--latest",
        "--target",
        "orders-copy",
        "--dry-run",
        "-o",
        "json",
    ]);
    conforms("restore", &restore, e);
    conforms(
        "describe",
        &run(&["describe", "--table", "orders", "--latest", "-o", "json"]),
        e,
    );
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}
