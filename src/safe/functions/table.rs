//! Table functions: a Rust source of rows, used in `FROM`.

use super::guard::{CallbackResult, catch, drop_handed, hand_over, handed};
use super::{Register, Registrar, name_error, registered};
use crate as ffi;
use crate::safe::error::{Error, Result};
use crate::safe::handle::{Counted, HandleKind, Owned, kind};
use crate::safe::types::LogicalType;
use crate::safe::values::Value;
use crate::safe::write::VectorWriter;
use std::ffi::{CString, c_void};
use std::marker::PhantomData;

/// The callbacks of a table function.
///
/// When a query names the function, DuckDB calls [`bind`](Self::bind) once to learn its
/// columns, [`init`](Self::init) once per scan, [`local_init`](Self::local_init) once per
/// thread of the scan, then [`scan`](Self::scan) on those threads until it produces an empty
/// chunk. Each returned value is dropped exactly once, when DuckDB is done with it.
pub trait TableScan: Send + Sync + 'static {
    /// What `bind` learns (arguments, schema), shared by every thread of every scan.
    type Bind: Send + Sync + 'static;
    /// The state of one scan, shared by its threads.
    type Init: Send + Sync + 'static;
    /// One thread's state within a scan.
    type Local: Send + 'static;

    /// Reads the arguments and declares the result columns
    /// ([`TableBind::add_result_column`]).
    fn bind(&self, bind: &mut TableBind<'_>) -> CallbackResult<Self::Bind>;

    /// Starts a scan ([`TableInit::projected_columns`] says which columns it must fill).
    fn init(&self, bind: &Self::Bind, init: &mut TableInit<'_>) -> CallbackResult<Self::Init>;

    /// Starts one thread's part of a scan.
    fn local_init(
        &self,
        bind: &Self::Bind,
        init: &mut TableInit<'_>,
    ) -> CallbackResult<Self::Local>;

    /// Fills `out` with the next rows; leaving it empty ends the scan (for this thread).
    fn scan(
        &self,
        bind: &Self::Bind,
        init: &Self::Init,
        local: &mut Self::Local,
        out: &mut OutputChunk<'_>,
    ) -> CallbackResult;
}

/// What [`TableScan::bind`] sees: the call's arguments, and the result schema it declares.
pub struct TableBind<'a> {
    info: ffi::duckdb_bind_info,
    _info: PhantomData<&'a ()>,
}

impl TableBind<'_> {
    /// Number of positional arguments.
    pub fn parameter_count(&self) -> usize {
        // SAFETY: live bind info during the bind callback.
        unsafe { ffi::duckdb_bind_get_parameter_count(self.info) as usize }
    }

    /// Positional argument `index`.
    pub fn parameter(&self, index: usize) -> Result<Value> {
        let count = self.parameter_count();
        if index >= count {
            return Err(Error::out_of_range("parameter", index, count));
        }
        // SAFETY: live bind info, index < count.
        let raw = unsafe { ffi::duckdb_bind_get_parameter(self.info, index as ffi::idx_t) };
        if raw.is_null() {
            return Err(Error::misuse(format!("parameter {index} has no value")));
        }
        // SAFETY: a non-null value the getter hands to the caller (src/c_api.md, "Getters").
        Ok(unsafe { Value::from_raw(raw) })
    }

    /// The named argument `name`, or `None` if the call left it out.
    pub fn named_parameter(&self, name: &str) -> Result<Option<Value>> {
        let c_name = CString::new(name)?;
        // SAFETY: live bind info; the value (null when absent) is owned by the caller.
        let raw = unsafe { ffi::duckdb_bind_get_named_parameter(self.info, c_name.as_ptr()) };
        if raw.is_null() {
            return Ok(None);
        }
        // SAFETY: a non-null value the getter hands to the caller (src/c_api.md, "Getters").
        Ok(Some(unsafe { Value::from_raw(raw) }))
    }

    /// Declares the next result column.
    pub fn add_result_column(&mut self, name: &str, ty: &LogicalType) -> Result<()> {
        let c_name = CString::new(name)?;
        // SAFETY: live bind info; name and type are copied.
        unsafe { ffi::duckdb_bind_add_result_column(self.info, c_name.as_ptr(), ty.as_raw()) };
        Ok(())
    }

    /// Tells the planner how many rows the function returns (`exact` if the number is sure).
    pub fn set_cardinality(&mut self, rows: u64, exact: bool) {
        // SAFETY: live bind info.
        unsafe { ffi::duckdb_bind_set_cardinality(self.info, rows, exact) };
    }
}

