//! `Appender`: the fast path for loading rows into a table, row by row or a chunk at a time.
//!
//! See [`Appender`] for what errors leave behind.

use super::connection::Connection;
use crate as ffi;
use crate::safe::cabi::c_string;
use crate::safe::error::{Error, ErrorKind, Result};
use crate::safe::handle::{Owned, kind};
use crate::safe::read::DataChunk;
use crate::safe::trace;
use crate::safe::types::LogicalType;
use crate::safe::types::fixed_width_types;
use crate::safe::values::CRepr;
use crate::safe::write::{ParamSink, Params, SinkSealed, ToSql, ToSqlOutput, count_mismatch};
use std::ffi::{CString, c_char};
use std::marker::PhantomData;
use std::ptr;

/// Reads the error an `error_data` handle carries, if any.
pub(crate) fn error_from_data(data: &Owned<kind::ErrorData>, context: &str) -> Option<Error> {
    // SAFETY: live error data (owned by `data`); the message is borrowed from it and copied by
    // from_c before `data` is dropped.
    unsafe {
        if !ffi::duckdb_error_data_has_error(data.get()) {
            return None;
        }
        let code = ffi::duckdb_error_data_error_type(data.get());
        let message = ffi::duckdb_error_data_message(data.get());
        Some(Error::from_c(Some(code), message, context))
    }
}

