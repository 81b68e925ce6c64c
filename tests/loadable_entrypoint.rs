//! Own test binary: built with `loadable-extension` (no engine) and re-runs itself to see an abort.
//!
//! The v1 entry point's failure paths, against a fake of what DuckDB's loader passes (no
//! engine is linked in this mode): every failure reaches `set_error` with a message and
//! `false`, and calling DuckDB before the table is stored aborts with a message naming why.
//!
//! `cargo test --features loadable-extension --test loadable_entrypoint`

#![cfg(feature = "loadable-extension")]

use duckdb_ffi::*;
use std::ffi::{CStr, c_char, c_void};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// What the fake loader saw.
static ERRORS: Mutex<Vec<String>> = Mutex::new(Vec::new());
static VERSIONS: Mutex<Vec<String>> = Mutex::new(Vec::new());
static REFUSE_API: AtomicBool = AtomicBool::new(true);
static LEND_DATABASE: AtomicBool = AtomicBool::new(true);
static CONNECT_FAILS: AtomicBool = AtomicBool::new(false);
static DISCONNECTS: AtomicUsize = AtomicUsize::new(0);

/// Stand-ins for DuckDB's handles: only their addresses are used.
static mut DATABASE: duckdb_database = 0x1000 as duckdb_database;
const CONNECTION: duckdb_connection = 0x2000 as duckdb_connection;

unsafe extern "C" fn set_error(_info: duckdb_extension_info, message: *const c_char) {
    // SAFETY: the entry point passes a NUL-terminated message.
    let message = unsafe { CStr::from_ptr(message) }
        .to_string_lossy()
        .into_owned();
    ERRORS.lock().unwrap().push(message);
}

unsafe extern "C" fn get_database(_info: duckdb_extension_info) -> *mut duckdb_database {
    if LEND_DATABASE.load(Ordering::SeqCst) {
        &raw mut DATABASE
    } else {
        std::ptr::null_mut()
    }
}

unsafe extern "C" fn get_api(
    _info: duckdb_extension_info,
    version: *const c_char,
) -> *const c_void {
    // SAFETY: the entry point passes a NUL-terminated version.
    let version = unsafe { CStr::from_ptr(version) }
        .to_string_lossy()
        .into_owned();
    VERSIONS.lock().unwrap().push(version);
    if REFUSE_API.load(Ordering::SeqCst) {
        return std::ptr::null();
    }
    // A table whose only entries are the two the entry point calls itself.
    static TABLE: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    let table = *TABLE.get_or_init(|| {
        // SAFETY: the table is all optional function pointers, for which zero is `None`.
        let mut table: duckdb_ext_api_v1 = unsafe { std::mem::zeroed() };
        table.duckdb_connect = Some(connect);
        table.duckdb_disconnect = Some(disconnect);
        Box::into_raw(Box::new(table)) as usize
    });
    table as *const c_void
}

unsafe extern "C" fn connect(
    database: duckdb_database,
    out: *mut duckdb_connection,
) -> duckdb_state {
    assert_eq!(database, 0x1000 as duckdb_database, "the lent database");
    if CONNECT_FAILS.load(Ordering::SeqCst) {
        return duckdb_state_DuckDBError;
    }
    // SAFETY: the entry point passes its out-parameter.
    unsafe { *out = CONNECTION };
    duckdb_state_DuckDBSuccess
}

unsafe extern "C" fn disconnect(connection: *mut duckdb_connection) {
    // SAFETY: the entry point passes its connection.
    assert_eq!(unsafe { *connection }, CONNECTION);
    DISCONNECTS.fetch_add(1, Ordering::SeqCst);
}