/// What [`TableScan::init`] and [`TableScan::local_init`] see.
pub struct TableInit<'a> {
    info: ffi::duckdb_init_info,
    _info: PhantomData<&'a ()>,
}

impl TableInit<'_> {
    /// The result columns the scan must fill, in output order (their indexes among the
    /// columns `bind` declared). All of them unless the function has
    /// [projection pushdown](TableFunction::projection_pushdown).
    pub fn projected_columns(&self) -> Vec<usize> {
        // SAFETY: live init info during the init callback; indexes < count.
        unsafe {
            let count = ffi::duckdb_init_get_column_count(self.info);
            (0..count)
                .map(|i| ffi::duckdb_init_get_column_index(self.info, i) as usize)
                .collect()
        }
    }

    /// Lets up to `threads` threads scan at once (from `init`; the default is 1).
    pub fn set_max_threads(&mut self, threads: usize) {
        // SAFETY: live init info.
        unsafe { ffi::duckdb_init_set_max_threads(self.info, threads as ffi::idx_t) };
    }
}

/// The chunk a [`TableScan::scan`] fills: one column per projected result column.
pub struct OutputChunk<'a> {
    chunk: ffi::duckdb_data_chunk,
    _chunk: PhantomData<&'a mut ()>,
}

impl OutputChunk<'_> {
    /// Rows the chunk can hold.
    pub fn capacity(&self) -> usize {
        // SAFETY: a plain getter.
        unsafe { ffi::duckdb_vector_size() as usize }
    }

    /// Number of columns.
    pub fn column_count(&self) -> usize {
        // SAFETY: live chunk during the scan callback.
        unsafe { ffi::duckdb_data_chunk_get_column_count(self.chunk) as usize }
    }

    /// A writer for column `index`, with [`capacity`](Self::capacity) rows.
    pub fn column(&mut self, index: usize) -> Result<VectorWriter<'_>> {
        let count = self.column_count();
        if index >= count {
            return Err(Error::out_of_range("column", index, count));
        }
        // SAFETY: live chunk, index < count; the vector is lent as long as `&mut self`, and a
        // fresh output chunk has room for `capacity` rows.
        unsafe {
            let vector = ffi::duckdb_data_chunk_get_vector(self.chunk, index as ffi::idx_t);
            Ok(VectorWriter::from_raw(vector, self.capacity()))
        }
    }

    /// Makes output column `index` refer to column `column` of `chunk` (no copy: the output
    /// shares the chunk's buffers, which stay alive as long as either uses them).
    pub(crate) fn reference_column(
        &mut self,
        index: usize,
        chunk: &crate::safe::read::DataChunk,
        column: usize,
    ) -> Result<()> {
        let count = self.column_count();
        if index >= count {
            return Err(Error::out_of_range("column", index, count));
        }
        if column >= chunk.column_count() {
            return Err(Error::out_of_range("column", column, chunk.column_count()));
        }
        // SAFETY: live chunks, indexes checked; DuckDB's reference shares the source's buffers
        // by reference count, so the output stays valid after `chunk` is destroyed.
        unsafe {
            let to = ffi::duckdb_data_chunk_get_vector(self.chunk, index as ffi::idx_t);
            let from = ffi::duckdb_data_chunk_get_vector(chunk.as_raw(), column as ffi::idx_t);
            ffi::duckdb_vector_reference_vector(to, from);
        }
        Ok(())
    }

    /// Sets the number of rows produced (0 ends the scan).
    pub fn set_len(&mut self, rows: usize) -> Result<()> {
        if rows > self.capacity() {
            return Err(Error::out_of_range("row count", rows, self.capacity() + 1));
        }
        // SAFETY: live chunk; rows <= capacity.
        unsafe { ffi::duckdb_data_chunk_set_size(self.chunk, rows as ffi::idx_t) };
        Ok(())
    }
}

