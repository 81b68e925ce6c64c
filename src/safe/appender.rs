//! `Appender`: the fast path for loading rows into a table, row by row or a chunk at a time,
//! and [`ChunkWriter`], which builds a [`DataChunk`] from Rust data.
//!
//! See [`Appender`] for what errors leave behind.

use super::chunk::DataChunk;
use super::connection::Connection;
use super::datum::{
    Date, Interval, Time, TimeNs, TimeTz, Timestamp, TimestampMs, TimestampNs, TimestampS,
    TimestampTz, TimestampTzNs,
};
use super::error::{Error, ErrorKind, Result, c_string};
use super::handle::{Owned, kind};
use super::params::{Params, ToSql, ToSqlOutput, count_mismatch};
use super::types::{LogicalType, TypeId};
use super::value::{to_hugeint, to_uhugeint};
use crate as ffi;
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
    /// use duckdb_ffi::safe::{Database, LogicalType, TypeId};
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

// SAFETY: an appender has no internal locking and one owner uses it (capi-ownership.md,
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
        self.check_usable()?;
        self.check_row_boundary("append a whole row")?;
        let given = row.param_count();
        if given != self.columns {
            return Err(count_mismatch(self.columns, given).with_context("the appender"));
        }
        row.append_each(self)?;
        self.end_row()
    }

    /// Appends one value to the current row (then call [`end_row`](Self::end_row)).
    pub fn append<T: ToSql + ?Sized>(&mut self, value: &T) -> Result<()> {
        value.append_to(self)
    }

    /// Appends one value with `append`, a call of one `duckdb_append_*` function that gets the
    /// live appender; checks that the appender is usable and the row has room first, and
    /// updates the row position (or poisons the appender) after.
    #[inline]
    pub(crate) fn append_with(
        &mut self,
        append: impl FnOnce(ffi::duckdb_appender) -> ffi::duckdb_state,
    ) -> Result<()> {
        self.check_room()?;
        let state = append(self.handle.get());
        self.after_append(state)
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
    pub(crate) fn append_output(&mut self, value: &ToSqlOutput<'_>) -> Result<()> {
        self.check_room()?;
        if let ToSqlOutput::Text(v) = value {
            // The C side narrows the length to 32 bits (a DuckDB string's limit).
            if u32::try_from(v.len()).is_err() {
                return Err(Error::new(
                    ErrorKind::OutOfRange,
                    "a string longer than 4 GiB cannot be appended",
                ));
            }
        }
        let a = self.handle.get();
        // SAFETY: live appender whose creation succeeded (so its C++ appender exists); scalars
        // are passed by value; pointer/length pairs describe borrowed Rust data alive for the
        // call, which DuckDB copies; `duckdb_value`s are live and only read.
        let state = unsafe {
            match *value {
                ToSqlOutput::Null => ffi::duckdb_append_null(a),
                ToSqlOutput::Bool(v) => ffi::duckdb_append_bool(a, v),
                ToSqlOutput::TinyInt(v) => ffi::duckdb_append_int8(a, v),
                ToSqlOutput::SmallInt(v) => ffi::duckdb_append_int16(a, v),
                ToSqlOutput::Int(v) => ffi::duckdb_append_int32(a, v),
                ToSqlOutput::BigInt(v) => ffi::duckdb_append_int64(a, v),
                ToSqlOutput::HugeInt(v) => ffi::duckdb_append_hugeint(a, to_hugeint(v)),
                ToSqlOutput::UTinyInt(v) => ffi::duckdb_append_uint8(a, v),
                ToSqlOutput::USmallInt(v) => ffi::duckdb_append_uint16(a, v),
                ToSqlOutput::UInt(v) => ffi::duckdb_append_uint32(a, v),
                ToSqlOutput::UBigInt(v) => ffi::duckdb_append_uint64(a, v),
                ToSqlOutput::UHugeInt(v) => ffi::duckdb_append_uhugeint(a, to_uhugeint(v)),
                ToSqlOutput::Float(v) => ffi::duckdb_append_float(a, v),
                ToSqlOutput::Double(v) => ffi::duckdb_append_double(a, v),
                ToSqlOutput::Text(v) => ffi::duckdb_append_varchar_length(
                    a,
                    v.as_ptr().cast::<c_char>(),
                    v.len() as ffi::idx_t,
                ),
                ToSqlOutput::Blob(v) => {
                    ffi::duckdb_append_blob(a, v.as_ptr().cast(), v.len() as ffi::idx_t)
                }
                ToSqlOutput::Date(days) => ffi::duckdb_append_date(a, ffi::duckdb_date { days }),
                ToSqlOutput::Time(micros) => {
                    ffi::duckdb_append_time(a, ffi::duckdb_time { micros })
                }
                ToSqlOutput::Timestamp(micros) => {
                    ffi::duckdb_append_timestamp(a, ffi::duckdb_timestamp { micros })
                }
                ToSqlOutput::Interval {
                    months,
                    days,
                    micros,
                } => ffi::duckdb_append_interval(
                    a,
                    ffi::duckdb_interval {
                        months,
                        days,
                        micros,
                    },
                ),
                ToSqlOutput::Value(v) => ffi::duckdb_append_value(a, v.as_raw()),
                ToSqlOutput::OwnedValue(ref v) => ffi::duckdb_append_value(a, v.as_raw()),
                // No dedicated append function (TIMESTAMPTZ, DECIMAL): go through a value.
                ref other => other.with_value(|v| ffi::duckdb_append_value(a, v.as_raw()))?,
            }
        };
        self.after_append(state)
    }

    /// Appends every row of `chunk` (its columns must match the appender's, or be castable).
    /// The chunk is copied; it can be reused or dropped afterwards.
    pub fn append_chunk(&mut self, chunk: &DataChunk) -> Result<()> {
        self.check_usable()?;
        self.check_row_boundary("append a chunk")?;
        // SAFETY: live appender and chunk; the chunk is only read (copied into the buffer).
        let state = unsafe { ffi::duckdb_append_data_chunk(self.handle.get(), chunk.as_raw()) };
        self.check(state, "appending a data chunk")
    }

    /// Writes the buffered rows to the table now. On error (a constraint violation, for
    /// example) the rows buffered since the last successful flush are discarded.
    pub fn flush(&mut self) -> Result<()> {
        self.check_usable()?;
        self.check_row_boundary("flush")?;
        // SAFETY: live appender.
        let state = unsafe { ffi::duckdb_appender_flush(self.handle.get()) };
        self.check(state, "flushing the appender")
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
        self.check_usable()?;
        self.check_row_boundary("close the appender")?;
        // SAFETY: live appender; `Owned`'s drop destroys it afterwards (closing twice is a
        // no-op flush of an empty buffer).
        let state = unsafe { ffi::duckdb_appender_close(self.handle.get()) };
        let result = self.check(state, "closing the appender");
        // Nothing is buffered any more: make the destroy in Drop a no-op flush.
        self.in_row = 0;
        result
    }

    /// The raw handle, still owned by `self`.
    pub fn as_raw(&self) -> ffi::duckdb_appender {
        self.handle.get()
    }
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

/// Rust types whose memory layout is exactly DuckDB's storage for some column types, so a
/// column of a [`ChunkWriter`] can be filled as a `&mut [T]`.
///
/// # Safety
/// For every id in `TYPES`, DuckDB stores one value of that type as exactly one `Self` (size,
/// alignment no stricter than DuckDB's, same layout), and the all-zero bit pattern is a valid
/// `Self`.
pub unsafe trait ChunkWritable: Copy + 'static {
    /// The column types stored as `Self`.
    const TYPES: &'static [TypeId];
}

