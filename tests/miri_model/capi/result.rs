//! C API area: query results (`duckdb_query`, `duckdb_destroy_result`, column metadata,
//! errors, `duckdb_fetch_chunk`).

use super::database::{CONNECTION, ConnectionObj};
use super::engine::{Outcome, parameter_count, prepare_error};
use super::logical_type::new_logical_type;
use super::registry::{ERROR, SUCCESS, adopt, fail, live, release, text};
use super::sql::run;
use super::storage::{CHUNK, ChunkObj, VECTOR_SIZE, build_vector};
use crate as ffi;
use std::cell::Cell as StdCell;
use std::ffi::c_char;
use std::ptr;
use std::sync::atomic::Ordering;

// ---------------------------------------------------------------------------------------------
// Results
// ---------------------------------------------------------------------------------------------

pub(super) struct ResultObj {
    outcome: Outcome,
    next_row: StdCell<usize>,
}
const RESULT: &str = "result";

/// Fills `out` as DuckDB does: zeroed, then the internal data, even for an error.
///
/// # Safety
/// `out` is null or points to a writable `duckdb_result`.
pub(super) unsafe fn write_result(
    outcome: Outcome,
    out: *mut ffi::duckdb_result,
) -> ffi::duckdb_state {
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
pub(super) unsafe fn result_data<'a>(
    result: *const ffi::duckdb_result,
    func: &str,
) -> Option<&'a ResultObj> {
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
        owner: None,
    };
    adopt(CHUNK, chunk).cast()
}
