//! Running the canned SQL that calls registered functions: the model drives their callbacks
//! the way DuckDB does (pinned sources, `src/main/capi/v1/*_function-c.cpp`,
//! `replacement_scan-c.cpp`), lending each callback an info object that lives for that call
//! only, and dropping every bind data, init data and aggregate state once.

use super::super::canned;
use super::catalog::Owned;
use super::engine::{Engine, Outcome};
use super::registry::{adopt, fail, reclaim, release};
use super::storage::VECTOR_SIZE;
use super::storage::{
    Buf, CHUNK, ChunkObj, VECTOR, VectorObj, build_vector, read_cell, writable_vector,
};
use super::ty::{Cell, Ty, simple};
use crate as ffi;
use std::cell::{Cell as StdCell, RefCell};
use std::ffi::{CString, c_void};

type Run = Result<Outcome, (ffi::duckdb_error_type, String)>;

/// Whether `sql` is one of the canned texts this module runs.
pub(super) fn is_function_sql(sql: &str) -> bool {
    [
        canned::SCALAR_OVER_RANGE,
        canned::AGGREGATE_OVER_RANGE,
        canned::TABLE_SCAN,
        canned::CAST_BOOLEAN_TO_DATE,
        canned::TRY_CAST_BOOLEAN_TO_DATE,
        canned::REPLACED_TABLE,
    ]
    .contains(&sql)
}

pub(super) fn run(engine: &Engine, sql: &str) -> Outcome {
    let outcome = match sql {
        canned::SCALAR_OVER_RANGE => scalar_over_range(engine),
        canned::AGGREGATE_OVER_RANGE => aggregate_over_range(engine),
        canned::TABLE_SCAN => table_scan(engine),
        canned::CAST_BOOLEAN_TO_DATE => cast_boolean_to_date(engine, false),
        canned::TRY_CAST_BOOLEAN_TO_DATE => cast_boolean_to_date(engine, true),
        canned::REPLACED_TABLE => replaced_table(engine),
        other => fail(format_args!("not a function SQL text: {other}")),
    };
    outcome.unwrap_or_else(|(code, message)| Outcome::error(code, message))
}

fn catalog_error(message: String) -> (ffi::duckdb_error_type, String) {
    (
        ffi::duckdb_error_type_DUCKDB_ERROR_CATALOG,
        format!("Catalog Error: {message}"),
    )
}

fn binder_error(message: &str) -> (ffi::duckdb_error_type, String) {
    (
        ffi::duckdb_error_type_DUCKDB_ERROR_BINDER,
        format!("Binder Error: {message}"),
    )
}

fn invalid_input(message: &str) -> (ffi::duckdb_error_type, String) {
    (
        ffi::duckdb_error_type_DUCKDB_ERROR_INVALID_INPUT,
        format!("Invalid Input Error: {message}"),
    )
}

fn bigint() -> Ty {
    simple(ffi::DUCKDB_TYPE_DUCKDB_TYPE_BIGINT)
}

/// Lends `info` to a callback as a registered object of `kind` for one call, then takes it
/// back (a callback that keeps the pointer is caught at its next use: the object is gone).
fn lend<T, R>(kind: &'static str, info: T, call: impl FnOnce(*mut c_void) -> R) -> (T, R) {
    let p = adopt(kind, info);
    let r = call(p.cast());
    // SAFETY: adopted above as a `T` of `kind`; the callback has returned.
    (
        unsafe { reclaim(p, kind, "the model, after a callback") },
        r,
    )
}

/// A chunk of the rows `cells` in one column of `ty`, lent to a callback as its input.
fn input_chunk(ty: &Ty, cells: &[Cell]) -> *mut ChunkObj {
    adopt(
        CHUNK,
        ChunkObj {
            vectors: vec![build_vector(ty, cells)],
            size: StdCell::new(cells.len()),
            owner: None,
        },
    )
}

/// Rows `0..rows` of a vector a callback filled.
///
/// # Safety
/// `v` is a live vector with `rows <= capacity`.
unsafe fn read_rows(v: *mut VectorObj, rows: usize) -> Vec<Cell> {
    // SAFETY: per the contract.
    (0..rows).map(|r| unsafe { read_cell(&*v, r) }).collect()
}

