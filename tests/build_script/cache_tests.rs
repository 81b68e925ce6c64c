//! The engine cache of the build script (`build/cache.rs`) and its key (`build/key.rs`),
//! compiled here as they are there. The compile step is a closure, so nothing here runs a
//! C++ compiler: concurrent builders, a builder killed midway, an unwritable folder and
//! corrupt entries all take milliseconds.

use crate::scratch::scratch;
use crate::{cache, key};
use cache::{Cache, Health, Root};
use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, mpsc};
use std::time::{Duration, Instant, SystemTime};

const REQUIRED: &[&str] = &["lib/libduckdb.a", "include/duckdb.h"];
const DESCRIPTION: &str = "recipe: 1\nsources: test\nextensions: core_functions\n";

/// Runs this test binary's `child_builder` in a new process.
const CHILD_VAR: &str = "DUCKDB_FFI_CACHE_TEST_CHILD";

/// What the compile step would produce, with `stamp` as the library's contents.
fn fake_engine(dir: &Path, stamp: &str) -> Result<(), String> {
    fs::create_dir_all(dir.join("lib")).map_err(|e| e.to_string())?;
    fs::create_dir_all(dir.join("include")).map_err(|e| e.to_string())?;
    fs::write(dir.join("lib/libduckdb.a"), stamp).map_err(|e| e.to_string())?;
    fs::write(dir.join("include/duckdb.h"), "// header\n").map_err(|e| e.to_string())
}

fn never_fill(_: &Path) -> Result<(), String> {
    panic!("a valid entry must be linked, not rebuilt")
}

fn temporaries(root: &Path) -> Vec<String> {
    fs::read_dir(root)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect()
}

/// Today's default configuration on the development machine. Its entry exists on machines
/// that built the engine before the cache moved; if this text or its hash changed, every
/// such entry would be missed and the engine compiled again.
#[test]
fn the_key_of_an_unchanged_configuration_is_unchanged() {
    let compiler = "compiler: c++\ncompiler-version: c++ (Debian 12.2.0-14+deb12u1) 12.2.0\n\
                    flags: -O3 -ffunction-sections -fdata-sections -fPIC -m64 -march=x86-64 -w \
                    -std=c++17 -w -DNDEBUG -DDUCKDB_EXTENSION_CORE_FUNCTIONS_LINKED=1";
    let description = key::describe(&key::Parts {
        recipe: 1,
        sources: "14f16777c569dd0090db7c80dc7a1eba8ffbb36cf3f6e008dd9c002356162c29",
        compiler,
        target: "x86_64-unknown-linux-gnu",
        extensions: &["core_functions".to_string()],
        units: None,
    });
    assert_eq!(
        description,
        "recipe: 1\n\
         sources: 14f16777c569dd0090db7c80dc7a1eba8ffbb36cf3f6e008dd9c002356162c29\n\
         compiler: c++\n\
         compiler-version: c++ (Debian 12.2.0-14+deb12u1) 12.2.0\n\
         flags: -O3 -ffunction-sections -fdata-sections -fPIC -m64 -march=x86-64 -w -std=c++17 \
         -w -DNDEBUG -DDUCKDB_EXTENSION_CORE_FUNCTIONS_LINKED=1\n\
         target: x86_64-unknown-linux-gnu\n\
         extensions: core_functions\n"
    );
    assert_eq!(key::key(&description), "7392ff9b48ebedfb5a858ae13a626e53");
}

#[test]
fn the_bundle_unit_cut_is_a_line_of_its_own_key() {
    let parts = |units| key::Parts {
        recipe: 3,
        sources: "test",
        compiler: "compiler: c++",
        target: "x86_64-unknown-linux-gnu",
        extensions: &[],
        units,
    };
    let merged = key::describe(&parts(None));
    let bundle = key::describe(&parts(Some("units: bundle")));
    assert_eq!(bundle, format!("{merged}units: bundle\n"));
    assert_ne!(key::key(&merged), key::key(&bundle));
}

