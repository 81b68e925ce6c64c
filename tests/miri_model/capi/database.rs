//! C API area: databases, configs and connections (`duckdb_open_ext`, `duckdb_set_config`,
//! `duckdb_connect`, `duckdb_interrupt`, ...).

use super::engine::Engine;
use super::registry::{ERROR, SUCCESS, adopt, destroy, live, malloc_string, text};
use crate as ffi;
use std::cell::RefCell;
use std::ffi::{CStr, c_char};
use std::ptr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

// ---------------------------------------------------------------------------------------------
// Database, config, connection
// ---------------------------------------------------------------------------------------------

pub(super) struct DatabaseObj {
    pub(super) engine: Arc<Engine>,
}
pub(super) const DATABASE: &str = "database";

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
        c"autoinstall_known_extensions",
        c"(model) install a known extension a query needs",
    ),
    (
        c"autoload_known_extensions",
        c"(model) load a known extension a query needs",
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

pub(super) struct ConnectionObj {
    pub(super) engine: Arc<Engine>,
    pub(super) interrupted: AtomicBool,
}
pub(super) const CONNECTION: &str = "connection";

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
