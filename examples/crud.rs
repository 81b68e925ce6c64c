//! A leak-free CRUD service template: a connection pool over one database, transactions that
//! cannot be left open, prepared statements, and an appender for batches.
//!
//! ```text
//! cargo run --release --features r2d2 --example crud                       # a short demo
//! cargo run --release --features r2d2 --example crud -- --load 100000 --threads 8
//! cargo run --release --features r2d2 --example crud -- --load 20000 --threads 4 --memory-limit 256MB
//! ```
//!
//! `--load N --threads T` runs N mixed operations (40% read, 25% create, 20% update in a
//! transaction, 10% delete, 5% batch import of 50 rows through the appender) on T threads,
//! each with its own key range, then prints throughput, latency percentiles per operation,
//! DuckDB's memory report, and the ledger once the pool is gone (which must show no live
//! handle: the run exits with status 1 otherwise).

use duckdb_ffi::safe::pool::DuckdbManager;
use duckdb_ffi::safe::{Config, Database, Error, ledger};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

type Pool = r2d2::Pool<DuckdbManager>;

/// One stored item.
#[derive(Debug, Clone, PartialEq)]
struct Item {
    id: i64,
    name: String,
    qty: i32,
}

/// The service: every method checks a connection out of the pool for as long as it needs
/// one, so a handler can never keep a connection (or a transaction) past its own return.
#[derive(Clone)]
struct Store {
    pool: Pool,
    /// Shared with the pool's manager, for the memory report.
    db: Arc<Database>,
}

/// What a handler can fail with: the pool gave no connection in time, or DuckDB refused.
#[derive(Debug)]
enum StoreError {
    Pool(r2d2::Error),
    Db(Error),
}

impl From<r2d2::Error> for StoreError {
    fn from(e: r2d2::Error) -> Self {
        StoreError::Pool(e)
    }
}

impl From<Error> for StoreError {
    fn from(e: Error) -> Self {
        StoreError::Db(e)
    }
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::Pool(e) => write!(f, "pool: {e}"),
            StoreError::Db(e) => write!(f, "database: {e}"),
        }
    }
}

type Result<T> = std::result::Result<T, StoreError>;

impl Store {
    fn open(memory_limit: &str, threads: usize, pool_size: u32) -> Result<Store> {
        let mut config = Config::new()?;
        config
            .set("memory_limit", memory_limit)?
            .set("threads", &threads.max(1).to_string())?;
        let db = Arc::new(Database::open_with_config(None, &config)?);
        // Per-connection settings go in the init hook.
        let manager = DuckdbManager::shared(Arc::clone(&db))
            .with_init(|conn| conn.execute_batch("SET enable_progress_bar = false"));
        let pool = r2d2::Pool::builder()
            .max_size(pool_size)
            .min_idle(Some(1))
            .idle_timeout(Some(Duration::from_secs(60)))
            .connection_timeout(Duration::from_secs(10))
            .build(manager)?;
        pool.get()?.execute_batch(
            "CREATE TABLE items(id BIGINT PRIMARY KEY, name VARCHAR NOT NULL, qty INTEGER NOT NULL)",
        )?;
        Ok(Store { pool, db })
    }

    fn create(&self, item: &Item) -> Result<()> {
        let conn = self.pool.get()?;
        conn.prepare("INSERT INTO items VALUES (?, ?, ?)")?
            .execute((item.id, item.name.as_str(), item.qty))?;
        Ok(())
    }

    fn read(&self, id: i64) -> Result<Option<Item>> {
        let conn = self.pool.get()?;
        let mut stmt = conn.prepare("SELECT id, name, qty FROM items WHERE id = ?")?;
        let mut result = stmt.query((id,))?;
        let mut rows = result.rows();
        Ok(match rows.next()? {
            Some(row) => Some(Item {
                id: row.get(0)?,
                name: row.get(1)?,
                qty: row.get(2)?,
            }),
            None => None,
        })
    }

