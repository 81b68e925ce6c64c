//! Unit tests of the callback layer (`safe::functions`): each kind of function is registered,
//! called through canned SQL (`miri_model::canned`), and every Rust value handed to DuckDB must
//! be dropped once, by the time the database is gone.
//!
//! Like `tests`, they run on the real engine (`cargo test --lib`) and under Miri against the
//! model of the C API, which calls the callbacks the way DuckDB does: a callback data never
//! destroyed is a Miri leak, one destroyed twice a use after free.

use super::*;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

fn ty(id: TypeId) -> LogicalType {
    LogicalType::new(id).expect("a primitive type")
}

fn created(kind: ledger::HandleKind) -> u64 {
    ledger::snapshot().counts()[kind as usize].created
}

fn live(kind: ledger::HandleKind) -> u64 {
    ledger::snapshot().live(kind)
}

const DATA_KINDS: [ledger::HandleKind; 4] = [
    ledger::HandleKind::FunctionInfo,
    ledger::HandleKind::BindData,
    ledger::HandleKind::InitData,
    ledger::HandleKind::AggregateState,
];

/// Closes the database (after its connection) and checks every callback data went with it.
fn close(db: Database, conn: Connection) {
    drop(conn);
    drop(db);
    for kind in DATA_KINDS {
        assert_eq!(
            live(kind),
            0,
            "{kind:?} left alive after the database closed"
        );
    }
}

/// The first column of every row of `query`, as BIGINT.
fn bigints(conn: &Connection, query: &str) -> Result<Vec<Option<i64>>> {
    let mut result = conn.query(query)?;
    let mut rows = Vec::new();
    for chunk in result.chunks() {
        rows.extend(chunk?.vector(0)?.values::<i64>()?.iter());
    }
    Ok(rows)
}

fn query_error(conn: &Connection, query: &str) -> String {
    let err = conn
        .query(query)
        .err()
        .unwrap_or_else(|| panic!("{query} succeeded"));
    // The connection keeps working after a failed callback.
    assert_eq!(conn.execute(sql::ANSWER).unwrap(), 0);
    err.message().to_string()
}

fn open() -> (Database, Connection) {
    let db = Database::open_in_memory().expect("in-memory database");
    let conn = conn_of(&db);
    (db, conn)
}

// --- scalar functions -------------------------------------------------------------------------

/// `ffi_scalar(x)`: `2x + offset`, NULL where `x % 1000 == 0`; `offset` comes from the bind
/// data when there is one.
fn scalar(calls: Arc<AtomicUsize>) -> ScalarFunction {
    ScalarFunction::new("ffi_scalar", move |input, out| {
        calls.fetch_add(1, Ordering::Relaxed);
        let offset = input.bind_data::<i64>().copied().unwrap_or(0);
        let x = input.vector(0)?.values::<i64>()?;
        let mut nulls = Vec::new();
        let dst = out.as_uninit_slice::<i64>()?;
        for (row, slot) in dst.iter_mut().enumerate() {
            match x.get(row)? {
                Some(x) if x % 1000 != 0 => {
                    slot.write(2 * x + offset);
                }
                _ => nulls.push(row),
            }
        }
        nulls.into_iter().try_for_each(|row| out.set_null(row))?;
        Ok(())
    })
    .param(&ty(TypeId::BigInt))
    .returns(&ty(TypeId::BigInt))
}

fn expected_scalar(offset: i64) -> Vec<Option<i64>> {
    (0..5000)
        .map(|x| (x % 1000 != 0).then_some(2 * x + offset))
        .collect()
}

#[test]
fn scalar_function_runs_on_every_chunk_and_dies_with_the_database() {
    let _ledger = ledger_guard();
    let (db, conn) = open();
    let calls = Arc::new(AtomicUsize::new(0));
    let binds = created(ledger::HandleKind::BindData);
    conn.register(scalar(calls.clone())).unwrap();
    // The catalog holds the function's callbacks; the Rust value is gone.
    assert_eq!(live(ledger::HandleKind::FunctionInfo), 1);
    assert_eq!(
        bigints(&conn, sql::SCALAR_OVER_RANGE).unwrap(),
        expected_scalar(0)
    );
    // 5000 rows in chunks of at most 2048.
    assert!(calls.load(Ordering::Relaxed) >= 3, "{calls:?}");
    assert_eq!(
        created(ledger::HandleKind::BindData),
        binds,
        "bind data without a bind callback"
    );
    close(db, conn);
}

