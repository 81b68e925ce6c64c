//! The appender: rows in, errors at close, columns, and query appenders.

use super::*;

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
