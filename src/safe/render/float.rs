//! FLOAT and DOUBLE as DuckDB writes them (`CAST(x AS VARCHAR)`), see the "Text of values"
//! section of the C API notes:
//!
//! - the shortest digits that read back to the same value (for FLOAT: the same `f32`);
//! - plain notation when the decimal exponent `e` (the value is `d.ddd × 10^e`) is in
//!   `-4..16`, always with a fractional part (`2.0`, `0.001`, `1234.5`);
//! - otherwise `d[.ddd]e±XX`, with at least two exponent digits (`1e+16`, `1.5e-05`,
//!   `1e+300`);
//! - `nan`, `inf`, `-inf`; the sign bit is always written (`-0.0`, `-nan`).

use super::text_buf::TextBuf;
use std::fmt::{self, Write};

/// A small stack buffer for the digits Rust's shortest formatting produces.
struct Digits {
    buf: [u8; 48],
    len: usize,
}

impl Write for Digits {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        let dst = self.buf.get_mut(self.len..end).ok_or(fmt::Error)?;
        dst.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// A decimal `digits × 10^(exp - len + 1)`: `len` significant digits, the first of them at
/// position `10^exp`.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Decimal {
    digits: u64,
    len: u32,
    exp: i32,
}

impl Decimal {
    /// The exponent of the last digit.
    fn last_place(self) -> i32 {
        self.exp - self.len as i32 + 1
    }
}

/// Rust's shortest round-trip digits of a finite, non-negative value (`{:e}` text).
fn rust_shortest(v: impl fmt::LowerExp) -> Result<Decimal, fmt::Error> {
    let mut sci = Digits {
        buf: [0; 48],
        len: 0,
    };
    write!(sci, "{v:e}")?;
    rust_decimal_text(&sci.buf[..sci.len])
}

/// Parses Rust's `{:e}` text of a non-negative number.
fn rust_decimal_text(text: &[u8]) -> Result<Decimal, fmt::Error> {
    let e_pos = text.iter().position(|&b| b == b'e').ok_or(fmt::Error)?;
    let exp_text = std::str::from_utf8(&text[e_pos + 1..]).map_err(|_| fmt::Error)?;
    let mut d = Decimal {
        digits: 0,
        len: 0,
        exp: exp_text.parse().map_err(|_| fmt::Error)?,
    };
    for &b in text[..e_pos].iter().filter(|&&b| b != b'.') {
        d.digits = d.digits * 10 + u64::from(b - b'0');
        d.len += 1;
    }
    Ok(d)
}

/// Whether `m × 2^e2` equals `d × 10^e10` exactly.
fn dyadic_equals_decimal(m: u128, e2: i32, d: u128, e10: i32) -> bool {
    if m == 0 || d == 0 {
        return m == d;
    }
    // Both sides as odd × 2^k × 5^j: the powers of two must match, then the odd parts.
    let (m_odd, m_twos) = (m >> m.trailing_zeros(), e2 + m.trailing_zeros() as i32);
    let (d_odd, d_twos) = (d >> d.trailing_zeros(), e10 + d.trailing_zeros() as i32);
    if m_twos != d_twos {
        return false;
    }
    // An overflow means that side exceeds 2^128 while the other is below: not equal.
    let fives = |k: i32| 5u128.checked_pow(k.unsigned_abs());
    if e10 >= 0 {
        fives(e10).and_then(|p| p.checked_mul(d_odd)) == Some(m_odd)
    } else {
        fives(e10).and_then(|p| p.checked_mul(m_odd)) == Some(d_odd)
    }
}

/// Whether `m × 2^e2` (exact in an `f64`) is a decimal of at most `len` significant digits.
fn is_short_decimal(m: u128, e2: i32, len: u32) -> bool {
    let v = m as f64 * 2f64.powi(e2);
    let mut text = Digits {
        buf: [0; 48],
        len: 0,
    };
    if write!(text, "{:.*e}", len.saturating_sub(1) as usize, v).is_err() {
        return false;
    }
    let text = &text.buf[..text.len];
    match rust_decimal_text(text) {
        Ok(d) => dyadic_equals_decimal(m, e2, u128::from(d.digits), d.last_place()),
        Err(_) => false,
    }
}

