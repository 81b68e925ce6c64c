//! Writing a loadable DuckDB extension in Rust: the function table and the entry point.
//!
//! With the feature `loadable-extension` (v1 C API) or `loadable-extension-v2` (v2 C API), the
//! crate links nothing of the engine. Every C function keeps its name (`duckdb_query`,
//! `v2::duckdb_v2_context_query`, ...) but becomes a Rust function that calls through the
//! function table DuckDB hands the extension's entry point; [`extension_entrypoint!`] provides
//! that entry point, stores a copy of the table, and runs the extension's own init function.
//! Calling any C function before the table is stored aborts the process with a message that
//! names the function.
//!
//! [`extension_entrypoint!`]: crate::extension_entrypoint

#[cfg(any(feature = "loadable-extension", feature = "loadable-extension-v2"))]
use std::sync::atomic::{AtomicPtr, Ordering};

/// The v1 table, once the entry point stored it: a leaked copy, never freed or replaced.
#[cfg(feature = "loadable-extension")]
static TABLE_V1: AtomicPtr<crate::duckdb_ext_api_v1> = AtomicPtr::new(std::ptr::null_mut());

/// The v2 table, as [`TABLE_V1`].
#[cfg(feature = "loadable-extension-v2")]
static TABLE_V2: AtomicPtr<crate::v2::duckdb_ext_api_v2> = AtomicPtr::new(std::ptr::null_mut());

/// The stored v1 table; aborts (a panic in an `extern "C"` wrapper) before the entry point ran.
#[cfg(feature = "loadable-extension")]
#[inline]
pub(crate) fn table_v1() -> &'static crate::duckdb_ext_api_v1 {
    let table = TABLE_V1.load(Ordering::Acquire);
    if table.is_null() {
        not_stored();
    }
    // SAFETY: a non-null pointer in the slot is a leaked Box (see `store`), never freed.
    unsafe { &*table }
}

/// The stored v2 table, as [`table_v1`].
#[cfg(feature = "loadable-extension-v2")]
#[inline]
pub(crate) fn table_v2() -> &'static crate::v2::duckdb_ext_api_v2 {
    let table = TABLE_V2.load(Ordering::Acquire);
    if table.is_null() {
        not_stored();
    }
    // SAFETY: as in `table_v1`.
    unsafe { &*table }
}

#[cfg(any(feature = "loadable-extension", feature = "loadable-extension-v2"))]
#[cold]
#[inline(never)]
fn not_stored() -> ! {
    panic!(
        "duckdb-ffi: a DuckDB C function was called before the extension's entry point stored \
         DuckDB's function table; call DuckDB only from code the entry point \
         (duckdb_ffi::extension_entrypoint!) runs, or that runs after it"
    )
}

/// A table entry DuckDB left empty.
#[cfg(any(feature = "loadable-extension", feature = "loadable-extension-v2"))]
#[cold]
#[inline(never)]
pub(crate) fn missing(name: &str) -> ! {
    panic!("duckdb-ffi: the function table DuckDB handed this extension has no {name}")
}

/// Keeps a copy of the table DuckDB lent: its own copy lives only during the entry point.
/// The first stored copy stays; a later load (another database in the same process) is handed
/// the same functions, so its copy is dropped.
#[cfg(any(feature = "loadable-extension", feature = "loadable-extension-v2"))]
fn store<T: Copy>(slot: &AtomicPtr<T>, table: &T) {
    let copy = Box::into_raw(Box::new(*table));
    let stored = slot.compare_exchange(
        std::ptr::null_mut(),
        copy,
        Ordering::AcqRel,
        Ordering::Acquire,
    );
    if stored.is_err() {
        // SAFETY: `copy` came from Box::into_raw above and was not published.
        drop(unsafe { Box::from_raw(copy) });
    }
}

/// Whether an extension name is what DuckDB derives from a file name: DuckDB looks the entry
/// point up under the lower-cased file name.
#[doc(hidden)]
pub const fn is_lowercase(name: &str) -> bool {
    let bytes = name.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_uppercase() {
            return false;
        }
        i += 1;
    }
    true
}