/// The first of RANGE's rows in each chunk DuckDB would hand a function, and the chunk's size.
fn range_chunks() -> impl Iterator<Item = (usize, usize)> {
    (0..5000)
        .step_by(VECTOR_SIZE)
        .map(|start| (start, VECTOR_SIZE.min(5000 - start)))
}

fn range_cells(start: usize, rows: usize) -> Vec<Cell> {
    (start..start + rows)
        .map(|i| Cell::Int(i as i128))
        .collect()
}

/// A callback registration checked was set (DuckDB would call a NULL pointer).
fn need<T>(callback: Option<T>, what: &str) -> T {
    callback.unwrap_or_else(|| {
        fail(format_args!(
            "{what} is not set, yet the function was registered"
        ))
    })
}

fn error_of(error: RefCell<Option<String>>) -> Option<String> {
    error.into_inner()
}

// ---------------------------------------------------------------------------------------------
// Scalar functions
// ---------------------------------------------------------------------------------------------

/// `CScalarFunctionBindData`: the bind data, its delete callback and its copy callback.
pub(super) struct BindData {
    pub(super) owned: Owned,
    pub(super) copy: StdCell<ffi::duckdb_copy_callback_t>,
}

impl BindData {
    fn empty() -> BindData {
        BindData {
            owned: Owned::empty(),
            copy: StdCell::new(None),
        }
    }

    /// `CScalarFunctionBindData::Copy`: without a copy callback the copy has no bind data.
    fn copy(&self) -> BindData {
        let copy = BindData::empty();
        if let Some(callback) = self.copy.get() {
            // SAFETY: the copy callback set with this bind data, given its data.
            let data = unsafe { callback(self.owned.data.get()) };
            copy.owned.set(data, self.owned.delete.get());
            copy.copy.set(Some(callback));
        }
        copy
    }
}

/// `CScalarFunctionInternalBindInfo`, behind a scalar function's `duckdb_bind_info`.
pub(super) struct ScalarBindInfo {
    pub(super) extra: *mut c_void,
    pub(super) args: Vec<Ty>,
    pub(super) data: BindData,
    pub(super) error: RefCell<Option<String>>,
}
pub(super) const SCALAR_BIND_INFO: &str = "bind info of a scalar function";

/// `CScalarFunctionInternalFunctionInfo`, behind a scalar function's `duckdb_function_info`.
pub(super) struct ScalarCallInfo {
    pub(super) extra: *mut c_void,
    pub(super) bind_data: *mut c_void,
    pub(super) error: RefCell<Option<String>>,
}
pub(super) const SCALAR_CALL_INFO: &str = "function info of a scalar function call";

fn scalar_over_range(engine: &Engine) -> Run {
    let args = [bigint()];
    let def = engine
        .catalog()
        .scalars
        .iter()
        .rev()
        .find(|f| f.name == "ffi_scalar" && f.accepts(&args))
        .cloned()
        .ok_or_else(|| {
            catalog_error("Scalar Function with name ffi_scalar does not exist!".into())
        })?;
    let info = &def.info;
    let returns = need(def.returns.clone(), "the return type");
    let function = need(info.function.get(), "the function callback");
    // CScalarFunctionBind: the bind callback, if any, fills fresh bind data.
    let mut bound = BindData::empty();
    if let Some(bind) = info.bind.get() {
        let bind_info = ScalarBindInfo {
            extra: info.extra.data.get(),
            args: args.to_vec(),
            data: bound,
            error: RefCell::new(None),
        };
        // SAFETY: the bind callback the function was registered with, given a live bind info.
        let (bind_info, ()) = lend(SCALAR_BIND_INFO, bind_info, |p| unsafe { bind(p.cast()) });
        bound = bind_info.data;
        if let Some(error) = error_of(bind_info.error) {
            return Err(binder_error(&error)); // the bind data is destroyed with the exception
        }
    }
    // DuckDB copies a bound expression (with its bind data) while planning; the copy runs and
    // the original goes with the planner's expression.
    let copy = bound.copy();
    drop(bound);
    let mut cells = Vec::with_capacity(5000);
    for (start, rows) in range_chunks() {
        let input = input_chunk(&args[0], &range_cells(start, rows));
        let output = writable_vector(&returns, VECTOR_SIZE);
        let call = ScalarCallInfo {
            extra: info.extra.data.get(),
            bind_data: copy.owned.data.get(),
            error: RefCell::new(None),
        };
        // SAFETY: the function callback, given a live info, the input chunk and an output
        // vector of the return type with room for a whole chunk.
        let (call, ()) = lend(SCALAR_CALL_INFO, call, |p| unsafe {
            function(p.cast(), input.cast(), output.cast())
        });
        let error = error_of(call.error);
        if error.is_none() {
            // SAFETY: the output vector has room for `rows` rows.
            cells.extend(unsafe { read_rows(output, rows) });
        }
        // SAFETY: made above, lent to the callback for its call only.
        unsafe {
            release(input, CHUNK, "the model, after a scalar function");
            release(output, VECTOR, "the model, after a scalar function");
        }
        if let Some(error) = error {
            return Err(invalid_input(&error));
        }
    }
    drop(copy);
    Ok(Outcome::rows(
        ffi::duckdb_statement_type_DUCKDB_STATEMENT_TYPE_SELECT,
        &[("n", returns)],
        vec![cells],
    ))
}

