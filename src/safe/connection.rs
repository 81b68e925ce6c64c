//! `Connection`, its `InterruptHandle`, and running SQL.

use crate as ffi;
use crate::safe::cabi::c_string;
use crate::safe::error::{Error, Result};
use crate::safe::handle::{Owned, kind};
use crate::safe::trace;

use super::database::Database;
use super::result::QueryResult;
use std::marker::PhantomData;
use std::mem::ManuallyDrop;
use std::ops::Deref;
use std::ptr;
use std::sync::{Arc, Mutex, PoisonError};

/// A connection to a [`Database`], the owner of a `duckdb_connection`.
///
/// Statements on one connection run one at a time; use one connection per thread.
/// Results borrow their connection, so a connection cannot be dropped while one is alive.
///
/// ```
/// use duckdb_ffi::safe::Database;
/// let conn = Database::open_in_memory()?.connect()?;
/// conn.execute_batch("CREATE TABLE t(x INTEGER); INSERT INTO t VALUES (1), (2), (3);")?;
/// assert_eq!(conn.execute("DELETE FROM t WHERE x > 1")?, 2);
/// # Ok::<(), duckdb_ffi::safe::Error>(())
/// ```
#[derive(Debug)]
pub struct Connection {
    /// Dropped by `Drop`: disconnected when owned, given up when lent (`borrow_raw`).
    handle: ManuallyDrop<Owned<kind::Connection>>,
    /// Whether the handle is lent by its owner (see [`Connection::borrow_raw`]).
    lent: bool,
    /// The raw handle as interrupt handles see it: nulled (under the lock) before disconnect.
    shared: Arc<Mutex<SharedConnection>>,
    /// Whether a [`Transaction`](super::Transaction) guard is open on this connection.
    pub(crate) guarded_transaction: std::cell::Cell<bool>,
}

/// The connection pointer shared with interrupt handles; null once disconnected.
#[derive(Debug)]
struct SharedConnection(ffi::duckdb_connection);

// SAFETY: only `duckdb_interrupt` and `duckdb_query_progress` are called through this copy,
// and both are safe from any thread while the connection lives (src/c_api.md,
// "Threads"); the mutex around it guarantees it still lives.
unsafe impl Send for SharedConnection {}

// SAFETY: calls on one connection are serialised by DuckDB's own lock (src/c_api.md,
// "Threads": connection is Send, not Sync). Not Sync: `Owned`'s UnsafeCell forbids sharing.
unsafe impl Send for Connection {}

impl Database {
    /// Opens a new connection.
    pub fn connect(&self) -> Result<Connection> {
        Connection::open(self)
    }
}

impl Connection {
    fn open(db: &Database) -> Result<Connection> {
        let span = trace::connect();
        span.finish(Connection::open_untraced(db))
    }

    fn open_untraced(db: &Database) -> Result<Connection> {
        let mut raw: ffi::duckdb_connection = ptr::null_mut();
        // SAFETY: live database; out-parameter null-initialised.
        let state = unsafe { ffi::duckdb_connect(db.as_raw(), &mut raw) };
        if state != ffi::duckdb_state_DuckDBSuccess {
            return Err(Error::engine(
                ffi::duckdb_error_type_DUCKDB_ERROR_CONNECTION,
                "duckdb_connect failed",
            ));
        }
        // SAFETY: duckdb_connect succeeded: raw is a fresh connection we own.
        let handle = unsafe { Owned::from_raw(raw) };
        Ok(Connection {
            shared: Arc::new(Mutex::new(SharedConnection(raw))),
            handle: ManuallyDrop::new(handle),
            lent: false,
            guarded_transaction: std::cell::Cell::new(false),
        })
    }

    /// Uses a connection someone else owns, such as the one a loadable extension's entry point
    /// is lent: queries, results, chunks and vectors work as over an owned connection, but
    /// dropping the returned value never disconnects it.
    ///
    /// # Safety
    /// `raw` is a live connection that stays live, and is not disconnected, while the returned
    /// value (and anything borrowed from it) is in use; `'a` must not outlive that.
    pub unsafe fn borrow_raw<'a>(raw: ffi::duckdb_connection) -> BorrowedConnection<'a> {
        BorrowedConnection {
            connection: Connection {
                shared: Arc::new(Mutex::new(SharedConnection(raw))),
                // SAFETY: live connection (caller's contract); `lent` makes Drop give it up
                // instead of disconnecting it.
                handle: ManuallyDrop::new(unsafe { Owned::from_raw(raw) }),
                lent: true,
                guarded_transaction: std::cell::Cell::new(false),
            },
            lender: PhantomData,
        }
    }