/// The text of a panic payload.
#[cfg(any(feature = "loadable-extension", feature = "loadable-extension-v2"))]
#[doc(hidden)]
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic with a non-string payload".to_string())
}

/// Text as a C string, interior NUL bytes replaced (an error message must get through).
#[cfg(any(feature = "loadable-extension", feature = "loadable-extension-v2"))]
fn c_text(text: &str) -> std::ffi::CString {
    std::ffi::CString::new(text.replace('\0', " ")).expect("NUL bytes were replaced")
}

/// The v1 C API version this crate's table was generated for (`duckdb_extension.h`), e.g.
/// `"v1.5.6"`: the version the entry point asks DuckDB for, and the one a v1 extension's
/// metadata footer states.
pub fn api_version_v1() -> String {
    format!(
        "v{}.{}.{}",
        crate::DUCKDB_EXTENSION_API_VERSION_MAJOR,
        crate::DUCKDB_EXTENSION_API_VERSION_MINOR,
        crate::DUCKDB_EXTENSION_API_VERSION_PATCH
    )
}

/// The v1 entry point's body; [`extension_entrypoint!`](crate::extension_entrypoint) calls it.
///
/// Asks DuckDB for the table through the access struct (which checks the API version), stores
/// it, connects to the database being extended, runs `init` on that connection (lent: it is
/// disconnected after `init` returns), and turns every failure (no table, no database, `init`'s
/// error, a panic) into a message through `access.set_error` and `false`. An init that returns
/// `false` without an error message is a fatal error for the host database, so none does.
///
/// # Safety
/// `info` and `access` are the two arguments DuckDB passed the `<name>_init_c_api` symbol.
#[cfg(feature = "loadable-extension")]
#[doc(hidden)]
pub unsafe fn entrypoint_v1<E: std::fmt::Display>(
    name: &str,
    info: crate::duckdb_extension_info,
    access: *mut crate::duckdb_extension_access,
    init: impl FnOnce(&LoadConnection<'_>) -> Result<(), E>,
) -> bool {
    use std::panic::{AssertUnwindSafe, catch_unwind};
    // SAFETY: DuckDB passes a live access struct for the duration of the call (caller's
    // contract); null is refused below.
    let Some(access) = (unsafe { access.as_ref() }) else {
        return false; // nothing to report through; DuckDB never passes null
    };
    let run = || -> Result<(), String> {
        let get_api = access.get_api.ok_or("DuckDB passed no get_api")?;
        let version = api_version_v1();
        let c_version = c_text(&version);
        // SAFETY: get_api takes the load's info and a C string; it returns null or a pointer
        // to a table valid until the entry point returns, copied here by `store`
        // (src/c_api.md, "Loadable extensions").
        let table = unsafe { get_api(info, c_version.as_ptr()) }.cast::<crate::duckdb_ext_api_v1>();
        // SAFETY: null or DuckDB's table, as above.
        let Some(table) = (unsafe { table.as_ref() }) else {
            return Err(format!(
                "DuckDB refused C API version {version}, the version this extension was \
                 built for"
            ));
        };
        store(&TABLE_V1, table);
        let get_database = access.get_database.ok_or("DuckDB passed no get_database")?;
        // SAFETY: get_database takes the load's info; it returns null or a database handle
        // borrowed for the duration of the entry point ("Loadable extensions").
        let database = unsafe { get_database(info) };
        if database.is_null() {
            return Err("DuckDB lent no database to extend".to_string());
        }
        let mut raw: crate::duckdb_connection = std::ptr::null_mut();
        // SAFETY: a live database handle; the out-parameter is null-initialised.
        if unsafe { crate::duckdb_connect(*database, &mut raw) }
            != crate::duckdb_state_DuckDBSuccess
        {
            return Err("could not connect to the database being extended".to_string());
        }
        let _disconnect = Disconnect(raw);
        // `raw` is live until `_disconnect` drops, after `init` returns.
        let connection = LoadConnection {
            raw,
            lent: std::marker::PhantomData,
        };
        init(&connection).map_err(|e| e.to_string())
    };
    let failure = match catch_unwind(AssertUnwindSafe(run)) {
        Ok(Ok(())) => return true,
        Ok(Err(message)) => format!("extension {name}: {message}"),
        Err(payload) => format!(
            "extension {name} panicked during initialization: {}",
            panic_message(&*payload)
        ),
    };
    if let Some(set_error) = access.set_error {
        let message = c_text(&failure);
        // SAFETY: set_error takes the load's info and a C string it copies ("Loadable
        // extensions").
        unsafe { set_error(info, message.as_ptr()) };
    }
    false
}

/// The connection a v1 entry point opens to the database being extended, lent to the
/// extension's `init` for the length of the call and disconnected after it.
///
/// [`as_raw`](Self::as_raw) gives the raw handle for the C API; with the `safe` feature,
/// `safe::BorrowedConnection::from_extension` lends a safe `Connection` over it. Only the
/// entry point makes one, so a `&LoadConnection` is always a live connection.
#[cfg(feature = "loadable-extension")]
#[derive(Debug)]
pub struct LoadConnection<'a> {
    raw: crate::duckdb_connection,
    lent: std::marker::PhantomData<&'a ()>,
}