macro_rules! writable {
    ($($t:ty => [$($id:ident),+];)*) => {$(
        // SAFETY: DuckDB's physical storage of these types is this fixed-size integer/float/
        // struct (duckdb.h's struct definitions, repr(transparent)/repr(C) on the Rust side),
        // and zero is a valid value of it.
        unsafe impl ChunkWritable for $t {
            const TYPES: &'static [TypeId] = &[$(TypeId::$id),+];
        }
    )*};
}

writable! {
    bool => [Boolean];
    i8 => [TinyInt];
    i16 => [SmallInt];
    i32 => [Integer];
    i64 => [BigInt];
    u8 => [UTinyInt];
    u16 => [USmallInt];
    u32 => [UInteger];
    u64 => [UBigInt];
    f32 => [Float];
    f64 => [Double];
    Date => [Date];
    Time => [Time];
    TimeNs => [TimeNs];
    TimeTz => [TimeTz];
    Timestamp => [Timestamp];
    TimestampS => [TimestampS];
    TimestampMs => [TimestampMs];
    TimestampNs => [TimestampNs];
    TimestampTz => [TimestampTz];
    TimestampTzNs => [TimestampTzNs];
    Interval => [Interval];
    ffi::duckdb_hugeint => [HugeInt];
    ffi::duckdb_uhugeint => [UHugeInt];
}

