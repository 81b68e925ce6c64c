//! Unit tests of the safe layer.
//!
//! They run twice: `cargo test --lib` against the real engine, and
//! `cargo +nightly miri test --lib` against the model of the C API in `miri_model`, where Miri
//! checks every handle is destroyed exactly once, nothing is used after destroy, and no read
//! leaves the memory the C API lent. Every SQL text comes from `miri_model::canned` and means
//! the same on both. Tests that depend on a property only the model guarantees are
//! `#[cfg(miri)]`; the tests in `miri_must_fail` inject a bug on purpose and are ignored
//! (run one at a time by `tests/miri_must_fail.sh`, which expects Miri to fail).

use super::miri_model::canned as sql;
use super::*;
use std::sync::{Mutex, MutexGuard, PoisonError};

/// Serialises the tests of this module (the ledger is process-wide) and, at the end of each
/// test, asserts that every handle the test made is gone.
pub(super) struct LedgerGuard {
    _lock: MutexGuard<'static, ()>,
}

static SERIAL: Mutex<()> = Mutex::new(());

pub(super) fn ledger_guard() -> LedgerGuard {
    let lock = SERIAL.lock().unwrap_or_else(PoisonError::into_inner);
    assert_eq!(
        ledger::snapshot().live_total(),
        0,
        "a previous test left handles alive:\n{}",
        ledger::snapshot()
    );
    LedgerGuard { _lock: lock }
}

impl Drop for LedgerGuard {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            ledger::assert_no_live_handles();
        }
    }
}

fn live(kind: ledger::HandleKind) -> u64 {
    ledger::snapshot().live(kind)
}

fn conn() -> Connection {
    Database::open_in_memory()
        .and_then(|db| db.connect())
        .expect("in-memory database")
}

/// A connection to `db`.
pub(super) fn conn_of(db: &Database) -> Connection {
    db.connect().expect("a connection")
}

/// The single chunk of a one-chunk query.
fn only_chunk(conn: &Connection, query: &str) -> DataChunk {
    let mut result = conn.query(query).expect("query");
    let chunk = result.next_chunk().expect("fetch").expect("one chunk");
    assert!(
        result.next_chunk().expect("fetch").is_none(),
        "exactly one chunk"
    );
    chunk
}

// --- database and config ------------------------------------------------------------------

#[test]
fn library_version_is_a_static_string() {
    assert!(library_version().starts_with('v'), "{}", library_version());
    assert_eq!(library_version(), library_version());
}

/// `into_raw` leaves the ledger and hands ownership over; `from_raw` takes it back, so the
/// C object is destroyed once (Miri reports a leak or a double free otherwise).
#[test]
fn into_raw_and_from_raw_hand_ownership_over() {
    let _ledger = ledger_guard();
    let raw_type = LogicalType::new(TypeId::Varchar).unwrap().into_raw();
    let raw_value = Value::from(7i32).into_raw();
    let raw_chunk = only_chunk(&conn(), sql::ANSWER).into_raw();
    assert_eq!(ledger::snapshot().live_total(), 0);
    // SAFETY: each handle came from `into_raw` above and is taken back exactly once.
    let (ty, value, chunk) = unsafe {
        (
            LogicalType::from_raw(raw_type),
            Value::from_raw(raw_value),
            DataChunk::from_raw(raw_chunk),
        )
    };
    assert_eq!(live(ledger::HandleKind::LogicalType), 1);
    assert_eq!(ty.id(), TypeId::Varchar);
    assert_eq!(value.get_i32().unwrap(), 7);
    assert_eq!(chunk.vector(0).unwrap().as_slice::<i32>().unwrap(), &[42]);
}

#[test]
fn database_open_and_drop_counts_one_database() {
    let _ledger = ledger_guard();
    let db = Database::open_in_memory().unwrap();
    assert_eq!(live(ledger::HandleKind::Database), 1);
    assert_eq!(
        live(ledger::HandleKind::Config),
        0,
        "the config is destroyed after open"
    );
    db.close();
    assert_eq!(live(ledger::HandleKind::Database), 0);
}

#[test]
fn config_with_known_option_opens() {
    let _ledger = ledger_guard();
    let mut config = Config::new().unwrap();
    config.set("threads", "1").unwrap();
    let db = Database::open_with_config(None, &config).unwrap();
    drop(config); // the database copied it
    let conn = db.connect().unwrap();
    assert_eq!(conn.execute(sql::ANSWER).unwrap(), 0);
}

/// DuckDB v2.0.0 keeps an unknown option name at `duckdb_set_config` and rejects it when the
/// database opens (`DatabaseInstance::LoadExtensionSettings`).
#[test]
fn config_unknown_option_fails_at_open_naming_it() {
    let _ledger = ledger_guard();
    let mut config = Config::new().unwrap();
    let set = config.set("no_such_option", "1").map(|_| ());
    let err = match set {
        Err(err) => err,
        Ok(()) => Database::open_with_config(None, &config).unwrap_err(),
    };
    assert!(err.message().contains("no_such_option"), "{err}");
    assert_eq!(live(ledger::HandleKind::Database), 0);
}

#[test]
fn config_bad_value_for_a_known_option_is_an_error() {
    let _ledger = ledger_guard();
    let mut config = Config::new().unwrap();
    let err = config.set("threads", "many").unwrap_err();
    assert!(err.message().contains("threads"), "{err}");
}

#[test]
fn config_options_include_threads() {
    let _ledger = ledger_guard();
    let options = Config::options();
    assert!(
        options
            .iter()
            .any(|o| o.name == "threads" && !o.description.is_empty()),
        "{options:?}"
    );
}

#[test]
fn open_failure_returns_the_engine_message_and_frees_it() {
    let _ledger = ledger_guard();
    let err = Database::open("/nonexistent/dir/db.duckdb").unwrap_err();
    assert_eq!(err.engine_error(), Some(EngineError::Io), "{err}");
    assert!(
        err.message().contains("/nonexistent/dir/db.duckdb"),
        "{err}"
    );
}

#[test]
fn open_path_with_nul_is_rejected_before_c() {
    let _ledger = ledger_guard();
    let err = Database::open("bad\0path").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InteriorNul);
}

// --- connections ---------------------------------------------------------------------------

#[test]
fn connection_survives_its_database() {
    let _ledger = ledger_guard();
    let db = Database::open_in_memory().unwrap();
    let (a, b) = (db.connect().unwrap(), db.connect().unwrap());
    drop(db);
    assert_eq!(live(ledger::HandleKind::Database), 0);
    let chunk = only_chunk(&b, sql::ANSWER);
    assert_eq!(chunk.vector(0).unwrap().as_slice::<i32>().unwrap(), &[42]);
    drop(b);
    drop(chunk);
    assert_eq!(a.execute(sql::ANSWER).unwrap(), 0);
}

#[test]
fn interrupt_handle_after_disconnect_is_misuse() {
    let _ledger = ledger_guard();
    let conn = conn();
    let handle = conn.interrupt_handle();
    assert!(handle.interrupt().is_ok());
    drop(conn);
    assert_eq!(handle.interrupt().unwrap_err().kind(), ErrorKind::Misuse);
    assert_eq!(handle.progress().unwrap_err().kind(), ErrorKind::Misuse);
}

