//! The extensions registered by default (features `parquet` and `json`) on the real engine:
//! a parquet file written and read back for every type of `test_all_types()`, newline-
//! delimited JSON the same way, and the JSON functions. `tests/bare_engine.rs` covers a build
//! without them.

use crate::common::{self, scratch};

use duckdb_ffi::safe::{Connection, Database};

/// The columns of `test_all_types()` with their types.
fn columns(conn: &Connection) -> Vec<(String, String)> {
    common::all_types_columns(conn)
        .into_iter()
        .map(|name| {
            let ty = conn
                .query_row(
                    &format!("SELECT typeof(\"{name}\") FROM test_all_types() LIMIT 1"),
                    (),
                    |r| r.get::<String>(0),
                )
                .unwrap();
            (name, ty)
        })
        .collect()
}

/// Writes every column of `test_all_types()` (min, max, NULL; 3 000 rows so the file has
/// several row groups' worth of vectors) with `copy_options`, reads it back with `read`
/// (`{file}`, `{type}` and `{type_text}`, the type as an SQL string, replaced) and returns the columns that did not come back equal,
/// with what went wrong.
fn lost_columns(format: &str, copy_options: &str, read: &str) -> Vec<(String, String)> {
    let dir = scratch(format);
    let names = columns(&Database::open_in_memory().unwrap().connect().unwrap());
    assert!(
        names.len() > 50,
        "test_all_types() has {} columns",
        names.len()
    );
    let mut lost = Vec::new();
    for (column, ty) in names {
        // A database per column: a value the engine cannot read back may invalidate it.
        let conn = Database::open_in_memory().unwrap().connect().unwrap();
        let file = dir.join(format!("{column}.{format}"));
        let file = file.display();
        conn.execute_batch(&format!(
            "SET threads = 1; \
             CREATE TABLE src AS SELECT \"{column}\" AS c FROM test_all_types(), range(1000) \
             ORDER BY range;"
        ))
        .unwrap();
        if let Err(e) = conn.execute(&format!("COPY src TO '{file}' ({copy_options})")) {
            lost.push((column, format!("write: {}", first_line(e.message()))));
            continue;
        }
        let back = read
            .replace("{file}", &file.to_string())
            .replace("{type}", &ty)
            .replace("{type_text}", &ty.replace('\'', "''"));
        match common::differing(&conn, "src", &format!("({back})")) {
            Ok(0) => {}
            Ok(n) => lost.push((column, format!("{n} rows differ"))),
            Err(e) => lost.push((column, format!("read: {e}"))),
        }
    }
    lost
}

fn first_line(message: &str) -> String {
    message.lines().next().unwrap_or_default().to_owned()
}

fn names(lost: &[(String, String)]) -> Vec<&str> {
    lost.iter().map(|(c, _)| c.as_str()).collect()
}

