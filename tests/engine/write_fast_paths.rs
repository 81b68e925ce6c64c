//! The write paths: parameter lists visited without dynamic dispatch (tuples, arrays,
//! vectors) and through `&dyn ToSql` (`params!`), a user's own `Params` and `ToSql`, and the
//! bulk `ChunkWriter` calls (`set_strs`, `set_blobs`, `validity_mut`).
//! Every test reads the data back through SQL, so a wrong cell, a lost NULL or a value sent to
//! the wrong column or parameter fails it.

use crate::common;

use duckdb_ffi::params;
use duckdb_ffi::safe::types::{LogicalType, Null, ParamSink, Params, ToSql, ToSqlOutput, TypeId};
use duckdb_ffi::safe::{Appender, ChunkWriter, Connection, Database, ErrorKind, Result};

fn conn() -> Connection {
    Database::open_in_memory()
        .and_then(|db| db.connect())
        .expect("in-memory database")
}

fn text(conn: &Connection, sql: &str) -> String {
    conn.query_row(sql, (), |row| row.get::<String>(0))
        .expect(sql)
}

#[test]
fn direct_appends_land_in_their_columns() {
    let _ledger = common::ledger_guard();
    let conn = conn();
    conn.execute(
        "CREATE TABLE t(b BOOLEAN, i8 TINYINT, i16 SMALLINT, i32 INTEGER, i64 BIGINT, u8 UTINYINT, \
         u32 UINTEGER, u64 UBIGINT, f FLOAT, d DOUBLE, s VARCHAR, o VARCHAR)",
    )
    .unwrap();
    let mut app = conn.appender("t").unwrap();
    let owned = String::from("owned");
    app.append_row((
        true,
        -8i8,
        -16i16,
        -32i32,
        -64i64,
        8u8,
        32u32,
        u64::MAX,
        1.5f32,
        -2.25f64,
        "borrowed",
        &owned,
    ))
    .unwrap();
    // Through `&dyn ToSql` (`params!`) and `Option`/`Null`.
    app.append_row(params![
        false,
        None::<i8>,
        Some(7i16),
        Null,
        i64::MIN,
        None::<u8>,
        Some(u32::MAX),
        0u64,
        None::<f32>,
        f64::MAX,
        None::<&str>,
        Some(String::from("x"))
    ])
    .unwrap();
    app.close().unwrap();
    assert_eq!(
        text(
            &conn,
            "SELECT string_agg(concat_ws('|', b, i8, i16, i32, i64, u8, u32, u64, f, d, s, o), ';' ORDER BY i64) FROM t"
        ),
        "false|7|-9223372036854775808|4294967295|0|1.7976931348623157e+308|x;\
         true|-8|-16|-32|-64|8|32|18446744073709551615|1.5|-2.25|borrowed|owned"
    );
    assert_eq!(
        text(
            &conn,
            "SELECT (count(*) - count(i8))::VARCHAR || ',' || (count(*) - count(s))::VARCHAR FROM t"
        ),
        "1,1"
    );
}

#[test]
fn appending_past_the_row_or_after_poisoning_is_refused() {
    let _ledger = common::ledger_guard();
    let conn = conn();
    conn.execute("CREATE TABLE t(a INTEGER, b INTEGER)")
        .unwrap();
    let mut app = conn.appender("t").unwrap();
    app.append(&1i32).unwrap();
    app.append(&2i32).unwrap();
    let err = app.append(&3i32).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::OutOfRange, "{err}");
    app.end_row().unwrap();
    // A value DuckDB cannot convert, in the second column, poisons the appender.
    app.append(&1i32).unwrap();
    app.append("not a number").unwrap_err();
    for attempt in [app.append(&5i64), app.append("x"), app.end_row()] {
        let err = attempt.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Misuse, "{err}");
        assert!(err.message().contains("clear"), "{err}");
    }
    app.clear().unwrap();
    app.append_row((10i32, 20i32)).unwrap();
    app.close().unwrap();
    assert_eq!(
        text(
            &conn,
            "SELECT string_agg(a || ':' || b, ',' ORDER BY a) FROM t"
        ),
        "10:20"
    );
}

/// A parameter list that claims fewer values than it appends: the per-value room check
/// still stops it at the row's end.
struct Lying;

impl Params for Lying {
    fn param_count(&self) -> usize {
        1
    }

    fn visit<S: ParamSink>(&self, sink: &mut S) -> Result<()> {
        sink.put(&1i32)?;
        sink.put(&2i32)
    }
}

#[test]
fn a_params_list_cannot_overfill_a_row() {
    let _ledger = common::ledger_guard();
    let conn = conn();
    conn.execute("CREATE TABLE t(a INTEGER)").unwrap();
    let mut app = conn.appender("t").unwrap();
    let err = app.append_row(Lying).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::OutOfRange, "{err}");
    // The first value was appended, the row is open: clear and go on.
    app.clear().unwrap();
    app.append_row([4i32]).unwrap();
    app.close().unwrap();
    assert_eq!(
        text(&conn, "SELECT string_agg(a::VARCHAR, ',') FROM t"),
        "4"
    );
}

/// A user's own type, described as one of DuckDB's.
struct Celsius(f64);

impl ToSql for Celsius {
    fn to_sql(&self) -> Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Double(self.0))
    }
}