impl Connection {
    /// An appender for `table` in the default catalog and schema.
    ///
    /// ```
    /// use duckdb_ffi::safe::Database;
    /// let conn = Database::open_in_memory()?.connect()?;
    /// conn.execute("CREATE TABLE t(id INTEGER, name VARCHAR)")?;
    /// let mut app = conn.appender("t")?;
    /// app.append_row((1, "one"))?;
    /// app.append_row((2, None::<&str>))?;
    /// app.close()?;
    /// assert_eq!(conn.execute("DELETE FROM t")?, 2);
    /// # Ok::<(), duckdb_ffi::safe::Error>(())
    /// ```
    pub fn appender(&self, table: &str) -> Result<Appender<'_>> {
        self.appender_in(None, None, table)
    }

    /// An appender for `catalog.schema.table`; `None` picks the default catalog or schema.
    pub fn appender_in(
        &self,
        catalog: Option<&str>,
        schema: Option<&str>,
        table: &str,
    ) -> Result<Appender<'_>> {
        let catalog = catalog.map(c_string).transpose()?;
        let schema = schema.map(c_string).transpose()?;
        let table_c = c_string(table)?;
        let mut raw: ffi::duckdb_appender = ptr::null_mut();
        // SAFETY: live connection; strings valid or null (meaning the default); null out-param.
        let state = unsafe {
            ffi::duckdb_appender_create_ext(
                self.as_raw(),
                catalog.as_ref().map_or(ptr::null(), |c| c.as_ptr()),
                schema.as_ref().map_or(ptr::null(), |c| c.as_ptr()),
                table_c.as_ptr(),
                &mut raw,
            )
        };
        // SAFETY: `*out` is set even on failure and must be destroyed ("appender" row).
        Appender::from_state(
            state,
            unsafe { Owned::from_raw(raw) },
            &format!("creating an appender for `{table}`"),
        )
    }

    /// An appender for some of the columns of `table` (in this order); the others get their
    /// default value (or NULL).
    pub fn appender_with_columns(&self, table: &str, columns: &[&str]) -> Result<Appender<'_>> {
        let mut appender = self.appender(table)?;
        for column in columns {
            appender.add_column(column)?;
        }
        Ok(appender)
    }

    /// An appender that runs `query` (an INSERT, UPDATE, DELETE or MERGE INTO) over the rows
    /// appended to it, which it sees as a table called `table_name` (default
    /// `appended_data`) with columns of `types` named `column_names` (default `col1`, ...).
    ///
    /// ```
    /// use duckdb_ffi::safe::Database;
    /// use duckdb_ffi::safe::types::{LogicalType, TypeId};
    /// let conn = Database::open_in_memory()?.connect()?;
    /// conn.execute("CREATE TABLE t(id INTEGER)")?;
    /// let types = [LogicalType::new(TypeId::Integer)?];
    /// let mut app = conn.appender_for_query("INSERT INTO t SELECT col1 * 10 FROM appended_data", &types, None, None)?;
    /// app.append_row((4,))?;
    /// app.close()?;
    /// assert_eq!(conn.execute("DELETE FROM t WHERE id = 40")?, 1);
    /// # Ok::<(), duckdb_ffi::safe::Error>(())
    /// ```
    pub fn appender_for_query(
        &self,
        query: &str,
        types: &[LogicalType],
        table_name: Option<&str>,
        column_names: Option<&[&str]>,
    ) -> Result<Appender<'_>> {
        if types.is_empty() {
            return Err(Error::misuse(
                "a query appender needs at least one column type",
            ));
        }
        if let Some(names) = column_names {
            if names.len() != types.len() {
                return Err(Error::new(
                    ErrorKind::OutOfRange,
                    format!(
                        "{} column names given for {} column types",
                        names.len(),
                        types.len()
                    ),
                ));
            }
        }
        let query_c = c_string(query)?;
        let table_c = table_name.map(c_string).transpose()?;
        let names: Option<Vec<CString>> = column_names
            .map(|n| n.iter().map(|s| c_string(s)).collect::<Result<_>>())
            .transpose()?;
        let name_ptrs: Option<Vec<*const c_char>> = names
            .as_ref()
            .map(|n| n.iter().map(|c| c.as_ptr()).collect());
        let mut raw_types: Vec<ffi::duckdb_logical_type> =
            types.iter().map(LogicalType::as_raw).collect();
        let mut raw: ffi::duckdb_appender = ptr::null_mut();
        // SAFETY: live connection and types (copied by the call); `types.len()` names or null;
        // strings valid for the call; null out-parameter.
        let state = unsafe {
            ffi::duckdb_appender_create_query(
                self.as_raw(),
                query_c.as_ptr(),
                raw_types.len() as ffi::idx_t,
                raw_types.as_mut_ptr(),
                table_c.as_ref().map_or(ptr::null(), |c| c.as_ptr()),
                name_ptrs
                    .as_ref()
                    .map_or(ptr::null(), |p| p.as_ptr())
                    .cast_mut(),
                &mut raw,
            )
        };
        if raw.is_null() {
            // Argument checks fail before the C code allocates an appender.
            return Err(Error::misuse(
                "duckdb_appender_create_query rejected its arguments",
            ));
        }
        // SAFETY: `*out` is set (even on failure) and must be destroyed ("appender" row).
        Appender::from_state(
            state,
            unsafe { Owned::from_raw(raw) },
            "creating a query appender",
        )
    }
}