/// Byte width of a column's storage, for the column types a [`ChunkWriter`] supports.
fn storage_width(id: TypeId) -> Option<usize> {
    use TypeId::*;
    Some(match id {
        Boolean | TinyInt | UTinyInt => 1,
        SmallInt | USmallInt => 2,
        Integer | UInteger | Float | Date => 4,
        BigInt | UBigInt | Double | Time | TimeNs | TimeTz | Timestamp | TimestampS
        | TimestampMs | TimestampNs | TimestampTz | TimestampTzNs => 8,
        HugeInt | UHugeInt | Interval | Varchar | Blob => 16,
        _ => return None,
    })
}

/// Builds a [`DataChunk`] from Rust data, for [`Appender::append_chunk`]: fixed-width columns
/// as `&mut [T]` slices, strings and blobs one cell at a time, NULLs through the validity mask.
///
/// Supported column types: BOOLEAN, the integers, FLOAT, DOUBLE, the date/time/timestamp
/// types, INTERVAL, HUGEINT, UHUGEINT, VARCHAR and BLOB (use [`Appender::append_row`] with a
/// [`Value`](super::Value) for the others). Fresh columns are zeroed.
///
/// ```
/// use duckdb_ffi::safe::{ChunkWriter, Database, LogicalType, TypeId};
/// let conn = Database::open_in_memory()?.connect()?;
/// conn.execute("CREATE TABLE t(id BIGINT, name VARCHAR)")?;
/// let mut w = ChunkWriter::new(&[LogicalType::new(TypeId::BigInt)?, LogicalType::new(TypeId::Varchar)?])?;
/// w.column_mut::<i64>(0)?[..3].copy_from_slice(&[10, 20, 30]);
/// w.set_str(1, 0, "ten")?;
/// w.set_str(1, 1, "twenty")?;
/// w.set_null(1, 2)?;
/// w.set_len(3)?;
/// let mut app = conn.appender("t")?;
/// app.append_chunk(w.chunk())?;
/// app.close()?;
/// assert_eq!(conn.execute("DELETE FROM t WHERE name IS NULL")?, 1);
/// # Ok::<(), duckdb_ffi::safe::Error>(())
/// ```
///
/// A column slice borrows the writer, so it cannot be held across another write:
///
/// ```compile_fail
/// use duckdb_ffi::safe::{ChunkWriter, LogicalType, TypeId};
/// let mut w = ChunkWriter::new(&[LogicalType::new(TypeId::Integer)?])?;
/// let col = w.column_mut::<i32>(0)?;
/// w.set_null(0, 1)?; // error: `w` is already mutably borrowed by `col`
/// col[0] = 1;
/// # Ok::<(), duckdb_ffi::safe::Error>(())
/// ```
#[derive(Debug)]
pub struct ChunkWriter {
    chunk: DataChunk,
    types: Vec<TypeId>,
    capacity: usize,
    /// Each column's storage address when it was last zeroed: a reset that keeps the same
    /// storage (DuckDB reuses its buffers) needs no zeroing again, as it holds valid values.
    zeroed: Vec<usize>,
    /// Each column's vector, borrowed from `chunk`: `duckdb_data_chunk_get_vector` returns the
    /// address of the chunk's own `Vector` object, which neither a reset nor a size change
    /// moves (the chunk's column list is fixed at creation), so it is fetched once.
    vectors: Vec<ffi::duckdb_vector>,
}

// SAFETY: the writer owns its chunk (Send, see `DataChunk`); the cached vector pointers only
// point into that chunk and move with it, and are used through `&self`/`&mut self` of the one
// owner. Not Sync (raw pointers), like the chunk.
unsafe impl Send for ChunkWriter {}

