//! `PreparedStatement`: SQL parsed and planned once, executed many times with new parameters.

use super::connection::{Connection, prepare_error};
use super::result::{QueryResult, StatementType};
use crate as ffi;
use crate::safe::cabi::{c_string, take_c_string};
use crate::safe::error::{Error, ErrorKind, Result};
use crate::safe::handle::{Owned, kind};
use crate::safe::read::ColumnNames;
use crate::safe::trace;
use crate::safe::types::LogicalType;
use crate::safe::types::{TypeId, fixed_width_types};
use crate::safe::values::CRepr;
use crate::safe::write::{ParamSink, Params, SinkSealed, ToSql, ToSqlOutput, count_mismatch};
use std::cell::OnceCell;
use std::ffi::c_char;
use std::marker::PhantomData;
use std::ptr;

impl Connection {
    /// Parses and plans one SQL statement with `?`, `$1` or `$name` parameters.
    ///
    /// A syntax or binder error is returned here, with DuckDB's message; the C statement that
    /// carried it is destroyed either way (src/c_api.md, "prepared_statement" row).
    ///
    /// ```
    /// use duckdb_ffi::safe::Database;
    /// let conn = Database::open_in_memory()?.connect()?;
    /// let mut stmt = conn.prepare("SELECT $1::INTEGER + 1")?;
    /// assert_eq!(stmt.parameter_count(), 1);
    /// assert!(conn.prepare("SELEC 1").is_err());
    /// # Ok::<(), duckdb_ffi::safe::Error>(())
    /// ```
    pub fn prepare(&self, sql: &str) -> Result<PreparedStatement<'_>> {
        let span = trace::prepare(sql);
        span.finish(self.prepare_untraced(sql))
    }

    fn prepare_untraced(&self, sql: &str) -> Result<PreparedStatement<'_>> {
        let sql = c_string(sql)?;
        let mut raw: ffi::duckdb_prepared_statement = ptr::null_mut();
        // SAFETY: live connection, valid C string, null-initialised out-parameter.
        let state = unsafe { ffi::duckdb_prepare(self.as_raw(), sql.as_ptr(), &mut raw) };
        // SAFETY: `*out` is set even when preparing fails and must be destroyed then too
        // ("prepared_statement" row); when an exception escaped it stays null, which is fine.
        let handle = unsafe { Owned::<kind::PreparedStatement>::from_raw(raw) };
        if state != ffi::duckdb_state_DuckDBSuccess {
            return Err(prepare_error(&handle));
        }
        // SAFETY: a successfully prepared statement.
        let param_count = unsafe { ffi::duckdb_nparams(handle.get()) } as usize;
        Ok(PreparedStatement {
            handle,
            param_count,
            conn: self.as_raw(),
            names: OnceCell::new(),
            _conn: PhantomData,
        })
    }
}

