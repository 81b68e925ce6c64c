//! DECIMAL, UUID and BIT values, and the C layout of 128-bit integers.

use crate as ffi;
use crate::safe::error::{Error, ErrorKind, Result};
use crate::safe::types::check_decimal_type;

/// A DECIMAL value: `value / 10^scale`, with the column's width (total digits).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Decimal {
    /// The unscaled integer (whatever the storage width, widened to `i128`).
    pub value: i128,
    /// Total number of digits (1 to 38).
    pub width: u8,
    /// Digits after the decimal point.
    pub scale: u8,
}

impl Decimal {
    /// `value / 10^scale` as a DECIMAL(`width`, `scale`), checked as [`check`](Self::check)
    /// does: `Decimal::new(12345, 5, 2)` is 123.45.
    pub fn new(value: i128, width: u8, scale: u8) -> Result<Decimal> {
        let d = Decimal {
            value,
            width,
            scale,
        };
        d.check()?;
        Ok(d)
    }

    /// Checks that DuckDB can hold the value: width 1..=38, scale at most the width, and no
    /// more digits than the width.
    pub fn check(self) -> Result<()> {
        let Decimal {
            value,
            width,
            scale,
        } = self;
        check_decimal_type(width, scale)?;
        if value.unsigned_abs() >= 10u128.pow(u32::from(width)) {
            return Err(Error::new(
                ErrorKind::OutOfRange,
                format!(
                    "{value} has more than {width} digits and does not fit DECIMAL({width},{scale})"
                ),
            ));
        }
        Ok(())
    }

    /// The value as the nearest `f64`.
    pub fn to_f64(self) -> f64 {
        self.value as f64 / 10f64.powi(i32::from(self.scale))
    }
}

/// A UUID as a 128-bit number (its 16 bytes read big-endian: the first hex digit is the top
/// nibble). DuckDB stores it as a HUGEINT with the top bit flipped, so that signed order is
/// text order; [`Uuid::from_storage`] undoes that.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Uuid(pub u128);

impl Uuid {
    /// Converts DuckDB's storage (a HUGEINT with its top bit flipped).
    pub fn from_storage(stored: i128) -> Uuid {
        Uuid((stored as u128) ^ (1u128 << 127))
    }

    /// DuckDB's storage of this UUID (what a UUID column holds as `i128`, see
    /// [`Vector::as_slice`](crate::safe::Vector::as_slice)).
    pub fn to_storage(self) -> i128 {
        (self.0 ^ (1u128 << 127)) as i128
    }

    /// The 16 bytes in text order.
    pub fn as_bytes(self) -> [u8; 16] {
        self.0.to_be_bytes()
    }
}

/// A BIT value borrowed from its vector: DuckDB's storage is one byte of padding count
/// followed by the bits, most significant first, with the padding at the start of the first
/// data byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BitRef<'a> {
    storage: &'a [u8],
}

impl<'a> BitRef<'a> {
    /// Checks DuckDB's BIT storage (padding byte < 8, at least one data byte when padded).
    pub fn new(storage: &'a [u8]) -> Result<BitRef<'a>> {
        match storage.split_first() {
            Some((&pad, rest)) if pad < 8 && (pad == 0 || !rest.is_empty()) => {
                Ok(BitRef { storage })
            }
            _ => Err(Error::new(
                ErrorKind::TypeMismatch,
                "malformed BIT value in the vector",
            )),
        }
    }

    /// Number of bits.
    pub fn len(&self) -> usize {
        (self.storage.len() - 1) * 8 - usize::from(self.storage[0])
    }

    /// Whether there are no bits.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bit `i` (the first bit is the leftmost in SQL's `'0101'` notation); `None` past the end.
    pub fn get(&self, i: usize) -> Option<bool> {
        if i >= self.len() {
            return None;
        }
        let p = i + usize::from(self.storage[0]);
        Some(self.storage[1 + p / 8] & (0x80 >> (p % 8)) != 0)
    }

    /// The bits in order.
    pub fn iter(&self) -> impl Iterator<Item = bool> + '_ {
        (0..self.len()).map(|i| self.get(i).unwrap_or(false))
    }

    /// The raw storage (padding byte included).
    pub fn storage(&self) -> &'a [u8] {
        self.storage
    }
}

/// `i128` in the C API's two-halves layout.
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

#[cfg(test)]
mod tests {
    use super::BitRef;

    #[test]
    fn malformed_bit_storage_is_an_error() {
        assert!(BitRef::new(&[]).is_err());
        assert!(BitRef::new(&[9, 0]).is_err());
        let b = BitRef::new(&[3, 0b0001_0110]).unwrap();
        assert_eq!(
            b.iter()
                .map(|x| if x { '1' } else { '0' })
                .collect::<String>(),
            "10110"
        );
    }
}
