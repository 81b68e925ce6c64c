//! The committed `src/bindings.rs` must equal what the crate's own bindgen configuration
//! (build/bindings.rs) generates from `wrapper.h` today.
//!
//! Runs only with `--features buildtime_bindgen` (it needs libclang):
//! `cargo test --features buildtime_bindgen --test bindings_fresh`.
#![cfg(feature = "buildtime_bindgen")]

#[test]
fn committed_bindings_match_a_fresh_generation() {
    let fresh_path = concat!(env!("OUT_DIR"), "/bindings.rs");
    let fresh = std::fs::read_to_string(fresh_path).expect("the build script wrote fresh bindings");
    let committed = include_str!("../src/bindings.rs");
    assert!(
        fresh == committed,
        "src/bindings.rs is stale: copy {fresh_path} over it and review the diff"
    );
    // A sanity floor: the whole C API, not a fragment, is bound.
    let functions = committed.matches("pub fn duckdb_").count();
    assert!(functions > 400, "only {functions} functions bound");
}
