//! Injected bugs that Miri must catch: each test breaks an ownership rule on purpose.
//! They are ignored in the normal run; `tests/miri_must_fail.sh` runs each alone under Miri
//! and expects the named error.

use super::*;
use crate as ffi;

/// A skipped destroy: Miri reports the result's memory as leaked.
#[test]
#[ignore = "must fail under Miri: leak"]
fn leak_a_result() {
    let conn = conn();
    std::mem::forget(conn.query(sql::ANSWER).unwrap());
}

/// A second destroy of a chunk the safe layer still owns.
#[test]
#[ignore = "must fail under Miri: double destroy"]
fn double_destroy_a_chunk() {
    let conn = conn();
    let chunk = only_chunk(&conn, sql::ANSWER);
    let mut copy = chunk.as_raw();
    // SAFETY: deliberately unsound: `chunk` destroys the same handle again when dropped.
    unsafe { ffi::duckdb_destroy_data_chunk(&mut copy) };
    drop(chunk);
}

/// A vector whose row count is one more than its chunk's: reading it walks off the data.
#[test]
#[ignore = "must fail under Miri: read past the chunk's size"]
fn read_past_the_chunk_size() {
    let conn = conn();
    let chunk = only_chunk(&conn, sql::MIXED);
    let raw = chunk.vector(0).unwrap().as_raw();
    // SAFETY: deliberately unsound: the chunk has 5 rows, not 6.
    let v = unsafe { Vector::from_raw(raw, chunk.len() + 1) };
    let sum: i64 = v
        .as_slice::<i32>()
        .unwrap()
        .iter()
        .map(|&x| i64::from(x))
        .sum();
    println!("{sum}");
}

/// A use after destroy: a vector read after its chunk is gone.
#[test]
#[ignore = "must fail under Miri: use after destroy"]
fn use_a_vector_after_its_chunk() {
    let conn = conn();
    let chunk = only_chunk(&conn, sql::ANSWER);
    let raw = chunk.vector(0).unwrap().as_raw();
    drop(chunk);
    // SAFETY: deliberately unsound: the vector died with its chunk.
    let v = unsafe { Vector::from_raw(raw, 1) };
    println!("{:?}", v.type_id());
}
