//! `Database` and its `Config`.

use crate as ffi;
use crate::safe::cabi::c_string;
use crate::safe::error::{Error, ErrorKind, Result};
use crate::safe::handle::{Owned, kind};
use crate::safe::trace;

use std::ffi::{CStr, c_char};
use std::path::Path;
use std::ptr;

/// An open DuckDB database (in memory or a file), the owner of a `duckdb_database`.
///
/// Connections keep the engine alive on their own (src/c_api.md, "database" row), so a
/// [`Connection`](super::Connection) does not borrow its `Database`: dropping the database first is safe, and the
/// file stays locked until the last connection is gone.
///
/// ```
/// use duckdb_ffi::safe::Database;
/// let db = Database::open_in_memory()?;
/// let conn = db.connect()?;
/// assert_eq!(conn.execute("CREATE TABLE t(x INTEGER)")?, 0);
/// # Ok::<(), duckdb_ffi::safe::Error>(())
/// ```
#[derive(Debug)]
pub struct Database {
    handle: Owned<kind::Database>,
}

// SAFETY: DuckDB's database object is usable from many threads at once (src/c_api.md,
// "Threads": database is Send + Sync); only close needs exclusive access, which `Drop` has.
unsafe impl Send for Database {}
// SAFETY: as above; `&Database` only allows `duckdb_connect`, which is thread-safe.
unsafe impl Sync for Database {}

impl Database {
    /// Opens a private in-memory database with the settings of [`Config::new`].
    pub fn open_in_memory() -> Result<Database> {
        Database::open_with_config(None, &Config::new()?)
    }

    /// Opens (or creates) a database file with the settings of [`Config::new`].
    pub fn open(path: impl AsRef<Path>) -> Result<Database> {
        Database::open_with_config(Some(path.as_ref()), &Config::new()?)
    }

    /// Opens a database with settings; `path` `None` is in memory.
    pub fn open_with_config(path: Option<&Path>, config: &Config) -> Result<Database> {
        Database::open_raw(path, config.handle.get())
    }

    /// `duckdb_open_ext` with `config` borrowed.
    fn open_raw(path: Option<&Path>, config: ffi::duckdb_config) -> Result<Database> {
        let span = trace::open(path);
        span.finish(Database::open_untraced(path, config))
    }

    fn open_untraced(path: Option<&Path>, config: ffi::duckdb_config) -> Result<Database> {
        let path = match path {
            Some(p) => Some(c_string(p.to_str().ok_or_else(|| {
                Error::new(
                    ErrorKind::InvalidUtf8,
                    format!("path {} is not UTF-8", p.display()),
                )
            })?)?),
            None => None,
        };
        let mut raw: ffi::duckdb_database = ptr::null_mut();
        let mut message: *mut c_char = ptr::null_mut();
        // SAFETY: out-parameters are null-initialised; path is a valid C string or null; the
        // config is a live config that the call copies ("config" row) and that stays owned by
        // the caller's `Config`.
        let state = unsafe {
            ffi::duckdb_open_ext(
                path.as_ref().map_or(ptr::null(), |p| p.as_ptr()),
                &mut raw,
                config,
                &mut message,
            )
        };
        if state == ffi::duckdb_state_DuckDBSuccess {
            // SAFETY: duckdb_open_ext succeeded, so raw is a fresh database we now own.
            let handle = unsafe { Owned::from_raw(raw) };
            return Ok(Database { handle });
        }
        let text = if message.is_null() {
            "cannot open the database".to_string()
        } else {
            // SAFETY: out_error is a malloc'd C string ("database" row): copy, then duckdb_free.
            unsafe {
                let text = CStr::from_ptr(message).to_string_lossy().into_owned();
                ffi::duckdb_free(message.cast());
                text
            }
        };
        // duckdb_open_ext returns only a message; its prefix names the error class.
        Err(Error::from_message(text))
    }

