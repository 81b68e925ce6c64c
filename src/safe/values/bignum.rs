//! BIGNUM: integers of any size, read from DuckDB's storage and built for the C API.
//!
//! DuckDB stores a BIGNUM like a BLOB (a `duckdb_string_t`): a three-byte header, then the
//! magnitude's bytes, most significant first, without leading zero bytes (zero is one zero
//! byte). The header is the number of magnitude bytes (23 bits) with the top bit of its 24 set;
//! for a negative number the header and every magnitude byte are bit-inverted, so the top bit
//! of the first byte is the sign (set: non-negative) and byte order is numeric order. See the
//! "BIGNUM storage" section of [`c_api_reference`](crate::c_api_reference).

use crate::safe::error::{Error, ErrorKind, Result};
use std::fmt;

/// A BIGNUM value: sign and magnitude, the magnitude as big-endian bytes without leading zeros
/// (zero has no bytes and is never negative).
///
/// ```
/// use duckdb_ffi::safe::Database;
/// use duckdb_ffi::safe::types::Bignum;
/// let conn = Database::open_in_memory()?.connect()?;
/// let big: Bignum = conn.query_row("SELECT (2::BIGNUM ** 100)::BIGNUM", (), |r| r.get(0))?;
/// assert_eq!(big.to_string(), "1267650600228229401496703205376");
/// assert_eq!(big.to_i128(), Some(1 << 100));
/// assert_eq!(Bignum::from(-5i128).to_string(), "-5");
/// # Ok::<(), duckdb_ffi::safe::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct Bignum {
    negative: bool,
    magnitude: Vec<u8>,
}

const HEADER: usize = 3;
const NON_NEGATIVE_FLAG: u32 = 0x80_0000;

impl Bignum {
    /// The integer `(-1 if negative) × magnitude`, magnitude in big-endian bytes (leading
    /// zeros are dropped; a zero magnitude is zero, whatever `negative` says).
    pub fn new(negative: bool, magnitude: &[u8]) -> Bignum {
        let start = magnitude
            .iter()
            .position(|&b| b != 0)
            .unwrap_or(magnitude.len());
        let magnitude = magnitude[start..].to_vec();
        Bignum {
            negative: negative && !magnitude.is_empty(),
            magnitude,
        }
    }

    /// Decodes DuckDB's storage of one BIGNUM (the bytes of its `duckdb_string_t`). Anything
    /// else than the documented layout is an error, so that a change of layout in a new
    /// DuckDB shows up as a failure instead of a wrong number.
    pub fn from_storage(storage: &[u8]) -> Result<Bignum> {
        let malformed = |why: &str| {
            Error::new(
                ErrorKind::TypeMismatch,
                format!("malformed BIGNUM storage ({why}): {storage:02x?}"),
            )
        };
        if storage.len() < HEADER + 1 {
            return Err(malformed("shorter than four bytes"));
        }
        let negative = storage[0] & 0x80 == 0;
        let flip = if negative { 0xFF } else { 0 };
        let header = storage[..HEADER]
            .iter()
            .fold(0u32, |h, &b| (h << 8) | u32::from(b ^ flip));
        if header & NON_NEGATIVE_FLAG == 0 {
            return Err(malformed("sign bit and header disagree"));
        }
        let len = (header & !NON_NEGATIVE_FLAG) as usize;
        if len != storage.len() - HEADER {
            return Err(malformed("the header's length is not the data's"));
        }
        let magnitude: Vec<u8> = storage[HEADER..].iter().map(|b| b ^ flip).collect();
        if magnitude.len() > 1 && magnitude[0] == 0 {
            return Err(malformed("leading zero byte"));
        }
        if negative && magnitude == [0] {
            return Err(malformed("negative zero"));
        }
        Ok(Bignum::new(negative, &magnitude))
    }

    /// Whether the number is below zero.
    pub fn is_negative(&self) -> bool {
        self.negative
    }

    /// The absolute value as big-endian bytes, no leading zeros (empty for zero).
    pub fn magnitude(&self) -> &[u8] {
        &self.magnitude
    }

