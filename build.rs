//! Build script: find the DuckDB engine, compile it (or reuse a cached build), link it, and
//! provide the raw bindings.
//!
//! Resolution order (first match wins):
//! 1. `DUCKDB_LIB_DIR`: link a prebuilt libduckdb, compile nothing;
//! 2. `DUCKDB_SRC_DIR`: an unpacked source bundle;
//! 3. a bundle unpacked into `duckdb-src/` (vendoring);
//! 4. the pinned package fetched through cargo, checked against its SHA-256. Cargo is asked
//!    offline first, so a package already in the local registry needs no network (and
//!    `cargo build --offline` works); when it is not there and cannot be fetched, the error
//!    says how to vendor it.
//!
//! A compiled engine is kept in a machine-wide cache (`build/cache.rs`) and reused by every
//! project, clone and profile whose key matches (`build/key.rs`: bundle, compiler, flags,
//! target, extensions, and the unit cut when it is not the default). The cache folder is,
//! first match wins:
//! - `DUCKDB_FFI_CACHE_DIR`; the value `off` keeps the engine in the target directory
//!   (`target/duckdb-ffi-cache`, shared by the profiles, gone with `cargo clean`);
//! - `$XDG_CACHE_HOME/duckdb-ffi`;
//! - `~/Library/Caches/duckdb-ffi` on macOS, `%LOCALAPPDATA%\duckdb-ffi` on Windows,
//!   `~/.cache/duckdb-ffi` elsewhere.
//!
//! A folder that cannot be written gives one warning, and the engine goes to the target
//! directory's cache (or, if that cannot be written either, to `OUT_DIR`). Two
//! builds of one key at once compile it once: the second waits on `<key>.lock` and links the
//! first one's entry. `tools/cache` lists entries (size, key description, age) and prunes
//! them; the cache logic is tested without a compiler in `tests/build_script/cache_tests.rs`.
//!
//! Nothing is fetched, compiled or linked under Miri (the safe layer runs against a model of
//! the C API), on docs.rs (`DOCS_RS`, offline: the docs need only the committed bindings), or
//! in the loadable-extension modes (an extension reaches the engine that loads it through the
//! function table DuckDB hands its entry point, never through linked symbols).

// Listing and pruning entries serve tools/cache, not the build.
#[allow(dead_code)]
#[path = "build/cache.rs"]
mod cache;
#[path = "build/compile.rs"]
mod compile;
#[path = "build/key.rs"]
mod key;
#[path = "build/pin.rs"]
mod pin;
#[path = "build/plan.rs"]
mod plan;
#[path = "build/prebuilt.rs"]
mod prebuilt;
#[path = "build/source.rs"]
mod source;
#[path = "build/units.rs"]
mod units;

#[cfg(feature = "buildtime_bindgen")]
#[path = "build/bindings.rs"]
mod bindings;

use std::path::{Path, PathBuf};

/// A build failure: one sentence that says what went wrong and what to do next.
pub type Result<T> = std::result::Result<T, String>;

/// Reads an environment variable and tells cargo to rerun the script when it changes.
pub fn var(name: &str) -> Option<String> {
    println!("cargo:rerun-if-env-changed={name}");
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// A variable cargo always sets for build scripts.
pub fn cargo_var(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("cargo did not set {name}"))
}

/// Where the engine ended up and how to link it.
pub struct Engine {
    /// Folder holding the library (published as `DEP_DUCKDB_LIB_DIR`).
    pub lib_dir: PathBuf,
    /// Folder holding `duckdb.h` (published as `DEP_DUCKDB_INCLUDE`).
    pub include_dir: PathBuf,
    /// Static archive or shared library.
    pub link_static: bool,
    /// The archive beside the library that registers the statically linked extensions
    /// before `main` (see `build/compile.rs`); linked whole, since nothing refers to it.
    pub registration: Option<String>,
}

