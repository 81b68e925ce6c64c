//! C API area: pending results (`duckdb_pending_prepared`, `duckdb_pending_execute_task`,
//! `duckdb_execute_pending`, ...).

use super::engine::{Outcome, cstring};
use super::registry::{ERROR, SUCCESS, adopt, destroy, live};
use super::result::write_result;
use super::sql::run;
use super::statement::prepared_ref;
use crate as ffi;
use std::cell::RefCell;
use std::ffi::{CString, c_char};
use std::ptr;

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
