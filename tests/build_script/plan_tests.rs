//! How the build script cuts the bundle into translation units (`build/plan.rs`) and compiles
//! them (`build/units.rs`), on a made-up bundle and with a stand-in compiler: nothing here
//! runs a C++ compiler.

use crate::scratch::scratch;
use crate::{plan, units};
use plan::{
    Cut, Estimates, GROUP_MS, KEEP_ALONE, KEEP_APART, MERGE_BELOW_MS, PCH_HEADERS, SPLIT_ABOVE_MS,
    Unit,
};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

/// Writes a source file of `bytes` bytes under `bundle`.
fn source(bundle: &Path, relative: &str, bytes: u64) -> PathBuf {
    let path = bundle.join(relative);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(&path, "x".repeat(bytes as usize)).unwrap();
    path
}

/// Writes a unity file including `members` (bundle-relative), as the bundle's `ub_` files do.
fn unity(bundle: &Path, name: &str, members: &[&str]) -> PathBuf {
    let path = bundle.join(name);
    let text: String = members
        .iter()
        .map(|m| format!("#include \"{m}\"\n"))
        .collect();
    fs::write(&path, text).unwrap();
    path
}

/// A bundle shaped like the real one: engine unity files and loose files, a unity file too
/// slow to stay whole, a slow unit, extension files and third-party files, with a table of
/// their measured times.
struct Bundle {
    root: PathBuf,
    files: Vec<PathBuf>,
    times: String,
    third_party: Vec<PathBuf>,
    slow: PathBuf,
    big_unity: PathBuf,
    big_members: Vec<PathBuf>,
    /// A small unity file named in `plan::KEEP_ALONE`.
    kept: PathBuf,
}

impl Bundle {
    fn add(&mut self, file: PathBuf, ms: u64) -> PathBuf {
        let relative = file
            .strip_prefix(&self.root)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        self.times
            .push_str(&format!("{:.3}\t{relative}\n", ms as f64 / 1000.0));
        self.files.push(file.clone());
        file
    }
}

fn bundle(name: &str) -> Bundle {
    let root = scratch(name);
    let mut b = Bundle {
        root: root.clone(),
        files: Vec::new(),
        times: "# seconds\tunit\n".into(),
        third_party: Vec::new(),
        slow: PathBuf::new(),
        big_unity: PathBuf::new(),
        big_members: Vec::new(),
        kept: PathBuf::new(),
    };
    let small = MERGE_BELOW_MS / 4;
    source(&root, "src/common/vector/v.cpp", 10);
    b.kept = b.add(
        unity(&root, KEEP_ALONE[1], &["src/common/vector/v.cpp"]),
        small,
    );
    for folder in ["catalog", "common", "parser"] {
        let a = format!("src/{folder}/a.cpp");
        let c = format!("src/{folder}/c.cpp");
        source(&root, &a, 10);
        source(&root, &c, 10);
        b.add(
            unity(&root, &format!("ub_src_{folder}.cpp"), &[&a, &c]),
            small,
        );
    }
    for n in 0..6 {
        b.add(
            source(&root, &format!("src/main/capi/f{n}.cpp"), 10),
            small / 3,
        );
    }
    b.slow = b.add(
        source(&root, "src/execution/slow.cpp", 10),
        MERGE_BELOW_MS * 2,
    );
    let big: Vec<String> = (0..4).map(|n| format!("src/planner/p{n}.cpp")).collect();
    b.big_members = big.iter().map(|m| source(&root, m, 10)).collect();
    let refs: Vec<&str> = big.iter().map(String::as_str).collect();
    b.big_unity = b.add(
        unity(&root, "ub_src_planner.cpp", &refs),
        SPLIT_ABOVE_MS + 1,
    );
    for n in 0..3 {
        b.add(
            source(&root, &format!("extension/json/j{n}.cpp"), 10),
            small,
        );
        let p = format!("extension/parquet/p{n}.cpp");
        source(&root, &p, 10);
        b.add(
            unity(&root, &format!("ub_extension_parquet_u{n}.cpp"), &[&p]),
            small,
        );
    }
    for n in 0..4 {
        let file = source(&root, &format!("third_party/zstd/z{n}.cpp"), 10);
        let file = b.add(file, small / 4);
        b.third_party.push(file);
    }
    b
}

fn plan_of(b: &Bundle, name: &str) -> Vec<Unit> {
    let dir = scratch(name);
    plan::plan(
        &b.root,
        b.files.clone(),
        &Estimates::parse(&b.times),
        Cut::Merged,
        &dir,
    )
    .unwrap()
}

