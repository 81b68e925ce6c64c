//! How the bundle's source files are cut into translation units.
//!
//! Much of a small DuckDB file's compile is parsing DuckDB's headers: on the pinned bundle,
//! four files of `src/main/capi/v1` took 33 s one by one and 10 s as one unit. The bundle
//! groups a folder's files into one unity file (`ub_*.cpp`) but still has 377 units, half of
//! them under 8 s, each paying that parse again. The plan merges neighbouring small DuckDB
//! units of one component (the engine's `src/`, or one extension) so that parsing is paid
//! fewer times, and would split a unit so slow that it would keep one core busy alone at the
//! end (none in the pinned bundle: its slowest unit takes 105 s of a 15-minute build).
//!
//! DuckDB's code is written to be compiled this way (upstream ships unity builds and once
//! shipped the whole engine as one file); a merged unit that still fails to compile is
//! compiled file by file (`units::compile_all`). Third-party libraries (compression, regex,
//! TLS) are left alone: their files are cheap to parse and free to reuse file-local names.
//!
//! Estimates come from `unit_times.tsv`, the measured profile of the pinned bundle; a file it
//! does not list (another bundle) is estimated from its size.
//!
//! Merging changes what GCC inlines. Its `inline-unit-growth` limit caps how much inlining may
//! grow a unit (by 40 %), and nearly every DuckDB unity file reaches it alone; a merged unit
//! shares one cap among its members, so some calls inlined in the bundle's own units are no
//! longer inlined, and others are. `DUCKDB_FFI_UNITS=bundle` ([`Cut::Bundle`]) compiles the
//! bundle's own units for an engine whose inlining matches upstream's.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

/// One translation unit: a source file of the bundle, or a file written by the build that
/// includes several of them.
#[derive(Clone, Debug)]
pub struct Unit {
    /// The file given to the compiler.
    pub file: PathBuf,
    /// The bundle files it holds; more than one for a merged unit.
    pub members: Vec<PathBuf>,
    /// Estimated compile time in milliseconds, for scheduling (slowest first).
    pub cost: u64,
    /// Compiled after the precompiled [`PCH_HEADERS`] (DuckDB's own code, merged cut only).
    pub uses_pch: bool,
}

impl Unit {
    /// A bundle file compiled as it is.
    fn alone(file: PathBuf, cost: u64, uses_pch: bool) -> Unit {
        Unit {
            members: vec![file.clone()],
            file,
            cost,
            uses_pch,
        }
    }
}

/// How the bundle is cut into units: `DUCKDB_FFI_UNITS`, part of the cache key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cut {
    /// Neighbouring small units merged (the default): about three quarters of the compile time.
    Merged,
    /// The bundle's own units, as upstream compiles them.
    Bundle,
}

impl Cut {
    /// The cut named by the value of `DUCKDB_FFI_UNITS` (unset or empty: the default).
    pub fn from_setting(value: Option<&str>) -> Result<Cut, String> {
        match value.map(str::trim) {
            None | Some("") | Some("merged") => Ok(Cut::Merged),
            Some("bundle") => Ok(Cut::Bundle),
            Some(other) => Err(format!(
                "DUCKDB_FFI_UNITS is `{other}`; use `merged` (the default) or `bundle` (the \
                 bundle's own translation units)"
            )),
        }
    }

    /// The line this cut adds to the cache key. The default adds none, so the keys of entries
    /// compiled before the choice existed still match.
    pub fn key_line(self) -> Option<&'static str> {
        match self {
            Cut::Merged => None,
            Cut::Bundle => Some("units: bundle"),
        }
    }
}

/// Units estimated under this are merged with their neighbours.
pub const MERGE_BELOW_MS: u64 = 60_000;
/// A merged unit collects members until their estimates add up to this. The unit takes less,
/// since the members' headers are parsed once.
pub const GROUP_MS: u64 = 130_000;
/// A unity file estimated above this is compiled in parts.
pub const SPLIT_ABOVE_MS: u64 = 180_000;

