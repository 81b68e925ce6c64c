//! Feature `buildtime_bindgen`: regenerate the raw bindings, one bindgen configuration per C
//! surface.
//!
//! These configurations are the ones that produced the committed `src/bindings.rs`,
//! `src/bindings_v2.rs` and `src/bindings_static_extension.rs`; the test
//! `tests/bindings_fresh.rs` (run with this feature) proves they still agree.

use crate::Result;
use std::path::Path;

/// A surface's own bindgen settings, applied on top of [`base`].
type Configure = fn(bindgen::Builder) -> bindgen::Builder;

/// Each surface: the wrapper bindgen reads (relative to the crate root), the DuckDB header it
/// includes, the file it produces, and its settings.
const SURFACES: [(&str, &str, &str, Configure); 3] = [
    ("wrapper.h", "duckdb.h", "bindings.rs", v1),
    ("wrapper_v2.h", "duckdb_v2.h", "bindings_v2.rs", v2),
    (
        "wrapper_static_extension.h",
        "duckdb_static_extension.h",
        "bindings_static_extension.rs",
        static_extension,
    ),
];

pub fn generate(manifest_dir: &Path, include_dir: &Path, out_dir: &Path) -> Result<()> {
    for (wrapper, header, output, configure) in SURFACES {
        if !include_dir.join(header).is_file() {
            return Err(format!(
                "{} has no {header}; point DUCKDB_INCLUDE_DIR at the pinned DuckDB's headers or \
                 build without the buildtime_bindgen feature",
                include_dir.display()
            ));
        }
        let wrapper = manifest_dir.join(wrapper);
        let out = out_dir.join(output);
        configure(base(&wrapper, include_dir))
            .generate()
            .map_err(|e| {
                format!(
                    "bindgen could not read {} ({e}); install libclang (Debian: libclang-dev) \
                     or build without the buildtime_bindgen feature",
                    wrapper.display()
                )
            })?
            .write_to_file(&out)
            .map_err(|e| crate::source::io_error(&out, e))?;
    }
    Ok(())
}

/// Copies the committed bindings where `generate` would write, for builds that find no
/// headers (Miri, docs.rs): the crate then compiles the same items it ships.
pub fn use_committed(manifest_dir: &Path, out_dir: &Path) -> Result<()> {
    for (_, _, output, _) in SURFACES {
        let to = out_dir.join(output);
        std::fs::copy(manifest_dir.join("src").join(output), &to)
            .map_err(|e| crate::source::io_error(&to, e))?;
    }
    Ok(())
}

/// What every surface shares.
fn base(wrapper: &Path, include_dir: &Path) -> bindgen::Builder {
    bindgen::Builder::default()
        .header(wrapper.to_string_lossy())
        .clang_arg(format!("-I{}", include_dir.display()))
        // No header text is copied into the crate.
        .generate_comments(false)
        .layout_tests(false)
        // Formatted in-process, so the output does not depend on which rustfmt is installed.
        .formatter(bindgen::Formatter::Prettyplease)
}

/// `duckdb.h`, the v1 C API, at the crate root.
fn v1(builder: bindgen::Builder) -> bindgen::Builder {
    builder
        // Every C API item, and nothing from the C library it includes.
        .allowlist_item(r"\w*duckdb\w*")
        .allowlist_var(r"DUCKDB_\w*")
        .allowlist_type("idx_t")
        // duckdb.h only declares these two; their layout comes from duckdb_v2.h (module v2).
        .blocklist_type("ArrowSchema|ArrowArray")
}

/// `duckdb_v2.h` with its unstable surface on (module `v2`).
fn v2(builder: bindgen::Builder) -> bindgen::Builder {
    builder
        // Every item the v2 header declares, and nothing from the C library it includes.
        .allowlist_file(r".*[/\\]duckdb_v2\.h")
        // Already defined at the crate root by duckdb.h, the same C types; `v2` imports them.
        .blocklist_type("idx_t|_duckdb_extension_info")
}

/// `duckdb_static_extension.h`, at the crate root.
fn static_extension(builder: bindgen::Builder) -> bindgen::Builder {
    builder.allowlist_file(r".*[/\\]duckdb_static_extension\.h")
}
