//! `Connection::borrow_raw`: the safe layer over a connection someone else owns (as a loadable
//! extension's entry point is lent one) reads as usual and never disconnects it.

use crate::common;

use duckdb_ffi::safe::{Connection, Database, ledger};
use duckdb_ffi::*;

#[test]
fn a_borrowed_connection_reads_and_is_left_connected() {
    let _ledger = common::ledger_guard();
    let db = Database::open_in_memory().unwrap();
    let mut raw: duckdb_connection = std::ptr::null_mut();
    // SAFETY: a live database; the out-parameter is null-initialised.
    let state = unsafe { duckdb_connect(db.as_raw(), &mut raw) };
    assert_eq!(state, duckdb_state_DuckDBSuccess);
    let before = ledger::snapshot().live_total();
    for round in 0..2 {
        // SAFETY: `raw` stays connected until the disconnect below, after the borrow ends.
        let conn = unsafe { Connection::borrow_raw(raw) };
        let value = conn
            .query_row("SELECT 40 + ?::INTEGER", (round + 2,), |row| {
                row.get::<i32>(0)
            })
            .unwrap();
        assert_eq!(value, 42 + round);
        // The QueryResult -> DataChunk -> Vector path an extension's init uses.
        let mut result = conn.query("SELECT range FROM range(3000)").unwrap();
        let mut sum = 0i64;
        while let Some(chunk) = result.next_chunk().unwrap() {
            let values = chunk.vector(0).unwrap().values::<i64>().unwrap();
            for row in 0..chunk.len() {
                sum += values.get(row).unwrap().unwrap();
            }
        }
        assert_eq!(sum, (0..3000).sum::<i64>());
        drop(result);
        drop(conn);
        // The ledger no longer counts it, and the owner's handle still works.
        assert_eq!(ledger::snapshot().live_total(), before);
        // SAFETY: duckdb_result is a plain C struct for which all-zero is the empty value.
        let mut out: duckdb_result = unsafe { std::mem::zeroed() };
        // SAFETY: `raw` is still connected; the result is destroyed right after.
        unsafe {
            assert_eq!(
                duckdb_query(raw, c"SELECT 1".as_ptr(), &mut out),
                duckdb_state_DuckDBSuccess,
                "the borrowed connection was disconnected"
            );
            duckdb_destroy_result(&mut out);
        }
    }
    // SAFETY: the owner disconnects once, here.
    unsafe { duckdb_disconnect(&mut raw) };
    assert!(raw.is_null());
}