#[test]
fn idle_interrupt_is_cleared_by_the_next_statement() {
    let _ledger = ledger_guard();
    let conn = conn();
    conn.interrupt_handle().interrupt().unwrap();
    let chunk = only_chunk(&conn, sql::ANSWER);
    assert_eq!(chunk.vector(0).unwrap().as_slice::<i32>().unwrap(), &[42]);
}

#[test]
fn idle_connection_reports_no_progress() {
    let _ledger = ledger_guard();
    let conn = conn();
    let progress = conn.query_progress();
    assert!(progress.percentage < 0.0, "{progress:?}");
    assert_eq!(progress.rows_processed, 0);
}

// --- results -------------------------------------------------------------------------------

#[test]
fn answer_metadata_and_value() {
    let _ledger = ledger_guard();
    let conn = conn();
    let mut result = conn.query(sql::ANSWER).unwrap();
    assert_eq!(result.column_count(), 1);
    assert_eq!(result.column_names().unwrap(), ["answer"]);
    assert_eq!(result.column_type_id(0).unwrap(), TypeId::Integer);
    assert_eq!(result.column_type(0).unwrap().id(), TypeId::Integer);
    assert_eq!(result.statement_type(), StatementType::Select);
    assert_eq!(result.rows_changed(), 0);
    let chunk = result.next_chunk().unwrap().unwrap();
    assert_eq!((chunk.len(), chunk.column_count()), (1, 1));
    assert_eq!(chunk.vector(0).unwrap().as_slice::<i32>().unwrap(), &[42]);
    assert!(result.next_chunk().unwrap().is_none());
    assert!(
        result.next_chunk().unwrap().is_none(),
        "the end stays the end"
    );
}

#[test]
fn result_columns_out_of_range_are_errors() {
    let _ledger = ledger_guard();
    let conn = conn();
    let result = conn.query(sql::ANSWER).unwrap();
    assert_eq!(
        result.column_name(1).unwrap_err().kind(),
        ErrorKind::OutOfRange
    );
    assert_eq!(
        result.column_type(1).unwrap_err().kind(),
        ErrorKind::OutOfRange
    );
    assert_eq!(
        result.column_type_id(usize::MAX).unwrap_err().kind(),
        ErrorKind::OutOfRange
    );
}

#[test]
fn empty_result_has_columns_and_no_chunk() {
    let _ledger = ledger_guard();
    let conn = conn();
    let mut result = conn.query(sql::EMPTY).unwrap();
    assert_eq!(result.column_names().unwrap(), ["answer"]);
    assert_eq!(result.chunks().count(), 0);
}

#[test]
fn many_rows_come_in_chunks_of_at_most_2048() {
    let _ledger = ledger_guard();
    let conn = conn();
    let mut result = conn.query(sql::RANGE).unwrap();
    let mut next = 0i64;
    let mut chunks = 0;
    for chunk in result.chunks() {
        let chunk = chunk.unwrap();
        assert!(
            !chunk.is_empty() && chunk.len() <= 2048,
            "chunk of {}",
            chunk.len()
        );
        for &n in chunk.vector(0).unwrap().as_slice::<i64>().unwrap() {
            assert_eq!(n, next);
            next += 1;
        }
        chunks += 1;
    }
    assert_eq!(next, 5000);
    assert!(chunks >= 3);
}

#[test]
fn parse_error_is_a_parser_error_and_destroys_the_result() {
    let _ledger = ledger_guard();
    let conn = conn();
    let err = conn.query(sql::PARSE_ERROR).unwrap_err();
    assert_eq!(err.engine_error(), Some(EngineError::Parser), "{err}");
    assert!(err.message().contains("syntax error"), "{err}");
    assert_eq!(live(ledger::HandleKind::Result), 0);
}

#[test]
fn missing_table_is_a_catalog_error() {
    let _ledger = ledger_guard();
    let conn = conn();
    let err = conn.query(sql::MISSING_TABLE).unwrap_err();
    assert_eq!(err.engine_error(), Some(EngineError::Catalog), "{err}");
    assert!(err.message().contains("no_such_table"), "{err}");
}

#[test]
fn sql_with_nul_is_rejected_before_c() {
    let _ledger = ledger_guard();
    let conn = conn();
    assert_eq!(
        conn.query("SELECT 1\0").unwrap_err().kind(),
        ErrorKind::InteriorNul
    );
    assert_eq!(
        conn.execute_batch("SELECT 1\0").unwrap_err().kind(),
        ErrorKind::InteriorNul
    );
    assert_eq!(
        conn.prepare("SELECT 1\0").unwrap_err().kind(),
        ErrorKind::InteriorNul
    );
}

// --- batches -------------------------------------------------------------------------------

fn read_t(conn: &Connection) -> (Vec<i32>, Vec<String>) {
    let mut result = conn.query(sql::READ_T).unwrap();
    let (mut xs, mut ss) = (Vec::new(), Vec::new());
    for chunk in result.chunks() {
        let chunk = chunk.unwrap();
        xs.extend_from_slice(chunk.vector(0).unwrap().as_slice::<i32>().unwrap());
        let strings = chunk.vector(1).unwrap().strings().unwrap();
        for row in 0..chunk.len() {
            ss.push(strings.get(row).unwrap().unwrap().to_string());
        }
    }
    (xs, ss)
}

#[test]
fn batch_creates_inserts_and_reads_back() {
    let _ledger = ledger_guard();
    let conn = conn();
    conn.execute_batch(&format!("{}; {};", sql::CREATE_T, sql::INSERT_T))
        .unwrap();
    assert_eq!(live(ledger::HandleKind::ExtractedStatements), 0);
    assert_eq!(live(ledger::HandleKind::PreparedStatement), 0);
    assert_eq!(
        read_t(&conn),
        (vec![1, 2], vec!["one".to_string(), "two".to_string()])
    );
}

#[test]
fn batch_with_parse_error_runs_nothing() {
    let _ledger = ledger_guard();
    let conn = conn();
    let err = conn
        .execute_batch(&format!("{}; {}", sql::CREATE_T, sql::PARSE_ERROR))
        .unwrap_err();
    assert_eq!(err.engine_error(), Some(EngineError::Parser), "{err}");
    let err = conn.query(sql::READ_T).unwrap_err();
    assert_eq!(
        err.engine_error(),
        Some(EngineError::Catalog),
        "t was not created: {err}"
    );
}

#[test]
fn batch_stops_at_the_first_failing_statement() {
    let _ledger = ledger_guard();
    let conn = conn();
    let batch = format!(
        "{}; {}; {}; {}",
        sql::CREATE_T,
        sql::INSERT_T,
        sql::INSERT_DUPLICATE,
        sql::PARSE_ERROR
    );
    // The parse error makes the whole batch fail before anything runs...
    assert_eq!(
        conn.execute_batch(&batch).unwrap_err().engine_error(),
        Some(EngineError::Parser)
    );
    // ...while a constraint error stops it after the statements before it ran.
    let batch = format!(
        "{}; {}; {}",
        sql::CREATE_T,
        sql::INSERT_T,
        sql::INSERT_DUPLICATE
    );
    let err = conn.execute_batch(&batch).unwrap_err();
    assert_eq!(err.engine_error(), Some(EngineError::Constraint), "{err}");
    assert_eq!(read_t(&conn).0, [1, 2]);
}