/// A prepared statement (the owner of a `duckdb_prepared_statement`), borrowing its
/// [`Connection`].
///
/// Parameters are numbered from 1. Bind them all at once with [`query`](Self::query) /
/// [`execute`](Self::execute) (which check the count), or one by one with
/// [`bind`](Self::bind) / [`bind_named`](Self::bind_named) and then run with
/// [`query_bound`](Self::query_bound) / [`execute_bound`](Self::execute_bound). Bindings stay
/// until replaced or [cleared](Self::clear_bindings), so a statement can be run again and again.
///
/// ```
/// use duckdb_ffi::{params, safe::Database};
/// let conn = Database::open_in_memory()?.connect()?;
/// conn.execute("CREATE TABLE t(id INTEGER, name VARCHAR)")?;
/// let mut insert = conn.prepare("INSERT INTO t VALUES (?, ?)")?;
/// for (id, name) in [(1, "one"), (2, "two"), (3, "three")] {
///     insert.execute((id, name))?;
/// }
/// let mut count = conn.prepare("SELECT count(*) FROM t WHERE id >= $min")?;
/// assert_eq!(count.parameter_name(1)?, "min");
/// let idx = count.parameter_index("min")?;
/// count.bind(idx, &2)?;
/// let mut result = count.query_bound()?;
/// let chunk = result.next_chunk()?.unwrap();
/// assert_eq!(chunk.len(), 1);
/// # Ok::<(), duckdb_ffi::safe::Error>(())
/// ```
///
/// A statement cannot outlive its connection, and is not `Sync`:
///
/// ```compile_fail
/// use duckdb_ffi::safe::Database;
/// let conn = Database::open_in_memory()?.connect()?;
/// let stmt = conn.prepare("SELECT 1")?;
/// drop(conn); // error: `conn` is borrowed by `stmt`
/// drop(stmt);
/// # Ok::<(), duckdb_ffi::safe::Error>(())
/// ```
///
/// ```compile_fail
/// fn sync<T: Sync>() {}
/// sync::<duckdb_ffi::safe::PreparedStatement<'static>>();
/// ```
#[derive(Debug)]
pub struct PreparedStatement<'conn> {
    handle: Owned<kind::PreparedStatement>,
    param_count: usize,
    /// The connection's raw handle, for `duckdb_query_progress` (callable from any thread
    /// while the connection lives, which `'conn` guarantees).
    conn: ffi::duckdb_connection,
    /// Result column names for by-name lookups in rows, read on first use (a prepared
    /// statement's columns never change).
    names: OnceCell<Vec<String>>,
    _conn: PhantomData<&'conn Connection>,
}

// SAFETY: a prepared statement has no internal locking and is used through one owner
// (src/c_api.md, "Threads": Send, not Sync; `Owned` keeps it !Sync). Running it takes the
// connection's own lock, so running it from another thread than the connection's is fine.
unsafe impl Send for PreparedStatement<'_> {}

impl<'conn> PreparedStatement<'conn> {
    /// Number of parameters.
    pub fn parameter_count(&self) -> usize {
        self.param_count
    }

    #[inline]
    fn check_param(&self, index: usize) -> Result<()> {
        if index == 0 || index > self.param_count {
            return Err(param_out_of_range(index, self.param_count));
        }
        Ok(())
    }
}

/// The error for a parameter index outside `1..=count`.
#[cold]
fn param_out_of_range(index: usize, count: usize) -> Error {
    Error::new(
        ErrorKind::OutOfRange,
        format!(
            "parameter {index} is out of range: parameters are numbered from 1 and the statement has {count}"
        ),
    )
}

impl<'conn> PreparedStatement<'conn> {
    /// The name of parameter `index` (1-based): `"name"` for `$name`, the number for `?`/`$n`.
    pub fn parameter_name(&self, index: usize) -> Result<String> {
        self.check_param(index)?;
        // SAFETY: live statement, index checked; the name is strdup'd although declared const
        // ("Strings": free with duckdb_free), so it is copied and freed here.
        unsafe {
            let p = ffi::duckdb_parameter_name(self.handle.get(), index as ffi::idx_t);
            take_c_string(p)
                .unwrap_or_else(|| Err(Error::out_of_range("parameter", index, self.param_count)))
        }
    }

    /// The 1-based index of the parameter called `name` (case-insensitive; without the `$`).
    pub fn parameter_index(&self, name: &str) -> Result<usize> {
        let c_name = c_string(name)?;
        let mut index: ffi::idx_t = 0;
        // SAFETY: live statement, valid C string, out-parameter initialised.
        let state = unsafe {
            ffi::duckdb_bind_parameter_index(self.handle.get(), &mut index, c_name.as_ptr())
        };
        if state != ffi::duckdb_state_DuckDBSuccess {
            return Err(Error::new(
                ErrorKind::OutOfRange,
                format!("the statement has no parameter named `{name}`"),
            ));
        }
        Ok(index as usize)
    }