#[test]
fn direct_binds_reach_their_parameters() {
    let _ledger = common::ledger_guard();
    let conn = conn();
    let mut stmt = conn
        .prepare("SELECT concat_ws('|', ?::BIGINT + 1, ?::VARCHAR, ?::DOUBLE, ?::UTINYINT, ?::BOOLEAN, ?::INTEGER)")
        .unwrap();
    let s = String::from("text");
    let got = stmt
        .query((41i64, &s, Celsius(2.5), 200u8, true, None::<i32>))
        .unwrap()
        .rows()
        .next()
        .unwrap()
        .unwrap()
        .get::<String>(0)
        .unwrap();
    assert_eq!(got, "42|text|2.5|200|true");
    let mut one = conn.prepare("SELECT ?::BIGINT * 2").unwrap();
    for (i, want) in [(1i64, 2i64), (-5, -10), (i64::MAX / 2, i64::MAX - 1)] {
        let v: i64 = one.query_row([i], |row| row.get(0)).unwrap();
        assert_eq!(v, want);
    }
    // Wrong counts and indexes are still errors, with no C call.
    assert_eq!(
        one.query([1i64, 2]).unwrap_err().kind(),
        ErrorKind::OutOfRange
    );
    assert_eq!(
        one.bind(2, &1i64).unwrap_err().kind(),
        ErrorKind::OutOfRange
    );
    assert_eq!(one.bind(0, "x").unwrap_err().kind(), ErrorKind::OutOfRange);
    // An out-of-range bind must not have broken the statement.
    assert_eq!(
        one.query_row(vec![21i64], |row| row.get::<i64>(0)).unwrap(),
        42
    );
}

fn writer(types: &[TypeId]) -> ChunkWriter {
    let types: Vec<LogicalType> = types
        .iter()
        .map(|&t| LogicalType::new(t).unwrap())
        .collect();
    ChunkWriter::new(&types).unwrap()
}

fn append(conn: &Connection, w: &ChunkWriter) {
    let mut app: Appender<'_> = conn.appender("t").unwrap();
    app.append_chunk(w.chunk()).unwrap();
    app.close().unwrap();
}

#[test]
fn bulk_strings_blobs_and_validity() {
    let _ledger = common::ledger_guard();
    let conn = conn();
    conn.execute("CREATE TABLE t(i INTEGER, s VARCHAR, b BLOB)")
        .unwrap();
    let mut w = writer(&[TypeId::Integer, TypeId::Varchar, TypeId::Blob]);
    let cap = w.capacity();
    for (k, slot) in w.column_mut::<i32>(0).unwrap().iter_mut().enumerate() {
        *slot = k as i32;
    }
    let texts: Vec<String> = (0..cap)
        .map(|k| format!("row {k} {}", "é".repeat(k % 20)))
        .collect();
    assert_eq!(w.set_strs(1, 0, &texts).unwrap(), cap);
    assert_eq!(
        w.set_blobs(2, 1, [&b"\x00\xff"[..], b"", b"abc"]).unwrap(),
        3
    );
    // NULLs in bulk: every third row of column 0; then a NULL string made valid by a write.
    let mask = w.validity_mut(0).unwrap();
    assert_eq!(mask.len(), cap.div_ceil(64));
    for row in (0..cap).step_by(3) {
        mask[row / 64] &= !(1 << (row % 64));
    }
    w.set_null(1, 5).unwrap();
    w.set_strs(1, 5, ["again"]).unwrap();
    w.set_null(1, 6).unwrap();
    w.set_len(cap).unwrap();
    append(&conn, &w);
    let want_sum: i64 = (0..cap as i64).filter(|k| k % 3 != 0).sum();
    let want_len: usize = texts
        .iter()
        .enumerate()
        .filter(|(k, _)| *k != 5 && *k != 6)
        .map(|(_, t)| t.chars().count())
        .sum::<usize>()
        + "again".len();
    assert_eq!(
        text(
            &conn,
            "SELECT sum(i) || ',' || count(i) || ',' || sum(length(s)) || ',' || count(s) || ',' || \
             (SELECT s FROM t WHERE rowid = 5) || ',' || \
             (SELECT string_agg(hex(b), '/' ORDER BY rowid) FROM t WHERE rowid BETWEEN 1 AND 3) FROM t"
        ),
        format!(
            "{want_sum},{},{want_len},{},again,00FF//616263",
            cap - cap.div_ceil(3),
            cap - 1
        )
    );
}

#[test]
fn bulk_writes_check_column_type_and_capacity() {
    let _ledger = common::ledger_guard();
    let mut w = writer(&[TypeId::Integer, TypeId::Varchar, TypeId::Blob]);
    let cap = w.capacity();
    let kind = |r: Result<usize>| r.unwrap_err().kind();
    assert_eq!(kind(w.set_strs(0, 0, ["x"])), ErrorKind::TypeMismatch);
    assert_eq!(kind(w.set_strs(2, 0, ["x"])), ErrorKind::TypeMismatch);
    assert_eq!(kind(w.set_blobs(1, 0, [b"x"])), ErrorKind::TypeMismatch);
    assert_eq!(kind(w.set_strs(3, 0, ["x"])), ErrorKind::OutOfRange);
    assert_eq!(w.validity_mut(3).unwrap_err().kind(), ErrorKind::OutOfRange);
    // Past the end: the cells that fit are written, then an error.
    assert_eq!(
        kind(w.set_strs(1, cap - 2, ["a", "b", "c"])),
        ErrorKind::OutOfRange
    );
    assert_eq!(kind(w.set_strs(1, cap, ["a"])), ErrorKind::OutOfRange);
    assert_eq!(w.set_strs(1, cap, Vec::<&str>::new()).unwrap(), 0);
    w.set_len(cap).unwrap();
    let v = w.chunk().vector(1).unwrap();
    let strings = v.strings().unwrap();
    let tail: Vec<Option<&str>> = strings.iter().skip(cap - 3).collect::<Result<_>>().unwrap();
    assert_eq!(tail, [Some(""), Some("a"), Some("b")]);
}