/// Runs the entry point with `init` against the fake loader; returns its result and the error
/// it reported, if any.
fn load(
    init: impl FnOnce(&extension::LoadConnection<'_>) -> Result<(), String>,
) -> (bool, Option<String>) {
    let mut access = duckdb_extension_access {
        set_error: Some(set_error),
        get_database: Some(get_database),
        get_api: Some(get_api),
    };
    let info = 0x3000 as duckdb_extension_info;
    // SAFETY: the fake access struct lives for the call, as DuckDB's does.
    let ok = unsafe { duckdb_ffi::extension::entrypoint_v1("fake", info, &mut access, init) };
    let mut errors = ERRORS.lock().unwrap();
    assert!(errors.len() <= 1, "one error per load: {errors:?}");
    (ok, errors.pop())
}

#[test]
fn every_entry_point_failure_is_reported_through_set_error() {
    let version = duckdb_ffi::extension::api_version_v1();
    assert_eq!(
        version,
        format!(
            "v{DUCKDB_EXTENSION_API_VERSION_MAJOR}.{DUCKDB_EXTENSION_API_VERSION_MINOR}.{DUCKDB_EXTENSION_API_VERSION_PATCH}"
        )
    );

    // DuckDB refuses the version: init never runs.
    let (ok, error) = load(|_| panic!("init must not run"));
    assert!(!ok);
    assert_eq!(
        error.as_deref(),
        Some(
            format!(
                "extension fake: DuckDB refused C API version {version}, the version this \
                 extension was built for"
            )
            .as_str()
        )
    );
    assert_eq!(
        VERSIONS.lock().unwrap().as_slice(),
        std::slice::from_ref(&version)
    );

    REFUSE_API.store(false, Ordering::SeqCst);
    LEND_DATABASE.store(false, Ordering::SeqCst);
    let (ok, error) = load(|_| panic!("init must not run"));
    assert!(!ok);
    assert_eq!(
        error.as_deref(),
        Some("extension fake: DuckDB lent no database to extend")
    );

    LEND_DATABASE.store(true, Ordering::SeqCst);
    CONNECT_FAILS.store(true, Ordering::SeqCst);
    let (ok, error) = load(|_| panic!("init must not run"));
    assert!(!ok);
    assert_eq!(
        error.as_deref(),
        Some("extension fake: could not connect to the database being extended")
    );
    assert_eq!(DISCONNECTS.load(Ordering::SeqCst), 0);

    CONNECT_FAILS.store(false, Ordering::SeqCst);
    let (ok, error) = load(|_| Err("no licence".to_string()));
    assert!(!ok);
    assert_eq!(error.as_deref(), Some("extension fake: no licence"));
    assert_eq!(DISCONNECTS.load(Ordering::SeqCst), 1, "disconnected once");

    let (ok, error) = load(|_| panic!("boom"));
    assert!(!ok);
    assert_eq!(
        error.as_deref(),
        Some("extension fake panicked during initialization: boom")
    );
    assert_eq!(
        DISCONNECTS.load(Ordering::SeqCst),
        2,
        "disconnected once, while unwinding"
    );

    let (ok, error) = load(|conn| {
        assert_eq!(
            conn.as_raw(),
            CONNECTION,
            "init gets the connection it was lent"
        );
        Ok(())
    });
    assert!(ok);
    assert_eq!(error, None);
    assert_eq!(DISCONNECTS.load(Ordering::SeqCst), 3);

    // The safe adapter lends a Connection over it and gives it up, never disconnecting it
    // through the safe layer too.
    #[cfg(feature = "safe")]
    {
        let (ok, error) = load(|load| {
            let conn = safe::BorrowedConnection::from_extension(load);
            assert_eq!(conn.as_raw(), CONNECTION);
            assert_eq!(safe::ledger::snapshot().live_total(), 1);
            Ok(())
        });
        assert!(ok);
        assert_eq!(error, None);
        assert_eq!(
            DISCONNECTS.load(Ordering::SeqCst),
            4,
            "disconnected once, by the entry point"
        );
        assert_eq!(safe::ledger::snapshot().live_total(), 0);
    }
}

/// Run in a child process by the test below; does nothing otherwise.
#[test]
fn child_calls_duckdb_before_the_table_is_stored() {
    if std::env::var_os("DUCKDB_FFI_TEST_CALL_BEFORE_INIT").is_none() {
        return;
    }
    // SAFETY: no precondition; it aborts because no entry point ran in this process.
    let size = unsafe { duckdb_vector_size() };
    println!("unreachable: {size}");
}

#[test]
fn calling_duckdb_before_the_entry_point_aborts_with_a_message() {
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "child_calls_duckdb_before_the_table_is_stored",
            "--exact",
            "--nocapture",
        ])
        .env("DUCKDB_FFI_TEST_CALL_BEFORE_INIT", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    assert!(
        stderr.contains(
            "a DuckDB C function was called before the extension's entry point stored \
             DuckDB's function table"
        ),
        "{stderr}"
    );
    assert!(!String::from_utf8_lossy(&output.stdout).contains("unreachable"));
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(output.status.signal(), Some(6), "aborted (SIGABRT)");
    }
}
