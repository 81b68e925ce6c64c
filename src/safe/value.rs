//! `Value`: an owned DuckDB value of any type (the owner of a `duckdb_value`), and the
//! constructors of [`LogicalType`] for building typed values, chunks and appenders.
//!
//! A `Value` is what nested parameters (LIST, STRUCT, MAP, ARRAY, UNION) and the types with no
//! dedicated bind function (TIMESTAMP_NS, TIME_TZ, UUID, ENUM, BIT, ...) are bound and appended
//! through. Reading one back checks its type first: the C getters either cast silently or, for
//! text and blobs, can throw a C++ exception on a type they cannot cast (capi-ownership.md,
//! "Traps"), so every reader here refuses a wrong type or a NULL with an error instead.

use super::error::{Error, ErrorKind, Result, c_string};
use super::handle::{Owned, kind, take_c_string};
use super::types::{LogicalType, TypeId};
use crate as ffi;
use std::ffi::c_char;
use std::fmt;

/// An owned DuckDB value (`duckdb_value`), destroyed once when dropped.
///
/// ```
/// use duckdb_ffi::safe::{LogicalType, TypeId, Value};
/// let list = Value::list(&LogicalType::new(TypeId::Integer)?, &[Value::from(1i32), Value::from(2i32)])?;
/// assert_eq!(list.type_id(), TypeId::List);
/// assert_eq!(list.list_len()?, 2);
/// assert_eq!(list.list_child(1)?.get_i32()?, 2);
/// assert_eq!(list.to_string(), "[1, 2]");
/// # Ok::<(), duckdb_ffi::safe::Error>(())
/// ```
///
/// `Value` is `Send` but not `Sync`:
///
/// ```compile_fail
/// fn sync<T: Sync>() {}
/// sync::<duckdb_ffi::safe::Value>();
/// ```
pub struct Value {
    handle: Owned<kind::Value>,
}

// SAFETY: a duckdb_value is a heap-allocated duckdb::Value with no reference to a connection;
// the safe API never mutates it after construction and `Owned` keeps it !Sync (capi-ownership.md,
// "value" row: owned by whoever created it).
unsafe impl Send for Value {}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Value({:?}: {})", self.type_id(), self)
    }
}

/// Wraps the result of a `duckdb_create_*` call, turning null (the C API's only failure signal)
/// into an error naming `what`.
fn wrap(raw: ffi::duckdb_value, what: &str) -> Result<Value> {
    if raw.is_null() {
        return Err(Error::new(
            ErrorKind::TypeMismatch,
            format!("DuckDB could not create {what}"),
        ));
    }
    // SAFETY: non-null result of a duckdb_create_* call: a fresh value we own ("value" row).
    Ok(Value {
        handle: unsafe { Owned::from_raw(raw) },
    })
}

/// Wraps a value returned by an owning getter (`duckdb_get_list_child`, ...), which signals
/// "no such child" with null.
fn wrap_child(raw: ffi::duckdb_value, what: &str, index: usize, len: usize) -> Result<Value> {
    if raw.is_null() {
        return Err(Error::out_of_range(what, index, len));
    }
    // SAFETY: child getters return a fresh copy the caller owns ("Getters": owned).
    Ok(Value {
        handle: unsafe { Owned::from_raw(raw) },
    })
}