#[test]
fn scalar_bind_data_reaches_every_call_and_each_copy_is_dropped() {
    let _ledger = ledger_guard();
    let (db, conn) = open();
    let binds = Arc::new(AtomicUsize::new(0));
    let counted = binds.clone();
    let f = scalar(Arc::default()).bind(move |b| -> CallbackResult<i64> {
        counted.fetch_add(1, Ordering::Relaxed);
        assert_eq!(b.argument_type(0)?.id(), TypeId::BigInt);
        assert!(b.argument_type(1).is_err());
        Ok(100 * b.argument_count() as i64)
    });
    conn.register(f).unwrap();
    let before = created(ledger::HandleKind::BindData);
    assert_eq!(
        bigints(&conn, sql::SCALAR_OVER_RANGE).unwrap(),
        expected_scalar(100)
    );
    assert!(binds.load(Ordering::Relaxed) >= 1);
    let made = created(ledger::HandleKind::BindData) - before;
    // The model binds once and copies the bind data once (DuckDB copies bound expressions).
    #[cfg(miri)]
    assert_eq!(made, 2);
    assert!(made >= 1);
    close(db, conn);
}

type MakeScalar = fn() -> ScalarFunction;

#[test]
fn scalar_errors_and_panics_fail_the_query_with_their_message() {
    let _ledger = ledger_guard();
    let bigint = ty(TypeId::BigInt);
    // Each function is made only when its database is open: a live one would hold its callbacks.
    let cases: [(MakeScalar, &str); 3] = [
        (
            || ScalarFunction::new("ffi_scalar", |_, _| Err("plain failure".into())),
            "plain failure",
        ),
        (
            || ScalarFunction::new("ffi_scalar", |_, _| panic!("scalar boom")),
            "scalar function `ffi_scalar` panicked: scalar boom",
        ),
        (
            || {
                ScalarFunction::new("ffi_scalar", |_, _| Ok(()))
                    .bind(|_| -> CallbackResult<()> { panic!("bind boom") })
            },
            "panicked: bind boom",
        ),
    ];
    for (make, needle) in cases {
        let (db, conn) = open();
        conn.register(make().param(&bigint).returns(&bigint))
            .unwrap();
        let message = query_error(&conn, sql::SCALAR_OVER_RANGE);
        assert!(message.contains(needle), "{message:?} lacks {needle:?}");
        close(db, conn);
    }
}

#[test]
fn unregistered_functions_drop_their_callbacks() {
    let _ledger = ledger_guard();
    drop(scalar(Arc::default()).bind(|_| -> CallbackResult<()> { Ok(()) }));
    drop(AggregateFunction::new("ffi_aggregate", Sum::default()));
    drop(TableFunction::new("ffi_table", Rows::default()));
    assert_eq!(live(ledger::HandleKind::FunctionInfo), 0);
    // A set keeps a copy of its member: both copies share the callbacks, dropped once.
    let set = ScalarFunctionSet::new("ffi_scalar")
        .overload(scalar(Arc::default()))
        .unwrap();
    assert_eq!(live(ledger::HandleKind::FunctionInfo), 1);
    drop(set);
    assert_eq!(live(ledger::HandleKind::FunctionInfo), 0);
}

#[test]
fn scalar_function_set_overload_is_called() {
    let _ledger = ledger_guard();
    let (db, conn) = open();
    let text = ScalarFunction::new("ffi_scalar", |_, _| Err("wrong overload".into()))
        .param(&ty(TypeId::Varchar))
        .returns(&ty(TypeId::BigInt));
    let set = ScalarFunctionSet::new("ffi_scalar")
        .overload(text)
        .unwrap()
        .overload(scalar(Arc::default()))
        .unwrap();
    conn.register(set).unwrap();
    assert_eq!(live(ledger::HandleKind::FunctionInfo), 2);
    assert_eq!(
        bigints(&conn, sql::SCALAR_OVER_RANGE).unwrap(),
        expected_scalar(0)
    );
    close(db, conn);
}

