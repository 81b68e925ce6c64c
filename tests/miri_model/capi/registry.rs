//! The registry of live objects and the helpers every area of the model shares: adopting,
//! checking and destroying handles, C strings, C `malloc`/`free`, and the return states.

use crate as ffi;
use std::collections::BTreeMap;
use std::ffi::{CStr, c_char, c_void};
use std::ptr;
use std::sync::{Mutex, PoisonError};

unsafe extern "C" {
    pub(super) fn malloc(size: usize) -> *mut c_void;
    pub(super) fn free(ptr: *mut c_void);
}

// ---------------------------------------------------------------------------------------------
// Registry of live objects
// ---------------------------------------------------------------------------------------------

/// Address -> kind of every object the model handed out and nobody destroyed yet. Addresses are
/// stored without provenance, so the registry does not keep a leaked object reachable (Miri
/// still reports it as a leak).
static LIVE: Mutex<BTreeMap<usize, &'static str>> = Mutex::new(BTreeMap::new());

/// Stops the program with a message: the safe layer did something DuckDB does not allow.
#[track_caller]
pub(super) fn fail(message: std::fmt::Arguments<'_>) -> ! {
    use std::io::Write;
    // Straight to stderr: the test harness captures `eprintln!`, and the abort would lose it.
    let _ = writeln!(std::io::stderr(), "duckdb-ffi miri model: {message}");
    std::process::abort()
}

pub(super) fn registry() -> std::sync::MutexGuard<'static, BTreeMap<usize, &'static str>> {
    LIVE.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Boxes `value` and registers it as a live object of `kind`.
pub(super) fn adopt<T>(kind: &'static str, value: T) -> *mut T {
    let p = Box::into_raw(Box::new(value));
    registry().insert(p.addr(), kind);
    p
}

/// Checks that `p` is a live object of `kind` before `func` uses it.
fn check<T>(p: *const T, kind: &'static str, func: &str) {
    if p.is_null() {
        fail(format_args!("{func}: called with a NULL {kind}"));
    }
    match registry().get(&p.addr()) {
        Some(k) if *k == kind => {}
        Some(k) => fail(format_args!("{func}: handle {p:?} is a {k}, not a {kind}")),
        None => fail(format_args!(
            "{func}: {kind} {p:?} is not live: it was destroyed already (use after destroy or \
             double destroy) or never created"
        )),
    }
}

/// A shared reference to a live object of `kind`.
///
/// # Safety
/// `p` must have been returned by [`adopt`] with the same `T` (the registry checks the kind).
pub(super) unsafe fn live<'a, T>(p: *const T, kind: &'static str, func: &str) -> &'a T {
    check(p, kind, func);
    // SAFETY: registered objects are live boxes of this kind; the model only reads through
    // shared references (mutable state sits in cells).
    unsafe { &*p }
}

/// Unregisters and frees a live object of `kind`.
///
/// # Safety
/// As for [`live`]; nobody may use `p` afterwards.
pub(super) unsafe fn release<T>(p: *mut T, kind: &'static str, func: &str) {
    check(p, kind, func);
    registry().remove(&p.addr());
    // SAFETY: `p` came from Box::into_raw in `adopt` and was live until now.
    drop(unsafe { Box::from_raw(p) });
}

/// Unregisters a live object of `kind` and gives its value back (for the info objects the
/// model lends to a callback for one call).
///
/// # Safety
/// As for [`release`].
pub(super) unsafe fn reclaim<T>(p: *mut T, kind: &'static str, func: &str) -> T {
    check(p, kind, func);
    registry().remove(&p.addr());
    // SAFETY: `p` came from Box::into_raw in `adopt` and was live until now.
    *unsafe { Box::from_raw(p) }
}

/// The destroy pattern of the C API: accept a NULL pointer or NULL handle, else free the
/// object and null the handle.
///
/// # Safety
/// `handle` is null or points to a handle that is null or was returned by [`adopt`] as a `T`.
pub(super) unsafe fn destroy<H, T>(handle: *mut *mut H, kind: &'static str, func: &str) {
    if handle.is_null() {
        return;
    }
    // SAFETY: non-null pointer to a handle, per the contract.
    let p = unsafe { *handle };
    if p.is_null() {
        return;
    }
    // SAFETY: per the contract.
    unsafe {
        release(p.cast::<T>(), kind, func);
        *handle = ptr::null_mut();
    }
}

/// Copies `s` into a string from C `malloc`, to be released with `duckdb_free`.
pub(super) fn malloc_string(s: &str) -> *mut c_char {
    // SAFETY: malloc of len + 1 bytes, filled completely below.
    unsafe {
        let p = malloc(s.len() + 1).cast::<u8>();
        if p.is_null() {
            fail(format_args!("malloc failed"));
        }
        ptr::copy_nonoverlapping(s.as_ptr(), p, s.len());
        *p.add(s.len()) = 0;
        p.cast()
    }
}

/// Reads a C string argument.
///
/// # Safety
/// `p` is null or a valid NUL-terminated string.
pub(super) unsafe fn text<'a>(p: *const c_char, func: &str) -> &'a str {
    if p.is_null() {
        fail(format_args!("{func}: NULL string argument"));
    }
    // SAFETY: per the contract.
    let s = unsafe { CStr::from_ptr(p) };
    s.to_str()
        .unwrap_or_else(|_| fail(format_args!("{func}: string argument is not UTF-8")))
}

pub(super) const SUCCESS: ffi::duckdb_state = ffi::duckdb_state_DuckDBSuccess;
pub(super) const ERROR: ffi::duckdb_state = ffi::duckdb_state_DuckDBError;
