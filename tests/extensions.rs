//! Own test binary: the extensions it loads stay mapped in the process, with their own globals.
//!
//! Real loadable extensions written with this crate, loaded into a database opened through it.
//!
//! The extension crates under `tests/extensions/` depend on this crate in one of its
//! loadable-extension modes. Each is built once per test run by its own `cargo build`, in its
//! own target directory (so the mode's feature never unifies into this build; cargo itself
//! makes a repeated build a no-op), then copied under the file name DuckDB derives the entry
//! point from, with the 512-byte metadata footer DuckDB's loader reads appended. The host
//! opens a database with `allow_unsigned_extensions` and `LOAD`s the files: the good ones
//! register scalar and table functions; the bad ones (footer, truncation, panics) must each
//! fail with a clear error and leave the database working.

// The host side links the engine: not in the loadable-extension modes.
#![cfg(not(any(feature = "loadable-extension", feature = "loadable-extension-v2")))]

use duckdb_ffi::safe::{Config, Connection, Database};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

/// Where the built extensions and their copies go.
fn work_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("duckdb-ffi-extensions")
}

/// Builds the extension crate `tests/extensions/<dir>` (release) and returns its library.
fn build(dir: &str, lib: &str) -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/extensions")
        .join(dir)
        .join("Cargo.toml");
    let target = work_dir().join(format!("target-{dir}"));
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let started = Instant::now();
    let output = Command::new(cargo)
        .args(["build", "--release", "--quiet", "--manifest-path"])
        .arg(&manifest)
        .arg("--target-dir")
        .arg(&target)
        // This test's own build settings must not leak into the extension's build.
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("CARGO_BUILD_TARGET_DIR")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "building the {dir} extension failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let path = target.join("release").join(format!(
        "{}{lib}{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    ));
    eprintln!(
        "built the {dir} extension in {:.1?} ({} bytes)",
        started.elapsed(),
        std::fs::metadata(&path).map_or(0, |m| m.len())
    );
    path
}

/// The v1 C API version of the crate's table (`duckdb_extension.h`), e.g. `v1.5.6`.
fn api_version_v1() -> String {
    format!(
        "v{}.{}.{}",
        duckdb_ffi::DUCKDB_EXTENSION_API_VERSION_MAJOR,
        duckdb_ffi::DUCKDB_EXTENSION_API_VERSION_MINOR,
        duckdb_ffi::DUCKDB_EXTENSION_API_VERSION_PATCH
    )
}

/// Both extensions' libraries (v1, v2), built once per test run, side by side: with few test
/// threads, building each on first use would build them one after the other.
fn libraries() -> &'static (PathBuf, PathBuf) {
    static LIBS: OnceLock<(PathBuf, PathBuf)> = OnceLock::new();
    LIBS.get_or_init(|| {
        std::thread::scope(|scope| {
            let v2 = scope.spawn(|| build("v2", "rusty_v2"));
            let v1 = build("v1", "rusty_v1");
            (v1, v2.join().expect("the v2 build thread"))
        })
    })
}

/// The v1 extension's library.
fn v1_library() -> &'static Path {
    &libraries().0
}

/// The v2 extension's library.
fn v2_library() -> &'static Path {
    &libraries().1
}

/// The metadata footer fields DuckDB's loader checks (src/main/extension/extension_load.cpp,
/// `ParseExtensionMetaData`).
struct Footer {
    /// `C_STRUCT` (C API, version field = C API version) or `C_STRUCT_UNSTABLE` (the v2 API,
    /// version field = exact DuckDB version), or `CPP`.
    abi: &'static str,
    version: String,
    platform: String,
}

impl Footer {
    /// The footer of a v1 extension for this DuckDB and platform.
    fn v1(conn: &Connection) -> Footer {
        Footer {
            abi: "C_STRUCT",
            version: api_version_v1(),
            platform: platform(conn),
        }
    }

    /// The footer of a v2 extension: the unstable ABI, pinned to this exact DuckDB version.
    fn v2(conn: &Connection) -> Footer {
        Footer {
            abi: "C_STRUCT_UNSTABLE",
            version: duckdb_ffi::PINNED_DUCKDB_VERSION.into(),
            platform: platform(conn),
        }
    }