/// Unity files compiled alone, as upstream compiles them (never merged, no precompiled
/// headers), so they keep the inlining of upstream's build:
/// - vectors, and the column data collection that holds a materialized result: every query
///   result passes through them. Merged, `ColumnDataCopy<string_t>` stopped inlining
///   `StringHeap::CreateEmptyStringInHeap` and `string_t::Finalize`, and a 10M-row string scan
///   ran 1.3 % more instructions;
/// - the optimizer's rules: their constructors fill sets of function names for every query
///   planned. Merged, the set's insert became a call and planning `SELECT 42` ran 1 to 2 % more
///   instructions.
pub const KEEP_ALONE: [&str; 3] = [
    "ub_src_common_types_column.cpp",
    "ub_src_common_vector.cpp",
    "ub_src_optimizer_rule.cpp",
];

/// Pairs of bundle files that cannot share a unit. The merge keeps them apart instead of
/// learning it from a failed compile, which costs the merged unit's whole parse each time it is
/// halved. Both parquet files include `lz4.hpp`, whose C++ part has no include guard; the
/// allocator's unity file includes `<sys/mman.h>`, which defines `MAP_TYPE`, a template
/// parameter's name in `nested_functions.hpp`, which the multi-file unity file includes.
pub const KEEP_APART: [(&str, &str); 2] = [
    (
        "extension/parquet/column_reader.cpp",
        "extension/parquet/column_writer.cpp",
    ),
    (
        "ub_src_common_allocator.cpp",
        "ub_src_common_multi_file.cpp",
    ),
];

/// DuckDB headers precompiled once (GCC) and read before every unit of DuckDB's own code: the
/// 30 that the engine's sources include most often in the pinned bundle. Parsing them takes
/// about 5 s of CPU, reading them precompiled 1.5 s. The header only adds declarations a unit
/// would otherwise reach later: DuckDB's headers are guarded and compile in any order, as its
/// unity files already require.
pub const PCH_HEADERS: [&str; 30] = [
    "duckdb/main/client_context.hpp",
    "duckdb/common/string_util.hpp",
    "duckdb/common/exception.hpp",
    "duckdb/planner/binder.hpp",
    "duckdb/catalog/catalog.hpp",
    "duckdb/planner/expression/bound_function_expression.hpp",
    "duckdb/planner/expression/bound_constant_expression.hpp",
    "duckdb/main/settings.hpp",
    "duckdb/common/vector/flat_vector.hpp",
    "duckdb/planner/expression/bound_columnref_expression.hpp",
    "duckdb/main/database.hpp",
    "duckdb/execution/expression_executor.hpp",
    "duckdb/main/config.hpp",
    "duckdb/planner/expression_iterator.hpp",
    "duckdb/common/serializer/serializer.hpp",
    "duckdb/common/serializer/deserializer.hpp",
    "duckdb/catalog/catalog_entry/table_catalog_entry.hpp",
    "duckdb/planner/expression/bound_reference_expression.hpp",
    "duckdb/parser/expression/columnref_expression.hpp",
    "duckdb/planner/expression/bound_cast_expression.hpp",
    "duckdb/common/vector_operations/vector_operations.hpp",
    "duckdb/execution/physical_plan_generator.hpp",
    "duckdb/planner/expression/bound_comparison_expression.hpp",
    "duckdb/common/enum_util.hpp",
    "duckdb/parser/expression/constant_expression.hpp",
    "duckdb/planner/operator/logical_get.hpp",
    "duckdb/common/vector/struct_vector.hpp",
    "duckdb/storage/buffer_manager.hpp",
    "duckdb/planner/operator/logical_projection.hpp",
    "duckdb/parser/query_node/select_node.hpp",
];