#[test]
fn batch_with_failing_prepare_destroys_the_statement() {
    let _ledger = ledger_guard();
    let conn = conn();
    let err = conn
        .execute_batch(&format!("{}; {}", sql::CREATE_T, sql::MISSING_TABLE))
        .unwrap_err();
    assert_eq!(err.engine_error(), Some(EngineError::Catalog), "{err}");
    assert_eq!(live(ledger::HandleKind::PreparedStatement), 0);
}

#[test]
fn empty_batch_is_ok() {
    let _ledger = ledger_guard();
    let conn = conn();
    conn.execute_batch("").unwrap();
    conn.execute_batch("  ;  ").unwrap();
}

#[test]
fn execute_reports_rows_changed() {
    let _ledger = ledger_guard();
    let conn = conn();
    assert_eq!(conn.execute(sql::CREATE_T).unwrap(), 0);
    assert_eq!(conn.execute(sql::INSERT_T).unwrap(), 2);
    let err = conn.execute(sql::INSERT_DUPLICATE).unwrap_err();
    assert_eq!(err.engine_error(), Some(EngineError::Constraint), "{err}");
}

// --- chunks and vectors --------------------------------------------------------------------

#[test]
fn integers_with_nulls() {
    let _ledger = ledger_guard();
    let conn = conn();
    let chunk = only_chunk(&conn, sql::MIXED);
    assert_eq!((chunk.len(), chunk.column_count()), (5, 5));
    let v = chunk.vector(0).unwrap();
    assert_eq!(v.type_id(), TypeId::Integer);
    let values: Vec<Option<i32>> = v.values::<i32>().unwrap().iter().collect();
    assert_eq!(values, [Some(1), None, Some(-3), Some(i32::MAX), Some(4)]);
    let validity = v.validity();
    assert_eq!(validity.null_count(), 1);
    assert!(v.is_null(1).unwrap() && !v.is_null(0).unwrap() && !v.is_null(4).unwrap());
    let slice = v.as_slice::<i32>().unwrap();
    assert_eq!((slice.len(), slice[0], slice[4]), (5, 1, 4));
    let big: Vec<Option<i64>> = chunk
        .vector(3)
        .unwrap()
        .values::<i64>()
        .unwrap()
        .iter()
        .collect();
    assert_eq!(
        big,
        [
            Some(10_000_000_000),
            None,
            Some(-7),
            Some(i64::MAX),
            Some(0)
        ]
    );
}

#[test]
fn doubles_and_booleans_with_nulls() {
    let _ledger = ledger_guard();
    let conn = conn();
    let chunk = only_chunk(&conn, sql::MIXED);
    let d: Vec<Option<f64>> = chunk
        .vector(1)
        .unwrap()
        .values::<f64>()
        .unwrap()
        .iter()
        .collect();
    assert_eq!(d, [Some(2.5), None, Some(-0.25), Some(1e300), Some(0.0)]);
    let f: Vec<Option<bool>> = chunk
        .vector(4)
        .unwrap()
        .values::<bool>()
        .unwrap()
        .iter()
        .collect();
    assert_eq!(f, [Some(true), None, Some(false), Some(true), None]);
}

#[test]
fn strings_inlined_and_not_with_nulls() {
    let _ledger = ledger_guard();
    let conn = conn();
    let chunk = only_chunk(&conn, sql::MIXED);
    let v = chunk.vector(2).unwrap();
    let strings = v.strings().unwrap();
    let all: Vec<Option<&str>> = (0..v.len()).map(|row| strings.get(row).unwrap()).collect();
    assert_eq!(
        all,
        [
            Some("short"),
            None,
            Some("twelve bytes"),  // 12 bytes: the last inlined length
            Some("thirteen byte"), // 13 bytes: the first out-of-line length
            Some("a string that is clearly longer than twelve bytes"),
        ]
    );
    let blobs = v.blobs().unwrap();
    assert_eq!(blobs.get(2).unwrap(), Some(&b"twelve bytes"[..]));
    assert_eq!(blobs.get(1).unwrap(), None);
}

/// Reads a column as `Option<T>` per row.
fn column<T: Primitive>(chunk: &DataChunk, index: usize) -> Vec<Option<T>> {
    chunk
        .vector(index)
        .unwrap()
        .values::<T>()
        .unwrap()
        .iter()
        .collect()
}

#[test]
fn every_other_scalar_type_with_nulls() {
    let _ledger = ledger_guard();
    let conn = conn();
    let chunk = only_chunk(&conn, sql::SCALARS);
    assert_eq!((chunk.len(), chunk.column_count()), (3, 12));
    assert_eq!(column::<i8>(&chunk, 0), [Some(1), None, Some(100)]);
    assert_eq!(column::<i16>(&chunk, 1), [Some(1), None, Some(100)]);
    assert_eq!(column::<i128>(&chunk, 2), [Some(1), None, Some(100)]);
    assert_eq!(column::<u8>(&chunk, 3), [Some(1), None, Some(100)]);
    assert_eq!(column::<u16>(&chunk, 4), [Some(1), None, Some(100)]);
    assert_eq!(column::<u32>(&chunk, 5), [Some(1), None, Some(100)]);
    assert_eq!(column::<u64>(&chunk, 6), [Some(1), None, Some(100)]);
    assert_eq!(column::<u128>(&chunk, 7), [Some(1), None, Some(100)]);
    assert_eq!(column::<f32>(&chunk, 8), [Some(1.0), None, Some(100.0)]);
    let dates: Vec<Option<i32>> = column::<Date>(&chunk, 9)
        .into_iter()
        .map(|d| d.map(|d| d.days))
        .collect();
    assert_eq!(dates, [Some(19724), None, Some(19823)]);
    assert_eq!(
        chunk.vector(9).unwrap().datum(0).unwrap().to_string(),
        "2024-01-02"
    );
    let decimal = chunk.vector(10).unwrap();
    let ty = decimal.logical_type();
    assert_eq!(
        (
            ty.id(),
            ty.decimal_width().unwrap(),
            ty.decimal_scale().unwrap()
        ),
        (TypeId::Decimal, 18, 3)
    );
    assert_eq!(column::<i64>(&chunk, 10), [Some(1000), None, Some(100_000)]);
    assert_eq!(decimal.datum(2).unwrap().to_string(), "100.000");
    let blobs = chunk.vector(11).unwrap();
    let blobs = blobs.blobs().unwrap();
    assert_eq!(
        (blobs.get(0).unwrap(), blobs.get(1).unwrap()),
        (Some(&b"1"[..]), None)
    );
    assert_eq!(
        chunk.vector(11).unwrap().strings().unwrap_err().kind(),
        ErrorKind::TypeMismatch
    );
}

