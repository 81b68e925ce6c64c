//! C API area: error data (`duckdb_error_data_*`, `duckdb_destroy_error_data`).

use super::registry::{destroy, live};
use crate as ffi;
use std::ffi::{CString, c_char};
use std::ptr;

// ---------------------------------------------------------------------------------------------
// Error data
// ---------------------------------------------------------------------------------------------

pub(super) struct ErrorDataObj {
    pub(super) error: Option<(CString, ffi::duckdb_error_type)>,
}
pub(super) const ERROR_DATA: &str = "error data";

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
