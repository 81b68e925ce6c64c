//! Chunks and vectors of every type, and early drops in every order the API allows.

use super::*;

#[test]
fn integers_with_nulls() {
    let _ledger = ledger_guard();
    let conn = conn();
    let chunk = only_chunk(&conn, sql::MIXED);
    assert_eq!((chunk.len(), chunk.column_count()), (5, 5));
    let v = chunk.vector(0).unwrap();
    assert_eq!(v.type_id(), TypeId::Integer);
    let values: Vec<Option<i32>> = v.values::<i32>().unwrap().iter().collect();
    assert_eq!(values, [Some(1), None, Some(-3), Some(i32::MAX), Some(4)]);
    let validity = v.validity();
    assert_eq!(validity.null_count(), 1);
    assert!(v.is_null(1).unwrap() && !v.is_null(0).unwrap() && !v.is_null(4).unwrap());
    let slice = v.as_slice::<i32>().unwrap();
    assert_eq!((slice.len(), slice[0], slice[4]), (5, 1, 4));
    let big: Vec<Option<i64>> = chunk
        .vector(3)
        .unwrap()
        .values::<i64>()
        .unwrap()
        .iter()
        .collect();
    assert_eq!(
        big,
        [
            Some(10_000_000_000),
            None,
            Some(-7),
            Some(i64::MAX),
            Some(0)
        ]
    );
}

#[test]
fn doubles_and_booleans_with_nulls() {
    let _ledger = ledger_guard();
    let conn = conn();
    let chunk = only_chunk(&conn, sql::MIXED);
    let d: Vec<Option<f64>> = chunk
        .vector(1)
        .unwrap()
        .values::<f64>()
        .unwrap()
        .iter()
        .collect();
    assert_eq!(d, [Some(2.5), None, Some(-0.25), Some(1e300), Some(0.0)]);
    let f: Vec<Option<bool>> = chunk
        .vector(4)
        .unwrap()
        .values::<bool>()
        .unwrap()
        .iter()
        .collect();
    assert_eq!(f, [Some(true), None, Some(false), Some(true), None]);
}

#[test]
fn strings_inlined_and_not_with_nulls() {
    let _ledger = ledger_guard();
    let conn = conn();
    let chunk = only_chunk(&conn, sql::MIXED);
    let v = chunk.vector(2).unwrap();
    let strings = v.strings().unwrap();
    let all: Vec<Option<&str>> = (0..v.len()).map(|row| strings.get(row).unwrap()).collect();
    assert_eq!(
        all,
        [
            Some("short"),
            None,
            Some("twelve bytes"),  // 12 bytes: the last inlined length
            Some("thirteen byte"), // 13 bytes: the first out-of-line length
            Some("a string that is clearly longer than twelve bytes"),
        ]
    );
    let blobs = v.blobs().unwrap();
    assert_eq!(blobs.get(2).unwrap(), Some(&b"twelve bytes"[..]));
    assert_eq!(blobs.get(1).unwrap(), None);
}

/// Reads a column as `Option<T>` per row.
fn column<T: Primitive>(chunk: &DataChunk, index: usize) -> Vec<Option<T>> {
    chunk
        .vector(index)
        .unwrap()
        .values::<T>()
        .unwrap()
        .iter()
        .collect()
}