macro_rules! simple_values {
    ($( $(#[$doc:meta])* $rust:ty => $create:ident, $getter:ident, $get:ident, $id:ident; )*) => {
        $(
            impl From<$rust> for Value {
                $(#[$doc])*
                fn from(v: $rust) -> Value {
                    // SAFETY: the constructor copies a plain scalar; it only returns null on
                    // allocation failure, which aborts in Rust terms anyway.
                    let raw = unsafe { ffi::$create(v) };
                    wrap(raw, stringify!($rust)).expect(concat!("duckdb_", stringify!($create), " returned NULL (out of memory)"))
                }
            }
        )*
        impl Value {
            $(
                #[doc = concat!("Reads a `", stringify!($id), "` value as `", stringify!($rust), "`; any other type or NULL is an error.")]
                pub fn $getter(&self) -> Result<$rust> {
                    self.expect(TypeId::$id)?;
                    // SAFETY: type checked and not NULL, so the getter's cast cannot fail.
                    Ok(unsafe { ffi::$get(self.handle.get()) })
                }
            )*
        }
    };
}

simple_values! {
    bool => duckdb_create_bool, get_bool, duckdb_get_bool, Boolean;
    i8 => duckdb_create_int8, get_i8, duckdb_get_int8, TinyInt;
    i16 => duckdb_create_int16, get_i16, duckdb_get_int16, SmallInt;
    i32 => duckdb_create_int32, get_i32, duckdb_get_int32, Integer;
    i64 => duckdb_create_int64, get_i64, duckdb_get_int64, BigInt;
    u8 => duckdb_create_uint8, get_u8, duckdb_get_uint8, UTinyInt;
    u16 => duckdb_create_uint16, get_u16, duckdb_get_uint16, USmallInt;
    u32 => duckdb_create_uint32, get_u32, duckdb_get_uint32, UInteger;
    u64 => duckdb_create_uint64, get_u64, duckdb_get_uint64, UBigInt;
    f32 => duckdb_create_float, get_f32, duckdb_get_float, Float;
    f64 => duckdb_create_double, get_f64, duckdb_get_double, Double;
}

impl From<i128> for Value {
    fn from(v: i128) -> Value {
        // SAFETY: plain scalar copied by the constructor.
        let raw = unsafe { ffi::duckdb_create_hugeint(to_hugeint(v)) };
        wrap(raw, "HUGEINT").expect("duckdb_create_hugeint returned NULL (out of memory)")
    }
}

impl From<u128> for Value {
    fn from(v: u128) -> Value {
        // SAFETY: plain scalar copied by the constructor.
        let raw = unsafe { ffi::duckdb_create_uhugeint(to_uhugeint(v)) };
        wrap(raw, "UHUGEINT").expect("duckdb_create_uhugeint returned NULL (out of memory)")
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Value {
        Value::varchar(v)
    }
}

impl From<&[u8]> for Value {
    fn from(v: &[u8]) -> Value {
        Value::blob(v)
    }
}

pub(crate) fn to_hugeint(v: i128) -> ffi::duckdb_hugeint {
    ffi::duckdb_hugeint {
        lower: v as u64,
        upper: (v >> 64) as i64,
    }
}

pub(crate) fn from_hugeint(v: ffi::duckdb_hugeint) -> i128 {
    ((v.upper as i128) << 64) | v.lower as i128
}

pub(crate) fn to_uhugeint(v: u128) -> ffi::duckdb_uhugeint {
    ffi::duckdb_uhugeint {
        lower: v as u64,
        upper: (v >> 64) as u64,
    }
}

pub(crate) fn from_uhugeint(v: ffi::duckdb_uhugeint) -> u128 {
    ((v.upper as u128) << 64) | v.lower as u128
}

impl Value {
    /// Takes ownership of a value.
    ///
    /// # Safety
    /// `raw` must be a non-null value the caller owns and nobody else destroys.
    pub unsafe fn from_raw(raw: ffi::duckdb_value) -> Value {
        // SAFETY: forwarded from the caller.
        Value {
            handle: unsafe { Owned::from_raw(raw) },
        }
    }

    /// The raw handle, still owned by `self`.
    pub fn as_raw(&self) -> ffi::duckdb_value {
        self.handle.get()
    }

    /// SQL NULL (of type `"NULL"`).
    pub fn null() -> Value {
        // SAFETY: no input.
        wrap(unsafe { ffi::duckdb_create_null_value() }, "NULL").expect("out of memory")
    }

    /// A VARCHAR. The text is copied; no NUL terminator is needed.
    pub fn varchar(text: &str) -> Value {
        // SAFETY: pointer and length describe `text`, which DuckDB copies; valid UTF-8 is
        // guaranteed by `&str`, so the constructor's UTF-8 check cannot fail.
        let raw = unsafe {
            ffi::duckdb_create_varchar_length(
                text.as_ptr().cast::<c_char>(),
                text.len() as ffi::idx_t,
            )
        };
        wrap(raw, "VARCHAR").expect("duckdb_create_varchar_length returned NULL for valid UTF-8")
    }

    /// A BLOB. The bytes are copied.
    pub fn blob(bytes: &[u8]) -> Value {
        // SAFETY: pointer and length describe `bytes`, which DuckDB copies.
        let raw = unsafe { ffi::duckdb_create_blob(bytes.as_ptr(), bytes.len() as ffi::idx_t) };
        wrap(raw, "BLOB").expect("out of memory")
    }

    /// A HUGEINT (`i128`).
    pub fn hugeint(v: i128) -> Value {
        Value::from(v)
    }

    /// A UHUGEINT (`u128`).
    pub fn uhugeint(v: u128) -> Value {
        Value::from(v)
    }

    /// A DATE, as days since 1970-01-01.
    pub fn date(days: i32) -> Value {
        // SAFETY: plain struct copied by the constructor.
        wrap(
            unsafe { ffi::duckdb_create_date(ffi::duckdb_date { days }) },
            "DATE",
        )
        .expect("out of memory")
    }

    /// A TIME, as microseconds since midnight.
    pub fn time(micros: i64) -> Value {
        // SAFETY: plain struct copied by the constructor.
        wrap(
            unsafe { ffi::duckdb_create_time(ffi::duckdb_time { micros }) },
            "TIME",
        )
        .expect("out of memory")
    }

    /// A TIME_NS, as nanoseconds since midnight.
    pub fn time_ns(nanos: i64) -> Value {
        // SAFETY: plain struct copied by the constructor.
        wrap(
            unsafe { ffi::duckdb_create_time_ns(ffi::duckdb_time_ns { nanos }) },
            "TIME_NS",
        )
        .expect("out of memory")
    }

    /// A TIME WITH TIME ZONE: microseconds since midnight and the zone's offset in seconds.
    pub fn time_tz(micros: i64, offset_seconds: i32) -> Value {
        // SAFETY: duckdb_create_time_tz packs two integers; the value constructor copies it.
        let raw = unsafe {
            ffi::duckdb_create_time_tz_value(ffi::duckdb_create_time_tz(micros, offset_seconds))
        };
        wrap(raw, "TIME_TZ").expect("out of memory")
    }

    /// A TIMESTAMP, as microseconds since 1970-01-01 00:00:00.
    pub fn timestamp(micros: i64) -> Value {
        // SAFETY: plain struct copied by the constructor.
        wrap(
            unsafe { ffi::duckdb_create_timestamp(ffi::duckdb_timestamp { micros }) },
            "TIMESTAMP",
        )
        .expect("out of memory")
    }

    /// A TIMESTAMP WITH TIME ZONE, as microseconds since 1970-01-01 00:00:00 UTC.
    pub fn timestamp_tz(micros: i64) -> Value {
        // SAFETY: plain struct copied by the constructor.
        wrap(
            unsafe { ffi::duckdb_create_timestamp_tz(ffi::duckdb_timestamp { micros }) },
            "TIMESTAMPTZ",
        )
        .expect("out of memory")
    }

    /// A TIMESTAMP_NS WITH TIME ZONE, as nanoseconds since 1970-01-01 00:00:00 UTC.
    pub fn timestamp_tz_ns(nanos: i64) -> Value {
        // SAFETY: plain struct copied by the constructor.
        let raw = unsafe { ffi::duckdb_create_timestamp_tz_ns(ffi::duckdb_timestamp_ns { nanos }) };
        wrap(raw, "TIMESTAMPTZ_NS").expect("out of memory")
    }

    /// A TIMESTAMP_S, as seconds since 1970-01-01.
    pub fn timestamp_s(seconds: i64) -> Value {
        // SAFETY: plain struct copied by the constructor.
        wrap(
            unsafe { ffi::duckdb_create_timestamp_s(ffi::duckdb_timestamp_s { seconds }) },
            "TIMESTAMP_S",
        )
        .expect("out of memory")
    }

    /// A TIMESTAMP_MS, as milliseconds since 1970-01-01.
    pub fn timestamp_ms(millis: i64) -> Value {
        // SAFETY: plain struct copied by the constructor.
        wrap(
            unsafe { ffi::duckdb_create_timestamp_ms(ffi::duckdb_timestamp_ms { millis }) },
            "TIMESTAMP_MS",
        )
        .expect("out of memory")
    }

    /// A TIMESTAMP_NS, as nanoseconds since 1970-01-01.
    pub fn timestamp_ns(nanos: i64) -> Value {
        // SAFETY: plain struct copied by the constructor.
        wrap(
            unsafe { ffi::duckdb_create_timestamp_ns(ffi::duckdb_timestamp_ns { nanos }) },
            "TIMESTAMP_NS",
        )
        .expect("out of memory")
    }

    /// An INTERVAL of months, days and microseconds (kept separate, as DuckDB does).
    pub fn interval(months: i32, days: i32, micros: i64) -> Value {
        // SAFETY: plain struct copied by the constructor.
        let raw = unsafe {
            ffi::duckdb_create_interval(ffi::duckdb_interval {
                months,
                days,
                micros,
            })
        };
        wrap(raw, "INTERVAL").expect("out of memory")
    }

    /// A DECIMAL(`width`, `scale`) whose unscaled value is `value` (`12345` with scale 2 is
    /// 123.45). A width outside 1..=38, a scale above the width, or a value with more digits
    /// than the width is an error.
    pub fn decimal(width: u8, scale: u8, value: i128) -> Result<Value> {
        check_decimal(width, scale, value)?;
        let dec = ffi::duckdb_decimal {
            width,
            scale,
            value: to_hugeint(value),
        };
        // SAFETY: plain struct copied; invalid width/scale makes the call return null.
        wrap(
            unsafe { ffi::duckdb_create_decimal(dec) },
            &format!("DECIMAL({width},{scale})"),
        )
    }

    /// A UUID from its 128-bit value (`uuid::Uuid::as_u128` order: the first hex digit is the
    /// most significant).
    pub fn uuid(v: u128) -> Value {
        // SAFETY: plain struct copied by the constructor.
        wrap(unsafe { ffi::duckdb_create_uuid(to_uhugeint(v)) }, "UUID").expect("out of memory")
    }

    /// An ENUM value: entry `index` of the dictionary of `enum_type` (made by
    /// [`LogicalType::enumeration`]). A non-enum type or an index past the end is an error.
    pub fn enumeration(enum_type: &LogicalType, index: u64) -> Result<Value> {
        if enum_type.id() != TypeId::Enum {
            return Err(type_error("an ENUM type", enum_type.id()));
        }
        // SAFETY: live type; the constructor checks the index and returns null when too large.
        let raw = unsafe { ffi::duckdb_create_enum_value(enum_type.as_raw(), index) };
        if raw.is_null() {
            // SAFETY: live ENUM type.
            let size = unsafe { ffi::duckdb_enum_dictionary_size(enum_type.as_raw()) };
            return Err(Error::out_of_range(
                "enum index",
                index as usize,
                size as usize,
            ));
        }
        wrap(raw, "ENUM")
    }

    /// A BIT string, first bit first (`[true, false, true]` is `'101'`). An empty string is an
    /// error (DuckDB's BIT type has at least one bit).
    pub fn bit(bits: &[bool]) -> Result<Value> {
        if bits.is_empty() {
            return Err(Error::new(
                ErrorKind::OutOfRange,
                "a BIT value needs at least one bit",
            ));
        }
        // DuckDB's layout: a first byte holding the count of padding bits, then the bits
        // most-significant first, with the padding (at the start) set to 1.
        let padding = (8 - bits.len() % 8) % 8;
        let mut bytes = vec![0u8; 1 + bits.len().div_ceil(8)];
        bytes[0] = padding as u8;
        for i in 0..padding {
            bytes[1] |= 0x80 >> i;
        }
        for (i, &b) in bits.iter().enumerate() {
            if b {
                let pos = padding + i;
                bytes[1 + pos / 8] |= 0x80 >> (pos % 8);
            }
        }
        let bit = ffi::duckdb_bit {
            data: bytes.as_mut_ptr(),
            size: bytes.len() as ffi::idx_t,
        };
        // SAFETY: `bit` points to `bytes`, alive for the call; DuckDB copies them.
        wrap(unsafe { ffi::duckdb_create_bit(bit) }, "BIT")
    }

    /// A LIST of `child_type` holding copies of `items`. Items of another type are cast; an
    /// item that cannot be cast is an error.
    pub fn list(child_type: &LogicalType, items: &[Value]) -> Result<Value> {
        let mut raws: Vec<ffi::duckdb_value> = items.iter().map(Value::as_raw).collect();
        // SAFETY: live type and values; the constructor copies them ("value" row: inputs stay
        // owned by `items`). A non-null pointer is needed even for no items.
        let raw = unsafe {
            ffi::duckdb_create_list_value(
                child_type.as_raw(),
                nonnull(&mut raws),
                raws.len() as ffi::idx_t,
            )
        };
        wrap(
            raw,
            &format!("a LIST of {:?} from these items", child_type.id()),
        )
    }

    /// An ARRAY of `child_type` with exactly `items.len()` entries, copied.
    pub fn array(child_type: &LogicalType, items: &[Value]) -> Result<Value> {
        let mut raws: Vec<ffi::duckdb_value> = items.iter().map(Value::as_raw).collect();
        // SAFETY: as in `list`.
        let raw = unsafe {
            ffi::duckdb_create_array_value(
                child_type.as_raw(),
                nonnull(&mut raws),
                raws.len() as ffi::idx_t,
            )
        };
        wrap(
            raw,
            &format!("an ARRAY of {:?} from these items", child_type.id()),
        )
    }

    /// A STRUCT of `struct_type` (from [`LogicalType::structure`]) with one value per field,
    /// in field order, copied. A wrong number of fields is an error.
    pub fn structure(struct_type: &LogicalType, fields: &[Value]) -> Result<Value> {
        if struct_type.id() != TypeId::Struct {
            return Err(type_error("a STRUCT type", struct_type.id()));
        }
        // SAFETY: live STRUCT type.
        let count = unsafe { ffi::duckdb_struct_type_child_count(struct_type.as_raw()) } as usize;
        if count != fields.len() {
            return Err(Error::new(
                ErrorKind::OutOfRange,
                format!(
                    "the STRUCT type has {count} fields but {} values were given",
                    fields.len()
                ),
            ));
        }
        let mut raws: Vec<ffi::duckdb_value> = fields.iter().map(Value::as_raw).collect();
        // SAFETY: exactly `count` live values (the C function reads that many); copied.
        let raw =
            unsafe { ffi::duckdb_create_struct_value(struct_type.as_raw(), nonnull(&mut raws)) };
        wrap(raw, "a STRUCT from these fields")
    }

    /// A MAP of `map_type` (from [`LogicalType::map`]) from parallel keys and values, copied.
    /// Keys are cast to the key type; values must already have the value type's id. Different
    /// lengths, duplicate or NULL keys are errors.
    pub fn map(map_type: &LogicalType, keys: &[Value], values: &[Value]) -> Result<Value> {
        if map_type.id() != TypeId::Map {
            return Err(type_error("a MAP type", map_type.id()));
        }
        if keys.len() != values.len() {
            return Err(Error::new(
                ErrorKind::OutOfRange,
                format!(
                    "a MAP needs as many keys as values ({} keys, {} values)",
                    keys.len(),
                    values.len()
                ),
            ));
        }
        // DuckDB casts the keys but stores the values as given: check the value type here.
        // SAFETY: live MAP type; the value type is owned ("Getters": child-type getters).
        let value_type =
            unsafe { LogicalType::from_raw(ffi::duckdb_map_type_value_type(map_type.as_raw())) };
        for (i, v) in values.iter().enumerate() {
            if !v.is_null() && v.type_id() != value_type.id() {
                return Err(Error::new(
                    ErrorKind::TypeMismatch,
                    format!(
                        "MAP value {i} has type {:?}, the map's values are {:?}",
                        v.type_id(),
                        value_type.id()
                    ),
                ));
            }
        }
        let mut k: Vec<ffi::duckdb_value> = keys.iter().map(Value::as_raw).collect();
        let mut v: Vec<ffi::duckdb_value> = values.iter().map(Value::as_raw).collect();
        // SAFETY: `len` live keys and values; copied; the constructor catches its exceptions.
        let raw = unsafe {
            ffi::duckdb_create_map_value(
                map_type.as_raw(),
                nonnull(&mut k),
                nonnull(&mut v),
                k.len() as ffi::idx_t,
            )
        };
        wrap(
            raw,
            "a MAP from these entries (duplicate or NULL key, or a key that cannot be cast?)",
        )
    }

    /// A UNION of `union_type` (from [`LogicalType::union_type`]) holding `value` as member
    /// `tag`. The value must have exactly the member's type.
    pub fn union_value(union_type: &LogicalType, tag: usize, value: &Value) -> Result<Value> {
        if union_type.id() != TypeId::Union {
            return Err(type_error("a UNION type", union_type.id()));
        }
        // SAFETY: live UNION type.
        let members = unsafe { ffi::duckdb_union_type_member_count(union_type.as_raw()) } as usize;
        if tag >= members {
            return Err(Error::out_of_range("union member", tag, members));
        }
        // SAFETY: live type and value; copied.
        let raw = unsafe {
            ffi::duckdb_create_union_value(union_type.as_raw(), tag as ffi::idx_t, value.as_raw())
        };
        wrap(
            raw,
            &format!(
                "a UNION value: member {tag} has another type than {:?}",
                value.type_id()
            ),
        )
    }

    /// The value's type id.
    pub fn type_id(&self) -> TypeId {
        // SAFETY: the type is borrowed from the live value ("Getters": duckdb_get_value_type is
        // borrowed) and only read here.
        TypeId::from_raw(unsafe {
            ffi::duckdb_get_type_id(ffi::duckdb_get_value_type(self.handle.get()))
        })
    }

    /// Whether the value is SQL NULL (of any type).
    pub fn is_null(&self) -> bool {
        // SAFETY: live value.
        unsafe { ffi::duckdb_is_null_value(self.handle.get()) }
    }

    fn expect(&self, id: TypeId) -> Result<()> {
        let actual = self.type_id();
        if actual != id {
            return Err(Error::new(
                ErrorKind::TypeMismatch,
                format!("value has type {actual:?}, not {id:?}"),
            ));
        }
        if self.is_null() {
            return Err(Error::new(
                ErrorKind::TypeMismatch,
                format!("value is a NULL {id:?}"),
            ));
        }
        Ok(())
    }

    /// Reads a HUGEINT.
    pub fn get_i128(&self) -> Result<i128> {
        self.expect(TypeId::HugeInt)?;
        // SAFETY: type checked, not NULL.
        Ok(from_hugeint(unsafe {
            ffi::duckdb_get_hugeint(self.handle.get())
        }))
    }

    /// Reads a UHUGEINT.
    pub fn get_u128(&self) -> Result<u128> {
        self.expect(TypeId::UHugeInt)?;
        // SAFETY: type checked, not NULL.
        Ok(from_uhugeint(unsafe {
            ffi::duckdb_get_uhugeint(self.handle.get())
        }))
    }

    /// Reads a UUID as its 128-bit value.
    pub fn get_uuid(&self) -> Result<u128> {
        self.expect(TypeId::Uuid)?;
        // SAFETY: type checked, not NULL.
        Ok(from_uhugeint(unsafe {
            ffi::duckdb_get_uuid(self.handle.get())
        }))
    }

    /// Reads a DATE as days since 1970-01-01.
    pub fn get_date(&self) -> Result<i32> {
        self.expect(TypeId::Date)?;
        // SAFETY: type checked, not NULL.
        Ok(unsafe { ffi::duckdb_get_date(self.handle.get()) }.days)
    }

    /// Reads a TIME as microseconds since midnight.
    pub fn get_time(&self) -> Result<i64> {
        self.expect(TypeId::Time)?;
        // SAFETY: type checked, not NULL.
        Ok(unsafe { ffi::duckdb_get_time(self.handle.get()) }.micros)
    }

    /// Reads a TIME_NS as nanoseconds since midnight.
    pub fn get_time_ns(&self) -> Result<i64> {
        self.expect(TypeId::TimeNs)?;
        // SAFETY: type checked, not NULL.
        Ok(unsafe { ffi::duckdb_get_time_ns(self.handle.get()) }.nanos)
    }

    /// Reads a TIME WITH TIME ZONE as (microseconds since midnight, offset in seconds).
    pub fn get_time_tz(&self) -> Result<(i64, i32)> {
        self.expect(TypeId::TimeTz)?;
        // SAFETY: type checked, not NULL; duckdb_from_time_tz only unpacks bits.
        let parts = unsafe { ffi::duckdb_from_time_tz(ffi::duckdb_get_time_tz(self.handle.get())) };
        let t = parts.time;
        let micros =
            ((t.hour as i64 * 60 + t.min as i64) * 60 + t.sec as i64) * 1_000_000 + t.micros as i64;
        Ok((micros, parts.offset))
    }

    /// Reads any timestamp type as its stored count (seconds for TIMESTAMP_S, milliseconds for
    /// TIMESTAMP_MS, nanoseconds for TIMESTAMP_NS and TIMESTAMPTZ_NS, else microseconds).
    pub fn get_timestamp(&self) -> Result<i64> {
        let id = self.type_id();
        if self.is_null() {
            return Err(Error::new(
                ErrorKind::TypeMismatch,
                format!("value is a NULL {id:?}"),
            ));
        }
        let raw = self.handle.get();
        // SAFETY: each getter is called only for its own (checked) type on a non-NULL value.
        unsafe {
            Ok(match id {
                TypeId::Timestamp => ffi::duckdb_get_timestamp(raw).micros,
                TypeId::TimestampTz => ffi::duckdb_get_timestamp_tz(raw).micros,
                TypeId::TimestampS => ffi::duckdb_get_timestamp_s(raw).seconds,
                TypeId::TimestampMs => ffi::duckdb_get_timestamp_ms(raw).millis,
                TypeId::TimestampNs => ffi::duckdb_get_timestamp_ns(raw).nanos,
                TypeId::TimestampTzNs => ffi::duckdb_get_timestamp_tz_ns(raw).nanos,
                other => return Err(type_error("a timestamp", other)),
            })
        }
    }

    /// Reads an INTERVAL as (months, days, microseconds).
    pub fn get_interval(&self) -> Result<(i32, i32, i64)> {
        self.expect(TypeId::Interval)?;
        // SAFETY: type checked, not NULL.
        let i = unsafe { ffi::duckdb_get_interval(self.handle.get()) };
        Ok((i.months, i.days, i.micros))
    }

    /// Reads a DECIMAL as (width, scale, unscaled value).
    pub fn get_decimal(&self) -> Result<(u8, u8, i128)> {
        self.expect(TypeId::Decimal)?;
        // SAFETY: type checked, not NULL; the getter checks the type itself too.
        let d = unsafe { ffi::duckdb_get_decimal(self.handle.get()) };
        Ok((d.width, d.scale, from_hugeint(d.value)))
    }

    /// Reads an ENUM as its index in the dictionary.
    pub fn get_enum_index(&self) -> Result<u64> {
        self.expect(TypeId::Enum)?;
        // SAFETY: type checked, not NULL.
        Ok(unsafe { ffi::duckdb_get_enum_value(self.handle.get()) })
    }

    /// Reads a VARCHAR (only: use `to_string()` for any type's SQL text).
    ///
    /// `duckdb_get_varchar` returns a NUL-terminated copy without its length, so text that
    /// itself contains a NUL byte comes back cut at the first one. Binding and appending take
    /// a length and keep such text whole.
    pub fn get_str(&self) -> Result<String> {
        self.expect(TypeId::Varchar)?;
        // SAFETY: a non-NULL VARCHAR, so the getter's cast to VARCHAR cannot throw (the trap in
        // capi-ownership.md); the result is malloc'd: copied, then freed with duckdb_free.
        unsafe {
            let p = ffi::duckdb_get_varchar(self.handle.get());
            take_c_string(p)
                .ok_or_else(|| Error::misuse("duckdb_get_varchar returned NULL (out of memory)"))?
        }
    }

    /// Reads a BLOB.
    pub fn get_blob(&self) -> Result<Vec<u8>> {
        self.expect(TypeId::Blob)?;
        // SAFETY: a non-NULL BLOB, so the getter cannot throw; `.data` is malloc'd: copied, then
        // freed with duckdb_free ("Strings" section).
        unsafe {
            let b = ffi::duckdb_get_blob(self.handle.get());
            Ok(take_bytes(b.data.cast(), b.size as usize))
        }
    }

    /// Reads a BIT string, first bit first.
    pub fn get_bit(&self) -> Result<Vec<bool>> {
        self.expect(TypeId::Bit)?;
        // SAFETY: a non-NULL BIT, so the getter's cast cannot throw; `.data` is malloc'd.
        let bytes = unsafe {
            let b = ffi::duckdb_get_bit(self.handle.get());
            take_bytes(b.data, b.size as usize)
        };
        let Some((&padding, data)) = bytes.split_first() else {
            return Ok(Vec::new());
        };
        let total = data.len() * 8;
        Ok((padding as usize..total)
            .map(|pos| data[pos / 8] & (0x80 >> (pos % 8)) != 0)
            .collect())
    }

    /// Number of entries of a LIST (an error for other types or NULL).
    pub fn list_len(&self) -> Result<usize> {
        self.expect(TypeId::List)?;
        // SAFETY: live value.
        Ok(unsafe { ffi::duckdb_get_list_size(self.handle.get()) } as usize)
    }

    /// A copy of entry `index` of a LIST.
    pub fn list_child(&self, index: usize) -> Result<Value> {
        let len = self.list_len()?;
        // SAFETY: live value; the child is a fresh copy or null when out of range.
        wrap_child(
            unsafe { ffi::duckdb_get_list_child(self.handle.get(), index as ffi::idx_t) },
            "list entry",
            index,
            len,
        )
    }

    /// A copy of field `index` of a STRUCT.
    pub fn struct_child(&self, index: usize) -> Result<Value> {
        self.expect(TypeId::Struct)?;
        // SAFETY: live value; the child is a fresh copy or null when out of range.
        let raw = unsafe { ffi::duckdb_get_struct_child(self.handle.get(), index as ffi::idx_t) };
        if raw.is_null() {
            return Err(Error::new(
                ErrorKind::OutOfRange,
                format!("struct field {index} is out of range"),
            ));
        }
        wrap_child(raw, "struct field", index, 0)
    }

    /// Number of entries of a MAP.
    pub fn map_len(&self) -> Result<usize> {
        self.expect(TypeId::Map)?;
        // SAFETY: live value.
        Ok(unsafe { ffi::duckdb_get_map_size(self.handle.get()) } as usize)
    }

    /// A copy of the key and the value of entry `index` of a MAP.
    pub fn map_entry(&self, index: usize) -> Result<(Value, Value)> {
        let len = self.map_len()?;
        if index >= len {
            return Err(Error::out_of_range("map entry", index, len));
        }
        // SAFETY: live value, index checked; both getters return fresh copies.
        let key = wrap_child(
            unsafe { ffi::duckdb_get_map_key(self.handle.get(), index as ffi::idx_t) },
            "map entry",
            index,
            len,
        )?;
        // SAFETY: as above.
        let value = wrap_child(
            unsafe { ffi::duckdb_get_map_value(self.handle.get(), index as ffi::idx_t) },
            "map entry",
            index,
            len,
        )?;
        Ok((key, value))
    }
}

/// Copies and frees a malloc'd byte buffer.
///
/// # Safety
/// `p` is null or points to `len` bytes allocated with malloc that nobody else frees.
unsafe fn take_bytes(p: *mut u8, len: usize) -> Vec<u8> {
    if p.is_null() {
        return Vec::new();
    }
    // SAFETY: per the contract; copied before the free.
    unsafe {
        let v = std::slice::from_raw_parts(p, len).to_vec();
        ffi::duckdb_free(p.cast());
        v
    }
}

/// Pointer to the first element, or a dangling (never read) non-null pointer for an empty
/// vector: the C constructors reject null even when the count is 0.
fn nonnull(v: &mut Vec<ffi::duckdb_value>) -> *mut ffi::duckdb_value {
    if v.is_empty() {
        std::ptr::NonNull::dangling().as_ptr()
    } else {
        v.as_mut_ptr()
    }
}

fn type_error(wanted: &str, got: TypeId) -> Error {
    Error::new(
        ErrorKind::TypeMismatch,
        format!("expected {wanted}, got {got:?}"),
    )
}

pub(crate) fn check_decimal(width: u8, scale: u8, value: i128) -> Result<()> {
    if !(1..=38).contains(&width) || scale > width {
        return Err(Error::new(
            ErrorKind::OutOfRange,
            format!("DECIMAL({width},{scale}) is invalid: width must be 1..=38 and scale <= width"),
        ));
    }
    if value.unsigned_abs() >= 10u128.pow(width as u32) {
        return Err(Error::new(
            ErrorKind::OutOfRange,
            format!(
                "{value} has more than {width} digits and does not fit DECIMAL({width},{scale})"
            ),
        ));
    }
    Ok(())
}

impl fmt::Display for Value {
    /// The value as SQL text (`duckdb_value_to_string`: strings are quoted as in SQL).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // SAFETY: live value; the result is malloc'd, copied and freed by take_c_string.
        match unsafe { take_c_string(ffi::duckdb_value_to_string(self.handle.get())) } {
            Some(Ok(s)) => f.write_str(&s),
            Some(Err(_)) => f.write_str("<value text is not UTF-8>"),
            None => f.write_str("<value>"),
        }
    }
}

/// Constructors of logical types with parameters or children ([`LogicalType::new`] makes
/// the others; introspection lives with [`LogicalType`] itself).
impl LogicalType {
    /// The type with id `id`. Types with parameters or children (DECIMAL, ENUM, LIST, STRUCT,
    /// MAP, ARRAY, UNION) have their own constructors and are an error here.
    ///
    /// ```
    /// use duckdb_ffi::safe::{LogicalType, TypeId};
    /// assert_eq!(LogicalType::new(TypeId::Varchar)?.id(), TypeId::Varchar);
    /// assert!(LogicalType::new(TypeId::List).is_err());
    /// # Ok::<(), duckdb_ffi::safe::Error>(())
    /// ```
    pub fn new(id: TypeId) -> Result<LogicalType> {
        use TypeId::*;
        let constructor = match id {
            Decimal => "decimal",
            Enum => "enumeration",
            List => "list",
            Struct => "structure",
            Map => "map",
            Array => "array",
            Union => "union_type",
            _ => "",
        };
        if !constructor.is_empty() {
            return Err(Error::new(
                ErrorKind::TypeMismatch,
                format!("{id:?} has parameters: use LogicalType::{constructor}"),
            ));
        }
        // SAFETY: plain id; the returned type is owned ("logical_type" row).
        let t = unsafe { LogicalType::from_raw(ffi::duckdb_create_logical_type(id.to_raw())) };
        if t.id() == Invalid && id != Invalid {
            return Err(Error::new(
                ErrorKind::TypeMismatch,
                format!("DuckDB cannot make a logical type from {id:?}"),
            ));
        }
        Ok(t)
    }

    /// Wraps the result of a type constructor; null means the inputs were rejected.
    fn made(raw: ffi::duckdb_logical_type, what: &str) -> Result<LogicalType> {
        if raw.is_null() {
            return Err(Error::new(
                ErrorKind::TypeMismatch,
                format!("DuckDB rejected the type {what}"),
            ));
        }
        // SAFETY: a fresh type from a duckdb_create_*_type call ("logical_type" row).
        Ok(unsafe { LogicalType::from_raw(raw) })
    }

    /// `child[]`.
    pub fn list(child: &LogicalType) -> Result<LogicalType> {
        // SAFETY: live child type, copied.
        LogicalType::made(
            unsafe { ffi::duckdb_create_list_type(child.as_raw()) },
            "LIST",
        )
    }

    /// `child[size]`; `size` must be positive.
    pub fn array(child: &LogicalType, size: usize) -> Result<LogicalType> {
        if size == 0 {
            return Err(Error::new(
                ErrorKind::OutOfRange,
                "an ARRAY type needs a size of at least 1",
            ));
        }
        // SAFETY: live child type, copied; too large a size gives null.
        LogicalType::made(
            unsafe { ffi::duckdb_create_array_type(child.as_raw(), size as ffi::idx_t) },
            "ARRAY",
        )
    }

    /// `MAP(key, value)`.
    pub fn map(key: &LogicalType, value: &LogicalType) -> Result<LogicalType> {
        // SAFETY: live types, copied.
        LogicalType::made(
            unsafe { ffi::duckdb_create_map_type(key.as_raw(), value.as_raw()) },
            "MAP",
        )
    }

    /// `STRUCT(name type, ...)`. Names must not contain NUL bytes.
    pub fn structure(fields: &[(&str, &LogicalType)]) -> Result<LogicalType> {
        let (names, types) = names_and_types(fields)?;
        let name_ptrs: Vec<*const c_char> = names.iter().map(|n| n.as_ptr()).collect();
        let mut types = types;
        // SAFETY: `fields.len()` valid names and live types, copied by the call.
        let raw = unsafe {
            ffi::duckdb_create_struct_type(
                types_ptr(&mut types),
                ptrs(&name_ptrs),
                fields.len() as ffi::idx_t,
            )
        };
        LogicalType::made(raw, "STRUCT")
    }

    /// `UNION(name type, ...)`; at least one member. Names must not contain NUL bytes.
    pub fn union_type(members: &[(&str, &LogicalType)]) -> Result<LogicalType> {
        if members.is_empty() {
            return Err(Error::new(
                ErrorKind::OutOfRange,
                "a UNION type needs at least one member",
            ));
        }
        let (names, types) = names_and_types(members)?;
        let name_ptrs: Vec<*const c_char> = names.iter().map(|n| n.as_ptr()).collect();
        let mut types = types;
        // SAFETY: `members.len()` valid names and live types (the C code reads every name
        // without a null check, so none is null), copied by the call.
        let raw = unsafe {
            ffi::duckdb_create_union_type(
                types_ptr(&mut types),
                ptrs(&name_ptrs),
                members.len() as ffi::idx_t,
            )
        };
        LogicalType::made(raw, "UNION")
    }

    /// `ENUM('a', 'b', ...)`; entries must be distinct and free of NUL bytes.
    pub fn enumeration(entries: &[&str]) -> Result<LogicalType> {
        let names = entries
            .iter()
            .map(|e| c_string(e))
            .collect::<Result<Vec<_>>>()?;
        let name_ptrs: Vec<*const c_char> = names.iter().map(|n| n.as_ptr()).collect();
        // SAFETY: `entries.len()` valid C strings, copied by the call.
        let raw =
            unsafe { ffi::duckdb_create_enum_type(ptrs(&name_ptrs), entries.len() as ffi::idx_t) };
        LogicalType::made(raw, "ENUM (duplicate entries?)")
    }

    /// `DECIMAL(width, scale)`: width 1..=38, scale <= width.
    pub fn decimal(width: u8, scale: u8) -> Result<LogicalType> {
        check_decimal(width, scale, 0)?;
        // SAFETY: plain integers; invalid ones give null.
        LogicalType::made(
            unsafe { ffi::duckdb_create_decimal_type(width, scale) },
            "DECIMAL",
        )
    }
}

fn names_and_types(
    fields: &[(&str, &LogicalType)],
) -> Result<(Vec<std::ffi::CString>, Vec<ffi::duckdb_logical_type>)> {
    let names = fields
        .iter()
        .map(|(n, _)| c_string(n))
        .collect::<Result<Vec<_>>>()?;
    let types = fields.iter().map(|(_, t)| t.as_raw()).collect();
    Ok((names, types))
}

fn types_ptr(v: &mut Vec<ffi::duckdb_logical_type>) -> *mut ffi::duckdb_logical_type {
    if v.is_empty() {
        std::ptr::NonNull::dangling().as_ptr()
    } else {
        v.as_mut_ptr()
    }
}

fn ptrs(v: &[*const c_char]) -> *mut *const c_char {
    if v.is_empty() {
        std::ptr::NonNull::dangling().as_ptr()
    } else {
        v.as_ptr().cast_mut()
    }
}

/// Builders of nested values whose child types come from the children themselves (used to
/// convert a [`Datum`](super::Datum), which carries no types, into a `Value`).
impl Value {
    /// The value's type, borrowed from it ("Getters": `duckdb_get_value_type` is borrowed):
    /// valid while `self` lives, never destroyed, only passed to calls that copy it.
    fn borrowed_type(&self) -> ffi::duckdb_logical_type {
        // SAFETY: live value.
        unsafe { ffi::duckdb_get_value_type(self.handle.get()) }
    }

    /// A LIST (or an ARRAY) of `items`, typed after the first non-NULL item (`NULL[]` for none).
    pub(crate) fn list_from_items(items: &[Value], array: bool) -> Result<Value> {
        let null_type = LogicalType::new(TypeId::SqlNull)?;
        let child = items
            .iter()
            .find(|v| !v.is_null())
            .map_or(null_type.as_raw(), Value::borrowed_type);
        let mut raws: Vec<ffi::duckdb_value> = items.iter().map(Value::as_raw).collect();
        // SAFETY: `child` is live (owned by `null_type` or borrowed from an item, both alive for
        // the call) and copied; the items are live and copied ("value" row).
        let raw = unsafe {
            if array {
                ffi::duckdb_create_array_value(child, nonnull(&mut raws), raws.len() as ffi::idx_t)
            } else {
                ffi::duckdb_create_list_value(child, nonnull(&mut raws), raws.len() as ffi::idx_t)
            }
        };
        wrap(
            raw,
            if array {
                "an ARRAY from items of different types"
            } else {
                "a LIST from items of different types"
            },
        )
    }

    /// A STRUCT with these field names and values.
    pub(crate) fn struct_from_fields(fields: &[(&str, Value)]) -> Result<Value> {
        let names = fields
            .iter()
            .map(|(n, _)| c_string(n))
            .collect::<Result<Vec<_>>>()?;
        let name_ptrs: Vec<*const c_char> = names.iter().map(|n| n.as_ptr()).collect();
        let mut types: Vec<ffi::duckdb_logical_type> =
            fields.iter().map(|(_, v)| v.borrowed_type()).collect();
        // SAFETY: `fields.len()` valid names and live (borrowed) types, copied by the call.
        let raw_type = unsafe {
            ffi::duckdb_create_struct_type(
                types_ptr(&mut types),
                ptrs(&name_ptrs),
                fields.len() as ffi::idx_t,
            )
        };
        let struct_type = LogicalType::made(raw_type, "STRUCT")?;
        let mut raws: Vec<ffi::duckdb_value> = fields.iter().map(|(_, v)| v.as_raw()).collect();
        // SAFETY: one live value per field of the type; copied.
        let raw =
            unsafe { ffi::duckdb_create_struct_value(struct_type.as_raw(), nonnull(&mut raws)) };
        wrap(raw, "a STRUCT from these fields")
    }

    /// A MAP from key/value pairs, typed after the first pair (`MAP(NULL, NULL)` for none).
    pub(crate) fn map_from_entries(keys: &[Value], values: &[Value]) -> Result<Value> {
        let null_type = LogicalType::new(TypeId::SqlNull)?;
        let key_type = keys
            .iter()
            .find(|v| !v.is_null())
            .map_or(null_type.as_raw(), Value::borrowed_type);
        let value_type = values
            .iter()
            .find(|v| !v.is_null())
            .map_or(null_type.as_raw(), Value::borrowed_type);
        // SAFETY: live types (owned or borrowed from live values), copied by the call.
        let map_type = LogicalType::made(
            unsafe { ffi::duckdb_create_map_type(key_type, value_type) },
            "MAP",
        )?;
        Value::map(&map_type, keys, values)
    }

    /// A one-member UNION holding `value` as member `name` (DuckDB casts it to a union with
    /// more members by name).
    pub(crate) fn union_from_member(name: &str, value: &Value) -> Result<Value> {
        let c_name = c_string(name)?;
        let name_ptrs = [c_name.as_ptr()];
        let mut types = vec![value.borrowed_type()];
        // SAFETY: one valid name and one live (borrowed) type, copied by the call.
        let raw_type =
            unsafe { ffi::duckdb_create_union_type(types_ptr(&mut types), ptrs(&name_ptrs), 1) };
        let union_type = LogicalType::made(raw_type, "UNION")?;
        Value::union_value(&union_type, 0, value)
    }
}
