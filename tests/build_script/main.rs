//! The build script's modules (`build/*.rs`), compiled here as they are there, and what the
//! build produces, in one binary that links no engine: the cache (`cache_tests`), the cut into
//! translation units (`plan_tests`), the pinned sources (`source_tests`) and the committed
//! bindings against the engine's headers (`bindings_fresh`). Nothing here runs a C++ compiler
//! or the network. Its own binary because it does not use `duckdb_ffi`, so it never links the
//! engine's static library.

// The build script's modules, at the crate root where they expect each other.
#[allow(dead_code)]
#[path = "../../build/cache.rs"]
mod cache;
#[allow(dead_code)]
#[path = "../../build/key.rs"]
mod key;
#[allow(dead_code)]
#[path = "../../build/pin.rs"]
mod pin;
#[allow(dead_code)]
#[path = "../../build/plan.rs"]
mod plan;
#[allow(dead_code)]
#[path = "../../build/source.rs"]
mod source;
#[allow(dead_code)]
#[path = "../../build/units.rs"]
mod units;

/// Only the scratch folder of `tests/common`: the rest of it uses the engine.
#[path = "../common/scratch.rs"]
mod scratch;

mod bindings_fresh;
mod cache_tests;
mod plan_tests;
mod source_tests;

/// What the build script's modules expect at the crate root.
type Result<T> = std::result::Result<T, String>;

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

// `fetch`, which reads it, is not called here: the tests pass the host to `fetch_with`.
#[allow(dead_code)]
fn cargo_var(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set"))
}