impl Engine {
    fn link(&self) {
        println!("cargo:rustc-link-search=native={}", self.lib_dir.display());
        if !self.link_static {
            println!("cargo:rustc-link-lib=dylib=duckdb");
            return;
        }
        // `-bundle`: the archive is passed to the final link instead of being copied into
        // the rlib, which would duplicate a very large file for every profile.
        if let Some(registration) = &self.registration {
            println!("cargo:rustc-link-lib=static:+whole-archive,-bundle={registration}");
        }
        println!("cargo:rustc-link-lib=static:-bundle=duckdb");
        let target = cargo_var("TARGET");
        if target.contains("apple") || target.contains("freebsd") {
            println!("cargo:rustc-link-lib=dylib=c++");
        } else if !target.contains("msvc") {
            println!("cargo:rustc-link-lib=dylib=stdc++");
        }
    }

    fn publish(&self) {
        // With `links = "duckdb"` these reach dependents as DEP_DUCKDB_INCLUDE and
        // DEP_DUCKDB_LIB_DIR, so C-interop crates compile against the same header and link
        // the same library.
        println!("cargo:include={}", self.include_dir.display());
        println!("cargo:lib_dir={}", self.lib_dir.display());
        // The crate's own tests read the headers there (tests/build_script/bindings_fresh.rs counts the
        // declarations the committed bindings must match).
        println!(
            "cargo:rustc-env=DUCKDB_FFI_INCLUDE_DIR={}",
            self.include_dir.display()
        );
    }
}

fn run() -> Result<()> {
    let manifest_dir = PathBuf::from(cargo_var("CARGO_MANIFEST_DIR"));
    let out_dir = PathBuf::from(cargo_var("OUT_DIR"));
    let pin = pin::Pin::read(&manifest_dir.join("duckdb-src/pin.toml"))?;
    println!(
        "cargo:rustc-env=DUCKDB_FFI_PINNED_VERSION={}",
        pin.duckdb_version
    );
    println!("cargo:rerun-if-changed=build");
    for wrapper in [
        "wrapper.h",
        "wrapper_v2.h",
        "wrapper_static_extension.h",
        "wrapper_extension.h",
        "wrapper_extension_v2.h",
    ] {
        println!("cargo:rerun-if-changed={wrapper}");
    }

    // Miri cannot run C++; the crate provides a model of the C API under cfg(miri). docs.rs
    // builds without a network and runs nothing: the docs need only the bindings.
    if std::env::var_os("CARGO_CFG_MIRI").is_some() || var("DOCS_RS").is_some() {
        #[cfg(feature = "buildtime_bindgen")]
        bindings::use_committed(&manifest_dir, &out_dir)?;
        return Ok(());
    }

    if loadable_extension() {
        // Linking the engine into an extension would give it a second, separate DuckDB: the
        // one that loads it is reached through its function table only.
        #[cfg(feature = "buildtime_bindgen")]
        {
            // The headers only: unpacking the sources compiles nothing.
            let include_dir = match var("DUCKDB_INCLUDE_DIR") {
                Some(dir) => PathBuf::from(dir),
                None => source::Source::locate(&manifest_dir)?
                    .materialize(&pin, &out_dir)?
                    .join("src/include"),
            };
            bindings::generate(&manifest_dir, &include_dir, &out_dir)?;
        }
        return Ok(());
    }

    let engine = match var("DUCKDB_LIB_DIR") {
        Some(dir) => prebuilt::resolve(Path::new(&dir))?,
        None => compile::resolve(&manifest_dir, &out_dir, &pin)?,
    };
    engine.link();
    engine.publish();

    #[cfg(feature = "buildtime_bindgen")]
    bindings::generate(&manifest_dir, &engine.include_dir, &out_dir)?;
    Ok(())
}

/// Whether a loadable-extension feature is on (`src/lib.rs` refuses both at once).
fn loadable_extension() -> bool {
    [
        "CARGO_FEATURE_LOADABLE_EXTENSION",
        "CARGO_FEATURE_LOADABLE_EXTENSION_V2",
    ]
    .iter()
    .any(|feature| std::env::var_os(feature).is_some())
}

fn main() {
    if let Err(message) = run() {
        println!("cargo::error={message}");
        std::process::exit(1);
    }
}
