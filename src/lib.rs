//! Raw bindings to the complete DuckDB C API, plus a small safe layer.
//!
//! The crate root holds every item of `duckdb.h` under its C name (`duckdb_open`,
//! `duckdb_result`, `DUCKDB_TYPE_DUCKDB_TYPE_INTEGER`, ...), exactly as bindgen renders them,
//! so code written against `libduckdb-sys` ports by changing the crate path. The engine is
//! compiled from DuckDB's pinned sources by the build script and linked statically.
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

#[allow(
    non_upper_case_globals,
    non_camel_case_types,
    non_snake_case,
    dead_code,
    clippy::all,
    clippy::pedantic,
    rustdoc::all
)]
mod raw {
    #[cfg(feature = "buildtime_bindgen")]
    include!(concat!(env!("OUT_DIR"), "/bindings.rs"));
    #[cfg(not(feature = "buildtime_bindgen"))]
    include!("bindings.rs");
}
pub use raw::*;

/// The DuckDB version this crate pins (`duckdb-src/pin.toml`), e.g. `"v2.0.0"`.
///
/// With `DUCKDB_LIB_DIR` a different library may be linked; compare with
/// [`duckdb_library_version`] at run time.
pub const PINNED_DUCKDB_VERSION: &str = env!("DUCKDB_FFI_PINNED_VERSION");

pub mod safe;

/// The crate's reference to DuckDB's C API: ownership, borrowing, strings, traps and threads,
/// as the pinned sources decide them. The safe layer's `// SAFETY:` comments cite its sections.
#[doc = include_str!("c_api.md")]
pub mod c_api_reference {}

/// The README's Rust examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