/// A table function written in Rust, registered with
/// [`Connection::register`](crate::safe::Connection::register).
///
/// ```
/// use duckdb_ffi::safe::Database;
/// use duckdb_ffi::safe::functions::{CallbackResult, OutputChunk, TableBind};
/// use duckdb_ffi::safe::types::LogicalType;
/// use duckdb_ffi::safe::functions::{TableFunction, TableInit, TableScan};
/// use duckdb_ffi::safe::types::TypeId;
/// use std::sync::atomic::{AtomicI64, Ordering};
///
/// /// `count_to(n)`: the BIGINTs 1..=n.
/// struct CountTo;
///
/// impl TableScan for CountTo {
///     type Bind = i64;
///     type Init = AtomicI64;
///     type Local = ();
///     fn bind(&self, bind: &mut TableBind<'_>) -> CallbackResult<i64> {
///         bind.add_result_column("n", &LogicalType::new(TypeId::BigInt)?)?;
///         Ok(bind.parameter(0)?.get_i64()?)
///     }
///     fn init(&self, _: &i64, _: &mut TableInit<'_>) -> CallbackResult<AtomicI64> {
///         Ok(AtomicI64::new(1))
///     }
///     fn local_init(&self, _: &i64, _: &mut TableInit<'_>) -> CallbackResult<()> {
///         Ok(())
///     }
///     fn scan(&self, n: &i64, next: &AtomicI64, _: &mut (), out: &mut OutputChunk<'_>) -> CallbackResult {
///         let first = next.load(Ordering::Relaxed);
///         let rows = (n + 1 - first).clamp(0, out.capacity() as i64) as usize;
///         let mut column = out.column(0)?;
///         for (i, slot) in column.as_uninit_slice::<i64>()?[..rows].iter_mut().enumerate() {
///             slot.write(first + i as i64);
///         }
///         next.store(first + rows as i64, Ordering::Relaxed);
///         out.set_len(rows)?;
///         Ok(())
///     }
/// }
///
/// let conn = Database::open_in_memory()?.connect()?;
/// let f = TableFunction::new("count_to", CountTo).param(&LogicalType::new(TypeId::BigInt)?);
/// conn.register(f)?;
/// let sum = conn.query_row("SELECT sum(n) FROM count_to(5000)", (), |row| row.get::<i128>(0))?;
/// assert_eq!(sum, 5000 * 5001 / 2);
/// # Ok::<(), duckdb_ffi::safe::Error>(())
/// ```
///
/// A scan's shared state is used by several threads at once, so it must be `Sync`:
///
/// ```compile_fail,E0277
/// use duckdb_ffi::safe::functions::{CallbackResult, OutputChunk, TableBind, TableInit, TableScan};
/// struct Racy;
/// impl TableScan for Racy {
///     type Bind = ();
///     type Init = std::cell::Cell<u64>; // not Sync
///     type Local = ();
///     fn bind(&self, _: &mut TableBind<'_>) -> CallbackResult<()> { Ok(()) }
///     fn init(&self, _: &(), _: &mut TableInit<'_>) -> CallbackResult<Self::Init> { Ok(Default::default()) }
///     fn local_init(&self, _: &(), _: &mut TableInit<'_>) -> CallbackResult<()> { Ok(()) }
///     fn scan(&self, _: &(), _: &Self::Init, _: &mut (), _: &mut OutputChunk<'_>) -> CallbackResult { Ok(()) }
/// }
/// ```
pub struct TableFunction {
    handle: Owned<kind::TableFunction>,
    name: String,
}

impl std::fmt::Debug for TableFunction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TableFunction")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

// SAFETY: the C function object is a plain C++ value owned by this struct alone; the scan it
// holds is `Send + Sync`.
unsafe impl Send for TableFunction {}

