//! Feature `buildtime_bindgen`: regenerate the raw bindings, one bindgen configuration per C
//! surface.
//!
//! These configurations are the ones that produced the committed `src/raw/duckdb.rs`,
//! `src/raw/duckdb_v2.rs`, `src/raw/duckdb_static_extension.rs`, `src/raw/duckdb_extension.rs` and
//! `src/raw/duckdb_extension_v2.rs`; from the last two (the loadable-extension function tables),
//! [`loadable`] writes `src/raw/loadable.rs` and `src/raw/loadable_v2.rs`. The test
//! `tests/build_script/bindings_fresh.rs` (run with this feature) proves they still agree.

use crate::Result;
use std::path::Path;

/// A surface's own bindgen settings, applied on top of [`base`].
type Configure = fn(bindgen::Builder) -> bindgen::Builder;

/// Each surface: the wrapper bindgen reads (relative to the crate root), the DuckDB header it
/// includes, the file it produces, and its settings.
const SURFACES: [(&str, &str, &str, Configure); 5] = [
    ("wrapper.h", "duckdb.h", "duckdb.rs", v1),
    ("wrapper_v2.h", "duckdb_v2.h", "duckdb_v2.rs", v2),
    (
        "wrapper_static_extension.h",
        "duckdb_static_extension.h",
        "duckdb_static_extension.rs",
        static_extension,
    ),
    (
        "wrapper_extension.h",
        "duckdb_extension.h",
        "duckdb_extension.rs",
        extension_v1,
    ),
    (
        "wrapper_extension_v2.h",
        "duckdb_extension_v2.h",
        "duckdb_extension_v2.rs",
        extension_v2,
    ),
];

/// Each function table: the bindings file holding its struct, the struct's name, the function
/// in `src/extension.rs` that returns the stored table, and the file of wrapper functions
/// generated from it.
const TABLES: [(&str, &str, &str, &str); 2] = [
    (
        "duckdb_extension.rs",
        "duckdb_ext_api_v1",
        "table_v1",
        "loadable.rs",
    ),
    (
        "duckdb_extension_v2.rs",
        "duckdb_ext_api_v2",
        "table_v2",
        "loadable_v2.rs",
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
    for (input, table, accessor, output) in TABLES {
        let input = out_dir.join(input);
        let text =
            std::fs::read_to_string(&input).map_err(|e| crate::source::io_error(&input, e))?;
        let out = out_dir.join(output);
        std::fs::write(&out, loadable::wrappers(&text, table, accessor)?)
            .map_err(|e| crate::source::io_error(&out, e))?;
    }
    Ok(())
}

/// Copies the committed bindings where `generate` would write, for builds that find no
/// headers (Miri, docs.rs): the crate then compiles the same items it ships.
pub fn use_committed(manifest_dir: &Path, out_dir: &Path) -> Result<()> {
    let surfaces = SURFACES.iter().map(|(_, _, output, _)| *output);
    let tables = TABLES.iter().map(|(_, _, _, output)| *output);
    for output in surfaces.chain(tables) {
        let to = out_dir.join(output);
        std::fs::copy(manifest_dir.join("src").join("raw").join(output), &to)
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

/// `duckdb_extension.h`: the v1 function table and the C API version it serves, at the crate
/// root. Only the table: every type it names is `duckdb.h`'s, already at the root.
fn extension_v1(builder: bindgen::Builder) -> bindgen::Builder {
    builder
        .allowlist_type("duckdb_ext_api_v1")
        .allowlist_var("DUCKDB_EXTENSION_API_VERSION_(MAJOR|MINOR|PATCH)")
        .allowlist_recursively(false)
}

/// `duckdb_extension_v2.h`: the v2 function table (module `v2`), the types it names being
/// `duckdb_v2.h`'s.
fn extension_v2(builder: bindgen::Builder) -> bindgen::Builder {
    builder
        .allowlist_type("duckdb_ext_api_v2")
        .allowlist_var("DUCKDB_EXTENSION_API_VERSION_(MAJOR|MINOR|PATCH)")
        .allowlist_recursively(false)
}

/// The loadable-extension wrappers: for every field of a function table, a function with the
/// field's name and signature that calls through the table the entry point stored.
mod loadable {
    use crate::Result;
    use quote::{format_ident, quote};

    /// Renders the wrappers for the table struct `table` found in the bindgen output `text`,
    /// calling through `crate::extension::<accessor>()`.
    pub fn wrappers(text: &str, table: &str, accessor: &str) -> Result<String> {
        let accessor = format_ident!("{accessor}");
        let file =
            syn::parse_file(text).map_err(|e| format!("bindgen output does not parse: {e}"))?;
        let fields = file
            .items
            .iter()
            .find_map(|item| match item {
                syn::Item::Struct(s) if s.ident == table => Some(&s.fields),
                _ => None,
            })
            .ok_or_else(|| format!("bindgen generated no struct {table}"))?;
        let mut functions = Vec::new();
        for field in fields {
            let name = field.ident.as_ref().ok_or("a table field has no name")?;
            let function = function_type(&field.ty)
                .ok_or_else(|| format!("{table}.{name} is not an optional function pointer"))?;
            let (params, args): (Vec<_>, Vec<_>) = function
                .inputs
                .iter()
                .enumerate()
                .map(|(i, arg)| {
                    let ident = match &arg.name {
                        Some((ident, _)) => ident.clone(),
                        None => format_ident!("arg{}", i + 1),
                    };
                    let ty = &arg.ty;
                    (quote!(#ident: #ty), quote!(#ident))
                })
                .unzip();
            let output = &function.output;
            let c_name = syn::LitStr::new(&name.to_string(), name.span());
            functions.push(quote! {
                #[inline]
                pub unsafe extern "C" fn #name(#(#params),*) #output {
                    unsafe { (crate::extension::#accessor().#name.unwrap_or_else(|| crate::extension::missing(#c_name)))(#(#args),*) }
                }
            });
        }
        let tokens = quote! { #(#functions)* };
        let file =
            syn::parse2(tokens).map_err(|e| format!("generated wrappers do not parse: {e}"))?;
        // prettyplease drops comments, so each block's SAFETY comment is added to its text.
        let body = prettyplease::unparse(&file).replace(
            "\n    unsafe {\n",
            "\n    // SAFETY: the table is the copy the entry point stored of the one DuckDB handed it,\n    \
             // whose entries are DuckDB's functions of this signature; the caller upholds the\n    \
             // C function's contract.\n    unsafe {\n",
        );
        Ok(format!(
            "/* generated by duckdb-ffi's build/bindings.rs from {table} */\n\n{body}"
        ))
    }

    /// `Option<unsafe extern "C" fn(..) -> ..>` as bindgen writes a function-pointer field.
    fn function_type(ty: &syn::Type) -> Option<&syn::TypeBareFn> {
        let syn::Type::Path(path) = ty else {
            return None;
        };
        let last = path.path.segments.last()?;
        if last.ident != "Option" {
            return None;
        }
        let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
            return None;
        };
        match args.args.first()? {
            syn::GenericArgument::Type(syn::Type::BareFn(function)) => Some(function),
            _ => None,
        }
    }
}
