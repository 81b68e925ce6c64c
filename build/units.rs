//! Compiling the engine's translation units in parallel, timing each one.
//!
//! The build drives the compiler itself rather than through `cc::Build::compile` so that it
//! can time every unit (the profile each cache entry keeps as `PROFILE`) and so that a unit
//! which merges several source files can fall back to compiling them one by one.

use crate::plan::{self, Unit};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

/// How long one unit took, and what the build noted about it: each merged part that failed
/// and was halved, or a unit compiled again without the precompiled headers.
#[derive(Debug)]
pub struct Timing {
    pub unit: PathBuf,
    pub members: Vec<PathBuf>,
    pub cost: u64,
    pub elapsed: Duration,
    pub notes: Vec<String>,
}

/// Compiles one source file to one object file, after the precompiled header when given.
pub type CompileFile<'a> = dyn Fn(&Path, &Path, Option<&Path>) -> Result<(), String> + Sync + 'a;

/// The header of [`plan::PCH_HEADERS`] and how to precompile it.
pub struct Pch<'a> {
    pub header: PathBuf,
    pub compile: &'a (dyn Fn(&Path) -> Result<(), String> + Sync + 'a),
}

/// What a worker does next.
enum Job {
    Pch,
    Unit { index: usize, with_pch: bool },
}

/// Where the precompiled headers are.
#[derive(Clone, Copy, PartialEq)]
enum Headers {
    ToPrecompile,
    Precompiling,
    /// Precompiled (`true`), or failed or not wanted: units parse the headers themselves.
    Done(bool),
}

/// Units not started (slowest first), the headers, and whether a unit failed.
struct Queue {
    order: Vec<usize>,
    headers: Headers,
    failed: bool,
}