impl ChunkWriter {
    /// A chunk with one column per type, no rows, and room for
    /// [`capacity`](Self::capacity) rows.
    pub fn new(types: &[LogicalType]) -> Result<ChunkWriter> {
        let ids: Vec<TypeId> = types.iter().map(LogicalType::id).collect();
        if let Some((i, id)) = ids
            .iter()
            .enumerate()
            .find(|(_, id)| storage_width(**id).is_none())
        {
            return Err(Error::new(
                ErrorKind::TypeMismatch,
                format!(
                    "column {i} has type {id:?}, which a ChunkWriter cannot fill; append such values with Appender::append_row"
                ),
            ));
        }
        let mut raw_types: Vec<ffi::duckdb_logical_type> =
            types.iter().map(LogicalType::as_raw).collect();
        // SAFETY: live types, read (copied) by the call; a non-null array even when empty.
        let raw = unsafe {
            ffi::duckdb_create_data_chunk(
                if raw_types.is_empty() {
                    ptr::NonNull::dangling().as_ptr()
                } else {
                    raw_types.as_mut_ptr()
                },
                raw_types.len() as ffi::idx_t,
            )
        };
        if raw.is_null() {
            return Err(Error::new(
                ErrorKind::TypeMismatch,
                "DuckDB could not create a data chunk of these types",
            ));
        }
        // SAFETY: a fresh chunk we own ("data_chunk" row).
        let chunk = unsafe { DataChunk::from_raw(raw) };
        // SAFETY: no preconditions.
        let capacity = unsafe { ffi::duckdb_vector_size() } as usize;
        let zeroed = vec![0; ids.len()];
        let vectors = (0..ids.len())
            .map(|column| {
                // SAFETY: column < the chunk's column count; the vector is borrowed from the
                // chunk ("Getters": borrowed) and lives as long as it (see `vectors`).
                unsafe { ffi::duckdb_data_chunk_get_vector(chunk.as_raw(), column as ffi::idx_t) }
            })
            .collect();
        let mut writer = ChunkWriter {
            chunk,
            types: ids,
            capacity,
            zeroed,
            vectors,
        };
        writer.zero_new_storage();
        Ok(writer)
    }

    /// Zeroes each column's storage that was not zeroed (or written through a slice) before,
    /// so slices over it only ever hold valid values.
    fn zero_new_storage(&mut self) {
        for column in 0..self.types.len() {
            let width = storage_width(self.types[column]).unwrap_or(0);
            let data = self.raw_data(column);
            // String cells are re-zeroed on every reset: after it they point into the freed
            // string heap, and a row appended without a new string would read freed memory.
            let strings = matches!(self.types[column], TypeId::Varchar | TypeId::Blob);
            if data as usize == self.zeroed[column] && !strings {
                continue;
            }
            // SAFETY: a flat vector of a fresh (or reset) chunk has room for `capacity` values
            // of `width` bytes; a zeroed string_t is the empty string.
            unsafe { ptr::write_bytes(data, 0, width * self.capacity) };
            self.zeroed[column] = data as usize;
        }
    }

    /// The vector of `column` (< column_count, checked by callers), borrowed from our chunk.
    #[inline]
    fn raw_vector(&self, column: usize) -> ffi::duckdb_vector {
        self.vectors[column]
    }

    fn raw_data(&self, column: usize) -> *mut u8 {
        // SAFETY: a vector of our chunk; the data pointer lives as long as the chunk is not reset.
        unsafe { ffi::duckdb_vector_get_data(self.raw_vector(column)).cast() }
    }

    fn check_cell(&self, column: usize, row: usize) -> Result<TypeId> {
        let id = *self
            .types
            .get(column)
            .ok_or_else(|| Error::out_of_range("column", column, self.types.len()))?;
        if row >= self.capacity {
            return Err(Error::out_of_range("row", row, self.capacity));
        }
        Ok(id)
    }

    /// Rows a chunk can hold (DuckDB's vector size, 2048 by default).
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Number of columns.
    pub fn column_count(&self) -> usize {
        self.types.len()
    }

    /// The row count (what [`Appender::append_chunk`] appends).
    pub fn len(&self) -> usize {
        self.chunk.len()
    }