    /// The type DuckDB expects for parameter `index`; `None` when the statement leaves it open
    /// (as in `SELECT ?`), in which case the bound value's own type is used.
    pub fn parameter_type(&self, index: usize) -> Result<Option<LogicalType>> {
        self.check_param(index)?;
        // SAFETY: live statement, index checked; the type is owned ("Getters": owned) or null.
        let raw = unsafe { ffi::duckdb_param_logical_type(self.handle.get(), index as ffi::idx_t) };
        if raw.is_null() {
            return Ok(None);
        }
        // SAFETY: a fresh type we own.
        Ok(Some(unsafe { LogicalType::from_raw(raw) }))
    }

    /// The type id of parameter `index`; [`TypeId::Invalid`] when the statement leaves it open.
    pub fn parameter_type_id(&self, index: usize) -> Result<TypeId> {
        self.check_param(index)?;
        // SAFETY: live statement, index checked.
        Ok(TypeId::from_raw(unsafe {
            ffi::duckdb_param_type(self.handle.get(), index as ffi::idx_t)
        }))
    }

    /// Binds `value` to parameter `index` (1-based), replacing an earlier binding.
    #[inline]
    pub fn bind<T: ToSql + ?Sized>(&mut self, index: usize, value: &T) -> Result<()> {
        self.bind_output(index, &value.to_sql()?)
    }

    /// Binds `value` to the parameter called `name` (`$name` in the SQL, given without `$`).
    pub fn bind_named<T: ToSql + ?Sized>(&mut self, name: &str, value: &T) -> Result<()> {
        let index = self.parameter_index(name)?;
        self.bind(index, value)
    }

    /// Removes every binding.
    pub fn clear_bindings(&mut self) -> Result<()> {
        // SAFETY: live, successfully prepared statement.
        let state = unsafe { ffi::duckdb_clear_bindings(self.handle.get()) };
        if state != ffi::duckdb_state_DuckDBSuccess {
            return Err(Error::misuse("duckdb_clear_bindings failed"));
        }
        Ok(())
    }

    /// Binds every parameter from `params`, which must have exactly
    /// [`parameter_count`](Self::parameter_count) values.
    pub fn bind_all<P: Params>(&mut self, params: P) -> Result<()> {
        let given = params.param_count();
        if given != self.param_count {
            return Err(count_mismatch(self.param_count, given));
        }
        params.visit(&mut Binder {
            stmt: self,
            next: 1,
        })
    }

