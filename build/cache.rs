//! A content-addressed store of compiled engines, shared by every project on the machine.
//!
//! An entry is a folder named by the hash of everything that shapes the compiled library
//! (bundle, compiler, flags, target, extensions; see `key.rs`), holding that description as
//! `KEY`. Entries are immutable: they are filled under a temporary name and renamed into
//! place, and an entry that fails its check (no `KEY`, a `KEY` that does not match, a
//! required file missing) is moved aside and rebuilt whole, never linked or patched.
//!
//! Builds of one key take `<key>.lock` beside the entry, an OS file lock (`flock` on Unix, an
//! exclusive open on Windows) that the system releases when the holder exits, however it
//! exits: a second build waits and then links the first one's entry, and a build killed
//! midway leaves nothing that blocks the next. The lock file's modification time records the
//! last build that used the entry (what `prune` goes by).
//!
//! This file uses only `std`, so the build script, `tests/build_script/cache_tests.rs` and the cache tool
//! in `tools/cache` all compile the same code.

use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// The variable naming the cache folder.
pub const CACHE_DIR_VAR: &str = "DUCKDB_FFI_CACHE_DIR";
/// `DUCKDB_FFI_CACHE_DIR=off` keeps the engine in the cargo target directory.
pub const OPT_OUT: &str = "off";
/// The folder name inside the user's cache folder (and inside the target directory).
const FOLDER: &str = "duckdb-ffi";
/// The folder inside the target directory when the machine-wide cache is not used.
pub const TARGET_FOLDER: &str = "duckdb-ffi-cache";

/// Where the cache is, as the environment says.
#[derive(Debug, PartialEq, Eq)]
pub enum Root {
    /// A machine-wide folder: `DUCKDB_FFI_CACHE_DIR`, or the user's cache folder.
    Shared(PathBuf),
    /// `DUCKDB_FFI_CACHE_DIR=off`: a folder in the target directory.
    OptedOut,
    /// No user cache folder is known (no `HOME` or `LOCALAPPDATA`).
    Unknown,
}

impl Root {
    /// `DUCKDB_FFI_CACHE_DIR` if set (`off` opts out), else `$XDG_CACHE_HOME/duckdb-ffi`, else
    /// the platform's user cache folder: `~/Library/Caches` on macOS, `%LOCALAPPDATA%` on
    /// Windows, `~/.cache` elsewhere. `env` returns a variable's value, `None` when unset or
    /// empty; the build script passes one that also tells cargo to watch the variable.
    pub fn from_env(env: &dyn Fn(&str) -> Option<String>) -> Root {
        if let Some(dir) = env(CACHE_DIR_VAR) {
            if dir.eq_ignore_ascii_case(OPT_OUT) {
                return Root::OptedOut;
            }
            return Root::Shared(PathBuf::from(dir));
        }
        // The XDG specification ignores relative values.
        if let Some(dir) = env("XDG_CACHE_HOME").map(PathBuf::from) {
            if dir.is_absolute() {
                return Root::Shared(dir.join(FOLDER));
            }
        }
        let base = if cfg!(windows) {
            env("LOCALAPPDATA").map(PathBuf::from)
        } else if cfg!(target_os = "macos") {
            env("HOME").map(|home| Path::new(&home).join("Library/Caches"))
        } else {
            env("HOME").map(|home| Path::new(&home).join(".cache"))
        };
        base.map_or(Root::Unknown, |base| Root::Shared(base.join(FOLDER)))
    }
}

/// What a build links, and how it got there.
#[derive(Debug)]
pub struct Obtained {
    /// The entry (or the fallback folder).
    pub dir: PathBuf,
    /// Whether `fill` ran in this call.
    pub filled: bool,
    /// Whether another build held the lock when this one asked for it.
    pub waited: bool,
    /// One line to show the user, when the cache could not be used as asked.
    pub warning: Option<String>,
}

/// The state of an entry folder.
#[derive(Debug, PartialEq, Eq)]
pub enum Health {
    Valid,
    Absent,
    /// Present but not usable; the reason is for messages.
    Corrupt(String),
}

pub struct Cache {
    root: PathBuf,
    /// Where to go when `root` cannot be written.
    fallback: Option<Box<Cache>>,
}