#[test]
fn map_array_union_and_enum_vectors() {
    let _ledger = ledger_guard();
    let conn = conn();
    let chunk = only_chunk(&conn, sql::COMPLEX);
    let datums: Vec<Vec<String>> = (0..3)
        .map(|row| {
            (0..4)
                .map(|c| chunk.vector(c).unwrap().datum(row).unwrap().to_string())
                .collect()
        })
        .collect();
    assert_eq!(datums[0][1..], ["[1, 2]", "1", "green"]);
    assert_eq!(datums[1], ["NULL"; 4]);
    assert_eq!(datums[2][1..], ["[3, NULL]", "text", "red"]);

    let map = chunk.vector(0).unwrap();
    let ty = map.logical_type();
    assert_eq!(
        (
            ty.map_key_type().unwrap().id(),
            ty.map_value_type().unwrap().id()
        ),
        (TypeId::Varchar, TypeId::Integer)
    );
    let map = map.map().unwrap();
    assert_eq!(map.range(0).unwrap().unwrap().len(), 1);
    assert!(map.range(2).unwrap().unwrap().is_empty());
    assert_eq!(
        map.keys().unwrap().strings().unwrap().get(0).unwrap(),
        Some("a")
    );
    assert_eq!(
        map.values()
            .unwrap()
            .values::<i32>()
            .unwrap()
            .get(0)
            .unwrap(),
        Some(1)
    );

    let array = chunk.vector(1).unwrap();
    assert_eq!(array.logical_type().array_size().unwrap(), 2);
    let array = array.array().unwrap();
    assert_eq!(array.size(), 2);
    assert_eq!(array.range(2).unwrap(), Some(4..6));
    assert_eq!(array.range(1).unwrap(), None);
    let items = array.child().values::<i32>().unwrap();
    assert_eq!(
        (items.get(4).unwrap(), items.get(5).unwrap()),
        (Some(3), None)
    );

    let union = chunk.vector(2).unwrap();
    assert_eq!(
        union.logical_type().union_member_names().unwrap(),
        ["i", "s"]
    );
    assert_eq!(
        (union.union_tag(0).unwrap(), union.union_tag(2).unwrap()),
        (0, 1)
    );
    assert_eq!(
        union
            .union_member(1)
            .unwrap()
            .strings()
            .unwrap()
            .get(2)
            .unwrap(),
        Some("text")
    );

    let e = chunk.vector(3).unwrap();
    let ty = e.logical_type();
    assert_eq!(ty.enum_dictionary().unwrap(), ["red", "green"]);
    assert_eq!(ty.enum_internal_type().unwrap(), TypeId::UTinyInt);
    assert_eq!(column::<u8>(&chunk, 3), [Some(1), None, Some(0)]);
}

#[test]
fn strings_stay_valid_after_the_result_is_gone() {
    let _ledger = ledger_guard();
    let conn = conn();
    let mut result = conn.query(sql::MIXED).unwrap();
    let chunk = result.next_chunk().unwrap().unwrap();
    drop(result);
    drop(conn);
    let v = chunk.vector(2).unwrap();
    let strings = v.strings().unwrap();
    assert_eq!(
        strings.get(4).unwrap(),
        Some("a string that is clearly longer than twelve bytes")
    );
    assert_eq!(strings.get(0).unwrap(), Some("short"));
}

#[test]
fn wrong_type_requests_are_type_mismatches() {
    let _ledger = ledger_guard();
    let conn = conn();
    let chunk = only_chunk(&conn, sql::MIXED);
    let ints = chunk.vector(0).unwrap();
    let err = ints.as_slice::<i64>().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TypeMismatch);
    assert!(
        err.message().contains("INTEGER") && err.message().contains("i64"),
        "{err}"
    );
    assert_eq!(ints.strings().unwrap_err().kind(), ErrorKind::TypeMismatch);
    assert_eq!(ints.list().unwrap_err().kind(), ErrorKind::TypeMismatch);
    assert_eq!(
        chunk.vector(2).unwrap().values::<f64>().unwrap_err().kind(),
        ErrorKind::TypeMismatch
    );
}

#[test]
fn rows_and_columns_out_of_range_are_errors() {
    let _ledger = ledger_guard();
    let conn = conn();
    let chunk = only_chunk(&conn, sql::MIXED);
    assert_eq!(chunk.vector(5).unwrap_err().kind(), ErrorKind::OutOfRange);
    let v = chunk.vector(0).unwrap();
    assert_eq!(v.is_null(5).unwrap_err().kind(), ErrorKind::OutOfRange);
    assert_eq!(
        v.values::<i32>().unwrap().get(5).unwrap_err().kind(),
        ErrorKind::OutOfRange
    );
    assert_eq!(
        chunk
            .vector(2)
            .unwrap()
            .strings()
            .unwrap()
            .get(5)
            .unwrap_err()
            .kind(),
        ErrorKind::OutOfRange
    );
}

#[test]
fn list_vectors_with_nulls_and_empty_lists() {
    let _ledger = ledger_guard();
    let conn = conn();
    let chunk = only_chunk(&conn, sql::NESTED);
    let v = chunk.vector(0).unwrap();
    assert_eq!(v.type_id(), TypeId::List);
    assert_eq!(
        v.logical_type().list_child_type().unwrap().id(),
        TypeId::Integer
    );
    let list = v.list().unwrap();
    let first = list.range(0).unwrap().unwrap();
    assert_eq!(first.len(), 3);
    assert_eq!(list.range(1).unwrap(), None);
    assert!(list.range(2).unwrap().unwrap().is_empty());
    let child = list.child().values::<i32>().unwrap();
    let items: Vec<Option<i32>> = first.map(|i| child.get(i).unwrap()).collect();
    assert_eq!(items, [Some(1), Some(2), None]);
    assert_eq!(list.range(3).unwrap_err().kind(), ErrorKind::OutOfRange);
}

#[test]
fn struct_vectors_with_nulls() {
    let _ledger = ledger_guard();
    let conn = conn();
    let chunk = only_chunk(&conn, sql::NESTED);
    let v = chunk.vector(1).unwrap();
    let ty = v.logical_type();
    assert_eq!(ty.id(), TypeId::Struct);
    assert_eq!(ty.struct_child_names().unwrap(), ["k", "v"]);
    assert_eq!(ty.struct_child_type(1).unwrap().id(), TypeId::Varchar);
    assert_eq!(v.struct_child_count().unwrap(), 2);
    assert!(v.is_null(1).unwrap() && !v.is_null(0).unwrap());
    let k = v.struct_child(0).unwrap().values::<i32>().unwrap();
    assert_eq!((k.get(0).unwrap(), k.get(2).unwrap()), (Some(7), None));
    let s = v.struct_child(1).unwrap();
    let s = s.strings().unwrap();
    assert_eq!(s.get(0).unwrap(), Some("seven"));
    assert_eq!(
        s.get(2).unwrap(),
        Some("a struct string longer than twelve")
    );
    assert_eq!(
        v.struct_child(2).unwrap_err().kind(),
        ErrorKind::OutOfRange,
        "checked before C"
    );
}