// ---------------------------------------------------------------------------------------------
// Aggregate functions
// ---------------------------------------------------------------------------------------------

/// `CAggregateExecuteInfo`, behind an aggregate callback's `duckdb_function_info`.
pub(super) struct AggregateCallInfo {
    pub(super) extra: *mut c_void,
    pub(super) error: RefCell<Option<String>>,
}
pub(super) const AGGREGATE_CALL_INFO: &str = "function info of an aggregate function call";

/// A state's memory: `size` bytes one byte past a 16-aligned allocation, because DuckDB makes
/// no alignment promise for aggregate states.
struct StateMemory(Buf);

impl StateMemory {
    fn new(size: usize) -> StateMemory {
        StateMemory(Buf::new(size + 1))
    }

    fn state(&self) -> ffi::duckdb_aggregate_state {
        // SAFETY: one byte into an allocation of size + 1 bytes.
        unsafe { self.0.ptr.add(1) }.cast()
    }
}

fn aggregate_over_range(engine: &Engine) -> Run {
    let args = [bigint()];
    let def = engine
        .catalog()
        .aggregates
        .iter()
        .rev()
        .find(|f| f.name == "ffi_aggregate" && f.params == args)
        .cloned()
        .ok_or_else(|| {
            catalog_error("Aggregate Function with name ffi_aggregate does not exist!".into())
        })?;
    let i = &def.info;
    let state_size = need(i.state_size.get(), "state_size");
    let init = need(i.init.get(), "init");
    let update = need(i.update.get(), "update");
    let combine = need(i.combine.get(), "combine");
    let finalize = need(i.finalize.get(), "finalize");
    let returns = need(def.returns.clone(), "the return type");
    // Each callback gets a fresh CAggregateExecuteInfo; an error it sets throws.
    let call = |f: &mut dyn FnMut(*mut c_void)| -> Result<(), String> {
        let info = AggregateCallInfo {
            extra: i.extra.data.get(),
            error: RefCell::new(None),
        };
        let (info, ()) = lend(AGGREGATE_CALL_INFO, info, f);
        error_of(info.error).map_or(Ok(()), Err)
    };
    let mut size = 0;
    // SAFETY: the state size callback, given a live info.
    call(&mut |p| size = unsafe { state_size(p.cast()) } as usize)
        .map_err(|e| invalid_input(&e))?;
    // States 0 (the global one) and 1, 2 (the partial states of two threads).
    let mut memory: Vec<StateMemory> = Vec::new();
    let mut result = Vec::new();
    let outcome = (|| -> Result<(), String> {
        for _ in 0..3 {
            memory.push(StateMemory::new(size));
            let state = memory[memory.len() - 1].state();
            // SAFETY: the init callback, given a live info and `size` bytes of state memory.
            call(&mut |p| unsafe { init(p.cast(), state) })?;
        }
        // Thread 1 takes chunks 0 and 2, thread 2 chunk 1; one state per input row.
        for (k, (start, rows)) in range_chunks().enumerate() {
            let state = memory[1 + k % 2].state();
            let mut states = vec![state; rows];
            let input = input_chunk(&args[0], &range_cells(start, rows));
            // SAFETY: the update callback, given a live info, the input chunk and one state
            // per row.
            let outcome =
                call(&mut |p| unsafe { update(p.cast(), input.cast(), states.as_mut_ptr()) });
            // SAFETY: made above, lent for the call only.
            unsafe { release(input, CHUNK, "the model, after an aggregate update") };
            outcome?;
        }
        for partial in [1, 2] {
            let (mut source, mut target) = ([memory[partial].state()], [memory[0].state()]);
            // SAFETY: the combine callback, given a live info and one source and one target.
            call(&mut |p| unsafe {
                combine(p.cast(), source.as_mut_ptr(), target.as_mut_ptr(), 1)
            })?;
        }
        let output = writable_vector(&returns, VECTOR_SIZE);
        let mut source = [memory[0].state()];
        // SAFETY: the finalize callback, given a live info, the global state and a result
        // vector with room for row 0.
        let outcome =
            call(&mut |p| unsafe { finalize(p.cast(), source.as_mut_ptr(), output.cast(), 1, 0) });
        if outcome.is_ok() {
            // SAFETY: the output has room for one row.
            result = unsafe { read_rows(output, 1) };
        }
        // SAFETY: made above, lent for the call only.
        unsafe { release(output, VECTOR, "the model, after an aggregate finalize") };
        outcome
    })();
    // Every state that was initialised is destroyed, on success and on error alike.
    if let Some(destroy) = i.destroy.get() {
        let mut states: Vec<_> = memory.iter().map(StateMemory::state).collect();
        // SAFETY: the destructor callback, given every state init wrote.
        unsafe { destroy(states.as_mut_ptr(), states.len() as ffi::idx_t) };
    }
    drop(memory);
    outcome.map_err(|e| invalid_input(&e))?;
    Ok(Outcome::rows(
        ffi::duckdb_statement_type_DUCKDB_STATEMENT_TYPE_SELECT,
        &[("n", returns)],
        vec![result],
    ))
}