#[test]
fn the_folder_follows_the_documented_order() {
    let root = |vars: &[(&str, &str)]| {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Root::from_env(&|name| vars.get(name).cloned())
    };
    let home = if cfg!(windows) {
        "C:\\Users\\u"
    } else {
        "/home/u"
    };
    let platform = ("HOME", home);
    let windows = ("LOCALAPPDATA", "C:\\Users\\u\\AppData\\Local");
    let user_cache = if cfg!(windows) {
        Path::new(windows.1).join("duckdb-ffi")
    } else if cfg!(target_os = "macos") {
        Path::new(home).join("Library/Caches/duckdb-ffi")
    } else {
        Path::new(home).join(".cache/duckdb-ffi")
    };
    let xdg = if cfg!(windows) { "C:\\xdg" } else { "/xdg" };

    assert_eq!(
        root(&[
            ("DUCKDB_FFI_CACHE_DIR", "/c"),
            ("XDG_CACHE_HOME", xdg),
            platform,
            windows
        ]),
        Root::Shared("/c".into())
    );
    assert_eq!(
        root(&[("DUCKDB_FFI_CACHE_DIR", "off"), platform, windows]),
        Root::OptedOut
    );
    assert_eq!(
        root(&[("DUCKDB_FFI_CACHE_DIR", "OFF"), platform, windows]),
        Root::OptedOut
    );
    assert_eq!(
        root(&[("XDG_CACHE_HOME", xdg), platform, windows]),
        Root::Shared(Path::new(xdg).join("duckdb-ffi"))
    );
    // A relative XDG_CACHE_HOME is ignored, as the XDG specification says.
    assert_eq!(
        root(&[("XDG_CACHE_HOME", "relative"), platform, windows]),
        Root::Shared(user_cache.clone())
    );
    assert_eq!(root(&[platform, windows]), Root::Shared(user_cache));
    assert_eq!(root(&[]), Root::Unknown);

    let target = Path::new("target");
    let (cache, warning) = Cache::for_build(Root::OptedOut, target);
    assert_eq!(cache.root(), target.join("duckdb-ffi-cache"));
    assert_eq!(warning, None, "opting out is not worth a warning");
    let (cache, warning) = Cache::for_build(Root::Unknown, target);
    assert_eq!(cache.root(), target.join("duckdb-ffi-cache"));
    assert!(warning.is_some_and(|w| !w.contains('\n')));
}