/// A finite positive float as `mantissa × 2^exp` with an integer mantissa.
fn dyadic(v: f64) -> (u128, i32) {
    let bits = v.to_bits();
    let biased = ((bits >> 52) & 0x7FF) as i32;
    let fraction = u128::from(bits & ((1 << 52) - 1));
    if biased == 0 {
        (fraction, -1074)
    } else {
        (fraction | (1 << 52), biased - 1075)
    }
}

/// Whether `v` lies exactly halfway between `d` and its neighbour one unit in the last place
/// below (`-1`) or above (`+1`).
fn is_midpoint(v: f64, d: Decimal, side: i8) -> bool {
    let (m, e2) = dyadic(v);
    let mid = if side < 0 {
        u128::from(d.digits) * 10 - 5
    } else {
        u128::from(d.digits) * 10 + 5
    };
    dyadic_equals_decimal(m, e2, mid, d.last_place() - 1)
}

/// Powers of ten that are exact in an `f64` (10^22 is the last).
const POW10_F64: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// The bound on the digits of [`short_decimal`]: below it the decimals `n × 10^-s` that read
/// back as a double are more than four units apart, so at most one is near the value.
const SHORT_LIMIT: f64 = (1u64 << 50) as f64;

/// `n = round(v × 10^s)` when `1 <= n < 2^50` and the decimal `n × 10^-s` reads back as `v`
/// (`|s| <= 22`). Both conversions back are one correctly rounded operation on exact
/// operands (`n` and the power of ten are exact), so the comparison is exact.
#[inline]
fn reads_back(v: f64, s: i32) -> Option<u64> {
    let p = POW10_F64[s.unsigned_abs() as usize];
    let x = if s >= 0 { v * p } else { v / p };
    if !(0.5..SHORT_LIMIT).contains(&x) {
        return None;
    }
    let n = (x + 0.5) as u64;
    let back = if s >= 0 { n as f64 / p } else { n as f64 * p };
    (back == v).then_some(n)
}