// ---------------------------------------------------------------------------------------------
// Table functions
// ---------------------------------------------------------------------------------------------

/// `CTableInternalBindInfo`, behind a table function's `duckdb_bind_info`.
pub(super) struct TableBindInfo {
    pub(super) extra: *mut c_void,
    pub(super) params: Vec<(Ty, Cell)>,
    pub(super) named: Vec<(String, Ty, Cell)>,
    pub(super) columns: RefCell<Vec<(String, Ty)>>,
    pub(super) data: Owned,
    pub(super) error: RefCell<Option<String>>,
}
pub(super) const TABLE_BIND_INFO: &str = "bind info of a table function";

/// `CTableInternalInitInfo`, behind `duckdb_init_info`.
pub(super) struct TableInitInfo {
    pub(super) extra: *mut c_void,
    pub(super) bind_data: *mut c_void,
    pub(super) column_ids: Vec<u64>,
    pub(super) data: Owned,
    pub(super) max_threads: StdCell<u64>,
    pub(super) error: RefCell<Option<String>>,
}
pub(super) const TABLE_INIT_INFO: &str = "init info of a table function";

/// `CTableInternalFunctionInfo`, behind a table function's `duckdb_function_info`.
pub(super) struct TableCallInfo {
    pub(super) extra: *mut c_void,
    pub(super) bind_data: *mut c_void,
    pub(super) init_data: *mut c_void,
    pub(super) local_data: *mut c_void,
    pub(super) error: RefCell<Option<String>>,
}
pub(super) const TABLE_CALL_INFO: &str = "function info of a table function call";

