//! The committed raw bindings against DuckDB's headers, one surface per file:
//! `src/raw/duckdb.rs` (`duckdb.h`), `src/raw/duckdb_v2.rs` (`duckdb_v2.h`, unstable surface on),
//! `src/raw/duckdb_static_extension.rs` (`duckdb_static_extension.h`), and the loadable-extension
//! function tables `src/raw/duckdb_extension.rs` (`duckdb_extension.h`) and
//! `src/raw/duckdb_extension_v2.rs` (`duckdb_extension_v2.h`) with the wrappers generated from
//! them, `src/raw/loadable.rs` and `src/raw/loadable_v2.rs`.
//!
//! - Always: each file binds exactly the functions its header declares. The names bindgen wrote
//!   are compared with the names a plain text scan finds in the header the build used (no
//!   bindgen, no preprocessor), and both counts with the totals documented below.
//! - With the `buildtime_bindgen` feature (needs libclang), each committed file must equal what
//!   the crate's own bindgen configuration (build/bindings.rs) generates today:
//!   `cargo test --features buildtime_bindgen --test build_script bindings_fresh::`.

use std::collections::BTreeSet;

/// Each surface: header, committed bindings, and how many functions the pinned header declares.
const SURFACES: [(&str, &str, usize); 3] = [
    ("duckdb.h", include_str!("../../src/raw/duckdb.rs"), 548),
    (
        "duckdb_v2.h",
        include_str!("../../src/raw/duckdb_v2.rs"),
        620,
    ),
    (
        "duckdb_static_extension.h",
        include_str!("../../src/raw/duckdb_static_extension.rs"),
        1,
    ),
];

/// The functions a header declares: every line starting with `DUCKDB_C_API` opens a declaration
/// (the `#define`s of the macro do not start with it), and the function's name is the last
/// identifier before the first `(` after it, which may sit on a later line.
fn declared_in(header: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut rest = header;
    while let Some(at) = rest.find("\nDUCKDB_C_API ") {
        rest = &rest[at + 1..];
        let head = &rest[..rest.find('(').expect("a declaration has a parameter list")];
        let name = head
            .rsplit(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .find(|word| !word.is_empty())
            .expect("a declaration names its function");
        assert!(names.insert(name.to_string()), "{name} is declared twice");
        rest = &rest[head.len()..];
    }
    names
}

/// The functions bindgen bound: every `pub fn NAME(`.
fn bound_in(bindings: &str) -> BTreeSet<String> {
    bindings
        .split("pub fn ")
        .skip(1)
        .map(|tail| tail[..tail.find('(').expect("a signature")].to_string())
        .collect()
}

#[test]
fn committed_bindings_bind_every_declared_function() {
    let Some(include_dir) = option_env!("DUCKDB_FFI_INCLUDE_DIR") else {
        panic!("the build script sets DUCKDB_FFI_INCLUDE_DIR once it has found the engine");
    };
    for (header, bindings, documented) in SURFACES {
        let path = std::path::Path::new(include_dir).join(header);
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let declared = declared_in(&text);
        let bound = bound_in(bindings);
        assert_eq!(
            declared.len(),
            documented,
            "{header} declares {} functions, not {documented}: a new pin? update SURFACES",
            declared.len()
        );
        let missing: Vec<_> = declared.difference(&bound).collect();
        let extra: Vec<_> = bound.difference(&declared).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "{header}: not bound {missing:?}, bound but not declared {extra:?}"
        );
    }
    // The counts the crate documents, straight from the committed text.
    let [(_, v1, _), (_, v2, _), (_, static_extension, _)] = SURFACES;
    assert_eq!(v1.matches("pub fn duckdb_").count(), 548);
    assert_eq!(v1.matches("pub fn duckdb_v2_").count(), 0);
    assert_eq!(v2.matches("pub fn duckdb_v2_").count(), 620);
    assert_eq!(v2.matches("pub fn ").count(), 620);
    assert_eq!(static_extension.matches("pub fn duckdb_").count(), 1);
}

/// The loadable-extension surfaces: table struct, its bindings, its wrappers, and the plain
/// surface whose functions the table must hold, every one.
const TABLES: [(&str, &str, &str, usize); 2] = [
    (
        "duckdb_ext_api_v1",
        include_str!("../../src/raw/duckdb_extension.rs"),
        include_str!("../../src/raw/loadable.rs"),
        0,
    ),
    (
        "duckdb_ext_api_v2",
        include_str!("../../src/raw/duckdb_extension_v2.rs"),
        include_str!("../../src/raw/loadable_v2.rs"),
        1,
    ),
];

/// The fields of `struct NAME { ... }` in bindgen's output: every line `    pub FIELD:`.
fn fields_of(bindings: &str, name: &str) -> BTreeSet<String> {
    let start = bindings
        .find(&format!("pub struct {name} {{"))
        .unwrap_or_else(|| panic!("no struct {name}"));
    let body = &bindings[start..];
    let body = &body[..body.find("\n}").expect("the struct ends")];
    body.lines()
        .filter_map(|line| line.strip_prefix("    pub "))
        .map(|line| line[..line.find(':').expect("a field")].to_string())
        .collect()
}

#[test]
fn every_function_is_in_its_loadable_extension_table_and_wrapped() {
    for (table, bindings, wrappers, surface) in TABLES {
        let expected = bound_in(SURFACES[surface].1);
        let fields = fields_of(bindings, table);
        assert_eq!(fields, expected, "{table} against {}", SURFACES[surface].0);
        let wrapped: BTreeSet<String> = wrappers
            .split("pub unsafe extern \"C\" fn ")
            .skip(1)
            .map(|tail| tail[..tail.find('(').expect("a signature")].to_string())
            .collect();
        assert_eq!(wrapped, fields, "wrappers of {table}");
        // Each wrapper calls through its own table entry, named after it.
        for name in &wrapped {
            assert!(
                wrappers.contains(&format!("            .{name}\n")),
                "{name} does not call through its entry"
            );
        }
    }
    assert_eq!(fields_of(TABLES[0].1, TABLES[0].0).len(), 548);
    assert_eq!(fields_of(TABLES[1].1, TABLES[1].0).len(), 620);
}

#[cfg(feature = "buildtime_bindgen")]
#[test]
fn committed_bindings_match_a_fresh_generation() {
    let files = [
        ("duckdb.rs", SURFACES[0].1),
        ("duckdb_v2.rs", SURFACES[1].1),
        ("duckdb_static_extension.rs", SURFACES[2].1),
        ("duckdb_extension.rs", TABLES[0].1),
        ("duckdb_extension_v2.rs", TABLES[1].1),
        ("loadable.rs", TABLES[0].2),
        ("loadable_v2.rs", TABLES[1].2),
    ];
    for (file, committed) in files {
        let fresh_path = format!("{}/{file}", env!("OUT_DIR"));
        let fresh = std::fs::read_to_string(&fresh_path)
            .unwrap_or_else(|e| panic!("the build script wrote no {fresh_path}: {e}"));
        assert!(
            fresh == committed,
            "src/{file} is stale: copy {fresh_path} over it and review the diff"
        );
    }
}