#[cfg(feature = "loadable-extension")]
impl LoadConnection<'_> {
    /// The raw connection, live while this value is; never disconnect it.
    pub fn as_raw(&self) -> crate::duckdb_connection {
        self.raw
    }
}

/// Disconnects the entry point's connection, also when `init` unwinds.
#[cfg(feature = "loadable-extension")]
struct Disconnect(crate::duckdb_connection);

#[cfg(feature = "loadable-extension")]
impl Drop for Disconnect {
    fn drop(&mut self) {
        // SAFETY: a connection the entry point opened and disconnects once, here.
        unsafe { crate::duckdb_disconnect(&mut self.0) };
    }
}

/// The v2 C API version this crate's table was generated for (`duckdb_extension_v2.h`), as
/// the entry point asks DuckDB for it. The v2 surface is unstable: a v2 extension's metadata
/// footer states the ABI `C_STRUCT_UNSTABLE` and the exact DuckDB version
/// ([`PINNED_DUCKDB_VERSION`](crate::PINNED_DUCKDB_VERSION)) instead.
pub fn api_version_v2() -> String {
    format!(
        "v{}.{}.{}",
        crate::v2::DUCKDB_EXTENSION_API_VERSION_MAJOR,
        crate::v2::DUCKDB_EXTENSION_API_VERSION_MINOR,
        crate::v2::DUCKDB_EXTENSION_API_VERSION_PATCH
    )
}

/// The v2 entry point's body; [`extension_entrypoint!`](crate::extension_entrypoint) calls it.
///
/// Asks DuckDB for the v2 table (if DuckDB refuses, it has recorded why and the error slot is
/// left alone, as `duckdb_extension_v2.h` requires), stores it, runs `init` with the extension
/// and the borrowed context, and turns `init`'s error or panic into an error code and text in
/// DuckDB's error slot.
///
/// # Safety
/// `input` is the argument DuckDB passed the `<name>_init_c_api_v2` symbol.
#[cfg(feature = "loadable-extension-v2")]
#[doc(hidden)]
pub unsafe fn entrypoint_v2<E: std::fmt::Display>(
    name: &str,
    input: *mut crate::v2::duckdb_v2_extension_input,
    init: impl FnOnce(
        crate::v2::duckdb_v2_extension_handle,
        crate::v2::duckdb_v2_context_handle,
    ) -> Result<(), E>,
) {
    use crate::v2 as ffi;
    use std::panic::{AssertUnwindSafe, catch_unwind};
    // SAFETY: DuckDB passes a live input for the duration of the call (caller's contract).
    let Some(input) = (unsafe { input.as_ref() }) else {
        return;
    };
    let Some(get_api) = input.get_api else {
        return; // statically linked: this entry point is for loadable extensions only
    };
    let version = c_text(&api_version_v2());
    // SAFETY: get_api takes the extension handle and a C string; null or a table valid until
    // the entry point returns, copied by `store`.
    let table =
        unsafe { get_api(input.extension, version.as_ptr()) }.cast::<ffi::duckdb_ext_api_v2>();
    // SAFETY: null or DuckDB's table, as above.
    let Some(table) = (unsafe { table.as_ref() }) else {
        return; // DuckDB recorded why and reports it; the slot must stay untouched
    };
    store(&TABLE_V2, table);
    let failure = match catch_unwind(AssertUnwindSafe(|| init(input.extension, input.context))) {
        Ok(Ok(())) => return,
        Ok(Err(message)) => format!("extension {name}: {message}"),
        Err(payload) => format!(
            "extension {name} panicked during initialization: {}",
            panic_message(&*payload)
        ),
    };
    // SAFETY: `err` is DuckDB's live error slot, never null (src/c_api.md, "Loadable
    // extensions"); the text is copied by DuckDB before `failure` drops.
    unsafe {
        let slot = *input.err;
        ffi::duckdb_v2_error_info_set_code(
            slot,
            ffi::DUCKDB_V2_ERROR_DUCKDB_V2_ERROR_INPUT_INVALID,
        );
        let text = ffi::duckdb_v2_str {
            ptr: failure.as_ptr().cast(),
            len: failure.len() as ffi::idx_t,
        };
        ffi::duckdb_v2_error_info_set_text(slot, &text);
    }
}

