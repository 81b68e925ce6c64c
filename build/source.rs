//! Where the DuckDB sources come from: a folder, or the pinned bundle fetched through cargo.

use crate::key::hex;
use crate::pin::Pin;
use crate::{Result, cargo_var, var};
use sha2::{Digest, Sha256};
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A source of DuckDB, before it is unpacked.
pub enum Source {
    /// An unpacked bundle: the folder that holds `manifest.json`.
    Dir(PathBuf),
    /// The pinned bundle, fetched only when the cache misses.
    Pinned,
}

impl Source {
    /// `DUCKDB_SRC_DIR`, then `duckdb-src/`, then the pin.
    pub fn locate(manifest_dir: &Path) -> Result<Source> {
        if let Some(dir) = var("DUCKDB_SRC_DIR") {
            return bundle_dir(Path::new(&dir)).map(Source::Dir).ok_or_else(|| {
                format!(
                    "DUCKDB_SRC_DIR={dir} holds no manifest.json; point it at an unpacked \
                     DuckDB bundle (the folder `duckdb/` from duckdb.tar.gz, or its parent)"
                )
            });
        }
        let vendored = manifest_dir.join("duckdb-src");
        println!(
            "cargo:rerun-if-changed={}",
            vendored.join("duckdb/manifest.json").display()
        );
        Ok(bundle_dir(&vendored).map_or(Source::Pinned, Source::Dir))
    }

    /// What identifies these sources in the cache key: the pinned SHA-256, or a hash of every
    /// file of the folder (a local edit must not reuse a stale engine).
    pub fn identity(&self, pin: &Pin) -> Result<String> {
        match self {
            Source::Pinned => Ok(pin.sha256.clone()),
            Source::Dir(dir) => {
                println!("cargo:rerun-if-changed={}", dir.display());
                hash_tree(dir)
            }
        }
    }

    /// Returns the folder holding `manifest.json`, fetching and unpacking the pin if needed.
    pub fn materialize(&self, pin: &Pin, out_dir: &Path) -> Result<PathBuf> {
        match self {
            Source::Dir(dir) => Ok(dir.clone()),
            Source::Pinned => {
                let unpacked = out_dir.join("bundle");
                let done = unpacked.join(format!("unpacked-{}", pin.sha256));
                if !done.exists() {
                    let archive = fetch(pin, out_dir)?;
                    verify(&archive, &pin.sha256)?;
                    unpack(&archive, &unpacked)?;
                    fs::write(&done, b"").map_err(|e| io_error(&done, e))?;
                }
                bundle_dir(&unpacked).ok_or_else(|| {
                    "the pinned bundle has no duckdb/manifest.json; move the pin \
                     (duckdb-src/pin.toml) to a package that ships a unity-build bundle"
                        .to_string()
                })
            }
        }
    }
}

/// Accepts the bundle folder itself or its parent.
fn bundle_dir(dir: &Path) -> Option<PathBuf> {
    [dir.to_path_buf(), dir.join("duckdb")]
        .into_iter()
        .find(|d| d.join("manifest.json").is_file())
}

pub fn io_error(path: &Path, e: std::io::Error) -> String {
    format!(
        "cannot access {}: {e}; check the disk and its permissions",
        path.display()
    )
}

/// Finds the pinned package through cargo, which honours the user's registry configuration
/// and downloads it into cargo's own cache if needed.
fn fetch(pin: &Pin, out_dir: &Path) -> Result<PathBuf> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    // Cargo does not pass `--offline` on to build scripts, only this variable when the user
    // sets it (or `net.offline` in a config file, which the inner cargo reads itself).
    let offline = var("CARGO_NET_OFFLINE").is_some_and(|v| v == "true");
    fetch_with(
        &|| Command::new(&cargo),
        &cargo_var("HOST"),
        offline,
        pin,
        out_dir,
    )
}