/// Loads rows into a table (the owner of a `duckdb_appender`), borrowing its [`Connection`].
///
/// Rows are buffered and written in batches; [`flush`](Self::flush) writes now and
/// [`close`](Self::close) writes the rest and reports any error.
///
/// # Errors and the state they leave
/// - A row of the wrong length is rejected before anything is appended.
/// - A value DuckDB cannot convert to its column's type is an error. In the first column the
///   row has not started and nothing else changes. In a later column DuckDB has no way to take
///   back the half-appended row, so the appender becomes *poisoned*: every later append, flush
///   or close returns a `Misuse` error until [`Appender::clear`] discards the buffered rows
///   (everything appended since the last successful flush). Dropping (or closing) a poisoned
///   appender discards them too.
/// - A flush (explicit, automatic when the buffer fills up, or in [`Appender::close`]) can fail
///   with the table's constraints (`EngineError::Constraint`). Then every row buffered since the
///   last successful flush is discarded and nothing of it reaches the table; rows flushed
///   earlier stay. The appender stays usable (DuckDB resets its buffer), and so does the
///   connection: on autocommit it can query the table at once. Inside an explicit transaction
///   (`BEGIN`) the failure aborts the transaction: statements then fail with
///   `EngineError::Transaction` until it ends, and ending it rolls back everything it did.
/// - Dropping an appender flushes it silently, as `duckdb_appender_destroy` does; a flush error
///   there is lost. Call [`Appender::close`] to see it.
///
/// ```
/// use duckdb_ffi::safe::{Database, EngineError};
/// let conn = Database::open_in_memory()?.connect()?;
/// conn.execute("CREATE TABLE t(id INTEGER PRIMARY KEY)")?;
/// let mut app = conn.appender("t")?;
/// app.append_row([1])?;
/// app.append_row([1])?; // duplicate key: found when the rows are flushed
/// let err = app.close().unwrap_err();
/// assert_eq!(err.engine_error(), Some(EngineError::Constraint));
/// # Ok::<(), duckdb_ffi::safe::Error>(())
/// ```
///
/// An appender cannot outlive its connection, and is not `Sync`:
///
/// ```compile_fail
/// use duckdb_ffi::safe::Database;
/// let conn = Database::open_in_memory()?.connect()?;
/// conn.execute("CREATE TABLE t(x INTEGER)")?;
/// let app = conn.appender("t")?;
/// drop(conn); // error: `conn` is borrowed by `app`
/// drop(app);
/// # Ok::<(), duckdb_ffi::safe::Error>(())
/// ```
///
/// ```compile_fail
/// fn sync<T: Sync>() {}
/// sync::<duckdb_ffi::safe::Appender<'static>>();
/// ```
#[derive(Debug)]
pub struct Appender<'conn> {
    handle: Owned<kind::Appender>,
    /// Active columns (what a row must hold).
    columns: usize,
    /// Values appended to the current row so far.
    in_row: usize,
    /// Set when an append failed after the first column of a row (see the module docs).
    poisoned: bool,
    /// How many values the current row may hold: `columns`, or 0 while poisoned, so that one
    /// comparison (`in_row < limit`) checks both per value.
    limit: usize,
    _conn: PhantomData<&'conn Connection>,
}

// SAFETY: an appender has no internal locking and one owner uses it (src/c_api.md,
// "Threads": Send, not Sync; `Owned` keeps it !Sync); flushing takes the connection's own lock.
unsafe impl Send for Appender<'_> {}

