//! The layer order of docs/ARCHITECTURE.md, enforced: the module graph of `src/` (from its
//! `crate::` and `super::` paths) has no circle, no edge that goes up a layer, and no
//! command that uses another; and no file holds more than 800 lines of non-test code.

#[path = "../../examples/module-graph.rs"]
mod graph;

#[test]
fn modules_follow_the_layer_order_without_circles() {
    let known = graph::modules(&graph::root());
    assert!(known.len() > 20, "the sources were found: {}", known.len());
    let violations = graph::violations(&known);
    assert!(
        violations.is_empty(),
        "the module graph breaks the layer order (see docs/ARCHITECTURE.md; \
         `cargo run --example module-graph` prints it):\n{}",
        violations.join("\n")
    );
}

#[test]
fn no_file_is_over_800_lines_of_non_test_code() {
    let known = graph::modules(&graph::root());
    let big: Vec<String> = graph::sizes(&known)
        .into_iter()
        .filter(|(_, n)| *n > 800)
        .map(|(m, n)| format!("{}: {n}", graph::show(&m)))
        .collect();
    assert!(big.is_empty(), "split these by concern: {big:?}");
}

/// The checker itself: a circle and an upward edge in a made-up crate are found.
#[test]
fn the_checker_finds_circles_and_upward_edges() {
    let mut known = std::collections::BTreeMap::new();
    let m = |s: &str| s.split("::").map(str::to_string).collect::<Vec<_>>();
    known.insert(m("aws"), "use crate::cli::parse_region;\n".to_string());
    known.insert(m("cli"), "use crate::{aws::Dynamo, ids};\n".to_string());
    known.insert(
        m("ids"),
        graph::without_tests("// crate::cli is only named in a comment\n"),
    );
    known.insert(
        m("commands::prune"),
        graph::without_tests(
            "use super::backup::x;\n#[cfg(test)]\nmod tests {\n use crate::commands::run;\n}\n",
        ),
    );
    known.insert(m("commands::backup"), String::new());
    known.insert(m("commands::run"), String::new());
    let v = graph::violations(&known).join("\n");
    assert!(v.contains("aws -> cli: goes up"), "{v}");
    assert!(
        v.contains("import circle: aws -> cli -> aws")
            || v.contains("import circle: cli -> aws -> cli"),
        "{v}"
    );
    assert!(
        v.contains("commands::prune -> commands::backup: a command uses another"),
        "{v}"
    );
    assert!(!v.contains("ids ->"), "comments are not edges: {v}");
    assert!(
        !v.contains("commands::run"),
        "test modules are not edges: {v}"
    );
}