    /// Whether the row count is 0.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Sets the row count; at most [`capacity`](Self::capacity).
    pub fn set_len(&mut self, rows: usize) -> Result<()> {
        if rows > self.capacity {
            return Err(Error::new(
                ErrorKind::OutOfRange,
                format!(
                    "{rows} rows do not fit in a chunk of {} rows",
                    self.capacity
                ),
            ));
        }
        // SAFETY: live chunk; rows <= capacity.
        unsafe { ffi::duckdb_data_chunk_set_size(self.chunk.as_raw(), rows as ffi::idx_t) };
        Ok(())
    }

    /// The storage of a fixed-width column, all [`capacity`](Self::capacity) rows of it.
    /// `T` must be the column type's storage ([`ChunkWritable`]).
    pub fn column_mut<T: ChunkWritable>(&mut self, column: usize) -> Result<&mut [T]> {
        let id = self.check_cell(column, 0)?;
        if !T::TYPES.contains(&id) {
            return Err(Error::new(
                ErrorKind::TypeMismatch,
                format!(
                    "column {column} has type {id:?}, not writable as {}",
                    std::any::type_name::<T>()
                ),
            ));
        }
        let data = self.raw_data(column);
        if data.is_null() || data.align_offset(std::mem::align_of::<T>()) != 0 {
            return Err(Error::misuse(format!(
                "column {column}'s storage is not aligned for {}",
                std::any::type_name::<T>()
            )));
        }
        // SAFETY: the column's flat storage holds `capacity` values of exactly `T`'s layout
        // (ChunkWritable's contract, type checked above), zero-initialised or written with
        // valid `T`s since; it lives as long as the chunk, which `&mut self` borrows exclusively.
        Ok(unsafe { std::slice::from_raw_parts_mut(data.cast::<T>(), self.capacity) })
    }

    /// Marks a cell NULL.
    pub fn set_null(&mut self, column: usize, row: usize) -> Result<()> {
        self.check_cell(column, row)?;
        let vector = self.raw_vector(column);
        // SAFETY: live vector; after ensure_validity_writable the mask is non-null and has a
        // bit for every row below capacity.
        unsafe {
            ffi::duckdb_vector_ensure_validity_writable(vector);
            ffi::duckdb_validity_set_row_invalid(
                ffi::duckdb_vector_get_validity(vector),
                row as ffi::idx_t,
            );
        }
        Ok(())
    }

    /// Marks a cell valid again (cells are valid unless set NULL).
    pub fn set_valid(&mut self, column: usize, row: usize) -> Result<()> {
        self.check_cell(column, row)?;
        // SAFETY: live vector; a null mask means all rows are valid already.
        unsafe {
            let validity = ffi::duckdb_vector_get_validity(self.raw_vector(column));
            if !validity.is_null() {
                ffi::duckdb_validity_set_row_valid(validity, row as ffi::idx_t);
            }
        }
        Ok(())
    }

    /// Checks that `column` has type `want` (VARCHAR or BLOB) and returns its vector.
    fn string_column(&self, column: usize, want: TypeId) -> Result<ffi::duckdb_vector> {
        let id = self.check_cell(column, 0)?;
        if id != want {
            return Err(Error::new(
                ErrorKind::TypeMismatch,
                format!("column {column} has type {id:?}, not {want:?}"),
            ));
        }
        Ok(self.raw_vector(column))
    }