fn table_scan(engine: &Engine) -> Run {
    let varchar = simple(ffi::DUCKDB_TYPE_DUCKDB_TYPE_VARCHAR);
    let def = engine
        .catalog()
        .tables
        .iter()
        .rev()
        .find(|f| f.name == "ffi_table")
        .cloned()
        .ok_or_else(|| {
            catalog_error("Table Function with name ffi_table does not exist!".into())
        })?;
    if def.params != [bigint()] {
        return Err(binder_error(
            "No function matches the given name and argument types 'ffi_table(INTEGER_LITERAL)'",
        ));
    }
    if !def.named.iter().any(|(n, t)| n == "label" && *t == varchar) {
        return Err(binder_error(
            "Invalid named parameter \"label\" for function ffi_table",
        ));
    }
    let i = &def.info;
    let (bind, init, function) = (
        need(i.bind.get(), "bind"),
        need(i.init.get(), "init"),
        need(i.function.get(), "the function callback"),
    );
    let extra = i.extra.data.get();
    let bind_info = TableBindInfo {
        extra,
        params: vec![(bigint(), Cell::Int(5000))],
        named: vec![("label".into(), varchar, Cell::Text(b"row".to_vec()))],
        columns: RefCell::new(Vec::new()),
        data: Owned::empty(),
        error: RefCell::new(None),
    };
    // SAFETY: the bind callback, given a live bind info.
    let (bind_info, ()) = lend(TABLE_BIND_INFO, bind_info, |p| unsafe { bind(p.cast()) });
    let bind_data = bind_info.data;
    if let Some(error) = error_of(bind_info.error) {
        return Err(binder_error(&error));
    }
    let columns = bind_info.columns.into_inner();
    if columns.is_empty() {
        return Err(binder_error(
            "Table function must return at least one column",
        ));
    }
    let init_info = || TableInitInfo {
        extra,
        bind_data: bind_data.data.get(),
        column_ids: (0..columns.len() as u64).collect(),
        data: Owned::empty(),
        max_threads: StdCell::new(1),
        error: RefCell::new(None),
    };
    // SAFETY: the init callback, given a live init info.
    let (global, ()) = lend(TABLE_INIT_INFO, init_info(), |p| unsafe { init(p.cast()) });
    if let Some(error) = error_of(global.error) {
        return Err(invalid_input(&error));
    }
    let global = global.data;
    let local = match i.local_init.get() {
        None => Owned::empty(),
        Some(local_init) => {
            // SAFETY: the local init callback, given a live init info.
            let (local, ()) = lend(TABLE_INIT_INFO, init_info(), |p| unsafe {
                local_init(p.cast())
            });
            if let Some(error) = error_of(local.error) {
                return Err(invalid_input(&error));
            }
            local.data
        }
    };
    let mut data: Vec<Vec<Cell>> = vec![Vec::new(); columns.len()];
    for calls in 0.. {
        if calls == 1000 {
            fail(format_args!(
                "the table function never returned an empty chunk"
            ));
        }
        let vectors = columns
            .iter()
            .map(|(_, t)| writable_vector(t, VECTOR_SIZE))
            .collect();
        let output = adopt(
            CHUNK,
            ChunkObj {
                vectors,
                size: StdCell::new(0),
                owner: None,
            },
        );
        let call = TableCallInfo {
            extra,
            bind_data: bind_data.data.get(),
            init_data: global.data.get(),
            local_data: local.data.get(),
            error: RefCell::new(None),
        };
        // SAFETY: the scan callback, given a live info and an empty output chunk.
        let (call, ()) = lend(TABLE_CALL_INFO, call, |p| unsafe {
            function(p.cast(), output.cast())
        });
        let error = error_of(call.error);
        // SAFETY: the chunk made above; its vectors hold `size` <= capacity rows.
        let rows = unsafe {
            let rows = (*output).size.get();
            if error.is_none() {
                for (column, &v) in data.iter_mut().zip(&(*output).vectors) {
                    column.extend(read_rows(v, rows));
                }
            }
            release(output, CHUNK, "the model, after a table function scan");
            rows
        };
        if let Some(error) = error {
            return Err(invalid_input(&error));
        }
        if rows == 0 {
            break;
        }
    }
    // The thread's local state goes when it finishes, the global state with the scan, the
    // bind data with the plan.
    drop(local);
    drop(global);
    drop(bind_data);
    let names: Vec<(&str, Ty)> = columns
        .iter()
        .map(|(n, t)| (n.as_str(), t.clone()))
        .collect();
    Ok(Outcome::rows(
        ffi::duckdb_statement_type_DUCKDB_STATEMENT_TYPE_SELECT,
        &names,
        data,
    ))
}

// ---------------------------------------------------------------------------------------------
// Casts
// ---------------------------------------------------------------------------------------------

/// `CCastExecuteInfo`, behind a cast's `duckdb_function_info`.
pub(super) struct CastCallInfo {
    pub(super) extra: *mut c_void,
    pub(super) try_cast: bool,
    pub(super) error: RefCell<Option<String>>,
}
pub(super) const CAST_CALL_INFO: &str = "function info of a cast call";

