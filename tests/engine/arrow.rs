//! Arrow in and out on the real engine: every type with an Arrow mapping round-trips
//! (DuckDB → Arrow → DuckDB, with `arrow_lossless_conversion` on) through the appender and
//! through the in-place scan; release callbacks run exactly once, also when a query fails
//! midway; batches larger than a vector are split.

use crate::common;

use duckdb_ffi::safe::arrow::{ArrowArray, ArrowStream};
use duckdb_ffi::safe::{Database, ErrorKind, ledger};

/// What one column of `test_all_types()` became after the round trip.
#[derive(Debug)]
struct Trip {
    column: String,
    /// The type the in-place scan reports, when it differs from the original's.
    scanned_type: Option<String>,
    /// Rows (of 5 100) that differ from the original, through the appender and the scan, or
    /// the error comparing them raised.
    differing: (Result<i64, String>, Result<i64, String>),
}

/// With `arrow_lossless_conversion` on, the columns whose *type* changes in the scan (the
/// values are still equal): an ENUM arrives as a dictionary of strings, which DuckDB's Arrow
/// reader turns into VARCHAR, and a TUPLE is written as a struct with generated names.
const LOSSLESS_TYPE_CHANGES: &[(&str, &str)] = &[
    ("small_enum", "VARCHAR"),
    ("medium_enum", "VARCHAR"),
    ("large_enum", "VARCHAR"),
    ("tuple", "STRUCT(element1 INTEGER, element2 VARCHAR)"),
];

/// With it off (DuckDB's default), the columns that do not come back equal, with the type the
/// scan reads them as: HUGEINT and UHUGEINT travel as DECIMAL(38,0), whose range misses
/// their extremes (the comparison, or the appender's cast back, fails); TIMETZ travels as a
/// plain time and loses its offset; BIT travels as bytes. Everything else is equal.
const DEFAULT_LOSSY: &[(&str, &str)] = &[
    ("hugeint", "DECIMAL(38,0)"),
    ("uhugeint", "DECIMAL(38,0)"),
    ("time_tz", "TIME"),
    ("bit", "BLOB"),
];

fn arrow_kinds_live() -> u64 {
    let snapshot = ledger::snapshot();
    [
        ledger::HandleKind::ArrowSchema,
        ledger::HandleKind::ArrowArray,
        ledger::HandleKind::ArrowStream,
        ledger::HandleKind::ArrowOptions,
        ledger::HandleKind::ArrowConvertedSchema,
    ]
    .iter()
    .map(|&k| snapshot.live(k))
    .sum()
}

/// Every column of `test_all_types()` (min, max and NULL, 1 700 times each: several
/// batches) exported to Arrow, then loaded back through the appender (into a table of the
/// original type) and scanned in place, each compared with the original in SQL.
fn round_trips(lossless: bool) -> Vec<Trip> {
    let names = common::all_types_columns(&Database::open_in_memory().unwrap().connect().unwrap());
    let trips = names
        .iter()
        .map(|column| round_trip(column, lossless))
        .collect();
    assert_eq!(arrow_kinds_live(), 0);
    trips
}

/// One column's trip, on a database of its own: a value the engine cannot read back can
/// invalidate the database it is read in.
fn round_trip(column: &str, lossless: bool) -> Trip {
    let db = Database::open_in_memory().unwrap();
    let conn = db.connect().unwrap();
    conn.execute_batch(&format!(
        "SET arrow_lossless_conversion = {lossless}; SET threads = 1; \
         CREATE TABLE src AS SELECT \"{column}\" AS c FROM test_all_types(), range(1700) \
         ORDER BY range; \
         CREATE TABLE back AS FROM src LIMIT 0;"
    ))
    .unwrap();
    let export = || conn.query("FROM src").unwrap().into_arrow().unwrap();
    let via_appender = match conn.append_arrow("back", export()) {
        Ok(appended) => {
            assert_eq!(appended, 3 * 1700, "{column}");
            common::differing(&conn, "src", "back")
        }
        Err(e) => Err(e.message().to_owned()),
    };
    let type_of = |from: &str| -> String {
        conn.query_row(&format!("SELECT typeof(c) FROM {from} LIMIT 1"), (), |r| {
            r.get(0)
        })
        .unwrap()
    };
    let table = db
        .register_arrow("typed", export().into_owned().unwrap())
        .unwrap();
    let scanned = type_of("typed()");
    drop(table);
    let same_type = scanned == type_of("src");
    let table = db
        .register_arrow("scanned", export().into_owned().unwrap())
        .unwrap();
    let via_scan = common::differing(&conn, "src", "scanned()");
    drop(table);
    Trip {
        column: column.to_owned(),
        scanned_type: (!same_type).then_some(scanned),
        differing: (via_appender, via_scan),
    }
}

