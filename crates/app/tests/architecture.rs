//! Rules of the code's shape that the compiler cannot hold alone. A read over a subtree goes
//! through `chibo_store::subtree::Subtree`, which only a proof of access makes; these checks
//! keep the two ways around it closed: filtering on a path column by hand, and declaring a new
//! kind of proof outside the access module. And the connections that keep plans on PostgreSQL
//! (`App::by_key`) serve only the readers by key.

use std::path::{Path, PathBuf};

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Lines of the application's sources outside `access/` that contain one of `needles`.
fn lines_outside_access(needles: &[&str]) -> Vec<String> {
    lines_in(needles, |file| file.starts_with("access"))
}

/// Lines of the application's sources that contain one of `needles`, `path/to/file.rs:line:
/// text`, except in the files `skip` names (paths relative to `src/`).
fn lines_in(needles: &[&str], skip: impl Fn(&str) -> bool) -> Vec<String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let mut found = Vec::new();
    for file in files {
        let rel = file
            .strip_prefix(&src)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        if skip(&rel) {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        for (i, line) in text.lines().enumerate() {
            if needles.iter().any(|n| line.contains(n)) {
                found.push(format!("{rel}:{}: {}", i + 1, line.trim()));
            }
        }
    }
    found
}

#[test]
fn subtree_reads_go_through_a_proof() {
    let by_hand = lines_outside_access(&[
        "path_prefix(",
        "Path.like(",
        "Path.not_like(",
        "UnitPath.like(",
        "UnitPath.not_like(",
        ".within(",
    ]);
    assert!(
        by_hand.is_empty(),
        "filter a subtree with chibo_store::subtree::Subtree::of(proof), not by path:\n{}",
        by_hand.join("\n")
    );
}

#[test]
fn only_the_access_module_proves_a_subtree() {
    let proofs = lines_outside_access(&["ProvesSubtree for", "impl ProvesSubtree"]);
    assert!(
        proofs.is_empty(),
        "only crate::access may implement ProvesSubtree:\n{}",
        proofs.join("\n")
    );
}

#[test]
fn only_the_worker_reads_every_tree() {
    let callers: Vec<String> = lines_outside_access(&["scheduled_roots("])
        .into_iter()
        .filter(|l| !l.starts_with("reach/steps.rs:") && !l.starts_with("reach/worker.rs:"))
        .collect();
    assert!(
        callers.is_empty(),
        "only the worker's scheduled jobs (crate::reach) read every tree without an actor:\n{}",
        callers.join("\n")
    );
}

/// `App::by_key`'s connections keep a statement's plan on PostgreSQL, which a subtree's
/// `path LIKE $1` must not get (it would read whole tables): only the readers by key that
/// were measured use them (the caller, a meeting with its cell, one member's roll line).
#[test]
fn only_the_readers_by_key_use_the_keyed_connections() {
    let readers = ["lib.rs", "access/auth.rs", "meetings/lookup.rs"];
    let others = lines_in(&[".by_key", " by_key"], |file| readers.contains(&file));
    assert!(
        others.is_empty(),
        "App::by_key is for statements found by key, and each new one is measured first \
         (docs/performance.md, \"Check-ins under load\"):\n{}",
        others.join("\n")
    );
    assert!(!lines_in(&["app.by_key"], |file| file != "access/auth.rs").is_empty());
}

/// The checks above would pass on an empty list of files: make sure they read the sources.
#[test]
fn the_checks_read_the_sources() {
    assert!(!lines_outside_access(&["Subtree::of("]).is_empty());
}