fn cast_boolean_to_date(engine: &Engine, try_cast: bool) -> Run {
    let boolean = simple(ffi::DUCKDB_TYPE_DUCKDB_TYPE_BOOLEAN);
    let date = simple(ffi::DUCKDB_TYPE_DUCKDB_TYPE_DATE);
    let (function, extra) = engine
        .catalog()
        .casts
        .iter()
        .rev()
        .find(|c| c.source == boolean && c.target == date)
        .map(|c| (c.function, c.extra.clone()))
        .ok_or_else(|| {
            (
                ffi::duckdb_error_type_DUCKDB_ERROR_CONVERSION,
                "Conversion Error: Unimplemented type for cast (BOOLEAN -> DATE)".to_string(),
            )
        })?;
    let cells = [Cell::Bool(true), Cell::Bool(false), Cell::Null];
    let input = build_vector(&boolean, &cells);
    let output = writable_vector(&date, VECTOR_SIZE);
    let call = CastCallInfo {
        extra: extra.data.get(),
        try_cast,
        error: RefCell::new(None),
    };
    // SAFETY: the cast callback, given a live info, the source rows and a target vector with
    // room for them.
    let (call, ok) = lend(CAST_CALL_INFO, call, |p| unsafe {
        function(
            p.cast(),
            cells.len() as ffi::idx_t,
            input.cast(),
            output.cast(),
        )
    });
    // A TRY_CAST ignores the outcome: the rows that failed are NULL.
    let rows = (ok || try_cast).then(|| unsafe {
        // SAFETY: the output has room for the rows.
        read_rows(output, cells.len())
    });
    // SAFETY: made above, lent for the call only.
    unsafe {
        release(input, VECTOR, "the model, after a cast");
        release(output, VECTOR, "the model, after a cast");
    }
    drop(extra);
    let Some(rows) = rows else {
        let message = error_of(call.error).unwrap_or_else(|| "the cast failed".into());
        return Err((
            ffi::duckdb_error_type_DUCKDB_ERROR_CONVERSION,
            format!("Conversion Error: {message}"),
        ));
    };
    Ok(Outcome::rows(
        ffi::duckdb_statement_type_DUCKDB_STATEMENT_TYPE_SELECT,
        &[("d", date)],
        vec![rows],
    ))
}

// ---------------------------------------------------------------------------------------------
// Replacement scans
// ---------------------------------------------------------------------------------------------

/// `CAPIReplacementScanInfo`, behind `duckdb_replacement_scan_info`.
pub(super) struct ReplacementInfo {
    pub(super) function: RefCell<String>,
    pub(super) params: RefCell<Vec<(Ty, Cell)>>,
    pub(super) error: RefCell<Option<String>>,
}
pub(super) const REPLACEMENT_INFO: &str = "replacement scan info";

fn replaced_table(engine: &Engine) -> Run {
    let scans: Vec<_> = engine
        .catalog()
        .replacements
        .iter()
        .map(|r| (r.callback, r.data))
        .collect();
    let table = CString::from(c"ffi_replaced");
    for (callback, data) in scans {
        let info = ReplacementInfo {
            function: RefCell::new(String::new()),
            params: RefCell::new(Vec::new()),
            error: RefCell::new(None),
        };
        // SAFETY: the replacement callback with its data, given a live info and the table name.
        let (info, ()) = lend(REPLACEMENT_INFO, info, |p| unsafe {
            callback(p.cast(), table.as_ptr(), data)
        });
        if let Some(error) = error_of(info.error).filter(|e| !e.is_empty()) {
            return Err(binder_error(&format!(
                "Error in replacement scan: {error}\n"
            )));
        }
        let function = info.function.into_inner();
        if function.is_empty() {
            continue; // this scan does not replace the name: the next one may
        }
        return match (function.as_str(), info.params.into_inner().as_slice()) {
            ("range", [(_, Cell::Int(n))]) => Ok(Outcome::rows(
                ffi::duckdb_statement_type_DUCKDB_STATEMENT_TYPE_SELECT,
                &[("range", bigint())],
                vec![(0..*n).map(Cell::Int).collect()],
            )),
            _ => Err(catalog_error(format!(
                "Table Function with name {function} does not exist! (the model replaces \
                 tables with range(n) only)"
            ))),
        };
    }
    Err(catalog_error(
        "Table with name ffi_replaced does not exist!".into(),
    ))
}