    /// Adds a replacement scan: when a query names a table that does not exist, `scan` is
    /// asked for a table function call to read instead (`Ok(None)` declines, an error fails
    /// the query). It runs while queries are planned, from any connection's thread; it is
    /// dropped when the database closes.
    ///
    /// ```
    /// use duckdb_ffi::safe::Database;
    /// use duckdb_ffi::safe::functions::Replacement;
    /// use duckdb_ffi::safe::types::Value;
    /// let db = Database::open_in_memory()?;
    /// // `FROM numbers_17` reads `range(17)`.
    /// db.add_replacement_scan(|table| {
    ///     let Some(n) = table.strip_prefix("numbers_") else { return Ok(None) };
    ///     Ok(Some(Replacement { function: "range".into(), arguments: vec![Value::from(n.parse::<i64>()?)] }))
    /// });
    /// let conn = db.connect()?;
    /// assert_eq!(conn.query_row("SELECT count(*) FROM numbers_17", (), |r| r.get::<i64>(0))?, 17);
    /// # Ok::<(), duckdb_ffi::safe::Error>(())
    /// ```
    pub fn add_replacement_scan<F>(&self, scan: F)
    where
        F: Fn(
                &str,
            ) -> crate::safe::functions::CallbackResult<
                Option<crate::safe::functions::Replacement>,
            > + Send
            + Sync
            + 'static,
    {
        crate::safe::functions::install_replacement_scan(self.as_raw(), scan);
    }

    /// The raw handle, for calls the safe layer does not wrap. It stays owned by `self`.
    pub fn as_raw(&self) -> ffi::duckdb_database {
        self.handle.get()
    }

    /// Closes the database. `duckdb_close` reports nothing, so neither does this; it exists to
    /// make the end of the database's life explicit. Connections still open keep the engine
    /// alive until they are dropped.
    pub fn close(self) {}
}

/// Settings for [`Database::open_with_config`], the owner of a `duckdb_config`.
///
/// It starts from DuckDB's defaults with one difference: extensions are never installed or
/// loaded behind the caller's back (`autoinstall_known_extensions` and
/// `autoload_known_extensions` are `false`). The engine's extensions come from the build (the
/// `parquet` and `json` features); an extension downloaded from DuckDB's repository is built
/// for DuckDB's own binaries. Set both to `true` to get DuckDB's behaviour back.
///
/// Every DuckDB option can be set by name ([`Config::options`] lists them). A bad value for a
/// known option is an error at [`Config::set`]. An unknown name is accepted there, because an
/// extension loaded at open may define it (DuckDB keeps it aside), and is then an error at
/// open that names it.
///
/// ```
/// use duckdb_ffi::safe::{Config, Database};
/// let mut config = Config::new()?;
/// config.set("threads", "1")?.set("access_mode", "READ_WRITE")?;
/// let db = Database::open_with_config(None, &config)?;
///
/// assert!(Config::new()?.set("threads", "many").is_err());
/// let mut unknown = Config::new()?;
/// unknown.set("no_such_option", "1")?;
/// let err = Database::open_with_config(None, &unknown).unwrap_err();
/// assert!(err.message().contains("no_such_option"), "{err}");
/// # Ok::<(), duckdb_ffi::safe::Error>(())
/// ```
#[derive(Debug)]
pub struct Config {
    handle: Owned<kind::Config>,
}

// SAFETY: a config is plain data only touched through `&mut self` or read during open.
unsafe impl Send for Config {}

/// One option DuckDB accepts in a [`Config`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigOption {
    /// The option's name, as passed to [`Config::set`].
    pub name: String,
    /// DuckDB's one-line description.
    pub description: String,
}