#[test]
fn datums_of_every_column() {
    let _ledger = ledger_guard();
    let conn = conn();
    let chunk = only_chunk(&conn, sql::MIXED);
    let row: Vec<String> = (0..chunk.column_count())
        .map(|c| chunk.vector(c).unwrap().datum(3).unwrap().to_string())
        .collect();
    assert_eq!(row[0], "2147483647");
    assert_eq!(row[2], "thirteen byte");
    assert_eq!(row[3], "9223372036854775807");
    assert_eq!(row[4], "true");
    let nulls: Vec<bool> = (0..chunk.column_count())
        .map(|c| chunk.vector(c).unwrap().datum(1).unwrap().is_null())
        .collect();
    assert_eq!(nulls, [true; 5]);
    let nested = only_chunk(&conn, sql::NESTED);
    let list = nested.vector(0).unwrap().datums().unwrap();
    assert_eq!(list.len(), 3);
    assert!(list[1].is_null());
    assert_eq!(list[0].to_string(), "[1, 2, NULL]");
}

// --- early drops, in every order the API allows ---------------------------------------------

#[test]
fn chunk_outlives_result_connection_and_database() {
    let _ledger = ledger_guard();
    let db = Database::open_in_memory().unwrap();
    let conn = db.connect().unwrap();
    let mut result = conn.query(sql::RANGE).unwrap();
    let first = result.next_chunk().unwrap().unwrap();
    drop(result); // unread chunks are discarded with it
    drop(db);
    drop(conn);
    let v = first.vector(0).unwrap();
    assert_eq!(v.as_slice::<i64>().unwrap()[..3], [0, 1, 2]);
    assert_eq!(live(ledger::HandleKind::DataChunk), 1);
}

#[test]
fn logical_types_outlive_their_chunk_and_result() {
    let _ledger = ledger_guard();
    let conn = conn();
    let mut result = conn.query(sql::NESTED).unwrap();
    let column_type = result.column_type(1).unwrap();
    let chunk = result.next_chunk().unwrap().unwrap();
    let vector_type = chunk.vector(0).unwrap().logical_type();
    drop(chunk);
    drop(result);
    assert_eq!(column_type.id(), TypeId::Struct);
    assert_eq!(column_type.struct_child_name(0).unwrap(), "k");
    assert_eq!(vector_type.list_child_type().unwrap().id(), TypeId::Integer);
}

#[test]
fn results_dropped_in_any_order_and_unread() {
    let _ledger = ledger_guard();
    let conn = conn();
    let a = conn.query(sql::RANGE).unwrap();
    let mut b = conn.query(sql::MIXED).unwrap();
    let c = conn.query(sql::NESTED).unwrap();
    let chunk = b.next_chunk().unwrap().unwrap();
    drop(b);
    drop(a);
    assert_eq!(live(ledger::HandleKind::Result), 1);
    drop(c);
    drop(chunk);
}

// --- prepared statements -------------------------------------------------------------------

#[test]
fn prepared_statement_runs_again_with_new_parameters() {
    let _ledger = ledger_guard();
    let conn = conn();
    let mut stmt = conn.prepare(sql::PARAM_PLUS_ONE).unwrap();
    assert_eq!(stmt.parameter_count(), 1);
    for n in [41i64, -1, i64::MAX - 1] {
        let mut result = stmt.query([n]).unwrap();
        let chunk = result.next_chunk().unwrap().unwrap();
        assert_eq!(
            chunk.vector(0).unwrap().as_slice::<i64>().unwrap(),
            &[n + 1]
        );
    }
    let err = stmt.query([1i64, 2]).unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::OutOfRange | ErrorKind::Misuse),
        "{err}"
    );
}

#[test]
fn prepared_query_row_reads_the_first_row_and_frees_the_result_first() {
    let _ledger = ledger_guard();
    let conn = conn();
    table_t(&conn);
    let mut stmt = conn.prepare(sql::PARAM_PLUS_ONE).unwrap();
    for n in [41i64, -1] {
        let got = stmt
            .query_row([n], |row| {
                // The streamed result is already gone: the connection runs other SQL.
                assert_eq!(live(ledger::HandleKind::Result), 0);
                assert_eq!(read_t(&conn).0, [1, 2]);
                row.get::<i64>("n")
            })
            .unwrap();
        assert_eq!(got, n + 1);
    }
    let mut empty = conn.prepare(sql::EMPTY).unwrap();
    let err = empty.query_row((), |row| row.get::<i64>(0)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::OutOfRange, "{err}");
}

/// Why `query_row` destroys its streaming result before calling back: while one is open, the
/// engine refuses other statements on the connection (the model does not stream).
#[cfg(not(miri))]
#[test]
fn an_open_streaming_result_blocks_its_connection() {
    let _ledger = ledger_guard();
    let conn = conn();
    let mut stmt = conn.prepare(sql::RANGE).unwrap();
    let result = stmt.query_bound_streaming().unwrap();
    let err = conn.execute(sql::ANSWER).unwrap_err();
    assert_eq!(
        err.engine_error(),
        Some(EngineError::ResourceInUse),
        "{err}"
    );
    drop(result);
    conn.execute(sql::ANSWER).unwrap();
}

#[test]
fn prepared_statement_with_cleared_bindings_fails_to_run() {
    let _ledger = ledger_guard();
    let conn = conn();
    let mut stmt = conn.prepare(sql::PARAM_PLUS_ONE).unwrap();
    stmt.bind(1, &5i64).unwrap();
    stmt.clear_bindings().unwrap();
    assert!(stmt.query_bound().is_err());
    assert_eq!(live(ledger::HandleKind::Result), 0);
}

#[test]
fn failing_prepare_is_an_error_and_destroys_the_statement() {
    let _ledger = ledger_guard();
    let conn = conn();
    let err = conn.prepare(sql::MISSING_TABLE).unwrap_err();
    assert_eq!(err.engine_error(), Some(EngineError::Catalog), "{err}");
    let err = conn.prepare(sql::PARSE_ERROR).unwrap_err();
    assert_eq!(err.engine_error(), Some(EngineError::Parser), "{err}");
    assert_eq!(live(ledger::HandleKind::PreparedStatement), 0);
}

// --- prepared statement metadata, pending results ------------------------------------------

#[test]
fn prepared_statement_describes_its_columns() {
    let _ledger = ledger_guard();
    let conn = conn();
    let stmt = conn.prepare(sql::PARAM_PLUS_ONE).unwrap();
    assert_eq!(stmt.column_count(), 1);
    assert_eq!(stmt.column_name(0).unwrap(), "n");
    assert_eq!(stmt.column_type_id(0).unwrap(), TypeId::BigInt);
    assert_eq!(stmt.column_type(0).unwrap().id(), TypeId::BigInt);
    assert_eq!(stmt.statement_type(), StatementType::Select);
    assert_eq!(stmt.parameter_type_id(1).unwrap(), TypeId::BigInt);
    assert_eq!(
        stmt.column_name(1).unwrap_err().kind(),
        ErrorKind::OutOfRange
    );
    assert_eq!(
        stmt.parameter_type_id(2).unwrap_err().kind(),
        ErrorKind::OutOfRange
    );
}

