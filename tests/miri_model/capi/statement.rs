//! C API area: extracted and prepared statements, binding parameters, and prepared
//! statement metadata (`duckdb_prepare`, `duckdb_bind_*`, `duckdb_execute_prepared`, ...).

use super::database::{CONNECTION, ConnectionObj};
use super::engine::{Engine, cstring, normalize, parameter_count, prepare_error};
use super::logical_type::{duckdb_destroy_logical_type, duckdb_get_type_id, new_logical_type};
use super::registry::{ERROR, SUCCESS, adopt, destroy, fail, live, malloc_string, text};
use super::result::write_result;
use super::sql::run;
use super::ty::{Cell, Ty, simple};
use super::value::value_ref;
use crate as ffi;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::ffi::{CString, c_char, c_void};
use std::ptr;
use std::sync::Arc;

// ---------------------------------------------------------------------------------------------
// Extracted and prepared statements
// ---------------------------------------------------------------------------------------------

struct ExtractedObj {
    /// `None` once prepared (DuckDB moves the statement out).
    statements: RefCell<Vec<Option<String>>>,
    error: Option<CString>,
}
const EXTRACTED: &str = "extracted statements";

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_extract_statements(
    connection: ffi::duckdb_connection,
    query: *const c_char,
    out_extracted_statements: *mut ffi::duckdb_extracted_statements,
) -> ffi::idx_t {
    if connection.is_null() || query.is_null() || out_extracted_statements.is_null() {
        return 0;
    }
    // SAFETY: checked handle and C string.
    let sql = unsafe {
        live(
            connection.cast::<ConnectionObj>(),
            CONNECTION,
            "duckdb_extract_statements",
        );
        text(query, "duckdb_extract_statements")
    };
    let statements: Vec<&str> = sql
        .split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    let parse_error = statements.iter().find_map(|s| match prepare_error(s) {
        Some((ffi::duckdb_error_type_DUCKDB_ERROR_PARSER, message)) => Some(message),
        _ => None,
    });
    let obj = match parse_error {
        // Parsing fails as a whole: no statements, an error message.
        Some(message) => ExtractedObj {
            statements: RefCell::new(Vec::new()),
            error: Some(cstring(&message)),
        },
        None => ExtractedObj {
            statements: RefCell::new(
                statements
                    .into_iter()
                    .map(|s| Some(s.to_string()))
                    .collect(),
            ),
            error: None,
        },
    };
    let count = obj.statements.borrow().len() as u64;
    // SAFETY: non-null out-parameter; set on every path, as in DuckDB.
    unsafe { *out_extracted_statements = adopt(EXTRACTED, obj).cast() };
    count
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_extract_statements_error(
    extracted_statements: ffi::duckdb_extracted_statements,
) -> *const c_char {
    if extracted_statements.is_null() {
        return ptr::null();
    }
    // SAFETY: checked handle.
    let ex = unsafe {
        live(
            extracted_statements.cast::<ExtractedObj>(),
            EXTRACTED,
            "duckdb_extract_statements_error",
        )
    };
    ex.error.as_ref().map_or(ptr::null(), |e| e.as_ptr())
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_destroy_extracted(
    extracted_statements: *mut ffi::duckdb_extracted_statements,
) {
    // SAFETY: destroy contract of the C API.
    unsafe {
        destroy::<_, ExtractedObj>(extracted_statements, EXTRACTED, "duckdb_destroy_extracted")
    }
}

pub(super) struct PreparedObj {
    pub(super) engine: Arc<Engine>,
    pub(super) sql: String,
    pub(super) error: Option<CString>,
    pub(super) params: RefCell<Vec<Option<Cell>>>,
}
const PREPARED: &str = "prepared statement";

fn new_prepared(
    engine: &Arc<Engine>,
    sql: &str,
) -> (ffi::duckdb_prepared_statement, ffi::duckdb_state) {
    let error = prepare_error(sql).map(|(_, message)| cstring(&message));
    let state = if error.is_some() { ERROR } else { SUCCESS };
    let obj = PreparedObj {
        engine: Arc::clone(engine),
        sql: sql.to_string(),
        error,
        params: RefCell::new(vec![None; parameter_count(sql)]),
    };
    (adopt(PREPARED, obj).cast(), state)
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_prepare_extracted_statement(
    connection: ffi::duckdb_connection,
    extracted_statements: ffi::duckdb_extracted_statements,
    index: ffi::idx_t,
    out_prepared_statement: *mut ffi::duckdb_prepared_statement,
) -> ffi::duckdb_state {
    // SAFETY: checked handles.
    let (conn, ex) = unsafe {
        (
            live(
                connection.cast::<ConnectionObj>(),
                CONNECTION,
                "duckdb_prepare_extracted_statement",
            ),
            live(
                extracted_statements.cast::<ExtractedObj>(),
                EXTRACTED,
                "duckdb_prepare_extracted_statement",
            ),
        )
    };
    let mut statements = ex.statements.borrow_mut();
    if out_prepared_statement.is_null() || index as usize >= statements.len() {
        return ERROR;
    }
    let Some(sql) = statements[index as usize].take() else {
        fail(format_args!(
            "duckdb_prepare_extracted_statement: statement {index} was prepared already (DuckDB moved it out; \
             preparing it again dereferences NULL)"
        ))
    };
    let (stmt, state) = new_prepared(&conn.engine, &sql);
    // SAFETY: non-null out-parameter; set even when preparing fails, as in DuckDB.
    unsafe { *out_prepared_statement = stmt };
    state
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_prepare(
    connection: ffi::duckdb_connection,
    query: *const c_char,
    out_prepared_statement: *mut ffi::duckdb_prepared_statement,
) -> ffi::duckdb_state {
    if connection.is_null() || query.is_null() || out_prepared_statement.is_null() {
        return ERROR;
    }
    // SAFETY: checked handle and C string.
    let (conn, sql) = unsafe {
        (
            live(
                connection.cast::<ConnectionObj>(),
                CONNECTION,
                "duckdb_prepare",
            ),
            text(query, "duckdb_prepare"),
        )
    };
    let (stmt, state) = new_prepared(&conn.engine, sql);
    // SAFETY: non-null out-parameter; set even when preparing fails, as in DuckDB.
    unsafe { *out_prepared_statement = stmt };
    state
}

/// # Safety
/// `stmt` is a prepared statement handle from the model (checked).
pub(super) unsafe fn prepared_ref<'a>(
    stmt: ffi::duckdb_prepared_statement,
    func: &str,
) -> &'a PreparedObj {
    // SAFETY: checked by the registry.
    unsafe { live(stmt.cast::<PreparedObj>(), PREPARED, func) }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_prepare_error(
    prepared_statement: ffi::duckdb_prepared_statement,
) -> *const c_char {
    if prepared_statement.is_null() {
        return ptr::null();
    }
    // SAFETY: checked handle.
    let stmt = unsafe { prepared_ref(prepared_statement, "duckdb_prepare_error") };
    stmt.error.as_ref().map_or(ptr::null(), |e| e.as_ptr())
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_destroy_prepare(
    prepared_statement: *mut ffi::duckdb_prepared_statement,
) {
    // SAFETY: destroy contract of the C API.
    unsafe { destroy::<_, PreparedObj>(prepared_statement, PREPARED, "duckdb_destroy_prepare") }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_execute_prepared(
    prepared_statement: ffi::duckdb_prepared_statement,
    out_result: *mut ffi::duckdb_result,
) -> ffi::duckdb_state {
    if prepared_statement.is_null() {
        return ERROR;
    }
    // SAFETY: checked handle.
    let stmt = unsafe { prepared_ref(prepared_statement, "duckdb_execute_prepared") };
    if stmt.error.is_some() {
        return ERROR; // out_result not written, as in DuckDB
    }
    let outcome = run(&stmt.engine, &stmt.sql, &stmt.params.borrow());
    // SAFETY: out-parameter from the caller.
    unsafe { write_result(outcome, out_result) }
}

/// The model materialises every result, so streaming execution is plain execution.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_execute_prepared_streaming(
    prepared_statement: ffi::duckdb_prepared_statement,
    out_result: *mut ffi::duckdb_result,
) -> ffi::duckdb_state {
    // SAFETY: same contract as duckdb_execute_prepared.
    unsafe { duckdb_execute_prepared(prepared_statement, out_result) }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_nparams(
    prepared_statement: ffi::duckdb_prepared_statement,
) -> ffi::idx_t {
    if prepared_statement.is_null() {
        return 0;
    }
    // SAFETY: checked handle.
    let stmt = unsafe { prepared_ref(prepared_statement, "duckdb_nparams") };
    if stmt.error.is_some() {
        0
    } else {
        stmt.params.borrow().len() as u64
    }
}

/// Binds `cell` at 1-based `index`.
///
/// # Safety
/// `stmt` is a prepared statement handle from the model (checked).
pub(super) unsafe fn bind(
    stmt: ffi::duckdb_prepared_statement,
    index: ffi::idx_t,
    cell: Cell,
    func: &str,
) -> ffi::duckdb_state {
    if stmt.is_null() {
        return ERROR;
    }
    // SAFETY: checked handle.
    let stmt = unsafe { prepared_ref(stmt, func) };
    let mut params = stmt.params.borrow_mut();
    if index == 0 || index as usize > params.len() {
        return ERROR;
    }
    params[index as usize - 1] = Some(cell);
    SUCCESS
}

/// Binders of scalar values: each stores the value for the next execution.
macro_rules! binders {
    ($($name:ident($t:ty) => |$v:ident| $cell:expr;)*) => {$(
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn $name(
            prepared_statement: ffi::duckdb_prepared_statement,
            param_idx: ffi::idx_t,
            $v: $t,
        ) -> ffi::duckdb_state {
            // SAFETY: forwarded.
            unsafe { bind(prepared_statement, param_idx, $cell, stringify!($name)) }
        }
    )*};
}

binders! {
    duckdb_bind_boolean(bool) => |val| Cell::Bool(val);
    duckdb_bind_int8(i8) => |val| Cell::Int(val.into());
    duckdb_bind_int16(i16) => |val| Cell::Int(val.into());
    duckdb_bind_int32(i32) => |val| Cell::Int(val.into());
    duckdb_bind_int64(i64) => |val| Cell::Int(val.into());
    duckdb_bind_uint8(u8) => |val| Cell::Int(val.into());
    duckdb_bind_uint16(u16) => |val| Cell::Int(val.into());
    duckdb_bind_uint32(u32) => |val| Cell::Int(val.into());
    duckdb_bind_uint64(u64) => |val| Cell::Int(val.into());
    duckdb_bind_float(f32) => |val| Cell::Float(val.into());
    duckdb_bind_double(f64) => |val| Cell::Float(val);
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_bind_null(
    prepared_statement: ffi::duckdb_prepared_statement,
    param_idx: ffi::idx_t,
) -> ffi::duckdb_state {
    // SAFETY: forwarded.
    unsafe {
        bind(
            prepared_statement,
            param_idx,
            Cell::Null,
            "duckdb_bind_null",
        )
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_bind_varchar_length(
    prepared_statement: ffi::duckdb_prepared_statement,
    param_idx: ffi::idx_t,
    val: *const c_char,
    length: ffi::idx_t,
) -> ffi::duckdb_state {
    // SAFETY: the caller's bytes, copied.
    let bytes = unsafe { std::slice::from_raw_parts(val.cast::<u8>(), length as usize) }.to_vec();
    // SAFETY: forwarded.
    unsafe {
        bind(
            prepared_statement,
            param_idx,
            Cell::Text(bytes),
            "duckdb_bind_varchar_length",
        )
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_clear_bindings(
    prepared_statement: ffi::duckdb_prepared_statement,
) -> ffi::duckdb_state {
    if prepared_statement.is_null() {
        return ERROR;
    }
    // SAFETY: checked handle.
    let stmt = unsafe { prepared_ref(prepared_statement, "duckdb_clear_bindings") };
    stmt.params.borrow_mut().iter_mut().for_each(|p| *p = None);
    SUCCESS
}

// ---------------------------------------------------------------------------------------------
// Prepared statement metadata
// ---------------------------------------------------------------------------------------------

/// The result columns a canned statement would have, read by running it on a scratch engine
/// (canned statements have no side effects the metadata depends on).
fn statement_columns(stmt: &PreparedObj) -> Vec<(CString, Ty)> {
    let params: Vec<Option<Cell>> = vec![Some(Cell::Int(0)); stmt.params.borrow().len()];
    let scratch = Engine::default();
    scratch.tables().t = Some(BTreeMap::new());
    run(&scratch, &stmt.sql, &params).columns
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_param_type(
    prepared_statement: ffi::duckdb_prepared_statement,
    param_idx: ffi::idx_t,
) -> ffi::duckdb_type {
    // SAFETY: forwarded.
    let ty = unsafe { duckdb_param_logical_type(prepared_statement, param_idx) };
    if ty.is_null() {
        return ffi::DUCKDB_TYPE_DUCKDB_TYPE_INVALID;
    }
    let mut ty = ty;
    // SAFETY: a fresh type from the call above.
    unsafe {
        let id = duckdb_get_type_id(ty);
        duckdb_destroy_logical_type(&mut ty);
        id
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_param_logical_type(
    prepared_statement: ffi::duckdb_prepared_statement,
    param_idx: ffi::idx_t,
) -> ffi::duckdb_logical_type {
    if prepared_statement.is_null() {
        return ptr::null_mut();
    }
    // SAFETY: checked handle.
    let stmt = unsafe { prepared_ref(prepared_statement, "duckdb_param_logical_type") };
    let count = stmt.params.borrow().len() as u64;
    if param_idx == 0 || param_idx > count {
        return ptr::null_mut();
    }
    // Every canned parameter is cast to BIGINT.
    new_logical_type(simple(ffi::DUCKDB_TYPE_DUCKDB_TYPE_BIGINT))
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_parameter_name(
    prepared_statement: ffi::duckdb_prepared_statement,
    index: ffi::idx_t,
) -> *const c_char {
    if prepared_statement.is_null() {
        return ptr::null();
    }
    // SAFETY: checked handle.
    let stmt = unsafe { prepared_ref(prepared_statement, "duckdb_parameter_name") };
    let count = stmt.params.borrow().len() as u64;
    if index == 0 || index > count {
        return ptr::null();
    }
    // Declared const but strdup'd (src/c_api.md, "Strings"): malloc'd here too.
    malloc_string(&index.to_string())
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_bind_parameter_index(
    prepared_statement: ffi::duckdb_prepared_statement,
    param_idx_out: *mut ffi::idx_t,
    name: *const c_char,
) -> ffi::duckdb_state {
    if prepared_statement.is_null() || param_idx_out.is_null() || name.is_null() {
        return ERROR;
    }
    // SAFETY: checked handle and string.
    let (stmt, name) = unsafe {
        (
            prepared_ref(prepared_statement, "duckdb_bind_parameter_index"),
            text(name, "duckdb_bind_parameter_index"),
        )
    };
    match name.parse::<u64>() {
        Ok(i) if i >= 1 && i as usize <= stmt.params.borrow().len() => {
            // SAFETY: non-null out-parameter.
            unsafe { *param_idx_out = i };
            SUCCESS
        }
        _ => ERROR,
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_prepared_statement_column_count(
    prepared_statement: ffi::duckdb_prepared_statement,
) -> ffi::idx_t {
    if prepared_statement.is_null() {
        return 0;
    }
    // SAFETY: checked handle.
    let stmt =
        unsafe { prepared_ref(prepared_statement, "duckdb_prepared_statement_column_count") };
    if stmt.error.is_some() {
        0
    } else {
        statement_columns(stmt).len() as u64
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_prepared_statement_column_name(
    prepared_statement: ffi::duckdb_prepared_statement,
    col_idx: ffi::idx_t,
) -> *const c_char {
    if prepared_statement.is_null() {
        return ptr::null();
    }
    // SAFETY: checked handle.
    let stmt = unsafe { prepared_ref(prepared_statement, "duckdb_prepared_statement_column_name") };
    // Declared const but strdup'd (src/c_api.md, "Strings").
    statement_columns(stmt)
        .get(col_idx as usize)
        .map_or(ptr::null(), |(name, _)| {
            malloc_string(name.to_str().unwrap_or_default())
        })
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_prepared_statement_column_logical_type(
    prepared_statement: ffi::duckdb_prepared_statement,
    col_idx: ffi::idx_t,
) -> ffi::duckdb_logical_type {
    if prepared_statement.is_null() {
        return ptr::null_mut();
    }
    // SAFETY: checked handle.
    let stmt = unsafe {
        prepared_ref(
            prepared_statement,
            "duckdb_prepared_statement_column_logical_type",
        )
    };
    statement_columns(stmt)
        .get(col_idx as usize)
        .map_or(ptr::null_mut(), |(_, ty)| new_logical_type(ty.clone()))
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_prepared_statement_column_type(
    prepared_statement: ffi::duckdb_prepared_statement,
    col_idx: ffi::idx_t,
) -> ffi::duckdb_type {
    if prepared_statement.is_null() {
        return ffi::DUCKDB_TYPE_DUCKDB_TYPE_INVALID;
    }
    // SAFETY: checked handle.
    let stmt = unsafe { prepared_ref(prepared_statement, "duckdb_prepared_statement_column_type") };
    statement_columns(stmt)
        .get(col_idx as usize)
        .map_or(ffi::DUCKDB_TYPE_DUCKDB_TYPE_INVALID, |(_, ty)| ty.id())
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_prepared_statement_type(
    statement: ffi::duckdb_prepared_statement,
) -> ffi::duckdb_statement_type {
    if statement.is_null() {
        return ffi::duckdb_statement_type_DUCKDB_STATEMENT_TYPE_INVALID;
    }
    // SAFETY: checked handle.
    let stmt = unsafe { prepared_ref(statement, "duckdb_prepared_statement_type") };
    let sql = normalize(&stmt.sql).to_ascii_uppercase();
    if sql.starts_with("SELECT") {
        ffi::duckdb_statement_type_DUCKDB_STATEMENT_TYPE_SELECT
    } else if sql.starts_with("INSERT") {
        ffi::duckdb_statement_type_DUCKDB_STATEMENT_TYPE_INSERT
    } else if sql.starts_with("CREATE") {
        ffi::duckdb_statement_type_DUCKDB_STATEMENT_TYPE_CREATE
    } else {
        ffi::duckdb_statement_type_DUCKDB_STATEMENT_TYPE_INVALID
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_bind_blob(
    prepared_statement: ffi::duckdb_prepared_statement,
    param_idx: ffi::idx_t,
    data: *const c_void,
    length: ffi::idx_t,
) -> ffi::duckdb_state {
    // SAFETY: the caller's bytes, copied.
    let bytes = unsafe { std::slice::from_raw_parts(data.cast::<u8>(), length as usize) }.to_vec();
    // SAFETY: forwarded.
    unsafe {
        bind(
            prepared_statement,
            param_idx,
            Cell::Text(bytes),
            "duckdb_bind_blob",
        )
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_bind_value(
    prepared_statement: ffi::duckdb_prepared_statement,
    param_idx: ffi::idx_t,
    val: ffi::duckdb_value,
) -> ffi::duckdb_state {
    // SAFETY: checked handle; the value is copied, as DuckDB does.
    let cell = unsafe { value_ref(val, "duckdb_bind_value") }.cell.clone();
    // SAFETY: forwarded.
    unsafe { bind(prepared_statement, param_idx, cell, "duckdb_bind_value") }
}