/// Expands unity files to the sources they include.
fn sources_of(root: &Path, file: &Path) -> Vec<PathBuf> {
    if file
        .file_name()
        .unwrap()
        .to_string_lossy()
        .starts_with("ub_")
    {
        fs::read_to_string(file)
            .unwrap()
            .lines()
            .filter_map(|l| l.strip_prefix("#include \"")?.strip_suffix('"'))
            .map(|m| root.join(m))
            .collect()
    } else {
        vec![file.to_path_buf()]
    }
}

#[test]
fn every_source_is_compiled_exactly_once() {
    let b = bundle("once");
    let units = plan_of(&b, "once-out");
    let mut seen: BTreeMap<PathBuf, usize> = BTreeMap::new();
    for unit in &units {
        for member in &unit.members {
            for source in sources_of(&b.root, member) {
                *seen.entry(source).or_default() += 1;
            }
        }
    }
    let expected: Vec<PathBuf> = b
        .files
        .iter()
        .flat_map(|f| sources_of(&b.root, f))
        .collect();
    assert_eq!(seen.len(), expected.len(), "{seen:#?}");
    for source in expected {
        assert_eq!(seen.get(&source), Some(&1), "{}", source.display());
    }
}

#[test]
fn the_bundle_cut_compiles_each_bundle_file_as_its_own_unit() {
    let b = bundle("bundle-cut");
    let dir = scratch("bundle-cut-out");
    let units = plan::plan(
        &b.root,
        b.files.clone(),
        &Estimates::parse(&b.times),
        Cut::Bundle,
        &dir,
    )
    .unwrap();
    let files: Vec<&PathBuf> = units.iter().map(|u| &u.file).collect();
    assert_eq!(files, b.files.iter().collect::<Vec<_>>());
    assert!(units.iter().all(|u| u.members == [u.file.clone()]));
    // The same bundle is merged and split under the default cut.
    assert!(plan_of(&b, "bundle-cut-merged").len() < units.len());
    // Nothing is written for the compiler: it is given the bundle's files.
    assert!(fs::read_dir(&dir).unwrap().next().is_none());
}

#[test]
fn the_unit_setting_is_checked_and_only_a_non_default_cut_changes_the_key() {
    assert_eq!(Cut::from_setting(None), Ok(Cut::Merged));
    assert_eq!(Cut::from_setting(Some("merged")), Ok(Cut::Merged));
    assert_eq!(Cut::from_setting(Some(" bundle ")), Ok(Cut::Bundle));
    let error = Cut::from_setting(Some("Bundle")).unwrap_err();
    assert!(
        error.contains("`merged`") && error.contains("`bundle`"),
        "{error}"
    );
    assert_eq!(Cut::Merged.key_line(), None);
    assert_eq!(Cut::Bundle.key_line(), Some("units: bundle"));
}

