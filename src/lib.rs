//! Raw bindings to the complete DuckDB C API, plus a complete safe binding built on them.
//!
//! The crate root holds every item of `duckdb.h` under its C name (`duckdb_open`,
//! `duckdb_result`, `DUCKDB_TYPE_DUCKDB_TYPE_INTEGER`, ...), exactly as bindgen renders them,
//! so code written against `libduckdb-sys` ports by changing the crate path. The engine is
//! compiled from DuckDB's pinned sources by the build script and linked statically.
//! `duckdb_static_extension.h` is at the root too; DuckDB's v2 C API (`duckdb_v2.h`) is in
//! the module [`v2`]. The function tables DuckDB hands a loadable extension are
//! `duckdb_ext_api_v1` (root) and `v2::duckdb_ext_api_v2`.
//!
//! With the feature `loadable-extension` (or `loadable-extension-v2`) the crate builds a
//! loadable DuckDB extension instead: nothing of the engine is compiled or linked, every
//! `duckdb_*` (or `v2::duckdb_v2_*`) function keeps its name and signature but calls through
//! the function table DuckDB hands the extension, and the module `extension` with the macro
//! `extension_entrypoint!` provides the entry point that stores it.
//!
//! ```
//! use duckdb_ffi::*;
//! use std::ptr;
//!
//! // SAFETY: every out-parameter is zero-initialised, every handle is destroyed once, and the
//! // result is destroyed before its connection.
//! unsafe {
//!     let mut db: duckdb_database = ptr::null_mut();
//!     assert_eq!(duckdb_open(ptr::null(), &mut db), duckdb_state_DuckDBSuccess);
//!     let mut conn: duckdb_connection = ptr::null_mut();
//!     assert_eq!(duckdb_connect(db, &mut conn), duckdb_state_DuckDBSuccess);
//!     let mut result: duckdb_result = std::mem::zeroed();
//!     let state = duckdb_query(conn, c"SELECT 40 + 2".as_ptr(), &mut result);
//!     assert_eq!(state, duckdb_state_DuckDBSuccess);
//!     let chunk = duckdb_fetch_chunk(result);
//!     let data = duckdb_vector_get_data(duckdb_data_chunk_get_vector(chunk, 0)) as *const i32;
//!     assert_eq!(*data, 42);
//!     let mut chunk = chunk;
//!     duckdb_destroy_data_chunk(&mut chunk);
//!     duckdb_destroy_result(&mut result);
//!     duckdb_disconnect(&mut conn);
//!     duckdb_close(&mut db);
//! }
//! ```

// The generated bindings, one folder: `src/raw/`.
mod raw;

#[cfg(feature = "loadable-extension")]
pub use raw::loadable::*;
#[cfg(not(feature = "loadable-extension"))]
pub use raw::v1::*;
pub use raw::v2;

#[cfg(all(feature = "loadable-extension", feature = "loadable-extension-v2"))]
compile_error!(
    "the features `loadable-extension` (v1 C API) and `loadable-extension-v2` (v2 C API) \
     exclude each other: an extension targets one C API version"
);

#[cfg(any(feature = "loadable-extension", feature = "loadable-extension-v2"))]
pub mod extension;

/// The DuckDB version this crate pins (`duckdb-src/pin.toml`), e.g. `"v2.0.0"`.
///
/// With `DUCKDB_LIB_DIR` a different library may be linked; compare with
/// [`duckdb_library_version`] at run time.
pub const PINNED_DUCKDB_VERSION: &str = env!("DUCKDB_FFI_PINNED_VERSION");

#[cfg(feature = "safe")]
pub mod safe;

// A model of the C API in Rust, which Miri runs the safe layer's unit tests against
// (tests/miri_model; its canned SQL also serves those tests on the real engine).
#[cfg(all(feature = "safe", any(miri, test)))]
#[path = "../tests/miri_model/mod.rs"]
mod miri_model;

/// The crate's reference to DuckDB's C API: ownership, borrowing, strings, traps and threads,
/// as the pinned sources decide them. The safe layer's `// SAFETY:` comments cite its sections.
#[doc = include_str!("c_api.md")]
pub mod c_api_reference {}

/// The README's Rust examples, compiled and run as doctests.
#[cfg(all(doctest, feature = "safe"))]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