#[test]
fn every_other_scalar_type_with_nulls() {
    let _ledger = ledger_guard();
    let conn = conn();
    let chunk = only_chunk(&conn, sql::SCALARS);
    assert_eq!((chunk.len(), chunk.column_count()), (3, 12));
    assert_eq!(column::<i8>(&chunk, 0), [Some(1), None, Some(100)]);
    assert_eq!(column::<i16>(&chunk, 1), [Some(1), None, Some(100)]);
    assert_eq!(column::<i128>(&chunk, 2), [Some(1), None, Some(100)]);
    assert_eq!(column::<u8>(&chunk, 3), [Some(1), None, Some(100)]);
    assert_eq!(column::<u16>(&chunk, 4), [Some(1), None, Some(100)]);
    assert_eq!(column::<u32>(&chunk, 5), [Some(1), None, Some(100)]);
    assert_eq!(column::<u64>(&chunk, 6), [Some(1), None, Some(100)]);
    assert_eq!(column::<u128>(&chunk, 7), [Some(1), None, Some(100)]);
    assert_eq!(column::<f32>(&chunk, 8), [Some(1.0), None, Some(100.0)]);
    let dates: Vec<Option<i32>> = column::<Date>(&chunk, 9)
        .into_iter()
        .map(|d| d.map(|d| d.days))
        .collect();
    assert_eq!(dates, [Some(19724), None, Some(19823)]);
    assert_eq!(
        chunk.vector(9).unwrap().datum(0).unwrap().to_string(),
        "2024-01-02"
    );
    let decimal = chunk.vector(10).unwrap();
    let ty = decimal.logical_type();
    assert_eq!(
        (
            ty.id(),
            ty.decimal_width().unwrap(),
            ty.decimal_scale().unwrap()
        ),
        (TypeId::Decimal, 18, 3)
    );
    assert_eq!(column::<i64>(&chunk, 10), [Some(1000), None, Some(100_000)]);
    assert_eq!(decimal.datum(2).unwrap().to_string(), "100.000");
    let blobs = chunk.vector(11).unwrap();
    let blobs = blobs.blobs().unwrap();
    assert_eq!(
        (blobs.get(0).unwrap(), blobs.get(1).unwrap()),
        (Some(&b"1"[..]), None)
    );
    assert_eq!(
        chunk.vector(11).unwrap().strings().unwrap_err().kind(),
        ErrorKind::TypeMismatch
    );
}

#[test]
fn map_array_union_and_enum_vectors() {
    let _ledger = ledger_guard();
    let conn = conn();
    let chunk = only_chunk(&conn, sql::COMPLEX);
    let datums: Vec<Vec<String>> = (0..3)
        .map(|row| {
            (0..4)
                .map(|c| chunk.vector(c).unwrap().datum(row).unwrap().to_string())
                .collect()
        })
        .collect();
    assert_eq!(datums[0][1..], ["[1, 2]", "1", "green"]);
    assert_eq!(datums[1], ["NULL"; 4]);
    assert_eq!(datums[2][1..], ["[3, NULL]", "text", "red"]);

    let map = chunk.vector(0).unwrap();
    let ty = map.logical_type();
    assert_eq!(
        (
            ty.map_key_type().unwrap().id(),
            ty.map_value_type().unwrap().id()
        ),
        (TypeId::Varchar, TypeId::Integer)
    );
    let map = map.map().unwrap();
    assert_eq!(map.range(0).unwrap().unwrap().len(), 1);
    assert!(map.range(2).unwrap().unwrap().is_empty());
    assert_eq!(
        map.keys().unwrap().strings().unwrap().get(0).unwrap(),
        Some("a")
    );
    assert_eq!(
        map.values()
            .unwrap()
            .values::<i32>()
            .unwrap()
            .get(0)
            .unwrap(),
        Some(1)
    );

    let array = chunk.vector(1).unwrap();
    assert_eq!(array.logical_type().array_size().unwrap(), 2);
    let array = array.array().unwrap();
    assert_eq!(array.size(), 2);
    assert_eq!(array.range(2).unwrap(), Some(4..6));
    assert_eq!(array.range(1).unwrap(), None);
    let items = array.child().values::<i32>().unwrap();
    assert_eq!(
        (items.get(4).unwrap(), items.get(5).unwrap()),
        (Some(3), None)
    );

    let union = chunk.vector(2).unwrap();
    assert_eq!(
        union.logical_type().union_member_names().unwrap(),
        ["i", "s"]
    );
    assert_eq!(
        (union.union_tag(0).unwrap(), union.union_tag(2).unwrap()),
        (0, 1)
    );
    assert_eq!(
        union
            .union_member(1)
            .unwrap()
            .strings()
            .unwrap()
            .get(2)
            .unwrap(),
        Some("text")
    );

    let e = chunk.vector(3).unwrap();
    let ty = e.logical_type();
    assert_eq!(ty.enum_dictionary().unwrap(), ["red", "green"]);
    assert_eq!(ty.enum_internal_type().unwrap(), TypeId::UTinyInt);
    assert_eq!(column::<u8>(&chunk, 3), [Some(1), None, Some(0)]);
}