    /// Binds `params` and runs the statement, returning its rows.
    pub fn query<P: Params>(&mut self, params: P) -> Result<QueryResult<'conn>> {
        self.bind_all(params)?;
        self.query_bound()
    }

    /// Binds `params` and runs the statement, returning how many rows it changed.
    pub fn execute<P: Params>(&mut self, params: P) -> Result<u64> {
        self.bind_all(params)?;
        self.execute_bound()
    }

    /// Runs the statement with the current bindings. A parameter left unbound is an error
    /// reported by DuckDB.
    pub fn query_bound(&mut self) -> Result<QueryResult<'conn>> {
        let span = trace::execute();
        // SAFETY: live statement; the call fills the result or leaves it zeroed.
        let result = unsafe {
            QueryResult::from_call(|out| ffi::duckdb_execute_prepared(self.handle.get(), out))
        };
        span.finish_rows(result, |r| {
            (r.statement_type() != StatementType::Select).then(|| r.rows_changed())
        })
    }

    /// Runs the statement with the current bindings as a *streaming* result: rows are produced
    /// as chunks are fetched instead of being materialised first, which costs the engine about
    /// 12 % fewer instructions for a one-row query (callgrind, `SELECT ?::BIGINT + 1`).
    ///
    /// Crate-private on purpose: `duckdb_execute_prepared_streaming` is in the deprecated part
    /// of the C API, and while a streaming result is open every other statement on the
    /// connection fails with `ResourceInUse`. Only [`query_row`](Self::query_row) uses it, and
    /// destroys the result (keeping its owned first chunk) before it calls back.
    pub(crate) fn query_bound_streaming(&mut self) -> Result<QueryResult<'conn>> {
        let span = trace::execute();
        // SAFETY: live statement; the call fills the result or leaves it zeroed.
        let result = unsafe {
            QueryResult::from_call(|out| {
                ffi::duckdb_execute_prepared_streaming(self.handle.get(), out)
            })
        };
        span.finish(result)
    }

    /// Runs the statement with the current bindings, returning how many rows it changed.
    pub fn execute_bound(&mut self) -> Result<u64> {
        Ok(self.query_bound()?.rows_changed())
    }

    /// Number of columns the statement returns.
    ///
    /// When the SQL leaves a parameter's type open (`SELECT $x`), DuckDB cannot plan the
    /// statement before it runs: it then reports one column of type [`TypeId::Invalid`].
    pub fn column_count(&self) -> usize {
        // SAFETY: live statement.
        unsafe { ffi::duckdb_prepared_statement_column_count(self.handle.get()) as usize }
    }

    fn check_column(&self, column: usize) -> Result<()> {
        Error::check_index("column", column, self.column_count())
    }

    /// The name of result column `column` (0-based).
    pub fn column_name(&self, column: usize) -> Result<String> {
        self.check_column(column)?;
        // SAFETY: live statement, column checked; the name is strdup'd ("Strings": free with
        // duckdb_free), copied and freed here.
        unsafe {
            let p: *const c_char =
                ffi::duckdb_prepared_statement_column_name(self.handle.get(), column as ffi::idx_t);
            take_c_string(p)
                .unwrap_or_else(|| Err(Error::out_of_range("column", column, self.column_count())))
        }
    }

    /// The type of result column `column`.
    pub fn column_type(&self, column: usize) -> Result<LogicalType> {
        self.check_column(column)?;
        // SAFETY: live statement, column checked; the type is owned ("Getters": owned).
        let raw = unsafe {
            ffi::duckdb_prepared_statement_column_logical_type(
                self.handle.get(),
                column as ffi::idx_t,
            )
        };
        if raw.is_null() {
            return Err(Error::out_of_range("column", column, self.column_count()));
        }
        // SAFETY: a fresh type we own.
        Ok(unsafe { LogicalType::from_raw(raw) })
    }

    /// The type id of result column `column`.
    pub fn column_type_id(&self, column: usize) -> Result<TypeId> {
        Ok(self.column_type(column)?.id())
    }

    /// The kind of statement.
    pub fn statement_type(&self) -> StatementType {
        // SAFETY: live statement.
        StatementType::from_raw(unsafe { ffi::duckdb_prepared_statement_type(self.handle.get()) })
    }

    /// The raw handle, still owned by `self`.
    pub fn as_raw(&self) -> ffi::duckdb_prepared_statement {
        self.handle.get()
    }

    /// The raw handle of the connection the statement belongs to.
    pub(crate) fn raw_connection(&self) -> ffi::duckdb_connection {
        self.conn
    }

    /// Binds one converted value with the C function for its type (no allocation on the Rust
    /// side: strings and blobs are passed as pointer and length).
    #[inline(always)]
    pub(crate) fn bind_output(&mut self, index: usize, value: &ToSqlOutput<'_>) -> Result<()> {
        // Checked here: the C API records an out-of-range bind as the statement's error
        // permanently (duckdb_prepare_error would return it from then on).
        self.check_param(index)?;
        let s = self.handle.get();
        let i = index as ffi::idx_t;
        // SAFETY: live statement, index checked.
        let state = unsafe { bind_c(s, i, value)? };
        if state != ffi::duckdb_state_DuckDBSuccess {
            return Err(bind_failed(index, &format!("{value:?}")));
        }
        Ok(())
    }
}

/// The error for a `duckdb_bind_*` call that failed.
#[cold]
fn bind_failed(index: usize, what: &str) -> Error {
    Error::engine(
        ffi::duckdb_error_type_DUCKDB_ERROR_INVALID_INPUT,
        format!("cannot bind parameter {index} ({what})"),
    )
}

