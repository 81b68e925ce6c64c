//! The one ownership primitive: [`Owned<K>`] holds a C handle of kind `K` and destroys it
//! exactly once, in its `Drop`, with the destroy function `K` names.
//!
//! Every owned handle in the safe layer passes through here, so this is the only place a
//! `duckdb_destroy_*` (or `duckdb_close`, `duckdb_disconnect`) call happens, and the only place
//! handles are counted; the public [ledger](super::ledger) reads those counts.

use crate as ffi;
use std::cell::UnsafeCell;
use std::marker::PhantomData;
use std::sync::atomic::{AtomicU64, Ordering};

/// A kind of owned C handle: its raw type and its destroy function.
///
/// # Safety
/// `destroy` must be the function that releases a handle of this kind (per
/// src/c_api.md) and must tolerate being handed a handle that is null or zeroed.
pub unsafe trait Kind {
    /// The C type as it is passed to the destroy function behind a pointer.
    type Raw;
    /// Position in the ledger.
    const KIND: HandleKind;
    /// Releases the handle.
    ///
    /// # Safety
    /// `raw` must point to a live handle of this kind that nobody else will destroy.
    unsafe fn destroy(raw: *mut Self::Raw);
}

/// Declares one zero-sized kind per C handle type, with its destroy function, and the
/// [`HandleKind`] enum the ledger counts by.
macro_rules! kinds {
    (
        handles { $( $(#[$doc:meta])* $kind:ident($raw:ty) => |$r:ident| $destroy:expr; )* }
        data { $( $(#[$ddoc:meta])* $data:ident; )* }
    ) => {
        /// The kinds the ledger counts: C handles the safe layer owns, then Rust values it
        /// hands to DuckDB, which DuckDB destroys through a callback.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum HandleKind {
            $( $(#[$doc])* $kind, )*
            $( $(#[$ddoc])* $data, )*
        }

        impl HandleKind {
            /// Every kind, in ledger order.
            pub const ALL: &'static [HandleKind] =
                &[$(HandleKind::$kind,)* $(HandleKind::$data,)*];

            /// The kind's name as the ledger prints it.
            pub fn name(self) -> &'static str {
                match self {
                    $(HandleKind::$kind => stringify!($kind),)*
                    $(HandleKind::$data => stringify!($data),)*
                }
            }
        }

        /// Zero-sized markers naming each handle type and its destroy function.
        pub mod kind {
            use super::*;
            $( kind!($(#[$doc])* $kind($raw) => |$r| $destroy); )*
        }
    };
}

macro_rules! kind {
    ($(#[$doc:meta])* $kind:ident($raw:ty) => |$r:ident| $destroy:expr) => {
        $(#[$doc])*
        pub enum $kind {}
        // SAFETY: each destroy function below is the one the C API reference (src/c_api.md, "Handles") names for this
        // handle type ("Handles" table), and all of them accept a null or zeroed handle.
        unsafe impl Kind for $kind {
            type Raw = $raw;
            const KIND: HandleKind = HandleKind::$kind;
            unsafe fn destroy($r: *mut $raw) {
                // SAFETY: forwarded from the caller's contract.
                #[allow(unused_unsafe)]
                unsafe { $destroy }
            }
        }
    };
}

kinds! {
    handles {
        /// `duckdb_database`, released by `duckdb_close`.
        Database(ffi::duckdb_database) => |r| ffi::duckdb_close(r);
        /// `duckdb_config`, released by `duckdb_destroy_config`.
        Config(ffi::duckdb_config) => |r| ffi::duckdb_destroy_config(r);
        /// `duckdb_connection`, released by `duckdb_disconnect`.
        Connection(ffi::duckdb_connection) => |r| ffi::duckdb_disconnect(r);
        /// `duckdb_result` (a struct), released by `duckdb_destroy_result`.
        Result(ffi::duckdb_result) => |r| ffi::duckdb_destroy_result(r);
        /// `duckdb_prepared_statement`, released by `duckdb_destroy_prepare`.
        PreparedStatement(ffi::duckdb_prepared_statement) => |r| ffi::duckdb_destroy_prepare(r);
        /// `duckdb_extracted_statements`, released by `duckdb_destroy_extracted`.
        ExtractedStatements(ffi::duckdb_extracted_statements) => |r| ffi::duckdb_destroy_extracted(r);
        /// `duckdb_pending_result`, released by `duckdb_destroy_pending`.
        PendingResult(ffi::duckdb_pending_result) => |r| ffi::duckdb_destroy_pending(r);
        /// `duckdb_appender`, released by `duckdb_appender_destroy` (which flushes first; its
        /// state is ignored here because `Appender::close` is where flush errors are reported).
        Appender(ffi::duckdb_appender) => |r| { ffi::duckdb_appender_destroy(r); };
        /// `duckdb_data_chunk`, released by `duckdb_destroy_data_chunk`.
        DataChunk(ffi::duckdb_data_chunk) => |r| ffi::duckdb_destroy_data_chunk(r);
        /// `duckdb_value`, released by `duckdb_destroy_value`.
        Value(ffi::duckdb_value) => |r| ffi::duckdb_destroy_value(r);
        /// `duckdb_logical_type`, released by `duckdb_destroy_logical_type`.
        LogicalType(ffi::duckdb_logical_type) => |r| ffi::duckdb_destroy_logical_type(r);
        /// `duckdb_error_data`, released by `duckdb_destroy_error_data`.
        ErrorData(ffi::duckdb_error_data) => |r| ffi::duckdb_destroy_error_data(r);
        /// `duckdb_scalar_function`, released by `duckdb_destroy_scalar_function`.
        ScalarFunction(ffi::duckdb_scalar_function) => |r| ffi::duckdb_destroy_scalar_function(r);
        /// `duckdb_scalar_function_set`, released by `duckdb_destroy_scalar_function_set`.
        ScalarFunctionSet(ffi::duckdb_scalar_function_set) => |r| ffi::duckdb_destroy_scalar_function_set(r);
        /// `duckdb_aggregate_function`, released by `duckdb_destroy_aggregate_function`.
        AggregateFunction(ffi::duckdb_aggregate_function) => |r| ffi::duckdb_destroy_aggregate_function(r);
        /// `duckdb_table_function`, released by `duckdb_destroy_table_function`.
        TableFunction(ffi::duckdb_table_function) => |r| ffi::duckdb_destroy_table_function(r);
        /// `duckdb_cast_function`, released by `duckdb_destroy_cast_function`.
        CastFunction(ffi::duckdb_cast_function) => |r| ffi::duckdb_destroy_cast_function(r);
        /// `duckdb_selection_vector`, released by `duckdb_destroy_selection_vector`.
        SelectionVector(ffi::duckdb_selection_vector) => |r| ffi::duckdb_destroy_selection_vector(*r);
        /// `duckdb_arrow_options`, released by `duckdb_destroy_arrow_options`.
        ArrowOptions(ffi::duckdb_arrow_options) => |r| ffi::duckdb_destroy_arrow_options(r);
        /// `duckdb_arrow_converted_schema`, released by `duckdb_destroy_arrow_converted_schema`.
        ArrowConvertedSchema(ffi::duckdb_arrow_converted_schema) => |r| ffi::duckdb_destroy_arrow_converted_schema(r);
    }
    data {
        /// A function's Rust callbacks (its extra info), destroyed when DuckDB drops the last
        /// copy of the function: at database close for a registered one.
        FunctionInfo;
        /// What a bind callback returned, and each copy DuckDB makes of it.
        BindData;
        /// What a table function's global or local init returned.
        InitData;
        /// One aggregate state (a group's or a thread's).
        AggregateState;
        /// An Arrow C schema (`ArrowSchema`) whose release callback has not run yet.
        ArrowSchema;
        /// An Arrow C array (`ArrowArray`) whose release callback has not run yet.
        ArrowArray;
        /// An Arrow C stream (`ArrowArrayStream`) whose release callback has not run yet.
        ArrowStream;
    }

}

/// An owned C handle of kind `K`, destroyed exactly once when dropped.
///
/// The handle sits in an `UnsafeCell` because several C functions take `T*` even to read
/// (`duckdb_column_count(duckdb_result *)`), and because that makes `Owned` neither `Send`
/// nor `Sync`: each public wrapper states its own thread rules.
pub struct Owned<K: Kind> {
    raw: UnsafeCell<K::Raw>,
    /// Zero-sized unless the `leak-trace` feature records this handle's creation site.
    trace: Trace,
    _kind: PhantomData<K>,
}

impl<K: Kind> Owned<K> {
    /// Takes ownership of `raw`, counting it in the ledger.
    ///
    /// # Safety
    /// `raw` must be a handle of kind `K`, freshly created (or handed over) and destroyed by
    /// nobody else. A null or zeroed handle is allowed (the destroy functions accept it); the
    /// safe layer only wraps one after an error path where the C API still requires destroy.
    pub unsafe fn from_raw(raw: K::Raw) -> Self {
        let trace = created(K::KIND);
        Owned {
            raw: UnsafeCell::new(raw),
            trace,
            _kind: PhantomData,
        }
    }

    /// Pointer to the handle, for C functions that take `T*` (read or write).
    pub fn as_ptr(&self) -> *mut K::Raw {
        self.raw.get()
    }
}

impl<K: Kind> Owned<K>
where
    K::Raw: Copy,
{
    /// The handle itself, for C functions that take it by value.
    pub fn get(&self) -> K::Raw {
        // SAFETY: the cell is only written by `Drop`, which has exclusive access.
        unsafe { *self.raw.get() }
    }
}

impl<K: Kind> Owned<K>
where
    K::Raw: Copy,
{
    /// Gives the handle up without destroying it: the ledger counts it as gone, and whoever
    /// takes it must destroy it.
    pub fn into_raw(self) -> K::Raw {
        let this = std::mem::ManuallyDrop::new(self);
        destroyed(K::KIND, &this.trace);
        this.get()
    }
}

impl<K: Kind> Drop for Owned<K> {
    fn drop(&mut self) {
        let _span = match K::KIND {
            HandleKind::Database => Some(super::trace::close_database()),
            HandleKind::Connection => Some(super::trace::disconnect()),
            _ => None,
        };
        // SAFETY: `from_raw`'s contract makes this the handle's only owner, and `drop` runs
        // once; the destroy function nulls the handle and accepts null.
        unsafe { K::destroy(self.raw.get()) };
        destroyed(K::KIND, &self.trace);
    }
}

impl<K: Kind> std::fmt::Debug for Owned<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Owned<{:?}>", K::KIND)
    }
}

/// A Rust value handed to DuckDB as callback data, counted in the ledger under a data kind
/// from creation until it is dropped. DuckDB holds it behind a raw pointer and gives it back
/// to a destroy callback, which drops it: a value DuckDB never destroys stays live here.
pub struct Counted<T> {
    value: T,
    kind: HandleKind,
    trace: Trace,
}

impl<T> Counted<T> {
    /// Counts `value` as a live `kind` (one of the data kinds).
    pub fn new(kind: HandleKind, value: T) -> Counted<T> {
        let trace = created(kind);
        Counted { value, kind, trace }
    }
}

impl<T> std::ops::Deref for Counted<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T> std::ops::DerefMut for Counted<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.value
    }
}

impl<T> Drop for Counted<T> {
    fn drop(&mut self) {
        destroyed(self.kind, &self.trace);
    }
}

const KINDS: usize = HandleKind::ALL.len();
static CREATED: [AtomicU64; KINDS] = [const { AtomicU64::new(0) }; KINDS];
static DESTROYED: [AtomicU64; KINDS] = [const { AtomicU64::new(0) }; KINDS];

/// Handles of `kind` created and destroyed since the process started, read so that a handle
/// destroyed after the read was also created after it (destroyed is read first).
pub(crate) fn counts(kind: HandleKind) -> (u64, u64) {
    let destroyed = DESTROYED[kind as usize].load(Ordering::SeqCst);
    let created = CREATED[kind as usize].load(Ordering::SeqCst);
    (created, destroyed)
}

/// What [`Owned`] keeps besides the counts: with the `leak-trace` feature, the id under which
/// its creation backtrace is stored; without it, nothing (a zero-sized value, so the feature
/// costs nothing when off).
#[derive(Debug)]
struct Trace {
    #[cfg(feature = "leak-trace")]
    id: u64,
}

// Without the feature, `Owned` carries nothing extra.
#[cfg(not(feature = "leak-trace"))]
const _: () = assert!(std::mem::size_of::<Trace>() == 0);

/// Counts a new handle (and, with `leak-trace`, records where it was created).
#[inline]
fn created(kind: HandleKind) -> Trace {
    CREATED[kind as usize].fetch_add(1, Ordering::SeqCst);
    Trace {
        #[cfg(feature = "leak-trace")]
        id: backtraces::record(kind),
    }
}

/// Counts a destroyed handle (and, with `leak-trace`, forgets its creation backtrace).
#[inline]
fn destroyed(kind: HandleKind, trace: &Trace) {
    #[cfg(feature = "leak-trace")]
    backtraces::forget(trace.id);
    #[cfg(not(feature = "leak-trace"))]
    let _ = trace;
    DESTROYED[kind as usize].fetch_add(1, Ordering::SeqCst);
}

#[cfg(feature = "leak-trace")]
pub(crate) use backtraces::live as live_backtraces;

#[cfg(feature = "leak-trace")]
mod backtraces {
    //! Creation backtraces of live handles, keyed by a per-handle id.

    use super::HandleKind;
    use std::backtrace::Backtrace;
    use std::collections::BTreeMap;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::{Arc, Mutex, PoisonError};

    static NEXT_ID: AtomicU64 = AtomicU64::new(0);
    static LIVE: Mutex<BTreeMap<u64, (HandleKind, Arc<Backtrace>)>> = Mutex::new(BTreeMap::new());

    /// Records the caller's stack for a new handle and returns the handle's id.
    pub(super) fn record(kind: HandleKind) -> u64 {
        // Captured before taking the lock: unwinding is the slow part.
        let backtrace = Arc::new(Backtrace::force_capture());
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        LIVE.lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(id, (kind, backtrace));
        id
    }

    /// Forgets a destroyed handle.
    pub(super) fn forget(id: u64) {
        LIVE.lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&id);
    }

    /// The live handles' backtraces, copied out so that symbol resolution (slow) runs
    /// without the lock.
    pub(crate) fn live() -> Vec<(HandleKind, Arc<Backtrace>)> {
        LIVE.lock()
            .unwrap_or_else(PoisonError::into_inner)
            .values()
            .cloned()
            .collect()
    }
}