#[test]
fn strings_stay_valid_after_the_result_is_gone() {
    let _ledger = ledger_guard();
    let conn = conn();
    let mut result = conn.query(sql::MIXED).unwrap();
    let chunk = result.next_chunk().unwrap().unwrap();
    drop(result);
    drop(conn);
    let v = chunk.vector(2).unwrap();
    let strings = v.strings().unwrap();
    assert_eq!(
        strings.get(4).unwrap(),
        Some("a string that is clearly longer than twelve bytes")
    );
    assert_eq!(strings.get(0).unwrap(), Some("short"));
}

#[test]
fn wrong_type_requests_are_type_mismatches() {
    let _ledger = ledger_guard();
    let conn = conn();
    let chunk = only_chunk(&conn, sql::MIXED);
    let ints = chunk.vector(0).unwrap();
    let err = ints.as_slice::<i64>().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TypeMismatch);
    assert!(
        err.message().contains("INTEGER") && err.message().contains("i64"),
        "{err}"
    );
    assert_eq!(ints.strings().unwrap_err().kind(), ErrorKind::TypeMismatch);
    assert_eq!(ints.list().unwrap_err().kind(), ErrorKind::TypeMismatch);
    assert_eq!(
        chunk.vector(2).unwrap().values::<f64>().unwrap_err().kind(),
        ErrorKind::TypeMismatch
    );
}

#[test]
fn rows_and_columns_out_of_range_are_errors() {
    let _ledger = ledger_guard();
    let conn = conn();
    let chunk = only_chunk(&conn, sql::MIXED);
    assert_eq!(chunk.vector(5).unwrap_err().kind(), ErrorKind::OutOfRange);
    let v = chunk.vector(0).unwrap();
    assert_eq!(v.is_null(5).unwrap_err().kind(), ErrorKind::OutOfRange);
    assert_eq!(
        v.values::<i32>().unwrap().get(5).unwrap_err().kind(),
        ErrorKind::OutOfRange
    );
    assert_eq!(
        chunk
            .vector(2)
            .unwrap()
            .strings()
            .unwrap()
            .get(5)
            .unwrap_err()
            .kind(),
        ErrorKind::OutOfRange
    );
}

#[test]
fn list_vectors_with_nulls_and_empty_lists() {
    let _ledger = ledger_guard();
    let conn = conn();
    let chunk = only_chunk(&conn, sql::NESTED);
    let v = chunk.vector(0).unwrap();
    assert_eq!(v.type_id(), TypeId::List);
    assert_eq!(
        v.logical_type().list_child_type().unwrap().id(),
        TypeId::Integer
    );
    let list = v.list().unwrap();
    let first = list.range(0).unwrap().unwrap();
    assert_eq!(first.len(), 3);
    assert_eq!(list.range(1).unwrap(), None);
    assert!(list.range(2).unwrap().unwrap().is_empty());
    let child = list.child().values::<i32>().unwrap();
    let items: Vec<Option<i32>> = first.map(|i| child.get(i).unwrap()).collect();
    assert_eq!(items, [Some(1), Some(2), None]);
    assert_eq!(list.range(3).unwrap_err().kind(), ErrorKind::OutOfRange);
}