#[test]
fn pending_result_runs_to_a_result() {
    let _ledger = ledger_guard();
    let conn = conn();
    let mut stmt = conn.prepare(sql::PARAM_PLUS_ONE).unwrap();
    let mut pending = stmt.pending([9i64]).unwrap();
    let mut state = pending.execute_task().unwrap();
    while !state.is_finished() {
        state = pending.execute_task().unwrap();
    }
    assert_eq!(state, PendingState::Ready);
    let mut result = pending.execute().unwrap();
    let chunk = result.next_chunk().unwrap().unwrap();
    assert_eq!(chunk.vector(0).unwrap().as_slice::<i64>().unwrap(), &[10]);
}

#[test]
fn pending_result_dropped_before_it_runs() {
    let _ledger = ledger_guard();
    let conn = conn();
    let mut stmt = conn.prepare(sql::PARAM_PLUS_ONE).unwrap();
    let pending = stmt.pending([1i64]).unwrap();
    assert_eq!(live(ledger::HandleKind::PendingResult), 1);
    drop(pending);
    assert_eq!(
        stmt.query([1i64]).unwrap().column_count(),
        1,
        "the statement is still usable"
    );
}

// --- values --------------------------------------------------------------------------------

#[test]
fn scalar_values_round_trip_and_render() {
    let _ledger = ledger_guard();
    let v = Value::from(-5i64);
    assert_eq!(v.type_id(), TypeId::BigInt);
    assert_eq!(v.get_i64().unwrap(), -5);
    assert_eq!(v.to_string(), "-5");
    assert!(!v.is_null());
    let s = Value::varchar("a string longer than twelve bytes");
    assert_eq!(s.type_id(), TypeId::Varchar);
    assert_eq!(
        s.to_string(),
        "'a string longer than twelve bytes'",
        "rendered as a SQL literal"
    );
    assert!(Value::null().is_null());
    assert!(Value::from(true).get_bool().unwrap());
    assert_eq!(v.get_bool().unwrap_err().kind(), ErrorKind::TypeMismatch);
}

#[test]
fn nested_values_copy_their_inputs() {
    let _ledger = ledger_guard();
    let int = LogicalType::new(TypeId::Integer).unwrap();
    let items = [Value::from(1i32), Value::null(), Value::from(3i32)];
    let list = Value::list(&int, &items).unwrap();
    drop(items); // the list holds copies
    assert_eq!(list.type_id(), TypeId::List);
    assert_eq!(list.list_len().unwrap(), 3);
    assert_eq!(list.list_child(2).unwrap().get_i32().unwrap(), 3);
    assert!(list.list_child(1).unwrap().is_null());
    assert_eq!(
        list.list_child(3).unwrap_err().kind(),
        ErrorKind::OutOfRange
    );
    let varchar = LogicalType::new(TypeId::Varchar).unwrap();
    let ty = LogicalType::structure(&[("k", &int), ("v", &varchar)]).unwrap();
    let st = Value::structure(&ty, &[Value::from(7i32), Value::varchar("seven")]).unwrap();
    drop(ty);
    assert_eq!(st.struct_child(1).unwrap().to_string(), "'seven'");
    assert_eq!(st.struct_child(0).unwrap().get_i32().unwrap(), 7);
}

#[test]
fn values_of_decimal_enum_map_array_union_and_bit() {
    let _ledger = ledger_guard();
    let dec = Decimal::new(12_345, 18, 3).unwrap();
    let d = Value::decimal(dec).unwrap();
    assert_eq!(d.type_id(), TypeId::Decimal);
    assert_eq!(d.get_decimal().unwrap(), dec);
    let colors = LogicalType::enumeration(&["red", "green"]).unwrap();
    let green = Value::enumeration(&colors, 1).unwrap();
    assert_eq!(green.get_enum_index().unwrap(), 1);
    assert!(
        Value::enumeration(&colors, 2).is_err(),
        "index outside the dictionary"
    );
    let (int, varchar) = (
        LogicalType::new(TypeId::Integer).unwrap(),
        LogicalType::new(TypeId::Varchar).unwrap(),
    );
    let map_type = LogicalType::map(&varchar, &int).unwrap();
    let map = Value::map(
        &map_type,
        &[Value::varchar("a"), Value::varchar("b")],
        &[Value::from(1i32), Value::from(2i32)],
    )
    .unwrap();
    assert_eq!(map.type_id(), TypeId::Map);
    assert_eq!(map.map_len().unwrap(), 2);
    let (key, value) = map.map_entry(1).unwrap();
    assert_eq!(
        (key.to_string(), value.get_i32().unwrap()),
        ("'b'".to_string(), 2)
    );
    let array = Value::array(&int, &[Value::from(4i32), Value::from(5i32)]).unwrap();
    assert_eq!(array.type_id(), TypeId::Array);
    let union_type = LogicalType::union_type(&[("i", &int), ("s", &varchar)]).unwrap();
    let union = Value::union_value(&union_type, 1, &Value::varchar("text")).unwrap();
    assert_eq!(union.type_id(), TypeId::Union);
    let bits = [true, false, true, true, false, false, false, false, true];
    assert_eq!(Value::bit(&bits).unwrap().get_bit().unwrap(), bits);
}

#[test]
fn values_bind_as_parameters() {
    let _ledger = ledger_guard();
    let conn = conn();
    let mut stmt = conn.prepare(sql::PARAM_PLUS_ONE).unwrap();
    let mut result = stmt.query([Value::from(99i64)]).unwrap();
    let chunk = result.next_chunk().unwrap().unwrap();
    assert_eq!(chunk.vector(0).unwrap().as_slice::<i64>().unwrap(), &[100]);
}

#[test]
fn wide_integers_and_dates_as_values() {
    let _ledger = ledger_guard();
    let huge = Value::from(i128::MIN + 1);
    assert_eq!(huge.type_id(), TypeId::HugeInt);
    assert_eq!(huge.get_i128().unwrap(), i128::MIN + 1);
    assert_eq!(Value::from(u128::MAX).get_u128().unwrap(), u128::MAX);
    let date = Value::from(Date { days: 19_000 });
    assert_eq!(date.type_id(), TypeId::Date);
    assert_eq!(date.get_date().unwrap(), Date { days: 19_000 });
    let ts = Timestamp {
        micros: 1_700_000_000_000_000,
    };
    assert_eq!(Value::from(ts).get_timestamp().unwrap(), ts);
    assert_eq!(date.get_i128().unwrap_err().kind(), ErrorKind::TypeMismatch);
}