    /// Writes `bytes` into cell `row` of `vector` and marks the cell valid.
    ///
    /// It calls `duckdb_unsafe_vector_assign_string_element_len`, the string assignment
    /// without DuckDB's UTF-8 check (the checked one validates every VARCHAR string again):
    /// skipping the check is sound because VARCHAR input here is always valid UTF-8 (see the
    /// `SAFETY` comment below). The Miri model of the C API stops the program if a VARCHAR
    /// string that is not UTF-8 ever reaches it.
    ///
    /// # Safety
    /// `vector` is a VARCHAR or BLOB vector of this writer's chunk, `row < capacity`, and
    /// `validity` is null or the vector's current validity mask; for VARCHAR, `bytes` is valid
    /// UTF-8.
    #[inline]
    unsafe fn write_string(
        vector: ffi::duckdb_vector,
        validity: *mut u64,
        row: usize,
        bytes: &[u8],
    ) -> Result<()> {
        // The C side narrows the length to 32 bits (a DuckDB string's limit).
        if u32::try_from(bytes.len()).is_err() {
            return Err(Error::new(
                ErrorKind::OutOfRange,
                "a string or blob longer than 4 GiB does not fit a cell",
            ));
        }
        // SAFETY: (the caller's contract) live VARCHAR/BLOB vector, row < capacity; the bytes
        // are copied into the vector's string heap. The unchecked variant skips DuckDB's UTF-8
        // check, which cannot fail here: VARCHAR input comes from `&str` (valid UTF-8, and
        // DuckDB rejects only malformed encodings), and BLOB vectors are never checked.
        unsafe {
            ffi::duckdb_unsafe_vector_assign_string_element_len(
                vector,
                row as ffi::idx_t,
                bytes.as_ptr().cast::<c_char>(),
                bytes.len() as ffi::idx_t,
            );
        }
        if !validity.is_null() {
            // SAFETY: a non-null mask has a bit for every row below capacity (flat vector of
            // a chunk created with `capacity` rows); plain u64 words.
            unsafe { *validity.add(row / 64) |= 1 << (row % 64) };
        }
        Ok(())
    }

    fn assign(&mut self, column: usize, row: usize, bytes: &[u8], want: TypeId) -> Result<()> {
        let vector = self.string_column(column, want)?;
        if row >= self.capacity {
            return Err(Error::out_of_range("row", row, self.capacity));
        }
        // SAFETY: live vector of our chunk.
        let validity = unsafe { ffi::duckdb_vector_get_validity(vector) };
        // SAFETY: `vector` is this chunk's `want` vector (checked), row < capacity, `validity`
        // is its current mask; VARCHAR input is `&str` (see `set_str`).
        unsafe { Self::write_string(vector, validity, row, bytes) }
    }

    /// Writes a string into a VARCHAR cell (copied into the chunk).
    pub fn set_str(&mut self, column: usize, row: usize, text: &str) -> Result<()> {
        self.assign(column, row, text.as_bytes(), TypeId::Varchar)
    }

    /// Writes bytes into a BLOB cell (copied into the chunk).
    pub fn set_blob(&mut self, column: usize, row: usize, bytes: &[u8]) -> Result<()> {
        self.assign(column, row, bytes, TypeId::Blob)
    }

    fn assign_many<B: AsRef<[u8]>>(
        &mut self,
        column: usize,
        first_row: usize,
        items: impl IntoIterator<Item = B>,
        want: TypeId,
    ) -> Result<usize> {
        let vector = self.string_column(column, want)?;
        // SAFETY: live vector of our chunk; the mask stays the same until a reset or
        // `ensure_validity_writable`, neither of which happens in this loop.
        let validity = unsafe { ffi::duckdb_vector_get_validity(vector) };
        let mut row = first_row;
        for item in items {
            if row >= self.capacity {
                return Err(Error::new(
                    ErrorKind::OutOfRange,
                    format!(
                        "more than {} values from row {first_row} do not fit in a chunk of {} rows",
                        self.capacity.saturating_sub(first_row),
                        self.capacity
                    ),
                ));
            }
            // SAFETY: `vector` is this chunk's `want` vector (checked once above), row <
            // capacity (checked), `validity` its current mask; VARCHAR items are `&str`
            // (`set_strs` is the only VARCHAR caller).
            unsafe { Self::write_string(vector, validity, row, item.as_ref())? };
            row += 1;
        }
        Ok(row - first_row)
    }

    /// Writes strings into consecutive VARCHAR cells from `first_row` on, and returns how many
    /// were written. The column is checked once, not per cell; the first string that does not
    /// fit (past [`capacity`](Self::capacity)) is an error, and the cells before it are written.
    ///
    /// ```
    /// use duckdb_ffi::safe::{ChunkWriter, LogicalType, TypeId};
    /// let mut w = ChunkWriter::new(&[LogicalType::new(TypeId::Varchar)?])?;
    /// assert_eq!(w.set_strs(0, 0, ["a", "bb", "ccc"])?, 3);
    /// w.set_len(3)?;
    /// let v = w.chunk().vector(0)?;
    /// let texts: Vec<_> = v.strings()?.iter().collect::<Result<_, _>>()?;
    /// assert_eq!(texts, [Some("a"), Some("bb"), Some("ccc")]);
    /// # Ok::<(), duckdb_ffi::safe::Error>(())
    /// ```
    pub fn set_strs<S: AsRef<str>>(
        &mut self,
        column: usize,
        first_row: usize,
        texts: impl IntoIterator<Item = S>,
    ) -> Result<usize> {
        self.assign_many(
            column,
            first_row,
            texts.into_iter().map(StrBytes),
            TypeId::Varchar,
        )
    }

