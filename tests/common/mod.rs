//! Shared by the integration tests: the ledger is process-wide and tests in one binary run
//! on parallel threads, so each test that checks the ledger holds this guard. It serialises
//! those tests and, when the test's own values are gone, asserts no handle is alive.
#![allow(dead_code)]

use std::sync::{Mutex, MutexGuard, PoisonError};

static SERIAL: Mutex<()> = Mutex::new(());

/// Holds the test lock; on drop (after every value declared later in the test), asserts
/// the ledger shows zero live handles, unless the test is already failing.
pub struct LedgerGuard {
    _lock: MutexGuard<'static, ()>,
}

/// Declare first in a test (`let _ledger = common::ledger_guard();`) so it drops last.
pub fn ledger_guard() -> LedgerGuard {
    LedgerGuard {
        _lock: SERIAL.lock().unwrap_or_else(PoisonError::into_inner),
    }
}

impl Drop for LedgerGuard {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            duckdb_ffi::safe::ledger::assert_no_live_handles();
        }
    }
}
