//! Pending results: run a prepared statement a task at a time, with control (and progress)
//! between tasks.
//!
//! # Streaming
//! The only C entry points that hand out a *streaming* result are
//! `duckdb_pending_prepared_streaming` and `duckdb_execute_prepared_streaming`, and both are
//! deprecated in this DuckDB, and while a streaming result is open the engine refuses every
//! other statement on its connection. The safe layer therefore hands out no streaming result:
//! a pending result, once finished, becomes an ordinary (materialised) [`QueryResult`] read
//! chunk by chunk with `duckdb_fetch_chunk`. The one internal use is
//! [`PreparedStatement::query_row`], which streams, keeps the first chunk and destroys the
//! result before it returns. For results too large to hold, page through them with SQL
//! (`LIMIT`/`OFFSET` or a key range) or aggregate in the query.

use crate as ffi;
use crate::safe::error::{Error, Result};
use crate::safe::handle::{Owned, kind};

use super::connection::QueryProgress;
use super::result::QueryResult;
use super::statement::PreparedStatement;
use crate::safe::write::Params;
use std::marker::PhantomData;
use std::ptr;

/// What a step of a [`PendingResult`] left it in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PendingState {
    /// Execution finished: [`PendingResult::execute`] returns at once.
    Ready,
    /// More tasks to run.
    NotReady,
    /// No task can run right now (others are running on worker threads); try again.
    NoTasksAvailable,
}

impl PendingState {
    /// Whether execution is finished (`duckdb_pending_execution_is_finished`).
    pub fn is_finished(self) -> bool {
        let raw = match self {
            PendingState::Ready => ffi::duckdb_pending_state_DUCKDB_PENDING_RESULT_READY,
            PendingState::NotReady => ffi::duckdb_pending_state_DUCKDB_PENDING_RESULT_NOT_READY,
            PendingState::NoTasksAvailable => {
                ffi::duckdb_pending_state_DUCKDB_PENDING_NO_TASKS_AVAILABLE
            }
        };
        // SAFETY: a pure function of the enum value.
        unsafe { ffi::duckdb_pending_execution_is_finished(raw) }
    }
}

/// A statement that is executing (the owner of a `duckdb_pending_result`), from
/// [`PreparedStatement::pending`].
///
/// It borrows the statement mutably, so the statement cannot be re-bound or re-run meanwhile.
/// Until it is [executed](Self::execute) or dropped, other statements on the same connection
/// fail with `EngineError::ResourceInUse`. Dropping it unfinished aborts the statement (on
/// autocommit its writes are rolled back).
///
/// ```
/// use duckdb_ffi::safe::{Database, PendingState};
/// let conn = Database::open_in_memory()?.connect()?;
/// let mut stmt = conn.prepare("SELECT sum(range) FROM range(1000000)")?;
/// let mut pending = stmt.pending(())?;
/// let mut steps = 0;
/// while !pending.execute_task()?.is_finished() {
///     steps += 1;
///     let _progress = pending.progress();
/// }
/// let mut result = pending.execute()?;
/// assert_eq!(result.next_chunk()?.unwrap().len(), 1);
/// # let _ = steps;
/// # Ok::<(), duckdb_ffi::safe::Error>(())
/// ```
///
/// While it exists its statement cannot be used, nor can the result outlive the connection:
///
/// ```compile_fail
/// use duckdb_ffi::safe::Database;
/// let conn = Database::open_in_memory()?.connect()?;
/// let mut stmt = conn.prepare("SELECT 1")?;
/// let pending = stmt.pending(())?;
/// stmt.execute(())?; // error: `stmt` is mutably borrowed by `pending`
/// drop(pending);
/// # Ok::<(), duckdb_ffi::safe::Error>(())
/// ```
///
/// ```compile_fail
/// use duckdb_ffi::safe::Database;
/// let conn = Database::open_in_memory()?.connect()?;
/// let mut stmt = conn.prepare("SELECT 1")?;
/// let result = stmt.pending(())?.execute()?;
/// drop(stmt);
/// drop(conn); // error: `conn` is borrowed by `result`
/// drop(result);
/// # Ok::<(), duckdb_ffi::safe::Error>(())
/// ```
#[derive(Debug)]
pub struct PendingResult<'stmt, 'conn> {
    handle: Owned<kind::PendingResult>,
    conn: ffi::duckdb_connection,
    _stmt: PhantomData<&'stmt mut PreparedStatement<'conn>>,
}