// --- aggregate functions ----------------------------------------------------------------------

/// `ffi_aggregate(x)`: the sum of x, counting its combines; panics in the step `panic_in`.
#[derive(Default)]
struct Sum {
    combines: Arc<AtomicUsize>,
    panic_in: Option<&'static str>,
}

impl Sum {
    fn step(&self, step: &str) {
        if self.panic_in == Some(step) {
            panic!("boom in {step}");
        }
    }
}

impl Aggregate for Sum {
    type State = i64;

    fn update(
        &self,
        input: &FunctionInput<'_>,
        states: &mut AggregateStates<'_, i64>,
    ) -> CallbackResult {
        self.step("update");
        let x = input.vector(0)?.values::<i64>()?;
        let values = (0..input.len())
            .map(|row| Ok(x.get(row)?.unwrap_or(0)))
            .collect::<crate::safe::Result<Vec<i64>>>()?;
        // Row by row for the first row, then the run loop (the model's states are unaligned).
        if let Some(&first) = values.first() {
            states.update(0, |sum| *sum += first)?;
        }
        states.for_each(|row, sum| {
            if row > 0 {
                *sum += values[row];
            }
        })?;
        Ok(())
    }

    fn combine(&self, source: &mut i64, target: &mut i64) -> CallbackResult {
        self.step("combine");
        self.combines.fetch_add(1, Ordering::Relaxed);
        *target += *source;
        Ok(())
    }

    fn finalize(&self, state: &mut i64, out: &mut VectorWriter<'_>, row: usize) -> CallbackResult {
        self.step("finalize");
        out.as_uninit_slice::<i64>()?[row].write(*state);
        Ok(())
    }
}

fn register_sum(conn: &Connection, sum: Sum) {
    let bigint = ty(TypeId::BigInt);
    let f = AggregateFunction::new("ffi_aggregate", sum)
        .param(&bigint)
        .returns(&bigint);
    conn.register(f).unwrap();
}

#[test]
fn aggregate_updates_combines_and_finalizes_its_states() {
    let _ledger = ledger_guard();
    let (db, conn) = open();
    let sum = Sum::default();
    let combines = sum.combines.clone();
    let states = created(ledger::HandleKind::AggregateState);
    register_sum(&conn, sum);
    assert_eq!(
        bigints(&conn, sql::AGGREGATE_OVER_RANGE).unwrap(),
        [Some(4999 * 5000 / 2)]
    );
    // Every state is dropped with the query.
    assert_eq!(live(ledger::HandleKind::AggregateState), 0);
    assert!(created(ledger::HandleKind::AggregateState) > states);
    // The model runs two threads' partial states into a global one.
    #[cfg(miri)]
    assert_eq!(combines.load(Ordering::Relaxed), 2);
    let _ = combines;
    close(db, conn);
}

#[test]
fn aggregate_panics_fail_the_query_and_drop_every_state() {
    let _ledger = ledger_guard();
    for step in ["update", "finalize"] {
        let (db, conn) = open();
        register_sum(
            &conn,
            Sum {
                panic_in: Some(step),
                ..Sum::default()
            },
        );
        let message = query_error(&conn, sql::AGGREGATE_OVER_RANGE);
        let needle = format!("aggregate `ffi_aggregate` panicked: boom in {step}");
        assert!(message.contains(&needle), "{message:?} lacks {needle:?}");
        assert_eq!(live(ledger::HandleKind::AggregateState), 0);
        close(db, conn);
    }
}

/// Combine only runs where partial states meet, which the model always does.
#[cfg(miri)]
#[test]
fn aggregate_combine_panic_fails_the_query() {
    let _ledger = ledger_guard();
    let (db, conn) = open();
    register_sum(
        &conn,
        Sum {
            panic_in: Some("combine"),
            ..Sum::default()
        },
    );
    let message = query_error(&conn, sql::AGGREGATE_OVER_RANGE);
    assert!(message.contains("boom in combine"), "{message:?}");
    close(db, conn);
}

// --- table functions --------------------------------------------------------------------------

/// `ffi_table(n, label := text)`: rows `i` (BIGINT, 0..n) and `s` (VARCHAR `label-i`, NULL
/// where `i % 5 == 0`); panics in the step `panic_in`.
#[derive(Default)]
struct Rows {
    panic_in: Option<&'static str>,
    scans: Arc<AtomicUsize>,
}

