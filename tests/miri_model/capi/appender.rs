//! C API area: appenders, their creation, columns, flushing and closing (`duckdb_appender_*`);
//! the values they take are in `append`.

use super::super::canned;
use super::database::{CONNECTION, ConnectionObj};
use super::engine::{Engine, cstring, insert, normalize};
use super::error_data::{ERROR_DATA, ErrorDataObj};
use super::logical_type::{new_logical_type, type_ref};
use super::registry::{ERROR, SUCCESS, adopt, destroy, fail, live, text};
use super::ty::{Cell, Ty, simple};
use crate as ffi;
use std::cell::{Cell as StdCell, RefCell};
use std::ffi::{CString, c_char};
use std::ptr;
use std::sync::Arc;

// ---------------------------------------------------------------------------------------------
// Appender (for the canned table `t(x INTEGER PRIMARY KEY, s VARCHAR)`, directly or through
// the canned query `canned::APPEND_QUERY_T`)
// ---------------------------------------------------------------------------------------------

pub(super) struct AppenderObj {
    /// `None` when creating the appender failed.
    engine: Option<Arc<Engine>>,
    target: Target,
    /// Active columns (indexes into t's columns, or into a query appender's columns).
    pub(super) columns: RefCell<Vec<usize>>,
    row: RefCell<Vec<Cell>>,
    pub(super) buffer: RefCell<Vec<Vec<Cell>>>,
    error: RefCell<Option<(CString, ffi::duckdb_error_type)>>,
    flush_failed: StdCell<bool>,
}
const APPENDER: &str = "appender";
const T_COLUMNS: [&str; 2] = ["x", "s"];

/// Where an appender's rows go.
enum Target {
    /// The table `t` (`duckdb_appender_create_ext`).
    T,
    /// A query over the appended rows, run at every flush (`duckdb_appender_create_query`).
    Query(QueryTarget),
}

/// The arguments of `duckdb_appender_create_query`, copied; DuckDB reads the query only when
/// it flushes, so a bad query is reported there.
struct QueryTarget {
    sql: String,
    types: Vec<Ty>,
    /// The name the query reads the rows under (DuckDB's default: `appended_data`).
    table_name: String,
    /// The rows' column names (DuckDB's default: `col1`, `col2`, ...).
    column_names: Vec<String>,
}

/// An error as DuckDB reports it: its type and its message.
type Failure = (ffi::duckdb_error_type, String);

/// One row of `t` from the values for `x` and `s`, converted as an INSERT into `t` does.
fn t_row(x: &Cell, s: &Cell) -> Result<(i64, Option<String>), Failure> {
    let x = match x {
        Cell::Int(x) => i64::try_from(*x).unwrap_or(i64::MAX),
        Cell::Null => {
            return Err((
                ffi::duckdb_error_type_DUCKDB_ERROR_CONSTRAINT,
                "Constraint Error: NOT NULL constraint failed: t.x".into(),
            ));
        }
        other => {
            return Err((
                ffi::duckdb_error_type_DUCKDB_ERROR_CONVERSION,
                format!("Conversion Error: cannot store {other:?} in INTEGER column x"),
            ));
        }
    };
    let s = match s {
        Cell::Text(bytes) => Some(String::from_utf8_lossy(bytes).into_owned()),
        Cell::Int(i) => Some(i.to_string()),
        _ => None,
    };
    Ok((x, s))
}

/// Whether `ty` is an integer type (what `col1 * 10` binds for).
fn is_integer(ty: &Ty) -> bool {
    use ffi::*;
    matches!(
        ty,
        Ty::Simple(
            DUCKDB_TYPE_DUCKDB_TYPE_TINYINT
                | DUCKDB_TYPE_DUCKDB_TYPE_SMALLINT
                | DUCKDB_TYPE_DUCKDB_TYPE_INTEGER
                | DUCKDB_TYPE_DUCKDB_TYPE_BIGINT
                | DUCKDB_TYPE_DUCKDB_TYPE_HUGEINT
                | DUCKDB_TYPE_DUCKDB_TYPE_UTINYINT
                | DUCKDB_TYPE_DUCKDB_TYPE_USMALLINT
                | DUCKDB_TYPE_DUCKDB_TYPE_UINTEGER
                | DUCKDB_TYPE_DUCKDB_TYPE_UBIGINT
                | DUCKDB_TYPE_DUCKDB_TYPE_UHUGEINT
        )
    )
}

