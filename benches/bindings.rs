//! Criterion benchmarks of duckdb-ffi's safe layer against the raw C API, on the workloads of
//! BENCHMARKS.md. Each group has a `raw` variant (crate-root C functions, the same steps a C
//! program takes) and a `safe` variant (the safe layer); their ratio is the binding's cost.
//!
//! ```text
//! cargo bench --bench bindings                 # everything (several minutes)
//! cargo bench --bench bindings -- query        # one group
//! ```
//! The cross-language comparison (C programs, duckdb-rs) is `bench/compare`.

mod workloads;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use duckdb_ffi::safe::{Connection, Database};
use std::hint::black_box;
use std::time::Duration;
use workloads::{raw, safe, *};

fn open() -> (Database, Connection) {
    let db = Database::open_in_memory().expect("open");
    let conn = db.connect().expect("connect");
    (db, conn)
}

fn query(c: &mut Criterion) {
    let mut group = c.benchmark_group("query_select42");
    let raw_db = raw::RawDb::open();
    group.bench_function("raw", |b| {
        b.iter(|| black_box(raw::query_select42(&raw_db)))
    });
    let (_db, conn) = open();
    group.bench_function("safe", |b| {
        b.iter(|| black_box(safe::query_select42(&conn).expect("query")))
    });
    group.finish();
}

fn prepared(c: &mut Criterion) {
    let mut group = c.benchmark_group("prepared_bind_execute");
    let raw_db = raw::RawDb::open();
    let raw_stmt = raw::RawPrepared::new(&raw_db);
    let mut i = 0i64;
    group.bench_function("raw", |b| {
        b.iter(|| {
            i += 1;
            black_box(raw_stmt.execute(i))
        })
    });
    let (_db, conn) = open();
    let mut stmt = safe::prepare(&conn).expect("prepare");
    let mut i = 0i64;
    group.bench_function("safe", |b| {
        b.iter(|| {
            i += 1;
            black_box(safe::execute(&mut stmt, i).expect("execute"))
        })
    });
    group.finish();
}

fn scan(c: &mut Criterion) {
    let mut group = c.benchmark_group("scan_10m");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    let raw_db = raw::RawDb::open();
    raw_db.exec(SCAN_CREATE);
    let expected = raw::scan_chunks(&raw_db);
    assert_eq!(
        expected.rows, SCAN_ROWS,
        "the scan table has the wrong size"
    );
    group.bench_function("raw_chunks", |b| {
        b.iter(|| black_box(raw::scan_chunks(&raw_db)))
    });
    drop(raw_db);
    let (_db, conn) = open();
    conn.execute(SCAN_CREATE).expect("create the scan table");
    for (name, scan) in [
        ("safe_chunks", safe::scan_chunks as fn(&Connection) -> _),
        ("safe_rows", safe::scan_rows),
    ] {
        // Same data, same sums, or the comparison is meaningless.
        assert_eq!(
            scan(&conn).expect("scan"),
            expected,
            "{name} disagrees with the raw scan"
        );
        group.bench_function(name, |b| b.iter(|| black_box(scan(&conn).expect("scan"))));
    }
    group.finish();
}

fn append(c: &mut Criterion) {
    let mut group = c.benchmark_group("append_1m");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(15));
    let texts = append_texts();
    let raw_db = raw::RawDb::open();
    for (name, append) in [
        ("raw_rows", raw::append_rows as fn(&raw::RawDb, &[String])),
        ("raw_chunks", raw::append_chunks),
    ] {
        group.bench_function(name, |b| {
            b.iter_batched(
                || raw_db.exec(APPEND_CREATE),
                |()| append(&raw_db, &texts),
                BatchSize::PerIteration,
            )
        });
    }
    drop(raw_db);
    let (_db, conn) = open();
    type AppendFn = fn(&Connection, &[String]) -> duckdb_ffi::safe::Result<()>;
    for (name, append) in [
        ("safe_rows", safe::append_rows as AppendFn),
        ("safe_chunks", safe::append_chunks),
    ] {
        group.bench_function(name, |b| {
            b.iter_batched(
                || {
                    conn.execute(APPEND_CREATE)
                        .expect("create the append table")
                },
                |_| append(&conn, &texts).expect("append"),
                BatchSize::PerIteration,
            )
        });
    }
    group.finish();
}

fn open_close(c: &mut Criterion) {
    let mut group = c.benchmark_group("open_connect_close");
    group.sample_size(20);
    group.bench_function("raw", |b| b.iter(|| black_box(raw::open_close())));
    group.bench_function("safe", |b| {
        b.iter(|| safe::open_close().expect("open/close"))
    });
    group.finish();
}

criterion_group!(benches, query, prepared, scan, append, open_close);
criterion_main!(benches);