#[test]
fn struct_vectors_with_nulls() {
    let _ledger = ledger_guard();
    let conn = conn();
    let chunk = only_chunk(&conn, sql::NESTED);
    let v = chunk.vector(1).unwrap();
    let ty = v.logical_type();
    assert_eq!(ty.id(), TypeId::Struct);
    assert_eq!(ty.struct_child_names().unwrap(), ["k", "v"]);
    assert_eq!(ty.struct_child_type(1).unwrap().id(), TypeId::Varchar);
    assert_eq!(v.struct_child_count().unwrap(), 2);
    assert!(v.is_null(1).unwrap() && !v.is_null(0).unwrap());
    let k = v.struct_child(0).unwrap().values::<i32>().unwrap();
    assert_eq!((k.get(0).unwrap(), k.get(2).unwrap()), (Some(7), None));
    let s = v.struct_child(1).unwrap();
    let s = s.strings().unwrap();
    assert_eq!(s.get(0).unwrap(), Some("seven"));
    assert_eq!(
        s.get(2).unwrap(),
        Some("a struct string longer than twelve")
    );
    assert_eq!(
        v.struct_child(2).unwrap_err().kind(),
        ErrorKind::OutOfRange,
        "checked before C"
    );
}

#[test]
fn datums_of_every_column() {
    let _ledger = ledger_guard();
    let conn = conn();
    let chunk = only_chunk(&conn, sql::MIXED);
    let row: Vec<String> = (0..chunk.column_count())
        .map(|c| chunk.vector(c).unwrap().datum(3).unwrap().to_string())
        .collect();
    assert_eq!(row[0], "2147483647");
    assert_eq!(row[2], "thirteen byte");
    assert_eq!(row[3], "9223372036854775807");
    assert_eq!(row[4], "true");
    let nulls: Vec<bool> = (0..chunk.column_count())
        .map(|c| chunk.vector(c).unwrap().datum(1).unwrap().is_null())
        .collect();
    assert_eq!(nulls, [true; 5]);
    let nested = only_chunk(&conn, sql::NESTED);
    let list = nested.vector(0).unwrap().datums().unwrap();
    assert_eq!(list.len(), 3);
    assert!(list[1].is_null());
    assert_eq!(list[0].to_string(), "[1, 2, NULL]");
}

#[test]
fn chunk_outlives_result_connection_and_database() {
    let _ledger = ledger_guard();
    let db = Database::open_in_memory().unwrap();
    let conn = db.connect().unwrap();
    let mut result = conn.query(sql::RANGE).unwrap();
    let first = result.next_chunk().unwrap().unwrap();
    drop(result); // unread chunks are discarded with it
    drop(db);
    drop(conn);
    let v = first.vector(0).unwrap();
    assert_eq!(v.as_slice::<i64>().unwrap()[..3], [0, 1, 2]);
    assert_eq!(live(ledger::HandleKind::DataChunk), 1);
}

#[test]
fn logical_types_outlive_their_chunk_and_result() {
    let _ledger = ledger_guard();
    let conn = conn();
    let mut result = conn.query(sql::NESTED).unwrap();
    let column_type = result.column_type(1).unwrap();
    let chunk = result.next_chunk().unwrap().unwrap();
    let vector_type = chunk.vector(0).unwrap().logical_type();
    drop(chunk);
    drop(result);
    assert_eq!(column_type.id(), TypeId::Struct);
    assert_eq!(column_type.struct_child_name(0).unwrap(), "k");
    assert_eq!(vector_type.list_child_type().unwrap().id(), TypeId::Integer);
}

#[test]
fn results_dropped_in_any_order_and_unread() {
    let _ledger = ledger_guard();
    let conn = conn();
    let a = conn.query(sql::RANGE).unwrap();
    let mut b = conn.query(sql::MIXED).unwrap();
    let c = conn.query(sql::NESTED).unwrap();
    let chunk = b.next_chunk().unwrap().unwrap();
    drop(b);
    drop(a);
    assert_eq!(live(ledger::HandleKind::Result), 1);
    drop(c);
    drop(chunk);
}
