//! A dependent crate that compiles C against this crate's DuckDB headers and links the same
//! engine (`examples/c-interop`): built and run in its own cargo invocation and target
//! directory. Its C half is a statically linked extension written against `duckdb_v2.h`,
//! registered through `duckdb_register_static_extension`; its Rust half opens a database with
//! the safe layer and calls the function the C code registered.

// The host side links the engine: not in the loadable-extension modes.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

#[test]
fn c_extension_compiled_against_dep_duckdb_include_registers_and_runs() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/c-interop/Cargo.toml");
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("c-interop-target");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .args(["run", "--quiet", "--manifest-path"])
        .arg(&manifest)
        .arg("--target-dir")
        .arg(&target)
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("CARGO_BUILD_TARGET_DIR")
        .env_remove("CARGO_ENCODED_RUSTFLAGS");
    // The dependent build must link the engine this build linked, not compile another one
    // (tens of minutes): point it at the same engine cache. The headers this build used sit
    // in a cache entry (`<cache>/<key>/include`) unless DUCKDB_LIB_DIR chose the library, which
    // the child then inherits.
    let entry = Path::new(env!("DUCKDB_FFI_INCLUDE_DIR"))
        .parent()
        .expect("the include folder has a parent");
    if entry.join("KEY").is_file() {
        command.env(
            "DUCKDB_FFI_CACHE_DIR",
            entry.parent().expect("a cache entry sits in the cache"),
        );
    }
    let started = Instant::now();
    let output = command.output().expect("cargo runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the c-interop example failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("c-interop: c_plus_one(41) = 42, loaded STATICALLY_LINKED"),
        "{stdout}"
    );
    eprintln!(
        "c-interop built (or reused) and ran in {:.1?}",
        started.elapsed()
    );
}