    /// The value as an `i128` when it fits.
    pub fn to_i128(&self) -> Option<i128> {
        if self.magnitude.len() > 16 {
            return None;
        }
        let abs = self
            .magnitude
            .iter()
            .fold(0u128, |acc, &b| (acc << 8) | u128::from(b));
        if self.negative {
            0i128.checked_sub_unsigned(abs)
        } else {
            i128::try_from(abs).ok()
        }
    }

    /// The magnitude as base-10^19 limbs, least significant first.
    fn decimal_limbs(&self) -> Vec<u64> {
        const BASE: u128 = 10_000_000_000_000_000_000;
        // Big-endian 32-bit words, divided repeatedly by 10^19.
        let mut words: Vec<u32> = Vec::with_capacity(self.magnitude.len() / 4 + 1);
        let pad = (4 - self.magnitude.len() % 4) % 4;
        let padded: Vec<u8> = std::iter::repeat_n(0, pad)
            .chain(self.magnitude.iter().copied())
            .collect();
        for chunk in padded.chunks(4) {
            words.push(u32::from_be_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]));
        }
        let mut limbs = Vec::new();
        while words.iter().any(|&w| w != 0) {
            let mut rem: u128 = 0;
            for w in words.iter_mut() {
                let cur = (rem << 32) | u128::from(*w);
                *w = (cur / BASE) as u32;
                rem = cur % BASE;
            }
            limbs.push(rem as u64);
            let zeros = words.iter().take_while(|&&w| w == 0).count();
            words.drain(..zeros);
        }
        limbs
    }
}

impl From<i128> for Bignum {
    fn from(v: i128) -> Bignum {
        Bignum::new(v < 0, &v.unsigned_abs().to_be_bytes())
    }
}

impl From<u128> for Bignum {
    fn from(v: u128) -> Bignum {
        Bignum::new(false, &v.to_be_bytes())
    }
}

impl From<i64> for Bignum {
    fn from(v: i64) -> Bignum {
        Bignum::from(i128::from(v))
    }
}

/// The decimal digits, with `-` for negative numbers: DuckDB's text of a BIGNUM.
impl fmt::Display for Bignum {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(v) = self.to_i128() {
            return write!(f, "{v}");
        }
        let limbs = self.decimal_limbs();
        if self.negative {
            f.write_str("-")?;
        }
        let mut iter = limbs.iter().rev();
        if let Some(top) = iter.next() {
            write!(f, "{top}")?;
        }
        iter.try_for_each(|limb| write!(f, "{limb:019}"))
    }
}

#[cfg(test)]
mod tests {
    use super::Bignum;

    #[test]
    fn storage_is_decoded_and_checked() {
        // 1: header 0x800001, one byte 0x01; -1: all inverted.
        assert_eq!(
            Bignum::from_storage(&[0x80, 0, 1, 1]).unwrap(),
            Bignum::from(1i128)
        );
        assert_eq!(
            Bignum::from_storage(&[0x7F, 0xFF, 0xFE, 0xFE]).unwrap(),
            Bignum::from(-1i128)
        );
        assert_eq!(
            Bignum::from_storage(&[0x80, 0, 1, 0]).unwrap(),
            Bignum::default()
        );
        assert!(Bignum::from_storage(&[0x80, 0, 2, 1]).is_err());
        assert!(Bignum::from_storage(&[0x80, 0, 2, 0, 1]).is_err());
        assert!(Bignum::from_storage(&[0x7F, 0xFF, 0xFE, 0xFF]).is_err());
    }

    #[test]
    fn text_of_numbers_wider_than_128_bits() {
        let mut magnitude = vec![1u8];
        magnitude.extend([0u8; 20]); // 2^160
        let big = Bignum::new(true, &magnitude);
        assert_eq!(
            big.to_string(),
            "-1461501637330902918203684832716283019655932542976"
        );
        assert_eq!(big.to_i128(), None);
        assert_eq!(Bignum::from(i128::MIN).to_i128(), Some(i128::MIN));
    }
}
