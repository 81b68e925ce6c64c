//! Own test binary: it runs only with `--no-default-features` (no extension registered).
//!
//! The engine without the default extensions (`--no-default-features`): what needs parquet
//! or json fails with an error naming the cargo feature, and DuckDB neither downloads nor
//! loads the extension from disk. Run by CI as
//! `cargo test --no-default-features --test bare_engine`.
#![cfg(not(any(feature = "parquet", feature = "json")))]

use duckdb_ffi::safe::{Config, Connection, Database};
use std::path::PathBuf;

/// A database whose extension folder is a fresh, empty directory, so any attempt to install
/// or load an extension from disk would show there.
fn open(name: &str) -> (Connection, PathBuf) {
    let dir = std::env::temp_dir().join(format!("duckdb-ffi-bare-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut config = Config::new().unwrap();
    config
        .set("extension_directory", dir.to_str().unwrap())
        .unwrap();
    let conn = Database::open_with_config(None, &config)
        .unwrap()
        .connect()
        .unwrap();
    (conn, dir)
}

/// Runs `sql`, which must fail naming `feature`, and returns the message.
fn fails_naming(conn: &Connection, sql: &str, feature: &str) -> String {
    let error = conn
        .execute_batch(sql)
        .err()
        .unwrap_or_else(|| panic!("`{sql}` ran on an engine without {feature}"));
    let message = error.message().to_owned();
    println!("{sql}\n  -> {message}\n");
    assert!(
        message.contains(&format!("cargo feature `{feature}`")),
        "`{sql}`: {message}"
    );
    assert!(
        !message.contains("INSTALL") && !message.contains("autoinstall"),
        "`{sql}`: DuckDB's advice to install should be replaced: {message}"
    );
    message
}

#[test]
fn parquet_needs_its_feature() {
    let (conn, dir) = open("parquet");
    let file = dir.join("t.parquet");
    let message = fails_naming(
        &conn,
        &format!("SELECT * FROM read_parquet('{}')", file.display()),
        "parquet",
    );
    // DuckDB's own first sentence is kept.
    assert!(message.contains("read_parquet"), "{message}");
    fails_naming(
        &conn,
        &format!(
            "COPY (SELECT 1 AS x) TO '{}' (FORMAT parquet)",
            file.display()
        ),
        "parquet",
    );
    fails_naming(&conn, "LOAD parquet", "parquet");
    assert!(
        std::fs::read_dir(&dir).unwrap().next().is_none(),
        "nothing was installed into {}",
        dir.display()
    );
}

#[test]
fn json_needs_its_feature() {
    let (conn, dir) = open("json");
    fails_naming(&conn, "SELECT '{}'::JSON", "json");
    fails_naming(
        &conn,
        &format!(
            "SELECT * FROM read_json('{}')",
            dir.join("x.json").display()
        ),
        "json",
    );
    fails_naming(&conn, "SELECT json_extract('{\"a\": 1}', '$.a')", "json");
    assert!(std::fs::read_dir(&dir).unwrap().next().is_none());
}

#[test]
fn neither_extension_is_registered_and_nothing_is_installed_automatically() {
    let (conn, _dir) = open("registered");
    let loaded: i64 = conn
        .query_row(
            "SELECT count(*) FROM duckdb_extensions() \
             WHERE extension_name IN ('parquet', 'json') AND (loaded OR installed)",
            (),
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(loaded, 0);
    let core: bool = conn
        .query_row(
            "SELECT loaded FROM duckdb_extensions() WHERE extension_name = 'core_functions'",
            (),
            |r| r.get(0),
        )
        .unwrap();
    assert!(core, "core_functions is always registered");
    for setting in ["autoinstall_known_extensions", "autoload_known_extensions"] {
        let on: bool = conn
            .query_row(&format!("SELECT current_setting('{setting}')"), (), |r| {
                r.get(0)
            })
            .unwrap();
        assert!(!on, "{setting}");
    }
}
