//! Opening and closing databases, their configuration, and connections.

use super::*;

#[test]
fn library_version_is_a_static_string() {
    assert!(library_version().starts_with('v'), "{}", library_version());
    assert_eq!(library_version(), library_version());
}

/// `into_raw` leaves the ledger and hands ownership over; `from_raw` takes it back, so the
/// C object is destroyed once (Miri reports a leak or a double free otherwise).
#[test]
fn into_raw_and_from_raw_hand_ownership_over() {
    let _ledger = ledger_guard();
    let raw_type = LogicalType::new(TypeId::Varchar).unwrap().into_raw();
    let raw_value = Value::from(7i32).into_raw();
    let raw_chunk = only_chunk(&conn(), sql::ANSWER).into_raw();
    assert_eq!(ledger::snapshot().live_total(), 0);
    // SAFETY: each handle came from `into_raw` above and is taken back exactly once.
    let (ty, value, chunk) = unsafe {
        (
            LogicalType::from_raw(raw_type),
            Value::from_raw(raw_value),
            DataChunk::from_raw(raw_chunk),
        )
    };
    assert_eq!(live(ledger::HandleKind::LogicalType), 1);
    assert_eq!(ty.id(), TypeId::Varchar);
    assert_eq!(value.get_i32().unwrap(), 7);
    assert_eq!(chunk.vector(0).unwrap().as_slice::<i32>().unwrap(), &[42]);
}

#[test]
fn database_open_and_drop_counts_one_database() {
    let _ledger = ledger_guard();
    let db = Database::open_in_memory().unwrap();
    assert_eq!(live(ledger::HandleKind::Database), 1);
    assert_eq!(
        live(ledger::HandleKind::Config),
        0,
        "the config is destroyed after open"
    );
    db.close();
    assert_eq!(live(ledger::HandleKind::Database), 0);
}

#[test]
fn config_with_known_option_opens() {
    let _ledger = ledger_guard();
    let mut config = Config::new().unwrap();
    config.set("threads", "1").unwrap();
    let db = Database::open_with_config(None, &config).unwrap();
    drop(config); // the database copied it
    let conn = db.connect().unwrap();
    assert_eq!(conn.execute(sql::ANSWER).unwrap(), 0);
}

/// DuckDB v2.0.0 keeps an unknown option name at `duckdb_set_config` and rejects it when the
/// database opens (`DatabaseInstance::LoadExtensionSettings`).
#[test]
fn config_unknown_option_fails_at_open_naming_it() {
    let _ledger = ledger_guard();
    let mut config = Config::new().unwrap();
    let set = config.set("no_such_option", "1").map(|_| ());
    let err = match set {
        Err(err) => err,
        Ok(()) => Database::open_with_config(None, &config).unwrap_err(),
    };
    assert!(err.message().contains("no_such_option"), "{err}");
    assert_eq!(live(ledger::HandleKind::Database), 0);
}

#[test]
fn config_bad_value_for_a_known_option_is_an_error() {
    let _ledger = ledger_guard();
    let mut config = Config::new().unwrap();
    let err = config.set("threads", "many").unwrap_err();
    assert!(err.message().contains("threads"), "{err}");
}

#[test]
fn config_options_include_threads() {
    let _ledger = ledger_guard();
    let options = Config::options();
    assert!(
        options
            .iter()
            .any(|o| o.name == "threads" && !o.description.is_empty()),
        "{options:?}"
    );
}

#[test]
fn open_failure_returns_the_engine_message_and_frees_it() {
    let _ledger = ledger_guard();
    let err = Database::open("/nonexistent/dir/db.duckdb").unwrap_err();
    assert_eq!(err.engine_error(), Some(EngineError::Io), "{err}");
    assert!(
        err.message().contains("/nonexistent/dir/db.duckdb"),
        "{err}"
    );
}

#[test]
fn open_path_with_nul_is_rejected_before_c() {
    let _ledger = ledger_guard();
    let err = Database::open("bad\0path").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InteriorNul);
}

#[test]
fn connection_survives_its_database() {
    let _ledger = ledger_guard();
    let db = Database::open_in_memory().unwrap();
    let (a, b) = (db.connect().unwrap(), db.connect().unwrap());
    drop(db);
    assert_eq!(live(ledger::HandleKind::Database), 0);
    let chunk = only_chunk(&b, sql::ANSWER);
    assert_eq!(chunk.vector(0).unwrap().as_slice::<i32>().unwrap(), &[42]);
    drop(b);
    drop(chunk);
    assert_eq!(a.execute(sql::ANSWER).unwrap(), 0);
}

#[test]
fn interrupt_handle_after_disconnect_is_misuse() {
    let _ledger = ledger_guard();
    let conn = conn();
    let handle = conn.interrupt_handle();
    assert!(handle.interrupt().is_ok());
    drop(conn);
    assert_eq!(handle.interrupt().unwrap_err().kind(), ErrorKind::Misuse);
    assert_eq!(handle.progress().unwrap_err().kind(), ErrorKind::Misuse);
}

#[test]
fn idle_interrupt_is_cleared_by_the_next_statement() {
    let _ledger = ledger_guard();
    let conn = conn();
    conn.interrupt_handle().interrupt().unwrap();
    let chunk = only_chunk(&conn, sql::ANSWER);
    assert_eq!(chunk.vector(0).unwrap().as_slice::<i32>().unwrap(), &[42]);
}

#[test]
fn idle_connection_reports_no_progress() {
    let _ledger = ledger_guard();
    let conn = conn();
    let progress = conn.query_progress();
    assert!(progress.percentage < 0.0, "{progress:?}");
    assert_eq!(progress.rows_processed, 0);
}
