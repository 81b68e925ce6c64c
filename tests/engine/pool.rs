//! The `r2d2` feature on the real engine: one shared database, the init hook, idle reaping
//! (`min_idle`, `idle_timeout`, `max_lifetime`) seen in the ledger, a connection held by a
//! panicking thread, exhaustion, a fatal error.
//!
//! r2d2's reaper runs every 30 seconds (not configurable from outside r2d2), so the reaping
//! test takes about that long; its budget is 30 s plus the timeouts plus a generous margin
//! for a loaded machine.

use crate::common;

use duckdb_ffi::safe::ledger::{self, HandleKind};
use duckdb_ffi::safe::pool::DuckdbManager;
use duckdb_ffi::safe::{Database, EngineError, Error};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

fn live_connections() -> u64 {
    ledger::snapshot().live(HandleKind::Connection)
}

/// Live connections once the pool is gone, waiting up to 10 s for r2d2 to let go of it. r2d2
/// opens connections on its worker thread, which still holds the pool for a moment after it
/// hands a connection over; when that thread's hold is the last, the pool and its
/// connections close there, after the caller's `drop` (seen on a loaded machine).
fn live_connections_after_pool_drop() -> u64 {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let live = live_connections();
        if live == 0 || Instant::now() >= deadline {
            return live;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn every_pooled_connection_sees_one_in_memory_database_and_runs_init() {
    let _ledger = common::ledger_guard();
    let inits = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&inits);
    let manager = DuckdbManager::new(Database::open_in_memory().unwrap()).with_init(move |conn| {
        counter.fetch_add(1, Ordering::SeqCst);
        conn.execute_batch("SET threads = 1; CREATE TEMP TABLE mine AS SELECT 1 AS x")
    });
    let pool = r2d2::Pool::builder()
        .max_size(3)
        .min_idle(Some(0))
        .build(manager)
        .unwrap();
    let a = pool.get().unwrap();
    let b = pool.get().unwrap();
    a.execute_batch("CREATE TABLE shared AS SELECT 7 AS x")
        .unwrap();
    assert_eq!(
        b.query_row("SELECT x FROM shared", (), |r| r.get::<i32>(0))
            .unwrap(),
        7
    );
    // The hook ran on each connection: its setting and temporary table are there.
    assert_eq!(
        b.query_row("SELECT current_setting('threads')", (), |r| r.get::<i64>(0))
            .unwrap(),
        1
    );
    assert_eq!(
        b.query_row("SELECT count(*) FROM mine", (), |r| r.get::<i64>(0))
            .unwrap(),
        1
    );
    assert_eq!(inits.load(Ordering::SeqCst), 2);
    assert_eq!(live_connections(), 2);
    drop((a, b));
    drop(pool);
    assert_eq!(
        live_connections_after_pool_drop(),
        0,
        "dropping the pool closes its connections"
    );
}

#[test]
fn a_failing_init_hook_fails_get_with_its_message() {
    let _ledger = common::ledger_guard();
    let manager = DuckdbManager::new(Database::open_in_memory().unwrap())
        .with_init(|conn| conn.execute_batch("SET no_such_setting = 1"));
    let err = r2d2::Pool::builder()
        .max_size(1)
        .connection_timeout(Duration::from_millis(300))
        .build(manager)
        .unwrap_err();
    assert!(err.to_string().contains("no_such_setting"), "{err}");
    assert_eq!(live_connections(), 0);
}

#[test]
fn idle_connections_are_reaped_and_old_ones_replaced() {
    let _ledger = common::ledger_guard();
    let start = Instant::now();
    // Pool A: up to 6 connections, 1 kept idle, idle ones closed after 1 s.
    let idle_pool = r2d2::Pool::builder()
        .max_size(6)
        .min_idle(Some(1))
        .idle_timeout(Some(Duration::from_secs(1)))
        .build(DuckdbManager::new(Database::open_in_memory().unwrap()))
        .unwrap();
    // Pool B: 2 connections kept, each replaced once older than 2 s.
    let births = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&births);
    let lifetime_pool = r2d2::Pool::builder()
        .max_size(2)
        .min_idle(Some(2))
        .max_lifetime(Some(Duration::from_secs(2)))
        .idle_timeout(None)
        .build(
            DuckdbManager::new(Database::open_in_memory().unwrap()).with_init(move |_| {
                counter.fetch_add(1, Ordering::SeqCst);
                Ok(())
            }),
        )
        .unwrap();

    // Six threads check out a connection each at the same time, then give it back.
    let barrier = Arc::new(Barrier::new(6));
    let threads: Vec<_> = (0..6)
        .map(|_| {
            let (pool, barrier) = (idle_pool.clone(), Arc::clone(&barrier));
            std::thread::spawn(move || {
                let conn = pool.get().unwrap();
                barrier.wait();
                conn.execute("SELECT 1").unwrap();
            })
        })
        .collect();
    threads.into_iter().for_each(|t| t.join().unwrap());
    assert_eq!(idle_pool.state().connections, 6);
    let peak = live_connections();
    assert_eq!(peak, 6 + 2, "six in pool A, two in pool B");
    assert_eq!(births.load(Ordering::SeqCst), 2);
    println!(
        "t={:>5.1}s  ledger connections {peak} (A: 6 idle, B: 2)",
        start.elapsed().as_secs_f64()
    );

    // Budget: the reaper's 30 s period + the 2 s lifetime + 28 s of slack for a loaded machine.
    let budget = Duration::from_secs(60);
    let mut last = peak;
    let mut reaped_at = None;
    while start.elapsed() < budget {
        std::thread::sleep(Duration::from_millis(250));
        let now = live_connections();
        if now != last {
            println!(
                "t={:>5.1}s  ledger connections {now} (A: {}, B births: {})",
                start.elapsed().as_secs_f64(),
                idle_pool.state().connections,
                births.load(Ordering::SeqCst)
            );
            last = now;
        }
        if idle_pool.state().connections == 1 && births.load(Ordering::SeqCst) >= 4 {
            reaped_at = Some(start.elapsed());
            break;
        }
    }
    let reaped_at = reaped_at.unwrap_or_else(|| {
        panic!(
            "not reaped within {budget:?}: A has {} connections, B made {}",
            idle_pool.state().connections,
            births.load(Ordering::SeqCst)
        )
    });
    println!(
        "t={:>5.1}s  reaped: A down to min_idle 1, B's two replaced; ledger connections {}",
        reaped_at.as_secs_f64(),
        live_connections()
    );
    // Pool A keeps its one idle connection, pool B its two (new) ones.
    assert_eq!(live_connections(), 1 + 2);
    drop((idle_pool, lifetime_pool));
    assert_eq!(live_connections_after_pool_drop(), 0);
}