impl<'conn> Appender<'conn> {
    fn from_state(
        state: ffi::duckdb_state,
        handle: Owned<kind::Appender>,
        context: &str,
    ) -> Result<Appender<'conn>> {
        let mut appender = Appender {
            handle,
            columns: 0,
            in_row: 0,
            poisoned: false,
            limit: 0,
            _conn: PhantomData,
        };
        if state != ffi::duckdb_state_DuckDBSuccess {
            return Err(appender.error(context));
        }
        appender.set_columns();
        Ok(appender)
    }

    /// The error DuckDB recorded for the last failed call.
    #[cold]
    fn error(&self, context: &str) -> Error {
        // SAFETY: live appender; the error data is a fresh copy, always non-null, that we own
        // and destroy ("appender" row).
        let data = unsafe {
            Owned::<kind::ErrorData>::from_raw(ffi::duckdb_appender_error_data(self.handle.get()))
        };
        error_from_data(&data, context)
            .unwrap_or_else(|| Error::misuse(format!("{context} failed without a message")))
    }

    fn check(&self, state: ffi::duckdb_state, context: &str) -> Result<()> {
        if state == ffi::duckdb_state_DuckDBSuccess {
            Ok(())
        } else {
            Err(self.error(context))
        }
    }

    /// Reads the active column count from DuckDB (after creation or a column change).
    fn set_columns(&mut self) {
        self.columns = self.column_count();
        self.limit = if self.poisoned { 0 } else { self.columns };
    }

    #[inline]
    fn check_usable(&self) -> Result<()> {
        if self.poisoned {
            return Err(poisoned_error());
        }
        Ok(())
    }

    /// Number of columns a row must have.
    pub fn column_count(&self) -> usize {
        // SAFETY: live appender.
        unsafe { ffi::duckdb_appender_column_count(self.handle.get()) as usize }
    }

    /// The type of column `column` of a row.
    pub fn column_type(&self, column: usize) -> Result<LogicalType> {
        let count = self.column_count();
        if column >= count {
            return Err(Error::out_of_range("column", column, count));
        }
        // SAFETY: live appender, column checked; the type is owned ("Getters": owned).
        Ok(unsafe {
            LogicalType::from_raw(ffi::duckdb_appender_column_type(
                self.handle.get(),
                column as ffi::idx_t,
            ))
        })
    }

    /// Restricts rows to the named columns (called once per column, in row order). Flushes the
    /// rows buffered so far first.
    pub fn add_column(&mut self, name: &str) -> Result<()> {
        self.check_usable()?;
        self.check_row_boundary("add a column")?;
        let c = c_string(name)?;
        // SAFETY: live appender, valid C string.
        let state = unsafe { ffi::duckdb_appender_add_column(self.handle.get(), c.as_ptr()) };
        self.check(state, &format!("adding column `{name}`"))?;
        self.set_columns();
        Ok(())
    }

    /// Goes back to all of the table's columns. Flushes the rows buffered so far first.
    pub fn clear_columns(&mut self) -> Result<()> {
        self.check_usable()?;
        self.check_row_boundary("clear the columns")?;
        // SAFETY: live appender.
        let state = unsafe { ffi::duckdb_appender_clear_columns(self.handle.get()) };
        self.check(state, "clearing the column list")?;
        self.set_columns();
        Ok(())
    }

    #[inline]
    fn check_row_boundary(&self, what: &str) -> Result<()> {
        if self.in_row != 0 {
            return Err(self.mid_row_error(what));
        }
        Ok(())
    }

    #[cold]
    fn mid_row_error(&self, what: &str) -> Error {
        Error::misuse(format!(
            "cannot {what} in the middle of a row ({} of {} values appended)",
            self.in_row, self.columns
        ))
    }

    /// Appends one whole row; it must have exactly [`column_count`](Self::column_count) values.
    #[inline]
    pub fn append_row<P: Params>(&mut self, row: P) -> Result<()> {
        let span = trace::append();
        span.finish(self.append_row_untraced(row))
    }

    #[inline]
    fn append_row_untraced<P: Params>(&mut self, row: P) -> Result<()> {
        self.check_usable()?;
        self.check_row_boundary("append a whole row")?;
        let given = row.param_count();
        if given != self.columns {
            return Err(count_mismatch(self.columns, given).with_context("the appender"));
        }
        row.visit(&mut RowSink(self))?;
        self.end_row()
    }

    /// Appends one value to the current row (then call [`end_row`](Self::end_row)).
    #[inline]
    pub fn append<T: ToSql + ?Sized>(&mut self, value: &T) -> Result<()> {
        self.append_output(value.to_sql()?)
    }

    /// Appends the column's default value (as declared in the table) to the current row.
    pub fn append_default(&mut self) -> Result<()> {
        self.check_room()?;
        // SAFETY: live appender (creation succeeded, so its C++ appender exists).
        let state = unsafe { ffi::duckdb_append_default(self.handle.get()) };
        self.after_append(state)
    }

    /// Finishes the current row, which must have a value for every column.
    #[inline]
    pub fn end_row(&mut self) -> Result<()> {
        self.check_usable()?;
        if self.in_row != self.columns {
            return Err(self.row_incomplete_error());
        }
        // SAFETY: live appender.
        let state = unsafe { ffi::duckdb_appender_end_row(self.handle.get()) };
        self.in_row = 0;
        if state != ffi::duckdb_state_DuckDBSuccess {
            // A full buffer is flushed here, so this can report the table's constraint errors.
            return Err(self.error("ending a row"));
        }
        Ok(())
    }

    #[cold]
    fn row_incomplete_error(&self) -> Error {
        Error::misuse(format!(
            "the row has {} of {} values; append the rest before ending it",
            self.in_row, self.columns
        ))
    }

    /// Checks that the appender is not poisoned and the row has room for one more value
    /// (one comparison: `limit` is 0 while poisoned).
    #[inline]
    fn check_room(&self) -> Result<()> {
        if self.in_row >= self.limit {
            return Err(self.no_room_error());
        }
        Ok(())
    }

    #[cold]
    fn no_room_error(&self) -> Error {
        if self.poisoned {
            poisoned_error()
        } else {
            row_full_error(self.columns)
        }
    }

    #[inline]
    fn after_append(&mut self, state: ffi::duckdb_state) -> Result<()> {
        if state != ffi::duckdb_state_DuckDBSuccess {
            return Err(self.append_failed());
        }
        self.in_row += 1;
        Ok(())
    }

    #[cold]
    fn append_failed(&mut self) -> Error {
        let err = self.error(&format!("appending to column {}", self.in_row));
        // In the first column the row has not started: DuckDB's own position is unchanged.
        self.poisoned = self.in_row > 0;
        self.limit = if self.poisoned { 0 } else { self.columns };
        err
    }

    /// Appends one converted value with the C function for its type. Strings and blobs are
    /// passed as pointer and length: nothing is allocated on the Rust side.
    ///
    /// Always inlined: where the value's type is known (a tuple row, `append(&5i64)`), the
    /// `ToSqlOutput` and its `match` fold away and one `duckdb_append_*` call is left.
    #[inline(always)]
    fn append_output(&mut self, value: ToSqlOutput<'_>) -> Result<()> {
        self.check_room()?;
        if let ToSqlOutput::Varchar(v) = &value {
            // The C side narrows the length to 32 bits (a DuckDB string's limit).
            if u32::try_from(v.len()).is_err() {
                return Err(string_too_long_error());
            }
        }
        // SAFETY: live appender whose creation succeeded (so its C++ appender exists).
        let state = unsafe { append_c(self.handle.get(), value)? };
        self.after_append(state)
    }

    /// Appends every row of `chunk` (its columns must match the appender's, or be castable).
    /// The chunk is copied; it can be reused or dropped afterwards.
    pub fn append_chunk(&mut self, chunk: &DataChunk) -> Result<()> {
        let span = trace::append();
        self.check_usable()?;
        self.check_row_boundary("append a chunk")?;
        // SAFETY: live appender and chunk; the chunk is only read (copied into the buffer).
        let state = unsafe { ffi::duckdb_append_data_chunk(self.handle.get(), chunk.as_raw()) };
        span.finish_rows(self.check(state, "appending a data chunk"), |()| {
            Some(chunk.len() as u64)
        })
    }

    /// Writes the buffered rows to the table now. On error (a constraint violation, for
    /// example) the rows buffered since the last successful flush are discarded.
    pub fn flush(&mut self) -> Result<()> {
        let span = trace::flush();
        self.check_usable()?;
        self.check_row_boundary("flush")?;
        // SAFETY: live appender.
        let state = unsafe { ffi::duckdb_appender_flush(self.handle.get()) };
        span.finish(self.check(state, "flushing the appender"))
    }

    /// Discards every buffered row (and a half-appended one) without writing it, and makes a
    /// poisoned appender usable again.
    pub fn clear(&mut self) -> Result<()> {
        // SAFETY: live appender.
        let state = unsafe { ffi::duckdb_appender_clear(self.handle.get()) };
        self.check(state, "clearing the appender")?;
        self.in_row = 0;
        self.poisoned = false;
        self.limit = self.columns;
        Ok(())
    }

    /// Flushes the remaining rows and closes the appender, returning the flush error (for
    /// example `EngineError::Constraint`). The C handle is destroyed either way. A poisoned
    /// appender, or one in the middle of a row, is an error: its buffered rows are not written.
    pub fn close(mut self) -> Result<()> {
        let span = trace::close_appender();
        self.check_usable()?;
        self.check_row_boundary("close the appender")?;
        // SAFETY: live appender; `Owned`'s drop destroys it afterwards (closing twice is a
        // no-op flush of an empty buffer).
        let state = unsafe { ffi::duckdb_appender_close(self.handle.get()) };
        let result = self.check(state, "closing the appender");
        // Nothing is buffered any more: make the destroy in Drop a no-op flush.
        self.in_row = 0;
        span.finish(result)
    }

    /// The raw handle, still owned by `self`.
    pub fn as_raw(&self) -> ffi::duckdb_appender {
        self.handle.get()
    }
}

