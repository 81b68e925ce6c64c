//! `DuckdbManager`: an [`r2d2`] connection manager over one shared [`Database`] (feature
//! `r2d2`).
//!
//! Every pooled connection is a connection to the same `Database`, so all of them see the
//! same tables, an in-memory database's too. The pool's own settings do the rest:
//! `max_size`, `min_idle`, `idle_timeout` and `max_lifetime` decide how many connections stay
//! open (idle ones are closed by r2d2's reaper, which runs every 30 seconds), and
//! `connection_timeout` how long [`r2d2::Pool::get`] waits before it gives up.
//!
//! With `min_idle` above zero, r2d2 opens replacement connections on its own thread after a
//! `get`. A process that returns from `main` while that thread is still inside DuckDB can crash
//! in exit (C++ static destructors run under it: 2 of 200 runs of this example with
//! `min_idle(Some(1))` on two busy cores). Keep `min_idle` at zero in short-lived programs, or
//! drop the pool and wait until the ledger shows no live connection before exiting.
//!
//! ```
//! use duckdb_ffi::safe::pool::DuckdbManager;
//! use duckdb_ffi::safe::{Database, ledger::{self, HandleKind}};
//! use std::time::Duration;
//!
//! let manager = DuckdbManager::new(Database::open_in_memory()?)
//!     .with_init(|conn| conn.execute_batch("SET threads = 1"));
//! let pool = r2d2::Pool::builder()
//!     .max_size(4)
//!     .min_idle(Some(0))
//!     .idle_timeout(Some(Duration::from_secs(60)))
//!     .build(manager)
//!     .expect("pool");
//!
//! pool.get().expect("conn").execute_batch("CREATE TABLE t AS SELECT 42 AS x")?;
//! // Another pooled connection sees the same in-memory database.
//! let conn = pool.get().expect("conn");
//! assert_eq!(conn.query_row("SELECT x FROM t", (), |r| r.get::<i32>(0))?, 42);
//! assert!(ledger::snapshot().live(HandleKind::Connection) >= 1);
//! # Ok::<(), duckdb_ffi::safe::Error>(())
//! ```
//!
//! # A fatal error
//!
//! A DuckDB error of class [`EngineError::Fatal`] invalidates the whole database: every
//! connection to it, present and future, fails. Once the manager has seen one (from the init
//! hook, the health check, or an error handed to [`DuckdbManager::observe`]), it stops
//! making connections: [`has_broken`](r2d2::ManageConnection::has_broken) drops every
//! connection handed back, and `connect` fails at once with an error that says the database
//! must be reopened, so the pool's timeout error names the cause instead of the pool cycling
//! through connections that cannot work.

use crate::safe::connection::Connection;
use crate::safe::database::Database;
use crate::safe::error::{EngineError, Error, Result};

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

type InitHook = dyn Fn(&Connection) -> Result<()> + Send + Sync;

/// An [`r2d2::ManageConnection`] that opens [`Connection`]s to one [`Database`] (module
/// docs: [`pool`](self)).
///
/// r2d2 does not lend the manager back out of the pool: keep a clone to call
/// [`observe`](Self::observe) or [`fatal_error`](Self::fatal_error). Clones share the
/// database, the init hook and what they have observed.
#[derive(Clone)]
pub struct DuckdbManager {
    db: Arc<Database>,
    init: Option<Arc<InitHook>>,
    /// The message of the fatal error that invalidated the database, once one was seen.
    fatal: Arc<Mutex<Option<String>>>,
}

impl fmt::Debug for DuckdbManager {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DuckdbManager")
            .field("db", &self.db)
            .field("init", &self.init.as_ref().map(|_| "Fn(&Connection)"))
            .field("fatal", &self.fatal_error())
            .finish()
    }
}

impl DuckdbManager {
    /// A manager that owns `db`: it closes when the pool (and every connection) is gone.
    pub fn new(db: Database) -> DuckdbManager {
        DuckdbManager::shared(Arc::new(db))
    }

    /// A manager over a database the caller keeps using too.
    pub fn shared(db: Arc<Database>) -> DuckdbManager {
        DuckdbManager {
            db,
            init: None,
            fatal: Arc::new(Mutex::new(None)),
        }
    }

    /// Runs `init` on every new connection before the pool hands it out: `SET`, `LOAD`,
    /// `PRAGMA`, temporary tables and macros, prepared `ATTACH`es. An error fails that
    /// connection (and `Pool::get` retries until its timeout, reporting the error).
    pub fn with_init(
        mut self,
        init: impl Fn(&Connection) -> Result<()> + Send + Sync + 'static,
    ) -> DuckdbManager {
        self.init = Some(Arc::new(init));
        self
    }

    /// The database every connection is made to.
    pub fn database(&self) -> &Arc<Database> {
        &self.db
    }

    /// Records `err` if it is fatal; returns whether the database is now known to be
    /// invalidated. Hand it the errors of queries run on pooled connections so that a fatal
    /// one also stops the pool (the manager sees only its own calls' errors otherwise).
    pub fn observe(&self, err: &Error) -> bool {
        if err.engine_error() == Some(EngineError::Fatal) {
            let mut fatal = self.fatal.lock().unwrap_or_else(PoisonError::into_inner);
            fatal.get_or_insert_with(|| err.message().to_string());
        }
        self.fatal_error().is_some()
    }

    /// The fatal error that invalidated the database, if the manager has seen one.
    pub fn fatal_error(&self) -> Option<String> {
        self.fatal
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn refuse_if_invalidated(&self) -> Result<()> {
        match self.fatal_error() {
            None => Ok(()),
            Some(message) => Err(Error::engine(
                EngineError::Fatal.to_raw(),
                format!(
                    "the database was invalidated by a fatal error and no connection to it can \
                     work: open a new Database and a new pool ({message})"
                ),
            )),
        }
    }

    fn noting<T>(&self, result: Result<T>) -> Result<T> {
        if let Err(err) = &result {
            self.observe(err);
        }
        result
    }
}

impl r2d2::ManageConnection for DuckdbManager {
    type Connection = Connection;
    type Error = Error;

    fn connect(&self) -> Result<Connection> {
        self.refuse_if_invalidated()?;
        let conn = self.noting(self.db.connect())?;
        if let Some(init) = &self.init {
            self.noting(init(&conn))?;
        }
        Ok(conn)
    }

    /// Runs `SELECT 1` (r2d2 calls this at checkout unless `test_on_check_out(false)`).
    fn is_valid(&self, conn: &mut Connection) -> Result<()> {
        self.refuse_if_invalidated()?;
        self.noting(conn.execute("SELECT 1")).map(drop)
    }

    /// True once the database is invalidated; cheap, as r2d2 requires.
    fn has_broken(&self, _conn: &mut Connection) -> bool {
        self.fatal_error().is_some()
    }
}
