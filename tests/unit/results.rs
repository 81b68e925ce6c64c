//! Query results: metadata, chunks of rows, errors, and batches of statements.

use super::*;

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
