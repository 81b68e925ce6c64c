//! `DUCKDB_LIB_DIR`: link a libduckdb that was built elsewhere.

use crate::{Engine, Result, var};
use std::path::Path;

pub fn resolve(lib_dir: &Path) -> Result<Engine> {
    let link_static = var("DUCKDB_STATIC").is_some_and(|v| v != "0");
    let target = crate::cargo_var("TARGET");
    let names: &[&str] = if link_static {
        &["libduckdb.a", "duckdb.lib"]
    } else if target.contains("apple") {
        &["libduckdb.dylib"]
    } else if target.contains("windows") {
        &["duckdb.lib", "duckdb.dll"]
    } else {
        &["libduckdb.so"]
    };
    let Some(lib) = names.iter().map(|n| lib_dir.join(n)).find(|p| p.is_file()) else {
        return Err(format!(
            "DUCKDB_LIB_DIR={} holds no {}; point it at the folder that contains the library{}",
            lib_dir.display(),
            names.join(" or "),
            if link_static {
                ""
            } else {
                ", or set DUCKDB_STATIC=1 to link libduckdb.a"
            },
        ));
    };
    println!("cargo:rerun-if-changed={}", lib.display());

    let include_dir = match var("DUCKDB_INCLUDE_DIR") {
        Some(dir) => dir.into(),
        None => [
            lib_dir.join("include"),
            lib_dir.join("../include"),
            lib_dir.to_path_buf(),
        ]
        .into_iter()
        .find(|d| d.join("duckdb.h").is_file())
        .unwrap_or_else(|| lib_dir.to_path_buf()),
    };
    // A library compiled by duckdb-ffi carries one registration archive per feature set.
    let registration = crate::compile::registration_lib(&crate::compile::registered());
    let registration = (link_static && lib_dir.join(format!("lib{registration}.a")).is_file())
        .then_some(registration);
    if registration.is_some() {
        crate::compile::publish_unregistered();
    }
    Ok(Engine {
        lib_dir: lib_dir.to_path_buf(),
        include_dir,
        link_static,
        registration,
    })
}
