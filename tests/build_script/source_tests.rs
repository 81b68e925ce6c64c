//! How the build script finds the pinned DuckDB bundle without a network (`build/source.rs`,
//! compiled here as it is there). Each test runs only `cargo metadata --offline`, in a
//! scratch project, so nothing is downloaded or compiled.

use crate::scratch::scratch;
use crate::{pin, source, var};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

fn the_pin() -> pin::Pin {
    pin::Pin::read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("duckdb-src/pin.toml")).unwrap()
}

/// The host triple, as cargo passes it to build scripts.
fn host() -> String {
    let rustc = var("RUSTC").unwrap_or_else(|| "rustc".into());
    let output = Command::new(rustc).arg("-vV").output().unwrap();
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("host: ").map(str::to_string))
        .expect("rustc -vV names the host")
}

/// `cargo`, with `CARGO_HOME` replaced when `home` is given.
fn cargo(home: Option<&Path>) -> impl Fn() -> Command {
    let home = home.map(Path::to_path_buf);
    move || {
        let mut command = Command::new(env!("CARGO"));
        if let Some(home) = &home {
            command.env("CARGO_HOME", home);
        }
        command.env_remove("CARGO_NET_OFFLINE");
        command
    }
}

/// Nothing in cargo's cache, no network: the error says how to vendor the sources.
#[test]
fn without_the_package_the_error_says_how_to_vendor() {
    let dir = scratch("empty-home");
    let home = dir.join("cargo-home");
    fs::create_dir(&home).unwrap();
    let pin = the_pin();
    let error = source::fetch_with(&cargo(Some(&home)), &host(), true, &pin, &dir.join("out"))
        .expect_err("an empty cargo home has no package to find offline");
    for needed in [
        pin.package.as_str(),
        "duckdb-src/",
        "DUCKDB_SRC_DIR",
        "DUCKDB_LIB_DIR",
    ] {
        assert!(error.contains(needed), "{needed} missing from: {error}");
    }
    // Cargo's own cause is kept.
    assert!(error.contains("no matching package"), "{error}");
    fs::remove_dir_all(&dir).unwrap();
}

/// A package cargo can reach without a network (here a vendored directory source standing in
/// for the registry) is found with the offline attempt alone.
#[test]
fn a_locally_available_package_is_found_offline() {
    let dir = scratch("vendored");
    let pin = the_pin();
    let version = pin.version.trim_start_matches('=');
    let package = dir.join("vendor").join(&pin.package);
    fs::create_dir_all(package.join("src")).unwrap();
    fs::write(
        package.join("Cargo.toml"),
        format!(
            "[package]\nname = \"{}\"\nversion = \"{version}\"\nedition = \"2021\"\n",
            pin.package
        ),
    )
    .unwrap();
    fs::write(package.join("src/lib.rs"), "").unwrap();
    fs::write(package.join(&pin.file), "a stand-in bundle").unwrap();
    fs::write(
        package.join(".cargo-checksum.json"),
        r#"{"files":{},"package":null}"#,
    )
    .unwrap();
    let home = dir.join("cargo-home");
    fs::create_dir(&home).unwrap();
    fs::write(
        home.join("config.toml"),
        format!(
            "[source.crates-io]\nreplace-with = \"vendored\"\n[source.vendored]\ndirectory = {:?}\n",
            dir.join("vendor")
        ),
    )
    .unwrap();

    let found =
        source::fetch_with(&cargo(Some(&home)), &host(), true, &pin, &dir.join("out")).unwrap();
    assert_eq!(found, package.join(&pin.file));
    // The stand-in is not the pinned bundle: the checksum refuses it before anything unpacks.
    let error = source::verify(&found, &pin.sha256).unwrap_err();
    assert!(error.contains(&pin.sha256), "{error}");
    fs::remove_dir_all(&dir).unwrap();
}

/// The real pinned package in this machine's cargo cache (there after any build that fetched
/// it), found with `--offline` and matching the pinned SHA-256: what
/// `cargo build --offline` relies on when the engine is not cached.
#[test]
fn the_pinned_package_in_the_local_registry_is_found_offline() {
    let pin = the_pin();
    let home = var("CARGO_HOME").map(PathBuf::from).or_else(|| {
        var(if cfg!(windows) { "USERPROFILE" } else { "HOME" })
            .map(|h| Path::new(&h).join(".cargo"))
    });
    let crate_file = format!(
        "{}-{}.crate",
        pin.package,
        pin.version.trim_start_matches('=')
    );
    let cached = home.as_ref().is_some_and(|home| {
        fs::read_dir(home.join("registry/cache"))
            .into_iter()
            .flatten()
            .flatten()
            .any(|index| index.path().join(&crate_file).is_file())
    });
    if !cached {
        eprintln!("{crate_file} is not in cargo's cache on this machine; nothing to check");
        return;
    }
    let dir = scratch("registry");
    let found = source::fetch_with(&cargo(None), &host(), true, &pin, &dir.join("out")).unwrap();
    assert!(found.ends_with(&pin.file), "{}", found.display());
    source::verify(&found, &pin.sha256).unwrap();
    fs::remove_dir_all(&dir).unwrap();
}