    /// Read-modify-write in a transaction: an error or a panic in between rolls it back.
    fn adjust(&self, id: i64, delta: i32) -> Result<Option<i32>> {
        let conn = self.pool.get()?;
        Ok(conn.in_transaction(|tx| {
            let current: Option<i32> = tx
                .prepare("SELECT qty FROM items WHERE id = ?")?
                .query_row((id,), |r| r.get(0))
                .ok();
            let Some(qty) = current else {
                return Ok(None);
            };
            let new = qty + delta;
            tx.prepare("UPDATE items SET qty = ? WHERE id = ?")?
                .execute((new, id))?;
            Ok(Some(new))
        })?)
    }

    fn delete(&self, id: i64) -> Result<bool> {
        let conn = self.pool.get()?;
        Ok(conn
            .prepare("DELETE FROM items WHERE id = ?")?
            .execute((id,))?
            == 1)
    }

    /// All rows or none: the appender runs inside a transaction.
    fn import(&self, items: &[Item]) -> Result<()> {
        let conn = self.pool.get()?;
        conn.in_transaction(|tx| {
            let mut appender = tx.appender("items")?;
            for item in items {
                appender.append_row((item.id, item.name.as_str(), item.qty))?;
            }
            appender.close()
        })?;
        Ok(())
    }

    fn count(&self) -> Result<i64> {
        let conn = self.pool.get()?;
        Ok(conn.query_row("SELECT count(*) FROM items", (), |r| r.get(0))?)
    }
}

/// A small deterministic generator (xorshift64*), so runs are repeatable.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Op {
    Read,
    Create,
    Update,
    Delete,
    Import,
}

/// What one worker did: latencies per operation and how many failed.
#[derive(Default)]
struct Tally {
    latencies: BTreeMap<Op, Vec<Duration>>,
    errors: Vec<String>,
}

fn worker(store: &Store, thread: usize, ops: usize) -> Tally {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ (thread as u64 + 1));
    let base = (thread as i64 + 1) * 1_000_000_000;
    let mut next_id = base;
    let mut live: Vec<i64> = Vec::new();
    let mut tally = Tally::default();
    for _ in 0..ops {
        let roll = rng.below(100);
        let op = match roll {
            _ if live.is_empty() => Op::Create,
            0..40 => Op::Read,
            40..65 => Op::Create,
            65..85 => Op::Update,
            85..95 => Op::Delete,
            _ => Op::Import,
        };
        let started = Instant::now();
        let outcome = match op {
            Op::Read => {
                let id = live[rng.below(live.len())];
                store.read(id).map(|item| assert!(item.is_some(), "{id}"))
            }
            Op::Create => {
                next_id += 1;
                let item = Item {
                    id: next_id,
                    name: format!("item {next_id}"),
                    qty: rng.below(100) as i32,
                };
                store.create(&item).map(|()| live.push(item.id))
            }
            Op::Update => {
                let id = live[rng.below(live.len())];
                store.adjust(id, 1).map(drop)
            }
            Op::Delete => {
                let id = live.swap_remove(rng.below(live.len()));
                store.delete(id).map(drop)
            }
            Op::Import => {
                let items: Vec<Item> = (0..50)
                    .map(|_| {
                        next_id += 1;
                        Item {
                            id: next_id,
                            name: format!("batch {next_id}"),
                            qty: 0,
                        }
                    })
                    .collect();
                store
                    .import(&items)
                    .map(|()| live.extend(items.iter().map(|i| i.id)))
            }
        };
        let took = started.elapsed();
        match outcome {
            Ok(()) => tally.latencies.entry(op).or_default().push(took),
            Err(e) => tally.errors.push(format!("{op:?}: {e}")),
        }
    }
    tally
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

fn micros(d: Duration) -> String {
    format!("{:.0} µs", d.as_secs_f64() * 1e6)
}

fn demo(store: &Store) -> Result<()> {
    let item = Item {
        id: 1,
        name: "widget".into(),
        qty: 3,
    };
    store.create(&item)?;
    println!("read    {:?}", store.read(1)?);
    println!("adjust  qty -> {:?}", store.adjust(1, 4)?);
    let batch: Vec<Item> = (2..=5)
        .map(|id| Item {
            id,
            name: format!("bolt {id}"),
            qty: 10,
        })
        .collect();
    store.import(&batch)?;
    println!("import  4 rows, {} in total", store.count()?);
    // A batch with a duplicate key: nothing of it stays.
    let bad = vec![
        Item {
            id: 6,
            name: "nut".into(),
            qty: 1,
        },
        item.clone(),
    ];
    println!(
        "import  with a duplicate: {}",
        store.import(&bad).unwrap_err()
    );
    println!("        still {} rows", store.count()?);
    println!("delete  {}", store.delete(1)?);
    Ok(())
}