#[test]
fn uuid_time_tz_and_interval_values_round_trip() {
    let _ledger = ledger_guard();
    let id = 0x0123_4567_89ab_cdef_fedc_ba98_7654_3210_u128;
    assert_eq!(Value::from(Uuid(id)).get_uuid().unwrap(), Uuid(id));
    let noon = 12 * 3_600_000_000_i64 + 345;
    let tz = Value::from(TimeTz::new(noon, -5400).unwrap())
        .get_time_tz()
        .unwrap();
    assert_eq!((tz.micros(), tz.offset_seconds()), (noon, -5400));
    let want = Interval {
        months: -14,
        days: 3,
        micros: 1_500_000,
    };
    let interval = Value::from(want);
    assert_eq!(interval.type_id(), TypeId::Interval);
    assert_eq!(interval.get_interval().unwrap(), want);
    assert_eq!(
        interval.get_uuid().unwrap_err().kind(),
        ErrorKind::TypeMismatch
    );
}

#[test]
fn result_outlives_its_statement() {
    let _ledger = ledger_guard();
    let conn = conn();
    let mut stmt = conn.prepare(sql::PARAM_PLUS_ONE).unwrap();
    let mut first = stmt.query([1i64]).unwrap();
    let mut second = stmt.query([2i64]).unwrap();
    drop(stmt);
    let b = second.next_chunk().unwrap().unwrap();
    drop(second);
    let a = first.next_chunk().unwrap().unwrap();
    drop(first);
    assert_eq!(a.vector(0).unwrap().as_slice::<i64>().unwrap(), &[2]);
    assert_eq!(b.vector(0).unwrap().as_slice::<i64>().unwrap(), &[3]);
}

// --- appenders -----------------------------------------------------------------------------

fn table_t(conn: &Connection) {
    conn.execute_batch(&format!("{}; {}", sql::CREATE_T, sql::INSERT_T))
        .unwrap();
}

/// `t` as (x, s) pairs, NULL strings as `None`.
fn rows_of_t(conn: &Connection) -> Vec<(i32, Option<String>)> {
    let mut result = conn.query(sql::READ_T).unwrap();
    let mut rows = Vec::new();
    for chunk in result.chunks() {
        let chunk = chunk.unwrap();
        let xs = chunk.vector(0).unwrap();
        let xs = xs.values::<i32>().unwrap();
        let ss = chunk.vector(1).unwrap();
        let ss = ss.strings().unwrap();
        for row in 0..chunk.len() {
            rows.push((
                xs.get(row).unwrap().unwrap(),
                ss.get(row).unwrap().map(str::to_string),
            ));
        }
    }
    rows
}

#[test]
fn appender_appends_rows_and_closes() {
    let _ledger = ledger_guard();
    let conn = conn();
    table_t(&conn);
    let mut app = conn.appender("t").unwrap();
    assert_eq!(app.column_count(), 2);
    assert_eq!(app.column_type(1).unwrap().id(), TypeId::Varchar);
    app.append_row((3i32, "a string longer than twelve bytes"))
        .unwrap();
    app.append_row((4i32, None::<&str>)).unwrap();
    app.close().unwrap();
    assert_eq!(live(ledger::HandleKind::Appender), 0);
    let rows = rows_of_t(&conn);
    assert_eq!(rows.len(), 4);
    assert_eq!(
        rows[2],
        (3, Some("a string longer than twelve bytes".to_string()))
    );
    assert_eq!(rows[3], (4, None));
}

#[test]
fn appender_on_a_missing_table_is_an_error() {
    let _ledger = ledger_guard();
    let conn = conn();
    let err = conn.appender("no_such_table").unwrap_err();
    assert!(
        err.engine_error().is_some() && err.message().contains("no_such_table"),
        "{err}"
    );
    assert_eq!(
        live(ledger::HandleKind::Appender),
        0,
        "destroyed although creation failed"
    );
    assert_eq!(live(ledger::HandleKind::ErrorData), 0);
}

#[test]
fn appender_close_reports_a_constraint_error() {
    let _ledger = ledger_guard();
    let conn = conn();
    table_t(&conn);
    let mut app = conn.appender("t").unwrap();
    app.append_row((5i32, "five")).unwrap();
    app.append_row((1i32, "duplicate key")).unwrap();
    let err = app.close().unwrap_err();
    assert_eq!(err.engine_error(), Some(EngineError::Constraint), "{err}");
    // The failed flush wrote none of its rows; the connection is still usable.
    assert_eq!(rows_of_t(&conn).len(), 2);
    assert_eq!(live(ledger::HandleKind::ErrorData), 0);
}

#[test]
fn appender_dropped_without_close_flushes_silently() {
    let _ledger = ledger_guard();
    let conn = conn();
    table_t(&conn);
    let mut app = conn.appender("t").unwrap();
    app.append_row((7i32, "seven")).unwrap();
    drop(app);
    assert_eq!(
        rows_of_t(&conn).last().unwrap(),
        &(7, Some("seven".to_string()))
    );
    let mut failing = conn.appender("t").unwrap();
    failing.append_row((7i32, "again")).unwrap();
    drop(failing); // the flush error is swallowed, the handle destroyed
    assert_eq!(rows_of_t(&conn).len(), 3);
}

#[test]
fn appender_with_some_columns() {
    let _ledger = ledger_guard();
    let conn = conn();
    table_t(&conn);
    let mut app = conn.appender_with_columns("t", &["x"]).unwrap();
    assert_eq!(app.column_count(), 1);
    app.append_row((8i32,)).unwrap();
    app.close().unwrap();
    assert_eq!(rows_of_t(&conn).last().unwrap(), &(8, None));
}

#[test]
fn appender_rejects_an_incomplete_row() {
    let _ledger = ledger_guard();
    let conn = conn();
    table_t(&conn);
    let mut app = conn.appender("t").unwrap();
    app.append(&9i32).unwrap();
    assert!(app.end_row().is_err());
    assert!(
        app.append_row((1i32, "x", 3i32)).is_err(),
        "too many values"
    );
}

#[test]
fn chunk_writer_appends_a_chunk_with_nulls_and_long_strings() {
    let _ledger = ledger_guard();
    let conn = conn();
    table_t(&conn);
    let types = [
        LogicalType::new(TypeId::Integer).unwrap(),
        LogicalType::new(TypeId::Varchar).unwrap(),
    ];
    let mut writer = ChunkWriter::new(&types).unwrap();
    drop(types); // the chunk copied them
    writer.set_len(3).unwrap();
    writer.column_mut::<i32>(0).unwrap()[..3].copy_from_slice(&[10, 11, 12]);
    writer.set_str(1, 0, "ten").unwrap();
    writer.set_null(1, 1).unwrap();
    writer
        .set_str(1, 2, "twelve is longer than twelve")
        .unwrap();
    let mut app = conn.appender("t").unwrap();
    app.append_chunk(writer.chunk()).unwrap();
    drop(writer); // the appender copied the rows
    app.close().unwrap();
    let rows = rows_of_t(&conn);
    assert_eq!(
        rows[2..],
        [
            (10, Some("ten".into())),
            (11, None),
            (12, Some("twelve is longer than twelve".into()))
        ]
    );
}

