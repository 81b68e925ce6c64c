//! [`Primitive`]: the Rust types whose layout equals a DuckDB column's storage, so a column
//! of them can be read as a slice.

use super::vector::{Validity, Vector};
use crate::safe::error::{Error, ErrorKind, Result};
use crate::safe::types::{TypeId, fixed_width_types};
use crate::safe::values::fixed::*;
use std::marker::PhantomData;

mod sealed {
    pub trait Sealed {}
}

/// A Rust type whose memory layout equals a DuckDB column storage type, so a column can be
/// read as `&[Self]` ([`Vector::as_slice`]) or value by value ([`Vector::values`]).
///
/// Implemented (sealed) for the Rust type of every fixed-width type of the type table: `i8`
/// TINYINT; `i16`, `i32`, `i64`, `i128` SMALLINT, INTEGER, BIGINT, HUGEINT and the DECIMALs
/// stored at that width; `u8`, `u16`, `u32` UTINYINT, USMALLINT, UINTEGER and the ENUM indexes
/// stored at that width; `u64` UBIGINT; `u128` UHUGEINT; `f32` FLOAT; `f64` DOUBLE; `bool`
/// BOOLEAN; and [`Date`](crate::safe::types::Date), [`Time`](crate::safe::types::Time),
/// [`TimeNs`](crate::safe::types::TimeNs), [`TimeTz`](crate::safe::types::TimeTz), the timestamps and
/// [`Interval`](crate::safe::types::Interval).
pub trait Primitive: Copy + sealed::Sealed + 'static {
    /// The Rust name, for error messages.
    const NAME: &'static str;

    /// Whether a column of this logical type stores `Self`.
    #[doc(hidden)]
    fn stored_in(v: &Vector<'_>) -> bool;

    /// Reads one value from possibly unaligned memory.
    ///
    /// # Safety
    /// `ptr` points to `size_of::<Self>()` readable bytes holding a value of this storage type.
    #[doc(hidden)]
    unsafe fn read(ptr: *const u8) -> Self;

    /// Whether the memory may be handed out as `&[Self]`: layout matches (endianness) and every
    /// byte pattern present is a valid `Self`.
    #[doc(hidden)]
    fn slice_ok(bytes: &[u8]) -> bool;
}

/// How a storage type's bytes become a Rust value (the type table's `layout` column).
trait Layout<T> {
    /// # Safety
    /// `ptr` points to `size_of::<T>()` readable bytes of this storage.
    unsafe fn read(ptr: *const u8) -> T;
    /// Whether `bytes` may be seen as `&[T]`.
    fn slice_ok(bytes: &[u8]) -> bool;
}

/// Any bit pattern is a valid value: a load.
enum Plain {}

impl<T: Copy> Layout<T> for Plain {
    unsafe fn read(ptr: *const u8) -> T {
        // SAFETY: forwarded: readable bytes of `T`, any pattern of which is valid.
        unsafe { ptr.cast::<T>().read_unaligned() }
    }
    fn slice_ok(_bytes: &[u8]) -> bool {
        true
    }
}

/// BOOLEAN is one byte per row. A `&[bool]` is only handed out after checking every byte is
/// 0 or 1 (a Rust `bool` with any other byte is undefined behaviour, and DuckDB leaves
/// leftovers under NULL rows); a single read takes any non-zero byte as `true`.
enum OneByte {}

impl Layout<bool> for OneByte {
    unsafe fn read(ptr: *const u8) -> bool {
        // SAFETY: forwarded: one readable byte.
        unsafe { *ptr != 0 }
    }
    fn slice_ok(bytes: &[u8]) -> bool {
        bytes.iter().all(|&b| b <= 1)
    }
}

/// HUGEINT / UHUGEINT are stored as `{ lower: u64, upper: i64/u64 }` (8-byte aligned in C);
/// Rust's `i128` wants 16-byte alignment, so slices are only handed out when the data is
/// 16-aligned (checked by the caller) and the target is little-endian, and reads go through
/// the two halves.
enum TwoHalves {}

macro_rules! two_halves {
    ($($t:ty: $upper:ty),*) => {$(
        impl Layout<$t> for TwoHalves {
            unsafe fn read(ptr: *const u8) -> $t {
                // SAFETY: forwarded: 16 readable bytes laid out as duckdb_(u)hugeint.
                let (lower, upper) = unsafe {
                    (
                        ptr.cast::<u64>().read_unaligned(),
                        ptr.add(8).cast::<$upper>().read_unaligned(),
                    )
                };
                ((upper as $t) << 64) | lower as $t
            }
            fn slice_ok(_bytes: &[u8]) -> bool {
                cfg!(target_endian = "little")
            }
        }
    )*};
}

two_halves!(i128: i64, u128: u64);

/// Whether `v` is a DECIMAL or an ENUM whose values are stored as `storage` (the logical type
/// is only fetched for such a column), or a UUID (stored as a HUGEINT with its top bit flipped:
/// read as `i128`, converted by [`Uuid::from_storage`](crate::safe::types::Uuid::from_storage)).
fn stored_as(v: &Vector<'_>, storage: TypeId) -> bool {
    match v.type_id() {
        TypeId::Uuid => storage == TypeId::HugeInt,
        TypeId::Decimal => v.logical_type().decimal_internal_type().ok() == Some(storage),
        TypeId::Enum => v.logical_type().enum_internal_type().ok() == Some(storage),
        _ => false,
    }
}

/// `Primitive` for the Rust type of every fixed-width type whose layout is its storage.
macro_rules! primitives {
    ($($group:ident $v:ident $t:ident $s:ident $from:path,
        $create:ident $get:ident $getter:ident, [$($bind:ident)?] [$($append:ident)?] $layout:ident;)*) => {
        $( primitive!($group $v $t $layout); )*
    };
}

