//! `Connection::transaction` on the real engine: commit, rollback, rollback on drop (also
//! while a panic unwinds), nested BEGIN, a failure halfway through a batch.

use crate::common;

use duckdb_ffi::safe::{Connection, Database, EngineError, Error};
use std::panic::{AssertUnwindSafe, catch_unwind};

fn setup() -> (Database, Connection) {
    let db = Database::open_in_memory().expect("open");
    let conn = db.connect().expect("connect");
    conn.execute_batch("CREATE TABLE t(x INTEGER PRIMARY KEY)")
        .expect("create");
    (db, conn)
}

fn count(conn: &Connection) -> i64 {
    conn.query_row("SELECT count(*) FROM t", (), |r| r.get::<i64>(0))
        .expect("count")
}

/// A transaction can be begun: proof that none is open on the connection.
fn no_transaction_open(conn: &Connection) -> bool {
    match conn.transaction() {
        Ok(tx) => {
            tx.rollback().expect("rollback");
            true
        }
        Err(_) => false,
    }
}

#[test]
fn commit_keeps_and_rollback_discards() {
    let _ledger = common::ledger_guard();
    let (_db, conn) = setup();
    let tx = conn.transaction().unwrap();
    tx.execute("INSERT INTO t VALUES (1), (2)").unwrap();
    tx.commit().unwrap();
    assert_eq!(count(&conn), 2);

    let tx = conn.transaction().unwrap();
    tx.execute("INSERT INTO t VALUES (3)").unwrap();
    assert_eq!(count(&tx), 3, "the transaction sees its own insert");
    tx.rollback().unwrap();
    assert_eq!(count(&conn), 2);
    assert!(no_transaction_open(&conn));
}

#[test]
fn drop_rolls_back_on_early_return() {
    let _ledger = common::ledger_guard();
    let (_db, conn) = setup();
    fn insert_then_fail(conn: &Connection) -> Result<(), Error> {
        let tx = conn.transaction()?;
        tx.execute("INSERT INTO t VALUES (10)")?;
        tx.execute("INSERT INTO no_such_table VALUES (1)")?; // returns early
        tx.commit()
    }
    let err = insert_then_fail(&conn).unwrap_err();
    assert_eq!(err.engine_error(), Some(EngineError::Catalog), "{err}");
    assert_eq!(count(&conn), 0);
    assert!(no_transaction_open(&conn));
}

#[test]
fn drop_rolls_back_while_unwinding() {
    let _ledger = common::ledger_guard();
    let (_db, conn) = setup();
    let caught = catch_unwind(AssertUnwindSafe(|| {
        let tx = conn.transaction().unwrap();
        tx.execute("INSERT INTO t VALUES (1)").unwrap();
        panic!("halfway");
    }));
    assert!(caught.is_err());
    assert_eq!(count(&conn), 0);
    assert!(no_transaction_open(&conn));
}

#[test]
fn nested_begin_is_a_clear_error() {
    let _ledger = common::ledger_guard();
    let (_db, conn) = setup();
    let outer = conn.transaction().unwrap();
    outer.execute("INSERT INTO t VALUES (1)").unwrap();
    let err = conn.transaction().unwrap_err();
    assert_eq!(err.engine_error(), Some(EngineError::Transaction), "{err}");
    assert!(err.message().contains("already open"), "{err}");
    // The outer transaction is untouched by the refused BEGIN and still commits.
    outer.commit().unwrap();
    assert_eq!(count(&conn), 1);

    // A BEGIN sent as SQL is refused too; DuckDB aborts that transaction on the refusal.
    conn.execute("BEGIN").unwrap();
    conn.execute("INSERT INTO t VALUES (2)").unwrap();
    let err = conn.transaction().unwrap_err();
    assert!(err.message().contains("already open"), "{err}");
    assert!(err.message().contains("as SQL"), "{err}");
    conn.execute("COMMIT").unwrap(); // turned into ROLLBACK by DuckDB
    assert_eq!(count(&conn), 1);
    assert!(no_transaction_open(&conn));
}

#[test]
fn failure_halfway_through_a_batch_leaves_nothing() {
    let _ledger = common::ledger_guard();
    let (_db, conn) = setup();
    conn.execute("INSERT INTO t VALUES (500)").unwrap();
    // 1000 rows through a prepared statement; row 500 violates the primary key.
    let result = conn.in_transaction(|tx| {
        let mut stmt = tx.prepare("INSERT INTO t VALUES (?)")?;
        for x in 0..1000 {
            stmt.execute((x,))?;
        }
        Ok(())
    });
    let err = result.unwrap_err();
    assert_eq!(err.engine_error(), Some(EngineError::Constraint), "{err}");
    assert_eq!(count(&conn), 1, "rows 0..500 were rolled back");
    assert!(no_transaction_open(&conn));

    // The same batch with the appender, failing at flush: rolled back too.
    conn.execute("DELETE FROM t").unwrap();
    conn.execute("INSERT INTO t VALUES (7)").unwrap();
    let result = conn.in_transaction(|tx| {
        let mut app = tx.appender("t")?;
        for x in 0..100 {
            app.append_row((x,))?;
        }
        app.close()
    });
    assert!(result.is_err());
    assert_eq!(count(&conn), 1);
    assert!(no_transaction_open(&conn));
}

#[test]
fn a_failed_statement_aborts_and_commit_reports_it() {
    let _ledger = common::ledger_guard();
    let (_db, conn) = setup();
    let tx = conn.transaction().unwrap();
    tx.execute("INSERT INTO t VALUES (1)").unwrap();
    assert!(tx.execute("INSERT INTO t VALUES (1)").is_err());
    // DuckDB aborted the transaction: commit says so and leaves no transaction open.
    let err = tx.commit().unwrap_err();
    assert_eq!(err.engine_error(), Some(EngineError::Transaction), "{err}");
    assert!(err.message().contains("aborted"), "{err}");
    assert_eq!(count(&conn), 0);
    assert!(no_transaction_open(&conn));
}

#[test]
fn write_conflict_between_connections() {
    let _ledger = common::ledger_guard();
    let (db, a) = setup();
    let b = db.connect().unwrap();
    a.execute("INSERT INTO t VALUES (1)").unwrap();
    let ta = a.transaction().unwrap();
    let tb = b.transaction().unwrap();
    ta.execute("UPDATE t SET x = 2 WHERE x = 1").unwrap();
    // Either the second update or its commit fails: DuckDB detects the conflict.
    let second = tb.execute("UPDATE t SET x = 3 WHERE x = 1").map(drop);
    ta.commit().unwrap();
    let committed = second.and_then(|()| tb.commit());
    assert!(committed.is_err(), "conflicting commit must fail");
    assert_eq!(
        a.query_row("SELECT x FROM t", (), |r| r.get::<i32>(0))
            .unwrap(),
        2
    );
    assert!(no_transaction_open(&b));
}