impl Rows {
    fn step(&self, step: &str) {
        if self.panic_in == Some(step) {
            panic!("boom in {step}");
        }
    }
}

impl TableScan for Rows {
    type Bind = (usize, String);
    type Init = AtomicUsize;
    type Local = usize;

    fn bind(&self, bind: &mut TableBind<'_>) -> CallbackResult<(usize, String)> {
        self.step("bind");
        let n = bind.parameter(0)?.get_i64()?;
        let label = match bind.named_parameter("label")? {
            Some(v) => v.get_str()?,
            None => "row".into(),
        };
        assert!(bind.named_parameter("absent")?.is_none());
        bind.add_result_column("i", &ty(TypeId::BigInt))?;
        bind.add_result_column("s", &ty(TypeId::Varchar))?;
        bind.set_cardinality(n as u64, true);
        Ok((n as usize, label))
    }

    fn init(&self, _: &(usize, String), init: &mut TableInit<'_>) -> CallbackResult<AtomicUsize> {
        self.step("init");
        assert_eq!(init.projected_columns(), [0, 1]);
        Ok(AtomicUsize::new(0))
    }

    fn local_init(&self, _: &(usize, String), _: &mut TableInit<'_>) -> CallbackResult<usize> {
        self.step("local_init");
        Ok(0)
    }

    fn scan(
        &self,
        (n, label): &(usize, String),
        next: &AtomicUsize,
        calls: &mut usize,
        out: &mut OutputChunk<'_>,
    ) -> CallbackResult {
        self.step("scan");
        *calls += 1;
        self.scans.fetch_add(1, Ordering::Relaxed);
        let first = next.fetch_add(out.capacity(), Ordering::Relaxed);
        let rows = n.saturating_sub(first).min(out.capacity());
        let mut i = out.column(0)?;
        for (row, slot) in i.as_uninit_slice::<i64>()?[..rows].iter_mut().enumerate() {
            slot.write((first + row) as i64);
        }
        let mut s = out.column(1)?;
        for row in 0..rows {
            match first + row {
                x if x % 5 == 0 => s.set_null(row)?,
                x => s.set_str(row, &format!("{label}-{x}"))?,
            }
        }
        out.set_len(rows)?;
        Ok(())
    }
}

fn register_rows(conn: &Connection, rows: Rows) {
    let f = TableFunction::new("ffi_table", rows)
        .param(&ty(TypeId::BigInt))
        .named_param("label", &ty(TypeId::Varchar))
        .unwrap()
        .named_param("absent", &ty(TypeId::Varchar))
        .unwrap();
    conn.register(f).unwrap();
}

#[test]
fn table_function_scans_until_an_empty_chunk() {
    let _ledger = ledger_guard();
    let (db, conn) = open();
    let rows = Rows::default();
    let scans = rows.scans.clone();
    let inits = created(ledger::HandleKind::InitData);
    register_rows(&conn, rows);
    let mut result = conn.query(sql::TABLE_SCAN).unwrap();
    assert_eq!(result.column_names().unwrap(), ["i", "s"]);
    let mut next = 0i64;
    for chunk in result.chunks() {
        let chunk = chunk.unwrap();
        let (i, s) = (chunk.vector(0).unwrap(), chunk.vector(1).unwrap());
        let (i, s) = (i.values::<i64>().unwrap(), s.strings().unwrap());
        for row in 0..chunk.len() {
            assert_eq!(i.get(row).unwrap(), Some(next));
            let text = (next % 5 != 0).then(|| format!("row-{next}"));
            assert_eq!(s.get(row).unwrap(), text.as_deref());
            next += 1;
        }
    }
    drop(result);
    assert_eq!(next, 5000);
    // Three full-or-partial chunks, then the empty one that ends the scan.
    assert!(scans.load(Ordering::Relaxed) >= 4, "{scans:?}");
    // Bind data and both init datas went with the query.
    assert_eq!(live(ledger::HandleKind::BindData), 0);
    assert_eq!(live(ledger::HandleKind::InitData), 0);
    assert!(created(ledger::HandleKind::InitData) >= inits + 2);
    close(db, conn);
}

