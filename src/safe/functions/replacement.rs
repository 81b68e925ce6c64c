//! Replacement scans: a Rust callback that turns a table name DuckDB cannot find into a call
//! of a table function.

use super::guard::{CallbackResult, catch, drop_handed, hand_over, handed};
use crate as ffi;
use crate::safe::handle::HandleKind;
use crate::safe::values::Value;
use std::ffi::{CStr, CString, c_char, c_void};

/// What a replacement scan substitutes for a table name: `function(arguments...)`.
#[derive(Debug)]
pub struct Replacement {
    /// The table function to call.
    pub function: String,
    /// Its positional arguments.
    pub arguments: Vec<Value>,
}

type ScanFn = dyn Fn(&str) -> CallbackResult<Option<Replacement>> + Send + Sync;

/// Installs `scan` on `db` (see [`Database::add_replacement_scan`](crate::safe::Database::add_replacement_scan)).
pub(crate) fn install<F>(db: ffi::duckdb_database, scan: F)
where
    F: Fn(&str) -> CallbackResult<Option<Replacement>> + Send + Sync + 'static,
{
    let data = hand_over::<Box<ScanFn>>(HandleKind::FunctionInfo, Box::new(scan));
    // SAFETY: live database. DuckDB owns `data` from here and destroys it once with
    // `drop_handed` when the database closes (src/c_api.md, "Callbacks").
    unsafe {
        ffi::duckdb_add_replacement_scan(db, Some(invoke), data, Some(drop_handed::<Box<ScanFn>>))
    };
}

unsafe extern "C" fn invoke(
    info: ffi::duckdb_replacement_scan_info,
    table_name: *const c_char,
    data: *mut c_void,
) {
    // SAFETY: the data installed by `install`, alive while the database is.
    let scan = unsafe { handed::<Box<ScanFn>>(data) };
    // SAFETY: DuckDB passes the table name as a NUL-terminated string for the call.
    let name = unsafe { CStr::from_ptr(table_name) }.to_string_lossy();
    let outcome = catch(
        || format!("the replacement scan for `{name}`"),
        || {
            let Some(replacement) = scan(&name)? else {
                return Ok(());
            };
            let function = CString::new(replacement.function)?;
            // SAFETY: live scan info; the name and the values are copied.
            unsafe {
                ffi::duckdb_replacement_scan_set_function_name(info, function.as_ptr());
                for argument in &replacement.arguments {
                    ffi::duckdb_replacement_scan_add_parameter(info, argument.as_raw());
                }
            }
            Ok(())
        },
    );
    if let Err(message) = outcome {
        // SAFETY: live scan info; the message is copied.
        unsafe { ffi::duckdb_replacement_scan_set_error(info, message.as_ptr()) };
    }
}
