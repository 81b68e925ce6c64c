//! What every callback shares: running Rust code under DuckDB without letting a panic unwind
//! into C, and handing Rust values to DuckDB as counted, owned pointers.

use crate::safe::handle::{Counted, HandleKind};
use crate::safe::ledger;
use std::any::Any;
use std::ffi::{CString, c_void};
use std::panic::{self, AssertUnwindSafe};

/// What a callback returns: a value, or any error, whose `Display` becomes the error of the
/// query that ran the callback.
pub type CallbackResult<T = ()> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// Runs a callback that can report an error to DuckDB. An error or a panic becomes the message
/// to report (a panic's message is prefixed with `what()` and "panicked"; `what` only runs
/// then, so the hot path formats nothing).
pub(crate) fn catch<T>(
    what: impl FnOnce() -> String,
    f: impl FnOnce() -> CallbackResult<T>,
) -> Result<T, CString> {
    match panic::catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(error)) => Err(c_message(error.to_string())),
        Err(payload) => Err(c_message(format!(
            "{} panicked: {}",
            what(),
            panic_message(payload.as_ref())
        ))),
    }
}

/// Runs a callback that cannot report an error (destroy and copy callbacks). A panic is caught
/// (it must never unwind into C), printed on stderr and counted in
/// [`ledger::swallowed_panics`]; the callback then returns `None`.
pub(crate) fn quiet<T>(what: &str, f: impl FnOnce() -> T) -> Option<T> {
    match panic::catch_unwind(AssertUnwindSafe(f)) {
        Ok(value) => Some(value),
        Err(payload) => {
            ledger::note_swallowed_panic();
            eprintln!(
                "duckdb-ffi: {what} panicked, and DuckDB cannot receive an error from it: {}",
                panic_message(payload.as_ref())
            );
            None
        }
    }
}

fn panic_message(payload: &(dyn Any + Send)) -> &str {
    if let Some(s) = payload.downcast_ref::<&str>() {
        s
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s
    } else {
        "a panic without a message"
    }
}

/// A C string of `message`, with any NUL byte (which C would read as the end) replaced.
pub(crate) fn c_message(message: String) -> CString {
    CString::new(message).unwrap_or_else(|e| {
        let text = String::from_utf8_lossy(&e.into_vec()).replace('\0', "\u{FFFD}");
        CString::new(text).unwrap_or_default()
    })
}

/// Hands `value` to DuckDB: a pointer for its `void *` slot, counted in the ledger as `kind`
/// until [`drop_handed::<T>`] (its destroy callback) drops it.
pub(crate) fn hand_over<T>(kind: HandleKind, value: T) -> *mut c_void {
    Box::into_raw(Box::new(Counted::new(kind, value))).cast()
}

/// The value behind a pointer made by [`hand_over`].
///
/// # Safety
/// `data` must come from `hand_over::<T>` and not be destroyed for `'a`; DuckDB only shares it
/// (`&T`) between threads, so `T` must be `Sync` wherever callbacks run on several threads.
pub(crate) unsafe fn handed<'a, T>(data: *mut c_void) -> &'a T {
    // SAFETY: the caller's contract.
    unsafe { &*data.cast::<Counted<T>>() }
}

/// The destroy callback of a pointer made by [`hand_over::<T>`]: drops the value once.
///
/// # Safety
/// DuckDB calls it once per pointer, with a pointer from `hand_over::<T>` (or null).
pub(crate) unsafe extern "C" fn drop_handed<T>(data: *mut c_void) {
    if data.is_null() {
        return;
    }
    quiet(
        "a destroy callback (dropping a Rust value handed to DuckDB)",
        || {
            // SAFETY: the caller's contract: this pointer came from `Box::into_raw` in
            // `hand_over::<T>`, and this is its only destroy.
            drop(unsafe { Box::from_raw(data.cast::<Counted<T>>()) });
        },
    );
}
