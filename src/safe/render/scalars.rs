//! Numbers, booleans, UUIDs, BLOBs and BITs as DuckDB writes them.

use super::Render;
use super::TextBuf;
use super::float::{write_f32, write_f64};
use crate::safe::values::Decimal;
use crate::safe::values::fixed::*;
use std::fmt;

/// A DECIMAL's text: every digit of the integer part, `.` and `scale` fraction digits.
/// Its text never needs quotes (digits, `.` and `-`).
impl Render for Decimal {
    const PLAIN: bool = true;
    fn render<W: fmt::Write + ?Sized>(&self, f: &mut W) -> fmt::Result {
        let mut t = TextBuf::new();
        if self.value < 0 {
            t.push_str("-");
        }
        let abs = self.value.unsigned_abs();
        let scale = u32::from(self.scale);
        if scale == 0 {
            t.push_uint(abs, 1);
            return t.write_to(f);
        }
        // 64-bit arithmetic when it fits (128-bit division is a library call).
        let (int, frac) = match (u64::try_from(abs), POW10.get(scale as usize)) {
            (Ok(small), Some(&unit)) => (u128::from(small / unit), u128::from(small % unit)),
            _ => {
                let unit = 10u128.pow(scale);
                (abs / unit, abs % unit)
            }
        };
        // DECIMAL(w, w) has no integer digits: DuckDB writes `.5`, `-.25`.
        if self.width > self.scale {
            t.push_uint(int, 1);
        }
        t.push_str(".");
        t.push_uint(frac, scale as usize);
        t.write_to(f)
    }
}

impl Render for Uuid {
    const PLAIN: bool = true;
    fn render<W: fmt::Write + ?Sized>(&self, f: &mut W) -> fmt::Result {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut text = [0u8; 36];
        let mut pos = 0;
        for (i, byte) in self.as_bytes().iter().enumerate() {
            if matches!(i, 4 | 6 | 8 | 10) {
                text[pos] = b'-';
                pos += 1;
            }
            text[pos] = HEX[usize::from(byte >> 4)];
            text[pos + 1] = HEX[usize::from(byte & 15)];
            pos += 2;
        }
        f.write_str(std::str::from_utf8(&text).map_err(|_| fmt::Error)?)
    }
}

/// Signed integers: `-` and the digits (as Rust's `Display` writes them).
macro_rules! render_signed {
    ($($t:ty),*) => {$(
        impl Render for $t {
            const PLAIN: bool = true;
            #[inline]
            fn render<W: fmt::Write + ?Sized>(&self, f: &mut W) -> fmt::Result {
                let mut t = TextBuf::new();
                if *self < 0 {
                    t.push_str("-");
                }
                t.push_uint(self.unsigned_abs().into(), 1);
                t.write_to(f)
            }
        }
    )*};
}

/// Unsigned integers: the digits.
macro_rules! render_unsigned {
    ($($t:ty),*) => {$(
        impl Render for $t {
            const PLAIN: bool = true;
            #[inline]
            fn render<W: fmt::Write + ?Sized>(&self, f: &mut W) -> fmt::Result {
                let mut t = TextBuf::new();
                t.push_uint((*self).into(), 1);
                t.write_to(f)
            }
        }
    )*};
}

render_signed!(i8, i16, i32, i64, i128);
render_unsigned!(u8, u16, u32, u64, u128);

impl Render for bool {
    const PLAIN: bool = true;
    fn render<W: fmt::Write + ?Sized>(&self, f: &mut W) -> fmt::Result {
        f.write_str(if *self { "true" } else { "false" })
    }
}

impl Render for f32 {
    const PLAIN: bool = true;
    fn render<W: fmt::Write + ?Sized>(&self, f: &mut W) -> fmt::Result {
        write_f32(f, *self)
    }
}

impl Render for f64 {
    const PLAIN: bool = true;
    fn render<W: fmt::Write + ?Sized>(&self, f: &mut W) -> fmt::Result {
        write_f64(f, *self)
    }
}

/// BLOB text: printable ASCII as is, except `\\`, `'` and `"`, which like every other byte
/// are written `\xHH` (upper-case hex).
pub(crate) fn write_blob<W: fmt::Write + ?Sized>(f: &mut W, b: &[u8]) -> fmt::Result {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut start = 0;
    for (i, &byte) in b.iter().enumerate() {
        let regular = (32..=126).contains(&byte) && !matches!(byte, b'\\' | b'\'' | b'"');
        if !regular {
            // The run before `i` is printable ASCII: valid UTF-8.
            f.write_str(std::str::from_utf8(&b[start..i]).map_err(|_| fmt::Error)?)?;
            let hex = [
                b'\\',
                b'x',
                HEX[usize::from(byte >> 4)],
                HEX[usize::from(byte & 15)],
            ];
            f.write_str(std::str::from_utf8(&hex).map_err(|_| fmt::Error)?)?;
            start = i + 1;
        }
    }
    f.write_str(std::str::from_utf8(&b[start..]).map_err(|_| fmt::Error)?)
}

/// BIT text: `0` and `1`, first bit first.
pub(crate) fn write_bits<W: fmt::Write + ?Sized>(
    f: &mut W,
    bits: impl IntoIterator<Item = bool>,
) -> fmt::Result {
    bits.into_iter()
        .try_for_each(|b| f.write_str(if b { "1" } else { "0" }))
}

/// Powers of ten up to 10^19, for the fixed-point split of DECIMALs that fit 64 bits.
const POW10: [u64; 20] = {
    let mut p = [1u64; 20];
    let mut i = 1;
    while i < 20 {
        p[i] = p[i - 1] * 10;
        i += 1;
    }
    p
};