#[test]
fn parquet_and_json_are_registered_and_linked_statically() {
    let _ledger = common::ledger_guard();
    let conn = Database::open_in_memory().unwrap().connect().unwrap();
    for name in ["parquet", "json"] {
        let (loaded, mode): (bool, String) = conn
            .query_row(
                "SELECT loaded, install_mode::VARCHAR FROM duckdb_extensions() \
                 WHERE extension_name = ?",
                [name],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert!(loaded, "{name} is not loaded");
        assert_eq!(mode, "STATICALLY_LINKED", "{name}");
    }
}

/// The columns a parquet file does not give back as they were, read with a cast to the
/// original type; every other column of `test_all_types()` (all integers up to 64 bits,
/// decimals, dates, times and timestamps of every unit, UUID, VARCHAR, BLOB, BIT, BIGNUM,
/// GEOMETRY, enums, lists, arrays, structs, maps and unions) comes back equal. Parquet has no
/// 128-bit integer, so DuckDB writes HUGEINT and UHUGEINT as DOUBLE, whose extremes do not
/// cast back; TIMETZ is written as a time adjusted to UTC, so the offset is gone; parquet's
/// INTERVAL holds milliseconds, so microseconds are lost; an empty STRUCT cannot be written.
const PARQUET_LOST: &[&str] = &["hugeint", "uhugeint", "time_tz", "interval", "empty_struct"];

#[test]
fn every_type_round_trips_through_a_parquet_file() {
    let _ledger = common::ledger_guard();
    let lost = lost_columns(
        "parquet",
        "FORMAT parquet, ROW_GROUP_SIZE 2048",
        "SELECT c::{type} AS c FROM read_parquet('{file}')",
    );
    println!("{lost:#?}");
    assert_eq!(names(&lost), PARQUET_LOST, "{lost:#?}");
}

/// The columns newline-delimited JSON does not give back, read with the original types
/// declared: the JSON reader cannot read BIGNUM or BIT; DECIMALs are written as JSON numbers
/// in double precision, so the widest decimals' extremes round past their type's range; a
/// BLOB is written as text with its bytes escaped and read back as that text's bytes.
const JSON_LOST: &[&str] = &["bignum", "dec_18_6", "dec38_10", "blob", "bit"];

#[test]
fn every_type_round_trips_through_a_json_file() {
    let _ledger = common::ledger_guard();
    let lost = lost_columns(
        "json",
        "FORMAT json",
        "SELECT c FROM read_json('{file}', columns = {c: '{type_text}'}, \
         format = 'newline_delimited')",
    );
    println!("{lost:#?}");
    assert_eq!(names(&lost), JSON_LOST, "{lost:#?}");
}

#[test]
fn parquet_metadata_schema_and_projection() {
    let _ledger = common::ledger_guard();
    let dir = scratch("parquet-meta");
    let file = dir.join("t.parquet");
    let file = file.display();
    let conn = Database::open_in_memory().unwrap().connect().unwrap();
    conn.execute_batch(&format!(
        "COPY (SELECT i, i * 2 AS twice, 'row ' || i AS label FROM range(10000) t(i)) \
         TO '{file}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 4096)"
    ))
    .unwrap();
    let groups: i64 = conn
        .query_row(
            &format!("SELECT count(DISTINCT row_group_id) FROM parquet_metadata('{file}')"),
            (),
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(groups, 3);
    let codec: String = conn
        .query_row(
            &format!("SELECT DISTINCT compression FROM parquet_metadata('{file}')"),
            (),
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(codec, "ZSTD");
    let schema: Vec<String> = conn
        .query(&format!(
            "SELECT name FROM parquet_schema('{file}') WHERE num_children IS NULL"
        ))
        .unwrap()
        .rows()
        .map(|r| r.get::<String>(0))
        .unwrap();
    assert_eq!(schema, ["i", "twice", "label"]);
    let (sum, label): (i64, String) = conn
        .query_row(
            &format!("SELECT sum(twice), max(label) FROM '{file}' WHERE i >= 9990"),
            (),
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(sum, (9990..10000).map(|i| i * 2).sum::<i64>());
    assert_eq!(label, "row 9999");
}

#[test]
fn json_type_functions_and_read_json() {
    let _ledger = common::ledger_guard();
    let conn = Database::open_in_memory().unwrap().connect().unwrap();
    let doc = r#"{"name": "duck", "tags": ["a", "b", "c"], "size": {"w": 3, "h": 4.5}}"#;
    let row = conn
        .query_row(
            "SELECT json_valid(?), typeof(?::JSON), json_extract_string(?, '$.name'), \
             (?::JSON ->> '$.size.w')::INTEGER, json_array_length(?, '$.tags'), \
             json_keys(?)::VARCHAR, json_structure(?)::VARCHAR, json_valid('{oops')",
            [doc; 7],
            |r| {
                Ok((
                    r.get::<bool>(0)?,
                    r.get::<String>(1)?,
                    r.get::<String>(2)?,
                    r.get::<i32>(3)?,
                    r.get::<i64>(4)?,
                    r.get::<String>(5)?,
                    r.get::<String>(6)?,
                    r.get::<bool>(7)?,
                ))
            },
        )
        .unwrap();
    assert_eq!(
        row,
        (
            true,
            "JSON".to_string(),
            "duck".to_string(),
            3,
            3,
            "[name, tags, size]".to_string(),
            r#"{"name":"VARCHAR","tags":["VARCHAR"],"size":{"w":"UBIGINT","h":"DOUBLE"}}"#
                .to_string(),
            false,
        )
    );
    let rebuilt: String = conn
        .query_row(
            "SELECT to_json({'a': [1, 2], 'b': NULL::INTEGER, 'c': 'x'})::VARCHAR",
            (),
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(rebuilt, r#"{"a":[1,2],"b":null,"c":"x"}"#);
    let transformed: String = conn
        .query_row(
            "SELECT json_transform(?, '{\"size\": {\"h\": \"DOUBLE\"}}')::VARCHAR",
            [doc],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(transformed, "{'size': {'h': 4.5}}");

    // read_json infers a schema from a file of objects.
    let dir = scratch("read-json");
    let file = dir.join("items.json");
    std::fs::write(
        &file,
        "[{\"id\": 1, \"tags\": [\"x\"], \"price\": 2.5},\n \
         {\"id\": 2, \"tags\": [], \"price\": null},\n {\"id\": 3, \"tags\": [\"y\", \"z\"]}]",
    )
    .unwrap();
    let file = file.display();
    let described: Vec<(String, String)> = conn
        .query(&format!("DESCRIBE SELECT * FROM read_json('{file}')"))
        .unwrap()
        .rows()
        .map(|r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap();
    assert_eq!(
        described,
        [
            ("id".to_string(), "BIGINT".to_string()),
            ("tags".to_string(), "VARCHAR[]".to_string()),
            ("price".to_string(), "DOUBLE".to_string()),
        ]
    );
    let (count, tags, nulls): (i64, i64, i64) = conn
        .query_row(
            &format!(
                "SELECT count(*), sum(len(tags)), count(*) FILTER (WHERE price IS NULL) \
                 FROM read_json('{file}')"
            ),
            (),
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!((count, tags, nulls), (3, 3, 2));
    let error = conn
        .query(&format!(
            "SELECT * FROM read_json('{}')",
            dir.join("missing.json").display()
        ))
        .expect_err("a missing file is an error");
    assert!(error.message().contains("missing.json"), "{error}");
}