/// The shortest digits of a finite positive double whose shortest decimal has fewer than
/// about 15 digits (most doubles that came from decimal data), without Rust's formatting;
/// `None` for the others.
///
/// The scales `s` where some `n < 2^50` reads back form a range ending at the largest `s`
/// with `v × 10^s < 2^50` (`n × 10` reads back one scale up); its smallest `s` gives the
/// fewest digits. At most one `n` reads back at a scale (see [`SHORT_LIMIT`]), so that is the
/// shortest decimal and the nearest one: no tie to break.
fn short_decimal(v: f64) -> Option<Decimal> {
    // v = m × 2^e2 with m in [1, 2): the largest s with v × 10^s < 2^50, estimated from e2
    // (78913 / 2^18 is just under log10(2)) and corrected by one.
    let e2 = ((v.to_bits() >> 52) & 0x7FF) as i32 - 1023;
    let mut hi = ((49 - e2) * 78_913) >> 18;
    let next = hi + 1;
    let scaled = match usize::try_from(next) {
        Ok(k) => POW10_F64.get(k).map(|p| v * p),
        Err(_) => POW10_F64.get(next.unsigned_abs() as usize).map(|p| v / p),
    };
    if hi < 22 && scaled.is_some_and(|x| x < SHORT_LIMIT) {
        hi = next;
    }
    let hi = hi.min(22);
    if hi < -22 {
        return None;
    }
    reads_back(v, hi)?;
    // The smallest scale that reads back, by bisection (it is at most 16 below `hi`, where
    // `n` would be below 1).
    let (mut lo, mut hi) = ((hi - 16).max(-22), hi);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if reads_back(v, mid).is_some() {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    let mut n = reads_back(v, hi)?;
    let mut scale = hi;
    while n % 10 == 0 {
        n /= 10;
        scale -= 1;
    }
    let len = n.checked_ilog10().unwrap_or(0) + 1;
    Some(Decimal {
        digits: n,
        len,
        exp: len as i32 - 1 - scale,
    })
}

/// DuckDB's digits of a double: the shortest that read back, and when two such are equally
/// near the value, the one with an even last digit (Rust's formatting takes the upper one).
fn duckdb_digits_f64(v: f64) -> Result<Decimal, fmt::Error> {
    if let Some(d) = short_decimal(v) {
        return Ok(d);
    }
    let mut d = rust_shortest(v)?;
    if d.digits % 2 == 1 {
        if is_midpoint(v, d, -1) {
            d.digits -= 1;
        } else if is_midpoint(v, d, 1) {
            d.digits += 1;
        }
    }
    Ok(d)
}

/// DuckDB's digits of a float: the shortest digits for the `f32`, except where its algorithm
/// cannot decide them (two candidates equally near, or a candidate exactly on the rounding
/// boundary halfway to the next float), where it falls back to the digits of the value as a
/// double.
fn duckdb_digits_f32(v: f32) -> Result<Decimal, fmt::Error> {
    let d = rust_shortest(v)?;
    let wide = f64::from(v);
    let undecided = is_midpoint(wide, d, -1) || is_midpoint(wide, d, 1) || {
        // The boundaries halfway to the neighbouring floats (closer below a power of two).
        let bits = v.to_bits();
        let (biased, fraction) = ((bits >> 23) & 0xFF, u128::from(bits & 0x7F_FFFF));
        let (m32, e32) = if biased == 0 {
            (fraction, -149)
        } else {
            (fraction | 1 << 23, biased as i32 - 150)
        };
        let lower_closer = fraction == 0 && biased > 1;
        let upper = (2 * m32 + 1, e32 - 1);
        let lower = if lower_closer {
            (4 * m32 - 1, e32 - 2)
        } else {
            (2 * m32 - 1, e32 - 1)
        };
        let place = d.last_place();
        let digits = u128::from(d.digits);
        // A boundary with fewer digits than `d` is where its search stops, undecided.
        let short = |(m, e2): (u128, i32)| d.len > 1 && is_short_decimal(m, e2, d.len - 1);
        dyadic_equals_decimal(upper.0, upper.1, digits, place)
            || dyadic_equals_decimal(lower.0, lower.1, digits, place)
            || short(upper)
            || short(lower)
    };
    if undecided {
        duckdb_digits_f64(wide)
    } else {
        Ok(d)
    }
}

/// Writes the digits in DuckDB's notation (see the module doc), built on the stack and
/// written at once.
fn write_decimal<W: fmt::Write + ?Sized>(f: &mut W, d: Decimal) -> fmt::Result {
    let mut t = TextBuf::new();
    let mut digit_buf = TextBuf::new();
    digit_buf.push_uint(u128::from(d.digits), 1);
    let digits = digit_buf.as_str();
    let n = digits.len();
    let exp = d.exp;
    if !(-4..16).contains(&exp) {
        t.push_str(&digits[..1]);
        if n > 1 {
            t.push_str(".");
            t.push_str(&digits[1..]);
        }
        t.push_str(if exp < 0 { "e-" } else { "e+" });
        t.push_uint(u128::from(exp.unsigned_abs()), 2);
    } else if exp < 0 {
        t.push_str("0.");
        for _ in 0..(-exp - 1) {
            t.push_str("0");
        }
        t.push_str(digits);
    } else {
        let int_len = exp as usize + 1;
        if n <= int_len {
            t.push_str(digits);
            for _ in n..int_len {
                t.push_str("0");
            }
            t.push_str(".0");
        } else {
            t.push_str(&digits[..int_len]);
            t.push_str(".");
            t.push_str(&digits[int_len..]);
        }
    }
    t.write_to(f)
}

macro_rules! float_writer {
    ($name:ident, $t:ty, $digits:ident) => {
        /// Writes the value as DuckDB's cast to VARCHAR does (see the module doc).
        pub(super) fn $name<W: fmt::Write + ?Sized>(f: &mut W, v: $t) -> fmt::Result {
            if v.is_sign_negative() {
                f.write_str("-")?;
            }
            if v.is_nan() {
                return f.write_str("nan");
            }
            if v.is_infinite() {
                return f.write_str("inf");
            }
            if v == 0.0 {
                return f.write_str("0.0");
            }
            write_decimal(f, $digits(v.abs())?)
        }
    };
}

float_writer!(write_f64, f64, duckdb_digits_f64);

/// A DOUBLE that displays as DuckDB's cast to VARCHAR writes it.
pub(crate) struct DuckDouble(pub(crate) f64);

impl fmt::Display for DuckDouble {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_f64(f, self.0)
    }
}
float_writer!(write_f32, f32, duckdb_digits_f32);

