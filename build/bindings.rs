//! Feature `buildtime_bindgen`: regenerate the raw bindings from `wrapper.h`.
//!
//! This configuration is the one that produced the committed `src/bindings.rs`; the test
//! `tests/bindings_fresh.rs` (run with this feature) proves the two still agree.

use crate::Result;
use std::path::Path;

pub fn generate(wrapper: &Path, include_dir: &Path, out_dir: &Path) -> Result<()> {
    let out = out_dir.join("bindings.rs");
    bindgen::Builder::default()
        .header(wrapper.to_string_lossy())
        .clang_arg(format!("-I{}", include_dir.display()))
        // Every C API item, and nothing from the C library it includes.
        .allowlist_item(r"\w*duckdb\w*")
        .allowlist_var(r"DUCKDB_\w*")
        .allowlist_type("idx_t")
        // No header text is copied into the crate.
        .generate_comments(false)
        .layout_tests(false)
        // Formatted in-process, so the output does not depend on which rustfmt is installed.
        .formatter(bindgen::Formatter::Prettyplease)
        .generate()
        .map_err(|e| {
            format!(
                "bindgen could not read {} ({e}); install libclang (Debian: libclang-dev) or \
                 build without the buildtime_bindgen feature",
                wrapper.display()
            )
        })?
        .write_to_file(&out)
        .map_err(|e| crate::source::io_error(&out, e))
}
