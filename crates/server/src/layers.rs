//! The rule of the server's floors, checked on its sources: handlers (`http/`, `ws/`) reach
//! the store and the bus only through the service floor (`service/`), which writes the audit
//! entry that belongs to each action. A handler that reached the store could skip that audit,
//! and nothing else would notice (docs/ARCHITECTURE.md).

use std::path::{Path, PathBuf};

/// What a handler must not write: the doors to the store and the bus, and their types.
const FORBIDDEN: &[&str] = &[
    ".store()",
    ".bus()",
    "dyn Store",
    "ecoute_store::Store",
    "Store>",
    "LocalBus",
    ".publish(",
    ".subscribe(",
    "append_audit",
];

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("a source folder") {
        let path = entry.expect("a source file").path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every line of the handlers' sources that breaks the rule, as `file:line: text`.
fn breaches(root: &Path) -> Vec<String> {
    let mut files = Vec::new();
    for floor in ["http", "ws"] {
        sources(&root.join(floor), &mut files);
    }
    files.sort();
    let mut found = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("a readable source");
        // A file's own tests may build a store and a bus to drive it.
        let code_lines = text.lines().take_while(|l| l.trim() != "#[cfg(test)]");
        for (n, line) in code_lines.enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            if FORBIDDEN.iter().any(|f| code.contains(f)) {
                let name = file.strip_prefix(root).unwrap_or(&file).display();
                found.push(format!("{name}:{}: {}", n + 1, line.trim()));
            }
        }
    }
    found
}

#[test]
fn handlers_reach_the_store_and_the_bus_only_through_services() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let found = breaches(&root);
    assert!(
        found.is_empty(),
        "handlers must call a service method instead:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_check_sees_a_handler_that_reaches_the_store() {
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(root.path().join("http/nested")).unwrap();
    std::fs::create_dir_all(root.path().join("ws")).unwrap();
    std::fs::write(
        root.path().join("http/nested/page.rs"),
        "// state.chat.store() in a comment is fine\nlet n = state.chat.store().count().await;\n",
    )
    .unwrap();
    std::fs::write(
        root.path().join("ws/socket.rs"),
        "chat.bus().publish(t, e);\n",
    )
    .unwrap();
    let found = breaches(root.path());
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found[0].starts_with("http/nested/page.rs:2:"), "{found:?}");
    assert!(found[1].starts_with("ws/socket.rs:1:"), "{found:?}");
}
