//! Compiling the engine from a unity-build bundle (the folder with `manifest.json`).

use crate::cache::{Cache, Root};
use crate::key;
use crate::pin::Pin;
use crate::source::{Source, io_error};
use crate::{Engine, Result, cargo_var, var};
use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

/// The archive holding only the static-extension registration constructor. Nothing refers
/// to it, so it is linked whole; it is kept apart so the engine itself is not.
pub const AUTOREGISTER_LIB: &str = "duckdb_ffi_autoregister";
const AUTOREGISTER_SRC: &str = "extension/loader/static_extension_autoregister.cpp";

/// Bump when the way the engine is compiled changes in a way the key would not see.
const RECIPE: u32 = 1;

pub fn resolve(manifest_dir: &Path, out_dir: &Path, pin: &Pin) -> Result<Engine> {
    let source = Source::locate(manifest_dir)?;
    let extensions = extensions();
    let debug = var("DUCKDB_FFI_ENGINE_DEBUG").is_some_and(|v| v != "0");
    let build = configure(debug, &extensions);
    let sources = source.identity(pin)?;
    let compiler = compiler_identity(&build)?;
    let description = key::describe(&key::Parts {
        recipe: RECIPE,
        sources: &sources,
        compiler: &compiler,
        target: &cargo_var("TARGET"),
        extensions: &extensions,
    });
    let key = key::key(&description);
    let (cache, warning) = Cache::for_build(Root::from_env(&var), &target_dir(out_dir));
    if let Some(warning) = warning {
        println!("cargo:warning={warning}");
    }
    let autoregister = format!("lib/lib{AUTOREGISTER_LIB}.a");
    let required = ["lib/libduckdb.a", autoregister.as_str(), "include/duckdb.h"];
    let started = std::time::Instant::now();
    let obtained = cache.obtain(
        &key,
        &description,
        &required,
        &out_dir.join("engine"),
        |dir| {
            // Fetched only now: a cache hit needs neither the bundle nor the network.
            let bundle = source.materialize(pin, out_dir)?;
            compile(&bundle, &build, &extensions, dir)
        },
    )?;
    if let Some(warning) = &obtained.warning {
        println!("cargo:warning={warning}");
    }
    if obtained.filled {
        println!(
            "cargo:warning=duckdb-ffi: compiled the DuckDB engine in {:.0?} into {}",
            started.elapsed(),
            obtained.dir.display()
        );
    } else if obtained.waited {
        println!(
            "cargo:warning=duckdb-ffi: waited {:.0?} for another build to compile the engine \
             into {}",
            started.elapsed(),
            obtained.dir.display()
        );
    }
    let entry = obtained.dir;
    let lib_dir = entry.join("lib");
    // If the entry is deleted, rerun and rebuild it rather than fail at link time.
    println!(
        "cargo:rerun-if-changed={}",
        lib_dir.join("libduckdb.a").display()
    );
    Ok(Engine {
        lib_dir,
        include_dir: entry.join("include"),
        link_static: true,
        autoregister: true,
    })
}

/// The cargo target directory: the nearest ancestor of OUT_DIR that cargo tagged.
fn target_dir(out_dir: &Path) -> PathBuf {
    out_dir
        .ancestors()
        .find(|dir| dir.join("CACHEDIR.TAG").is_file())
        .or_else(|| out_dir.ancestors().nth(3))
        .unwrap_or(out_dir)
        .to_path_buf()
}

/// `core_functions` always (DuckDB's everyday scalar and aggregate functions live there);
/// the others by cargo feature.
fn extensions() -> Vec<String> {
    let mut list = vec!["core_functions".to_string()];
    for (feature, name) in [
        ("CARGO_FEATURE_JSON", "json"),
        ("CARGO_FEATURE_PARQUET", "parquet"),
    ] {
        if std::env::var_os(feature).is_some() {
            list.push(name.to_string());
        }
    }
    list.sort();
    list
}

/// Compiler settings shared by every engine file; they are part of the cache key.
fn configure(debug: bool, extensions: &[String]) -> cc::Build {
    let mut build = cc::Build::new();
    // The engine is optimised whatever the Rust profile: a debug engine makes every test
    // several times slower. DUCKDB_FFI_ENGINE_DEBUG=1 builds DuckDB's own debug mode.
    build
        .cpp(true)
        .cargo_metadata(false)
        .warnings(false)
        .debug(debug)
        .opt_level(if debug { 0 } else { 3 })
        .define(if debug { "DEBUG" } else { "NDEBUG" }, None);
    if build.get_compiler().is_like_msvc() {
        build
            .flag("/std:c++17")
            .flag("/EHsc")
            .flag("/bigobj")
            .flag("/utf-8");
    } else {
        build.flag("-std=c++17").flag("-w");
    }
    for extension in extensions {
        let define = format!("DUCKDB_EXTENSION_{}_LINKED", extension.to_uppercase());
        build.define(&define, "1");
    }
    build
}

/// Path, version and arguments of the C++ compiler; fails if there is none.
fn compiler_identity(build: &cc::Build) -> Result<String> {
    let tool = build
        .try_get_compiler()
        .map_err(|e| format!("no C++ compiler found ({e}); install g++ or clang++, or set CXX"))?;
    let version = std::process::Command::new(tool.path())
        .arg("--version")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .next()
                .unwrap_or("")
                .to_string()
        })
        .ok_or_else(|| {
            format!(
                "the C++ compiler `{}` does not run; install a C++17 compiler (g++ or clang++) \
                 or set CXX to one",
                tool.path().display()
            )
        })?;
    let args: Vec<_> = tool
        .args()
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    Ok(format!(
        "compiler: {}\ncompiler-version: {version}\nflags: {}",
        tool.path().display(),
        args.join(" ")
    ))
}