    /// Writes byte strings into consecutive BLOB cells from `first_row` on, and returns how
    /// many were written (as [`set_strs`](Self::set_strs) does for VARCHAR).
    pub fn set_blobs<B: AsRef<[u8]>>(
        &mut self,
        column: usize,
        first_row: usize,
        blobs: impl IntoIterator<Item = B>,
    ) -> Result<usize> {
        self.assign_many(column, first_row, blobs, TypeId::Blob)
    }

    /// The validity mask of `column`, writable: bit `row % 64` of word `row / 64` is 1 when the
    /// cell is valid and 0 when it is NULL; one bit for each of the [`capacity`](Self::capacity)
    /// rows. Every bit starts at 1 after a [`reset`](Self::reset). Use it to set many NULLs at
    /// once instead of calling [`set_null`](Self::set_null) per cell.
    ///
    /// ```
    /// use duckdb_ffi::safe::{ChunkWriter, LogicalType, TypeId};
    /// let mut w = ChunkWriter::new(&[LogicalType::new(TypeId::Integer)?])?;
    /// w.validity_mut(0)?[0] = !0b1010; // rows 1 and 3 are NULL
    /// w.set_len(4)?;
    /// let v = w.chunk().vector(0)?;
    /// assert_eq!((0..4).map(|r| v.is_null(r)).collect::<Result<Vec<_>, _>>()?, [false, true, false, true]);
    /// # Ok::<(), duckdb_ffi::safe::Error>(())
    /// ```
    pub fn validity_mut(&mut self, column: usize) -> Result<&mut [u64]> {
        self.check_cell(column, 0)?;
        let vector = self.raw_vector(column);
        // SAFETY: live vector of our chunk; after ensure_validity_writable the mask is
        // non-null and owned by the vector.
        let mask = unsafe {
            ffi::duckdb_vector_ensure_validity_writable(vector);
            ffi::duckdb_vector_get_validity(vector)
        };
        if mask.is_null() {
            return Err(Error::misuse(format!(
                "column {column} has no writable validity mask"
            )));
        }
        // SAFETY: the mask of a flat vector with room for `capacity` rows holds
        // ceil(capacity / 64) words; any bit pattern is valid; it lives until the chunk is
        // reset or dropped, which `&mut self` prevents while the slice lives.
        Ok(unsafe { std::slice::from_raw_parts_mut(mask, self.capacity.div_ceil(64)) })
    }

    /// Empties the chunk for reuse (`duckdb_data_chunk_reset`): no rows, every cell valid,
    /// strings freed and VARCHAR/BLOB cells empty. Fixed-width columns keep their old contents
    /// when DuckDB reuses the same storage (it normally does); new storage is zeroed.
    pub fn reset(&mut self) {
        // SAFETY: live chunk; slices into it are not alive (`&mut self`).
        unsafe { ffi::duckdb_data_chunk_reset(self.chunk.as_raw()) };
        self.zero_new_storage();
    }

    /// The chunk, for [`Appender::append_chunk`].
    pub fn chunk(&self) -> &DataChunk {
        &self.chunk
    }

    /// The chunk, owned.
    pub fn into_chunk(self) -> DataChunk {
        self.chunk
    }
}

/// A `&str` seen as its bytes (for [`ChunkWriter::set_strs`], which only takes UTF-8).
struct StrBytes<S>(S);

impl<S: AsRef<str>> AsRef<[u8]> for StrBytes<S> {
    fn as_ref(&self) -> &[u8] {
        self.0.as_ref().as_bytes()
    }
}

/// Read access to the chunk being built (`appender.append_chunk(&writer)` works too).
impl std::ops::Deref for ChunkWriter {
    type Target = DataChunk;

    fn deref(&self) -> &DataChunk {
        &self.chunk
    }
}