/// Measured seconds per bundle file, `<seconds>\t<bundle-relative path>` per line.
const MEASURED: &str = include_str!("unit_times.tsv");

/// Estimated compile milliseconds of bundle files.
pub struct Estimates {
    measured: HashMap<String, u64>,
}

impl Estimates {
    pub fn pinned() -> Estimates {
        Estimates::parse(MEASURED)
    }

    pub fn parse(table: &str) -> Estimates {
        let measured = table
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| {
                let (seconds, path) = l.split_once('\t')?;
                let ms = (seconds.trim().parse::<f64>().ok()? * 1000.0) as u64;
                Some((path.trim().to_string(), ms))
            })
            .collect();
        Estimates { measured }
    }

    /// The measured time of `file`, else an estimate from its size (a unity file's size is
    /// its members').
    pub fn of(&self, bundle: &Path, file: &Path) -> u64 {
        if let Some(ms) = self.measured.get(&relative(bundle, file)) {
            return *ms;
        }
        let bytes: u64 = match unity_members(file) {
            Some(members) => members
                .iter()
                .map(|m| fs::metadata(bundle.join(m)).map_or(0, |m| m.len()))
                .sum(),
            None => fs::metadata(file).map_or(0, |m| m.len()),
        };
        // About the pinned bundle's median: a few seconds of headers, then ~25 KB a second.
        5_000 + bytes / 25
    }
}

fn relative(bundle: &Path, file: &Path) -> String {
    file.strip_prefix(bundle)
        .unwrap_or(file)
        .to_string_lossy()
        .replace('\\', "/")
}

/// The component a bundle file belongs to, for merging: `None` for files kept alone.
fn component(bundle: &Path, file: &Path) -> Option<String> {
    let relative = relative(bundle, file);
    let name = relative.rsplit('/').next()?;
    if let Some(rest) = name.strip_prefix("ub_") {
        // ub_src_… or ub_extension_<name>_…
        if rest.starts_with("src_") {
            return Some("src".into());
        }
        let extension = rest.strip_prefix("extension_")?;
        return ["core_functions", "json", "parquet"]
            .iter()
            .find(|e| extension.starts_with(&format!("{e}_")))
            .map(|e| e.to_string());
    }
    if relative.starts_with("src/") {
        return Some("src".into());
    }
    let mut parts = relative.split('/');
    match (parts.next(), parts.next()) {
        (Some("extension"), Some(e)) if e != "loader" => Some(e.to_string()),
        _ => None,
    }
}

/// The files a unity file includes (bundle-relative), or `None` for a plain source file.
fn unity_members(file: &Path) -> Option<Vec<String>> {
    let name = file.file_name()?.to_string_lossy().into_owned();
    if !name.starts_with("ub_") {
        return None;
    }
    let text = fs::read_to_string(file).ok()?;
    Some(
        text.lines()
            .filter_map(|l| l.trim().strip_prefix("#include \"")?.strip_suffix('"'))
            .map(str::to_string)
            .collect(),
    )
}