#[test]
fn chunk_writer_reset_and_reuse() {
    let _ledger = ledger_guard();
    let conn = conn();
    table_t(&conn);
    let types = [
        LogicalType::new(TypeId::Integer).unwrap(),
        LogicalType::new(TypeId::Varchar).unwrap(),
    ];
    let mut writer = ChunkWriter::new(&types).unwrap();
    let mut app = conn.appender("t").unwrap();
    for (x, text) in [(20, "a string longer than twelve bytes"), (21, "short")] {
        writer.reset();
        assert!(writer.is_empty());
        writer.set_len(1).unwrap();
        writer.column_mut::<i32>(0).unwrap()[0] = x;
        writer.set_str(1, 0, text).unwrap();
        app.append_chunk(writer.chunk()).unwrap();
    }
    app.close().unwrap();
    let rows = rows_of_t(&conn);
    assert_eq!(
        rows[2..],
        [
            (20, Some("a string longer than twelve bytes".into())),
            (21, Some("short".into()))
        ]
    );
    assert_eq!(
        writer.set_len(writer.capacity() + 1).unwrap_err().kind(),
        ErrorKind::OutOfRange
    );
}

/// An appender over `sql::APPEND_QUERY_T` (INTEGER, VARCHAR), made from types that are
/// dropped at once (the appender keeps copies).
fn query_appender<'c>(conn: &'c Connection, names: Option<&[&str]>) -> Appender<'c> {
    let types = [
        LogicalType::new(TypeId::Integer).unwrap(),
        LogicalType::new(TypeId::Varchar).unwrap(),
    ];
    conn.appender_for_query(sql::APPEND_QUERY_T, &types, None, names)
        .unwrap()
}

#[test]
fn query_appender_runs_its_query_over_the_appended_rows() {
    let _ledger = ledger_guard();
    let conn = conn();
    table_t(&conn);
    let mut app = query_appender(&conn, None);
    assert_eq!(app.column_count(), 2);
    assert_eq!(app.column_type(0).unwrap().id(), TypeId::Integer);
    assert_eq!(app.column_type(1).unwrap().id(), TypeId::Varchar);
    app.append_row((3i32, "a string longer than twelve bytes"))
        .unwrap();
    app.append_row((4i32, None::<&str>)).unwrap();
    assert_eq!(rows_of_t(&conn).len(), 2, "nothing runs before the flush");
    app.close().unwrap();
    assert_eq!(live(ledger::HandleKind::Appender), 0);
    assert_eq!(live(ledger::HandleKind::LogicalType), 0);
    let rows = rows_of_t(&conn);
    assert_eq!(
        rows[2..],
        [
            (30, Some("a string longer than twelve bytes".into())),
            (40, None)
        ]
    );
}

#[test]
fn query_appender_reports_query_errors_at_flush() {
    let _ledger = ledger_guard();
    let conn = conn();
    table_t(&conn);
    let mut app = query_appender(&conn, None);
    let err = app.add_column("col1").unwrap_err();
    assert_eq!(
        err.engine_error(),
        Some(EngineError::NotImplemented),
        "{err}"
    );
    // Both rows become x = 50: the query's INSERT violates t's primary key.
    app.append_row((5i32, "five")).unwrap();
    app.append_row((5i32, "again")).unwrap();
    let err = app.close().unwrap_err();
    assert_eq!(err.engine_error(), Some(EngineError::Constraint), "{err}");
    assert_eq!(rows_of_t(&conn).len(), 2, "the failed flush wrote nothing");
    // Names the query does not use: binding it fails at the flush, not at creation.
    let mut renamed = query_appender(&conn, Some(&["a", "b"]));
    renamed.append_row((6i32, "six")).unwrap();
    let err = renamed.close().unwrap_err();
    assert_eq!(err.engine_error(), Some(EngineError::Binder), "{err}");
    assert_eq!(live(ledger::HandleKind::Appender), 0);
    assert_eq!(live(ledger::HandleKind::ErrorData), 0);
}

// --- properties only the model guarantees ---------------------------------------------------

/// The model fills BOOLEAN slots under NULL rows with 0xA5, which is not a valid `bool`:
/// `as_slice::<bool>` must refuse instead of handing out an invalid `&[bool]`.
#[cfg(miri)]
#[test]
fn bool_slice_over_garbage_under_nulls_is_refused() {
    let _ledger = ledger_guard();
    let conn = conn();
    let chunk = only_chunk(&conn, sql::MIXED);
    let err = chunk.vector(4).unwrap().as_slice::<bool>().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TypeMismatch, "{err}");
}

/// The model answers only its canned SQL; anything else is an error that names the text.
#[cfg(miri)]
#[test]
fn unknown_sql_is_an_error_naming_it() {
    let _ledger = ledger_guard();
    let conn = conn();
    let err = conn.query("SELECT 'not canned'").unwrap_err();
    assert!(err.message().contains("not canned"), "{err}");
}

// --- injected bugs: Miri must fail (run by tests/miri_must_fail.sh) -------------------------

/// Each test here breaks an ownership rule on purpose. They are ignored in the normal run;
/// `tests/miri_must_fail.sh` runs each alone under Miri and expects the named error.
#[cfg(miri)]
mod miri_must_fail {
    use super::*;
    use crate as ffi;

    /// A skipped destroy: Miri reports the result's memory as leaked.
    #[test]
    #[ignore = "must fail under Miri: leak"]
    fn leak_a_result() {
        let conn = conn();
        std::mem::forget(conn.query(sql::ANSWER).unwrap());
    }

    /// A second destroy of a chunk the safe layer still owns.
    #[test]
    #[ignore = "must fail under Miri: double destroy"]
    fn double_destroy_a_chunk() {
        let conn = conn();
        let chunk = only_chunk(&conn, sql::ANSWER);
        let mut copy = chunk.as_raw();
        // SAFETY: deliberately unsound: `chunk` destroys the same handle again when dropped.
        unsafe { ffi::duckdb_destroy_data_chunk(&mut copy) };
        drop(chunk);
    }

    /// A vector whose row count is one more than its chunk's: reading it walks off the data.
    #[test]
    #[ignore = "must fail under Miri: read past the chunk's size"]
    fn read_past_the_chunk_size() {
        let conn = conn();
        let chunk = only_chunk(&conn, sql::MIXED);
        let raw = chunk.vector(0).unwrap().as_raw();
        // SAFETY: deliberately unsound: the chunk has 5 rows, not 6.
        let v = unsafe { Vector::from_raw(raw, chunk.len() + 1) };
        let sum: i64 = v
            .as_slice::<i32>()
            .unwrap()
            .iter()
            .map(|&x| i64::from(x))
            .sum();
        println!("{sum}");
    }

    /// A use after destroy: a vector read after its chunk is gone.
    #[test]
    #[ignore = "must fail under Miri: use after destroy"]
    fn use_a_vector_after_its_chunk() {
        let conn = conn();
        let chunk = only_chunk(&conn, sql::ANSWER);
        let raw = chunk.vector(0).unwrap().as_raw();
        drop(chunk);
        // SAFETY: deliberately unsound: the vector died with its chunk.
        let v = unsafe { Vector::from_raw(raw, 1) };
        println!("{:?}", v.type_id());
    }
}