    /// 512 bytes: eight 32-byte fields, zero-padded and stored last field first, then a
    /// 256-byte signature (all zero: unsigned). Read back to front, the fields are the magic
    /// value "4", the platform, the DuckDB or C API version, the extension's version and the
    /// ABI type; the other three are unused.
    fn bytes(&self) -> Vec<u8> {
        let fields = [
            "",
            "",
            "",
            self.abi,
            "v0.0.1",
            &self.version,
            &self.platform,
            "4",
        ];
        let mut footer = Vec::with_capacity(512);
        for field in fields {
            assert!(field.len() <= 32, "{field} does not fit a footer field");
            let mut slot = [0u8; 32];
            slot[..field.len()].copy_from_slice(field.as_bytes());
            footer.extend_from_slice(&slot);
        }
        footer.resize(512, 0);
        footer
    }
}

/// Copies `library` to `<name>.duckdb_extension` with `footer` appended (or, with `None`,
/// only its first `truncate` bytes) and returns the path.
fn install(library: &Path, name: &str, footer: Option<&Footer>, truncate: Option<usize>) -> String {
    let mut bytes = std::fs::read(library).expect("the built library");
    if let Some(footer) = footer {
        bytes.extend(footer.bytes());
    }
    if let Some(length) = truncate {
        bytes.truncate(length);
    }
    // A folder per copy: a library DuckDB has loaded stays mapped, so a file in use must never
    // be rewritten (the tests run in parallel, and the entry point fixes the file name).
    static COPIES: AtomicUsize = AtomicUsize::new(0);
    let copy = COPIES.fetch_add(1, Ordering::Relaxed);
    let dir = work_dir()
        .join("installed")
        .join(format!("{}-{copy}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.duckdb_extension"));
    std::fs::write(&path, bytes).unwrap();
    path.to_str().expect("a UTF-8 path").to_string()
}

/// A database that loads unsigned extensions, and a connection to it.
fn host() -> (Database, Connection) {
    let mut config = Config::new().unwrap();
    config.set("allow_unsigned_extensions", "true").unwrap();
    let db = Database::open_with_config(None, &config).unwrap();
    let conn = db.connect().unwrap();
    (db, conn)
}

fn platform(conn: &Connection) -> String {
    conn.query_row("PRAGMA platform", (), |row| row.get::<String>(0))
        .unwrap()
}

