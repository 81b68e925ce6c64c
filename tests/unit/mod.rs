//! The safe layer's unit tests, one module per area.
//!
//! They reach the layer's private items, so they are compiled into the library
//! (`src/safe/mod.rs` includes this folder under `cfg(test)`) and run twice: by
//! `cargo test --lib` against the real engine, and by `cargo +nightly miri test --lib` against
//! the model of the C API in `tests/miri_model`, where Miri checks that every handle is
//! destroyed exactly once, nothing is used after destroy, and no read leaves the memory the C
//! API lent. Every SQL text comes from `miri_model::canned` and means the same on both. Tests
//! that depend on a property only the model guarantees are in `model_only`; the tests in
//! `miri_must_fail` inject a bug on purpose and are ignored (run one at a time by
//! `tests/miri_must_fail.sh`, which expects Miri to fail).

use super::*;
use crate::miri_model::canned as sql;
use crate::safe::functions::*;
use crate::safe::types::*;

// One module per area of the safe layer.
mod appender;
mod arrow;
mod chunks;
mod database;
mod functions;
mod results;
mod statements;
mod type_names;
mod values;
// Random operation sequences against a model of what the database holds.
mod op_sequences;
// Only under Miri.
#[cfg(miri)]
mod miri_must_fail;
#[cfg(miri)]
mod model_only;

/// The ledger's guard (tests of one binary share the ledger) that also insists the test
/// starts from zero live handles, which every unit test does.
fn ledger_guard() -> ledger::LedgerGuard {
    let guard = ledger::guard();
    assert_eq!(
        guard.start().live_total(),
        0,
        "a previous test left handles alive:\n{}",
        guard.start()
    );
    guard
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
fn conn_of(db: &Database) -> Connection {
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

fn table_t(conn: &Connection) {
    conn.execute_batch(&format!("{}; {}", sql::CREATE_T, sql::INSERT_T))
        .unwrap();
}