macro_rules! primitive {
    (converted $($rest:tt)*) => {};
    ($group:ident $v:ident $t:ident $layout:ident) => {
        impl sealed::Sealed for $t {}
        impl Primitive for $t {
            const NAME: &'static str = stringify!($t);
            #[inline]
            fn stored_in(v: &Vector<'_>) -> bool {
                v.type_id() == TypeId::$v || stored_as(v, TypeId::$v)
            }
            #[inline]
            unsafe fn read(ptr: *const u8) -> $t {
                // SAFETY: forwarded.
                unsafe { <$layout as Layout<$t>>::read(ptr) }
            }
            #[inline]
            fn slice_ok(bytes: &[u8]) -> bool {
                <$layout as Layout<$t>>::slice_ok(bytes)
            }
        }
    };
}

fixed_width_types!(primitives);

/// Fixed-width columns, read as slices or value by value.
impl<'chunk> Vector<'chunk> {
    /// The column as a slice of its storage type, without copying.
    ///
    /// Values under NULL rows are unspecified (but valid for the type): combine with
    /// [`validity`](Self::validity). `bool` slices are only returned when every byte is 0 or 1,
    /// and `i128`/`u128` slices only when the data is 16-byte aligned (little-endian targets);
    /// [`values`](Self::values) reads those cases safely instead.
    pub fn as_slice<T: Primitive>(&self) -> Result<&'chunk [T]> {
        if !T::stored_in(self) {
            return Err(self.mismatch_here(T::NAME));
        }
        if self.len == 0 {
            return Ok(&[]);
        }
        let data = self.data();
        if data.is_null() || (data as usize) % std::mem::align_of::<T>() != 0 {
            return Err(Error::misuse(format!(
                "the {} data is not aligned for &[{}]; use Vector::values::<{}>() instead",
                self.logical_type(),
                T::NAME,
                T::NAME
            )));
        }
        // SAFETY: the type check proves the vector stores `len` values of `T`'s layout in a
        // buffer borrowed from the chunk for 'chunk; reading them as bytes is sound.
        let bytes =
            unsafe { std::slice::from_raw_parts(data, self.len * std::mem::size_of::<T>()) };
        if !T::slice_ok(bytes) {
            return Err(Error::new(
                ErrorKind::TypeMismatch,
                format!(
                    "the {} data holds bytes that are not a valid {} (DuckDB leaves garbage under NULL \
                     rows); use Vector::values or Vector::bool_bytes instead",
                    self.logical_type(),
                    T::NAME
                ),
            ));
        }
        // SAFETY: aligned (checked), `len` values of `T` (type check), every bit pattern valid
        // (`slice_ok`), borrowed for 'chunk.
        Ok(unsafe { std::slice::from_raw_parts(data.cast::<T>(), self.len) })
    }

    /// A BOOLEAN column's bytes, without copying: non-zero is `true`. DuckDB leaves arbitrary
    /// bytes under NULL rows, so this (or [`values::<bool>`](Self::values)) is the way to read
    /// a BOOLEAN column with NULLs; `as_slice::<bool>` refuses such data.
    pub fn bool_bytes(&self) -> Result<&'chunk [u8]> {
        self.expect_type("bool bytes", &[TypeId::Boolean])?;
        if self.len == 0 {
            return Ok(&[]);
        }
        // SAFETY: BOOLEAN stores one byte per row; `len` bytes borrowed for 'chunk.
        Ok(unsafe { std::slice::from_raw_parts(self.data(), self.len) })
    }

    /// The column as a typed reader that works whatever the alignment, NULL-aware.
    pub fn values<T: Primitive>(&self) -> Result<Values<'chunk, T>> {
        if !T::stored_in(self) {
            return Err(self.mismatch_here(T::NAME));
        }
        Ok(Values {
            data: self.data(),
            len: self.len,
            validity: self.validity(),
            _t: PhantomData,
        })
    }

    /// Reads row `row` as `T` without checks.
    ///
    /// # Safety
    /// The column's storage type is `T`'s and `row < len`.
    #[inline]
    pub(crate) unsafe fn read_unchecked<T: Primitive>(&self, row: usize) -> T {
        // SAFETY: forwarded: in bounds of a buffer holding `T`s.
        unsafe { T::read(self.data().add(row * std::mem::size_of::<T>())) }
    }
}

/// A fixed-width column read value by value (see [`Vector::values`]); works for any
/// alignment and returns `None` for NULL rows.
#[derive(Debug, Clone, Copy)]
pub struct Values<'chunk, T> {
    data: *const u8,
    pub(super) len: usize,
    validity: Validity<'chunk>,
    _t: PhantomData<&'chunk [T]>,
}

impl<'chunk, T: Primitive> Values<'chunk, T> {
    /// Row `row`: `None` when NULL; out of range is an error.
    pub fn get(&self, row: usize) -> Result<Option<T>> {
        if row >= self.len {
            return Err(Error::out_of_range("row", row, self.len));
        }
        Ok(self.get_in_range(row))
    }

    #[inline]
    fn get_in_range(&self, row: usize) -> Option<T> {
        if !self.validity.is_valid(row) {
            return None;
        }
        // SAFETY: the type was checked by `Vector::values`, row < len.
        Some(unsafe { T::read(self.data.add(row * std::mem::size_of::<T>())) })
    }

    /// Every row in order, `None` for NULL.
    pub fn iter(&self) -> impl Iterator<Item = Option<T>> + '_ {
        (0..self.len).map(|row| self.get_in_range(row))
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}
