//! Pooled `query_row` throughput with several threads, side by side with its two anchors: one
//! connection per thread (the most a pool can hope for) and one connection shared behind a
//! mutex (what a pool is meant to beat).
//!
//! ```text
//! cargo run --release --features r2d2 --example pool_bench -- [--threads 8] [--ops 2000] [--rounds 5]
//! ```
//!
//! Every thread runs `--ops` times `query_row("SELECT ?::BIGINT + 1", (i,))` (which prepares
//! and executes each time, the same work in every mode) on one in-memory database. Modes:
//!
//! - `per_thread`: each thread owns a `Connection` for the whole run (anchor);
//! - `pooled`: each query checks a connection out of an r2d2 pool of `--threads` connections
//!   and gives it back; r2d2's default `test_on_check_out` runs `SELECT 1` at each checkout;
//! - `pooled_nocheck`: the same with `test_on_check_out(false)`;
//! - `shared_mutex`: one `Connection` behind a `Mutex` for all threads (anchor).
//!
//! The modes take turns in an order rotated each round; the table shows the median over the
//! rounds and its ratio to `per_thread` (above 1 is slower). A sum of every answer is checked,
//! so a mode that skips work fails.

use duckdb_ffi::safe::pool::DuckdbManager;
use duckdb_ffi::safe::{Connection, Database, Result};
use std::sync::{Arc, Barrier, Mutex};
use std::time::{Duration, Instant};

const SQL: &str = "SELECT ?::BIGINT + 1";

#[derive(Clone, Copy, Debug, PartialEq)]
enum Mode {
    PerThread,
    Pooled,
    PooledNoCheck,
    SharedMutex,
}

impl Mode {
    const ALL: [Mode; 4] = [
        Mode::PerThread,
        Mode::Pooled,
        Mode::PooledNoCheck,
        Mode::SharedMutex,
    ];

    fn name(self) -> &'static str {
        match self {
            Mode::PerThread => "per_thread",
            Mode::Pooled => "pooled",
            Mode::PooledNoCheck => "pooled_nocheck",
            Mode::SharedMutex => "shared_mutex",
        }
    }
}

fn one(conn: &Connection, i: i64) -> Result<i64> {
    conn.query_row(SQL, (i,), |r| r.get::<i64>(0))
}

/// Runs `threads` workers on `db` in `mode`; returns the wall time and the sum of answers.
fn run(db: &Arc<Database>, mode: Mode, threads: usize, ops: usize) -> Result<(Duration, i64)> {
    let pool = match mode {
        Mode::Pooled | Mode::PooledNoCheck => Some(
            r2d2::Pool::builder()
                .max_size(threads as u32)
                .min_idle(Some(threads as u32))
                .test_on_check_out(mode == Mode::Pooled)
                .build(DuckdbManager::shared(Arc::clone(db)))
                .expect("pool"),
        ),
        _ => None,
    };
    let shared = match mode {
        Mode::SharedMutex => Some(Arc::new(Mutex::new(db.connect()?))),
        _ => None,
    };
    let barrier = Arc::new(Barrier::new(threads + 1));
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let (db, pool, shared, barrier) = (
                Arc::clone(db),
                pool.clone(),
                shared.clone(),
                Arc::clone(&barrier),
            );
            std::thread::spawn(move || -> Result<i64> {
                let own = match mode {
                    Mode::PerThread => Some(db.connect()?),
                    _ => None,
                };
                barrier.wait();
                let mut sum = 0;
                for k in 0..ops {
                    let i = (t * ops + k) as i64;
                    sum += match mode {
                        Mode::PerThread => one(own.as_ref().unwrap(), i)?,
                        Mode::Pooled | Mode::PooledNoCheck => {
                            one(&pool.as_ref().unwrap().get().expect("checkout"), i)?
                        }
                        Mode::SharedMutex => one(&shared.as_ref().unwrap().lock().unwrap(), i)?,
                    };
                }
                Ok(sum)
            })
        })
        .collect();
    barrier.wait();
    let start = Instant::now();
    let mut sum = 0;
    for h in handles {
        sum += h.join().expect("worker panicked")?;
    }
    Ok((start.elapsed(), sum))
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map(|v| {
            v.parse()
                .unwrap_or_else(|_| panic!("{name} needs a number"))
        })
        .unwrap_or(default)
}

fn main() -> Result<()> {
    let threads = arg("--threads", 8).max(1);
    let ops = arg("--ops", 2000).max(1);
    let rounds = arg("--rounds", 5).max(1);
    let total = (threads * ops) as i64;
    let expected = total * (total - 1) / 2 + total;
    let db = Arc::new(Database::open_in_memory()?);
    println!("{threads} threads x {ops} query_row each, {rounds} rounds, engine threads = default");
    // Warm-up, untimed.
    for mode in Mode::ALL {
        run(&db, mode, threads, ops.min(100))?;
    }
    let mut times: Vec<Vec<f64>> = vec![Vec::new(); Mode::ALL.len()];
    for round in 0..rounds {
        for k in 0..Mode::ALL.len() {
            let index = (round + k) % Mode::ALL.len();
            let (elapsed, sum) = run(&db, Mode::ALL[index], threads, ops)?;
            assert_eq!(
                sum,
                expected,
                "{} computed a wrong sum",
                Mode::ALL[index].name()
            );
            times[index].push(elapsed.as_secs_f64());
        }
    }
    let medians: Vec<f64> = times.into_iter().map(median).collect();
    let anchor = medians[0];
    println!(
        "{:<16} {:>10} {:>12} {:>14}",
        "mode", "median s", "queries/s", "vs per_thread"
    );
    for (mode, m) in Mode::ALL.iter().zip(&medians) {
        println!(
            "{:<16} {:>10.3} {:>12.0} {:>13.2}x",
            mode.name(),
            m,
            total as f64 / m,
            m / anchor
        );
    }
    println!("check {expected}");
    Ok(())
}
