//! `Value`: an owned DuckDB value of any type (the owner of a `duckdb_value`): scalar
//! constructors and readers. Nested values are built and read in `nested.rs`.
//!
//! A `Value` is what nested parameters (LIST, STRUCT, MAP, ARRAY, UNION) and the types with no
//! dedicated bind function (TIMESTAMP_NS, TIME_TZ, UUID, ENUM, BIT, ...) are bound and appended
//! through. Reading one back checks its type first: the C getters either cast silently or, for
//! text and blobs, can throw a C++ exception on a type they cannot cast (src/c_api.md,
//! "Traps"), so every reader here refuses a wrong type or a NULL with an error instead.

use super::bignum::Bignum;
use super::c_repr::CRepr;
use super::fixed::*;
use super::numeric::{Decimal, from_hugeint, to_hugeint};
use crate as ffi;
use crate::safe::cabi::take_c_string;
use crate::safe::error::{Error, ErrorKind, Result};
use crate::safe::handle::{Owned, kind};
use crate::safe::types::LogicalType;
use crate::safe::types::{TypeId, fixed_width_types};
use std::ffi::c_char;
use std::fmt;

/// An owned DuckDB value (`duckdb_value`), destroyed once when dropped.
///
/// ```
/// use duckdb_ffi::safe::types::{LogicalType, TypeId, Value};
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
/// sync::<duckdb_ffi::safe::types::Value>();
/// ```
pub struct Value {
    pub(super) handle: Owned<kind::Value>,
}

// SAFETY: a duckdb_value is a heap-allocated duckdb::Value with no reference to a connection;
// the safe API never mutates it after construction and `Owned` keeps it !Sync (src/c_api.md,
// "value" row: owned by whoever created it).
unsafe impl Send for Value {}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Value({:?}: {})", self.type_id(), self)
    }
}

/// Wraps the result of a `duckdb_create_*` call, turning null (the C API's only failure signal)
/// into an error naming `what`.
pub(super) fn wrap(raw: ffi::duckdb_value, what: &str) -> Result<Value> {
    if raw.is_null() {
        return Err(Error::new(
            ErrorKind::TypeMismatch,
            format!("DuckDB could not create {what}"),
        ));
    }
    // SAFETY: non-null result of a duckdb_create_* call: a fresh value we own ("value" row).
    let handle = unsafe { Owned::from_raw(raw) };
    Ok(Value { handle })
}

/// Wraps a value returned by an owning getter (`duckdb_get_list_child`, ...), which signals
/// "no such child" with null.
pub(super) fn wrap_child(
    raw: ffi::duckdb_value,
    what: &str,
    index: usize,
    len: usize,
) -> Result<Value> {
    if raw.is_null() {
        return Err(Error::out_of_range(what, index, len));
    }
    // SAFETY: child getters return a fresh copy the caller owns ("Getters": owned).
    let handle = unsafe { Owned::from_raw(raw) };
    Ok(Value { handle })
}

/// `From<T> for Value` and a typed reader for every fixed-width type of the type table.
macro_rules! typed_values {
    ($($group:ident $v:ident $t:ident $s:ident $from:path,
        $create:ident $get:ident $getter:ident, [$($bind:ident)?] [$($append:ident)?] $layout:ident;)*) => {
        $(
            impl From<$t> for Value {
                #[doc = concat!("A `", stringify!($v), "` value.")]
                fn from(v: $t) -> Value {
                    // SAFETY: the constructor copies a plain scalar or struct; it only returns
                    // null on allocation failure.
                    let raw = unsafe { ffi::$create(v.to_c()) };
                    wrap(raw, stringify!($v))
                        .expect(concat!(stringify!($create), " returned NULL (out of memory)"))
                }
            }
        )*
        impl Value {
            $(
                #[doc = concat!("Reads a `", stringify!($v), "` value as `", stringify!($t),
                    "`; any other type or NULL is an error.")]
                pub fn $getter(&self) -> Result<$t> {
                    self.expect(TypeId::$v)?;
                    // SAFETY: type checked and not NULL, so the getter's cast cannot fail.
                    Ok(<$t>::from_c(unsafe { ffi::$get(self.handle.get()) }))
                }
            )*
        }
    };
}

fixed_width_types!(typed_values);

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

impl Value {
    /// Takes ownership of a value.
    ///
    /// # Safety
    /// `raw` must be a non-null value the caller owns and nobody else destroys.
    pub unsafe fn from_raw(raw: ffi::duckdb_value) -> Value {
        // SAFETY: forwarded from the caller.
        let handle = unsafe { Owned::from_raw(raw) };
        Value { handle }
    }

    /// The raw handle, still owned by `self`.
    pub fn as_raw(&self) -> ffi::duckdb_value {
        self.handle.get()
    }

    /// Gives up ownership of the value (`duckdb_destroy_value`) (see the [ownership rule](crate::safe#raw-handles)):
    /// the ledger no longer counts it, and the caller must destroy it.
    pub fn into_raw(self) -> ffi::duckdb_value {
        self.handle.into_raw()
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

    /// A DECIMAL value. A width outside 1..=38, a scale above the width, or a value with
    /// more digits than the width is an error.
    pub fn decimal(d: Decimal) -> Result<Value> {
        d.check()?;
        let raw = ffi::duckdb_decimal {
            width: d.width,
            scale: d.scale,
            value: to_hugeint(d.value),
        };
        // SAFETY: plain struct copied; invalid width/scale makes the call return null.
        wrap(
            unsafe { ffi::duckdb_create_decimal(raw) },
            &format!("DECIMAL({},{})", d.width, d.scale),
        )
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

    /// A BIGNUM (`duckdb_create_bignum` copies the magnitude).
    pub fn bignum(v: &Bignum) -> Result<Value> {
        // A zero magnitude is one zero byte in DuckDB's layout.
        let zero = [0u8];
        let magnitude = if v.magnitude().is_empty() {
            &zero[..]
        } else {
            v.magnitude()
        };
        let input = ffi::duckdb_bignum {
            data: magnitude.as_ptr().cast_mut(),
            size: magnitude.len() as ffi::idx_t,
            is_negative: v.is_negative(),
        };
        // SAFETY: `input.data` points to `size` bytes alive for the call; DuckDB only reads
        // and copies them (the constructor builds its own storage from them).
        wrap(unsafe { ffi::duckdb_create_bignum(input) }, "BIGNUM")
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
}

impl Value {
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

    pub(super) fn expect(&self, id: TypeId) -> Result<()> {
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

    /// Reads a DECIMAL.
    pub fn get_decimal(&self) -> Result<Decimal> {
        self.expect(TypeId::Decimal)?;
        // SAFETY: type checked, not NULL; the getter checks the type itself too.
        let d = unsafe { ffi::duckdb_get_decimal(self.handle.get()) };
        Ok(Decimal {
            value: from_hugeint(d.value),
            width: d.width,
            scale: d.scale,
        })
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
        // src/c_api.md); the result is malloc'd: copied, then freed with duckdb_free.
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

pub(super) fn type_error(wanted: &str, got: TypeId) -> Error {
    Error::new(
        ErrorKind::TypeMismatch,
        format!("expected {wanted}, got {got:?}"),
    )
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
