//! `Transaction`: a guard that commits only when told to and rolls back otherwise.

use crate::safe::connection::Connection;
use crate::safe::error::{EngineError, Error, Result};

use std::ops::Deref;

/// An open transaction on a [`Connection`], begun by [`Connection::transaction`].
///
/// It derefs to the connection, so every query, prepared statement and appender is used
/// through it as usual. It ends in exactly one of three ways:
///
/// - [`commit`](Self::commit) makes the changes durable;
/// - [`rollback`](Self::rollback) discards them;
/// - dropping it — an early return through `?`, or unwinding from a panic — discards them too.
///
/// Results, statements and appenders borrow the transaction, so it cannot end while one of
/// them is still alive: an appender must be flushed or closed inside the transaction.
///
/// ```
/// use duckdb_ffi::safe::Database;
/// let conn = Database::open_in_memory()?.connect()?;
/// conn.execute_batch("CREATE TABLE t(x INTEGER PRIMARY KEY)")?;
///
/// // Committed.
/// let tx = conn.transaction()?;
/// tx.execute("INSERT INTO t VALUES (1)")?;
/// tx.commit()?;
///
/// // Dropped without commit: rolled back.
/// {
///     let tx = conn.transaction()?;
///     tx.execute("INSERT INTO t VALUES (2)")?;
/// }
/// assert_eq!(conn.query_row("SELECT count(*) FROM t", (), |r| r.get::<i64>(0))?, 1);
/// # Ok::<(), duckdb_ffi::safe::Error>(())
/// ```
#[derive(Debug)]
#[must_use = "a transaction dropped at once rolls back at once"]
pub struct Transaction<'conn> {
    conn: &'conn Connection,
    /// Set once `COMMIT` or `ROLLBACK` has been sent, so `Drop` sends nothing more.
    finished: bool,
}

impl Connection {
    /// Begins a transaction (`BEGIN TRANSACTION`) and returns its guard.
    ///
    /// DuckDB has no nested transactions: calling this while a transaction is open on the
    /// connection is an [`EngineError::Transaction`] error that says so. When the open one
    /// belongs to another guard, it is left as it was; when it was begun by `BEGIN` sent as
    /// SQL, DuckDB aborts it on the refused `BEGIN` (its changes will be rolled back), as it
    /// does on any failed statement in a transaction.
    ///
    /// ```
    /// use duckdb_ffi::safe::{Database, EngineError};
    /// let conn = Database::open_in_memory()?.connect()?;
    /// let outer = conn.transaction()?;
    /// let err = conn.transaction().unwrap_err();
    /// assert_eq!(err.engine_error(), Some(EngineError::Transaction));
    /// assert!(err.message().contains("already open"), "{err}");
    /// outer.rollback()?;
    /// # Ok::<(), duckdb_ffi::safe::Error>(())
    /// ```
    pub fn transaction(&self) -> Result<Transaction<'_>> {
        // Checked here, not left to DuckDB: a refused `BEGIN` is a failed statement, and a
        // failed statement aborts the transaction that is open, which would lose its work.
        if self.guarded_transaction.get() {
            return Err(nested_error(
                "a Transaction guard is still alive for it".to_string(),
            ));
        }
        if let Err(err) = self.execute("BEGIN TRANSACTION") {
            if err.engine_error() == Some(EngineError::Transaction) {
                // A `BEGIN` sent as SQL: DuckDB refused this one and aborted that one.
                return Err(nested_error(format!(
                    "it was begun as SQL; DuckDB aborted it on this refusal: {}",
                    err.message()
                )));
            }
            return Err(err);
        }
        self.guarded_transaction.set(true);
        Ok(Transaction {
            conn: self,
            finished: false,
        })
    }

    /// Runs `f` in a transaction: commits when it returns `Ok`, rolls back when it returns
    /// `Err` or panics. The error of `f` is returned as it was.
    ///
    /// ```
    /// use duckdb_ffi::safe::Database;
    /// let conn = Database::open_in_memory()?.connect()?;
    /// conn.execute_batch("CREATE TABLE t(x INTEGER PRIMARY KEY)")?;
    /// // The second insert fails: the first is rolled back with it.
    /// let failed = conn.in_transaction(|tx| {
    ///     tx.execute("INSERT INTO t VALUES (1)")?;
    ///     tx.execute("INSERT INTO t VALUES (1)")
    /// });
    /// assert!(failed.is_err());
    /// assert_eq!(conn.query_row("SELECT count(*) FROM t", (), |r| r.get::<i64>(0))?, 0);
    /// # Ok::<(), duckdb_ffi::safe::Error>(())
    /// ```
    pub fn in_transaction<T>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let tx = self.transaction()?;
        let value = f(&tx)?;
        tx.commit()?;
        Ok(value)
    }
}

impl<'conn> Transaction<'conn> {
    /// Commits. When the transaction cannot commit, the error is returned and the transaction
    /// is rolled back, so the connection is out of any transaction either way:
    ///
    /// - a statement failed inside it: DuckDB has aborted it (every later statement fails)
    ///   and would silently turn `COMMIT` into `ROLLBACK`; a one-row probe query first tells
    ///   this case apart, so that it is reported, not mistaken for a commit;
    /// - the commit conflicts with another connection's.
    pub fn commit(mut self) -> Result<()> {
        self.finish();
        if let Err(err) = self.conn.execute("SELECT 1") {
            let _ = self.conn.execute("ROLLBACK");
            return Err(Error::engine(
                EngineError::Transaction.to_raw(),
                format!(
                    "not committed: the transaction was aborted by an earlier failed statement                      and has been rolled back ({})",
                    err.message()
                ),
            ));
        }
        let committed = self.conn.execute("COMMIT").map(drop);
        if committed.is_err() {
            // DuckDB ends a transaction whose commit failed in most cases; when it has not,
            // this ends it. "No transaction is active" is the expected answer and ignored.
            let _ = self.conn.execute("ROLLBACK");
        }
        committed
    }

    /// Rolls back every change made in the transaction.
    pub fn rollback(mut self) -> Result<()> {
        self.finish();
        self.conn.execute("ROLLBACK").map(drop)
    }

    fn finish(&mut self) {
        self.finished = true;
        self.conn.guarded_transaction.set(false);
    }

    /// The connection the transaction runs on (also reachable through `Deref`).
    pub fn connection(&self) -> &'conn Connection {
        self.conn
    }
}

impl Deref for Transaction<'_> {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        self.conn
    }
}

impl Drop for Transaction<'_> {
    fn drop(&mut self) {
        if !self.finished {
            self.finish();
            // Neither committed nor rolled back: an early return or a panic. A failure here
            // (the connection's database is gone) cannot be reported from a destructor, and
            // leaves no transaction to end.
            let _ = self.conn.execute("ROLLBACK");
        }
    }
}

fn nested_error(why: String) -> Error {
    Error::engine(
        EngineError::Transaction.to_raw(),
        format!(
            "a transaction is already open on this connection ({why}); DuckDB has no nested \
             transactions: commit or roll back the open one first"
        ),
    )
}