    /// Runs one or more SQL statements and returns the result of the last one.
    ///
    /// A failed query returns DuckDB's error type and message; the C result that carried
    /// them is destroyed either way.
    pub fn query(&self, sql: &str) -> Result<QueryResult<'_>> {
        let span = trace::query(sql);
        span.finish_rows(self.query_untraced(sql), |r| {
            // A SELECT changes no rows, and how many it returns is not known yet.
            (r.statement_type() != super::result::StatementType::Select).then(|| r.rows_changed())
        })
    }

    fn query_untraced(&self, sql: &str) -> Result<QueryResult<'_>> {
        let sql = c_string(sql)?;
        // SAFETY: live connection, valid C string; duckdb_query fills the result, on failure too.
        unsafe {
            QueryResult::from_call(|out| ffi::duckdb_query(self.handle.get(), sql.as_ptr(), out))
        }
    }

    /// Runs a statement and returns how many rows it changed (0 for statements that change none).
    pub fn execute(&self, sql: &str) -> Result<u64> {
        Ok(self.query(sql)?.rows_changed())
    }

    /// Runs every statement of `sql` in order, stopping at the first error.
    ///
    /// The text is split by DuckDB's own parser (`duckdb_extract_statements`), so semicolons
    /// inside strings are handled correctly.
    pub fn execute_batch(&self, sql: &str) -> Result<()> {
        let span = trace::query(sql);
        span.finish(self.execute_batch_untraced(sql))
    }

    fn execute_batch_untraced(&self, sql: &str) -> Result<()> {
        let c_sql = c_string(sql)?;
        let mut raw: ffi::duckdb_extracted_statements = ptr::null_mut();
        // SAFETY: live connection, valid C string, null out-parameter.
        let count =
            unsafe { ffi::duckdb_extract_statements(self.handle.get(), c_sql.as_ptr(), &mut raw) };
        // SAFETY: destroy even when the count is 0 ("extracted_statements" row).
        let extracted = unsafe { Owned::<kind::ExtractedStatements>::from_raw(raw) };
        if count == 0 {
            // SAFETY: the message is borrowed from `extracted`, copied before it is dropped.
            let message = unsafe { ffi::duckdb_extract_statements_error(extracted.get()) };
            if message.is_null() {
                return Ok(()); // empty text: nothing to run
            }
            // SAFETY: non-null C string owned by `extracted`, copied by from_c.
            return Err(unsafe { Error::from_c(None, message, "parsing") });
        }
        for index in 0..count {
            let mut stmt: ffi::duckdb_prepared_statement = ptr::null_mut();
            // SAFETY: each index is prepared exactly once ("extracted_statements" row).
            let state = unsafe {
                ffi::duckdb_prepare_extracted_statement(
                    self.handle.get(),
                    extracted.get(),
                    index,
                    &mut stmt,
                )
            };
            // SAFETY: *out is set even on failure and must be destroyed ("prepared_statement" row).
            let stmt = unsafe { Owned::<kind::PreparedStatement>::from_raw(stmt) };
            if state != ffi::duckdb_state_DuckDBSuccess {
                return Err(prepare_error(&stmt));
            }
            // SAFETY: live statement; duckdb_execute_prepared fills the result or leaves it
            // zeroed.
            unsafe { QueryResult::from_call(|out| ffi::duckdb_execute_prepared(stmt.get(), out)) }?;
        }
        Ok(())
    }

    /// A handle that can interrupt this connection's running query from another thread.
    pub fn interrupt_handle(&self) -> InterruptHandle {
        InterruptHandle {
            shared: Arc::clone(&self.shared),
        }
    }

    /// Progress of the query running on this connection.
    pub fn query_progress(&self) -> QueryProgress {
        // SAFETY: live connection; the call only reads atomics.
        QueryProgress::from_raw(unsafe { ffi::duckdb_query_progress(self.handle.get()) })
    }

    /// Registers a function written in Rust — a [`ScalarFunction`](crate::safe::functions::ScalarFunction),
    /// [`ScalarFunctionSet`](crate::safe::functions::ScalarFunctionSet),
    /// [`AggregateFunction`](crate::safe::functions::AggregateFunction) or
    /// [`TableFunction`](crate::safe::functions::TableFunction) — in the database's catalog, for every
    /// connection of the database (see [`functions`](crate::safe::functions)).
    pub fn register(&self, function: impl crate::safe::functions::Register) -> Result<()> {
        // SAFETY: our connection is live for the whole call.
        function.register_on(unsafe { crate::safe::functions::Registrar::new(self.as_raw()) })
    }

    /// The raw handle, for calls the safe layer does not wrap. It stays owned by `self`.
    pub fn as_raw(&self) -> ffi::duckdb_connection {
        self.handle.get()
    }

    /// Disconnects. `duckdb_disconnect` reports nothing, so neither does this; dropping the
    /// connection does the same.
    pub fn close(self) {}
}

