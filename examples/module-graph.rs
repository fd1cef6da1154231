//! The crate's module graph, from the `crate::…`, `use crate::{…}` and `super::…` paths in
//! `src/` (test modules left out), checked against the layer order of docs/ARCHITECTURE.md.
//!
//! `cargo run --example module-graph` prints every edge and any violation;
//! `tests/it/architecture.rs` fails on a violation.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layers, bottom first. A module may use modules of its own layer or below, never
/// above; within a layer the graph must have no circle either.
pub const LAYERS: &[(&str, &[&str])] = &[
    (
        "vocabulary",
        &["ids", "error", "stop", "model", "timeparse"],
    ),
    ("pure logic", &["names", "retention", "exit", "evidence"]),
    ("network", &["aws"]),
    ("input", &["cli", "config"]),
    ("where", &["targets", "select"]),
    ("rendering", &["output"]),
    ("engine", &["engine"]),
    ("commands", &["commands"]),
    ("wiring", &["logging", "lib"]),
];

/// A module path relative to the crate root: `["aws", "listing"]`; the root is `["lib"]`.
pub type Module = Vec<String>;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every module of the library (not `main.rs` or `src/bin/`) and its source.
pub fn modules(root: &Path) -> BTreeMap<Module, String> {
    let mut out = BTreeMap::new();
    let src = root.join("src");
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                if path.file_name().is_some_and(|n| n != "bin") {
                    stack.push(path);
                }
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let rel = path.strip_prefix(&src).unwrap_or(&path);
            let mut parts: Vec<String> = rel
                .with_extension("")
                .components()
                .map(|c| c.as_os_str().to_string_lossy().to_string())
                .collect();
            if parts == ["main"] {
                continue;
            }
            if parts.last().is_some_and(|l| l == "mod") {
                parts.pop();
            }
            if parts.is_empty() {
                parts.push("lib".into());
            }
            // Files that are only tests of their parent (`#[cfg(test)] mod tests;`).
            if parts.last().is_some_and(|l| l == "tests") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            out.insert(parts, without_tests(&text));
        }
    }
    out
}

/// The source without its `#[cfg(test)]` items (they may use anything).
pub fn without_tests(text: &str) -> String {
    let mut out = String::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        if line.trim_start().starts_with("#[cfg(test)]") {
            // Skip the next item: a `mod x;` line, or a block up to its closing brace.
            let mut depth = 0i32;
            let mut opened = false;
            for l in lines.by_ref() {
                depth += l.matches('{').count() as i32;
                depth -= l.matches('}').count() as i32;
                opened |= l.contains('{');
                if (opened && depth <= 0) || (!opened && l.trim_end().ends_with(';')) {
                    break;
                }
            }
            continue;
        }
        // Comments and doc comments name paths without using them.
        let code = line.split("//").next().unwrap_or("");
        out.push_str(code);
        out.push('\n');
    }
    out
}

/// The longest known module a path `a::b::c` (from the crate root) names.
fn resolve(path: &[&str], known: &BTreeMap<Module, String>) -> Option<Module> {
    (1..=path.len()).rev().find_map(|n| {
        let m: Module = path[..n].iter().map(|s| s.to_string()).collect();
        known.contains_key(&m).then_some(m)
    })
}

/// The identifiers of a path at the start of `s`: `a::b::C` of `a::b::C { .. }`.
fn ident_path(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = s.trim_start();
    loop {
        let end = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        if end == 0 {
            break;
        }
        out.push(&rest[..end]);
        match rest[end..].strip_prefix("::") {
            Some(r) if r.starts_with(|c: char| c.is_alphanumeric() || c == '_') => rest = r,
            _ => break,
        }
    }
    out
}

/// The paths named inside `use crate::{a, b::{c, d}}`, flattened.
fn group_paths(group: &str, prefix: &str, out: &mut Vec<String>) {
    let mut depth = 0;
    let mut start = 0;
    let chars: Vec<char> = group.chars().collect();
    let mut parts = Vec::new();
    for (i, c) in chars.iter().enumerate() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(chars[start..i].iter().collect::<String>());
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(chars[start..].iter().collect::<String>());
    for p in parts {
        let p = p.trim();
        if p.is_empty() {
            continue;
        }
        if let Some((head, rest)) = p.split_once("::{") {
            let inner = rest.strip_suffix('}').unwrap_or(rest);
            group_paths(inner, &format!("{prefix}{head}::"), out);
        } else {
            out.push(format!("{prefix}{p}"));
        }
    }
}