/// Compiles `units` (longest first) on `jobs` threads into `objects`; returns the object
/// files and the timings. With `pch`, one thread first precompiles the headers while the
/// others compile units that do not use them; if that fails, every unit compiles without
/// them. A unit that fails with them is compiled again without; a merged unit that fails is
/// halved until its parts compile (`compile_merged`); a single file that fails stops the
/// build with the compiler's output.
pub fn compile_all(
    compile: &CompileFile,
    pch: Option<&Pch>,
    units: &[Unit],
    objects: &Path,
    jobs: usize,
) -> Result<(Vec<PathBuf>, Vec<Timing>), String> {
    let mut order: Vec<usize> = (0..units.len()).collect();
    order.sort_by_key(|&i| (std::cmp::Reverse(units[i].cost), units[i].file.clone()));
    let queue = Mutex::new(Queue {
        order,
        headers: match pch {
            Some(_) => Headers::ToPrecompile,
            None => Headers::Done(false),
        },
        failed: false,
    });
    let changed = Condvar::new();
    let results = Mutex::new(Vec::new());
    let next_job = || -> Option<Job> {
        let mut q = queue.lock().unwrap();
        loop {
            if q.failed {
                return None;
            }
            if q.headers == Headers::ToPrecompile {
                q.headers = Headers::Precompiling;
                return Some(Job::Pch);
            }
            let done = match q.headers {
                Headers::Done(usable) => Some(usable),
                _ => None,
            };
            let startable = q
                .order
                .iter()
                .position(|&i| !units[i].uses_pch || done.is_some());
            if let Some(position) = startable {
                let index = q.order.remove(position);
                let with_pch = units[index].uses_pch && done == Some(true);
                return Some(Job::Unit { index, with_pch });
            }
            if q.order.is_empty() {
                return None;
            }
            q = changed.wait(q).unwrap();
        }
    };
    std::thread::scope(|scope| {
        for _ in 0..jobs.max(1) {
            scope.spawn(|| {
                while let Some(job) = next_job() {
                    match job {
                        Job::Pch => {
                            let pch = pch.expect("a Pch job only with headers to precompile");
                            let started = Instant::now();
                            let outcome = (pch.compile)(&pch.header);
                            let notes = match &outcome {
                                Ok(()) => Vec::new(),
                                Err(error) => vec![format!(
                                    "not precompiled, units parse the headers: {}",
                                    first_error(error)
                                )],
                            };
                            results.lock().unwrap().push(Ok((
                                Vec::new(),
                                Timing {
                                    unit: pch.header.clone(),
                                    members: vec![pch.header.clone()],
                                    cost: 0,
                                    elapsed: started.elapsed(),
                                    notes,
                                },
                            )));
                            queue.lock().unwrap().headers = Headers::Done(outcome.is_ok());
                        }
                        Job::Unit { index, with_pch } => {
                            let header = pch.filter(|_| with_pch).map(|p| p.header.as_path());
                            let outcome =
                                compile_unit(compile, &units[index], header, objects, index);
                            if outcome.is_err() {
                                queue.lock().unwrap().failed = true;
                            }
                            results.lock().unwrap().push(outcome);
                        }
                    }
                    changed.notify_all();
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
    pch: Option<&Path>,
    objects: &Path,
    index: usize,
) -> Result<(Vec<PathBuf>, Timing), String> {
    let started = Instant::now();
    let mut objs = Vec::new();
    let mut notes = Vec::new();
    let name = object_name(&unit.file, index);
    // A unit that fails with the precompiled headers is compiled again without them (as a
    // source that must define a macro before DuckDB's headers would).
    let object = objects.join(format!("{name}.o"));
    let compiled_with_pch = pch.is_some()
        && match compile(&unit.file, &object, pch) {
            Ok(()) => true,
            Err(error) => {
                notes.push(format!(
                    "compiled without the precompiled headers after: {}",
                    first_error(&error)
                ));
                false
            }
        };
    if compiled_with_pch {
        objs.push(object);
    } else {
        compile_merged(
            compile,
            &unit.file,
            &unit.members,
            objects,
            &name,
            &mut objs,
            &mut notes,
        )?;
    }
    Ok((
        objs,
        Timing {
            unit: unit.file.clone(),
            members: unit.members.clone(),
            cost: unit.cost,
            elapsed: started.elapsed(),
            notes,
        },
    ))
}

/// The line of a compiler's output that says what failed.
fn first_error(output: &str) -> &str {
    output
        .lines()
        .find(|l| l.contains("error"))
        .or_else(|| output.lines().next())
        .unwrap_or_default()
        .trim()
}

/// Compiles `file`, which holds `members`, without the precompiled headers. When a merged
/// file fails, two of its members collide (a macro or a file-local name defined by both): it
/// is halved and each half compiled the same way, down to single files, so the colliding
/// files end up in different units and the rest stay merged. A single file that fails is a
/// real error.
fn compile_merged(
    compile: &CompileFile,
    file: &Path,
    members: &[PathBuf],
    objects: &Path,
    name: &str,
    objs: &mut Vec<PathBuf>,
    notes: &mut Vec<String>,
) -> Result<(), String> {
    let object = objects.join(format!("{name}.o"));
    let error = match compile(file, &object, None) {
        Ok(()) => {
            objs.push(object);
            return Ok(());
        }
        Err(error) if members.len() < 2 => return Err(error),
        Err(error) => error,
    };
    notes.push(format!("halved after: {}", first_error(&error)));
    let half = members.len() / 2;
    for (n, part) in [&members[..half], &members[half..]].into_iter().enumerate() {
        let part_name = format!("{name}-{n}");
        let part_file = match part {
            [only] => only.clone(),
            _ => plan::write_unit(objects, &format!("{part_name}.cpp"), part.to_vec(), 0)?.file,
        };
        compile_merged(compile, &part_file, part, objects, &part_name, objs, notes)?;
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
        for note in &t.notes {
            let _ = writeln!(text, "#   {note}");
        }
    }
    text
}
