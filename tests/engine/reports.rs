//! `Database::memory_report` and `Connection::profiling_info` on the real engine.

use crate::common;

use duckdb_ffi::safe::ledger::HandleKind;
use duckdb_ffi::safe::{Config, Database};

#[test]
fn memory_report_sees_tables_spills_limit_and_ledger() {
    let _ledger = common::ledger_guard();
    let mut config = Config::new().unwrap();
    config
        .set("memory_limit", "64MB")
        .unwrap()
        .set("threads", "2")
        .unwrap();
    let db = Database::open_with_config(None, &config).unwrap();
    let conn = db.connect().unwrap();
    let empty = db.memory_report().unwrap();
    conn.execute_batch(
        "CREATE TABLE t AS SELECT range AS x, range::VARCHAR AS s FROM range(500000)",
    )
    .unwrap();
    let report = db.memory_report().unwrap();
    println!("{report}");
    assert!(
        report.total_memory_bytes() > empty.total_memory_bytes(),
        "a 500k-row table holds memory: {} -> {}",
        empty.total_memory_bytes(),
        report.total_memory_bytes()
    );
    assert!(report.tag("IN_MEMORY_TABLE").unwrap().memory_bytes > 0);
    assert!(report.memory_limit.contains("MiB") || report.memory_limit.contains("MB"));
    assert_eq!(report.threads, 2);
    // The report's own connection is closed before the ledger is read: only `conn` counts.
    assert_eq!(report.ledger.live(HandleKind::Connection), 1);
    assert_eq!(report.ledger.live(HandleKind::Database), 1);
    let text = report.to_string();
    assert!(
        text.contains("IN_MEMORY_TABLE") && text.contains("memory_limit"),
        "{text}"
    );
}

#[test]
fn profiling_tree_is_owned_and_outlives_the_next_query() {
    let _ledger = common::ledger_guard();
    let db = Database::open_in_memory().unwrap();
    let mut conn = db.connect().unwrap();
    assert_eq!(conn.profiling_info().unwrap(), None, "profiling is off");
    conn.execute_batch("CREATE TABLE t AS SELECT range AS x FROM range(10000)")
        .unwrap();
    conn.enable_profiling().unwrap();
    conn.execute("SELECT x % 10 AS k, count(*) FROM t GROUP BY k")
        .unwrap();
    let profile = conn.profiling_info().unwrap().expect("a profile");
    // The next query replaces DuckDB's tree; the copy is unaffected.
    conn.execute("SELECT 1").unwrap();
    let next = conn.profiling_info().unwrap().expect("a profile");
    println!("{profile}");
    assert!(profile.find("sql").unwrap().contains("GROUP BY k"));
    assert!(next.find("SQL").unwrap().contains("SELECT 1"));
    assert!(profile.find("total_time").unwrap().parse::<f64>().unwrap() > 0.0);
    let operators: Vec<&str> = profile
        .operators()
        .iter()
        .filter_map(|n| n.operator_type())
        .collect();
    assert!(operators.contains(&"HASH_GROUP_BY"), "{operators:?}");
    assert_eq!(operators.last(), Some(&"TABLE_SCAN"), "{operators:?}");
    // The scan read every row of t; the group by produced ten.
    let find = |ty: &str| {
        profile
            .operators()
            .into_iter()
            .find(|n| n.operator_type() == Some(ty))
            .unwrap()
    };
    assert_eq!(find("TABLE_SCAN").metric("rows_scanned"), Some("10000"));
    assert_eq!(
        find("HASH_GROUP_BY").metric("intermediate_rows"),
        Some("10")
    );
    let text = profile.to_string();
    assert!(
        text.contains("TABLE_SCAN") && text.contains("query: SELECT"),
        "{text}"
    );

    conn.disable_profiling().unwrap();
    conn.execute("SELECT 2").unwrap();
    assert_eq!(conn.profiling_info().unwrap(), None);
}