#[cold]
fn string_too_long_error() -> Error {
    Error::new(
        ErrorKind::OutOfRange,
        "a string longer than 4 GiB cannot be appended",
    )
}

#[cold]
fn poisoned_error() -> Error {
    Error::misuse(
        "an earlier append failed in the middle of a row; call Appender::clear() to discard the buffered rows",
    )
}

#[cold]
fn row_full_error(columns: usize) -> Error {
    Error::new(
        ErrorKind::OutOfRange,
        format!("the row already has all {columns} values; call end_row()"),
    )
}

trait WithContext {
    fn with_context(self, context: &str) -> Error;
}

impl WithContext for Error {
    fn with_context(self, context: &str) -> Error {
        Error::new(self.kind(), format!("{context}: {}", self.message()))
    }
}

/// Appends a parameter list's values to the current row, in order.
struct RowSink<'a, 'conn>(&'a mut Appender<'conn>);

impl SinkSealed for RowSink<'_, '_> {}

impl ParamSink for RowSink<'_, '_> {
    #[inline]
    fn put<T: ToSql + ?Sized>(&mut self, value: &T) -> Result<()> {
        self.0.append(value)
    }
}

/// Appending every `ToSqlOutput` variant, with the C function the type table names for it.
macro_rules! appenders {
    ($($group:ident $v:ident $t:ident $s:ident $from:path,
        $create:ident $get:ident $getter:ident, [$($bind:ident)?] [$($append:ident)?] $layout:ident;)*) => {
        /// Appends `value` to `a` with the C function for its type (strings and blobs passed as
        /// pointer and length: nothing is allocated on the Rust side).
        ///
        /// # Safety
        /// `a` is a live appender whose creation succeeded.
        #[inline(always)]
        ///
        /// The output is taken by value, so that once inlined it never lives in memory and its
        /// variant is known where the caller's type is.
        unsafe fn append_c(a: ffi::duckdb_appender, value: ToSqlOutput<'_>) -> Result<ffi::duckdb_state> {
            // SAFETY: the caller's contract; scalars are passed by value; pointer/length pairs
            // describe borrowed Rust data alive for the call, which DuckDB copies;
            // `duckdb_value`s are live and only read.
            Ok(unsafe {
                match value {
                    ToSqlOutput::Null => ffi::duckdb_append_null(a),
                    $($( ToSqlOutput::$v(v) => ffi::$append(a, v.to_c()), )?)*
                    ToSqlOutput::Varchar(v) => ffi::duckdb_append_varchar_length(
                        a,
                        v.as_ptr().cast::<c_char>(),
                        v.len() as ffi::idx_t,
                    ),
                    ToSqlOutput::Blob(v) => {
                        ffi::duckdb_append_blob(a, v.as_ptr().cast(), v.len() as ffi::idx_t)
                    }
                    ToSqlOutput::Value(v) => ffi::duckdb_append_value(a, v.as_raw()),
                    ToSqlOutput::OwnedValue(v) => ffi::duckdb_append_value(a, v.as_raw()),
                    // No dedicated append function (DECIMAL among others): go through a value.
                    other => append_via_value(a, &other)?,
                }
            })
        }
    };
}

fixed_width_types!(appenders);

/// Appends a value with no dedicated append function through a `duckdb_value` (kept out of
/// line: `append_c` is inlined into every append).
///
/// # Safety
/// As for `append_c`.
#[cold]
#[inline(never)]
unsafe fn append_via_value(
    a: ffi::duckdb_appender,
    value: &ToSqlOutput<'_>,
) -> Result<ffi::duckdb_state> {
    // SAFETY: the caller's contract; the value is live and only read.
    value.with_value(|v| unsafe { ffi::duckdb_append_value(a, v.as_raw()) })
}