#[test]
fn table_function_panics_fail_the_query_in_every_step() {
    let _ledger = ledger_guard();
    for step in ["bind", "init", "local_init", "scan"] {
        let (db, conn) = open();
        register_rows(
            &conn,
            Rows {
                panic_in: Some(step),
                ..Rows::default()
            },
        );
        let message = query_error(&conn, sql::TABLE_SCAN);
        let needle = format!("panicked: boom in {step}");
        assert!(message.contains(&needle), "{message:?} lacks {needle:?}");
        close(db, conn);
    }
}

// --- casts ------------------------------------------------------------------------------------

/// A BOOLEAN → DATE cast: true is day 1, false day 0 — or, with `refuse_false`, a row error.
fn cast(refuse_false: bool) -> CastFunction {
    CastFunction::new(
        &ty(TypeId::Boolean),
        &ty(TypeId::Date),
        move |input, out| {
            let values = input.vector().values::<bool>()?;
            for row in 0..out.len() {
                match values.get(row)? {
                    None => out.set_null(row)?,
                    Some(false) if refuse_false => {
                        input.row_error(row, "no date for false", out);
                        if !input.is_try_cast() {
                            return Err("no date for false".into());
                        }
                    }
                    Some(b) => {
                        out.as_uninit_slice::<Date>()?[row].write(Date { days: i32::from(b) });
                    }
                }
            }
            Ok(())
        },
    )
}

fn dates(conn: &Connection, query: &str) -> Result<Vec<Option<i32>>> {
    let mut result = conn.query(query)?;
    let mut rows = Vec::new();
    for chunk in result.chunks() {
        rows.extend(
            chunk?
                .vector(0)?
                .values::<Date>()?
                .iter()
                .map(|d| d.map(|d| d.days)),
        );
    }
    Ok(rows)
}

#[test]
fn cast_function_runs_for_cast_and_try_cast() {
    let _ledger = ledger_guard();
    let (db, conn) = open();
    conn.register(cast(false)).unwrap();
    assert_eq!(live(ledger::HandleKind::FunctionInfo), 1);
    for query in [sql::CAST_BOOLEAN_TO_DATE, sql::TRY_CAST_BOOLEAN_TO_DATE] {
        assert_eq!(dates(&conn, query).unwrap(), [Some(1), Some(0), None]);
    }
    close(db, conn);
}

#[test]
fn cast_row_errors_fail_a_cast_and_null_a_try_cast() {
    let _ledger = ledger_guard();
    let (db, conn) = open();
    conn.register(cast(true)).unwrap();
    let message = query_error(&conn, sql::CAST_BOOLEAN_TO_DATE);
    assert!(message.contains("no date for false"), "{message:?}");
    assert_eq!(
        dates(&conn, sql::TRY_CAST_BOOLEAN_TO_DATE).unwrap(),
        [Some(1), None, None]
    );
    close(db, conn);

    let (db, conn) = open();
    let panics = CastFunction::new(&ty(TypeId::Boolean), &ty(TypeId::Date), |_, _| {
        panic!("cast boom")
    });
    conn.register(panics).unwrap();
    let message = query_error(&conn, sql::CAST_BOOLEAN_TO_DATE);
    assert!(message.contains("panicked: cast boom"), "{message:?}");
    close(db, conn);
}

// --- replacement scans ------------------------------------------------------------------------

#[test]
fn replacement_scan_replaces_a_missing_table_until_the_database_closes() {
    let _ledger = ledger_guard();
    let (db, conn) = open();
    let asked = Arc::new(AtomicUsize::new(0));
    let counted = asked.clone();
    db.add_replacement_scan(move |name| {
        counted.fetch_add(1, Ordering::Relaxed);
        Ok((name == "ffi_replaced").then(|| Replacement {
            function: "range".into(),
            arguments: vec![Value::from(7i64)],
        }))
    });
    assert_eq!(live(ledger::HandleKind::FunctionInfo), 1);
    let rows = bigints(&conn, sql::REPLACED_TABLE).unwrap();
    assert_eq!(rows, (0..7).map(Some).collect::<Vec<_>>());
    assert!(asked.load(Ordering::Relaxed) >= 1);
    // The scan outlives the connection that used it.
    drop(conn);
    assert_eq!(live(ledger::HandleKind::FunctionInfo), 1);
    let conn = conn_of(&db);
    assert_eq!(bigints(&conn, sql::REPLACED_TABLE).unwrap().len(), 7);
    close(db, conn);
}