/// Cuts `files` into units; merged and split units are written into `dir`.
pub fn plan(
    bundle: &Path,
    files: Vec<PathBuf>,
    estimates: &Estimates,
    cut: Cut,
    dir: &Path,
) -> Result<Vec<Unit>, String> {
    // Small units to merge: (component, path, estimate).
    let mut small: Vec<(String, PathBuf, u64)> = Vec::new();
    let mut units = Vec::new();
    for file in files {
        let cost = estimates.of(bundle, &file);
        let kept = file
            .file_name()
            .is_some_and(|n| KEEP_ALONE.iter().any(|k| n == *k));
        if cut == Cut::Bundle || kept {
            units.push(Unit::alone(file, cost, false));
            continue;
        }
        let Some(component) = component(bundle, &file) else {
            units.push(Unit::alone(file, cost, false));
            continue;
        };
        if cost < MERGE_BELOW_MS {
            small.push((component, file, cost));
            continue;
        }
        match unity_members(&file).filter(|m| cost > SPLIT_ABOVE_MS && m.len() > 1) {
            Some(members) => {
                let half = members.len() / 2;
                for (n, part) in [&members[..half], &members[half..]].into_iter().enumerate() {
                    let paths: Vec<PathBuf> = part.iter().map(|m| bundle.join(m)).collect();
                    let name = format!("split_{}_{n}.cpp", stem(&file));
                    units.push(write_unit(dir, &name, paths, cost / 2)?);
                }
            }
            None => units.push(Unit::alone(file, cost, true)),
        }
    }
    // Neighbouring folders share most headers: merge in path order, within a component.
    small.sort();
    let mut group: Vec<PathBuf> = Vec::new();
    let mut group_cost = 0;
    for (i, (component, path, cost)) in small.iter().enumerate() {
        group.push(path.clone());
        group_cost += cost;
        // The group ends when it is big enough, at its component's end, or before a file
        // that must not join one of its members.
        let ends = group_cost >= GROUP_MS
            || small.get(i + 1).is_none_or(|(next_component, next, _)| {
                next_component != component
                    || group.iter().any(|member| kept_apart(bundle, member, next))
            });
        if ends {
            let members = std::mem::take(&mut group);
            units.push(group_unit(
                dir,
                component,
                members,
                group_cost,
                units.len(),
            )?);
            group_cost = 0;
        }
    }
    Ok(units)
}

/// Whether `a` and `b` are a pair of [`KEEP_APART`].
fn kept_apart(bundle: &Path, a: &Path, b: &Path) -> bool {
    let (a, b) = (relative(bundle, a), relative(bundle, b));
    KEEP_APART
        .iter()
        .any(|&(x, y)| (a == x && b == y) || (a == y && b == x))
}

/// The unit of a merge group: its only file, or a merged file written into `dir`.
fn group_unit(
    dir: &Path,
    component: &str,
    members: Vec<PathBuf>,
    cost: u64,
    index: usize,
) -> Result<Unit, String> {
    match <[PathBuf; 1]>::try_from(members) {
        Ok([file]) => Ok(Unit::alone(file, cost, true)),
        Err(members) => write_unit(
            dir,
            &format!("merged_{component}_{index:03}.cpp"),
            members,
            cost,
        ),
    }
}

fn stem(file: &Path) -> String {
    file.file_stem()
        .map_or_else(|| "unit".into(), |s| s.to_string_lossy().into_owned())
}

/// Writes `dir/name`, a file that includes each of `members` (DuckDB's own files, so the unit
/// uses the precompiled headers).
pub fn write_unit(
    dir: &Path,
    name: &str,
    members: Vec<PathBuf>,
    cost: u64,
) -> Result<Unit, String> {
    let file = dir.join(name);
    write_includes(
        &file,
        members
            .iter()
            .map(|m| m.to_string_lossy().replace('\\', "/")),
    )?;
    Ok(Unit {
        file,
        members,
        cost,
        uses_pch: true,
    })
}

/// Writes `dir/duckdb_pch.hpp`, which includes [`PCH_HEADERS`]; compiled once, it is read
/// before every unit that [uses it](Unit::uses_pch).
pub fn write_pch_header(dir: &Path) -> Result<PathBuf, String> {
    let file = dir.join("duckdb_pch.hpp");
    write_includes(&file, PCH_HEADERS.iter().map(|h| h.to_string()))?;
    Ok(file)
}

/// Writes `file`: one `#include` line for each of `includes`.
fn write_includes(file: &Path, includes: impl Iterator<Item = String>) -> Result<(), String> {
    let mut text = String::from("// Written by duckdb-ffi's build script (build/plan.rs).\n");
    for include in includes {
        text.push_str(&format!("#include \"{include}\"\n"));
    }
    fs::write(file, text).map_err(|e| format!("cannot write {}: {e}", file.display()))
}
