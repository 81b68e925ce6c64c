//! Type names and rendering through nesting, against the engine's own `typeof()` and
//! `CAST(v AS VARCHAR)`: every column of `test_all_types()`, and values built from JSON, ENUMs,
//! TUPLEs, empty STRUCTs and plain scalars wrapped in LIST, ARRAY, STRUCT, MAP, TUPLE and
//! UNION up to three levels deep. A column's reported type (`QueryResult::column_type`'s
//! `Display`) must equal `typeof()` byte for byte, and both text paths (`Datum`'s `Display`
//! and the borrowed cells of `Vector::display_cells`) must equal the cast. The one exception is
//! the empty TUPLE, which the v1 C API reports as an empty STRUCT (src/c_api.md, "Type names"):
//! for it the test expects exactly that substitution.

use crate::common;
use duckdb_ffi::safe::{Connection, Database};

fn conn() -> Connection {
    Database::open_in_memory().unwrap().connect().unwrap()
}

/// What went wrong for one expression, if anything.
fn check(conn: &Connection, expr: &str) -> Option<String> {
    let sql = format!("SELECT typeof(v), CAST(v AS VARCHAR), v FROM (SELECT {expr} AS v) t");
    let mut result = match conn.query(&sql) {
        Ok(result) => result,
        Err(e) => return Some(format!("{expr}: the engine refused it: {e}")),
    };
    let reported = result.column_type(2).unwrap().to_string();
    let chunk = result.next_chunk().unwrap().expect("one row");
    let type_of = chunk.vector(0).unwrap().strings().unwrap().get(0).unwrap();
    let type_of = type_of.unwrap().to_string();
    let cast = chunk.vector(1).unwrap().strings().unwrap().get(0).unwrap();
    let cast = cast.map_or("NULL".to_string(), str::to_string);
    let value = chunk.vector(2).unwrap();
    let datum = value.datum(0).unwrap().to_string();
    let cells = value.display_cells().unwrap();
    let cell = cells
        .get(0)
        .unwrap()
        .map_or("NULL".to_string(), |c| c.to_string());
    // The one difference the v1 C API forces (src/c_api.md, "Type names"): an empty TUPLE
    // reaches the safe layer as an empty STRUCT. Anything else that differs is a bug.
    let (type_of, cast) = if expr.contains("()") {
        (bare_tuple_as_struct(&type_of), cast.replace("()", "{}"))
    } else {
        (type_of, cast)
    };
    let mut wrong = Vec::new();
    if reported != type_of {
        wrong.push(format!("type {reported:?}, typeof {type_of:?}"));
    }
    if datum != cast {
        wrong.push(format!("Datum {datum:?}, cast {cast:?}"));
    }
    if cell != cast {
        wrong.push(format!("cell {cell:?}, cast {cast:?}"));
    }
    (!wrong.is_empty()).then(|| format!("{expr}: {}", wrong.join("; ")))
}

/// `typeof()`'s text with each field-less `TUPLE` written `STRUCT`.
fn bare_tuple_as_struct(type_of: &str) -> String {
    let mut out = String::new();
    let mut rest = type_of;
    while let Some(at) = rest.find("TUPLE") {
        out.push_str(&rest[..at]);
        rest = &rest[at + "TUPLE".len()..];
        out.push_str(if rest.starts_with('(') {
            "TUPLE"
        } else {
            "STRUCT"
        });
    }
    out.push_str(rest);
    out
}

/// The innermost values: JSON of every shape, text that needs quotes, an ENUM, TUPLEs of
/// zero, one and two fields, an empty STRUCT, a number and NULL JSON.
const BASES: &[&str] = &[
    r#"'[1, 2]'::JSON"#,
    r#"'{"k": "v, w"}'::JSON"#,
    r#"'"a b"'::JSON"#,
    "'null'::JSON",
    "NULL::JSON",
    "'x y'",
    "'a'::ENUM('a', 'b')",
    "row(1, 'x y')",
    "row('[1]'::JSON)",
    "()",
    "struct_pack()",
    "42",
];

/// Wrappers around a value `{}`: each nesting type DuckDB has.
const WRAPPERS: &[&str] = &[
    "[{}]",
    "[{}, {}]",
    "array_value({})",
    "{{'k': {}}}",
    "MAP {{1: {}}}",
    "row({}, 2)",
    "union_value(u := {})",
];

fn wrap(wrapper: &str, inner: &str) -> String {
    wrapper
        .replace("{}", inner)
        .replace("{{", "{")
        .replace("}}", "}")
}

#[test]
fn type_names_and_text_equal_the_engine_through_every_nesting() {
    let _ledger = common::ledger_guard();
    let conn = conn();
    let mut expressions: Vec<String> = BASES.iter().map(|b| b.to_string()).collect();
    for depth in 0..2 {
        let previous: Vec<String> = if depth == 0 {
            BASES.iter().map(|b| b.to_string()).collect()
        } else {
            expressions.clone()
        };
        for inner in &previous {
            for wrapper in WRAPPERS {
                expressions.push(wrap(wrapper, inner));
            }
        }
    }
    expressions.sort();
    expressions.dedup();
    let failures: Vec<String> = expressions.iter().filter_map(|e| check(&conn, e)).collect();
    println!(
        "type names and text through nesting: {} expressions, {} equal to the engine",
        expressions.len(),
        expressions.len() - failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {} differ from the engine:\n{}",
        failures.len(),
        expressions.len(),
        failures.join("\n")
    );
}

#[test]
fn every_test_all_types_column_is_named_and_written_as_the_engine_does() {
    let _ledger = common::ledger_guard();
    let conn = conn();
    let columns = common::all_types_columns(&conn);
    let result = conn.query("SELECT * FROM test_all_types()").unwrap();
    let mut failures = Vec::new();
    for (i, name) in columns.iter().enumerate() {
        let reported = result.column_type(i).unwrap().to_string();
        let type_of: String = conn
            .query_row(
                &format!("SELECT typeof(\"{name}\") FROM test_all_types() LIMIT 1"),
                (),
                |r| r.get(0),
            )
            .unwrap();
        if reported != type_of {
            failures.push(format!("{name}: type {reported:?}, typeof {type_of:?}"));
        }
        let mut rows = conn
            .query(&format!(
                "SELECT CAST(\"{name}\" AS VARCHAR), \"{name}\" FROM test_all_types()"
            ))
            .unwrap();
        while let Some(chunk) = rows.next_chunk().unwrap() {
            let casts = chunk.vector(0).unwrap().strings().unwrap();
            let values = chunk.vector(1).unwrap();
            let cells = values.display_cells().unwrap();
            for row in 0..chunk.len() {
                let cast = casts.get(row).unwrap().unwrap_or("NULL");
                let datum = values.datum(row).unwrap().to_string();
                let cell = cells
                    .get(row)
                    .unwrap()
                    .map_or("NULL".to_string(), |c| c.to_string());
                if datum != cast || cell != cast {
                    failures.push(format!(
                        "{name} row {row}: Datum {datum:?}, cell {cell:?}, cast {cast:?}"
                    ));
                }
            }
        }
    }
    println!(
        "test_all_types(): {} columns, {} differences in name or text",
        columns.len(),
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