type ReplacementFn = fn(&str) -> CallbackResult<Option<Replacement>>;

#[test]
fn replacement_scan_errors_panics_and_refusals() {
    let _ledger = ledger_guard();
    let cases: [(ReplacementFn, &str); 3] = [
        (|_| Err("no such thing".into()), "no such thing"),
        (|_| panic!("replacement boom"), "panicked: replacement boom"),
        (|_| Ok(None), "ffi_replaced"),
    ];
    for (scan, needle) in cases {
        let (db, conn) = open();
        db.add_replacement_scan(scan);
        let message = query_error(&conn, sql::REPLACED_TABLE);
        assert!(message.contains(needle), "{message:?} lacks {needle:?}");
        close(db, conn);
    }
}

// --- the catalog ------------------------------------------------------------------------------

/// Registered callbacks belong to the database: they outlive the registering connection and
/// are dropped when the database closes, not before.
#[test]
fn every_kind_outlives_its_connection_and_dies_with_the_database() {
    let _ledger = ledger_guard();
    let db = Database::open_in_memory().unwrap();
    {
        let conn = conn_of(&db);
        conn.register(scalar(Arc::default())).unwrap();
        register_sum(&conn, Sum::default());
        register_rows(&conn, Rows::default());
        conn.register(cast(false)).unwrap();
        db.add_replacement_scan(|_| Ok(None));
    }
    assert_eq!(live(ledger::HandleKind::FunctionInfo), 5);
    let conn = conn_of(&db);
    assert_eq!(
        bigints(&conn, sql::SCALAR_OVER_RANGE).unwrap(),
        expected_scalar(0)
    );
    assert_eq!(
        bigints(&conn, sql::AGGREGATE_OVER_RANGE).unwrap(),
        [Some(12_497_500)]
    );
    assert_eq!(bigints(&conn, sql::TABLE_SCAN).unwrap().len(), 5000);
    assert_eq!(dates(&conn, sql::CAST_BOOLEAN_TO_DATE).unwrap().len(), 3);
    assert_eq!(live(ledger::HandleKind::FunctionInfo), 5);
    close(db, conn);
}

// --- injected bugs: Miri must fail (run by tests/miri_must_fail.sh) ---------------------------

#[cfg(miri)]
mod miri_must_fail {
    use super::*;
    use crate as ffi;
    use std::ffi::c_void;

    /// A delete callback that frees nothing: the model calls it when the database closes, and
    /// Miri reports the extra info as leaked.
    #[test]
    #[ignore = "must fail under Miri: leak"]
    fn skip_a_destroy_callback() {
        unsafe extern "C" fn forget(_: *mut c_void) {}
        unsafe extern "C" fn nothing(
            _: ffi::duckdb_function_info,
            _: ffi::duckdb_data_chunk,
            _: ffi::duckdb_vector,
        ) {
        }
        let (db, conn) = open();
        let bigint = ty(TypeId::BigInt);
        // SAFETY: live function, connection and type; deliberately unsound: `forget` never
        // frees the extra info it is given.
        unsafe {
            let mut f = ffi::duckdb_create_scalar_function();
            ffi::duckdb_scalar_function_set_name(f, c"ffi_scalar".as_ptr());
            ffi::duckdb_scalar_function_add_parameter(f, bigint.as_raw());
            ffi::duckdb_scalar_function_set_return_type(f, bigint.as_raw());
            ffi::duckdb_scalar_function_set_function(f, Some(nothing));
            let extra = Box::into_raw(Box::new(42u64)).cast::<c_void>();
            ffi::duckdb_scalar_function_set_extra_info(f, extra, Some(forget));
            assert_eq!(
                ffi::duckdb_register_scalar_function(conn.as_raw(), f),
                ffi::duckdb_state_DuckDBSuccess
            );
            ffi::duckdb_destroy_scalar_function(&mut f);
        }
        drop(conn);
        drop(db);
    }
}