/// Binds a parameter list's values to parameters 1, 2, ... in order.
struct Binder<'s, 'conn> {
    stmt: &'s mut PreparedStatement<'conn>,
    next: usize,
}

impl SinkSealed for Binder<'_, '_> {}

impl ParamSink for Binder<'_, '_> {
    #[inline]
    fn put<T: ToSql + ?Sized>(&mut self, value: &T) -> Result<()> {
        let index = self.next;
        self.next += 1;
        self.stmt.bind(index, value)
    }
}

impl ColumnNames for PreparedStatement<'_> {
    fn cached_names(&self) -> &[String] {
        self.names.get_or_init(|| {
            (0..self.column_count())
                .map(|c| self.column_name(c).unwrap_or_default())
                .collect()
        })
    }
}

/// Binding every `ToSqlOutput` variant, with the C function the type table names for it.
macro_rules! binders {
    ($($group:ident $v:ident $t:ident $s:ident $from:path,
        $create:ident $get:ident $getter:ident, [$($bind:ident)?] [$($append:ident)?] $layout:ident;)*) => {
        /// Binds `value` to parameter `i` of `s` with the C function for its type (no
        /// allocation on the Rust side: strings and blobs are passed as pointer and length).
        ///
        /// # Safety
        /// `s` is a live, successfully prepared statement and `i` one of its parameters.
        #[inline(always)]
        unsafe fn bind_c(
            s: ffi::duckdb_prepared_statement,
            i: ffi::idx_t,
            value: &ToSqlOutput<'_>,
        ) -> Result<ffi::duckdb_state> {
            // SAFETY: the caller's contract; every pointer/length pair describes borrowed Rust
            // data alive for the call, which DuckDB copies into its own Value; values passed as
            // duckdb_value are live and copied (src/c_api.md, "value" row).
            Ok(unsafe {
                match *value {
                    ToSqlOutput::Null => ffi::duckdb_bind_null(s, i),
                    $($( ToSqlOutput::$v(v) => ffi::$bind(s, i, v.to_c()), )?)*
                    ToSqlOutput::Decimal(v) => {
                        v.check()?;
                        ffi::duckdb_bind_decimal(
                            s,
                            i,
                            ffi::duckdb_decimal {
                                width: v.width,
                                scale: v.scale,
                                value: v.value.to_c(),
                            },
                        )
                    }
                    ToSqlOutput::Varchar(v) => ffi::duckdb_bind_varchar_length(
                        s,
                        i,
                        v.as_ptr().cast::<c_char>(),
                        v.len() as ffi::idx_t,
                    ),
                    ToSqlOutput::Blob(v) => {
                        ffi::duckdb_bind_blob(s, i, v.as_ptr().cast(), v.len() as ffi::idx_t)
                    }
                    ToSqlOutput::Value(v) => ffi::duckdb_bind_value(s, i, v.as_raw()),
                    ToSqlOutput::OwnedValue(ref v) => ffi::duckdb_bind_value(s, i, v.as_raw()),
                    // No dedicated bind function: go through a value.
                    ref other => bind_via_value(s, i, other)?,
                }
            })
        }
    };
}

fixed_width_types!(binders);

/// Binds a value with no dedicated bind function through a `duckdb_value` (kept out of line:
/// `bind_c` is inlined into every bind).
///
/// # Safety
/// As for `bind_c`.
#[cold]
#[inline(never)]
unsafe fn bind_via_value(
    s: ffi::duckdb_prepared_statement,
    i: ffi::idx_t,
    value: &ToSqlOutput<'_>,
) -> Result<ffi::duckdb_state> {
    // SAFETY: the caller's contract; the value is live and copied by DuckDB.
    value.with_value(|v| unsafe { ffi::duckdb_bind_value(s, i, v.as_raw()) })
}
