//! The functions a database knows (its catalog), kept the way DuckDB keeps them: every
//! registered function is a copy of the C function object, and the copies share one function
//! info that holds the extra info and its delete callback (DuckDB's `shared_ptr` to
//! `CScalarFunctionInfo`, `CAggregateFunctionInfo`, `CTableFunctionInfo`). The delete callback
//! runs once, when the last copy goes: the C object (`duckdb_destroy_*`) or the catalog's copy
//! (when the database closes, after its last connection).
//!
//! Casts and replacement scans differ, as in DuckDB: registering a cast moves its extra info
//! into the database (`CCastFunctionUserData`), while the C cast object never deletes it; a
//! replacement scan's data belongs to the database from `duckdb_add_replacement_scan` on.

use super::ty::Ty;
use crate as ffi;
use std::cell::Cell as StdCell;
use std::ffi::c_void;
use std::ptr;
use std::sync::Arc;

/// Callback data and its delete callback, called once when this value is dropped (if both are
/// set), as DuckDB's destructors of `CScalarFunctionInfo`, `CScalarFunctionBindData`,
/// `CTableBindData`, `CTableInitData` and `CCastFunctionUserData` do.
pub(super) struct Owned {
    pub(super) data: StdCell<*mut c_void>,
    pub(super) delete: StdCell<ffi::duckdb_delete_callback_t>,
}

impl Owned {
    pub(super) fn new(data: *mut c_void, delete: ffi::duckdb_delete_callback_t) -> Owned {
        Owned {
            data: StdCell::new(data),
            delete: StdCell::new(delete),
        }
    }

    pub(super) fn empty() -> Owned {
        Owned::new(ptr::null_mut(), None)
    }

    pub(super) fn set(&self, data: *mut c_void, delete: ffi::duckdb_delete_callback_t) {
        self.data.set(data);
        self.delete.set(delete);
    }
}

// SAFETY: like the C++ structs it stands for, an `Owned` is not synchronised: it is set while
// one thread builds or binds a function and read afterwards, and the pointer it holds is the
// caller's to make thread-safe (the safe layer's callback data is `Send + Sync`). Miri reports
// any data race on it.
unsafe impl Send for Owned {}
// SAFETY: as above.
unsafe impl Sync for Owned {}

