//! Properties only the Miri model guarantees (run under Miri only).

use super::*;

/// The model fills BOOLEAN slots under NULL rows with 0xA5, which is not a valid `bool`:
/// `as_slice::<bool>` must refuse instead of handing out an invalid `&[bool]`.
#[cfg(miri)]
#[test]
fn bool_slice_over_garbage_under_nulls_is_refused() {
    let _ledger = ledger_guard();
    let conn = conn();
    let chunk = only_chunk(&conn, sql::MIXED);
    let err = chunk.vector(4).unwrap().as_slice::<bool>().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TypeMismatch, "{err}");
}

/// The model answers only its canned SQL; anything else is an error that names the text.
#[cfg(miri)]
#[test]
fn unknown_sql_is_an_error_naming_it() {
    let _ledger = ledger_guard();
    let conn = conn();
    let err = conn.query("SELECT 'not canned'").unwrap_err();
    assert!(err.message().contains("not canned"), "{err}");
}