impl QueryTarget {
    /// Runs the query over `rows` (binding it first, as DuckDB does at every flush): the rows
    /// it inserts into `t`, or the error DuckDB reports.
    fn rows_for_t(&self, rows: Vec<Vec<Cell>>) -> Result<Vec<(i64, Option<String>)>, Failure> {
        if normalize(&self.sql) != canned::APPEND_QUERY_T {
            return Err((
                ffi::duckdb_error_type_DUCKDB_ERROR_INVALID,
                format!(
                    "the Miri model of the C API has no canned answer for SQL `{}`",
                    self.sql
                ),
            ));
        }
        if self.table_name != "appended_data" {
            return Err((
                ffi::duckdb_error_type_DUCKDB_ERROR_CATALOG,
                "Catalog Error: Table with name appended_data does not exist!".into(),
            ));
        }
        let column = |name: &str| {
            self.column_names
                .iter()
                .position(|n| n == name)
                .ok_or_else(|| {
                    (
                        ffi::duckdb_error_type_DUCKDB_ERROR_BINDER,
                        format!(
                            "Binder Error: Referenced column \"{name}\" not found in FROM clause!"
                        ),
                    )
                })
        };
        let (col1, col2) = (column("col1")?, column("col2")?);
        if !is_integer(&self.types[col1]) {
            return Err((
                ffi::duckdb_error_type_DUCKDB_ERROR_BINDER,
                format!(
                    "Binder Error: No function matches the given name and argument types \
                     '*({:?}, INTEGER_LITERAL)'",
                    self.types[col1]
                ),
            ));
        }
        rows.iter()
            .map(|row| {
                let x = match &row[col1] {
                    Cell::Int(i) => Cell::Int(i.checked_mul(10).ok_or_else(|| {
                        (
                            ffi::duckdb_error_type_DUCKDB_ERROR_OUT_OF_RANGE,
                            format!("Out of Range Error: Overflow in multiplication of {i} * 10"),
                        )
                    })?),
                    other => other.clone(),
                };
                t_row(&x, &row[col2])
            })
            .collect()
    }
}

fn t_column_type(index: usize) -> Ty {
    simple(if index == 0 {
        ffi::DUCKDB_TYPE_DUCKDB_TYPE_INTEGER
    } else {
        ffi::DUCKDB_TYPE_DUCKDB_TYPE_VARCHAR
    })
}

impl AppenderObj {
    fn new(engine: Option<Arc<Engine>>, target: Target, columns: Vec<usize>) -> AppenderObj {
        AppenderObj {
            engine,
            target,
            columns: RefCell::new(columns),
            row: RefCell::new(Vec::new()),
            buffer: RefCell::new(Vec::new()),
            error: RefCell::new(None),
            flush_failed: StdCell::new(false),
        }
    }

    fn fail(&self, code: ffi::duckdb_error_type, message: String) -> ffi::duckdb_state {
        *self.error.borrow_mut() = Some((cstring(&message), code));
        ERROR
    }

    /// The type of active column `active`.
    fn column_type(&self, active: usize) -> Option<Ty> {
        let column = *self.columns.borrow().get(active)?;
        Some(match &self.target {
            Target::T => t_column_type(column),
            Target::Query(query) => query.types[column].clone(),
        })
    }

    /// A call only table appenders support (`what` is DuckDB's name for it): on a query
    /// appender it fails, as DuckDB's base appender does; `None` on a table appender.
    pub(super) fn table_only(&self, what: &str) -> Option<ffi::duckdb_state> {
        matches!(self.target, Target::Query(_)).then(|| {
            self.fail(
                ffi::duckdb_error_type_DUCKDB_ERROR_NOT_IMPLEMENTED,
                format!(
                    "Not implemented Error: {what} is only supported when directly appending to a table"
                ),
            )
        })
    }

    pub(super) fn invalid(&self, message: &str) -> ffi::duckdb_state {
        self.fail(
            ffi::duckdb_error_type_DUCKDB_ERROR_INVALID_INPUT,
            format!("Invalid Input Error: {message}"),
        )
    }

