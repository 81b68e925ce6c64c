//! Callbacks: Rust code that DuckDB calls — scalar functions (and overloads), aggregate
//! functions with a Rust state, table functions, cast functions and replacement scans.
//!
//! Each is built as a Rust value and handed to
//! [`Connection::register`](crate::safe::Connection::register) (replacement scans to
//! [`Database::add_replacement_scan`](crate::safe::Database::add_replacement_scan)).
//!
//! # Ownership
//!
//! Every Rust value given to DuckDB — a function's closures or trait object (its extra info),
//! what a bind or init callback returns, every aggregate state — is boxed, counted in the
//! [ledger](crate::safe::ledger) under its own kind (`FunctionInfo`, `BindData`, `InitData`,
//! `AggregateState`) and dropped exactly once by the destroy callback DuckDB calls for it. A
//! registered function lives in the database's catalog, so it keeps working after the Rust
//! registration value is dropped and after the registering connection is closed; its callbacks
//! are dropped when the database closes.
//!
//! # Panics
//!
//! No panic ever unwinds into DuckDB. In every callback that can report an error — a scalar
//! function and its bind, an aggregate's update, combine and finalize, a table function's
//! bind, init, local init and scan, a cast, a replacement scan — an error the callback returns
//! or a panic becomes the error of the query, with the message (a panic's message is prefixed
//! with the callback it came from and "panicked:"), and the process keeps running.
//!
//! Callbacks that cannot report an error catch a panic too, print it on stderr, count it in
//! [`ledger::swallowed_panics`](crate::safe::ledger::swallowed_panics) and return as if they
//! had finished:
//! - destroy callbacks: dropping a function's callbacks, bind data, init data or an aggregate
//!   state (a panicking `Drop` of a value you handed over);
//! - the copy callback of a scalar function's bind data (a copy that panicked has no bind
//!   data);
//! - an aggregate's state initialisation (`Default::default()` of the state) — a state that
//!   could not be created makes the later update report the error instead.
//!
//! # Threads
//!
//! DuckDB runs callbacks on its worker threads, several at once: closures and trait objects
//! must be `Send + Sync`, bind and init data `Send + Sync`, aggregate states and table local
//! state `Send`.

mod aggregate;
mod cast;
mod guard;
mod replacement;
mod scalar;
mod table;

pub use aggregate::{Aggregate, AggregateFunction, AggregateStates};
pub use cast::{CastFunction, CastInput, TypeAlias};
pub use guard::CallbackResult;
pub use replacement::Replacement;
pub(crate) use replacement::install as install_replacement_scan;
pub use scalar::{FunctionInput, ScalarBind, ScalarFunction, ScalarFunctionSet};
pub use table::{OutputChunk, TableBind, TableFunction, TableInit, TableScan};

use crate as ffi;
use crate::safe::error::{Error, Result};

/// Something [`Connection::register`](crate::safe::Connection::register) can register: a
/// [`ScalarFunction`], [`ScalarFunctionSet`], [`AggregateFunction`], [`TableFunction`],
/// [`CastFunction`] or [`TypeAlias`].
pub trait Register: sealed::Sealed {
    #[doc(hidden)]
    fn register_on(self, conn: Registrar) -> Result<()>;
}

/// A live connection lent to [`Register::register_on`]; only the crate can make one, so the
/// trait method cannot be handed a dangling pointer.
#[doc(hidden)]
#[derive(Debug)]
pub struct Registrar(ffi::duckdb_connection);

impl Registrar {
    /// # Safety
    /// `conn` must be a live connection for as long as the `Registrar` is used.
    pub(crate) unsafe fn new(conn: ffi::duckdb_connection) -> Registrar {
        Registrar(conn)
    }

    fn raw(&self) -> ffi::duckdb_connection {
        self.0
    }
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::ScalarFunction {}
    impl Sealed for super::ScalarFunctionSet {}
    impl Sealed for super::AggregateFunction {}
    impl Sealed for super::TableFunction {}
    impl Sealed for super::CastFunction {}
    impl Sealed for super::TypeAlias {}
}

/// A function name DuckDB would refuse (empty, or with a NUL byte), as an error.
fn name_error(what: &str, name: &str) -> Result<()> {
    if name.is_empty() || name.contains('\0') {
        return Err(Error::misuse(format!(
            "{what} name {name:?} is empty or contains a NUL byte"
        )));
    }
    Ok(())
}

/// The outcome of a registration call. DuckDB gives no message, so the error says what the
/// usual causes are.
fn registered(state: ffi::duckdb_state, what: &str, name: &str) -> Result<()> {
    if state == ffi::duckdb_state_DuckDBSuccess {
        return Ok(());
    }
    Err(Error::misuse(format!(
        "DuckDB refused {what} `{name}`: a parameter or return type is invalid, or it clashes \
         with a function that exists"
    )))
}
