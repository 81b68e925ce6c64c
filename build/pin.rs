//! The pin: which package ships the DuckDB bundle, its version and the bundle's SHA-256.

use std::path::Path;

pub struct Pin {
    pub package: String,
    pub version: String,
    pub file: String,
    pub sha256: String,
    pub duckdb_version: String,
}

impl Pin {
    /// Reads `duckdb-src/pin.toml`: flat `key = "value"` lines, `#` comments.
    pub fn read(path: &Path) -> crate::Result<Pin> {
        println!("cargo:rerun-if-changed={}", path.display());
        let text = std::fs::read_to_string(path).map_err(|e| {
            format!(
                "cannot read the pin {}: {e}; restore it from git",
                path.display()
            )
        })?;
        let field = |key: &str| -> crate::Result<String> {
            text.lines()
                .filter_map(|line| line.split_once('='))
                .find(|(k, _)| k.trim() == key)
                .map(|(_, v)| v.trim().trim_matches('"').to_string())
                .ok_or_else(|| {
                    format!(
                        "{} has no `{key}` line; restore it from git",
                        path.display()
                    )
                })
        };
        Ok(Pin {
            package: field("package")?,
            version: field("version")?,
            file: field("file")?,
            sha256: field("sha256")?.to_ascii_lowercase(),
            duckdb_version: field("duckdb_version")?,
        })
    }
}
