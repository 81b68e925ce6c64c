//! Compiling the engine from a unity-build bundle (the folder with `manifest.json`).
//!
//! One compile serves every feature set: the engine archive holds the base engine and every
//! extension duckdb-ffi offers (`COMPILED`), and the cargo features choose only which of them
//! are registered. Registration is one small generated file of the bundle
//! (`generated_extension_loader_package_build.cpp`, the only file that reads the
//! `DUCKDB_EXTENSION_<NAME>_LINKED` switches); it is compiled once per feature set into its own
//! archive, linked whole. An extension that is not registered is not referenced either, so the
//! linker leaves its code out of the program: turning a feature off or on never recompiles
//! the engine.

use crate::cache::{Cache, Root};
use crate::key;
use crate::pin::Pin;
use crate::plan;
use crate::source::{Source, io_error};
use crate::units;
use crate::{Engine, Result, cargo_var, var};
use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The extensions compiled into every engine. `core_functions` (DuckDB's everyday scalar and
/// aggregate functions) is always registered; the others follow the cargo feature of the
/// same name.
pub const COMPILED: [&str; 3] = ["core_functions", "json", "parquet"];

const LOADER_SRC: &str = "generated_extension_loader_package_build.cpp";
const AUTOREGISTER_SRC: &str = "extension/loader/static_extension_autoregister.cpp";

/// Bump when the way the engine is compiled changes in a way the key would not see.
/// 2: extensions compiled in every entry, registration split out by feature set.
/// 3: units merged, failed merges halved (`build/plan.rs`, `build/units.rs`).
/// 4: the result path's unity files kept out of merges (`plan::KEEP_ALONE`).
/// 5: DuckDB's common headers precompiled (`plan::PCH_HEADERS`); `-pipe`, GCC's heap param.
/// 6: known collisions kept apart (`plan::KEEP_APART`); a failing unit stops at its first error;
///    the optimizer's rules kept alone.
const RECIPE: u32 = 6;

pub fn resolve(manifest_dir: &Path, out_dir: &Path, pin: &Pin) -> Result<Engine> {
    let source = Source::locate(manifest_dir)?;
    let compiled = compiled();
    let debug = var("DUCKDB_FFI_ENGINE_DEBUG").is_some_and(|v| v != "0");
    let build = configure(debug);
    let sources = source.identity(pin)?;
    let compiler = compiler_identity(&build)?;
    let cut = plan::Cut::from_setting(var("DUCKDB_FFI_UNITS").as_deref())?;
    let description = key::describe(&key::Parts {
        recipe: RECIPE,
        sources: &sources,
        compiler: &compiler,
        target: &cargo_var("TARGET"),
        extensions: &compiled,
        units: cut.key_line(),
    });
    let key = key::key(&description);
    let (cache, warning) = Cache::for_build(Root::from_env(&var), &target_dir(out_dir));
    if let Some(warning) = warning {
        println!("cargo:warning={warning}");
    }
    let registration = format!("lib/lib{}.a", registration_lib(&registered()));
    let required = [
        "lib/libduckdb.a",
        registration.as_str(),
        "include/duckdb.h",
        "PROFILE",
    ];
    let started = std::time::Instant::now();
    let obtained = cache.obtain(
        &key,
        &description,
        &required,
        &out_dir.join("engine"),
        |dir| {
            // Fetched only now: a cache hit needs neither the bundle nor the network.
            let bundle = source.materialize(pin, out_dir)?;
            compile(&bundle, &build, cut, dir)
        },
    )?;
    if let Some(warning) = &obtained.warning {
        println!("cargo:warning={warning}");
    }
    if obtained.filled {
        println!(
            "cargo:warning=duckdb-ffi: compiled the DuckDB engine in {:.0?} into {} \
             (per-unit times in its PROFILE)",
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
    publish_unregistered();
    Ok(Engine {
        lib_dir,
        include_dir: entry.join("include"),
        link_static: true,
        registration: Some(registration_lib(&registered())),
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

/// [`COMPILED`] as owned names.
fn compiled() -> Vec<String> {
    COMPILED.iter().map(|s| s.to_string()).collect()
}

/// The extensions registered in this build: `core_functions` and those whose feature is on.
pub fn registered() -> Vec<String> {
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

/// Tells the crate which compiled extensions this build leaves unregistered, so that its
/// errors can name the feature that would register them (`src/safe/error.rs`).
pub fn publish_unregistered() {
    let registered = registered();
    let unregistered: Vec<&str> = COMPILED
        .into_iter()
        .filter(|e| !registered.iter().any(|r| r == e))
        .collect();
    println!(
        "cargo:rustc-env=DUCKDB_FFI_UNREGISTERED_EXTENSIONS={}",
        unregistered.join(",")
    );
}

/// The archive that registers `extensions` (linked whole: nothing refers to it), e.g.
/// `duckdb_ffi_ext_json_parquet`.
pub fn registration_lib(extensions: &[String]) -> String {
    let mut name = "duckdb_ffi_ext".to_string();
    for extension in extensions.iter().filter(|e| *e != "core_functions") {
        name.push('_');
        name.push_str(extension);
    }
    name
}

/// Compiler settings shared by every engine file; they are part of the cache key.
fn configure(debug: bool) -> cc::Build {
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
                    "the bundle has no `{name}` extension, which every duckdb-ffi engine \
                     compiles; use a bundle that ships it (the pinned one does)"
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

fn compile(bundle: &Path, build: &cc::Build, cut: plan::Cut, entry: &Path) -> Result<()> {
    let manifest = Manifest::read(bundle, &compiled())?;
    let objects = entry.join("obj");
    let lib_dir = entry.join("lib");
    let include_dir = entry.join("include");
    for dir in [&objects, &lib_dir, &include_dir] {
        fs::create_dir_all(dir).map_err(|e| io_error(dir, e))?;
    }

    let apart = [bundle.join(AUTOREGISTER_SRC), bundle.join(LOADER_SRC)];
    let files: Vec<PathBuf> = manifest
        .files
        .into_iter()
        .filter(|f| !apart.contains(f))
        .collect();
    let units = plan::plan(bundle, files, &plan::Estimates::pinned(), cut, &objects)?;

    let mut engine = build.clone();
    engine.include(bundle).includes(&manifest.include_dirs);
    let compiler = engine
        .try_get_compiler()
        .map_err(|e| format!("no C++ compiler found ({e}); install g++ or clang++, or set CXX"))?;
    let started = std::time::Instant::now();
    let jobs = jobs();
    // GCC reads `<header>.gch` in place of a header named by `-include`; with other compilers
    // every unit parses DuckDB's headers itself, as in upstream's build.
    let pch_header = (is_gcc(&compiler) && units.iter().any(|u| u.uses_pch))
        .then(|| plan::write_pch_header(&objects))
        .transpose()?;
    let precompile = |header: &Path| precompile_header(&compiler, header);
    let pch = pch_header.map(|header| units::Pch {
        header,
        compile: &precompile,
    });
    let compile_one =
        |file: &Path, object: &Path, pch: Option<&Path>| compile_file(&compiler, file, object, pch);
    let (objs, timings) = units::compile_all(&compile_one, pch.as_ref(), &units, &objects, jobs)?;
    let wall = started.elapsed();
    archive(build, &lib_dir, "duckdb", &objs)?;
    let profile = entry.join("PROFILE");
    fs::write(&profile, units::profile(&timings, wall, jobs, bundle))
        .map_err(|e| io_error(&profile, e))?;

    // One registration archive per feature set: core_functions plus any subset of the rest.
    let optional: Vec<&str> = COMPILED[1..].to_vec();
    for mask in 0..(1u32 << optional.len()) {
        let mut set = vec!["core_functions".to_string()];
        set.extend(
            (0..optional.len())
                .filter(|bit| mask & (1 << bit) != 0)
                .map(|bit| optional[bit].to_string()),
        );
        set.sort();
        register(&engine, &compiler, &objects, &lib_dir, &set)?;
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

/// Compiles the archive that registers `set` before `main`: the bundle's loader with the
/// set's switches, and its constructor. The constructor file has no global symbol of its own;
/// the wrapper adds one so archive tools do not warn about an empty symbol table.
fn register(
    engine: &cc::Build,
    compiler: &cc::Tool,
    objects: &Path,
    lib_dir: &Path,
    set: &[String],
) -> Result<()> {
    let name = registration_lib(set);
    let wrapper = objects.join(format!("{name}.cpp"));
    let mut text = String::from("// Written by duckdb-ffi's build script.\n");
    for extension in COMPILED {
        let on = set.iter().any(|e| e == extension);
        text.push_str(&format!(
            "#define DUCKDB_EXTENSION_{}_LINKED {}\n",
            extension.to_uppercase(),
            u8::from(on)
        ));
    }
    text.push_str(&format!(
        "#include \"{LOADER_SRC}\"\n#include \"{AUTOREGISTER_SRC}\"\n\
         extern \"C\" const int {name}_linked = 1;\n"
    ));
    fs::write(&wrapper, text).map_err(|e| io_error(&wrapper, e))?;
    let object = objects.join(format!("{name}.o"));
    compile_file(compiler, &wrapper, &object, None)
        .map_err(|e| format!("compiling the extension registration failed: {e}"))?;
    archive(engine, lib_dir, &name, &[object])
}

/// Writes `lib<name>.a` (or `<name>.lib`) into `lib_dir` from `objects`.
fn archive(build: &cc::Build, lib_dir: &Path, name: &str, objects: &[PathBuf]) -> Result<()> {
    build
        .clone()
        .out_dir(lib_dir)
        .try_create_archive(name, objects)
        .map(drop)
        .map_err(|e| format!("archiving {name} failed: {e}"))
}

/// Parallel compiler processes: cargo's job count (`-j`, default: the number of cores).
fn jobs() -> usize {
    std::env::var("NUM_JOBS")
        .ok()
        .and_then(|n| n.parse().ok())
        .or_else(|| std::thread::available_parallelism().ok().map(|n| n.get()))
        .unwrap_or(1)
}

/// Compiles one file to one object with the shared compiler settings, after the precompiled
/// `pch` header when given.
fn compile_file(compiler: &cc::Tool, file: &Path, object: &Path, pch: Option<&Path>) -> Result<()> {
    let mut command = compiler_command(compiler);
    if compiler.is_like_msvc() {
        command
            .arg("/c")
            .arg(file)
            .arg(format!("/Fo{}", object.display()));
    } else {
        if let Some(header) = pch {
            command.arg("-include").arg(header);
        }
        command.arg("-c").arg(file).arg("-o").arg(object);
    }
    run(compiler, command, &format!("DuckDB's {}", file.display()))
}

/// Precompiles `header` into `<header>.gch` with the shared compiler settings (GCC).
fn precompile_header(compiler: &cc::Tool, header: &Path) -> Result<()> {
    let mut gch = header.as_os_str().to_owned();
    gch.push(".gch");
    let mut command = compiler_command(compiler);
    command
        .arg("-x")
        .arg("c++-header")
        .arg(header)
        .arg("-o")
        .arg(gch);
    run(
        compiler,
        command,
        &format!("the precompiled header {}", header.display()),
    )
}

fn is_gcc(compiler: &cc::Tool) -> bool {
    compiler.is_like_gnu() && !compiler.is_like_clang()
}

/// The compiler with the shared settings, plus options that change only how fast it compiles.
fn compiler_command(compiler: &cc::Tool) -> Command {
    let mut command = compiler.to_command();
    if !compiler.is_like_msvc() {
        // The assembly of a large unit goes to the assembler without a temporary file; a unit
        // that fails (a merge that collides) stops at its first error instead of parsing on.
        command.arg("-pipe").arg("-Wfatal-errors");
    }
    if is_gcc(compiler) {
        // GCC collects its garbage from 128 MB of heap on; a DuckDB unit allocates 2 to 3 GB,
        // and the collections took 7 % of its compile. From 1 GB on they are few, a compiler
        // peaks about 0.3 GB higher, and the object file is byte for byte the same.
        command.arg("--param").arg("ggc-min-heapsize=1048576");
    }
    command
}

fn run(compiler: &cc::Tool, mut command: Command, what: &str) -> Result<()> {
    let output = command.output().map_err(|e| {
        format!(
            "could not run the C++ compiler `{}` ({e}); install g++ or clang++, or set CXX",
            compiler.path().display()
        )
    })?;
    if output.status.success() {
        return Ok(());
    }
    let mut stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    stderr.push_str(&String::from_utf8_lossy(&output.stdout));
    // Keep the message readable: the first errors say what went wrong.
    let head: String = stderr.lines().take(40).collect::<Vec<_>>().join("\n");
    Err(format!(
        "compiling {what} failed ({}):\n{head}",
        output.status
    ))
}