#[test]
fn merged_units_include_their_members_and_stay_in_one_component() {
    let b = bundle("merge");
    let units = plan_of(&b, "merge-out");
    let merged: Vec<&Unit> = units.iter().filter(|u| u.members.len() > 1).collect();
    assert!(
        merged.len() >= 3,
        "engine, json and parquet files should merge"
    );
    assert!(units.len() < b.files.len(), "fewer units than files");
    for unit in merged {
        let text = fs::read_to_string(&unit.file).unwrap();
        let included: Vec<PathBuf> = text
            .lines()
            .filter_map(|l| l.strip_prefix("#include \"")?.strip_suffix('"'))
            .map(PathBuf::from)
            .collect();
        assert_eq!(included, unit.members, "{}", unit.file.display());
        let components: Vec<&str> = unit
            .members
            .iter()
            .map(|m| {
                let name = m
                    .strip_prefix(&b.root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                ["json", "parquet"]
                    .into_iter()
                    .find(|e| {
                        name.contains(&format!("extension_{e}_"))
                            || name.contains(&format!("extension/{e}/"))
                    })
                    .unwrap_or("src")
            })
            .collect();
        assert!(
            components.windows(2).all(|w| w[0] == w[1]),
            "{} mixes components: {components:?}",
            unit.file.display()
        );
        assert!(
            unit.cost < GROUP_MS + MERGE_BELOW_MS,
            "{} is too big",
            unit.file.display()
        );
    }
}

#[test]
fn third_party_files_and_slow_units_stay_alone_and_very_slow_unity_files_are_split() {
    let b = bundle("alone");
    let units = plan_of(&b, "alone-out");
    for file in &b.third_party {
        assert!(
            units
                .iter()
                .any(|u| &u.file == file && u.members == [file.clone()]),
            "{} should be its own unit",
            file.display()
        );
    }
    assert!(
        units
            .iter()
            .any(|u| u.file == b.slow && u.members == [b.slow.clone()]),
        "a unit above MERGE_BELOW_MS is compiled as it is"
    );
    assert!(
        units
            .iter()
            .any(|u| u.file == b.kept && u.members == [b.kept.clone()]),
        "a small unit named in KEEP_ALONE is not merged"
    );
    assert!(
        units.iter().all(|u| !u.members.contains(&b.big_unity)),
        "the oversized unity file is compiled in parts"
    );
    for member in &b.big_members {
        assert_eq!(
            units.iter().filter(|u| u.members.contains(member)).count(),
            1
        );
    }
}

/// The bundle files a unit's file compiles: a written file's includes, else the file.
fn compiled_members(file: &Path) -> Vec<PathBuf> {
    let text = fs::read_to_string(file).unwrap();
    if !text.starts_with("// Written by duckdb-ffi") {
        return vec![file.to_path_buf()];
    }
    text.lines()
        .filter_map(|l| l.strip_prefix("#include \"")?.strip_suffix('"'))
        .map(PathBuf::from)
        .collect()
}

#[test]
fn a_failed_merge_is_halved_until_the_colliding_files_are_apart() {
    let b = bundle("fallback");
    let out = scratch("fallback-out");
    let units = plan_of(&b, "fallback-units");
    let merged = units.iter().max_by_key(|u| u.members.len()).unwrap();
    assert!(merged.members.len() >= 4, "{merged:?}");
    // Two members that cannot share a unit (as two files defining one macro differently).
    let (first, last) = (
        merged.members[0].clone(),
        merged.members[merged.members.len() - 1].clone(),
    );
    // A stand-in compiler: refuses a unit holding both; the object lists what it compiled.
    let compile = |file: &Path, object: &Path, _pch: Option<&Path>| -> Result<(), String> {
        let members = compiled_members(file);
        if members.contains(&first) && members.contains(&last) {
            return Err(format!("{}: error: 'X' redefined", file.display()));
        }
        let list: Vec<String> = members.iter().map(|m| m.display().to_string()).collect();
        fs::write(object, list.join("\n")).map_err(|e| e.to_string())
    };
    let (objects, timings) = units::compile_all(&compile, None, &units, &out, 2).unwrap();

    // Every bundle file is compiled once, the two apart, and the rest still merged.
    let mut compiled: Vec<String> = Vec::new();
    for object in &objects {
        let text = fs::read_to_string(object).unwrap();
        let listed: Vec<&str> = text.lines().collect();
        assert!(
            !(listed.contains(&first.to_str().unwrap())
                && listed.contains(&last.to_str().unwrap())),
            "{} holds both",
            object.display()
        );
        compiled.extend(listed.iter().map(|l| l.to_string()));
    }
    let mut expected: Vec<String> = units
        .iter()
        .flat_map(|u| u.members.iter().map(|m| m.display().to_string()))
        .collect();
    compiled.sort();
    expected.sort();
    assert_eq!(compiled, expected);
    assert_eq!(
        objects.len(),
        units.len() + 1,
        "the failed unit became two halves, each compiling"
    );
    let halved: Vec<_> = timings.iter().filter(|t| !t.notes.is_empty()).collect();
    assert_eq!(halved.len(), 1);
    assert_eq!(halved[0].unit, merged.file);
    assert!(halved[0].notes[0].contains("'X' redefined"));
    let profile = units::profile(&timings, std::time::Duration::from_secs(1), 2, &b.root);
    assert_eq!(
        profile
            .lines()
            .filter(|l| l.contains("halved after"))
            .count(),
        1
    );
    assert_eq!(
        profile.lines().filter(|l| !l.starts_with('#')).count(),
        units.len()
    );
}

#[test]
fn a_single_file_that_fails_stops_the_build_with_its_error() {
    let b = bundle("failing");
    let units = plan_of(&b, "failing-units");
    let alone = b.third_party[0].clone();
    let refuse = |file: &Path, object: &Path, _pch: Option<&Path>| -> Result<(), String> {
        if file == alone {
            return Err(format!("cannot compile {}", file.display()));
        }
        fs::write(object, b"o").map_err(|e| e.to_string())
    };
    let error = units::compile_all(&refuse, None, &units, &scratch("failing-out"), 2)
        .expect_err("the build fails");
    assert!(error.contains("z0.cpp"), "{error}");
}

#[test]
fn files_kept_apart_never_share_a_unit_and_their_neighbours_still_merge() {
    let root = scratch("apart");
    let mut times = String::from("# seconds\tunit\n");
    let mut files = Vec::new();
    let small = MERGE_BELOW_MS / 10;
    // Each pair with a small neighbour on both sides, all of one component.
    for (a, b) in KEEP_APART {
        let folder = Path::new(a)
            .parent()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let before = if folder.is_empty() {
            "ub_src_common_aaa.cpp".to_string()
        } else {
            format!("{folder}/aaa.cpp")
        };
        let after = if folder.is_empty() {
            "ub_src_common_zzz.cpp".to_string()
        } else {
            format!("{folder}/zzz.cpp")
        };
        for name in [before.as_str(), a, b, after.as_str()] {
            files.push(source(&root, name, 10));
            times.push_str(&format!("{:.3}\t{name}\n", small as f64 / 1000.0));
        }
    }
    let units = plan::plan(
        &root,
        files.clone(),
        &Estimates::parse(&times),
        Cut::Merged,
        &scratch("apart-out"),
    )
    .unwrap();
    for (a, b) in KEEP_APART {
        let (a, b) = (root.join(a), root.join(b));
        assert!(
            !units
                .iter()
                .any(|u| u.members.contains(&a) && u.members.contains(&b)),
            "{} and {} share a unit",
            a.display(),
            b.display()
        );
    }
    // Everything else stays merged: two units per pair, and every file in one of them.
    assert_eq!(units.len(), 2 * KEEP_APART.len(), "{units:#?}");
    let members: usize = units.iter().map(|u| u.members.len()).sum();
    assert_eq!(members, files.len());
}

/// A re-pinned bundle that renamed these files would silently merge them again.
#[test]
fn the_files_kept_apart_exist_in_the_pinned_bundle() {
    let profile = include_str!("../../build/unit_times.tsv");
    for name in KEEP_APART.iter().flat_map(|&(a, b)| [a, b]) {
        assert!(
            profile.lines().any(|l| l.split('\t').nth(1) == Some(name)),
            "{name} is not a unit of the pinned bundle (build/unit_times.tsv)"
        );
    }
}

/// A re-pinned bundle that renamed these files would silently merge them again.
#[test]
fn the_files_kept_alone_exist_in_the_pinned_bundle() {
    let profile = include_str!("../../build/unit_times.tsv");
    for name in KEEP_ALONE {
        assert!(
            profile.lines().any(|l| l.split('\t').nth(1) == Some(name)),
            "{name} is not a unit of the pinned bundle (build/unit_times.tsv)"
        );
    }
}

#[test]
fn duckdbs_own_units_of_the_merged_cut_use_the_precompiled_headers() {
    let b = bundle("pch-plan");
    let units = plan_of(&b, "pch-plan-out");
    for unit in &units {
        let third_party = unit.members.iter().any(|m| b.third_party.contains(m));
        let expected = !third_party && unit.file != b.kept;
        assert_eq!(unit.uses_pch, expected, "{}", unit.file.display());
    }
    assert!(units.iter().any(|u| u.uses_pch && u.members.len() > 1));
    assert!(units.iter().any(|u| u.uses_pch && u.file == b.slow));
    let bundle_cut = plan::plan(
        &b.root,
        b.files.clone(),
        &Estimates::parse(&b.times),
        Cut::Bundle,
        &scratch("pch-plan-bundle"),
    )
    .unwrap();
    assert!(
        bundle_cut.iter().all(|u| !u.uses_pch),
        "the bundle cut compiles upstream's units as upstream does"
    );

    let header = plan::write_pch_header(&scratch("pch-header")).unwrap();
    let included: Vec<String> = fs::read_to_string(&header)
        .unwrap()
        .lines()
        .filter_map(|l| {
            Some(
                l.strip_prefix("#include \"")?
                    .strip_suffix('"')?
                    .to_string(),
            )
        })
        .collect();
    assert_eq!(included, PCH_HEADERS);
}

/// What the stand-in compiler saw: each compile's file, whether it used the precompiled
/// headers, and when it started and ended; and when the headers were compiled.
#[derive(Default)]
struct Log {
    compiles: Vec<(PathBuf, bool, Instant, Instant)>,
    pch: Option<(Instant, Instant)>,
}

fn logging_compile<'a>(
    log: &'a Mutex<Log>,
    refuse_with_pch: Option<PathBuf>,
) -> impl Fn(&Path, &Path, Option<&Path>) -> Result<(), String> + Sync + 'a {
    move |file: &Path, object: &Path, pch: Option<&Path>| {
        let with_pch = pch.is_some();
        let started = Instant::now();
        std::thread::sleep(std::time::Duration::from_millis(5));
        let ended = Instant::now();
        log.lock()
            .unwrap()
            .compiles
            .push((file.to_path_buf(), with_pch, started, ended));
        if with_pch && refuse_with_pch.as_deref() == Some(file) {
            return Err(format!("{}: error: 'X' was not declared", file.display()));
        }
        fs::write(object, b"o").map_err(|e| e.to_string())
    }
}