impl Cache {
    pub fn new(root: impl Into<PathBuf>) -> Cache {
        Cache {
            root: root.into(),
            fallback: None,
        }
    }

    /// Uses `fallback` when this cache's folder cannot be written.
    pub fn with_fallback(mut self, fallback: Cache) -> Cache {
        self.fallback = Some(Box::new(fallback));
        self
    }

    /// The cache the build script uses: `root` as resolved from the environment, or a folder in
    /// `target_dir` (shared by the profiles) when opted out, when no user cache folder is known
    /// (with a warning) and when the shared folder cannot be written.
    pub fn for_build(root: Root, target_dir: &Path) -> (Cache, Option<String>) {
        let in_target = Cache::new(target_dir.join(TARGET_FOLDER));
        match root {
            Root::Shared(dir) => (Cache::new(dir).with_fallback(in_target), None),
            Root::OptedOut => (in_target, None),
            Root::Unknown => {
                let warning = format!(
                    "duckdb-ffi: no user cache folder is known (HOME is not set); keeping the \
                     engine in {} (set {CACHE_DIR_VAR} to share it between projects)",
                    in_target.root.display()
                );
                (in_target, Some(warning))
            }
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn entry(&self, key: &str) -> PathBuf {
        self.root.join(key)
    }

    fn lock_path(&self, key: &str) -> PathBuf {
        self.root.join(format!("{key}.lock"))
    }

    /// Whether the entry for `key` can be linked: `KEY` equals `description` and every path
    /// in `required` (relative to the entry) exists.
    pub fn health(&self, key: &str, description: &str, required: &[&str]) -> Health {
        folder_health(&self.entry(key), description, required)
    }

    /// The entry for `key`, running `fill` on an empty folder to create it when there is no
    /// usable one. Concurrent calls for one key run `fill` once; the others wait and return
    /// the same entry. When the cache folder cannot be written, uses the fallback cache, or
    /// when there is none (or it cannot be written either) fills the folder `last_resort` (or
    /// reuses it if it already holds this key), and says so in [`Obtained::warning`].
    pub fn obtain(
        &self,
        key: &str,
        description: &str,
        required: &[&str],
        last_resort: &Path,
        fill: impl FnOnce(&Path) -> Result<(), String>,
    ) -> Result<Obtained, String> {
        let entry = self.entry(key);
        if self.health(key, description, required) == Health::Valid {
            self.mark_used(key);
            return Ok(Obtained {
                dir: entry,
                filled: false,
                waited: false,
                warning: None,
            });
        }
        let unwritable =
            |e: io::Error, fill| self.elsewhere(e, key, description, required, last_resort, fill);
        if let Err(e) = fs::create_dir_all(&self.root) {
            return unwritable(e, fill);
        }
        let (lock, waited) = match Lock::acquire(&self.lock_path(key)) {
            Ok(acquired) => acquired,
            Err(e) => return unwritable(e, fill),
        };
        // Another build may have filled it while this one waited.
        if self.health(key, description, required) == Health::Valid {
            drop(lock);
            self.mark_used(key);
            return Ok(Obtained {
                dir: entry,
                filled: false,
                waited,
                warning: None,
            });
        }
        // With the lock held nobody else is filling this key: anything left under its
        // temporary names belongs to a build that died, and a present entry is corrupt.
        self.sweep_key(key);
        if entry.exists() {
            let aside = self.temp_name("trash", key);
            fs::rename(&entry, &aside).map_err(|e| io_message(&entry, &e))?;
            let _ = fs::remove_dir_all(&aside);
        }
        let staging = self.temp_name("tmp", key);
        if let Err(e) = fs::create_dir(&staging) {
            drop(lock);
            return unwritable(e, fill);
        }
        let result = fill(&staging)
            .and_then(|()| check_filled(&staging, required))
            .and_then(|()| {
                fs::write(staging.join("KEY"), description)
                    .map_err(|e| io_message(&staging.join("KEY"), &e))
            })
            .and_then(|()| match fs::rename(&staging, &entry) {
                Ok(()) => Ok(()),
                // Only without a working lock can another build have stored it first; its
                // entry is as good as this one.
                Err(_) if self.health(key, description, required) == Health::Valid => {
                    let _ = fs::remove_dir_all(&staging);
                    Ok(())
                }
                Err(e) => Err(io_message(&entry, &e)),
            });
        if let Err(e) = result {
            let _ = fs::remove_dir_all(&staging);
            return Err(e);
        }
        drop(lock);
        self.mark_used(key);
        Ok(Obtained {
            dir: entry,
            filled: true,
            waited,
            warning: None,
        })
    }

    /// `obtain` when this cache's folder cannot be written: the fallback cache, else
    /// `last_resort`, with one line saying where the engine went.
    fn elsewhere(
        &self,
        e: io::Error,
        key: &str,
        description: &str,
        required: &[&str],
        last_resort: &Path,
        fill: impl FnOnce(&Path) -> Result<(), String>,
    ) -> Result<Obtained, String> {
        let mut obtained = match &self.fallback {
            Some(fallback) => fallback.obtain(key, description, required, last_resort, fill)?,
            None => build_in(last_resort, description, required, fill)?,
        };
        obtained.warning = Some(format!(
            "duckdb-ffi: cannot write the engine cache {} ({e}); the engine is kept in {} \
             instead (set {CACHE_DIR_VAR} to a writable folder, or to `{OPT_OUT}` to keep it in \
             the target directory without this warning)",
            self.root.display(),
            obtained.dir.display()
        ));
        Ok(obtained)
    }

    /// A unique sibling name for `key`'s temporary folders: `.tmp-<key>-<pid>-<nanos>`.
    fn temp_name(&self, kind: &str, key: &str) -> PathBuf {
        let nanos = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        self.root
            .join(format!(".{kind}-{key}-{}-{nanos}", std::process::id()))
    }

    /// Removes the temporary folders of `key`; call with its lock held.
    fn sweep_key(&self, key: &str) {
        let Ok(read) = fs::read_dir(&self.root) else {
            return;
        };
        for item in read.flatten() {
            let name = item.file_name().to_string_lossy().into_owned();
            if temp_key(&name) == Some(key) {
                let _ = fs::remove_dir_all(item.path());
            }
        }
    }

    /// Records that a build used `key` now (the lock file's modification time).
    fn mark_used(&self, key: &str) {
        let _ = File::options()
            .write(true)
            .create(true)
            .truncate(false)
            .open(self.lock_path(key))
            .and_then(|f| f.set_modified(SystemTime::now()));
    }

    /// Every entry folder, complete or not, sorted by last use (oldest first).
    pub fn list(&self) -> io::Result<Vec<Listed>> {
        let mut listed = Vec::new();
        let read = match fs::read_dir(&self.root) {
            Ok(read) => read,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(listed),
            Err(e) => return Err(e),
        };
        for item in read {
            let item = item?;
            let name = item.file_name().to_string_lossy().into_owned();
            let path = item.path();
            if !path.is_dir() {
                continue;
            }
            let description = fs::read_to_string(path.join("KEY")).ok();
            let built = fs::metadata(path.join("KEY"))
                .or_else(|_| fs::metadata(&path))
                .and_then(|m| m.modified())
                .ok();
            let used = fs::metadata(self.lock_path(&name))
                .and_then(|m| m.modified())
                .ok();
            listed.push(Listed {
                temporary: temp_key(&name).is_some(),
                key: name,
                size: tree_size(&path),
                description,
                built,
                last_used: used.max(built),
                path,
            });
        }
        listed.sort_by(|a, b| (a.last_used, &a.key).cmp(&(b.last_used, &b.key)));
        Ok(listed)
    }

    /// Deletes the entry `key` (or a temporary folder of that name) unless a build holds its
    /// lock. Returns `false` when it is in use.
    pub fn remove(&self, name: &str) -> io::Result<bool> {
        let key = temp_key(name).unwrap_or(name);
        let lock_path = self.lock_path(key);
        let Some(lock) = Lock::try_acquire(&lock_path)? else {
            return Ok(false);
        };
        let path = self.root.join(name);
        if temp_key(name).is_some() {
            fs::remove_dir_all(&path)?;
        } else if path.exists() {
            // Renamed first so an interrupted delete never leaves a half entry under its name.
            let aside = self.temp_name("trash", key);
            fs::rename(&path, &aside)?;
            fs::remove_dir_all(&aside)?;
        }
        drop(lock);
        Ok(true)
    }

    /// Deletes every entry last used before `cutoff`, and every temporary folder no build
    /// holds. Returns what was removed and what was skipped because a build holds it.
    pub fn prune(&self, cutoff: SystemTime) -> io::Result<(Vec<Listed>, Vec<Listed>)> {
        let mut removed = Vec::new();
        let mut busy = Vec::new();
        for listed in self.list()? {
            let old = listed.last_used.is_none_or(|t| t < cutoff);
            if !(listed.temporary || old) {
                continue;
            }
            if self.remove(&listed.key)? {
                removed.push(listed);
            } else {
                busy.push(listed);
            }
        }
        Ok((removed, busy))
    }
}

/// One folder of the cache, as `list` sees it.
#[derive(Debug)]
pub struct Listed {
    /// The folder name: the key, or a temporary name.
    pub key: String,
    pub path: PathBuf,
    /// A folder of a build in progress or of one that died.
    pub temporary: bool,
    /// Bytes of every file below it.
    pub size: u64,
    /// The `KEY` text; `None` when there is none (temporary or corrupt).
    pub description: Option<String>,
    pub built: Option<SystemTime>,
    pub last_used: Option<SystemTime>,
}

/// The key a temporary folder name (`.tmp-<key>-…`, `.trash-<key>-…`) belongs to.
fn temp_key(name: &str) -> Option<&str> {
    let rest = name
        .strip_prefix(".tmp-")
        .or_else(|| name.strip_prefix(".trash-"))?;
    rest.split_once('-').map(|(key, _)| key)
}

fn folder_health(dir: &Path, description: &str, required: &[&str]) -> Health {
    match fs::read(dir.join("KEY")) {
        Ok(text) if text == description.as_bytes() => {}
        Ok(_) => return Health::Corrupt("its KEY describes another build".into()),
        Err(_) if !dir.exists() => return Health::Absent,
        Err(_) => return Health::Corrupt("it has no KEY".into()),
    }
    match required.iter().find(|file| !dir.join(file).is_file()) {
        Some(file) => Health::Corrupt(format!("{file} is missing")),
        None => Health::Valid,
    }
}

fn check_filled(dir: &Path, required: &[&str]) -> Result<(), String> {
    match required.iter().find(|file| !dir.join(file).is_file()) {
        Some(file) => Err(format!(
            "the engine build finished without producing {file} in {}",
            dir.display()
        )),
        None => Ok(()),
    }
}

/// Builds into `dir` outside the cache (or reuses it when it already holds `description`).
fn build_in(
    dir: &Path,
    description: &str,
    required: &[&str],
    fill: impl FnOnce(&Path) -> Result<(), String>,
) -> Result<Obtained, String> {
    let mut obtained = Obtained {
        dir: dir.to_path_buf(),
        filled: false,
        waited: false,
        warning: None,
    };
    if folder_health(dir, description, required) == Health::Valid {
        return Ok(obtained);
    }
    let _ = fs::remove_dir_all(dir);
    fs::create_dir_all(dir).map_err(|e| io_message(dir, &e))?;
    fill(dir)?;
    check_filled(dir, required)?;
    fs::write(dir.join("KEY"), description).map_err(|e| io_message(dir, &e))?;
    obtained.filled = true;
    Ok(obtained)
}

fn tree_size(path: &Path) -> u64 {
    let Ok(meta) = fs::symlink_metadata(path) else {
        return 0;
    };
    if !meta.is_dir() {
        return meta.len();
    }
    fs::read_dir(path)
        .into_iter()
        .flatten()
        .flatten()
        .map(|item| tree_size(&item.path()))
        .sum()
}

fn io_message(path: &Path, e: &io::Error) -> String {
    format!(
        "cannot access {}: {e}; check the disk and its permissions",
        path.display()
    )
}

/// An exclusive lock on a file, released when dropped or when the process ends.
struct Lock {
    _file: File,
}

impl Lock {
    /// Blocks until the lock is free; says whether it had to wait.
    fn acquire(path: &Path) -> io::Result<(Lock, bool)> {
        if let Some(lock) = Lock::try_acquire(path)? {
            return Ok((lock, false));
        }
        Ok((Lock::wait(path)?, true))
    }
}

#[cfg(unix)]
mod os {
    use std::os::fd::AsRawFd;

    // Declared here rather than taken from the libc crate: this file is compiled by the build
    // script, a test and a tool, none of which otherwise needs a dependency. These values are
    // the same on Linux, macOS, the BSDs and illumos.
    const LOCK_EX: i32 = 2;
    const LOCK_NB: i32 = 4;
    unsafe extern "C" {
        fn flock(fd: i32, operation: i32) -> i32;
    }

    /// `flock` on `file`; `Ok(false)` when `nonblocking` and another holder has it.
    pub fn flock_exclusive(file: &std::fs::File, nonblocking: bool) -> std::io::Result<bool> {
        let operation = if nonblocking {
            LOCK_EX | LOCK_NB
        } else {
            LOCK_EX
        };
        loop {
            // SAFETY: `flock` takes a descriptor and flags and touches no memory of ours; the
            // descriptor belongs to `file`, which stays open for the whole call.
            if unsafe { flock(file.as_raw_fd(), operation) } == 0 {
                return Ok(true);
            }
            let e = std::io::Error::last_os_error();
            match e.kind() {
                std::io::ErrorKind::Interrupted => continue,
                std::io::ErrorKind::WouldBlock if nonblocking => return Ok(false),
                _ => return Err(e),
            }
        }
    }
}

#[cfg(unix)]
impl Lock {
    fn open(path: &Path) -> io::Result<File> {
        // Opened close-on-exec (std's default), so compilers the build starts do not hold it.
        File::options()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
    }

    fn try_acquire(path: &Path) -> io::Result<Option<Lock>> {
        let file = Lock::open(path)?;
        Ok(os::flock_exclusive(&file, true)?.then_some(Lock { _file: file }))
    }

    fn wait(path: &Path) -> io::Result<Lock> {
        let file = Lock::open(path)?;
        os::flock_exclusive(&file, false)?;
        Ok(Lock { _file: file })
    }
}

#[cfg(windows)]
impl Lock {
    /// Opens the file with no sharing: while one handle is open every other open fails, and
    /// Windows closes the handle when the process ends.
    fn try_acquire(path: &Path) -> io::Result<Option<Lock>> {
        use std::os::windows::fs::OpenOptionsExt;
        const ERROR_SHARING_VIOLATION: i32 = 32;
        match File::options()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .share_mode(0)
            .open(path)
        {
            Ok(file) => Ok(Some(Lock { _file: file })),
            Err(e) if e.raw_os_error() == Some(ERROR_SHARING_VIOLATION) => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn wait(path: &Path) -> io::Result<Lock> {
        loop {
            if let Some(lock) = Lock::try_acquire(path)? {
                return Ok(lock);
            }
            std::thread::sleep(Duration::from_millis(250));
        }
    }
}

#[cfg(not(any(unix, windows)))]
impl Lock {
    /// No lock on other hosts: racing builds each compile, and the rename keeps entries whole.
    fn try_acquire(path: &Path) -> io::Result<Option<Lock>> {
        Ok(Some(Lock {
            _file: File::options()
                .write(true)
                .create(true)
                .truncate(false)
                .open(path)?,
        }))
    }

    fn wait(path: &Path) -> io::Result<Lock> {
        Ok(Lock::try_acquire(path)?.expect("never busy"))
    }
}

/// Parses an age such as `30d`, `12h`, `90m` or `45s`.
pub fn parse_age(text: &str) -> Option<Duration> {
    let (number, unit) = text.split_at(text.find(|c: char| !c.is_ascii_digit())?);
    let number: u64 = number.parse().ok()?;
    let seconds = match unit {
        "d" => 86_400,
        "h" => 3_600,
        "m" => 60,
        "s" => 1,
        _ => return None,
    };
    Some(Duration::from_secs(number.checked_mul(seconds)?))
}