/// Every edge `from → to` between two different modules.
pub fn edges(known: &BTreeMap<Module, String>) -> BTreeSet<(Module, Module)> {
    let mut out = BTreeSet::new();
    for (me, text) in known {
        let mut paths: Vec<Vec<String>> = Vec::new();
        let mut rest = text.as_str();
        while let Some(i) = rest.find("crate::") {
            let after = &rest[i + "crate::".len()..];
            if let Some(group) = after.strip_prefix('{') {
                let end = matching_brace(group);
                let mut flat = Vec::new();
                group_paths(&group[..end], "", &mut flat);
                for f in flat {
                    paths.push(ident_path(&f).iter().map(|s| s.to_string()).collect());
                }
            } else {
                let p = ident_path(after);
                let len: usize =
                    p.iter().map(|s| s.len()).sum::<usize>() + 2 * p.len().saturating_sub(1);
                // `crate::name!` is an exported macro, defined where it is written.
                if !after[len.min(after.len())..].starts_with('!') {
                    paths.push(p.iter().map(|s| s.to_string()).collect());
                }
            }
            rest = after;
        }
        let mut rest = text.as_str();
        while let Some(i) = rest.find("super::") {
            let preceded = rest[..i].ends_with("::");
            let after = &rest[i + "super::".len()..];
            rest = after;
            if preceded {
                continue;
            }
            // `super::` from a module file is its parent.
            let mut base: Vec<String> = me.clone();
            base.pop();
            let mut tail = after;
            while let Some(t) = tail.strip_prefix("super::") {
                base.pop();
                tail = t;
            }
            if let Some(group) = tail.strip_prefix('{') {
                let end = matching_brace(group);
                let mut flat = Vec::new();
                group_paths(&group[..end], "", &mut flat);
                for f in flat {
                    let mut p = base.clone();
                    p.extend(ident_path(&f).iter().map(|s| s.to_string()));
                    paths.push(p);
                }
            } else {
                let mut p = base.clone();
                p.extend(ident_path(tail).iter().map(|s| s.to_string()));
                if p.is_empty() {
                    p.push("lib".into());
                }
                paths.push(p);
            }
        }
        for p in paths {
            let refs: Vec<&str> = p.iter().map(String::as_str).collect();
            let target = resolve(&refs, known).unwrap_or_else(|| vec!["lib".to_string()]);
            if &target != me {
                out.insert((me.clone(), target));
            }
        }
    }
    out
}

fn matching_brace(s: &str) -> usize {
    let mut depth = 1;
    for (i, c) in s.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return i;
                }
            }
            _ => {}
        }
    }
    s.len()
}

/// The layer of a module (by its first path component).
pub fn layer(m: &Module) -> Option<usize> {
    let top = m.first()?.as_str();
    LAYERS.iter().position(|(_, mods)| mods.contains(&top))
}

pub fn show(m: &Module) -> String {
    m.join("::")
}

/// Every rule the graph breaks, one line each.
pub fn violations(known: &BTreeMap<Module, String>) -> Vec<String> {
    let edges = edges(known);
    let mut out = Vec::new();
    for m in known.keys() {
        if layer(m).is_none() {
            out.push(format!(
                "module {} is in no layer: add it to LAYERS and docs/ARCHITECTURE.md",
                show(m)
            ));
        }
    }
    for (from, to) in &edges {
        if let (Some(a), Some(b)) = (layer(from), layer(to)) {
            if b > a {
                out.push(format!(
                    "{} -> {}: goes up from the {} layer to the {} layer",
                    show(from),
                    show(to),
                    LAYERS[a].0,
                    LAYERS[b].0
                ));
            }
        }
        // A command is arguments -> engine -> render: it uses no other command.
        if from.first().is_some_and(|f| f == "commands")
            && to.first().is_some_and(|t| t == "commands")
            && from.len() > 1
        {
            out.push(format!(
                "{} -> {}: a command uses another command module",
                show(from),
                show(to)
            ));
        }
    }
    if let Some(circle) = circle(&edges) {
        out.push(format!(
            "import circle: {}",
            circle.iter().map(show).collect::<Vec<_>>().join(" -> ")
        ));
    }
    out
}

/// One circle of the graph, if it has any.
pub fn circle(edges: &BTreeSet<(Module, Module)>) -> Option<Vec<Module>> {
    let mut next: BTreeMap<&Module, Vec<&Module>> = BTreeMap::new();
    for (a, b) in edges {
        next.entry(a).or_default().push(b);
    }
    // 0 = unvisited, 1 = on the path, 2 = done.
    let mut state: BTreeMap<&Module, u8> = BTreeMap::new();
    fn visit<'a>(
        m: &'a Module,
        next: &BTreeMap<&'a Module, Vec<&'a Module>>,
        state: &mut BTreeMap<&'a Module, u8>,
        path: &mut Vec<&'a Module>,
    ) -> Option<Vec<Module>> {
        state.insert(m, 1);
        path.push(m);
        for n in next.get(m).into_iter().flatten() {
            match state.get(n).copied().unwrap_or(0) {
                1 => {
                    let from = path.iter().position(|p| p == n).unwrap_or(0);
                    let mut c: Vec<Module> = path[from..].iter().map(|m| (*m).clone()).collect();
                    c.push((*n).clone());
                    return Some(c);
                }
                0 => {
                    if let Some(c) = visit(n, next, state, path) {
                        return Some(c);
                    }
                }
                _ => {}
            }
        }
        path.pop();
        state.insert(m, 2);
        None
    }
    let starts: Vec<&Module> = next.keys().copied().collect();
    for m in starts {
        if state.get(m).copied().unwrap_or(0) == 0 {
            let mut path = Vec::new();
            if let Some(c) = visit(m, &next, &mut state, &mut path) {
                return Some(c);
            }
        }
    }
    None
}

/// Non-test lines of code (no blank lines, no comments) per file.
pub fn sizes(known: &BTreeMap<Module, String>) -> BTreeMap<Module, usize> {
    known
        .iter()
        .map(|(m, text)| {
            let n = text.lines().filter(|l| !l.trim().is_empty()).count();
            (m.clone(), n)
        })
        .collect()
}

#[allow(dead_code)]
fn main() {
    let known = modules(&root());
    for (from, to) in edges(&known) {
        println!("{} -> {}", show(&from), show(&to));
    }
    println!();
    for (m, n) in sizes(&known) {
        if n > 600 {
            println!("{}: {n} non-test lines", show(&m));
        }
    }
    let v = violations(&known);
    for line in &v {
        println!("VIOLATION {line}");
    }
    if v.is_empty() {
        println!("no violations");
    }
}
