//! Owned values (`Value`): round trips, rendering, nesting, and binding as parameters.

use super::*;

#[test]
fn scalar_values_round_trip_and_render() {
    let _ledger = ledger_guard();
    let v = Value::from(-5i64);
    assert_eq!(v.type_id(), TypeId::BigInt);
    assert_eq!(v.get_i64().unwrap(), -5);
    assert_eq!(v.to_string(), "-5");
    assert!(!v.is_null());
    let s = Value::varchar("a string longer than twelve bytes");
    assert_eq!(s.type_id(), TypeId::Varchar);
    assert_eq!(
        s.to_string(),
        "'a string longer than twelve bytes'",
        "rendered as a SQL literal"
    );
    assert!(Value::null().is_null());
    assert!(Value::from(true).get_bool().unwrap());
    assert_eq!(v.get_bool().unwrap_err().kind(), ErrorKind::TypeMismatch);
}

#[test]
fn nested_values_copy_their_inputs() {
    let _ledger = ledger_guard();
    let int = LogicalType::new(TypeId::Integer).unwrap();
    let items = [Value::from(1i32), Value::null(), Value::from(3i32)];
    let list = Value::list(&int, &items).unwrap();
    drop(items); // the list holds copies
    assert_eq!(list.type_id(), TypeId::List);
    assert_eq!(list.list_len().unwrap(), 3);
    assert_eq!(list.list_child(2).unwrap().get_i32().unwrap(), 3);
    assert!(list.list_child(1).unwrap().is_null());
    assert_eq!(
        list.list_child(3).unwrap_err().kind(),
        ErrorKind::OutOfRange
    );
    let varchar = LogicalType::new(TypeId::Varchar).unwrap();
    let ty = LogicalType::structure(&[("k", &int), ("v", &varchar)]).unwrap();
    let st = Value::structure(&ty, &[Value::from(7i32), Value::varchar("seven")]).unwrap();
    drop(ty);
    assert_eq!(st.struct_child(1).unwrap().to_string(), "'seven'");
    assert_eq!(st.struct_child(0).unwrap().get_i32().unwrap(), 7);
}

#[test]
fn values_of_decimal_enum_map_array_union_and_bit() {
    let _ledger = ledger_guard();
    let dec = Decimal::new(12_345, 18, 3).unwrap();
    let d = Value::decimal(dec).unwrap();
    assert_eq!(d.type_id(), TypeId::Decimal);
    assert_eq!(d.get_decimal().unwrap(), dec);
    let colors = LogicalType::enumeration(&["red", "green"]).unwrap();
    let green = Value::enumeration(&colors, 1).unwrap();
    assert_eq!(green.get_enum_index().unwrap(), 1);
    assert!(
        Value::enumeration(&colors, 2).is_err(),
        "index outside the dictionary"
    );
    let (int, varchar) = (
        LogicalType::new(TypeId::Integer).unwrap(),
        LogicalType::new(TypeId::Varchar).unwrap(),
    );
    let map_type = LogicalType::map(&varchar, &int).unwrap();
    let map = Value::map(
        &map_type,
        &[Value::varchar("a"), Value::varchar("b")],
        &[Value::from(1i32), Value::from(2i32)],
    )
    .unwrap();
    assert_eq!(map.type_id(), TypeId::Map);
    assert_eq!(map.map_len().unwrap(), 2);
    let (key, value) = map.map_entry(1).unwrap();
    assert_eq!(
        (key.to_string(), value.get_i32().unwrap()),
        ("'b'".to_string(), 2)
    );
    let array = Value::array(&int, &[Value::from(4i32), Value::from(5i32)]).unwrap();
    assert_eq!(array.type_id(), TypeId::Array);
    let union_type = LogicalType::union_type(&[("i", &int), ("s", &varchar)]).unwrap();
    let union = Value::union_value(&union_type, 1, &Value::varchar("text")).unwrap();
    assert_eq!(union.type_id(), TypeId::Union);
    let bits = [true, false, true, true, false, false, false, false, true];
    assert_eq!(Value::bit(&bits).unwrap().get_bit().unwrap(), bits);
}

#[test]
fn values_bind_as_parameters() {
    let _ledger = ledger_guard();
    let conn = conn();
    let mut stmt = conn.prepare(sql::PARAM_PLUS_ONE).unwrap();
    let mut result = stmt.query([Value::from(99i64)]).unwrap();
    let chunk = result.next_chunk().unwrap().unwrap();
    assert_eq!(chunk.vector(0).unwrap().as_slice::<i64>().unwrap(), &[100]);
}

#[test]
fn wide_integers_and_dates_as_values() {
    let _ledger = ledger_guard();
    let huge = Value::from(i128::MIN + 1);
    assert_eq!(huge.type_id(), TypeId::HugeInt);
    assert_eq!(huge.get_i128().unwrap(), i128::MIN + 1);
    assert_eq!(Value::from(u128::MAX).get_u128().unwrap(), u128::MAX);
    let date = Value::from(Date { days: 19_000 });
    assert_eq!(date.type_id(), TypeId::Date);
    assert_eq!(date.get_date().unwrap(), Date { days: 19_000 });
    let ts = Timestamp {
        micros: 1_700_000_000_000_000,
    };
    assert_eq!(Value::from(ts).get_timestamp().unwrap(), ts);
    assert_eq!(date.get_i128().unwrap_err().kind(), ErrorKind::TypeMismatch);
}

#[test]
fn uuid_time_tz_and_interval_values_round_trip() {
    let _ledger = ledger_guard();
    let id = 0x0123_4567_89ab_cdef_fedc_ba98_7654_3210_u128;
    assert_eq!(Value::from(Uuid(id)).get_uuid().unwrap(), Uuid(id));
    let noon = 12 * 3_600_000_000_i64 + 345;
    let tz = Value::from(TimeTz::new(noon, -5400).unwrap())
        .get_time_tz()
        .unwrap();
    assert_eq!((tz.micros(), tz.offset_seconds()), (noon, -5400));
    let want = Interval {
        months: -14,
        days: 3,
        micros: 1_500_000,
    };
    let interval = Value::from(want);
    assert_eq!(interval.type_id(), TypeId::Interval);
    assert_eq!(interval.get_interval().unwrap(), want);
    assert_eq!(
        interval.get_uuid().unwrap_err().kind(),
        ErrorKind::TypeMismatch
    );
}

#[test]
fn result_outlives_its_statement() {
    let _ledger = ledger_guard();
    let conn = conn();
    let mut stmt = conn.prepare(sql::PARAM_PLUS_ONE).unwrap();
    let mut first = stmt.query([1i64]).unwrap();
    let mut second = stmt.query([2i64]).unwrap();
    drop(stmt);
    let b = second.next_chunk().unwrap().unwrap();
    drop(second);
    let a = first.next_chunk().unwrap().unwrap();
    drop(first);
    assert_eq!(a.vector(0).unwrap().as_slice::<i64>().unwrap(), &[2]);
    assert_eq!(b.vector(0).unwrap().as_slice::<i64>().unwrap(), &[3]);
}