/// Provides the symbol DuckDB's loader calls in a loadable extension, and runs `init` from it.
///
/// `name` is the extension's name: the file name without `.duckdb_extension`, lower-cased
/// (DuckDB looks the entry point up under that name; upper case is refused at compile time).
///
/// - v1 (`loadable-extension`): exports `<name>_init_c_api`; `init` is
///   `fn(&extension::LoadConnection) -> Result<(), E>` with `E: Display`, called with a
///   connection to the database being extended, lent for the call (with the `safe` feature,
///   `safe::BorrowedConnection::from_extension` turns it into a safe `Connection`).
/// - v2 (`loadable-extension-v2`): exports `<name>_init_c_api_v2`; `init` is
///   `fn(v2::duckdb_v2_extension_handle, v2::duckdb_v2_context_handle) -> Result<(), E>`.
///
/// Either way the entry point asks DuckDB for its function table with the API version the
/// crate was generated for, stores it, catches a panic in `init`, and reports every failure
/// through DuckDB's error call, so `LOAD` fails with the message and the database stays usable.
///
/// ```ignore
/// use duckdb_ffi::extension::LoadConnection;
///
/// fn init(conn: &LoadConnection) -> Result<(), String> {
///     // register functions through the raw handle conn.as_raw() ...
///     Ok(())
/// }
/// duckdb_ffi::extension_entrypoint!(my_extension, init);
/// ```
#[cfg(feature = "loadable-extension")]
#[macro_export]
macro_rules! extension_entrypoint {
    ($name:ident, $init:expr) => {
        const _: () = {
            assert!(
                $crate::extension::is_lowercase(stringify!($name)),
                "DuckDB looks the entry point up under the lower-cased file name: use lower case"
            );
            #[unsafe(export_name = concat!(stringify!($name), "_init_c_api"))]
            extern "C" fn entrypoint(
                info: $crate::duckdb_extension_info,
                access: *mut $crate::duckdb_extension_access,
            ) -> bool {
                // SAFETY: DuckDB's loader calls this symbol with its load state and access
                // struct, the arguments `entrypoint_v1` takes.
                unsafe { $crate::extension::entrypoint_v1(stringify!($name), info, access, $init) }
            }
        };
    };
}

/// See the v1 form above; this is the v2 one (`loadable-extension-v2`).
#[cfg(all(feature = "loadable-extension-v2", not(feature = "loadable-extension")))]
#[macro_export]
macro_rules! extension_entrypoint {
    ($name:ident, $init:expr) => {
        const _: () = {
            assert!(
                $crate::extension::is_lowercase(stringify!($name)),
                "DuckDB looks the entry point up under the lower-cased file name: use lower case"
            );
            #[unsafe(export_name = concat!(stringify!($name), "_init_c_api_v2"))]
            extern "C" fn entrypoint(input: *mut $crate::v2::duckdb_v2_extension_input) {
                // SAFETY: DuckDB's loader calls this symbol with the extension input, the
                // argument `entrypoint_v2` takes.
                unsafe { $crate::extension::entrypoint_v2(stringify!($name), input, $init) }
            }
        };
    };
}