impl Config {
    /// DuckDB's defaults, except that known extensions are not installed or loaded
    /// automatically (see [`Config`]).
    ///
    /// ```
    /// use duckdb_ffi::safe::{Config, Database};
    /// let conn = Database::open_in_memory()?.connect()?;
    /// let autoinstall = "SELECT current_setting('autoinstall_known_extensions')";
    /// assert!(!conn.query_row(autoinstall, (), |r| r.get::<bool>(0))?);
    ///
    /// let mut config = Config::new()?;
    /// config.set("autoinstall_known_extensions", "true")?;
    /// let conn = Database::open_with_config(None, &config)?.connect()?;
    /// assert!(conn.query_row(autoinstall, (), |r| r.get::<bool>(0))?);
    /// # Ok::<(), duckdb_ffi::safe::Error>(())
    /// ```
    pub fn new() -> Result<Config> {
        let mut raw: ffi::duckdb_config = ptr::null_mut();
        // SAFETY: out-parameter null-initialised.
        let state = unsafe { ffi::duckdb_create_config(&mut raw) };
        // SAFETY: on success raw is a fresh config; on failure it is null, which destroy accepts.
        let handle = unsafe { Owned::from_raw(raw) };
        if state != ffi::duckdb_state_DuckDBSuccess {
            return Err(Error::misuse(
                "duckdb_create_config failed (out of memory?)",
            ));
        }
        let mut config = Config { handle };
        config
            .set("autoinstall_known_extensions", "false")?
            .set("autoload_known_extensions", "false")?;
        Ok(config)
    }

    /// Sets option `name` to `value`. A value the option rejects, or an interior NUL, is an
    /// error now; an unknown name is reported by [`Database::open_with_config`].
    pub fn set(&mut self, name: &str, value: &str) -> Result<&mut Config> {
        let (c_name, c_value) = (c_string(name)?, c_string(value)?);
        // SAFETY: live config; both strings are valid for the call and copied by DuckDB.
        let state =
            unsafe { ffi::duckdb_set_config(self.handle.get(), c_name.as_ptr(), c_value.as_ptr()) };
        if state != ffi::duckdb_state_DuckDBSuccess {
            return Err(Error::engine(
                ffi::duckdb_error_type_DUCKDB_INVALID_CONFIGURATION,
                format!("cannot set option `{name}` to `{value}`: the value is invalid for it"),
            ));
        }
        Ok(self)
    }

    /// Every option DuckDB knows, with its description.
    pub fn options() -> Vec<ConfigOption> {
        // SAFETY: duckdb_config_count has no preconditions.
        let count = unsafe { ffi::duckdb_config_count() };
        (0..count)
            .filter_map(|i| {
                let (mut name, mut description): (*const c_char, *const c_char) =
                    (ptr::null(), ptr::null());
                // SAFETY: i < count; the strings returned are static and must not be freed.
                unsafe {
                    if ffi::duckdb_get_config_flag(i, &mut name, &mut description)
                        != ffi::duckdb_state_DuckDBSuccess
                        || name.is_null()
                    {
                        return None;
                    }
                    let text = |p: *const c_char| {
                        if p.is_null() {
                            String::new()
                        } else {
                            CStr::from_ptr(p).to_string_lossy().into_owned()
                        }
                    };
                    Some(ConfigOption {
                        name: text(name),
                        description: text(description),
                    })
                }
            })
            .collect()
    }
}

/// The version of the linked DuckDB library (`"v2.0.0"`); with `DUCKDB_LIB_DIR` it can differ
/// from [`PINNED_DUCKDB_VERSION`](crate::PINNED_DUCKDB_VERSION).
///
/// ```
/// assert!(duckdb_ffi::safe::library_version().starts_with('v'));
/// ```
pub fn library_version() -> &'static str {
    // SAFETY: `duckdb_library_version` returns a pointer to a static NUL-terminated string
    // (src/c_api.md, "Strings"), valid for the whole program.
    let version = unsafe { CStr::from_ptr(ffi::duckdb_library_version()) };
    version.to_str().unwrap_or("unknown")
}