#[test]
fn every_type_round_trips_losslessly_through_the_appender_and_the_scan() {
    let _ledger = common::ledger_guard();
    let trips = round_trips(true);
    assert!(trips.len() >= 55, "{} columns", trips.len());
    for trip in &trips {
        println!("{trip:?}");
        assert_eq!(trip.differing, (Ok(0), Ok(0)), "{trip:?}");
    }
    let changes: Vec<(&str, &str)> = trips
        .iter()
        .filter_map(|t| Some((t.column.as_str(), t.scanned_type.as_deref()?)))
        .collect();
    assert_eq!(changes, LOSSLESS_TYPE_CHANGES);
}

#[test]
fn the_default_conversion_loses_only_what_is_listed() {
    let _ledger = common::ledger_guard();
    let trips = round_trips(false);
    for trip in &trips {
        println!("{trip:?}");
    }
    let lossy: Vec<(&str, &str)> = trips
        .iter()
        .filter(|t| t.differing != (Ok(0), Ok(0)))
        .map(|t| {
            (
                t.column.as_str(),
                t.scanned_type.as_deref().unwrap_or("same type"),
            )
        })
        .collect();
    assert_eq!(lossy, DEFAULT_LOSSY);
}

#[test]
fn a_batch_larger_than_a_vector_is_split_without_copying_and_released_once() {
    let _ledger = common::ledger_guard();
    let db = Database::open_in_memory().unwrap();
    let conn = db.connect().unwrap();
    // One Arrow batch of 10 000 rows: concatenated by the Rust producer from DuckDB's own
    // batches is not possible without copying, so ask DuckDB for a large batch directly.
    conn.execute_batch(
        "CREATE TABLE big AS SELECT range AS n, 'text ' || range AS s, \
         CASE WHEN range % 7 = 0 THEN NULL ELSE [range, range + 1] END AS l FROM range(10000)",
    )
    .unwrap();
    let options = conn.arrow_options().unwrap();
    let mut result = conn.query("SELECT * FROM big").unwrap();
    let schema = result.arrow_schema().unwrap();
    let mut arrays: Vec<ArrowArray> = Vec::new();
    while let Some(chunk) = result.next_chunk().unwrap() {
        arrays.push(options.array(&chunk).unwrap());
    }
    assert!(arrays.len() >= 5);
    // Split each batch into odd-sized parts, then feed the parts back as one stream.
    let originals = arrays.len();
    let mut parts = Vec::new();
    for array in arrays {
        parts.extend(array.split(700).unwrap());
    }
    assert!(parts.iter().all(|p| p.len() <= 700));
    assert_eq!(parts.iter().map(ArrowArray::len).sum::<usize>(), 10000);
    // Each original lives on (shared by its parts) until its last part is released.
    let live_arrays = ledger::snapshot().live(ledger::HandleKind::ArrowArray);
    assert_eq!(live_arrays as usize, parts.len() + originals);
    conn.execute("CREATE TABLE back AS SELECT * FROM big LIMIT 0")
        .unwrap();
    let rows = conn
        .append_arrow(
            "back",
            // SAFETY: parts of the batches of the result `schema` describes.
            unsafe { ArrowStream::from_arrays(schema, parts) },
        )
        .unwrap();
    assert_eq!(rows, 10000);
    let differing: i64 = conn
        .query_row(
            "SELECT count(*) FROM (FROM big EXCEPT ALL FROM back UNION ALL (FROM back EXCEPT ALL FROM big))",
            (),
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(differing, 0);
    drop(result);
    drop(options);
    assert_eq!(arrow_kinds_live(), 0);
}

#[test]
fn a_query_failing_midway_releases_the_stream_once_and_the_table_reports_it() {
    let _ledger = common::ledger_guard();
    let db = Database::open_in_memory().unwrap();
    let conn = db.connect().unwrap();
    let stream = conn
        .query(
            "SELECT CASE WHEN range < 9000 THEN range::VARCHAR ELSE 'x' END AS s FROM range(10000)",
        )
        .unwrap()
        .into_arrow()
        .unwrap();
    let table = db
        .register_arrow("numbers_then_text", stream.into_owned().unwrap())
        .unwrap();
    assert_eq!(ledger::snapshot().live(ledger::HandleKind::ArrowStream), 1);
    let err = conn
        .query("SELECT sum(s::INTEGER) FROM numbers_then_text()")
        .unwrap_err();
    assert!(err.message().contains("x"), "{err}");
    // The failed query released the stream (and every batch it had taken).
    assert_eq!(ledger::snapshot().live(ledger::HandleKind::ArrowStream), 0);
    assert_eq!(ledger::snapshot().live(ledger::HandleKind::ArrowArray), 0);
    // A second scan is refused with a clear error, not a crash.
    let err = conn
        .query("SELECT count(*) FROM numbers_then_text()")
        .unwrap_err();
    assert!(err.message().contains("Arrow"), "{err}");
    drop(table);
    let err = conn
        .query("SELECT count(*) FROM numbers_then_text()")
        .unwrap_err();
    assert!(err.message().contains("gone"), "{err}");
    drop(conn);
    drop(db);
    assert_eq!(arrow_kinds_live(), 0);
}

#[test]
fn an_unscanned_table_releases_its_stream_when_dropped() {
    let _ledger = common::ledger_guard();
    let db = Database::open_in_memory().unwrap();
    let conn = db.connect().unwrap();
    let stream = conn.query("SELECT 1 AS one").unwrap().into_arrow().unwrap();
    let table = db
        .register_arrow("never_read", stream.into_owned().unwrap())
        .unwrap();
    assert_eq!(table.name(), "never_read");
    assert_eq!(ledger::snapshot().live(ledger::HandleKind::ArrowStream), 1);
    // The table's own connection (which converts the batches) is the only other one.
    assert_eq!(ledger::snapshot().live(ledger::HandleKind::Connection), 2);
    drop(table);
    assert_eq!(ledger::snapshot().live(ledger::HandleKind::ArrowStream), 0);
    assert_eq!(ledger::snapshot().live(ledger::HandleKind::Connection), 1);
}

#[test]
fn a_table_may_outlive_its_database() {
    let _ledger = common::ledger_guard();
    let db = Database::open_in_memory().unwrap();
    let conn = db.connect().unwrap();
    let stream = conn.query("SELECT 1 AS one").unwrap().into_arrow().unwrap();
    let table = db
        .register_arrow("kept", stream.into_owned().unwrap())
        .unwrap();
    drop(conn);
    drop(db);
    // The database is closed, but its instance lives until the table's connection goes.
    assert_eq!(ledger::snapshot().live(ledger::HandleKind::Connection), 1);
    drop(table);
    assert_eq!(ledger::snapshot().live(ledger::HandleKind::Connection), 0);
}

#[test]
fn a_streaming_export_holds_the_connection_and_reports_its_errors() {
    let _ledger = common::ledger_guard();
    let db = Database::open_in_memory().unwrap();
    let conn = db.connect().unwrap();
    let mut stream = conn
        .query_arrow("SELECT CASE WHEN range < 5000 THEN range ELSE error('boom') END AS n FROM range(10000)")
        .unwrap();
    // While the stream is open the connection refuses other statements.
    let busy = conn.query("SELECT 1").unwrap_err();
    assert!(
        matches!(busy.kind(), ErrorKind::Engine(_)),
        "{busy}: a streaming result blocks its connection"
    );
    let mut rows = 0;
    let mut failure = None;
    for array in &mut stream {
        match array {
            Ok(a) => rows += a.len(),
            Err(e) => {
                failure = Some(e);
                break;
            }
        }
    }
    let failure = failure.expect("the query fails after some rows");
    assert_eq!(failure.kind(), ErrorKind::Arrow);
    assert!(failure.message().contains("boom"), "{failure}");
    assert!(rows < 10000);
    drop(stream);
    assert_eq!(
        conn.query_row("SELECT 42", (), |r| r.get::<i32>(0))
            .unwrap(),
        42
    );
}

#[test]
fn column_types_and_a_schema_mismatch_are_reported() {
    let _ledger = common::ledger_guard();
    let db = Database::open_in_memory().unwrap();
    let conn = db.connect().unwrap();
    let result = conn
        .query("SELECT 1::INTEGER AS i, [{'a': 'x'}] AS l, 'a'::VARCHAR AS s")
        .unwrap();
    let schema = result.arrow_schema().unwrap();
    let importer = conn.arrow_importer(&schema).unwrap();
    let types: Vec<String> = importer
        .column_types()
        .unwrap()
        .iter()
        .map(|t| t.to_string())
        .collect();
    assert_eq!(types, ["INTEGER", "STRUCT(a VARCHAR)[]", "VARCHAR"]);
    // A batch with a different column count is refused before DuckDB reads it.
    let other = conn.query("SELECT 1 AS only").unwrap();
    let options = conn.arrow_options().unwrap();
    let mut other = other;
    let chunk = other.next_chunk().unwrap().unwrap();
    let array = options.array(&chunk).unwrap();
    // SAFETY: the column count differs, which `chunks` checks before DuckDB sees the array.
    let err = unsafe { importer.chunks(array) }.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Arrow);
    assert_eq!(ledger::snapshot().live(ledger::HandleKind::ArrowArray), 0);
}