/// The Rust side of a table function, handed to DuckDB as its extra info.
struct Callbacks<T> {
    name: String,
    scan: T,
}

impl TableFunction {
    /// A function named `name` whose rows come from `scan`.
    pub fn new<T: TableScan>(name: &str, scan: T) -> TableFunction {
        // SAFETY: creates a new function object, owned by `Owned` from here on.
        let handle = unsafe { Owned::from_raw(ffi::duckdb_create_table_function()) };
        let raw = handle.get();
        if let Ok(c_name) = CString::new(name) {
            // SAFETY: live function; the name is copied.
            unsafe { ffi::duckdb_table_function_set_name(raw, c_name.as_ptr()) };
        }
        let data = hand_over(
            HandleKind::FunctionInfo,
            Callbacks {
                name: name.to_owned(),
                scan,
            },
        );
        // SAFETY: live function. DuckDB owns `data` from here and destroys it once with
        // `drop_handed` when the last copy of the function goes (src/c_api.md, "Callbacks");
        // the callbacks match the C signatures and read the extra info as `Callbacks<T>`.
        unsafe {
            ffi::duckdb_table_function_set_extra_info(raw, data, Some(drop_handed::<Callbacks<T>>));
            ffi::duckdb_table_function_set_bind(raw, Some(bind::<T>));
            ffi::duckdb_table_function_set_init(raw, Some(init::<T>));
            ffi::duckdb_table_function_set_local_init(raw, Some(local_init::<T>));
            ffi::duckdb_table_function_set_function(raw, Some(scan_trampoline::<T>));
        }
        TableFunction {
            handle,
            name: name.to_owned(),
        }
    }

    /// Adds a positional parameter of type `ty`.
    pub fn param(self, ty: &LogicalType) -> TableFunction {
        // SAFETY: live function and type; the type is copied.
        unsafe { ffi::duckdb_table_function_add_parameter(self.handle.get(), ty.as_raw()) };
        self
    }

    /// Adds a named parameter (`f(name := value)`), optional in calls.
    pub fn named_param(self, name: &str, ty: &LogicalType) -> Result<TableFunction> {
        let c_name = CString::new(name)?;
        // SAFETY: live function and type; name and type are copied.
        unsafe {
            ffi::duckdb_table_function_add_named_parameter(
                self.handle.get(),
                c_name.as_ptr(),
                ty.as_raw(),
            )
        };
        Ok(self)
    }

    /// Lets DuckDB ask for only the columns a query uses: the output chunk then has one column
    /// per [`TableInit::projected_columns`] entry.
    pub fn projection_pushdown(self, on: bool) -> TableFunction {
        // SAFETY: live function.
        unsafe { ffi::duckdb_table_function_supports_projection_pushdown(self.handle.get(), on) };
        self
    }

    /// The function's name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Register for TableFunction {
    fn register_on(self, conn: Registrar) -> Result<()> {
        name_error("table function", &self.name)?;
        // SAFETY: live connection (the caller's) and function; DuckDB copies the function.
        let state = unsafe { ffi::duckdb_register_table_function(conn.raw(), self.handle.get()) };
        registered(state, "table function", &self.name)
    }
}

/// Hands a callback's result to DuckDB through `set` (with its destroy callback), or reports
/// its error through `fail`.
fn deliver<V: 'static>(
    outcome: std::result::Result<V, CString>,
    kind: HandleKind,
    set: impl FnOnce(*mut c_void, ffi::duckdb_delete_callback_t),
    fail: impl FnOnce(*const std::ffi::c_char),
) {
    match outcome {
        Ok(value) => set(hand_over(kind, value), Some(drop_handed::<V>)),
        Err(message) => fail(message.as_ptr()),
    }
}

