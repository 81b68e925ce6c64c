//! C API area: `duckdb_malloc` and `duckdb_free` (C `malloc` and `free`), and the library
//! version (a static string).

use super::registry::{free, malloc};
use std::ffi::{c_char, c_void};

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

/// The version is a static string: never freed.
#[unsafe(no_mangle)]
pub extern "C" fn duckdb_library_version() -> *const c_char {
    c"v2.0.0".as_ptr()
}