#[cfg(test)]
mod tests {
    use std::fmt;

    struct D(f64);
    impl fmt::Display for D {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            super::write_f64(f, self.0)
        }
    }
    struct F(f32);
    impl fmt::Display for F {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            super::write_f32(f, self.0)
        }
    }

    #[test]
    fn notation_switches_at_the_documented_exponents() {
        let cases: [(f64, &str); 14] = [
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (2.0, "2.0"),
            (0.1, "0.1"),
            (1e-4, "0.0001"),
            (1.5e-5, "1.5e-05"),
            (1e15, "1000000000000000.0"),
            (1e16, "1e+16"),
            (1.2345e16, "1.2345e+16"),
            (1e300, "1e+300"),
            (-1234.5, "-1234.5"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
            (5e-324, "5e-324"),
        ];
        for (v, want) in cases {
            assert_eq!(D(v).to_string(), want, "{v:e}");
        }
        assert_eq!(D(f64::NAN).to_string(), "nan");
        assert_eq!(F(0.1).to_string(), "0.1");
        assert_eq!(F(f32::MAX).to_string(), "3.4028235e+38");
        assert_eq!(F(16_777_216.0).to_string(), "16777216.0");
    }

    /// The fast path for short decimals gives the digits of the general one.
    #[test]
    fn short_decimals_match_the_general_digits() {
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        let count = if cfg!(miri) { 50 } else { 200_000 };
        let mut short = 0;
        for i in 0..count {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let digits = x % 10u64.pow(1 + (x >> 60) as u32 % 16);
            let v = match i % 4 {
                0 => digits as f64 * 10f64.powi((x >> 40) as i32 % 40 - 20),
                1 => digits as f64 / 10f64.powi((x >> 40) as i32 % 23),
                2 => f64::from_bits(x >> 2),
                _ => digits as f64,
            };
            if !v.is_finite() || v <= 0.0 {
                continue;
            }
            if let Some(fast) = super::short_decimal(v) {
                short += 1;
                let general = super::rust_shortest(v).unwrap();
                assert_eq!(fast, general, "{v:e}");
            }
        }
        // Most of the decimal-made values take it (a third of the 200 000; 15 of Miri's 50).
        assert!(short > count / 4, "{short} of {count} took the fast path");
    }

    #[test]
    fn shortest_digits_read_back_exactly() {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        // Formatting is pure Rust with no unsafe code: Miri checks a few values, not 10,000.
        let count = if cfg!(miri) { 20 } else { 10_000 };
        for _ in 0..count {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let v = f64::from_bits(x);
            if v.is_finite() {
                let text = D(v).to_string();
                assert_eq!(
                    text.parse::<f64>().unwrap().to_bits(),
                    v.to_bits(),
                    "{text}"
                );
            }
        }
    }
}