unsafe extern "C" fn bind<T: TableScan>(info: ffi::duckdb_bind_info) {
    // SAFETY: the extra info set in `TableFunction::new::<T>`, alive while the function is.
    let callbacks = unsafe { handed::<Callbacks<T>>(ffi::duckdb_bind_get_extra_info(info)) };
    let outcome = catch(
        || format!("the bind of table function `{}`", callbacks.name),
        || {
            callbacks.scan.bind(&mut TableBind {
                info,
                _info: PhantomData,
            })
        },
    );
    deliver(
        outcome,
        HandleKind::BindData,
        // SAFETY: live bind info; DuckDB destroys the data once with the given callback.
        |data, destroy| unsafe { ffi::duckdb_bind_set_bind_data(info, data, destroy) },
        // SAFETY: live bind info; the message is copied.
        |message| unsafe { ffi::duckdb_bind_set_error(info, message) },
    );
}

/// What `init` and `local_init` share: runs `f` on the scan with the bind data, and hands its
/// result to DuckDB as the (global or local) init data, or reports its error.
///
/// # Safety
/// `info` is the init info of a function made by `TableFunction::new::<T>`, whose bind
/// succeeded (so its bind data is a `T::Bind`).
unsafe fn run_init<T: TableScan, V: 'static>(
    info: ffi::duckdb_init_info,
    what: &str,
    f: impl FnOnce(&T, &T::Bind, &mut TableInit<'_>) -> CallbackResult<V>,
) {
    // SAFETY: the caller's contract: the extra info and bind data this module set.
    let (callbacks, bind_data) = unsafe {
        (
            handed::<Callbacks<T>>(ffi::duckdb_init_get_extra_info(info)),
            handed::<T::Bind>(ffi::duckdb_init_get_bind_data(info)),
        )
    };
    let outcome = catch(
        || format!("the {what} of table function `{}`", callbacks.name),
        || {
            let mut init = TableInit {
                info,
                _info: PhantomData,
            };
            f(&callbacks.scan, bind_data, &mut init)
        },
    );
    deliver(
        outcome,
        HandleKind::InitData,
        // SAFETY: live init info; DuckDB destroys the data once with the given callback.
        |data, destroy| unsafe { ffi::duckdb_init_set_init_data(info, data, destroy) },
        // SAFETY: live init info; the message is copied.
        |message| unsafe { ffi::duckdb_init_set_error(info, message) },
    );
}

unsafe extern "C" fn init<T: TableScan>(info: ffi::duckdb_init_info) {
    // SAFETY: DuckDB only inits a scan whose bind succeeded.
    unsafe { run_init::<T, _>(info, "init", |scan, bind, init| scan.init(bind, init)) };
}

unsafe extern "C" fn local_init<T: TableScan>(info: ffi::duckdb_init_info) {
    // SAFETY: DuckDB only inits a scan whose bind succeeded.
    unsafe {
        run_init::<T, _>(info, "local init", |scan, bind, init| {
            scan.local_init(bind, init)
        })
    };
}

unsafe extern "C" fn scan_trampoline<T: TableScan>(
    info: ffi::duckdb_function_info,
    output: ffi::duckdb_data_chunk,
) {
    // SAFETY: the extra info, bind data, init data and local init data this module set for a
    // `TableFunction::new::<T>` (DuckDB only scans after all three succeeded). The local data
    // belongs to the one thread running this call, so it is lent mutably.
    let (callbacks, bind_data, init_data, local) = unsafe {
        (
            handed::<Callbacks<T>>(ffi::duckdb_function_get_extra_info(info)),
            handed::<T::Bind>(ffi::duckdb_function_get_bind_data(info)),
            handed::<T::Init>(ffi::duckdb_function_get_init_data(info)),
            &mut **ffi::duckdb_function_get_local_init_data(info).cast::<Counted<T::Local>>(),
        )
    };
    let outcome = catch(
        || format!("table function `{}`", callbacks.name),
        || {
            let mut out = OutputChunk {
                chunk: output,
                _chunk: PhantomData,
            };
            callbacks.scan.scan(bind_data, init_data, local, &mut out)
        },
    );
    if let Err(message) = outcome {
        // SAFETY: live function info; the message is copied.
        unsafe { ffi::duckdb_function_set_error(info, message.as_ptr()) };
    }
}