/// `fetch` with the cargo command given: asks offline first, so a package already in the local
/// registry is found without touching the network, then (unless `offline_only`) online.
pub fn fetch_with(
    cargo: &dyn Fn() -> Command,
    host: &str,
    offline_only: bool,
    pin: &Pin,
    out_dir: &Path,
) -> Result<PathBuf> {
    let project = out_dir.join("pin-fetch");
    fs::create_dir_all(project.join("src")).map_err(|e| io_error(&project, e))?;
    let manifest = format!(
        "[package]\nname = \"duckdb-ffi-pin-fetch\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\
         [dependencies]\n{} = {{ version = \"{}\", default-features = false }}\n[workspace]\n",
        pin.package, pin.version
    );
    fs::write(project.join("Cargo.toml"), manifest).map_err(|e| io_error(&project, e))?;
    fs::write(project.join("src/lib.rs"), "").map_err(|e| io_error(&project, e))?;

    let metadata = |offline: bool| -> Result<Vec<u8>> {
        let mut command = cargo();
        command
            .args([
                "metadata",
                "--format-version",
                "1",
                "--filter-platform",
                host,
            ])
            .arg("--manifest-path")
            .arg(project.join("Cargo.toml"))
            .current_dir(&project);
        if offline {
            command.arg("--offline");
        }
        let output = command
            .output()
            .map_err(|e| format!("cannot run `cargo metadata` to find {}: {e}", pin.package))?;
        if output.status.success() {
            return Ok(output.stdout);
        }
        let stderr = String::from_utf8_lossy(&output.stderr);
        // Cargo's first error line names the cause; later lines are hints.
        let cause = stderr
            .lines()
            .find(|l| l.trim_start().starts_with("error"))
            .or_else(|| stderr.lines().rev().find(|l| !l.trim().is_empty()))
            .unwrap_or("");
        Err(cause.trim().to_string())
    };
    let stdout = metadata(true)
        .or_else(|offline_cause| {
            if offline_only {
                Err(offline_cause)
            } else {
                metadata(false)
            }
        })
        .map_err(|cause| {
            format!(
                "cargo could not fetch the pinned package {} {} ({cause}). To build without a \
                 network, vendor the sources: unpack {} from that package into duckdb-src/ \
                 (see duckdb-src/README.md) or set DUCKDB_SRC_DIR to an unpacked bundle; or set \
                 DUCKDB_LIB_DIR to a built library; or build once while online",
                pin.package, pin.version, pin.file
            )
        })?;
    let metadata: serde_json::Value = serde_json::from_slice(&stdout)
        .map_err(|e| format!("`cargo metadata` printed something that is not JSON: {e}"))?;
    let wanted = pin.version.trim_start_matches('=');
    metadata["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|p| p["name"] == pin.package.as_str() && p["version"] == wanted)
        .and_then(|p| p["manifest_path"].as_str())
        .map(|m| Path::new(m).with_file_name(&pin.file))
        .filter(|p| p.is_file())
        .ok_or_else(|| {
            format!(
                "package {} {} does not ship {}; move the pin in duckdb-src/pin.toml",
                pin.package, pin.version, pin.file
            )
        })
}

/// The SHA-256 of a file, in hex.
pub fn sha256_file(path: &Path) -> Result<String> {
    let mut file = fs::File::open(path).map_err(|e| io_error(path, e))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf).map_err(|e| io_error(path, e))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex(&hasher.finalize()))
}

pub fn verify(archive: &Path, expected: &str) -> Result<()> {
    let actual = sha256_file(archive)?;
    if actual == expected {
        return Ok(());
    }
    Err(format!(
        "{} has SHA-256 {actual} but the pin expects {expected}: the file is damaged or was \
         replaced; delete that package from cargo's cache (~/.cargo/registry) and build again",
        archive.display()
    ))
}

fn unpack(archive: &Path, into: &Path) -> Result<()> {
    // Unpack beside the destination, then rename: an interrupted unpack leaves no half tree.
    let staging = into.with_extension("partial");
    let _ = fs::remove_dir_all(&staging);
    let _ = fs::remove_dir_all(into);
    let file = fs::File::open(archive).map_err(|e| io_error(archive, e))?;
    tar::Archive::new(flate2::read::GzDecoder::new(file))
        .unpack(&staging)
        .map_err(|e| {
            format!(
                "cannot unpack {}: {e}; the file may be truncated",
                archive.display()
            )
        })?;
    fs::rename(&staging, into).map_err(|e| io_error(into, e))
}

/// Hash of every file's relative path and contents, in sorted order.
fn hash_tree(root: &Path) -> Result<String> {
    let mut files = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).map_err(|e| io_error(&dir, e))? {
            let path = entry.map_err(|e| io_error(&dir, e))?.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    let mut hasher = Sha256::new();
    for file in files {
        hasher.update(
            file.strip_prefix(root)
                .unwrap_or(&file)
                .to_string_lossy()
                .as_bytes(),
        );
        hasher.update([0]);
        hasher.update(fs::read(&file).map_err(|e| io_error(&file, e))?);
    }
    Ok(hex(&hasher.finalize()))
}