// SAFETY: a pending result has no internal locking and one owner drives it (src/c_api.md,
// "Threads": results are Send, not Sync; `Owned` keeps it !Sync). The raw connection pointer is
// only used for `duckdb_query_progress`, which is safe from any thread.
unsafe impl Send for PendingResult<'_, '_> {}

impl<'conn> PreparedStatement<'conn> {
    /// Binds `params` (exactly [`parameter_count`](Self::parameter_count) values) and starts
    /// executing the statement without running it to the end.
    pub fn pending<P: Params>(&mut self, params: P) -> Result<PendingResult<'_, 'conn>> {
        self.bind_all(params)?;
        self.pending_bound()
    }

    /// Starts executing the statement with its current bindings.
    pub fn pending_bound(&mut self) -> Result<PendingResult<'_, 'conn>> {
        let mut raw: ffi::duckdb_pending_result = ptr::null_mut();
        // SAFETY: live statement; null out-parameter.
        let state = unsafe { ffi::duckdb_pending_prepared(self.as_raw(), &mut raw) };
        // SAFETY: `*out` is set even on failure and must be destroyed ("pending_result" row).
        let handle = unsafe { Owned::<kind::PendingResult>::from_raw(raw) };
        let pending = PendingResult {
            handle,
            conn: self.raw_connection(),
            _stmt: PhantomData,
        };
        if state != ffi::duckdb_state_DuckDBSuccess {
            return Err(pending.error());
        }
        Ok(pending)
    }
}

impl<'conn> PendingResult<'_, 'conn> {
    fn error(&self) -> Error {
        // SAFETY: the message is borrowed from the live pending result and copied by from_c;
        // the class is read from its prefix.
        unsafe {
            let message = ffi::duckdb_pending_error(self.handle.get());
            if message.is_null() || *message == 0 {
                return Error::misuse("the pending query failed without a message");
            }
            Error::from_c(None, message, "the pending query")
        }
    }

    fn state(&self, raw: ffi::duckdb_pending_state) -> Result<PendingState> {
        match raw {
            ffi::duckdb_pending_state_DUCKDB_PENDING_RESULT_READY => Ok(PendingState::Ready),
            ffi::duckdb_pending_state_DUCKDB_PENDING_RESULT_NOT_READY => Ok(PendingState::NotReady),
            ffi::duckdb_pending_state_DUCKDB_PENDING_NO_TASKS_AVAILABLE => {
                Ok(PendingState::NoTasksAvailable)
            }
            _ => Err(self.error()),
        }
    }

    /// Runs one task of the query. An execution error (division by zero, a constraint, an
    /// interrupt) is returned here.
    pub fn execute_task(&mut self) -> Result<PendingState> {
        // SAFETY: live pending result.
        let raw = unsafe { ffi::duckdb_pending_execute_task(self.handle.get()) };
        self.state(raw)
    }

    /// Checks the state without running a task (worker threads may have progressed).
    pub fn check_state(&mut self) -> Result<PendingState> {
        // SAFETY: live pending result.
        let raw = unsafe { ffi::duckdb_pending_execute_check_state(self.handle.get()) };
        self.state(raw)
    }

    /// Progress of the query on its connection.
    pub fn progress(&self) -> QueryProgress {
        // SAFETY: the connection outlives 'conn, which this value cannot outlive; the call only
        // reads atomics and is safe from any thread (src/c_api.md, "Threads").
        let raw = unsafe { ffi::duckdb_query_progress(self.conn) };
        QueryProgress {
            percentage: raw.percentage,
            rows_processed: raw.rows_processed,
            total_rows_to_process: raw.total_rows_to_process,
        }
    }

    /// Runs the remaining tasks and returns the result (at once if already finished).
    pub fn execute(self) -> Result<QueryResult<'conn>> {
        // SAFETY: live pending result, consumed into the result it fills, on failure too
        // ("pending_result" row); the pending handle is still destroyed by `Owned` afterwards,
        // which the C API expects.
        unsafe { QueryResult::from_call(|out| ffi::duckdb_execute_pending(self.handle.get(), out)) }
    }
}
