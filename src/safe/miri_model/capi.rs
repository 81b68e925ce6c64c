//! The C functions of the model (see the parent module).

#![allow(clippy::missing_safety_doc, clippy::not_unsafe_ptr_arg_deref)]

// Shared by the areas below.
mod engine;
mod registry;
mod storage;
mod ty;

use self::engine::{
    Engine, Outcome, cstring, insert, normalize, parameter_count, prepare_error, run,
};
use self::registry::{
    ERROR, SUCCESS, adopt, destroy, fail, free, live, malloc, malloc_string, registry, release,
    text,
};
use self::storage::{Buf, CHUNK, ChunkObj, VECTOR, VectorObj, all_valid, build_vector};
use self::ty::{Cell, Ty, simple};
use super::canned;
use crate as ffi;
use std::cell::{Cell as StdCell, RefCell};
use std::collections::BTreeMap;
use std::ffi::{CStr, CString, c_char, c_void};
use std::ptr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

// ---------------------------------------------------------------------------------------------
// Database, config, connection
// ---------------------------------------------------------------------------------------------

struct DatabaseObj {
    engine: Arc<Engine>,
}
const DATABASE: &str = "database";

struct ConfigObj {
    options: RefCell<Vec<(String, String)>>,
}
const CONFIG: &str = "config";

/// The options the model accepts, with descriptions (static, as DuckDB's are).
const OPTIONS: &[(&CStr, &CStr)] = &[
    (
        c"access_mode",
        c"Access mode of the database (AUTOMATIC, READ_ONLY or READ_WRITE)",
    ),
    (
        c"threads",
        c"The number of total threads used by the system.",
    ),
    (
        c"memory_limit",
        c"The maximum memory of the system (e.g. 1GB)",
    ),
    (
        c"max_memory",
        c"The maximum memory of the system (e.g. 1GB)",
    ),
    (
        c"default_order",
        c"The order type used when none is specified (ASC or DESC)",
    ),
    (
        c"temp_directory",
        c"Set the directory to which to write temp files",
    ),
];

