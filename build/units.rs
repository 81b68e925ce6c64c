//! Compiling the engine's translation units in parallel, timing each one.
//!
//! The build drives the compiler itself rather than through `cc::Build::compile` so that it
//! can time every unit (the profile each cache entry keeps as `PROFILE`) and so that a unit
//! which merges several source files can fall back to compiling them one by one.

use crate::plan::{self, Unit};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// How long one unit took, and the first error of each merged part that failed and was
/// halved.
#[derive(Debug)]
pub struct Timing {
    pub unit: PathBuf,
    pub members: Vec<PathBuf>,
    pub cost: u64,
    pub elapsed: Duration,
    pub collisions: Vec<String>,
}

/// Compiles one source file to one object file.
pub type CompileFile<'a> = dyn Fn(&Path, &Path) -> Result<(), String> + Sync + 'a;

/// Compiles `units` (longest first) on `jobs` threads into `objects`; returns the object
/// files and the timings. A merged unit that fails is halved until its parts compile
/// (`compile_merged`); a single file that fails stops the build with the compiler's output.
pub fn compile_all(
    compile: &CompileFile,
    units: &[Unit],
    objects: &Path,
    jobs: usize,
) -> Result<(Vec<PathBuf>, Vec<Timing>), String> {
    let mut order: Vec<usize> = (0..units.len()).collect();
    order.sort_by_key(|&i| (std::cmp::Reverse(units[i].cost), units[i].file.clone()));
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let results = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..jobs.max(1) {
            scope.spawn(|| {
                while !failed.load(Ordering::Relaxed) {
                    let Some(&index) = order.get(next.fetch_add(1, Ordering::Relaxed)) else {
                        break;
                    };
                    let outcome = compile_unit(compile, &units[index], objects, index);
                    if outcome.is_err() {
                        failed.store(true, Ordering::Relaxed);
                    }
                    results.lock().unwrap().push(outcome);
                }
            });
        }
    });
    let mut all_objects = Vec::new();
    let mut timings = Vec::new();
    for outcome in results.into_inner().unwrap() {
        let (objs, timing) = outcome?;
        all_objects.extend(objs);
        timings.push(timing);
    }
    all_objects.sort();
    Ok((all_objects, timings))
}

fn compile_unit(
    compile: &CompileFile,
    unit: &Unit,
    objects: &Path,
    index: usize,
) -> Result<(Vec<PathBuf>, Timing), String> {
    let started = Instant::now();
    let mut objs = Vec::new();
    let mut collisions = Vec::new();
    let name = object_name(&unit.file, index);
    compile_merged(
        compile,
        &unit.file,
        &unit.members,
        objects,
        &name,
        &mut objs,
        &mut collisions,
    )?;
    Ok((
        objs,
        Timing {
            unit: unit.file.clone(),
            members: unit.members.clone(),
            cost: unit.cost,
            elapsed: started.elapsed(),
            collisions,
        },
    ))
}

/// Compiles `file`, which holds `members`. When a merged file fails, two of its members
/// collide (a macro or a file-local name defined by both): it is halved and each half
/// compiled the same way, down to single files, so the colliding files end up in different
/// units and the rest stay merged. A single file that fails is a real error.
fn compile_merged(
    compile: &CompileFile,
    file: &Path,
    members: &[PathBuf],
    objects: &Path,
    name: &str,
    objs: &mut Vec<PathBuf>,
    collisions: &mut Vec<String>,
) -> Result<(), String> {
    let object = objects.join(format!("{name}.o"));
    let error = match compile(file, &object) {
        Ok(()) => {
            objs.push(object);
            return Ok(());
        }
        Err(error) if members.len() < 2 => return Err(error),
        Err(error) => error,
    };
    let reason = error
        .lines()
        .find(|l| l.contains("error"))
        .or_else(|| error.lines().next())
        .unwrap_or_default();
    collisions.push(reason.trim().to_string());
    let half = members.len() / 2;
    for (n, part) in [&members[..half], &members[half..]].into_iter().enumerate() {
        let part_name = format!("{name}-{n}");
        let part_file = match part {
            [only] => only.clone(),
            _ => plan::write_unit(objects, &format!("{part_name}.cpp"), part.to_vec(), 0)?.file,
        };
        compile_merged(
            compile, &part_file, part, objects, &part_name, objs, collisions,
        )?;
    }
    Ok(())
}

/// A unique, readable object name (without extension): the unit's number and file stem.
fn object_name(file: &Path, index: usize) -> String {
    let stem = file
        .file_stem()
        .map_or_else(|| "unit".to_string(), |s| s.to_string_lossy().into_owned());
    format!("{index:05}-{stem}")
}

/// The text of an entry's `PROFILE`: one line per unit, slowest first, and totals.
pub fn profile(timings: &[Timing], wall: Duration, jobs: usize, root: &Path) -> String {
    let mut sorted: Vec<&Timing> = timings.iter().collect();
    sorted.sort_by(|a, b| b.elapsed.cmp(&a.elapsed).then(a.unit.cmp(&b.unit)));
    let cpu: Duration = timings.iter().map(|t| t.elapsed).sum();
    let mut text = String::new();
    let _ = writeln!(
        text,
        "# units: {}  jobs: {jobs}  wall: {:.1} s  sum of unit times: {:.1} s",
        timings.len(),
        wall.as_secs_f64(),
        cpu.as_secs_f64()
    );
    let _ = writeln!(text, "# seconds\testimate\tmembers\tunit\tmerged files");
    for t in sorted {
        // Bundle files relative to the bundle; files the build wrote by name only.
        let name = |p: &Path| match p.strip_prefix(root) {
            Ok(relative) => relative.display().to_string(),
            Err(_) => p
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned(),
        };
        let merged: Vec<String> = if t.members.len() > 1 {
            t.members.iter().map(|m| name(m)).collect()
        } else {
            Vec::new()
        };
        let _ = writeln!(
            text,
            "{:.2}\t{:.1}\t{}\t{}\t{}",
            t.elapsed.as_secs_f64(),
            t.cost as f64 / 1000.0,
            t.members.len(),
            name(&t.unit),
            merged.join(" ")
        );
        for collision in &t.collisions {
            let _ = writeln!(text, "#   halved after: {collision}");
        }
    }
    text
}