/// Compiles `units` into `out` after headers "precompiled" by `precompile`; every unit gives
/// one object.
fn compile_with_pch(
    compile: &units::CompileFile,
    precompile: &(dyn Fn(&Path) -> Result<(), String> + Sync),
    units: &[Unit],
    out: &Path,
) -> Vec<units::Timing> {
    let pch = units::Pch {
        header: out.join("duckdb_pch.hpp"),
        compile: precompile,
    };
    let (objects, timings) = units::compile_all(compile, Some(&pch), units, out, 2).unwrap();
    assert_eq!(objects.len(), units.len());
    timings
}

#[test]
fn units_using_the_precompiled_headers_wait_for_them_and_the_rest_do_not() {
    let b = bundle("pch-order");
    let units = plan_of(&b, "pch-order-units");
    let out = scratch("pch-order-out");
    let log = Mutex::new(Log::default());
    let compile = logging_compile(&log, None);
    let precompile = |_: &Path| {
        let started = Instant::now();
        std::thread::sleep(std::time::Duration::from_millis(100));
        log.lock().unwrap().pch = Some((started, Instant::now()));
        Ok(())
    };
    let timings = compile_with_pch(&compile, &precompile, &units, &out);

    let log = log.lock().unwrap();
    let (_, pch_done) = log.pch.expect("the headers were precompiled");
    assert_eq!(log.compiles.len(), units.len(), "each unit compiled once");
    for (file, with_pch, started, _) in &log.compiles {
        let unit = units.iter().find(|u| &u.file == file).unwrap();
        assert_eq!(*with_pch, unit.uses_pch, "{}", file.display());
        if *with_pch {
            assert!(*started >= pch_done, "{} started early", file.display());
        }
    }
    assert!(
        log.compiles
            .iter()
            .any(|(_, with_pch, _, ended)| !with_pch && *ended <= pch_done),
        "a unit without the headers compiled while they were precompiled"
    );
    // The header's compile is part of the profile, with its own line.
    assert_eq!(timings.len(), units.len() + 1);
    assert!(
        timings
            .iter()
            .any(|t| t.unit == out.join("duckdb_pch.hpp") && t.notes.is_empty())
    );
}

