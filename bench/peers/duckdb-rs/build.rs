//! Links the engine duckdb-ffi built, which libduckdb-sys (in its linked mode) only half knows.
//!
//! bench/compare sets `DUCKDB_LIB_DIR` to a folder holding `libduckdb_static.a` (the name
//! libduckdb-sys links with `DUCKDB_STATIC=1`) and `libduckdb_ffi_registration.a` (duckdb-ffi's
//! registration of its default extensions), both links to duckdb-ffi's cached build.
//! libduckdb-sys links the first; this script links the second whole (its static constructor
//! registers the extensions, as in duckdb-ffi) and the C++ runtime, which a static libduckdb
//! needs and libduckdb-sys does not add.

use std::env;
use std::path::Path;

fn main() {
    println!("cargo:rerun-if-env-changed=DUCKDB_LIB_DIR");
    println!("cargo:rerun-if-env-changed=DUCKDB_STATIC");
    let Ok(dir) = env::var("DUCKDB_LIB_DIR") else {
        println!(
            "cargo::error=set DUCKDB_LIB_DIR (bench/compare does) to a folder with \
             libduckdb_static.a and libduckdb_ffi_registration.a from duckdb-ffi's cache"
        );
        return;
    };
    let dir = Path::new(&dir);
    for lib in ["libduckdb_static.a", "libduckdb_ffi_registration.a"] {
        if !dir.join(lib).exists() {
            println!(
                "cargo::error={} has no {lib}; run bench/compare, which stages it",
                dir.display()
            );
            return;
        }
    }
    println!(
        "cargo:rerun-if-changed={}",
        dir.join("libduckdb_static.a").display()
    );
    println!("cargo:rustc-link-search=native={}", dir.display());
    println!("cargo:rustc-link-lib=static:+whole-archive=duckdb_ffi_registration");
    println!("cargo:rustc-link-lib=dylib=stdc++");
}