#[test]
fn a_connection_held_by_a_panicking_thread_comes_back() {
    let _ledger = common::ledger_guard();
    let pool = r2d2::Pool::builder()
        .max_size(1)
        .connection_timeout(Duration::from_secs(10))
        .build(DuckdbManager::new(Database::open_in_memory().unwrap()))
        .unwrap();
    pool.get()
        .unwrap()
        .execute_batch("CREATE TABLE t(x INTEGER)")
        .unwrap();
    let panicking = {
        let pool = pool.clone();
        std::thread::spawn(move || {
            let conn = pool.get().unwrap();
            let tx = conn.transaction().unwrap();
            tx.execute("INSERT INTO t VALUES (1)").unwrap();
            panic!("the handler failed halfway");
        })
    };
    assert!(panicking.join().is_err());
    // The only connection is back (max_size 1, so `get` would time out otherwise), and the
    // guard rolled its transaction back while the thread unwound.
    let conn = pool.get_timeout(Duration::from_secs(5)).unwrap();
    assert_eq!(
        conn.query_row("SELECT count(*) FROM t", (), |r| r.get::<i64>(0))
            .unwrap(),
        0
    );
    assert!(conn.transaction().is_ok(), "no transaction left open");
    assert_eq!(pool.state().connections, 1);
    drop(conn);
    drop(pool);
}

#[test]
fn exhaustion_is_a_timeout_error() {
    let _ledger = common::ledger_guard();
    let pool = r2d2::Pool::builder()
        .max_size(2)
        .connection_timeout(Duration::from_millis(300))
        .build(DuckdbManager::new(Database::open_in_memory().unwrap()))
        .unwrap();
    let held = (pool.get().unwrap(), pool.get().unwrap());
    let asked = Instant::now();
    let err = pool.get().unwrap_err();
    let waited = asked.elapsed();
    assert!(err.to_string().contains("timed out"), "{err}");
    assert!(waited >= Duration::from_millis(300), "{waited:?}");
    assert!(waited < Duration::from_secs(20), "{waited:?}");
    drop(held);
    assert!(
        pool.get().is_ok(),
        "a connection given back is handed out again"
    );
    drop(pool);
}

#[test]
fn a_fatal_error_stops_the_pool_with_a_clear_error() {
    let _ledger = common::ledger_guard();
    let manager = DuckdbManager::new(Database::open_in_memory().unwrap());
    let pool = r2d2::Pool::builder()
        .max_size(2)
        .min_idle(Some(0))
        .connection_timeout(Duration::from_millis(300))
        .build(manager.clone()) // clones share what they observe
        .unwrap();
    let conn = pool.get().unwrap();
    // Non-fatal errors change nothing.
    let err = conn.execute("SELECT * FROM missing").unwrap_err();
    assert!(!manager.observe(&err));
    // A fatal one, as a query on a pooled connection would report it.
    let fatal = Error::engine(
        EngineError::Fatal.to_raw(),
        "FATAL Error: database has been invalidated",
    );
    assert!(manager.observe(&fatal));
    drop(conn); // has_broken: closed, not put back
    assert_eq!(pool.state().connections, 0);
    assert_eq!(live_connections(), 0);
    let err = pool.get().unwrap_err();
    assert!(err.to_string().contains("open a new Database"), "{err}");
    assert!(err.to_string().contains("invalidated"), "{err}");
    assert!(manager.fatal_error().unwrap().contains("invalidated"));
    drop(pool);
    drop(manager);
}

#[test]
fn a_fatal_error_from_the_init_hook_is_recorded() {
    let _ledger = common::ledger_guard();
    let tries = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&tries);
    let manager = DuckdbManager::new(Database::open_in_memory().unwrap()).with_init(move |_| {
        counter.fetch_add(1, Ordering::SeqCst);
        Err(Error::engine(
            EngineError::Fatal.to_raw(),
            "FATAL Error: disk",
        ))
    });
    let err = r2d2::Pool::builder()
        .max_size(1)
        .connection_timeout(Duration::from_millis(500))
        .build(manager)
        .unwrap_err();
    assert!(err.to_string().contains("open a new Database"), "{err}");
    // After the first fatal error no connection was even tried.
    assert_eq!(tries.load(Ordering::SeqCst), 1);
}