    /// Runs `f` on a valid appender, as duckdb_appender_run_function does.
    pub(super) fn run(&self, f: impl FnOnce(&Engine) -> ffi::duckdb_state) -> ffi::duckdb_state {
        match &self.engine {
            Some(engine) => f(engine),
            None => self.fail(
                ffi::duckdb_error_type_DUCKDB_ERROR_INVALID,
                "not a valid appender".into(),
            ),
        }
    }

    pub(super) fn append(&self, cell: Cell) -> ffi::duckdb_state {
        self.run(|_| {
            if self.row.borrow().len() >= self.columns.borrow().len() {
                return self.invalid("Too many appends for chunk!");
            }
            self.row.borrow_mut().push(cell);
            SUCCESS
        })
    }

    fn flush(&self) -> ffi::duckdb_state {
        self.run(|engine| {
            if !self.row.borrow().is_empty() {
                return self.invalid("Failed to Flush appender: incomplete append to row!");
            }
            // The buffer is emptied whether the flush succeeds or not, and with no rows
            // nothing runs (BaseAppender::Flush).
            let buffer = std::mem::take(&mut *self.buffer.borrow_mut());
            if buffer.is_empty() {
                return SUCCESS;
            }
            let rows = match &self.target {
                Target::T => {
                    let columns = self.columns.borrow().clone();
                    buffer
                        .into_iter()
                        .map(|row| {
                            let mut full = [Cell::Null, Cell::Null];
                            for (cell, &column) in row.into_iter().zip(&columns) {
                                full[column] = cell;
                            }
                            t_row(&full[0], &full[1])
                        })
                        .collect()
                }
                Target::Query(query) => query.rows_for_t(buffer),
            };
            let rows = match rows {
                Ok(rows) => rows,
                Err((code, message)) => return self.fail(code, message),
            };
            let mut tables = engine.tables();
            let Some(t) = tables.t.as_mut() else {
                let message = match self.target {
                    Target::T => "Catalog Error: Table t was dropped",
                    Target::Query(_) => "Catalog Error: Table with name t does not exist!",
                };
                return self.fail(ffi::duckdb_error_type_DUCKDB_ERROR_CATALOG, message.into());
            };
            match insert(t, &rows) {
                Ok(()) => SUCCESS,
                Err(outcome) => {
                    let (message, code) = outcome.error.unwrap_or_else(|| unreachable!());
                    *self.error.borrow_mut() = Some((message, code));
                    ERROR
                }
            }
        })
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_appender_create_ext(
    connection: ffi::duckdb_connection,
    catalog: *const c_char,
    schema: *const c_char,
    table: *const c_char,
    out_appender: *mut ffi::duckdb_appender,
) -> ffi::duckdb_state {
    if connection.is_null() || table.is_null() || out_appender.is_null() {
        return ERROR;
    }
    // SAFETY: checked handle and strings.
    let (conn, table) = unsafe {
        (
            live(
                connection.cast::<ConnectionObj>(),
                CONNECTION,
                "duckdb_appender_create_ext",
            ),
            text(table, "duckdb_appender_create_ext"),
        )
    };
    let _ = (catalog, schema); // only the default catalog and schema exist in the model
    let exists = table == "t" && conn.engine.tables().t.is_some();
    let obj = AppenderObj::new(
        exists.then(|| Arc::clone(&conn.engine)),
        Target::T,
        vec![0, 1],
    );
    let state = if exists {
        SUCCESS
    } else {
        obj.columns.borrow_mut().clear();
        obj.fail(
            ffi::duckdb_error_type_DUCKDB_ERROR_CATALOG,
            format!("Catalog Error: Table \"main.{table}\" could not be found"),
        )
    };
    // SAFETY: non-null out-parameter; set on failure too ("appender" row).
    unsafe { *out_appender = adopt(APPENDER, obj).cast() };
    state
}

/// Converts each of the `count` entries of the caller's array with `convert`; `None` as soon
/// as `convert` refuses one (the C API's check for null entries).
///
/// # Safety
/// `array` points to `count` readable entries.
unsafe fn convert_each<E: Copy, T>(
    array: *const E,
    count: usize,
    mut convert: impl FnMut(E) -> Option<T>,
) -> Option<Vec<T>> {
    (0..count)
        // SAFETY: `i < count` (caller's contract).
        .map(|i| convert(unsafe { *array.add(i) }))
        .collect()
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_appender_create_query(
    connection: ffi::duckdb_connection,
    query: *const c_char,
    column_count: ffi::idx_t,
    types: *mut ffi::duckdb_logical_type,
    table_name: *const c_char,
    column_names: *mut *const c_char,
    out_appender: *mut ffi::duckdb_appender,
) -> ffi::duckdb_state {
    const FUNC: &str = "duckdb_appender_create_query";
    // DuckDB checks its arguments before it allocates the appender: a rejected one returns an
    // error without writing `*out_appender` (the safe layer's "C API facts").
    if connection.is_null() || query.is_null() || column_count == 0 || types.is_null() {
        return ERROR;
    }
    let count = column_count as usize;
    // SAFETY: the caller's array of `column_count` types (a read past it is reported by Miri);
    // a non-null entry is a live type (checked by type_ref), copied and left to the caller.
    let column_types = unsafe {
        convert_each(types, count, |ty| {
            (!ty.is_null()).then(|| type_ref(ty, FUNC).clone())
        })
    };
    let Some(column_types) = column_types else {
        return ERROR;
    };
    let table_name = if table_name.is_null() {
        ""
    } else {
        // SAFETY: a C string from the caller; copied below.
        unsafe { text(table_name, FUNC) }
    };
    let column_names = if column_names.is_null() {
        (1..=count).map(|i| format!("col{i}")).collect()
    } else {
        // SAFETY: the caller's array of `column_count` C strings (a read past it is reported
        // by Miri); a non-null entry is a C string from the caller, copied here.
        let names = unsafe {
            convert_each(column_names, count, |name| {
                (!name.is_null()).then(|| text(name, FUNC).to_string())
            })
        };
        match names {
            Some(names) => names,
            None => return ERROR,
        }
    };
    if out_appender.is_null() {
        fail(format_args!(
            "{FUNC}: NULL out_appender (DuckDB writes through it)"
        ));
    }
    // SAFETY: checked handle and string (copied).
    let (conn, query) = unsafe {
        (
            live(connection.cast::<ConnectionObj>(), CONNECTION, FUNC),
            text(query, FUNC),
        )
    };
    let target = Target::Query(QueryTarget {
        sql: query.to_string(),
        types: column_types,
        table_name: if table_name.is_empty() {
            "appended_data".to_string()
        } else {
            table_name.to_string()
        },
        column_names,
    });
    // Creating never fails once the arguments pass: DuckDB binds the query at each flush.
    let obj = AppenderObj::new(Some(Arc::clone(&conn.engine)), target, (0..count).collect());
    // SAFETY: non-null out-parameter (checked above).
    unsafe { *out_appender = adopt(APPENDER, obj).cast() };
    SUCCESS
}

/// # Safety
/// `appender` is an appender handle from the model (checked).
pub(super) unsafe fn appender_ref<'a>(
    appender: ffi::duckdb_appender,
    func: &str,
) -> &'a AppenderObj {
    // SAFETY: checked by the registry.
    unsafe { live(appender.cast::<AppenderObj>(), APPENDER, func) }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_appender_error_data(
    appender: ffi::duckdb_appender,
) -> ffi::duckdb_error_data {
    let error = if appender.is_null() {
        None
    } else {
        // SAFETY: checked handle.
        unsafe { appender_ref(appender, "duckdb_appender_error_data") }
            .error
            .borrow()
            .clone()
    };
    // Always a fresh, owned object (src/c_api.md, "appender" row).
    adopt(ERROR_DATA, ErrorDataObj { error }).cast()
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_appender_column_count(
    appender: ffi::duckdb_appender,
) -> ffi::idx_t {
    if appender.is_null() {
        return 0;
    }
    // SAFETY: checked handle.
    unsafe { appender_ref(appender, "duckdb_appender_column_count") }
        .columns
        .borrow()
        .len() as u64
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_appender_column_type(
    appender: ffi::duckdb_appender,
    col_idx: ffi::idx_t,
) -> ffi::duckdb_logical_type {
    if appender.is_null() {
        return ptr::null_mut();
    }
    // SAFETY: checked handle.
    let a = unsafe { appender_ref(appender, "duckdb_appender_column_type") };
    a.column_type(col_idx as usize)
        .map_or(ptr::null_mut(), new_logical_type)
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_appender_add_column(
    appender: ffi::duckdb_appender,
    name: *const c_char,
) -> ffi::duckdb_state {
    if appender.is_null() {
        return ERROR;
    }
    // SAFETY: checked handle and string.
    let (a, name) = unsafe {
        (
            appender_ref(appender, "duckdb_appender_add_column"),
            text(name, "duckdb_appender_add_column"),
        )
    };
    a.run(|_| {
        if let Some(state) = a.table_only("AddColumn") {
            return state;
        }
        let Some(index) = T_COLUMNS.iter().position(|c| *c == name) else {
            return a.fail(
                ffi::duckdb_error_type_DUCKDB_ERROR_BINDER,
                format!("Binder Error: the column \"{name}\" does not exist in table t"),
            );
        };
        if a.flush() != SUCCESS {
            return ERROR;
        }
        let mut columns = a.columns.borrow_mut();
        if columns.len() == T_COLUMNS.len() {
            columns.clear(); // the first added column replaces the default "all columns"
        }
        columns.push(index);
        SUCCESS
    })
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_appender_clear_columns(
    appender: ffi::duckdb_appender,
) -> ffi::duckdb_state {
    if appender.is_null() {
        return ERROR;
    }
    // SAFETY: checked handle.
    let a = unsafe { appender_ref(appender, "duckdb_appender_clear_columns") };
    a.run(|_| {
        if let Some(state) = a.table_only("ClearColumns") {
            return state;
        }
        if a.flush() != SUCCESS {
            return ERROR;
        }
        *a.columns.borrow_mut() = vec![0, 1];
        SUCCESS
    })
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_appender_end_row(
    appender: ffi::duckdb_appender,
) -> ffi::duckdb_state {
    if appender.is_null() {
        return ERROR;
    }
    // SAFETY: checked handle.
    let a = unsafe { appender_ref(appender, "duckdb_appender_end_row") };
    a.run(|_| {
        if a.row.borrow().len() != a.columns.borrow().len() {
            return a.invalid("Call to EndRow before all columns have been appended to!");
        }
        let row = std::mem::take(&mut *a.row.borrow_mut());
        a.buffer.borrow_mut().push(row);
        SUCCESS
    })
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_appender_flush(
    appender: ffi::duckdb_appender,
) -> ffi::duckdb_state {
    if appender.is_null() {
        return ERROR;
    }
    // SAFETY: checked handle.
    let a = unsafe { appender_ref(appender, "duckdb_appender_flush") };
    let state = a.flush();
    if state != SUCCESS {
        a.flush_failed.set(true);
    }
    state
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_appender_close(
    appender: ffi::duckdb_appender,
) -> ffi::duckdb_state {
    if appender.is_null() {
        return ERROR;
    }
    // SAFETY: checked handle.
    let a = unsafe { appender_ref(appender, "duckdb_appender_close") };
    // Close flushes only at a row boundary (BaseAppender::Close).
    let at_boundary = a.row.borrow().is_empty();
    let state = a.run(|_| if at_boundary { a.flush() } else { SUCCESS });
    if state != SUCCESS {
        a.flush_failed.set(true);
    }
    state
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_appender_clear(
    appender: ffi::duckdb_appender,
) -> ffi::duckdb_state {
    if appender.is_null() {
        return ERROR;
    }
    // SAFETY: checked handle.
    let a = unsafe { appender_ref(appender, "duckdb_appender_clear") };
    a.run(|_| {
        a.row.borrow_mut().clear();
        a.buffer.borrow_mut().clear();
        SUCCESS
    })
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_appender_destroy(
    appender: *mut ffi::duckdb_appender,
) -> ffi::duckdb_state {
    // SAFETY: the caller's pointer, per the destroy contract.
    if appender.is_null() || unsafe { (*appender).is_null() } {
        return ERROR;
    }
    // SAFETY: as above; destroy closes (flushes) first, as DuckDB does.
    unsafe {
        let mut state = duckdb_appender_close(*appender);
        if appender_ref(*appender, "duckdb_appender_destroy")
            .flush_failed
            .get()
        {
            state = ERROR;
        }
        destroy::<_, AppenderObj>(appender, APPENDER, "duckdb_appender_destroy");
        state
    }
}