fn bigint(conn: &Connection, sql: &str) -> Option<i64> {
    conn.query_row(sql, (), |row| row.get::<Option<i64>>(0))
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// `LOAD`s `path`, which must fail with a message containing every part of `expected`; the
/// database must still answer `SELECT 1` afterwards.
fn assert_load_fails(conn: &Connection, path: &str, expected: &[&str]) {
    let error = conn
        .execute(&format!("LOAD '{path}'"))
        .expect_err("the load must fail")
        .to_string();
    for part in expected {
        assert!(error.contains(part), "{error:?} does not contain {part:?}");
    }
    assert_eq!(bigint(conn, "SELECT 1"), Some(1), "after {error}");
}

#[test]
fn v1_extension_registers_scalar_and_table_functions() {
    let (_db, conn) = host();
    let started = Instant::now();
    let path = install(v1_library(), "rusty_v1", Some(&Footer::v1(&conn)), None);
    conn.execute(&format!("LOAD '{path}'")).unwrap();
    eprintln!(
        "v1: built (or reused) and loaded in {:.1?}",
        started.elapsed()
    );
    assert_eq!(bigint(&conn, "SELECT rusty_double(21)"), Some(42));
    assert_eq!(bigint(&conn, "SELECT rusty_double(NULL)"), None);
    assert_eq!(
        bigint(&conn, "SELECT sum(rusty_double(range)) FROM range(5000)"),
        Some(2 * (0..5000).sum::<i64>())
    );
    // Read by the extension's init through the safe layer over its lent connection.
    assert_eq!(bigint(&conn, "SELECT rusty_answer()"), Some(42));
    assert_eq!(
        bigint(&conn, "SELECT count(*) FROM rusty_range(5000)"),
        Some(5000)
    );
    assert_eq!(
        bigint(&conn, "SELECT sum(i) FROM rusty_range(5000)"),
        Some((0..5000).sum::<i64>())
    );
    assert_eq!(
        bigint(&conn, "SELECT count(*) FROM rusty_range(0)"),
        Some(0)
    );
    // The function is recorded as coming from the extension.
    let loaded = conn
        .query_row(
            "SELECT loaded FROM duckdb_extensions() WHERE extension_name = 'rusty_v1'",
            (),
            |row| row.get::<bool>(0),
        )
        .unwrap();
    assert!(loaded);
}

#[test]
fn v1_panic_in_a_scalar_function_is_the_query_error() {
    let (_db, conn) = host();
    let path = install(v1_library(), "rusty_v1", Some(&Footer::v1(&conn)), None);
    conn.execute(&format!("LOAD '{path}'")).unwrap();
    let error = conn
        .query("SELECT rusty_panic(1)")
        .expect_err("the function panics")
        .to_string();
    assert!(
        error.contains("rusty_v1 panicked: rusty_panic was called"),
        "{error}"
    );
    assert_eq!(bigint(&conn, "SELECT 1"), Some(1));
    assert_eq!(bigint(&conn, "SELECT rusty_double(4)"), Some(8));
}

#[test]
fn v1_panic_or_error_in_init_is_the_load_error() {
    let (_db, conn) = host();
    let footer = Footer::v1(&conn);
    let path = install(v1_library(), "rusty_v1_panics", Some(&footer), None);
    assert_load_fails(
        &conn,
        &path,
        &[
            "An error was thrown during initialization of the extension",
            "extension rusty_v1_panics panicked during initialization: rusty_v1_panics refuses to start",
        ],
    );
    let path = install(v1_library(), "rusty_v1_fails", Some(&footer), None);
    assert_load_fails(
        &conn,
        &path,
        &["extension rusty_v1_fails: rusty_v1_fails has no licence to run"],
    );
}

#[test]
fn v1_footer_with_a_newer_api_version_is_refused() {
    let (_db, conn) = host();
    let footer = Footer {
        version: "v1.99.0".into(),
        ..Footer::v1(&conn)
    };
    let path = install(v1_library(), "rusty_v1", Some(&footer), None);
    assert_load_fails(
        &conn,
        &path,
        &[
            "built for DuckDB C API version 'v1.99.0'",
            &format!(
                "we can only load extensions built for DuckDB C API '{}' and lower",
                api_version_v1()
            ),
        ],
    );
}

#[test]
fn v1_footer_with_the_wrong_abi_type_is_refused() {
    let (_db, conn) = host();
    // The v2 ABI: DuckDB looks for the v2 entry point, which a v1 extension lacks.
    let footer = Footer {
        abi: "C_STRUCT_UNSTABLE",
        version: duckdb_ffi::PINNED_DUCKDB_VERSION.into(),
        ..Footer::v1(&conn)
    };
    let path = install(v1_library(), "rusty_v1", Some(&footer), None);
    assert_load_fails(
        &conn,
        &path,
        &["did not contain function \"rusty_v1_init_c_api_v2\""],
    );
    // The C++ ABI: its entry point is missing too.
    let footer = Footer {
        abi: "CPP",
        version: duckdb_ffi::PINNED_DUCKDB_VERSION.into(),
        ..Footer::v1(&conn)
    };
    let path = install(v1_library(), "rusty_v1", Some(&footer), None);
    assert_load_fails(
        &conn,
        &path,
        &["did not contain the expected entrypoint function 'rusty_v1_duckdb_cpp_init'"],
    );
}

#[test]
fn v1_footer_for_another_platform_is_refused() {
    let (_db, conn) = host();
    let footer = Footer {
        platform: "wasm_mvp".into(),
        ..Footer::v1(&conn)
    };
    let path = install(v1_library(), "rusty_v1", Some(&footer), None);
    assert_load_fails(
        &conn,
        &path,
        &[
            "built for the platform 'wasm_mvp'",
            &format!(
                "only load extensions built for platform '{}'",
                platform(&conn)
            ),
        ],
    );
}

#[test]
fn truncated_extension_files_are_refused() {
    let (_db, conn) = host();
    // Shorter than a footer.
    let path = install(v1_library(), "rusty_v1", None, Some(300));
    assert_load_fails(
        &conn,
        &path,
        &["is not a DuckDB extension", "at least 512 bytes"],
    );
    // Cut off before its footer: the last 512 bytes are code, not metadata.
    let path = install(v1_library(), "rusty_v1", Some(&Footer::v1(&conn)), None);
    let length = std::fs::metadata(&path).unwrap().len() as usize - 512;
    let path = install(v1_library(), "rusty_v1", None, Some(length));
    assert_load_fails(
        &conn,
        &path,
        &["The file is not a DuckDB extension. The metadata at the end of the file is invalid"],
    );
}

#[test]
fn v2_extension_registers_scalar_and_table_functions() {
    let (_db, conn) = host();
    let started = Instant::now();
    let path = install(v2_library(), "rusty_v2", Some(&Footer::v2(&conn)), None);
    conn.execute(&format!("LOAD '{path}'")).unwrap();
    eprintln!(
        "v2: built (or reused) and loaded in {:.1?}",
        started.elapsed()
    );
    assert_eq!(bigint(&conn, "SELECT rusty2_triple(14)"), Some(42));
    assert_eq!(bigint(&conn, "SELECT rusty2_triple(NULL)"), None);
    assert_eq!(
        bigint(&conn, "SELECT sum(rusty2_triple(range)) FROM range(5000)"),
        Some(3 * (0..5000).sum::<i64>())
    );
    assert_eq!(
        bigint(&conn, "SELECT count(*) FROM rusty2_range(5000)"),
        Some(5000)
    );
    assert_eq!(
        bigint(&conn, "SELECT sum(i) FROM rusty2_range(5000)"),
        Some((0..5000).sum::<i64>())
    );
}

#[test]
fn v2_panics_in_a_scalar_function_and_in_init_are_clear_errors() {
    let (_db, conn) = host();
    let path = install(v2_library(), "rusty_v2", Some(&Footer::v2(&conn)), None);
    conn.execute(&format!("LOAD '{path}'")).unwrap();
    let error = conn
        .query("SELECT rusty2_panic(1)")
        .expect_err("the function panics")
        .to_string();
    assert!(
        error.contains("rusty_v2 panicked: rusty2_panic was called"),
        "{error}"
    );
    assert_eq!(bigint(&conn, "SELECT 1"), Some(1));
    let path = install(
        v2_library(),
        "rusty_v2_panics",
        Some(&Footer::v2(&conn)),
        None,
    );
    assert_load_fails(
        &conn,
        &path,
        &[
            "An error was thrown during initialization of the extension",
            "extension rusty_v2_panics panicked during initialization: rusty_v2_panics refuses to start",
        ],
    );
}

#[test]
fn v2_footers_for_another_version_or_abi_are_refused() {
    let (_db, conn) = host();
    // The unstable ABI is tied to one DuckDB version.
    let footer = Footer {
        version: "v1.9.9".into(),
        ..Footer::v2(&conn)
    };
    let path = install(v2_library(), "rusty_v2", Some(&footer), None);
    assert_load_fails(
        &conn,
        &path,
        &[
            "built specifically for DuckDB version 'v1.9.9'",
            &format!(
                "this version of DuckDB is '{}'",
                duckdb_ffi::PINNED_DUCKDB_VERSION
            ),
        ],
    );
    // The stable ABI with a v2 API version: v2 has no stable surface yet.
    let footer = Footer {
        abi: "C_STRUCT",
        version: "v2.0.0".into(),
        ..Footer::v2(&conn)
    };
    let path = install(v2_library(), "rusty_v2", Some(&footer), None);
    assert_load_fails(&conn, &path, &["the V2 C API has no stable surface yet"]);
    // A v1 footer: DuckDB looks for the v1 entry point, which a v2 extension lacks.
    let path = install(v2_library(), "rusty_v2", Some(&Footer::v1(&conn)), None);
    assert_load_fails(
        &conn,
        &path,
        &["did not contain function \"rusty_v2_init_c_api\""],
    );
}