impl Drop for Owned {
    fn drop(&mut self) {
        let data = self.data.replace(ptr::null_mut());
        if let (false, Some(delete)) = (data.is_null(), self.delete.take()) {
            // SAFETY: the delete callback the caller set for this data; DuckDB calls it once,
            // and so does this drop.
            unsafe { delete(data) };
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Scalar functions
// ---------------------------------------------------------------------------------------------

/// `CScalarFunctionInfo`: shared by every copy of one scalar function.
pub(super) struct ScalarInfo {
    pub(super) extra: Owned,
    pub(super) bind: StdCell<ffi::duckdb_scalar_function_bind_t>,
    pub(super) function: StdCell<ffi::duckdb_scalar_function_t>,
}

// SAFETY: the callbacks are set while one thread builds the function, before it is registered,
// and only read afterwards (DuckDB's `CScalarFunctionInfo` is not synchronised either); Miri
// reports any data race.
unsafe impl Send for ScalarInfo {}
// SAFETY: as above.
unsafe impl Sync for ScalarInfo {}

/// A scalar function (the C object, a member of a set, or the catalog's copy).
#[derive(Clone)]
pub(super) struct ScalarDef {
    pub(super) name: String,
    pub(super) params: Vec<Ty>,
    pub(super) varargs: Option<Ty>,
    pub(super) returns: Option<Ty>,
    pub(super) info: Arc<ScalarInfo>,
}

impl ScalarDef {
    pub(super) fn new() -> ScalarDef {
        ScalarDef {
            name: String::new(),
            params: Vec::new(),
            varargs: None,
            returns: None,
            info: Arc::new(ScalarInfo {
                extra: Owned::empty(),
                bind: StdCell::new(None),
                function: StdCell::new(None),
            }),
        }
    }

    /// Whether DuckDB would register it (`duckdb_register_scalar_function_set`'s checks).
    pub(super) fn registrable(&self) -> bool {
        !self.name.is_empty()
            && self.info.function.get().is_some()
            && self.returns.as_ref().is_some_and(valid_type)
            && self.params.iter().all(valid_type)
    }

    /// Whether a call with arguments of `args` types binds to this function.
    pub(super) fn accepts(&self, args: &[Ty]) -> bool {
        let fixed = args.len().min(self.params.len());
        args[..fixed] == self.params[..fixed]
            && match &self.varargs {
                None => args.len() == self.params.len(),
                Some(ty) => {
                    args.len() >= self.params.len()
                        && args[fixed..].iter().all(|a| a == ty || ty.id() == ANY)
                }
            }
    }
}

const ANY: ffi::duckdb_type = ffi::DUCKDB_TYPE_DUCKDB_TYPE_ANY;

/// A type a function signature may hold: not INVALID (and, as a return type, not ANY).
pub(super) fn valid_type(ty: &Ty) -> bool {
    !matches!(
        ty.id(),
        ffi::DUCKDB_TYPE_DUCKDB_TYPE_INVALID | ffi::DUCKDB_TYPE_DUCKDB_TYPE_ANY
    )
}

// ---------------------------------------------------------------------------------------------
// Aggregate functions
// ---------------------------------------------------------------------------------------------

/// `CAggregateFunctionInfo`: shared by every copy of one aggregate function.
pub(super) struct AggregateInfo {
    pub(super) extra: Owned,
    pub(super) state_size: StdCell<ffi::duckdb_aggregate_state_size>,
    pub(super) init: StdCell<ffi::duckdb_aggregate_init_t>,
    pub(super) update: StdCell<ffi::duckdb_aggregate_update_t>,
    pub(super) combine: StdCell<ffi::duckdb_aggregate_combine_t>,
    pub(super) finalize: StdCell<ffi::duckdb_aggregate_finalize_t>,
    pub(super) destroy: StdCell<ffi::duckdb_aggregate_destroy_t>,
}

// SAFETY: as for `ScalarInfo`.
unsafe impl Send for AggregateInfo {}
// SAFETY: as for `ScalarInfo`.
unsafe impl Sync for AggregateInfo {}

#[derive(Clone)]
pub(super) struct AggregateDef {
    pub(super) name: String,
    pub(super) params: Vec<Ty>,
    pub(super) returns: Option<Ty>,
    pub(super) info: Arc<AggregateInfo>,
}

impl AggregateDef {
    pub(super) fn new() -> AggregateDef {
        AggregateDef {
            name: String::new(),
            params: Vec::new(),
            returns: None,
            info: Arc::new(AggregateInfo {
                extra: Owned::empty(),
                state_size: StdCell::new(None),
                init: StdCell::new(None),
                update: StdCell::new(None),
                combine: StdCell::new(None),
                finalize: StdCell::new(None),
                destroy: StdCell::new(None),
            }),
        }
    }

    pub(super) fn registrable(&self) -> bool {
        let i = &self.info;
        !self.name.is_empty()
            && i.update.get().is_some()
            && i.combine.get().is_some()
            && i.finalize.get().is_some()
            && self.returns.as_ref().is_some_and(valid_type)
            && self.params.iter().all(valid_type)
    }
}

// ---------------------------------------------------------------------------------------------
// Table functions
// ---------------------------------------------------------------------------------------------

/// `CTableFunctionInfo`: shared by every copy of one table function.
pub(super) struct TableInfo {
    pub(super) extra: Owned,
    pub(super) bind: StdCell<ffi::duckdb_table_function_bind_t>,
    pub(super) init: StdCell<ffi::duckdb_table_function_init_t>,
    pub(super) local_init: StdCell<ffi::duckdb_table_function_init_t>,
    pub(super) function: StdCell<ffi::duckdb_table_function_t>,
}

// SAFETY: as for `ScalarInfo`.
unsafe impl Send for TableInfo {}
// SAFETY: as for `ScalarInfo`.
unsafe impl Sync for TableInfo {}

#[derive(Clone)]
pub(super) struct TableDef {
    pub(super) name: String,
    pub(super) params: Vec<Ty>,
    pub(super) named: Vec<(String, Ty)>,
    pub(super) info: Arc<TableInfo>,
}

impl TableDef {
    pub(super) fn new() -> TableDef {
        TableDef {
            name: String::new(),
            params: Vec::new(),
            named: Vec::new(),
            info: Arc::new(TableInfo {
                extra: Owned::empty(),
                bind: StdCell::new(None),
                init: StdCell::new(None),
                local_init: StdCell::new(None),
                function: StdCell::new(None),
            }),
        }
    }

    pub(super) fn registrable(&self) -> bool {
        let i = &self.info;
        !self.name.is_empty()
            && i.bind.get().is_some()
            && i.init.get().is_some()
            && i.function.get().is_some()
            && self.params.iter().all(valid_type)
            && self.named.iter().all(|(_, t)| valid_type(t))
    }
}

// ---------------------------------------------------------------------------------------------
// Casts and replacement scans
// ---------------------------------------------------------------------------------------------

/// A registered cast: its extra info moved into the database (`CCastFunctionUserData`, shared
/// by the copies of the bound cast).
pub(super) struct CastEntry {
    pub(super) source: Ty,
    pub(super) target: Ty,
    pub(super) function: unsafe extern "C" fn(
        ffi::duckdb_function_info,
        ffi::idx_t,
        ffi::duckdb_vector,
        ffi::duckdb_vector,
    ) -> bool,
    pub(super) extra: Arc<Owned>,
}

/// `CAPIReplacementScanData`: its delete callback runs when the database closes, even for
/// NULL data (as DuckDB's destructor does).
pub(super) struct ReplacementEntry {
    pub(super) callback: unsafe extern "C" fn(
        ffi::duckdb_replacement_scan_info,
        *const std::ffi::c_char,
        *mut c_void,
    ),
    pub(super) data: *mut c_void,
    pub(super) delete: ffi::duckdb_delete_callback_t,
}

// SAFETY: the data is the caller's, handed to the database (the safe layer's is `Send + Sync`);
// the entry is only reached under the catalog's lock.
unsafe impl Send for ReplacementEntry {}

impl Drop for ReplacementEntry {
    fn drop(&mut self) {
        if let Some(delete) = self.delete {
            // SAFETY: the delete callback given with this data to duckdb_add_replacement_scan,
            // called once, when the database goes.
            unsafe { delete(self.data) };
        }
    }
}

/// What a database knows besides its tables.
#[derive(Default)]
pub(super) struct Catalog {
    pub(super) scalars: Vec<ScalarDef>,
    pub(super) aggregates: Vec<AggregateDef>,
    pub(super) tables: Vec<TableDef>,
    pub(super) casts: Vec<CastEntry>,
    pub(super) replacements: Vec<ReplacementEntry>,
}