struct Args {
    load: Option<usize>,
    threads: usize,
    memory_limit: String,
}

fn parse_args() -> std::result::Result<Args, String> {
    let mut args = Args {
        load: None,
        threads: 4,
        memory_limit: "1GB".into(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--load" => args.load = Some(value()?.parse().map_err(|e| format!("--load: {e}"))?),
            "--threads" => {
                args.threads = value()?.parse().map_err(|e| format!("--threads: {e}"))?
            }
            "--memory-limit" => args.memory_limit = value()?,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if args.threads == 0 {
        return Err("--threads must be at least 1".into());
    }
    Ok(args)
}

fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}\nusage: crud [--load N] [--threads T] [--memory-limit SIZE]");
            std::process::exit(2);
        }
    };
    let code = match run(&args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            2
        }
    };
    std::process::exit(code);
}

fn run(args: &Args) -> Result<i32> {
    // The pool has one connection per worker thread; DuckDB gets as many threads.
    let store = Store::open(&args.memory_limit, args.threads, args.threads as u32)?;
    let Some(load) = args.load else {
        demo(&store)?;
        drop(store);
        return Ok(check_ledger());
    };

    let per_thread = load / args.threads;
    println!(
        "load: {} operations on {} threads ({} each)",
        per_thread * args.threads,
        args.threads,
        per_thread
    );
    let started = Instant::now();
    let tallies: Vec<Tally> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..args.threads)
            .map(|t| {
                let store = store.clone();
                s.spawn(move || worker(&store, t, per_thread))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let elapsed = started.elapsed();

    let mut by_op: BTreeMap<Op, Vec<Duration>> = BTreeMap::new();
    let mut errors = Vec::new();
    for tally in tallies {
        for (op, mut l) in tally.latencies {
            by_op.entry(op).or_default().append(&mut l);
        }
        errors.extend(tally.errors);
    }
    let mut all: Vec<Duration> = by_op.values().flatten().copied().collect();
    all.sort();
    println!(
        "done in {:.2} s: {:.0} ops/s, {} errors, {} rows left",
        elapsed.as_secs_f64(),
        all.len() as f64 / elapsed.as_secs_f64(),
        errors.len(),
        store.count()?
    );
    println!(
        "{:<8} {:>8} {:>10} {:>10} {:>10}",
        "op", "count", "p50", "p99", "max"
    );
    for (op, l) in by_op.iter_mut().map(|(op, l)| (format!("{op:?}"), l)) {
        l.sort();
        println!(
            "{:<8} {:>8} {:>10} {:>10} {:>10}",
            op,
            l.len(),
            micros(percentile(l, 50.0)),
            micros(percentile(l, 99.0)),
            micros(*l.last().unwrap())
        );
    }
    println!(
        "{:<8} {:>8} {:>10} {:>10} {:>10}",
        "all",
        all.len(),
        micros(percentile(&all, 50.0)),
        micros(percentile(&all, 99.0)),
        micros(*all.last().unwrap_or(&Duration::ZERO))
    );
    for e in errors.iter().take(5) {
        println!("error: {e}");
    }
    let state = store.pool.state();
    println!(
        "pool: {} connections, {} idle",
        state.connections, state.idle_connections
    );
    println!(
        "\nmemory report while the pool is open:\n{}",
        store.db.memory_report()?
    );
    drop(store);
    let code = check_ledger();
    Ok(if errors.is_empty() { code } else { 1 })
}

/// Prints the ledger after everything is dropped; 0 when no handle is alive, 1 otherwise.
fn check_ledger() -> i32 {
    let snapshot = ledger::snapshot();
    println!("\nledger after the pool and the database are dropped:\n{snapshot}");
    if snapshot.live_total() == 0 {
        println!("no live handles");
        0
    } else {
        println!("LEAK: {} live handles", snapshot.live_total());
        1
    }
}
