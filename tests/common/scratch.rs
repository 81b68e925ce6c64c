//! One scratch folder per test. Its own file, so that the build-script tests can include it
//! alone (`#[path]`) and stay free of the engine.

use std::path::PathBuf;

/// A fresh, empty folder for one test: `<temp>/duckdb-ffi-test-<pid>-<name>`, emptied first if
/// a previous run left it behind. `name` must be unique within a test binary.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("duckdb-ffi-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