#[test]
fn a_miss_fills_an_entry_and_a_hit_links_it() {
    let dir = scratch("hit");
    let cache = Cache::new(dir.join("cache"));
    let key = key::key(DESCRIPTION);
    assert_eq!(cache.health(&key, DESCRIPTION, REQUIRED), Health::Absent);

    let first = cache
        .obtain(&key, DESCRIPTION, REQUIRED, &dir.join("fallback"), |d| {
            fake_engine(d, "one")
        })
        .unwrap();
    assert!(first.filled && first.warning.is_none());
    assert_eq!(first.dir, cache.entry(&key));
    assert_eq!(
        fs::read_to_string(first.dir.join("KEY")).unwrap(),
        DESCRIPTION
    );
    assert_eq!(cache.health(&key, DESCRIPTION, REQUIRED), Health::Valid);
    assert!(temporaries(cache.root()).is_empty());

    let second = cache
        .obtain(
            &key,
            DESCRIPTION,
            REQUIRED,
            &dir.join("fallback"),
            never_fill,
        )
        .unwrap();
    assert!(!second.filled && !second.waited && second.warning.is_none());
    assert_eq!(second.dir, first.dir);
    assert!(!dir.join("fallback").exists());
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn two_concurrent_builders_fill_once() {
    let dir = scratch("threads");
    let root = dir.join("cache");
    let key = key::key(DESCRIPTION);
    let fills = Arc::new(AtomicUsize::new(0));
    let start = Arc::new(Barrier::new(2));
    let builders: Vec<_> = (0..2)
        .map(|_| {
            let (root, key, fills, start) =
                (root.clone(), key.clone(), fills.clone(), start.clone());
            let fallback = dir.join("fallback");
            std::thread::spawn(move || {
                start.wait();
                Cache::new(root)
                    .obtain(&key, DESCRIPTION, REQUIRED, &fallback, |d| {
                        fills.fetch_add(1, Ordering::SeqCst);
                        // Long enough that the other builder asks while this one compiles.
                        std::thread::sleep(Duration::from_millis(500));
                        fake_engine(d, "threads")
                    })
                    .unwrap()
            })
        })
        .collect();
    let results: Vec<_> = builders.into_iter().map(|b| b.join().unwrap()).collect();
    assert_eq!(
        fills.load(Ordering::SeqCst),
        1,
        "the engine was compiled twice"
    );
    assert_eq!(results.iter().filter(|r| r.filled).count(), 1);
    assert!(
        results.iter().any(|r| !r.filled && r.waited),
        "the second builder waited"
    );
    assert_eq!(results[0].dir, results[1].dir);
    let cache = Cache::new(&root);
    assert_eq!(cache.health(&key, DESCRIPTION, REQUIRED), Health::Valid);
    assert!(temporaries(&root).is_empty());
    fs::remove_dir_all(&dir).unwrap();
}

/// Starts `child_builder` in a new process of this test binary.
fn spawn_child(mode: &str, root: &Path, signal: &Path) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args([
            "cache_tests::child_builder",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_VAR, mode)
        .env("DUCKDB_FFI_CACHE_TEST_ROOT", root)
        .env("DUCKDB_FFI_CACHE_TEST_SIGNAL", signal)
        .spawn()
        .unwrap()
}

/// Not a test on its own: the body of the builder processes the tests below start.
/// `slow`: fills the entry slowly, appending to the signal file when its fill starts.
/// `hang`: starts filling, creates the signal file, then waits to be killed.
#[test]
fn child_builder() {
    let Ok(mode) = std::env::var(CHILD_VAR) else {
        return;
    };
    let root = PathBuf::from(std::env::var("DUCKDB_FFI_CACHE_TEST_ROOT").unwrap());
    let signal = PathBuf::from(std::env::var("DUCKDB_FFI_CACHE_TEST_SIGNAL").unwrap());
    let cache = Cache::new(&root);
    let key = key::key(DESCRIPTION);
    let fallback = root.with_extension(format!("fallback-{}", std::process::id()));
    let obtained = cache
        .obtain(&key, DESCRIPTION, REQUIRED, &fallback, |d| {
            fake_engine(d, &mode)?;
            match mode.as_str() {
                "hang" => {
                    fs::write(&signal, "filling\n").unwrap();
                    std::thread::sleep(Duration::from_secs(120));
                    panic!("the parent should have killed this builder");
                }
                _ => {
                    let mut log = fs::read_to_string(&signal).unwrap_or_default();
                    log.push_str(&format!("{}\n", std::process::id()));
                    fs::write(&signal, log).unwrap();
                    std::thread::sleep(Duration::from_millis(800));
                }
            }
            Ok(())
        })
        .unwrap();
    assert_eq!(obtained.dir, cache.entry(&key));
}

#[test]
fn two_concurrent_builder_processes_fill_once() {
    let dir = scratch("processes");
    let root = dir.join("cache");
    let log = dir.join("fills.log");
    let children: Vec<_> = (0..2).map(|_| spawn_child("slow", &root, &log)).collect();
    for mut child in children {
        assert!(child.wait().unwrap().success(), "a builder process failed");
    }
    let fills = fs::read_to_string(&log).unwrap();
    assert_eq!(fills.lines().count(), 1, "fills: {fills:?}");
    let key = key::key(DESCRIPTION);
    assert_eq!(
        Cache::new(&root).health(&key, DESCRIPTION, REQUIRED),
        Health::Valid
    );
    assert!(temporaries(&root).is_empty());
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_builder_killed_midway_is_recovered() {
    let dir = scratch("killed");
    let root = dir.join("cache");
    let signal = dir.join("filling");
    let mut child = spawn_child("hang", &root, &signal);
    let waited = Instant::now();
    while !signal.exists() {
        assert!(
            waited.elapsed() < Duration::from_secs(60),
            "the builder never started filling"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL on Unix: no destructor, no cleanup runs.
    child.wait().unwrap();

    let key = key::key(DESCRIPTION);
    let cache = Cache::new(&root);
    assert_eq!(cache.health(&key, DESCRIPTION, REQUIRED), Health::Absent);
    assert_eq!(
        temporaries(&root).len(),
        1,
        "the killed build left its half-filled folder"
    );

    // In a thread, so a lock that outlived its holder fails the test instead of hanging it.
    let (send, receive) = mpsc::channel();
    let fallback = dir.join("fallback");
    std::thread::spawn(move || {
        let result = Cache::new(&root).obtain(&key, DESCRIPTION, REQUIRED, &fallback, |d| {
            fake_engine(d, "recovered")
        });
        send.send(result).unwrap();
    });
    let obtained = receive
        .recv_timeout(Duration::from_secs(30))
        .expect("the lock of the killed build was not released")
        .unwrap();
    assert!(obtained.filled && obtained.warning.is_none());
    assert_eq!(
        fs::read_to_string(obtained.dir.join("lib/libduckdb.a")).unwrap(),
        "recovered"
    );
    assert!(
        temporaries(cache.root()).is_empty(),
        "the killed build's folder was swept"
    );
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn an_unwritable_folder_falls_back_with_one_warning() {
    let dir = scratch("unwritable");
    // Below a regular file nothing can be created, whoever runs the test (even root).
    fs::write(dir.join("file"), "").unwrap();
    let unwritable = || Cache::new(dir.join("file/cache"));
    let in_target = dir.join("target/duckdb-ffi-cache");
    let last_resort = dir.join("out/engine");
    let key = key::key(DESCRIPTION);

    // As the build script sets it up: the target directory's cache takes over.
    let (cache, warning) =
        Cache::for_build(Root::Shared(dir.join("file/cache")), &dir.join("target"));
    assert_eq!(warning, None);
    let first = cache
        .obtain(&key, DESCRIPTION, REQUIRED, &last_resort, |d| {
            fake_engine(d, "fallback")
        })
        .unwrap();
    assert_eq!(first.dir, in_target.join(&key));
    assert!(first.filled);
    let warning = first.warning.expect("the user is told");
    assert_eq!(warning.lines().count(), 1, "{warning}");
    assert!(warning.contains("DUCKDB_FFI_CACHE_DIR"), "{warning}");
    assert!(
        warning.contains(&in_target.join(&key).display().to_string()),
        "{warning}"
    );
    assert_eq!(
        unwritable().health(&key, DESCRIPTION, REQUIRED),
        Health::Absent
    );
    assert!(!last_resort.exists());
    // The next build (another profile, say) links that entry.
    let second = cache
        .obtain(&key, DESCRIPTION, REQUIRED, &last_resort, never_fill)
        .unwrap();
    assert!(!second.filled && second.warning.is_some());
    assert_eq!(second.dir, first.dir);

    // Neither folder writable: the build's own folder, with one line still.
    let neither = unwritable().with_fallback(Cache::new(dir.join("file/target")));
    let obtained = neither
        .obtain(&key, DESCRIPTION, REQUIRED, &last_resort, |d| {
            fake_engine(d, "last resort")
        })
        .unwrap();
    assert_eq!(obtained.dir, last_resort);
    assert!(obtained.filled);
    assert_eq!(obtained.warning.unwrap().lines().count(), 1);
    let again = neither
        .obtain(&key, DESCRIPTION, REQUIRED, &last_resort, never_fill)
        .unwrap();
    assert!(!again.filled && again.warning.is_some());
    assert_eq!(again.dir, last_resort);

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let read_only = dir.join("read-only");
        fs::create_dir(&read_only).unwrap();
        fs::set_permissions(&read_only, fs::Permissions::from_mode(0o555)).unwrap();
        if fs::write(read_only.join("probe"), "").is_ok() {
            // Root writes anyway; the cases above cover it.
            eprintln!("permissions are not enforced for this user; skipping the 0555 case");
        } else {
            let obtained = Cache::new(&read_only)
                .obtain(&key, DESCRIPTION, REQUIRED, &dir.join("out2"), |d| {
                    fake_engine(d, "fallback")
                })
                .unwrap();
            assert_eq!(obtained.dir, dir.join("out2"));
            assert_eq!(obtained.warning.unwrap().lines().count(), 1);
        }
        fs::set_permissions(&read_only, fs::Permissions::from_mode(0o755)).unwrap();
    }
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn corrupt_entries_are_rebuilt_not_linked() {
    let dir = scratch("corrupt");
    let cache = Cache::new(dir.join("cache"));
    let key = key::key(DESCRIPTION);
    let fallback = dir.join("fallback");
    let fill = |stamp: &'static str| move |d: &Path| fake_engine(d, stamp);
    type Corrupt = fn(&Path);
    let corruptions: [(&str, Corrupt); 4] = [
        ("missing library", |entry| {
            fs::remove_file(entry.join("lib/libduckdb.a")).unwrap()
        }),
        ("mismatched KEY", |entry| {
            fs::write(entry.join("KEY"), "recipe: 1\nsources: other\n").unwrap()
        }),
        ("missing KEY", |entry| {
            fs::remove_file(entry.join("KEY")).unwrap()
        }),
        ("empty KEY", |entry| {
            fs::write(entry.join("KEY"), "").unwrap()
        }),
    ];
    cache
        .obtain(&key, DESCRIPTION, REQUIRED, &fallback, fill("first"))
        .unwrap();
    for (what, corrupt) in corruptions {
        let entry = cache.entry(&key);
        corrupt(&entry);
        fs::write(entry.join("stray"), what).unwrap();
        assert!(
            matches!(
                cache.health(&key, DESCRIPTION, REQUIRED),
                Health::Corrupt(_)
            ),
            "{what}"
        );
        let obtained = cache
            .obtain(&key, DESCRIPTION, REQUIRED, &fallback, fill("rebuilt"))
            .unwrap();
        assert!(obtained.filled, "{what}: not rebuilt");
        assert_eq!(cache.health(&key, DESCRIPTION, REQUIRED), Health::Valid);
        assert_eq!(
            fs::read_to_string(entry.join("lib/libduckdb.a")).unwrap(),
            "rebuilt"
        );
        assert!(
            !entry.join("stray").exists(),
            "{what}: the entry was patched, not replaced"
        );
        assert!(temporaries(cache.root()).is_empty(), "{what}");
    }
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_failed_fill_leaves_no_entry() {
    let dir = scratch("failed");
    let cache = Cache::new(dir.join("cache"));
    let key = key::key(DESCRIPTION);
    let fallback = dir.join("fallback");
    let error = cache
        .obtain(&key, DESCRIPTION, REQUIRED, &fallback, |d| {
            fake_engine(d, "half")?;
            Err("the compiler failed".to_string())
        })
        .unwrap_err();
    assert_eq!(error, "the compiler failed");
    // A fill that reports success but produced no library is a failure too.
    let error = cache
        .obtain(&key, DESCRIPTION, REQUIRED, &fallback, |_| Ok(()))
        .unwrap_err();
    assert!(error.contains("lib/libduckdb.a"), "{error}");
    assert_eq!(cache.health(&key, DESCRIPTION, REQUIRED), Health::Absent);
    assert!(temporaries(cache.root()).is_empty());
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn list_and_prune() {
    let dir = scratch("prune");
    let cache = Cache::new(dir.join("cache"));
    let fallback = dir.join("fallback");
    let old = "recipe: 1\nsources: old\n";
    let new = "recipe: 1\nsources: new\n";
    for description in [old, new] {
        cache
            .obtain(
                &key::key(description),
                description,
                REQUIRED,
                &fallback,
                |d| fake_engine(d, description),
            )
            .unwrap();
    }
    // The old entry was last used 40 days ago.
    let forty_days = SystemTime::now() - Duration::from_secs(40 * 86_400);
    fs::File::options()
        .write(true)
        .open(cache.root().join(format!("{}.lock", key::key(old))))
        .unwrap()
        .set_modified(forty_days)
        .unwrap();
    fs::File::options()
        .write(true)
        .open(cache.entry(&key::key(old)).join("KEY"))
        .unwrap()
        .set_modified(forty_days)
        .unwrap();
    // A build that died long ago left a temporary folder.
    fs::create_dir(cache.root().join(format!(".tmp-{}-1-2", key::key("gone")))).unwrap();

    let listed = cache.list().unwrap();
    assert_eq!(listed.len(), 3);
    let entry = listed
        .iter()
        .find(|l| l.key == key::key(old))
        .expect("the old entry is listed");
    assert_eq!(entry.description.as_deref(), Some(old));
    assert_eq!(entry.size, (old.len() * 2 + "// header\n".len()) as u64);
    assert!(
        entry
            .last_used
            .is_some_and(|t| t <= forty_days + Duration::from_secs(1))
    );
    assert!(
        listed
            .iter()
            .any(|l| l.temporary && l.description.is_none())
    );

    // A build in progress holds its temporary folder; prune leaves it alone.
    let busy_key = key::key("busy");
    let (started, release) = (mpsc::channel(), mpsc::channel::<()>());
    let (started_send, started_receive) = started;
    let (release_send, release_receive) = release;
    let builder = {
        let root = cache.root().to_path_buf();
        let busy_key = busy_key.clone();
        let fallback = fallback.clone();
        std::thread::spawn(move || {
            Cache::new(root)
                .obtain(&busy_key, "busy", REQUIRED, &fallback, |d| {
                    started_send.send(()).unwrap();
                    release_receive.recv().unwrap();
                    fake_engine(d, "busy")
                })
                .unwrap()
        })
    };
    started_receive.recv().unwrap();

    let cutoff = SystemTime::now() - cache::parse_age("30d").unwrap();
    let (removed, busy) = cache.prune(cutoff).unwrap();
    let removed: Vec<_> = removed.iter().map(|l| l.key.as_str()).collect();
    assert_eq!(removed.len(), 2, "{removed:?}");
    assert!(removed.contains(&key::key(old).as_str()));
    assert!(removed.iter().any(|k| k.starts_with(".tmp-")));
    assert_eq!(busy.len(), 1);
    assert!(busy[0].key.contains(&busy_key));
    assert!(!cache.entry(&key::key(old)).exists());
    assert_eq!(cache.health(&key::key(new), new, REQUIRED), Health::Valid);

    release_send.send(()).unwrap();
    assert!(builder.join().unwrap().filled);
    assert_eq!(cache.health(&busy_key, "busy", REQUIRED), Health::Valid);
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn ages_parse() {
    assert_eq!(
        cache::parse_age("30d"),
        Some(Duration::from_secs(30 * 86_400))
    );
    assert_eq!(
        cache::parse_age("12h"),
        Some(Duration::from_secs(12 * 3_600))
    );
    assert_eq!(cache::parse_age("5m"), Some(Duration::from_secs(300)));
    assert_eq!(cache::parse_age("7s"), Some(Duration::from_secs(7)));
    assert_eq!(cache::parse_age("30"), None);
    assert_eq!(cache::parse_age("d"), None);
    assert_eq!(cache::parse_age("3w"), None);
}