#[test]
fn a_failed_precompile_or_a_unit_failing_with_the_headers_falls_back_to_parsing_them() {
    let b = bundle("pch-fallback");
    let units = plan_of(&b, "pch-fallback-units");

    // The headers do not precompile: every unit compiles without them.
    let out = scratch("pch-fallback-out");
    let log = Mutex::new(Log::default());
    let compile = logging_compile(&log, None);
    let fail = |_: &Path| Err("duckdb_pch.hpp:1: error: no such file".to_string());
    let timings = compile_with_pch(&compile, &fail, &units, &out);
    assert!(log.lock().unwrap().compiles.iter().all(|c| !c.1));
    let profile = units::profile(&timings, std::time::Duration::from_secs(1), 2, &b.root);
    assert!(
        profile.contains("#   not precompiled, units parse the headers: duckdb_pch.hpp:1: error"),
        "{profile}"
    );

    // One unit fails with them: it alone is compiled again without, and the profile says so.
    let out = scratch("pch-fallback-out-2");
    let refused = units.iter().find(|u| u.uses_pch).unwrap().file.clone();
    let log = Mutex::new(Log::default());
    let compile = logging_compile(&log, Some(refused.clone()));
    let precompile = |_: &Path| Ok(());
    let timings = compile_with_pch(&compile, &precompile, &units, &out);
    let log = log.lock().unwrap();
    let of_refused: Vec<bool> = log
        .compiles
        .iter()
        .filter(|c| c.0 == refused)
        .map(|c| c.1)
        .collect();
    assert_eq!(of_refused, [true, false]);
    assert_eq!(log.compiles.len(), units.len() + 1);
    let noted: Vec<&units::Timing> = timings.iter().filter(|t| !t.notes.is_empty()).collect();
    assert_eq!(noted.len(), 1);
    assert_eq!(noted[0].unit, refused);
    assert!(
        noted[0].notes[0].starts_with("compiled without the precompiled headers after: ")
            && noted[0].notes[0].contains("'X' was not declared"),
        "{:?}",
        noted[0].notes
    );
}
