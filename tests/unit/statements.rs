//! Prepared statements, their metadata, and pending results.

use super::*;

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