/// File lists and include folders of the base engine and the chosen extensions.
struct Manifest {
    files: Vec<PathBuf>,
    include_dirs: Vec<PathBuf>,
}

impl Manifest {
    fn read(bundle: &Path, extensions: &[String]) -> Result<Manifest> {
        let path = bundle.join("manifest.json");
        let text = fs::read_to_string(&path).map_err(|e| io_error(&path, e))?;
        let json: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
            format!(
                "{} is not valid JSON ({e}); unpack the bundle again",
                path.display()
            )
        })?;
        let mut sections = vec![&json["base"]];
        for name in extensions {
            let section = &json["extensions"][name.as_str()];
            if section.is_null() {
                return Err(format!(
                    "the bundle has no `{name}` extension; disable the `{name}` feature or use a \
                     bundle that ships it"
                ));
            }
            sections.push(section);
        }
        let list = |key: &str| -> BTreeSet<String> {
            sections
                .iter()
                .flat_map(|s| s[key].as_array().into_iter().flatten())
                .filter_map(|v| v.as_str())
                // File paths are written relative to the bundle's parent (`duckdb/...`).
                .map(|p| p.strip_prefix("duckdb/").unwrap_or(p).to_string())
                .collect()
        };
        let files = list("cpp_files")
            .into_iter()
            .map(|f| bundle.join(f))
            .collect();
        let include_dirs = list("include_dirs")
            .into_iter()
            .map(|d| bundle.join(d))
            .collect();
        Ok(Manifest {
            files,
            include_dirs,
        })
    }
}

/// Estimated compile cost: a unity file costs what it includes.
fn cost(bundle: &Path, file: &Path) -> u64 {
    let size = |p: &Path| fs::metadata(p).map_or(0, |m| m.len());
    let is_unity = file
        .file_name()
        .is_some_and(|n| n.to_string_lossy().starts_with("ub_"));
    if !is_unity {
        return size(file);
    }
    fs::read_to_string(file)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.strip_prefix("#include \"")?.strip_suffix('"'))
        .map(|inc| size(&bundle.join(inc)))
        .sum()
}

fn compile(bundle: &Path, build: &cc::Build, extensions: &[String], entry: &Path) -> Result<()> {
    let manifest = Manifest::read(bundle, extensions)?;
    let objects = entry.join("obj");
    let lib_dir = entry.join("lib");
    let include_dir = entry.join("include");
    for dir in [&objects, &lib_dir, &include_dir] {
        fs::create_dir_all(dir).map_err(|e| io_error(dir, e))?;
    }

    let autoregister = bundle.join(AUTOREGISTER_SRC);
    let mut files: Vec<_> = manifest
        .files
        .into_iter()
        .filter(|f| *f != autoregister)
        .collect();
    // Longest first (ties by name, so the order is deterministic): with a few cores the build
    // then ends with small files in flight rather than one huge unity file alone.
    files.sort_by_cached_key(|f| (std::cmp::Reverse(cost(bundle, f)), f.clone()));

    let mut engine = build.clone();
    engine
        .include(bundle)
        .includes(&manifest.include_dirs)
        .files(&files)
        .out_dir(&objects);
    engine.try_compile("duckdb").map_err(|e| {
        format!("compiling DuckDB failed: {e}; make sure a C++17 compiler is installed")
    })?;

    // The upstream constructor file has no global symbol; a wrapper adds one so archive
    // tools do not warn about an empty symbol table.
    let wrapper = objects.join("autoregister.cpp");
    let wrapper_text = format!(
        "// Written by duckdb-ffi's build script.\n#include \"{AUTOREGISTER_SRC}\"\n\
         extern \"C\" const int duckdb_ffi_autoregister_linked = 1;\n"
    );
    fs::write(&wrapper, wrapper_text).map_err(|e| io_error(&wrapper, e))?;
    let mut registration = build.clone();
    registration
        .include(bundle)
        .file(&wrapper)
        .out_dir(&objects);
    registration
        .try_compile(AUTOREGISTER_LIB)
        .map_err(|e| format!("compiling the extension registration failed: {e}"))?;

    for lib in ["duckdb".to_string(), AUTOREGISTER_LIB.to_string()] {
        let name = format!("lib{lib}.a");
        fs::rename(objects.join(&name), lib_dir.join(&name)).map_err(|e| io_error(&lib_dir, e))?;
    }
    // The C headers (duckdb.h and friends) for bindgen and for C-interop dependents.
    let headers = bundle.join("src/include");
    for header in fs::read_dir(&headers).map_err(|e| io_error(&headers, e))? {
        let path = header.map_err(|e| io_error(&headers, e))?.path();
        if path.extension().is_some_and(|e| e == "h") {
            let to = include_dir.join(path.file_name().expect("a file name"));
            fs::copy(&path, &to).map_err(|e| io_error(&to, e))?;
        }
    }
    fs::remove_dir_all(&objects).map_err(|e| io_error(&objects, e))
}