struct ConnectionObj {
    engine: Arc<Engine>,
    interrupted: AtomicBool,
}
const CONNECTION: &str = "connection";

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_open(
    path: *const c_char,
    out_database: *mut ffi::duckdb_database,
) -> ffi::duckdb_state {
    // SAFETY: forwarded.
    unsafe { duckdb_open_ext(path, out_database, ptr::null_mut(), ptr::null_mut()) }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_open_ext(
    path: *const c_char,
    out_database: *mut ffi::duckdb_database,
    config: ffi::duckdb_config,
    out_error: *mut *mut c_char,
) -> ffi::duckdb_state {
    if out_database.is_null() {
        return ERROR;
    }
    // SAFETY: a C string from the caller (or null = in memory).
    let path = if path.is_null() {
        ""
    } else {
        unsafe { text(path, "duckdb_open_ext") }
    };
    let mut problem = None;
    if path.starts_with("/nonexistent/") {
        problem = Some(format!(
            "IO Error: Cannot open file \"{path}\": No such file or directory"
        ));
    }
    if !config.is_null() {
        // SAFETY: a config handle from duckdb_create_config (checked).
        let config = unsafe { live(config.cast::<ConfigObj>(), CONFIG, "duckdb_open_ext") };
        // duckdb_set_config keeps unknown names; opening rejects them (DuckDB v2.0.0,
        // DatabaseInstance::LoadExtensionSettings).
        let unknown: Vec<String> = config
            .options
            .borrow()
            .iter()
            .filter(|(name, _)| !OPTIONS.iter().any(|(n, _)| n.to_bytes() == name.as_bytes()))
            .map(|(name, _)| name.clone())
            .collect();
        if !unknown.is_empty() {
            problem = Some(format!(
                "Invalid Input Error: The following options were not recognized: {}",
                unknown.join(", ")
            ));
        }
    }
    if let Some(message) = problem {
        if !out_error.is_null() {
            // SAFETY: out_error points to a writable char* (caller's contract).
            unsafe { *out_error = malloc_string(&message) };
        }
        return ERROR; // *out_database untouched, as in DuckDB
    }
    let db = adopt(
        DATABASE,
        DatabaseObj {
            engine: Arc::new(Engine::default()),
        },
    );
    // SAFETY: checked non-null above.
    unsafe { *out_database = db.cast() };
    SUCCESS
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_close(database: *mut ffi::duckdb_database) {
    // SAFETY: destroy contract of the C API.
    unsafe { destroy::<_, DatabaseObj>(database, DATABASE, "duckdb_close") }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_create_config(
    out_config: *mut ffi::duckdb_config,
) -> ffi::duckdb_state {
    if out_config.is_null() {
        return ERROR;
    }
    let config = adopt(
        CONFIG,
        ConfigObj {
            options: RefCell::new(Vec::new()),
        },
    );
    // SAFETY: non-null out-parameter.
    unsafe { *out_config = config.cast() };
    SUCCESS
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_set_config(
    config: ffi::duckdb_config,
    name: *const c_char,
    option: *const c_char,
) -> ffi::duckdb_state {
    // SAFETY: handle and strings from the caller, checked.
    let (config, name, option) = unsafe {
        (
            live(config.cast::<ConfigObj>(), CONFIG, "duckdb_set_config"),
            text(name, "duckdb_set_config"),
            text(option, "duckdb_set_config"),
        )
    };
    // A known option's value is converted now (a bad one is an error); an unknown name is kept
    // and rejected by duckdb_open_ext, as DuckDB v2.0.0 does.
    if name == "threads" && option.parse::<u64>().is_err() {
        return ERROR;
    }
    config
        .options
        .borrow_mut()
        .push((name.to_string(), option.to_string()));
    SUCCESS
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_destroy_config(config: *mut ffi::duckdb_config) {
    // SAFETY: destroy contract of the C API.
    unsafe { destroy::<_, ConfigObj>(config, CONFIG, "duckdb_destroy_config") }
}

#[unsafe(no_mangle)]
pub extern "C" fn duckdb_config_count() -> usize {
    OPTIONS.len()
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_get_config_flag(
    index: usize,
    out_name: *mut *const c_char,
    out_description: *mut *const c_char,
) -> ffi::duckdb_state {
    let Some((name, description)) = OPTIONS.get(index) else {
        return ERROR;
    };
    // SAFETY: out-parameters from the caller; the strings are static.
    unsafe {
        if !out_name.is_null() {
            *out_name = name.as_ptr();
        }
        if !out_description.is_null() {
            *out_description = description.as_ptr();
        }
    }
    SUCCESS
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_connect(
    database: ffi::duckdb_database,
    out_connection: *mut ffi::duckdb_connection,
) -> ffi::duckdb_state {
    if database.is_null() || out_connection.is_null() {
        return ERROR;
    }
    // SAFETY: checked handle.
    let db = unsafe { live(database.cast::<DatabaseObj>(), DATABASE, "duckdb_connect") };
    // The connection shares the engine: it outlives duckdb_close, as in DuckDB.
    let conn = adopt(
        CONNECTION,
        ConnectionObj {
            engine: Arc::clone(&db.engine),
            interrupted: AtomicBool::new(false),
        },
    );
    // SAFETY: non-null out-parameter.
    unsafe { *out_connection = conn.cast() };
    SUCCESS
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_disconnect(connection: *mut ffi::duckdb_connection) {
    // SAFETY: destroy contract of the C API.
    unsafe { destroy::<_, ConnectionObj>(connection, CONNECTION, "duckdb_disconnect") }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_interrupt(connection: ffi::duckdb_connection) {
    if connection.is_null() {
        return;
    }
    // SAFETY: checked handle.
    let conn = unsafe {
        live(
            connection.cast::<ConnectionObj>(),
            CONNECTION,
            "duckdb_interrupt",
        )
    };
    conn.interrupted.store(true, Ordering::SeqCst);
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_query_progress(
    connection: ffi::duckdb_connection,
) -> ffi::duckdb_query_progress_type {
    if !connection.is_null() {
        // SAFETY: checked handle.
        unsafe {
            live(
                connection.cast::<ConnectionObj>(),
                CONNECTION,
                "duckdb_query_progress",
            )
        };
    }
    // Nothing ever runs concurrently in the model.
    ffi::duckdb_query_progress_type {
        percentage: -1.0,
        rows_processed: 0,
        total_rows_to_process: 0,
    }
}

// ---------------------------------------------------------------------------------------------
// Results
// ---------------------------------------------------------------------------------------------

struct ResultObj {
    outcome: Outcome,
    next_row: StdCell<usize>,
}
const RESULT: &str = "result";

/// Fills `out` as DuckDB does: zeroed, then the internal data, even for an error.
///
/// # Safety
/// `out` is null or points to a writable `duckdb_result`.
unsafe fn write_result(outcome: Outcome, out: *mut ffi::duckdb_result) -> ffi::duckdb_state {
    let failed = outcome.error.is_some();
    if out.is_null() {
        return if failed { ERROR } else { SUCCESS };
    }
    let column_count = outcome.columns.len() as u64;
    let rows_changed = outcome.rows_changed;
    let data = adopt(
        RESULT,
        ResultObj {
            outcome,
            next_row: StdCell::new(0),
        },
    );
    // SAFETY: writable per the contract; `data` is live.
    unsafe {
        ptr::write_bytes(out, 0, 1);
        (*out).internal_data = data.cast();
        if let Some((message, _)) = &(*data).outcome.error {
            (*out).deprecated_error_message = message.as_ptr().cast_mut();
            return ERROR;
        }
        (*out).deprecated_column_count = column_count;
        (*out).deprecated_rows_changed = rows_changed;
    }
    SUCCESS
}

/// The live result data behind a `duckdb_result`, or `None` for a zeroed struct.
///
/// # Safety
/// `result` is null or points to a `duckdb_result`.
unsafe fn result_data<'a>(result: *const ffi::duckdb_result, func: &str) -> Option<&'a ResultObj> {
    if result.is_null() {
        return None;
    }
    // SAFETY: per the contract.
    let internal = unsafe { (*result).internal_data };
    if internal.is_null() {
        return None;
    }
    // SAFETY: internal data is only ever set by write_result (checked by the registry).
    Some(unsafe { live(internal.cast::<ResultObj>(), RESULT, func) })
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_query(
    connection: ffi::duckdb_connection,
    query: *const c_char,
    out_result: *mut ffi::duckdb_result,
) -> ffi::duckdb_state {
    // SAFETY: checked handle and C string.
    let (conn, sql) = unsafe {
        (
            live(
                connection.cast::<ConnectionObj>(),
                CONNECTION,
                "duckdb_query",
            ),
            text(query, "duckdb_query"),
        )
    };
    // A pending interrupt is cleared when the next statement starts.
    conn.interrupted.store(false, Ordering::SeqCst);
    // Several statements: run them in order, the result is the last one's (or the first error).
    let statements: Vec<&str> = sql
        .split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if statements
        .iter()
        .any(|s| prepare_error(s).is_some() && parameter_count(s) == 0)
    {
        let (code, message) = statements
            .iter()
            .find_map(|s| prepare_error(s))
            .unwrap_or_else(|| unreachable!());
        // SAFETY: out-parameter from the caller.
        return unsafe { write_result(Outcome::error(code, message), out_result) };
    }
    let mut outcome = Outcome::error(
        ffi::duckdb_error_type_DUCKDB_ERROR_INVALID,
        "No statement to prepare!".into(),
    );
    for statement in statements {
        if parameter_count(statement) > 0 {
            outcome = Outcome::error(
                ffi::duckdb_error_type_DUCKDB_ERROR_INVALID_INPUT,
                "Invalid Input Error: Values were not provided for prepared statement parameters"
                    .into(),
            );
            break;
        }
        outcome = run(&conn.engine, statement, &[]);
        if outcome.error.is_some() {
            break;
        }
    }
    // SAFETY: out-parameter from the caller.
    unsafe { write_result(outcome, out_result) }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_destroy_result(result: *mut ffi::duckdb_result) {
    if result.is_null() {
        fail(format_args!(
            "duckdb_destroy_result: NULL pointer (DuckDB dereferences it)"
        ));
    }
    // SAFETY: points to a duckdb_result per the C API's contract.
    unsafe {
        let internal = (*result).internal_data;
        if !internal.is_null() {
            release(
                internal.cast::<ResultObj>(),
                RESULT,
                "duckdb_destroy_result",
            );
        }
        ptr::write_bytes(result, 0, 1);
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_column_count(result: *mut ffi::duckdb_result) -> ffi::idx_t {
    // SAFETY: the caller's result.
    unsafe { result_data(result, "duckdb_column_count") }
        .map_or(0, |r| r.outcome.columns.len() as u64)
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_column_name(
    result: *mut ffi::duckdb_result,
    col: ffi::idx_t,
) -> *const c_char {
    // SAFETY: the caller's result.
    let Some(r) = (unsafe { result_data(result, "duckdb_column_name") }) else {
        return ptr::null();
    };
    // Borrowed: lives as long as the result.
    r.outcome
        .columns
        .get(col as usize)
        .map_or(ptr::null(), |(name, _)| name.as_ptr())
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_column_type(
    result: *mut ffi::duckdb_result,
    col: ffi::idx_t,
) -> ffi::duckdb_type {
    // SAFETY: the caller's result.
    let Some(r) = (unsafe { result_data(result, "duckdb_column_type") }) else {
        return ffi::DUCKDB_TYPE_DUCKDB_TYPE_INVALID;
    };
    r.outcome
        .columns
        .get(col as usize)
        .map_or(ffi::DUCKDB_TYPE_DUCKDB_TYPE_INVALID, |(_, ty)| ty.id())
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_column_logical_type(
    result: *mut ffi::duckdb_result,
    col: ffi::idx_t,
) -> ffi::duckdb_logical_type {
    // SAFETY: the caller's result.
    let Some(r) = (unsafe { result_data(result, "duckdb_column_logical_type") }) else {
        return ptr::null_mut();
    };
    match r.outcome.columns.get(col as usize) {
        Some((_, ty)) => new_logical_type(ty.clone()),
        None => ptr::null_mut(),
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_rows_changed(result: *mut ffi::duckdb_result) -> ffi::idx_t {
    // SAFETY: the caller's result.
    unsafe { result_data(result, "duckdb_rows_changed") }.map_or(0, |r| r.outcome.rows_changed)
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_result_statement_type(
    result: ffi::duckdb_result,
) -> ffi::duckdb_statement_type {
    // SAFETY: a copy of the caller's result struct, read only.
    unsafe { result_data(&result, "duckdb_result_statement_type") }.map_or(
        ffi::duckdb_statement_type_DUCKDB_STATEMENT_TYPE_INVALID,
        |r| r.outcome.statement_type,
    )
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_result_error(result: *mut ffi::duckdb_result) -> *const c_char {
    // SAFETY: the caller's result.
    let Some(r) = (unsafe { result_data(result, "duckdb_result_error") }) else {
        return ptr::null();
    };
    r.outcome
        .error
        .as_ref()
        .map_or(ptr::null(), |(message, _)| message.as_ptr())
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_result_error_type(
    result: *mut ffi::duckdb_result,
) -> ffi::duckdb_error_type {
    // SAFETY: the caller's result.
    let Some(r) = (unsafe { result_data(result, "duckdb_result_error_type") }) else {
        return ffi::duckdb_error_type_DUCKDB_ERROR_INVALID;
    };
    r.outcome
        .error
        .as_ref()
        .map_or(ffi::duckdb_error_type_DUCKDB_ERROR_INVALID, |(_, code)| {
            *code
        })
}

/// Rows per fetched chunk (DuckDB's standard vector size).
const VECTOR_SIZE: usize = 2048;

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_fetch_chunk(result: ffi::duckdb_result) -> ffi::duckdb_data_chunk {
    // SAFETY: a copy of the caller's result struct; the data it points to is shared.
    let Some(r) = (unsafe { result_data(&result, "duckdb_fetch_chunk") }) else {
        return ptr::null_mut();
    };
    if r.outcome.error.is_some() {
        return ptr::null_mut();
    }
    let start = r.next_row.get();
    let end = (start + VECTOR_SIZE).min(r.outcome.row_count());
    if start >= end {
        return ptr::null_mut();
    }
    r.next_row.set(end);
    let vectors = r
        .outcome
        .columns
        .iter()
        .zip(&r.outcome.data)
        .map(|((_, ty), cells)| build_vector(ty, &cells[start..end]));
    let chunk = ChunkObj {
        vectors: vectors.collect(),
        size: StdCell::new(end - start),
    };
    adopt(CHUNK, chunk).cast()
}

// ---------------------------------------------------------------------------------------------
// Data chunks and vectors
// ---------------------------------------------------------------------------------------------

/// # Safety
/// `chunk` is a chunk handle from the model (checked).
unsafe fn chunk_ref<'a>(chunk: ffi::duckdb_data_chunk, func: &str) -> &'a ChunkObj {
    // SAFETY: checked by the registry.
    unsafe { live(chunk.cast::<ChunkObj>(), CHUNK, func) }
}

/// # Safety
/// `vector` is a vector handle from the model (checked).
unsafe fn vector_ref<'a>(vector: ffi::duckdb_vector, func: &str) -> &'a VectorObj {
    // SAFETY: checked by the registry.
    unsafe { live(vector.cast::<VectorObj>(), VECTOR, func) }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_destroy_data_chunk(chunk: *mut ffi::duckdb_data_chunk) {
    // SAFETY: destroy contract of the C API.
    unsafe { destroy::<_, ChunkObj>(chunk, CHUNK, "duckdb_destroy_data_chunk") }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_data_chunk_get_size(chunk: ffi::duckdb_data_chunk) -> ffi::idx_t {
    // SAFETY: checked handle.
    unsafe { chunk_ref(chunk, "duckdb_data_chunk_get_size") }
        .size
        .get() as u64
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_data_chunk_get_column_count(
    chunk: ffi::duckdb_data_chunk,
) -> ffi::idx_t {
    // SAFETY: checked handle.
    unsafe { chunk_ref(chunk, "duckdb_data_chunk_get_column_count") }
        .vectors
        .len() as u64
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_data_chunk_get_vector(
    chunk: ffi::duckdb_data_chunk,
    col_idx: ffi::idx_t,
) -> ffi::duckdb_vector {
    // SAFETY: checked handle.
    let chunk = unsafe { chunk_ref(chunk, "duckdb_data_chunk_get_vector") };
    chunk
        .vectors
        .get(col_idx as usize)
        .map_or(ptr::null_mut(), |v| v.cast())
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_vector_get_column_type(
    vector: ffi::duckdb_vector,
) -> ffi::duckdb_logical_type {
    // SAFETY: checked handle.
    let v = unsafe { vector_ref(vector, "duckdb_vector_get_column_type") };
    new_logical_type(v.ty.clone())
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_vector_get_data(vector: ffi::duckdb_vector) -> *mut c_void {
    // SAFETY: checked handle.
    let v = unsafe { vector_ref(vector, "duckdb_vector_get_data") };
    if v.ty.width() == 0 {
        ptr::null_mut()
    } else {
        v.data.ptr.cast()
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_vector_get_validity(vector: ffi::duckdb_vector) -> *mut u64 {
    // SAFETY: checked handle.
    let v = unsafe { vector_ref(vector, "duckdb_vector_get_validity") };
    v.validity
        .borrow()
        .as_ref()
        .map_or(ptr::null_mut(), |b| b.ptr.cast())
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_validity_row_is_valid(validity: *mut u64, row: ffi::idx_t) -> bool {
    if validity.is_null() {
        return true;
    }
    let row = row as usize;
    // SAFETY: the caller's mask; a row outside it is an out-of-bounds read Miri reports.
    unsafe { *validity.add(row / 64) & (1u64 << (row % 64)) != 0 }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_list_vector_get_child(
    vector: ffi::duckdb_vector,
) -> ffi::duckdb_vector {
    // SAFETY: checked handle.
    let v = unsafe { vector_ref(vector, "duckdb_list_vector_get_child") };
    match v.ty {
        Ty::List(_) | Ty::Map(..) => v.children[0].cast(),
        _ => ptr::null_mut(),
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_list_vector_get_size(vector: ffi::duckdb_vector) -> ffi::idx_t {
    // SAFETY: checked handle.
    let v = unsafe { vector_ref(vector, "duckdb_list_vector_get_size") };
    match v.ty {
        Ty::List(_) | Ty::Map(..) => v.list_size.get() as u64,
        _ => 0,
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_struct_vector_get_child(
    vector: ffi::duckdb_vector,
    index: ffi::idx_t,
) -> ffi::duckdb_vector {
    // SAFETY: checked handle.
    let v = unsafe { vector_ref(vector, "duckdb_struct_vector_get_child") };
    match v.ty {
        Ty::Struct(_) | Ty::Union(_) => v.children.get(index as usize).map_or_else(
            || {
                fail(format_args!(
                    "duckdb_struct_vector_get_child: child {index} of a struct with {} children (DuckDB does not \
                     check: out-of-bounds read)",
                    v.children.len()
                ))
            },
            |c| c.cast(),
        ),
        _ => ptr::null_mut(),
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_array_vector_get_child(
    vector: ffi::duckdb_vector,
) -> ffi::duckdb_vector {
    // SAFETY: checked handle.
    let v = unsafe { vector_ref(vector, "duckdb_array_vector_get_child") };
    match v.ty {
        Ty::Array(..) => v.children[0].cast(),
        _ => ptr::null_mut(),
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_string_is_inlined(string: ffi::duckdb_string_t) -> bool {
    // SAFETY: length is the first field of both union members.
    unsafe { string.value.inlined.length <= 12 }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_string_t_length(string: ffi::duckdb_string_t) -> u32 {
    // SAFETY: length is the first field of both union members.
    unsafe { string.value.inlined.length }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_string_t_data(string: *mut ffi::duckdb_string_t) -> *const c_char {
    // SAFETY: the caller's string, read in place: inlined strings point into the struct itself.
    unsafe {
        if (*string).value.inlined.length <= 12 {
            (*string).value.inlined.inlined.as_ptr()
        } else {
            (*string).value.pointer.ptr
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Logical types
// ---------------------------------------------------------------------------------------------

struct LogicalTypeObj {
    ty: Ty,
}
const LOGICAL_TYPE: &str = "logical type";

fn new_logical_type(ty: Ty) -> ffi::duckdb_logical_type {
    adopt(LOGICAL_TYPE, LogicalTypeObj { ty }).cast()
}

/// # Safety
/// `ty` is a logical type handle from the model (checked).
unsafe fn type_ref<'a>(ty: ffi::duckdb_logical_type, func: &str) -> &'a Ty {
    // Owned types and the ones a value lends (duckdb_get_value_type) read alike.
    let borrowed = registry().get(&ty.addr()) == Some(&BORROWED_TYPE);
    let kind = if borrowed {
        BORROWED_TYPE
    } else {
        LOGICAL_TYPE
    };
    // SAFETY: checked by the registry.
    &unsafe { live(ty.cast::<LogicalTypeObj>(), kind, func) }.ty
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_get_type_id(type_: ffi::duckdb_logical_type) -> ffi::duckdb_type {
    if type_.is_null() {
        return ffi::DUCKDB_TYPE_DUCKDB_TYPE_INVALID;
    }
    // SAFETY: checked handle.
    unsafe { type_ref(type_, "duckdb_get_type_id") }.id()
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_destroy_logical_type(type_: *mut ffi::duckdb_logical_type) {
    // SAFETY: destroy contract of the C API.
    unsafe { destroy::<_, LogicalTypeObj>(type_, LOGICAL_TYPE, "duckdb_destroy_logical_type") }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_create_logical_type(
    type_: ffi::duckdb_type,
) -> ffi::duckdb_logical_type {
    new_logical_type(Ty::Simple(type_))
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_list_type_child_type(
    type_: ffi::duckdb_logical_type,
) -> ffi::duckdb_logical_type {
    // SAFETY: checked handle.
    match unsafe { type_ref(type_, "duckdb_list_type_child_type") } {
        Ty::List(child) => new_logical_type((**child).clone()),
        map @ Ty::Map(..) => new_logical_type(Ty::Struct(map.struct_fields().unwrap_or_default())),
        _ => ptr::null_mut(),
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_struct_type_child_count(
    type_: ffi::duckdb_logical_type,
) -> ffi::idx_t {
    // SAFETY: checked handle.
    let ty = unsafe { type_ref(type_, "duckdb_struct_type_child_count") };
    match ty {
        Ty::Struct(_) | Ty::Union(_) => ty.struct_fields().unwrap_or_default().len() as u64,
        _ => 0,
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_struct_type_child_name(
    type_: ffi::duckdb_logical_type,
    index: ffi::idx_t,
) -> *mut c_char {
    // SAFETY: checked handle.
    match unsafe { type_ref(type_, "duckdb_struct_type_child_name") }.struct_fields() {
        // Owned by the caller: malloc'd, released with duckdb_free.
        Some(fields) => fields
            .get(index as usize)
            .map_or(ptr::null_mut(), |(name, _)| malloc_string(name)),
        _ => ptr::null_mut(),
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_struct_type_child_type(
    type_: ffi::duckdb_logical_type,
    index: ffi::idx_t,
) -> ffi::duckdb_logical_type {
    // SAFETY: checked handle.
    match unsafe { type_ref(type_, "duckdb_struct_type_child_type") }.struct_fields() {
        Some(fields) => fields
            .get(index as usize)
            .map_or(ptr::null_mut(), |(_, ty)| new_logical_type(ty.clone())),
        _ => ptr::null_mut(),
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_logical_type_get_alias(
    type_: ffi::duckdb_logical_type,
) -> *mut c_char {
    // SAFETY: checked handle.
    unsafe { type_ref(type_, "duckdb_logical_type_get_alias") };
    ptr::null_mut() // no canned type has an alias
}

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

struct PreparedObj {
    engine: Arc<Engine>,
    sql: String,
    error: Option<CString>,
    params: RefCell<Vec<Option<Cell>>>,
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
unsafe fn prepared_ref<'a>(stmt: ffi::duckdb_prepared_statement, func: &str) -> &'a PreparedObj {
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
unsafe fn bind(
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
// Handles the safe layer only destroys (so far)
// ---------------------------------------------------------------------------------------------

/// Memory for `duckdb_free`: C `malloc`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_malloc(size: usize) -> *mut c_void {
    // SAFETY: plain malloc.
    unsafe { malloc(size) }
}

/// `duckdb_free` is C `free`: handing it anything not from `malloc` is an error Miri reports.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_free(ptr: *mut c_void) {
    // SAFETY: the caller's contract (a malloc'd pointer or null).
    unsafe { free(ptr) }
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
    // Declared const but strdup'd (capi-ownership.md, "Strings"): malloc'd here too.
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
    // Declared const but strdup'd (capi-ownership.md, "Strings").
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

// ---------------------------------------------------------------------------------------------
// Pending results
// ---------------------------------------------------------------------------------------------

struct PendingObj {
    /// Taken by duckdb_execute_pending.
    outcome: RefCell<Option<Outcome>>,
    /// What duckdb_pending_error returns ("" when there is no error, as in DuckDB).
    error: CString,
}
const PENDING: &str = "pending result";

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_pending_prepared(
    prepared_statement: ffi::duckdb_prepared_statement,
    out_result: *mut ffi::duckdb_pending_result,
) -> ffi::duckdb_state {
    if prepared_statement.is_null() || out_result.is_null() {
        return ERROR;
    }
    // SAFETY: checked handle.
    let stmt = unsafe { prepared_ref(prepared_statement, "duckdb_pending_prepared") };
    let outcome = match &stmt.error {
        Some(message) => Outcome::error(
            ffi::duckdb_error_type_DUCKDB_ERROR_INVALID,
            message.to_string_lossy().into(),
        ),
        None => run(&stmt.engine, &stmt.sql, &stmt.params.borrow()),
    };
    let error = outcome
        .error
        .as_ref()
        .map_or_else(|| cstring(""), |(m, _)| m.clone());
    let failed = outcome.error.is_some();
    let pending = adopt(
        PENDING,
        PendingObj {
            outcome: RefCell::new(Some(outcome)),
            error,
        },
    );
    // SAFETY: non-null out-parameter; set on failure too, as in DuckDB.
    unsafe { *out_result = pending.cast() };
    if failed { ERROR } else { SUCCESS }
}

/// # Safety
/// `pending` is a pending result handle from the model (checked).
unsafe fn pending_ref<'a>(pending: ffi::duckdb_pending_result, func: &str) -> &'a PendingObj {
    // SAFETY: checked by the registry.
    unsafe { live(pending.cast::<PendingObj>(), PENDING, func) }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_destroy_pending(pending_result: *mut ffi::duckdb_pending_result) {
    // SAFETY: destroy contract of the C API.
    unsafe { destroy::<_, PendingObj>(pending_result, PENDING, "duckdb_destroy_pending") }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_pending_error(
    pending_result: ffi::duckdb_pending_result,
) -> *const c_char {
    if pending_result.is_null() {
        return ptr::null();
    }
    // SAFETY: checked handle.
    let pending = unsafe { pending_ref(pending_result, "duckdb_pending_error") };
    if pending.outcome.borrow().is_none() {
        return ptr::null(); // consumed by duckdb_execute_pending
    }
    pending.error.as_ptr()
}

fn pending_state(pending: &PendingObj) -> ffi::duckdb_pending_state {
    match &*pending.outcome.borrow() {
        Some(outcome) if outcome.error.is_none() => {
            ffi::duckdb_pending_state_DUCKDB_PENDING_RESULT_READY
        }
        _ => ffi::duckdb_pending_state_DUCKDB_PENDING_ERROR,
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_pending_execute_task(
    pending_result: ffi::duckdb_pending_result,
) -> ffi::duckdb_pending_state {
    if pending_result.is_null() {
        return ffi::duckdb_pending_state_DUCKDB_PENDING_ERROR;
    }
    // SAFETY: checked handle.
    pending_state(unsafe { pending_ref(pending_result, "duckdb_pending_execute_task") })
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_pending_execute_check_state(
    pending_result: ffi::duckdb_pending_result,
) -> ffi::duckdb_pending_state {
    if pending_result.is_null() {
        return ffi::duckdb_pending_state_DUCKDB_PENDING_ERROR;
    }
    // SAFETY: checked handle.
    pending_state(unsafe { pending_ref(pending_result, "duckdb_pending_execute_check_state") })
}

#[unsafe(no_mangle)]
pub extern "C" fn duckdb_pending_execution_is_finished(
    pending_state: ffi::duckdb_pending_state,
) -> bool {
    pending_state == ffi::duckdb_pending_state_DUCKDB_PENDING_RESULT_READY
        || pending_state == ffi::duckdb_pending_state_DUCKDB_PENDING_ERROR
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_execute_pending(
    pending_result: ffi::duckdb_pending_result,
    out_result: *mut ffi::duckdb_result,
) -> ffi::duckdb_state {
    if pending_result.is_null() || out_result.is_null() {
        return ERROR;
    }
    // SAFETY: checked handle; out_result is writable per the contract.
    unsafe {
        ptr::write_bytes(out_result, 0, 1);
        let pending = pending_ref(pending_result, "duckdb_execute_pending");
        let Some(outcome) = pending.outcome.borrow_mut().take() else {
            return ERROR;
        };
        write_result(outcome, out_result)
    }
}

// ---------------------------------------------------------------------------------------------
// Error data
// ---------------------------------------------------------------------------------------------

struct ErrorDataObj {
    error: Option<(CString, ffi::duckdb_error_type)>,
}
const ERROR_DATA: &str = "error data";

/// # Safety
/// `data` is an error data handle from the model (checked).
unsafe fn error_data_ref<'a>(data: ffi::duckdb_error_data, func: &str) -> &'a ErrorDataObj {
    // SAFETY: checked by the registry.
    unsafe { live(data.cast::<ErrorDataObj>(), ERROR_DATA, func) }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_error_data_has_error(error_data: ffi::duckdb_error_data) -> bool {
    // SAFETY: checked handle.
    !error_data.is_null()
        && unsafe { error_data_ref(error_data, "duckdb_error_data_has_error") }
            .error
            .is_some()
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_error_data_error_type(
    error_data: ffi::duckdb_error_data,
) -> ffi::duckdb_error_type {
    if error_data.is_null() {
        return ffi::duckdb_error_type_DUCKDB_ERROR_INVALID;
    }
    // SAFETY: checked handle.
    let data = unsafe { error_data_ref(error_data, "duckdb_error_data_error_type") };
    data.error
        .as_ref()
        .map_or(ffi::duckdb_error_type_DUCKDB_ERROR_INVALID, |(_, code)| {
            *code
        })
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_error_data_message(
    error_data: ffi::duckdb_error_data,
) -> *const c_char {
    if error_data.is_null() {
        return ptr::null();
    }
    // SAFETY: checked handle; the message is borrowed from the error data.
    let data = unsafe { error_data_ref(error_data, "duckdb_error_data_message") };
    data.error
        .as_ref()
        .map_or(c"".as_ptr(), |(m, _)| m.as_ptr())
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_destroy_error_data(error_data: *mut ffi::duckdb_error_data) {
    // SAFETY: destroy contract of the C API.
    unsafe { destroy::<_, ErrorDataObj>(error_data, ERROR_DATA, "duckdb_destroy_error_data") }
}

// ---------------------------------------------------------------------------------------------
// Appender (for the canned table `t(x INTEGER PRIMARY KEY, s VARCHAR)`, directly or through
// the canned query `canned::APPEND_QUERY_T`)
// ---------------------------------------------------------------------------------------------

struct AppenderObj {
    /// `None` when creating the appender failed.
    engine: Option<Arc<Engine>>,
    target: Target,
    /// Active columns (indexes into t's columns, or into a query appender's columns).
    columns: RefCell<Vec<usize>>,
    row: RefCell<Vec<Cell>>,
    buffer: RefCell<Vec<Vec<Cell>>>,
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
    fn table_only(&self, what: &str) -> Option<ffi::duckdb_state> {
        matches!(self.target, Target::Query(_)).then(|| {
            self.fail(
                ffi::duckdb_error_type_DUCKDB_ERROR_NOT_IMPLEMENTED,
                format!(
                    "Not implemented Error: {what} is only supported when directly appending to a table"
                ),
            )
        })
    }

    fn invalid(&self, message: &str) -> ffi::duckdb_state {
        self.fail(
            ffi::duckdb_error_type_DUCKDB_ERROR_INVALID_INPUT,
            format!("Invalid Input Error: {message}"),
        )
    }

    /// Runs `f` on a valid appender, as duckdb_appender_run_function does.
    fn run(&self, f: impl FnOnce(&Engine) -> ffi::duckdb_state) -> ffi::duckdb_state {
        match &self.engine {
            Some(engine) => f(engine),
            None => self.fail(
                ffi::duckdb_error_type_DUCKDB_ERROR_INVALID,
                "not a valid appender".into(),
            ),
        }
    }

    fn append(&self, cell: Cell) -> ffi::duckdb_state {
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
unsafe fn appender_ref<'a>(appender: ffi::duckdb_appender, func: &str) -> &'a AppenderObj {
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
    // Always a fresh, owned object (capi-ownership.md, "appender" row).
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

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_append_default(
    appender: ffi::duckdb_appender,
) -> ffi::duckdb_state {
    if appender.is_null() {
        return ERROR;
    }
    // SAFETY: checked handle.
    let a = unsafe { appender_ref(appender, "duckdb_append_default") };
    // Both columns of t default to NULL; a query appender's columns have no default.
    a.table_only("AppendDefault")
        .unwrap_or_else(|| a.append(Cell::Null))
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_append_null(appender: ffi::duckdb_appender) -> ffi::duckdb_state {
    if appender.is_null() {
        return ERROR;
    }
    // SAFETY: checked handle.
    unsafe { appender_ref(appender, "duckdb_append_null") }.append(Cell::Null)
}

/// Appenders of scalar values.
macro_rules! appenders {
    ($($name:ident($t:ty) => |$v:ident| $cell:expr;)*) => {$(
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn $name(appender: ffi::duckdb_appender, $v: $t) -> ffi::duckdb_state {
            if appender.is_null() {
                return ERROR;
            }
            // SAFETY: checked handle.
            unsafe { appender_ref(appender, stringify!($name)) }.append($cell)
        }
    )*};
}

appenders! {
    duckdb_append_bool(bool) => |value| Cell::Bool(value);
    duckdb_append_int8(i8) => |value| Cell::Int(value.into());
    duckdb_append_int16(i16) => |value| Cell::Int(value.into());
    duckdb_append_int32(i32) => |value| Cell::Int(value.into());
    duckdb_append_int64(i64) => |value| Cell::Int(value.into());
    duckdb_append_uint8(u8) => |value| Cell::Int(value.into());
    duckdb_append_uint16(u16) => |value| Cell::Int(value.into());
    duckdb_append_uint32(u32) => |value| Cell::Int(value.into());
    duckdb_append_uint64(u64) => |value| Cell::Int(value.into());
    duckdb_append_float(f32) => |value| Cell::Float(value.into());
    duckdb_append_double(f64) => |value| Cell::Float(value);
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_append_varchar_length(
    appender: ffi::duckdb_appender,
    val: *const c_char,
    length: ffi::idx_t,
) -> ffi::duckdb_state {
    if appender.is_null() {
        return ERROR;
    }
    // SAFETY: the caller's bytes, copied; checked handle.
    unsafe {
        let bytes = std::slice::from_raw_parts(val.cast::<u8>(), length as usize).to_vec();
        appender_ref(appender, "duckdb_append_varchar_length").append(Cell::Text(bytes))
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_append_blob(
    appender: ffi::duckdb_appender,
    data: *const c_void,
    length: ffi::idx_t,
) -> ffi::duckdb_state {
    if appender.is_null() {
        return ERROR;
    }
    // SAFETY: the caller's bytes, copied; checked handle.
    unsafe {
        let bytes = std::slice::from_raw_parts(data.cast::<u8>(), length as usize).to_vec();
        appender_ref(appender, "duckdb_append_blob").append(Cell::Text(bytes))
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_append_value(
    appender: ffi::duckdb_appender,
    value: ffi::duckdb_value,
) -> ffi::duckdb_state {
    if appender.is_null() {
        return ERROR;
    }
    // SAFETY: checked handles; the value is copied.
    unsafe {
        let cell = value_ref(value, "duckdb_append_value").cell.clone();
        appender_ref(appender, "duckdb_append_value").append(cell)
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_append_data_chunk(
    appender: ffi::duckdb_appender,
    chunk: ffi::duckdb_data_chunk,
) -> ffi::duckdb_state {
    if appender.is_null() || chunk.is_null() {
        return ERROR;
    }
    // SAFETY: checked handles.
    let (a, chunk) = unsafe {
        (
            appender_ref(appender, "duckdb_append_data_chunk"),
            chunk_ref(chunk, "duckdb_append_data_chunk"),
        )
    };
    a.run(|_| {
        let columns = a.columns.borrow().len();
        if chunk.vectors.len() != columns {
            return a.invalid(&format!("Type mismatch in Append DataChunk and the types required for appender, expected {columns} columns"));
        }
        for row in 0..chunk.size.get() {
            let cells = chunk
                .vectors
                .iter()
                // SAFETY: the chunk's own vectors, row < size (reads of unwritten rows are
                // reported by Miri as uninitialised memory).
                .map(|&v| unsafe { read_cell(&*v, row) })
                .collect();
            a.buffer.borrow_mut().push(cells);
        }
        SUCCESS
    })
}

/// Reads row `row` of a flat vector of a simple type back into a cell.
///
/// # Safety
/// `row` is below the vector's capacity.
unsafe fn read_cell(v: &VectorObj, row: usize) -> Cell {
    if let Some(mask) = v.validity.borrow().as_ref() {
        // SAFETY: the mask covers the vector's capacity.
        if unsafe { *mask.ptr.cast::<u64>().add(row / 64) } & (1 << (row % 64)) == 0 {
            return Cell::Null;
        }
    }
    let width = v.ty.width();
    // SAFETY: slot `row` is inside the data buffer.
    unsafe {
        let slot = v.data.ptr.add(row * width);
        match v.ty.id() {
            ffi::DUCKDB_TYPE_DUCKDB_TYPE_BOOLEAN => Cell::Bool(*slot != 0),
            ffi::DUCKDB_TYPE_DUCKDB_TYPE_VARCHAR | ffi::DUCKDB_TYPE_DUCKDB_TYPE_BLOB => {
                let len = slot.cast::<u32>().read() as usize;
                let data = if len <= 12 {
                    slot.add(4).cast_const()
                } else {
                    slot.add(8).cast::<*const u8>().read()
                };
                Cell::Text(std::slice::from_raw_parts(data, len).to_vec())
            }
            ffi::DUCKDB_TYPE_DUCKDB_TYPE_FLOAT => Cell::Float(slot.cast::<f32>().read().into()),
            ffi::DUCKDB_TYPE_DUCKDB_TYPE_DOUBLE => Cell::Float(slot.cast::<f64>().read()),
            _ if width <= 16 && width > 0 => {
                let mut bytes = [0u8; 16];
                ptr::copy_nonoverlapping(slot, bytes.as_mut_ptr(), width);
                // Sign-extend from the stored width.
                let shift = 128 - 8 * width as u32;
                Cell::Int((i128::from_le_bytes(bytes) << shift) >> shift)
            }
            other => fail(format_args!(
                "duckdb_append_data_chunk: the model cannot read type id {other}"
            )),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Data chunks built by the caller
// ---------------------------------------------------------------------------------------------

#[unsafe(no_mangle)]
pub extern "C" fn duckdb_vector_size() -> ffi::idx_t {
    VECTOR_SIZE as u64
}

/// An empty, writable vector of `capacity` rows: data uninitialised (Miri reports reads of
/// rows nobody wrote), validity created on demand.
fn writable_vector(ty: &Ty, capacity: usize) -> *mut VectorObj {
    let children = match ty {
        Ty::List(child) => vec![writable_vector(child, 0)],
        Ty::Map(..) => vec![writable_vector(
            &Ty::Struct(ty.struct_fields().unwrap_or_default()),
            0,
        )],
        Ty::Array(child, size) => vec![writable_vector(child, capacity * size)],
        Ty::Struct(_) | Ty::Union(_) => ty
            .struct_fields()
            .unwrap_or_default()
            .iter()
            .map(|(_, t)| writable_vector(t, capacity))
            .collect(),
        _ => Vec::new(),
    };
    adopt(
        VECTOR,
        VectorObj {
            ty: ty.clone(),
            capacity,
            data: Buf::new(capacity * ty.width()),
            validity: RefCell::new(None),
            children,
            list_size: StdCell::new(0),
            strings: RefCell::new(Vec::new()),
        },
    )
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_create_data_chunk(
    types: *mut ffi::duckdb_logical_type,
    column_count: ffi::idx_t,
) -> ffi::duckdb_data_chunk {
    if types.is_null() {
        return ptr::null_mut();
    }
    // SAFETY: the caller's array of `column_count` live types (each checked); they stay owned
    // by the caller.
    let vectors = (0..column_count as usize)
        .map(|i| unsafe {
            writable_vector(
                type_ref(*types.add(i), "duckdb_create_data_chunk"),
                VECTOR_SIZE,
            )
        })
        .collect();
    adopt(
        CHUNK,
        ChunkObj {
            vectors,
            size: StdCell::new(0),
        },
    )
    .cast()
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_data_chunk_set_size(
    chunk: ffi::duckdb_data_chunk,
    size: ffi::idx_t,
) {
    if chunk.is_null() {
        return;
    }
    // SAFETY: checked handle.
    let c = unsafe { chunk_ref(chunk, "duckdb_data_chunk_set_size") };
    let capacity = c.vectors.first().map_or(VECTOR_SIZE, |&v| {
        // SAFETY: the chunk's own vector.
        unsafe { (*v).capacity }
    });
    if size as usize > capacity {
        fail(format_args!(
            "duckdb_data_chunk_set_size: size {size} is beyond the capacity {capacity}"
        ));
    }
    c.size.set(size as usize);
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_data_chunk_reset(chunk: ffi::duckdb_data_chunk) {
    if chunk.is_null() {
        return;
    }
    // SAFETY: checked handle.
    let c = unsafe { chunk_ref(chunk, "duckdb_data_chunk_reset") };
    c.size.set(0);
    for &v in &c.vectors {
        // SAFETY: the chunk's own vectors. Validity and strings are dropped: pointers obtained
        // before the reset dangle, as in DuckDB.
        unsafe {
            (*v).validity.borrow_mut().take();
            (*v).strings.borrow_mut().clear();
        }
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_vector_ensure_validity_writable(vector: ffi::duckdb_vector) {
    // SAFETY: checked handle.
    let v = unsafe { vector_ref(vector, "duckdb_vector_ensure_validity_writable") };
    v.validity
        .borrow_mut()
        .get_or_insert_with(|| all_valid(v.capacity));
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_validity_set_row_invalid(validity: *mut u64, row: ffi::idx_t) {
    if validity.is_null() {
        return;
    }
    let row = row as usize;
    // SAFETY: the caller's mask; a row outside it is reported by Miri.
    unsafe { *validity.add(row / 64) &= !(1u64 << (row % 64)) };
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_validity_set_row_valid(validity: *mut u64, row: ffi::idx_t) {
    if validity.is_null() {
        return;
    }
    let row = row as usize;
    // SAFETY: the caller's mask; a row outside it is reported by Miri.
    unsafe { *validity.add(row / 64) |= 1u64 << (row % 64) };
}

/// Both string assignments: copies `str_len` bytes into row `index` of a VARCHAR or BLOB
/// vector. The checked one (`check_utf8`) first turns a VARCHAR string that is not UTF-8 into a
/// NULL row, as DuckDB does. The unchecked one leaves UTF-8 to its caller, so the model stops
/// the program when that contract is broken (DuckDB would store the bad string).
///
/// # Safety
/// `vector` is a vector handle from the model (checked); `str_` points to `str_len` readable
/// bytes.
unsafe fn assign_string(
    func: &str,
    check_utf8: bool,
    vector: ffi::duckdb_vector,
    index: ffi::idx_t,
    str_: *const c_char,
    str_len: ffi::idx_t,
) {
    // SAFETY: checked handle.
    let v = unsafe { vector_ref(vector, func) };
    let varchar = match v.ty.id() {
        ffi::DUCKDB_TYPE_DUCKDB_TYPE_VARCHAR => true,
        ffi::DUCKDB_TYPE_DUCKDB_TYPE_BLOB => false,
        _ => fail(format_args!("{func}: not a VARCHAR/BLOB vector")),
    };
    let row = index as usize;
    if row >= v.capacity {
        fail(format_args!(
            "{func}: row {index} beyond capacity {}",
            v.capacity
        ));
    }
    // SAFETY: the caller's bytes (per the contract), only read and copied.
    let bytes = unsafe { std::slice::from_raw_parts(str_.cast::<u8>(), str_len as usize) };
    if varchar && std::str::from_utf8(bytes).is_err() {
        if !check_utf8 {
            fail(format_args!(
                "{func}: the string for row {index} of a VARCHAR vector is not UTF-8"
            ));
        }
        v.set_null(row);
        return;
    }
    // SAFETY: row checked against the capacity; VARCHAR and BLOB have 16-byte string slots.
    unsafe { v.write_string(row, bytes) };
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_vector_assign_string_element_len(
    vector: ffi::duckdb_vector,
    index: ffi::idx_t,
    str_: *const c_char,
    str_len: ffi::idx_t,
) {
    // SAFETY: forwarded (the caller's contract).
    unsafe {
        assign_string(
            "duckdb_vector_assign_string_element_len",
            true,
            vector,
            index,
            str_,
            str_len,
        );
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_unsafe_vector_assign_string_element_len(
    vector: ffi::duckdb_vector,
    index: ffi::idx_t,
    str_: *const c_char,
    str_len: ffi::idx_t,
) {
    // SAFETY: forwarded (the caller's contract, plus valid UTF-8 for VARCHAR, which
    // assign_string checks).
    unsafe {
        assign_string(
            "duckdb_unsafe_vector_assign_string_element_len",
            false,
            vector,
            index,
            str_,
            str_len,
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------------------------

struct ValueObj {
    cell: Cell,
    /// Borrowed by duckdb_get_value_type; freed with the value.
    ty: *mut LogicalTypeObj,
}
const VALUE: &str = "value";
const BORROWED_TYPE: &str = "logical type (borrowed from a value)";

impl Drop for ValueObj {
    fn drop(&mut self) {
        // SAFETY: the value's own type object, registered as borrowed.
        unsafe { release(self.ty, BORROWED_TYPE, "duckdb_destroy_value") };
    }
}

fn new_value(ty: Ty, cell: Cell) -> ffi::duckdb_value {
    let ty = adopt(BORROWED_TYPE, LogicalTypeObj { ty });
    adopt(VALUE, ValueObj { cell, ty }).cast()
}

/// # Safety
/// `value` is a value handle from the model (checked).
unsafe fn value_ref<'a>(value: ffi::duckdb_value, func: &str) -> &'a ValueObj {
    // SAFETY: checked by the registry.
    unsafe { live(value.cast::<ValueObj>(), VALUE, func) }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_destroy_value(value: *mut ffi::duckdb_value) {
    // SAFETY: destroy contract of the C API.
    unsafe { destroy::<_, ValueObj>(value, VALUE, "duckdb_destroy_value") }
}

/// Constructors and getters of scalar values.
macro_rules! scalar_values {
    ($($create:ident / $get:ident($t:ty) = $id:ident;)*) => {$(
        #[unsafe(no_mangle)]
        pub extern "C" fn $create(val: $t) -> ffi::duckdb_value {
            #[allow(clippy::unnecessary_cast, clippy::cast_lossless)]
            new_value(simple(ffi::$id), scalar_cell(val as f64, val as i128, ffi::$id))
        }

        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn $get(val: ffi::duckdb_value) -> $t {
            // SAFETY: checked handle.
            #[allow(clippy::unnecessary_cast)]
            match unsafe { value_ref(val, stringify!($get)) }.cell {
                Cell::Int(i) => i as $t,
                Cell::Float(f) => f as $t,
                Cell::Bool(b) => (b as u8) as $t,
                _ => 0 as $t,
            }
        }
    )*};
}

fn scalar_cell(f: f64, i: i128, id: ffi::duckdb_type) -> Cell {
    match id {
        ffi::DUCKDB_TYPE_DUCKDB_TYPE_FLOAT | ffi::DUCKDB_TYPE_DUCKDB_TYPE_DOUBLE => Cell::Float(f),
        _ => Cell::Int(i),
    }
}

scalar_values! {
    duckdb_create_int8 / duckdb_get_int8(i8) = DUCKDB_TYPE_DUCKDB_TYPE_TINYINT;
    duckdb_create_int16 / duckdb_get_int16(i16) = DUCKDB_TYPE_DUCKDB_TYPE_SMALLINT;
    duckdb_create_int32 / duckdb_get_int32(i32) = DUCKDB_TYPE_DUCKDB_TYPE_INTEGER;
    duckdb_create_int64 / duckdb_get_int64(i64) = DUCKDB_TYPE_DUCKDB_TYPE_BIGINT;
    duckdb_create_uint8 / duckdb_get_uint8(u8) = DUCKDB_TYPE_DUCKDB_TYPE_UTINYINT;
    duckdb_create_uint16 / duckdb_get_uint16(u16) = DUCKDB_TYPE_DUCKDB_TYPE_USMALLINT;
    duckdb_create_uint32 / duckdb_get_uint32(u32) = DUCKDB_TYPE_DUCKDB_TYPE_UINTEGER;
    duckdb_create_uint64 / duckdb_get_uint64(u64) = DUCKDB_TYPE_DUCKDB_TYPE_UBIGINT;
    duckdb_create_float / duckdb_get_float(f32) = DUCKDB_TYPE_DUCKDB_TYPE_FLOAT;
    duckdb_create_double / duckdb_get_double(f64) = DUCKDB_TYPE_DUCKDB_TYPE_DOUBLE;
}

#[unsafe(no_mangle)]
pub extern "C" fn duckdb_create_bool(input: bool) -> ffi::duckdb_value {
    new_value(
        simple(ffi::DUCKDB_TYPE_DUCKDB_TYPE_BOOLEAN),
        Cell::Bool(input),
    )
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_get_bool(val: ffi::duckdb_value) -> bool {
    // SAFETY: checked handle.
    matches!(
        unsafe { value_ref(val, "duckdb_get_bool") }.cell,
        Cell::Bool(true)
    )
}

#[unsafe(no_mangle)]
pub extern "C" fn duckdb_create_null_value() -> ffi::duckdb_value {
    new_value(simple(ffi::DUCKDB_TYPE_DUCKDB_TYPE_SQLNULL), Cell::Null)
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_is_null_value(value: ffi::duckdb_value) -> bool {
    // SAFETY: checked handle.
    value.is_null()
        || matches!(
            unsafe { value_ref(value, "duckdb_is_null_value") }.cell,
            Cell::Null
        )
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_create_varchar_length(
    text: *const c_char,
    length: ffi::idx_t,
) -> ffi::duckdb_value {
    // SAFETY: the caller's bytes, copied.
    let bytes = unsafe { std::slice::from_raw_parts(text.cast::<u8>(), length as usize) }.to_vec();
    if std::str::from_utf8(&bytes).is_err() {
        return ptr::null_mut(); // DuckDB rejects invalid UTF-8 here
    }
    new_value(
        simple(ffi::DUCKDB_TYPE_DUCKDB_TYPE_VARCHAR),
        Cell::Text(bytes),
    )
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_create_blob(
    data: *const u8,
    length: ffi::idx_t,
) -> ffi::duckdb_value {
    // SAFETY: the caller's bytes, copied.
    let bytes = unsafe { std::slice::from_raw_parts(data, length as usize) }.to_vec();
    new_value(simple(ffi::DUCKDB_TYPE_DUCKDB_TYPE_BLOB), Cell::Text(bytes))
}

fn render(cell: &Cell) -> String {
    match cell {
        Cell::Null => "NULL".into(),
        Cell::Bool(b) => b.to_string(),
        Cell::Int(i) => i.to_string(),
        Cell::Float(f) => f.to_string(),
        // As a SQL literal, the way duckdb_value_to_string renders VARCHAR.
        Cell::Text(bytes) => format!("'{}'", String::from_utf8_lossy(bytes).replace('\'', "''")),
        Cell::List(items) => format!(
            "[{}]",
            items.iter().map(render).collect::<Vec<_>>().join(", ")
        ),
        Cell::Struct(items) => format!(
            "({})",
            items.iter().map(render).collect::<Vec<_>>().join(", ")
        ),
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_get_varchar(value: ffi::duckdb_value) -> *mut c_char {
    // SAFETY: checked handle.
    let v = unsafe { value_ref(value, "duckdb_get_varchar") };
    if !matches!(v.cell, Cell::Text(_)) {
        // DuckDB casts without try/catch: an exception would cross into Rust.
        fail(format_args!(
            "duckdb_get_varchar on a non-VARCHAR value: DuckDB would throw across the C boundary"
        ));
    }
    let Cell::Text(bytes) = &v.cell else {
        unreachable!()
    };
    malloc_string(&String::from_utf8_lossy(bytes))
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_value_to_string(value: ffi::duckdb_value) -> *mut c_char {
    // SAFETY: checked handle.
    malloc_string(&render(
        &unsafe { value_ref(value, "duckdb_value_to_string") }.cell,
    ))
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_get_blob(val: ffi::duckdb_value) -> ffi::duckdb_blob {
    // SAFETY: checked handle.
    let v = unsafe { value_ref(val, "duckdb_get_blob") };
    let Cell::Text(bytes) = &v.cell else {
        fail(format_args!(
            "duckdb_get_blob on a non-BLOB value: DuckDB would throw across the C boundary"
        ));
    };
    // SAFETY: malloc of the blob's size, filled completely; owned by the caller (duckdb_free).
    unsafe {
        let data = malloc(bytes.len().max(1)).cast::<u8>();
        ptr::copy_nonoverlapping(bytes.as_ptr(), data, bytes.len());
        ffi::duckdb_blob {
            data: data.cast(),
            size: bytes.len() as u64,
        }
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_get_value_type(val: ffi::duckdb_value) -> ffi::duckdb_logical_type {
    // SAFETY: checked handle; the type is borrowed from the value.
    unsafe { value_ref(val, "duckdb_get_value_type") }.ty.cast()
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_create_list_type(
    type_: ffi::duckdb_logical_type,
) -> ffi::duckdb_logical_type {
    // SAFETY: checked handle (copied).
    let child = unsafe { type_ref(type_, "duckdb_create_list_type") }.clone();
    new_logical_type(Ty::List(Box::new(child)))
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_create_struct_type(
    member_types: *mut ffi::duckdb_logical_type,
    member_names: *mut *const c_char,
    member_count: ffi::idx_t,
) -> ffi::duckdb_logical_type {
    // SAFETY: the caller's arrays of `member_count` live types and C strings (copied).
    let fields = (0..member_count as usize)
        .map(|i| unsafe {
            (
                text(*member_names.add(i), "duckdb_create_struct_type").to_string(),
                type_ref(*member_types.add(i), "duckdb_create_struct_type").clone(),
            )
        })
        .collect();
    new_logical_type(Ty::Struct(fields))
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_create_list_value(
    type_: ffi::duckdb_logical_type,
    values: *mut ffi::duckdb_value,
    value_count: ffi::idx_t,
) -> ffi::duckdb_value {
    // SAFETY: checked handles; the inputs are copied and stay owned by the caller.
    unsafe {
        let child = type_ref(type_, "duckdb_create_list_value").clone();
        let items = (0..value_count as usize)
            .map(|i| {
                value_ref(*values.add(i), "duckdb_create_list_value")
                    .cell
                    .clone()
            })
            .collect();
        new_value(Ty::List(Box::new(child)), Cell::List(items))
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_create_struct_value(
    type_: ffi::duckdb_logical_type,
    values: *mut ffi::duckdb_value,
) -> ffi::duckdb_value {
    // SAFETY: checked handles; the inputs are copied and stay owned by the caller.
    unsafe {
        let ty = type_ref(type_, "duckdb_create_struct_value").clone();
        let Ty::Struct(fields) = &ty else {
            return ptr::null_mut();
        };
        let items = (0..fields.len())
            .map(|i| {
                value_ref(*values.add(i), "duckdb_create_struct_value")
                    .cell
                    .clone()
            })
            .collect();
        new_value(ty, Cell::Struct(items))
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_get_list_size(value: ffi::duckdb_value) -> ffi::idx_t {
    // SAFETY: checked handle.
    match &unsafe { value_ref(value, "duckdb_get_list_size") }.cell {
        Cell::List(items) => items.len() as u64,
        _ => 0,
    }
}

/// Child `index` of a LIST or STRUCT value, as a new owned value.
///
/// # Safety
/// `value` is a value handle from the model (checked).
unsafe fn child_value(
    value: ffi::duckdb_value,
    index: ffi::idx_t,
    func: &str,
) -> ffi::duckdb_value {
    // SAFETY: checked handle.
    let v = unsafe { value_ref(value, func) };
    // SAFETY: the value's own type object.
    let ty = unsafe { &(*v.ty).ty };
    match (&v.cell, ty) {
        (Cell::List(items), Ty::List(child)) => items
            .get(index as usize)
            .map_or(ptr::null_mut(), |c| new_value((**child).clone(), c.clone())),
        (Cell::Struct(items), Ty::Struct(fields)) => {
            items.get(index as usize).map_or(ptr::null_mut(), |c| {
                new_value(fields[index as usize].1.clone(), c.clone())
            })
        }
        _ => ptr::null_mut(),
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_get_list_child(
    value: ffi::duckdb_value,
    index: ffi::idx_t,
) -> ffi::duckdb_value {
    // SAFETY: forwarded.
    unsafe { child_value(value, index, "duckdb_get_list_child") }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_get_struct_child(
    value: ffi::duckdb_value,
    index: ffi::idx_t,
) -> ffi::duckdb_value {
    // SAFETY: forwarded.
    unsafe { child_value(value, index, "duckdb_get_struct_child") }
}

// ---------------------------------------------------------------------------------------------
// Dates, times and 128-bit integers (stored as integers, as DuckDB does)
// ---------------------------------------------------------------------------------------------

macro_rules! wrapped_scalars {
    ($($t:ident . $field:ident = $id:ident: $create:ident, $get:ident $(, bind $bind:ident)? $(, append $append:ident)?;)*) => {$(
        #[unsafe(no_mangle)]
        pub extern "C" fn $create(input: ffi::$t) -> ffi::duckdb_value {
            new_value(simple(ffi::$id), Cell::Int(input.$field.into()))
        }

        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn $get(val: ffi::duckdb_value) -> ffi::$t {
            // SAFETY: checked handle.
            let v = match unsafe { value_ref(val, stringify!($get)) }.cell {
                Cell::Int(i) => i,
                _ => 0,
            };
            ffi::$t { $field: v as _ }
        }

        $(
            #[unsafe(no_mangle)]
            pub unsafe extern "C" fn $bind(
                prepared_statement: ffi::duckdb_prepared_statement,
                param_idx: ffi::idx_t,
                val: ffi::$t,
            ) -> ffi::duckdb_state {
                // SAFETY: forwarded.
                unsafe { bind(prepared_statement, param_idx, Cell::Int(val.$field.into()), stringify!($bind)) }
            }
        )?

        $(
            #[unsafe(no_mangle)]
            pub unsafe extern "C" fn $append(appender: ffi::duckdb_appender, value: ffi::$t) -> ffi::duckdb_state {
                if appender.is_null() {
                    return ERROR;
                }
                // SAFETY: checked handle.
                unsafe { appender_ref(appender, stringify!($append)) }.append(Cell::Int(value.$field.into()))
            }
        )?
    )*};
}

wrapped_scalars! {
    duckdb_date.days = DUCKDB_TYPE_DUCKDB_TYPE_DATE: duckdb_create_date, duckdb_get_date, bind duckdb_bind_date, append duckdb_append_date;
    duckdb_time.micros = DUCKDB_TYPE_DUCKDB_TYPE_TIME: duckdb_create_time, duckdb_get_time, bind duckdb_bind_time, append duckdb_append_time;
    duckdb_time_ns.nanos = DUCKDB_TYPE_DUCKDB_TYPE_TIME_NS: duckdb_create_time_ns, duckdb_get_time_ns;
    duckdb_timestamp.micros = DUCKDB_TYPE_DUCKDB_TYPE_TIMESTAMP:
        duckdb_create_timestamp, duckdb_get_timestamp, bind duckdb_bind_timestamp, append duckdb_append_timestamp;
    duckdb_timestamp.micros = DUCKDB_TYPE_DUCKDB_TYPE_TIMESTAMP_TZ:
        duckdb_create_timestamp_tz, duckdb_get_timestamp_tz, bind duckdb_bind_timestamp_tz;
    duckdb_timestamp_s.seconds = DUCKDB_TYPE_DUCKDB_TYPE_TIMESTAMP_S: duckdb_create_timestamp_s, duckdb_get_timestamp_s;
    duckdb_timestamp_ms.millis = DUCKDB_TYPE_DUCKDB_TYPE_TIMESTAMP_MS: duckdb_create_timestamp_ms, duckdb_get_timestamp_ms;
    duckdb_timestamp_ns.nanos = DUCKDB_TYPE_DUCKDB_TYPE_TIMESTAMP_NS: duckdb_create_timestamp_ns, duckdb_get_timestamp_ns;
    duckdb_timestamp_ns.nanos = DUCKDB_TYPE_DUCKDB_TYPE_TIMESTAMP_TZ_NS:
        duckdb_create_timestamp_tz_ns, duckdb_get_timestamp_tz_ns;
}

fn from_huge(lower: u64, upper: i128) -> i128 {
    (upper << 64) | i128::from(lower)
}

fn value_int(val: ffi::duckdb_value, func: &str) -> i128 {
    // SAFETY: checked handle.
    match unsafe { value_ref(val, func) }.cell {
        Cell::Int(i) => i,
        _ => 0,
    }
}

#[unsafe(no_mangle)]
pub extern "C" fn duckdb_create_hugeint(input: ffi::duckdb_hugeint) -> ffi::duckdb_value {
    new_value(
        simple(ffi::DUCKDB_TYPE_DUCKDB_TYPE_HUGEINT),
        Cell::Int(from_huge(input.lower, input.upper.into())),
    )
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_get_hugeint(val: ffi::duckdb_value) -> ffi::duckdb_hugeint {
    let v = value_int(val, "duckdb_get_hugeint");
    ffi::duckdb_hugeint {
        lower: v as u64,
        upper: (v >> 64) as i64,
    }
}

#[unsafe(no_mangle)]
pub extern "C" fn duckdb_create_uhugeint(input: ffi::duckdb_uhugeint) -> ffi::duckdb_value {
    // Stored as the same 128 bits (the model's cells are i128).
    let bits = (u128::from(input.upper) << 64) | u128::from(input.lower);
    new_value(
        simple(ffi::DUCKDB_TYPE_DUCKDB_TYPE_UHUGEINT),
        Cell::Int(bits as i128),
    )
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_get_uhugeint(val: ffi::duckdb_value) -> ffi::duckdb_uhugeint {
    let v = value_int(val, "duckdb_get_uhugeint") as u128;
    ffi::duckdb_uhugeint {
        lower: v as u64,
        upper: (v >> 64) as u64,
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_bind_hugeint(
    prepared_statement: ffi::duckdb_prepared_statement,
    param_idx: ffi::idx_t,
    val: ffi::duckdb_hugeint,
) -> ffi::duckdb_state {
    let cell = Cell::Int(from_huge(val.lower, val.upper.into()));
    // SAFETY: forwarded.
    unsafe { bind(prepared_statement, param_idx, cell, "duckdb_bind_hugeint") }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_bind_uhugeint(
    prepared_statement: ffi::duckdb_prepared_statement,
    param_idx: ffi::idx_t,
    val: ffi::duckdb_uhugeint,
) -> ffi::duckdb_state {
    let cell = Cell::Int(((u128::from(val.upper) << 64) | u128::from(val.lower)) as i128);
    // SAFETY: forwarded.
    unsafe { bind(prepared_statement, param_idx, cell, "duckdb_bind_uhugeint") }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_append_hugeint(
    appender: ffi::duckdb_appender,
    value: ffi::duckdb_hugeint,
) -> ffi::duckdb_state {
    if appender.is_null() {
        return ERROR;
    }
    // SAFETY: checked handle.
    unsafe { appender_ref(appender, "duckdb_append_hugeint") }
        .append(Cell::Int(from_huge(value.lower, value.upper.into())))
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_append_uhugeint(
    appender: ffi::duckdb_appender,
    value: ffi::duckdb_uhugeint,
) -> ffi::duckdb_state {
    if appender.is_null() {
        return ERROR;
    }
    let bits = (u128::from(value.upper) << 64) | u128::from(value.lower);
    // SAFETY: checked handle.
    unsafe { appender_ref(appender, "duckdb_append_uhugeint") }.append(Cell::Int(bits as i128))
}

// ---------------------------------------------------------------------------------------------
// UUID, TIME WITH TIME ZONE, INTERVAL values (no canned column has these types)
// ---------------------------------------------------------------------------------------------

#[unsafe(no_mangle)]
pub extern "C" fn duckdb_create_uuid(input: ffi::duckdb_uhugeint) -> ffi::duckdb_value {
    let bits = (u128::from(input.upper) << 64) | u128::from(input.lower);
    new_value(
        simple(ffi::DUCKDB_TYPE_DUCKDB_TYPE_UUID),
        Cell::Int(bits as i128),
    )
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_get_uuid(val: ffi::duckdb_value) -> ffi::duckdb_uhugeint {
    let v = value_int(val, "duckdb_get_uuid") as u128;
    ffi::duckdb_uhugeint {
        lower: v as u64,
        upper: (v >> 64) as u64,
    }
}

/// DuckDB's TIME WITH TIME ZONE packing: micros in the high 40 bits, `MAX_OFFSET - offset` in
/// the low 24 (dtime_tz_t in the pinned sources).
const TIME_TZ_MAX_OFFSET: i32 = 16 * 60 * 60 - 1;

#[unsafe(no_mangle)]
pub extern "C" fn duckdb_create_time_tz(micros: i64, offset: i32) -> ffi::duckdb_time_tz {
    ffi::duckdb_time_tz {
        bits: ((micros as u64) << 24) | (TIME_TZ_MAX_OFFSET - offset) as u64,
    }
}

#[unsafe(no_mangle)]
pub extern "C" fn duckdb_from_time_tz(micros: ffi::duckdb_time_tz) -> ffi::duckdb_time_tz_struct {
    let time = (micros.bits >> 24) as i64;
    let offset = TIME_TZ_MAX_OFFSET - (micros.bits & 0xFF_FFFF) as i32;
    let seconds = time / 1_000_000;
    ffi::duckdb_time_tz_struct {
        time: ffi::duckdb_time_struct {
            hour: (seconds / 3600) as i8,
            min: (seconds / 60 % 60) as i8,
            sec: (seconds % 60) as i8,
            micros: (time % 1_000_000) as i32,
        },
        offset,
    }
}

#[unsafe(no_mangle)]
pub extern "C" fn duckdb_create_time_tz_value(value: ffi::duckdb_time_tz) -> ffi::duckdb_value {
    new_value(
        simple(ffi::DUCKDB_TYPE_DUCKDB_TYPE_TIME_TZ),
        Cell::Int(value.bits.into()),
    )
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_get_time_tz(val: ffi::duckdb_value) -> ffi::duckdb_time_tz {
    ffi::duckdb_time_tz {
        bits: value_int(val, "duckdb_get_time_tz") as u64,
    }
}

/// Intervals travel packed in one integer cell (months, days, micros), only as values and
/// parameters: no canned column stores one.
fn pack_interval(i: ffi::duckdb_interval) -> Cell {
    Cell::Int(
        (i128::from(i.months as u32) << 96)
            | (i128::from(i.days as u32) << 64)
            | i128::from(i.micros as u64),
    )
}

#[unsafe(no_mangle)]
pub extern "C" fn duckdb_create_interval(input: ffi::duckdb_interval) -> ffi::duckdb_value {
    new_value(
        simple(ffi::DUCKDB_TYPE_DUCKDB_TYPE_INTERVAL),
        pack_interval(input),
    )
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_get_interval(val: ffi::duckdb_value) -> ffi::duckdb_interval {
    let v = value_int(val, "duckdb_get_interval");
    ffi::duckdb_interval {
        months: (v >> 96) as u32 as i32,
        days: (v >> 64) as u32 as i32,
        micros: v as u64 as i64,
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_bind_interval(
    prepared_statement: ffi::duckdb_prepared_statement,
    param_idx: ffi::idx_t,
    val: ffi::duckdb_interval,
) -> ffi::duckdb_state {
    // SAFETY: forwarded.
    unsafe {
        bind(
            prepared_statement,
            param_idx,
            pack_interval(val),
            "duckdb_bind_interval",
        )
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_append_interval(
    appender: ffi::duckdb_appender,
    value: ffi::duckdb_interval,
) -> ffi::duckdb_state {
    if appender.is_null() {
        return ERROR;
    }
    // SAFETY: checked handle.
    unsafe { appender_ref(appender, "duckdb_append_interval") }.append(pack_interval(value))
}

// ---------------------------------------------------------------------------------------------
// DECIMAL types
// ---------------------------------------------------------------------------------------------

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_decimal_width(type_: ffi::duckdb_logical_type) -> u8 {
    // SAFETY: checked handle.
    match unsafe { type_ref(type_, "duckdb_decimal_width") } {
        Ty::Decimal(width, _) => *width,
        _ => 0,
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_decimal_scale(type_: ffi::duckdb_logical_type) -> u8 {
    // SAFETY: checked handle.
    match unsafe { type_ref(type_, "duckdb_decimal_scale") } {
        Ty::Decimal(_, scale) => *scale,
        _ => 0,
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_decimal_internal_type(
    type_: ffi::duckdb_logical_type,
) -> ffi::duckdb_type {
    // SAFETY: checked handle.
    unsafe { type_ref(type_, "duckdb_decimal_internal_type") }.decimal_storage()
}

// ---------------------------------------------------------------------------------------------
// ENUM, ARRAY, MAP and UNION types
// ---------------------------------------------------------------------------------------------

/// A new owned logical type from `f` applied to a live type, or NULL.
///
/// # Safety
/// `type_` is a logical type handle from the model (checked).
unsafe fn derived_type(
    type_: ffi::duckdb_logical_type,
    func: &str,
    f: impl FnOnce(&Ty) -> Option<Ty>,
) -> ffi::duckdb_logical_type {
    // SAFETY: checked handle.
    f(unsafe { type_ref(type_, func) }).map_or(ptr::null_mut(), new_logical_type)
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_enum_internal_type(
    type_: ffi::duckdb_logical_type,
) -> ffi::duckdb_type {
    // SAFETY: checked handle.
    unsafe { type_ref(type_, "duckdb_enum_internal_type") }.enum_storage()
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_enum_dictionary_size(type_: ffi::duckdb_logical_type) -> u32 {
    // SAFETY: checked handle.
    match unsafe { type_ref(type_, "duckdb_enum_dictionary_size") } {
        Ty::Enum(dict) => dict.len() as u32,
        _ => 0,
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_enum_dictionary_value(
    type_: ffi::duckdb_logical_type,
    index: ffi::idx_t,
) -> *mut c_char {
    // SAFETY: checked handle.
    match unsafe { type_ref(type_, "duckdb_enum_dictionary_value") } {
        // Owned by the caller: malloc'd, released with duckdb_free.
        Ty::Enum(dict) => dict
            .get(index as usize)
            .map_or(ptr::null_mut(), |s| malloc_string(s)),
        _ => ptr::null_mut(),
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_array_type_child_type(
    type_: ffi::duckdb_logical_type,
) -> ffi::duckdb_logical_type {
    // SAFETY: forwarded.
    unsafe {
        derived_type(type_, "duckdb_array_type_child_type", |t| match t {
            Ty::Array(child, _) => Some((**child).clone()),
            _ => None,
        })
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_array_type_array_size(
    type_: ffi::duckdb_logical_type,
) -> ffi::idx_t {
    // SAFETY: checked handle.
    match unsafe { type_ref(type_, "duckdb_array_type_array_size") } {
        Ty::Array(_, size) => *size as u64,
        _ => 0,
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_map_type_key_type(
    type_: ffi::duckdb_logical_type,
) -> ffi::duckdb_logical_type {
    // SAFETY: forwarded.
    unsafe {
        derived_type(type_, "duckdb_map_type_key_type", |t| match t {
            Ty::Map(k, _) => Some((**k).clone()),
            _ => None,
        })
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_map_type_value_type(
    type_: ffi::duckdb_logical_type,
) -> ffi::duckdb_logical_type {
    // SAFETY: forwarded.
    unsafe {
        derived_type(type_, "duckdb_map_type_value_type", |t| match t {
            Ty::Map(_, v) => Some((**v).clone()),
            _ => None,
        })
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_union_type_member_count(
    type_: ffi::duckdb_logical_type,
) -> ffi::idx_t {
    // SAFETY: checked handle.
    match unsafe { type_ref(type_, "duckdb_union_type_member_count") } {
        Ty::Union(members) => members.len() as u64,
        _ => 0,
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_union_type_member_name(
    type_: ffi::duckdb_logical_type,
    index: ffi::idx_t,
) -> *mut c_char {
    // SAFETY: checked handle.
    match unsafe { type_ref(type_, "duckdb_union_type_member_name") } {
        // Owned by the caller: malloc'd, released with duckdb_free.
        Ty::Union(members) => members
            .get(index as usize)
            .map_or(ptr::null_mut(), |(name, _)| malloc_string(name)),
        _ => ptr::null_mut(),
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_union_type_member_type(
    type_: ffi::duckdb_logical_type,
    index: ffi::idx_t,
) -> ffi::duckdb_logical_type {
    // SAFETY: forwarded.
    unsafe {
        derived_type(type_, "duckdb_union_type_member_type", |t| match t {
            Ty::Union(members) => members.get(index as usize).map(|(_, ty)| ty.clone()),
            _ => None,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Constructors of the other types and their values
// ---------------------------------------------------------------------------------------------

#[unsafe(no_mangle)]
pub extern "C" fn duckdb_create_decimal_type(width: u8, scale: u8) -> ffi::duckdb_logical_type {
    new_logical_type(Ty::Decimal(width, scale))
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_create_enum_type(
    member_names: *mut *const c_char,
    member_count: ffi::idx_t,
) -> ffi::duckdb_logical_type {
    // SAFETY: the caller's array of `member_count` C strings (copied).
    let names = (0..member_count as usize)
        .map(|i| unsafe { text(*member_names.add(i), "duckdb_create_enum_type") }.to_string());
    new_logical_type(Ty::Enum(names.collect()))
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_create_map_type(
    key_type: ffi::duckdb_logical_type,
    value_type: ffi::duckdb_logical_type,
) -> ffi::duckdb_logical_type {
    // SAFETY: checked handles (copied).
    let (k, v) = unsafe {
        (
            type_ref(key_type, "duckdb_create_map_type").clone(),
            type_ref(value_type, "duckdb_create_map_type").clone(),
        )
    };
    new_logical_type(Ty::Map(Box::new(k), Box::new(v)))
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_create_array_type(
    type_: ffi::duckdb_logical_type,
    array_size: ffi::idx_t,
) -> ffi::duckdb_logical_type {
    // SAFETY: checked handle (copied).
    let child = unsafe { type_ref(type_, "duckdb_create_array_type") }.clone();
    new_logical_type(Ty::Array(Box::new(child), array_size as usize))
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_create_union_type(
    member_types: *mut ffi::duckdb_logical_type,
    member_names: *mut *const c_char,
    member_count: ffi::idx_t,
) -> ffi::duckdb_logical_type {
    // SAFETY: the caller's arrays of `member_count` live types and C strings (copied).
    let members = (0..member_count as usize)
        .map(|i| unsafe {
            (
                text(*member_names.add(i), "duckdb_create_union_type").to_string(),
                type_ref(*member_types.add(i), "duckdb_create_union_type").clone(),
            )
        })
        .collect();
    new_logical_type(Ty::Union(members))
}

#[unsafe(no_mangle)]
pub extern "C" fn duckdb_create_decimal(input: ffi::duckdb_decimal) -> ffi::duckdb_value {
    let value = from_huge(input.value.lower, input.value.upper.into());
    new_value(Ty::Decimal(input.width, input.scale), Cell::Int(value))
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_get_decimal(val: ffi::duckdb_value) -> ffi::duckdb_decimal {
    // SAFETY: checked handle; the value's own type.
    let (ty, v) = unsafe {
        let v = value_ref(val, "duckdb_get_decimal");
        (
            &(*v.ty).ty,
            match v.cell {
                Cell::Int(i) => i,
                _ => 0,
            },
        )
    };
    let (width, scale) = match ty {
        Ty::Decimal(w, s) => (*w, *s),
        _ => (0, 0),
    };
    ffi::duckdb_decimal {
        width,
        scale,
        value: ffi::duckdb_hugeint {
            lower: v as u64,
            upper: (v >> 64) as i64,
        },
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_bind_decimal(
    prepared_statement: ffi::duckdb_prepared_statement,
    param_idx: ffi::idx_t,
    val: ffi::duckdb_decimal,
) -> ffi::duckdb_state {
    let cell = Cell::Int(from_huge(val.value.lower, val.value.upper.into()));
    // SAFETY: forwarded.
    unsafe { bind(prepared_statement, param_idx, cell, "duckdb_bind_decimal") }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_create_enum_value(
    type_: ffi::duckdb_logical_type,
    value: u64,
) -> ffi::duckdb_value {
    // SAFETY: checked handle (copied).
    let ty = unsafe { type_ref(type_, "duckdb_create_enum_value") }.clone();
    match &ty {
        Ty::Enum(dict) if (value as usize) < dict.len() => new_value(ty, Cell::Int(value.into())),
        _ => ptr::null_mut(),
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_get_enum_value(value: ffi::duckdb_value) -> u64 {
    value_int(value, "duckdb_get_enum_value") as u64
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_create_map_value(
    map_type: ffi::duckdb_logical_type,
    keys: *mut ffi::duckdb_value,
    values: *mut ffi::duckdb_value,
    entry_count: ffi::idx_t,
) -> ffi::duckdb_value {
    // SAFETY: checked handles; the inputs are copied and stay owned by the caller.
    unsafe {
        let ty = type_ref(map_type, "duckdb_create_map_value").clone();
        if !matches!(ty, Ty::Map(..)) {
            return ptr::null_mut();
        }
        let entries = (0..entry_count as usize)
            .map(|i| {
                Cell::Struct(vec![
                    value_ref(*keys.add(i), "duckdb_create_map_value")
                        .cell
                        .clone(),
                    value_ref(*values.add(i), "duckdb_create_map_value")
                        .cell
                        .clone(),
                ])
            })
            .collect();
        new_value(ty, Cell::List(entries))
    }
}

/// Key (`part` 0) or value (`part` 1) of map entry `index`, as a new owned value.
///
/// # Safety
/// `value` is a value handle from the model (checked).
unsafe fn map_part(
    value: ffi::duckdb_value,
    index: ffi::idx_t,
    part: usize,
    func: &str,
) -> ffi::duckdb_value {
    // SAFETY: checked handle; the value's own type.
    let (cell, ty) = unsafe {
        let v = value_ref(value, func);
        (&v.cell, &(*v.ty).ty)
    };
    match (cell, ty) {
        (Cell::List(entries), Ty::Map(k, v)) => match entries.get(index as usize) {
            Some(Cell::Struct(kv)) => new_value(
                if part == 0 {
                    (**k).clone()
                } else {
                    (**v).clone()
                },
                kv[part].clone(),
            ),
            _ => ptr::null_mut(),
        },
        _ => ptr::null_mut(),
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_get_map_size(value: ffi::duckdb_value) -> ffi::idx_t {
    // SAFETY: checked handle.
    match &unsafe { value_ref(value, "duckdb_get_map_size") }.cell {
        Cell::List(entries) => entries.len() as u64,
        _ => 0,
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_get_map_key(
    value: ffi::duckdb_value,
    index: ffi::idx_t,
) -> ffi::duckdb_value {
    // SAFETY: forwarded.
    unsafe { map_part(value, index, 0, "duckdb_get_map_key") }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_get_map_value(
    value: ffi::duckdb_value,
    index: ffi::idx_t,
) -> ffi::duckdb_value {
    // SAFETY: forwarded.
    unsafe { map_part(value, index, 1, "duckdb_get_map_value") }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_create_array_value(
    type_: ffi::duckdb_logical_type,
    values: *mut ffi::duckdb_value,
    value_count: ffi::idx_t,
) -> ffi::duckdb_value {
    // SAFETY: checked handles; the inputs are copied and stay owned by the caller.
    unsafe {
        let child = type_ref(type_, "duckdb_create_array_value").clone();
        let items = (0..value_count as usize)
            .map(|i| {
                value_ref(*values.add(i), "duckdb_create_array_value")
                    .cell
                    .clone()
            })
            .collect();
        new_value(
            Ty::Array(Box::new(child), value_count as usize),
            Cell::List(items),
        )
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_create_union_value(
    union_type: ffi::duckdb_logical_type,
    tag_index: ffi::idx_t,
    value: ffi::duckdb_value,
) -> ffi::duckdb_value {
    // SAFETY: checked handles; the input is copied and stays owned by the caller.
    unsafe {
        let ty = type_ref(union_type, "duckdb_create_union_value").clone();
        let Ty::Union(members) = &ty else {
            return ptr::null_mut();
        };
        if tag_index as usize >= members.len() {
            return ptr::null_mut();
        }
        let mut cells = vec![Cell::Null; members.len() + 1];
        cells[0] = Cell::Int(tag_index.into());
        cells[tag_index as usize + 1] = value_ref(value, "duckdb_create_union_value").cell.clone();
        new_value(ty, Cell::Struct(cells))
    }
}

/// BIT values keep DuckDB's storage bytes as they are handed in.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_create_bit(input: ffi::duckdb_bit) -> ffi::duckdb_value {
    // SAFETY: the caller's bytes, copied.
    let bytes = unsafe { std::slice::from_raw_parts(input.data, input.size as usize) }.to_vec();
    new_value(simple(ffi::DUCKDB_TYPE_DUCKDB_TYPE_BIT), Cell::Text(bytes))
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_get_bit(val: ffi::duckdb_value) -> ffi::duckdb_bit {
    // SAFETY: checked handle.
    let Cell::Text(bytes) = &unsafe { value_ref(val, "duckdb_get_bit") }.cell else {
        return ffi::duckdb_bit {
            data: ptr::null_mut(),
            size: 0,
        };
    };
    // SAFETY: malloc of the size, filled completely; owned by the caller (duckdb_free).
    unsafe {
        let data = malloc(bytes.len().max(1)).cast::<u8>();
        ptr::copy_nonoverlapping(bytes.as_ptr(), data, bytes.len());
        ffi::duckdb_bit {
            data,
            size: bytes.len() as u64,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Every function above has exactly the signature of its declaration in src/bindings.rs: an
// array of the two function items only compiles when both coerce to the same pointer type.
// ---------------------------------------------------------------------------------------------

macro_rules! same_signatures {
    ($($f:ident)*) => {
        #[allow(dead_code)]
        fn signatures_match_the_bindings() {
            $( let _ = [ffi::$f, $f]; )*
        }
    };
}

same_signatures! {
    duckdb_append_blob
    duckdb_append_bool
    duckdb_append_data_chunk
    duckdb_append_date
    duckdb_append_default
    duckdb_append_double
    duckdb_append_float
    duckdb_append_hugeint
    duckdb_append_int16
    duckdb_append_int32
    duckdb_append_int64
    duckdb_append_int8
    duckdb_append_interval
    duckdb_append_null
    duckdb_append_time
    duckdb_append_timestamp
    duckdb_append_uhugeint
    duckdb_append_uint16
    duckdb_append_uint32
    duckdb_append_uint64
    duckdb_append_uint8
    duckdb_append_value
    duckdb_append_varchar_length
    duckdb_appender_add_column
    duckdb_appender_clear
    duckdb_appender_clear_columns
    duckdb_appender_close
    duckdb_appender_column_count
    duckdb_appender_column_type
    duckdb_appender_create_ext
    duckdb_appender_create_query
    duckdb_appender_destroy
    duckdb_appender_end_row
    duckdb_appender_error_data
    duckdb_appender_flush
    duckdb_array_type_array_size
    duckdb_array_type_child_type
    duckdb_array_vector_get_child
    duckdb_bind_blob
    duckdb_bind_boolean
    duckdb_bind_date
    duckdb_bind_decimal
    duckdb_bind_double
    duckdb_bind_float
    duckdb_bind_hugeint
    duckdb_bind_int16
    duckdb_bind_int32
    duckdb_bind_int64
    duckdb_bind_int8
    duckdb_bind_interval
    duckdb_bind_null
    duckdb_bind_parameter_index
    duckdb_bind_time
    duckdb_bind_timestamp
    duckdb_bind_timestamp_tz
    duckdb_bind_uhugeint
    duckdb_bind_uint16
    duckdb_bind_uint32
    duckdb_bind_uint64
    duckdb_bind_uint8
    duckdb_bind_value
    duckdb_bind_varchar_length
    duckdb_clear_bindings
    duckdb_close
    duckdb_column_count
    duckdb_column_logical_type
    duckdb_column_name
    duckdb_column_type
    duckdb_config_count
    duckdb_connect
    duckdb_create_array_type
    duckdb_create_array_value
    duckdb_create_bit
    duckdb_create_blob
    duckdb_create_bool
    duckdb_create_config
    duckdb_create_data_chunk
    duckdb_create_date
    duckdb_create_decimal
    duckdb_create_decimal_type
    duckdb_create_double
    duckdb_create_enum_type
    duckdb_create_enum_value
    duckdb_create_float
    duckdb_create_hugeint
    duckdb_create_int16
    duckdb_create_int32
    duckdb_create_int64
    duckdb_create_int8
    duckdb_create_interval
    duckdb_create_list_type
    duckdb_create_list_value
    duckdb_create_logical_type
    duckdb_create_map_type
    duckdb_create_map_value
    duckdb_create_null_value
    duckdb_create_struct_type
    duckdb_create_struct_value
    duckdb_create_time
    duckdb_create_time_ns
    duckdb_create_time_tz
    duckdb_create_time_tz_value
    duckdb_create_timestamp
    duckdb_create_timestamp_ms
    duckdb_create_timestamp_ns
    duckdb_create_timestamp_s
    duckdb_create_timestamp_tz
    duckdb_create_timestamp_tz_ns
    duckdb_create_uhugeint
    duckdb_create_uint16
    duckdb_create_uint32
    duckdb_create_uint64
    duckdb_create_uint8
    duckdb_create_union_type
    duckdb_create_union_value
    duckdb_create_uuid
    duckdb_create_varchar_length
    duckdb_data_chunk_get_column_count
    duckdb_data_chunk_get_size
    duckdb_data_chunk_get_vector
    duckdb_data_chunk_reset
    duckdb_data_chunk_set_size
    duckdb_decimal_internal_type
    duckdb_decimal_scale
    duckdb_decimal_width
    duckdb_destroy_config
    duckdb_destroy_data_chunk
    duckdb_destroy_error_data
    duckdb_destroy_extracted
    duckdb_destroy_logical_type
    duckdb_destroy_pending
    duckdb_destroy_prepare
    duckdb_destroy_result
    duckdb_destroy_value
    duckdb_disconnect
    duckdb_enum_dictionary_size
    duckdb_enum_dictionary_value
    duckdb_enum_internal_type
    duckdb_error_data_error_type
    duckdb_error_data_has_error
    duckdb_error_data_message
    duckdb_execute_pending
    duckdb_execute_prepared
    duckdb_execute_prepared_streaming
    duckdb_extract_statements
    duckdb_extract_statements_error
    duckdb_fetch_chunk
    duckdb_free
    duckdb_from_time_tz
    duckdb_get_bit
    duckdb_get_blob
    duckdb_get_bool
    duckdb_get_config_flag
    duckdb_get_date
    duckdb_get_decimal
    duckdb_get_double
    duckdb_get_enum_value
    duckdb_get_float
    duckdb_get_hugeint
    duckdb_get_int16
    duckdb_get_int32
    duckdb_get_int64
    duckdb_get_int8
    duckdb_get_interval
    duckdb_get_list_child
    duckdb_get_list_size
    duckdb_get_map_key
    duckdb_get_map_size
    duckdb_get_map_value
    duckdb_get_struct_child
    duckdb_get_time
    duckdb_get_time_ns
    duckdb_get_time_tz
    duckdb_get_timestamp
    duckdb_get_timestamp_ms
    duckdb_get_timestamp_ns
    duckdb_get_timestamp_s
    duckdb_get_timestamp_tz
    duckdb_get_timestamp_tz_ns
    duckdb_get_type_id
    duckdb_get_uhugeint
    duckdb_get_uint16
    duckdb_get_uint32
    duckdb_get_uint64
    duckdb_get_uint8
    duckdb_get_uuid
    duckdb_get_value_type
    duckdb_get_varchar
    duckdb_interrupt
    duckdb_is_null_value
    duckdb_list_type_child_type
    duckdb_list_vector_get_child
    duckdb_list_vector_get_size
    duckdb_logical_type_get_alias
    duckdb_malloc
    duckdb_map_type_key_type
    duckdb_map_type_value_type
    duckdb_nparams
    duckdb_open
    duckdb_open_ext
    duckdb_param_logical_type
    duckdb_param_type
    duckdb_parameter_name
    duckdb_pending_error
    duckdb_pending_execute_check_state
    duckdb_pending_execute_task
    duckdb_pending_execution_is_finished
    duckdb_pending_prepared
    duckdb_prepare
    duckdb_prepare_error
    duckdb_prepare_extracted_statement
    duckdb_prepared_statement_column_count
    duckdb_prepared_statement_column_logical_type
    duckdb_prepared_statement_column_name
    duckdb_prepared_statement_column_type
    duckdb_prepared_statement_type
    duckdb_query
    duckdb_query_progress
    duckdb_result_error
    duckdb_result_error_type
    duckdb_result_statement_type
    duckdb_rows_changed
    duckdb_set_config
    duckdb_string_is_inlined
    duckdb_string_t_data
    duckdb_string_t_length
    duckdb_struct_type_child_count
    duckdb_struct_type_child_name
    duckdb_struct_type_child_type
    duckdb_struct_vector_get_child
    duckdb_union_type_member_count
    duckdb_union_type_member_name
    duckdb_union_type_member_type
    duckdb_unsafe_vector_assign_string_element_len
    duckdb_validity_row_is_valid
    duckdb_validity_set_row_invalid
    duckdb_validity_set_row_valid
    duckdb_value_to_string
    duckdb_vector_assign_string_element_len
    duckdb_vector_ensure_validity_writable
    duckdb_vector_get_column_type
    duckdb_vector_get_data
    duckdb_vector_get_validity
    duckdb_vector_size
}
