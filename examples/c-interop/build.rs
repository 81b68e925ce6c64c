//! Compiles the C half against the headers of the engine duckdb-ffi links.

fn main() {
    // Set by cargo from duckdb-ffi's `cargo:include=...`, because it declares `links = "duckdb"`.
    let include = std::env::var("DEP_DUCKDB_INCLUDE")
        .expect("duckdb-ffi publishes DEP_DUCKDB_INCLUDE to the crates that depend on it");
    println!("cargo:rerun-if-changed=c/static_extension.c");
    cc::Build::new()
        .file("c/static_extension.c")
        .include(&include)
        // The v2 C API declares its functions only with the unstable surface on.
        .define("DUCKDB_V2_API_ALLOW_UNSTABLE", "1")
        // The extension calls DuckDB's symbols directly (linked statically, no function table).
        .define("DUCKDB_STATIC_BUILD", None)
        .warnings(true)
        .extra_warnings(true)
        .warnings_into_errors(true)
        .compile("c_interop_extension");
}
