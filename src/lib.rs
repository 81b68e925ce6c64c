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

/// Includes one pregenerated bindings file: the committed copy in `src/`, or with the
/// `buildtime_bindgen` feature the one the build script generated into `OUT_DIR`.
macro_rules! bindings {
    ($file:literal) => {
        #[cfg(feature = "buildtime_bindgen")]
        include!(concat!(env!("OUT_DIR"), "/", $file));
        #[cfg(not(feature = "buildtime_bindgen"))]
        include!($file);
    };
}

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
    // duckdb.h only declares the Arrow C Data Interface structs; duckdb_v2.h defines them.
    pub use super::v2::{ArrowArray, ArrowSchema};
    bindings!("bindings.rs");
    // Static registration exists only where the engine is linked, never in an extension.
    #[cfg(not(any(feature = "loadable-extension", feature = "loadable-extension-v2")))]
    mod static_extension {
        bindings!("bindings_static_extension.rs");
    }
    #[cfg(not(any(feature = "loadable-extension", feature = "loadable-extension-v2")))]
    pub use static_extension::*;
    bindings!("bindings_extension.rs");
}
#[cfg(feature = "loadable-extension")]
pub use loadable::*;
#[cfg(not(feature = "loadable-extension"))]
pub use raw::*;

/// Feature `loadable-extension`: every `duckdb.h` function, under its C name and signature,
/// calls through the function table the extension's entry point stored. The wrappers shadow
/// the glob-imported `extern` declarations of the same names, so nothing refers to an engine
/// symbol.
#[cfg(feature = "loadable-extension")]
#[allow(
    non_upper_case_globals,
    non_camel_case_types,
    non_snake_case,
    clippy::all,
    clippy::pedantic,
    rustdoc::all
)]
mod loadable {
    pub use super::raw::*;
    bindings!("bindings_loadable.rs");
}

#[cfg(all(feature = "loadable-extension", feature = "loadable-extension-v2"))]
compile_error!(
    "the features `loadable-extension` (v1 C API) and `loadable-extension-v2` (v2 C API) \
     exclude each other: an extension targets one C API version"
);

#[cfg(any(feature = "loadable-extension", feature = "loadable-extension-v2"))]
pub mod extension;

/// Raw bindings to DuckDB's v2 C API (`duckdb_v2.h`), every item under its C name.
///
/// Every v2 function is declared only with `DUCKDB_V2_API_ALLOW_UNSTABLE` on, DuckDB's switch
/// for a surface it does not promise to keep: these bindings hold for the pinned DuckDB
/// ([`PINNED_DUCKDB_VERSION`](crate::PINNED_DUCKDB_VERSION)) only, and may change with any
/// new pin. The items `duckdb.h` also defines are shared with the crate root, not duplicated:
/// `idx_t` and `_duckdb_extension_info` are the root's, and the Arrow C Data Interface structs
/// (`ArrowSchema`, `ArrowArray`, `ArrowArrayStream`) are defined here, the first two also
/// re-exported at the root, where `duckdb.h` only declares them. So one `use duckdb_ffi::v2::*`
/// brings the whole v2 surface, and pointers pass between v1 and v2 functions unchanged. Who
/// owns what: the crate's
/// [C API reference](crate::c_api_reference), section "The v2 API: who owns what".
#[allow(
    non_upper_case_globals,
    non_camel_case_types,
    non_snake_case,
    dead_code,
    clippy::all,
    clippy::pedantic,
    rustdoc::all
)]
pub mod v2 {
    mod raw {
        pub use crate::{_duckdb_extension_info, idx_t};
        bindings!("bindings_v2.rs");
        bindings!("bindings_extension_v2.rs");
    }
    #[cfg(feature = "loadable-extension-v2")]
    pub use loadable::*;
    #[cfg(not(feature = "loadable-extension-v2"))]
    pub use raw::*;

    /// Feature `loadable-extension-v2`: every v2 function calls through the stored v2 table
    /// (as the v1 wrappers at the crate root do).
    #[cfg(feature = "loadable-extension-v2")]
    mod loadable {
        pub use super::raw::*;
        bindings!("bindings_loadable_v2.rs");
    }
}

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