impl Drop for Connection {
    fn drop(&mut self) {
        // Interrupt handles must not reach the connection once it is gone: null their copy
        // before the owned handle disconnects (fields drop after this body).
        self.shared.lock().unwrap_or_else(PoisonError::into_inner).0 = ptr::null_mut();
        // SAFETY: `handle` is taken exactly once, here, and not used afterwards.
        let handle = unsafe { ManuallyDrop::take(&mut self.handle) };
        if self.lent {
            // The owner disconnects it; the ledger stops counting it.
            handle.into_raw();
        }
        // An owned handle drops here, which disconnects it.
    }
}

/// A [`Connection`] over a handle someone else owns ([`Connection::borrow_raw`]); derefs to
/// `Connection` and never disconnects.
#[derive(Debug)]
pub struct BorrowedConnection<'a> {
    connection: Connection,
    lender: PhantomData<&'a ()>,
}

#[cfg(feature = "loadable-extension")]
impl<'a> BorrowedConnection<'a> {
    /// The connection a loadable extension's entry point lends its `init`, as a safe
    /// [`Connection`] for the length of that borrow.
    ///
    /// ```ignore
    /// use duckdb_ffi::extension::LoadConnection;
    /// use duckdb_ffi::safe::BorrowedConnection;
    ///
    /// fn init(load: &LoadConnection) -> Result<(), duckdb_ffi::safe::Error> {
    ///     let conn = BorrowedConnection::from_extension(load);
    ///     conn.execute_batch("CREATE TABLE IF NOT EXISTS seen(x INTEGER)")
    /// }
    /// duckdb_ffi::extension_entrypoint!(my_extension, init);
    /// ```
    pub fn from_extension(
        load: &'a crate::extension::LoadConnection<'_>,
    ) -> BorrowedConnection<'a> {
        // SAFETY: only the entry point makes a LoadConnection, over a connection it keeps live
        // and does not disconnect until `init` (which holds the `&'a` borrow) has returned.
        unsafe { Connection::borrow_raw(load.as_raw()) }
    }
}

impl Deref for BorrowedConnection<'_> {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        &self.connection
    }
}

/// Reads the error of a failed prepare from the statement that carries it.
pub(crate) fn prepare_error(stmt: &Owned<kind::PreparedStatement>) -> Error {
    // SAFETY: the message is borrowed from the statement and copied by from_c.
    unsafe {
        let message = ffi::duckdb_prepare_error(stmt.get());
        Error::from_c(None, message, "preparing")
    }
}

/// Interrupts a connection's running query from any thread. `Send + Sync`.
///
/// An interrupt sent while nothing runs is cleared when the next statement starts. Once the
/// connection is dropped, [`interrupt`](Self::interrupt) returns a misuse error.
#[derive(Clone, Debug)]
pub struct InterruptHandle {
    shared: Arc<Mutex<SharedConnection>>,
}

impl InterruptHandle {
    fn with_connection<T>(&self, f: impl FnOnce(ffi::duckdb_connection) -> T) -> Result<T> {
        let shared = self.shared.lock().unwrap_or_else(PoisonError::into_inner);
        if shared.0.is_null() {
            return Err(Error::misuse("the connection is closed"));
        }
        Ok(f(shared.0))
    }

    /// Asks the running query to stop; it then fails with an `Interrupt` error.
    pub fn interrupt(&self) -> Result<()> {
        // SAFETY: the connection is live while the lock is held (Connection::drop takes it).
        self.with_connection(|c| unsafe { ffi::duckdb_interrupt(c) })
    }

    /// Progress of the running query.
    pub fn progress(&self) -> Result<QueryProgress> {
        // SAFETY: as in `interrupt`.
        self.with_connection(|c| QueryProgress::from_raw(unsafe { ffi::duckdb_query_progress(c) }))
    }
}

/// How far the running query is.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct QueryProgress {
    /// Percent done, or a negative number when nothing is running or it cannot be told.
    pub percentage: f64,
    /// Rows processed so far.
    pub rows_processed: u64,
    /// Rows the query expects to process.
    pub total_rows_to_process: u64,
}

impl QueryProgress {
    fn from_raw(raw: ffi::duckdb_query_progress_type) -> QueryProgress {
        QueryProgress {
            percentage: raw.percentage,
            rows_processed: raw.rows_processed,
            total_rows_to_process: raw.total_rows_to_process,
        }
    }
}
