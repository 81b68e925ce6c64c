//! Display: the one place that renders values as text.
//!
//! Every renderer here writes to any [`fmt::Write`]: a `Formatter` (the `Display` impls), a
//! `String` or a stack buffer. Two callers share them: `Datum`'s `Display`, and the borrowed
//! cells of [`DisplayCells`](crate::safe::DisplayCells), which render straight from a chunk's
//! storage without building a `Datum`. Both call the same per-type functions ([`Render`]) and
//! the same nested-value helpers ([`write_list`], [`write_struct`], [`write_map`],
//! [`write_child_value`], [`write_child_rendered`]), so there is one copy of the rules.

use super::datum::Datum;
use super::fixed::*;
use super::float_text::{write_f32, write_f64};
use super::numeric::Decimal;
use super::temporal::MICROS_PER_SEC;
use super::text_buf::TextBuf;
use crate::safe::types::fixed_width_types;
use std::fmt;

/// Proleptic Gregorian (year, month, day) from days since 1970-01-01.
#[inline]
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

fn write_date(t: &mut TextBuf, days: i64) {
    let (y, m, d) = civil_from_days(days);
    t.push_u64((if y <= 0 { 1 - y } else { y }) as u64, 4);
    t.push_str("-");
    t.push_u64(m.into(), 2);
    t.push_str("-");
    t.push_u64(d.into(), 2);
    if y <= 0 {
        t.push_str(" (BC)");
    }
}

/// `HH:MM:SS[.fraction]`, the fraction trimmed of trailing zeros; `digits` is 6 or 9.
fn write_time(t: &mut TextBuf, units: i64, per_sec: i64, digits: usize) {
    let secs = units.div_euclid(per_sec) as u64;
    let frac = units.rem_euclid(per_sec) as u64;
    write_clock(t, secs, frac, digits);
}

/// `HH:MM:SS[.fraction]` of `secs` seconds (hours unbounded) and a `digits`-digit fraction,
/// trimmed of trailing zeros.
fn write_clock(t: &mut TextBuf, secs: u64, frac: u64, digits: usize) {
    t.push_u64(secs / 3600, 2);
    t.push_str(":");
    t.push_u64(secs / 60 % 60, 2);
    t.push_str(":");
    t.push_u64(secs % 60, 2);
    if frac != 0 {
        t.push_str(".");
        t.push_u64(frac, digits);
        t.trim_zeros();
    }
}

fn write_instant<W: fmt::Write + ?Sized>(
    f: &mut W,
    units: i64,
    per_sec: i64,
    digits: usize,
    tz: bool,
) -> fmt::Result {
    if units == i64::MAX {
        return f.write_str("infinity");
    }
    if units == -i64::MAX {
        return f.write_str("-infinity");
    }
    let per_day = per_sec * 86_400;
    let mut t = TextBuf::new();
    write_date(&mut t, units.div_euclid(per_day));
    t.push_str(" ");
    write_time(&mut t, units.rem_euclid(per_day), per_sec, digits);
    if tz {
        t.push_str("+00");
    }
    t.write_to(f)
}

/// How one value is written as text, and whether that text can ever need quotes inside a
/// nested value (numbers, booleans and UUIDs cannot).
pub(crate) trait Render {
    /// The text never needs quotes inside a LIST, STRUCT or MAP.
    const PLAIN: bool;
    /// Writes the value as DuckDB's `CAST(v AS VARCHAR)` does.
    fn render<W: fmt::Write + ?Sized>(&self, f: &mut W) -> fmt::Result;
}

/// `Display` through [`Render`] (the one implementation).
macro_rules! display_via_render {
    ($($t:ty),*) => {$(
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.render(f)
            }
        }
    )*};
}

display_via_render!(
    Date,
    Time,
    TimeNs,
    TimeTz,
    Timestamp,
    TimestampS,
    TimestampMs,
    TimestampNs,
    TimestampTz,
    TimestampTzNs,
    Interval,
    Decimal,
    Uuid
);

impl Render for Date {
    const PLAIN: bool = false;
    fn render<W: fmt::Write + ?Sized>(&self, f: &mut W) -> fmt::Result {
        match self.days {
            i32::MAX => f.write_str("infinity"),
            d if d == -i32::MAX => f.write_str("-infinity"),
            d => {
                let mut t = TextBuf::new();
                write_date(&mut t, i64::from(d));
                t.write_to(f)
            }
        }
    }
}

impl Render for Time {
    const PLAIN: bool = false;
    fn render<W: fmt::Write + ?Sized>(&self, f: &mut W) -> fmt::Result {
        let mut t = TextBuf::new();
        write_time(&mut t, self.micros, MICROS_PER_SEC, 6);
        t.write_to(f)
    }
}

impl Render for TimeNs {
    const PLAIN: bool = false;
    fn render<W: fmt::Write + ?Sized>(&self, f: &mut W) -> fmt::Result {
        let mut t = TextBuf::new();
        write_time(&mut t, self.nanos, 1_000_000_000, 9);
        t.write_to(f)
    }
}

impl Render for TimeTz {
    const PLAIN: bool = false;
    fn render<W: fmt::Write + ?Sized>(&self, f: &mut W) -> fmt::Result {
        let mut t = TextBuf::new();
        write_time(&mut t, self.micros(), MICROS_PER_SEC, 6);
        let off = self.offset_seconds();
        let (sign, off) = if off < 0 { ("-", -off) } else { ("+", off) };
        let off = off.unsigned_abs();
        t.push_str(sign);
        t.push_u64((off / 3600).into(), 2);
        if off % 3600 != 0 {
            t.push_str(":");
            t.push_u64((off / 60 % 60).into(), 2);
        }
        if off % 60 != 0 {
            t.push_str(":");
            t.push_u64((off % 60).into(), 2);
        }
        t.write_to(f)
    }
}

macro_rules! render_instant {
    ($($t:ty, $field:ident, $digits:literal, $tz:literal;)*) => {$(
        impl Render for $t {
            const PLAIN: bool = false;
            #[inline]
            fn render<W: fmt::Write + ?Sized>(&self, f: &mut W) -> fmt::Result {
                write_instant(f, self.$field, Self::PER_SECOND, $digits, $tz)
            }
        }
    )*};
}

render_instant!(
    Timestamp, micros, 6, false;
    TimestampS, seconds, 0, false;
    TimestampMs, millis, 3, false;
    TimestampNs, nanos, 9, false;
    TimestampTz, micros, 6, true;
    TimestampTzNs, nanos, 9, true;
);

impl Render for Interval {
    const PLAIN: bool = false;
    fn render<W: fmt::Write + ?Sized>(&self, f: &mut W) -> fmt::Result {
        let mut t = TextBuf::new();
        let mut first = true;
        let (years, months) = (self.months / 12, self.months % 12);
        for (n, unit) in [(years, " year"), (months, " month"), (self.days, " day")] {
            if n != 0 {
                if !first {
                    t.push_str(" ");
                }
                first = false;
                if n < 0 {
                    t.push_str("-");
                }
                t.push_u64(n.unsigned_abs().into(), 1);
                t.push_str(unit);
                if n.unsigned_abs() != 1 {
                    t.push_str("s");
                }
            }
        }
        if self.micros != 0 || first {
            if !first {
                t.push_str(" ");
            }
            if self.micros < 0 {
                t.push_str("-");
            }
            let abs = self.micros.unsigned_abs();
            write_clock(&mut t, abs / 1_000_000, abs % 1_000_000, 6);
        }
        t.write_to(f)
    }
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

/// Whether DuckDB quotes this text inside a LIST, STRUCT or MAP: when it is empty, starts
/// with white space, ends with white space (two bytes or more), is `null` in any case, or
/// holds one of `"'(),:=[\]{}`.
fn needs_quotes(s: &str) -> bool {
    let b = s.as_bytes();
    let space = |c: u8| matches!(c, b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r');
    match b {
        [] => true,
        [first, ..] if space(*first) => true,
        [.., last] if b.len() >= 2 && space(*last) => true,
        _ if s.eq_ignore_ascii_case("null") => true,
        _ => b.iter().any(|c| {
            matches!(
                c,
                b'"' | b'\'' | b'(' | b')' | b',' | b':' | b'=' | b'[' | b'\\' | b']' | b'{' | b'}'
            )
        }),
    }
}

/// Writes `s` between single quotes with `'` and `\` escaped by a backslash.
fn write_quoted<W: fmt::Write + ?Sized>(f: &mut W, s: &str) -> fmt::Result {
    f.write_str("'")?;
    let mut rest = s;
    while let Some(i) = rest.find(['\'', '\\']) {
        f.write_str(&rest[..i])?;
        f.write_str("\\")?;
        f.write_str(&rest[i..=i])?;
        rest = &rest[i + 1..];
    }
    f.write_str(rest)?;
    f.write_str("'")
}

/// Writes text (VARCHAR, ENUM, or another value's rendered text) as a nested value's child:
/// quoted only when [`needs_quotes`] says so.
pub(crate) fn write_child_text<W: fmt::Write + ?Sized>(f: &mut W, s: &str) -> fmt::Result {
    if needs_quotes(s) {
        write_quoted(f, s)
    } else {
        f.write_str(s)
    }
}

/// Writes a nested value's child whose text `render` writes: rendered first (on the stack
/// when it fits) and then quoted when [`needs_quotes`] says so.
pub(crate) fn write_child_rendered<W: fmt::Write + ?Sized>(
    f: &mut W,
    mut render: impl FnMut(&mut dyn fmt::Write) -> fmt::Result,
) -> fmt::Result {
    let mut t = TextBuf::new();
    match render(&mut t) {
        Ok(()) => write_child_text(f, t.as_str()),
        Err(_) if t.overflowed() => {
            let mut text = String::new();
            render(&mut text)?;
            write_child_text(f, &text)
        }
        Err(e) => Err(e),
    }
}

/// Writes one value of a fixed-width type (or a DECIMAL) as a nested value's child.
#[inline]
pub(crate) fn write_child_value<W: fmt::Write + ?Sized, R: Render>(
    f: &mut W,
    v: &R,
) -> fmt::Result {
    if R::PLAIN {
        v.render(f)
    } else {
        write_child_rendered(f, |t| v.render(t))
    }
}

/// The text of SQL NULL, at the top level and inside nested values.
pub(crate) const NULL_TEXT: &str = "NULL";

/// A LIST or ARRAY: `[child, child, ...]`.
#[inline]
pub(crate) fn write_list<W: fmt::Write + ?Sized, I: IntoIterator>(
    f: &mut W,
    items: I,
    mut child: impl FnMut(&mut W, I::Item) -> fmt::Result,
) -> fmt::Result {
    f.write_str("[")?;
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        child(f, item)?;
    }
    f.write_str("]")
}

/// A MAP: `{key=value, ...}`; `key` and `value` write the two halves of one entry.
pub(crate) fn write_map<W: fmt::Write + ?Sized, I: IntoIterator>(
    f: &mut W,
    entries: I,
    mut key: impl FnMut(&mut W, &I::Item) -> fmt::Result,
    mut value: impl FnMut(&mut W, &I::Item) -> fmt::Result,
) -> fmt::Result {
    f.write_str("{")?;
    for (i, entry) in entries.into_iter().enumerate() {
        f.write_str(if i > 0 { ", " } else { "" })?;
        key(f, &entry)?;
        f.write_str("=")?;
        value(f, &entry)?;
    }
    f.write_str("}")
}

/// A STRUCT: `{'name': value, ...}` with every name quoted; a STRUCT whose fields have no
/// names (DuckDB's unnamed STRUCT, from `ROW(...)`) as `(value, ...)`, and `(value,)` for one
/// field. `child` writes field `i`'s value.
pub(crate) fn write_struct<W: fmt::Write + ?Sized, T>(
    f: &mut W,
    fields: &[(String, T)],
    mut child: impl FnMut(&mut W, usize, &T) -> fmt::Result,
) -> fmt::Result {
    let unnamed = !fields.is_empty() && fields.iter().all(|(name, _)| name.is_empty());
    f.write_str(if unnamed { "(" } else { "{" })?;
    for (i, (name, value)) in fields.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        if !unnamed {
            write_quoted(f, name)?;
            f.write_str(": ")?;
        }
        child(f, i, value)?;
    }
    if unnamed {
        f.write_str(if fields.len() == 1 { ",)" } else { ")" })
    } else {
        f.write_str("}")
    }
}

/// The type DuckDB gives a value it converts out of a VARIANT, as far as the text depends on
/// it: whether the elements of a held list all have one type decides how they are written.
enum HeldType<'a> {
    Null,
    Decimal(u8, u8),
    /// Any other type: equal when the `Datum` variant is.
    Other(std::mem::Discriminant<Datum>),
    Struct(Vec<(&'a str, HeldType<'a>)>),
    /// The element type; `None` for DuckDB's `VARIANT[]` (no elements, or elements of
    /// different types).
    List(Option<Box<HeldType<'a>>>),
    Map(Box<HeldType<'a>>, Box<HeldType<'a>>),
}

fn held_type(d: &Datum) -> HeldType<'_> {
    match d {
        Datum::Null => HeldType::Null,
        Datum::Decimal(v) => HeldType::Decimal(v.width, v.scale),
        Datum::Struct(fields) => HeldType::Struct(
            fields
                .iter()
                .map(|(name, value)| (name.as_str(), held_type(value)))
                .collect(),
        ),
        Datum::List(items) => HeldType::List(common_type(items).map(Box::new)),
        Datum::Map(pairs) => match pairs.first() {
            Some((k, v)) => HeldType::Map(Box::new(held_type(k)), Box::new(held_type(v))),
            None => HeldType::Other(std::mem::discriminant(d)),
        },
        other => HeldType::Other(std::mem::discriminant(other)),
    }
}

/// The one type of every element, or `None` when there are none or they differ.
fn common_type(items: &[Datum]) -> Option<HeldType<'_>> {
    let (first, rest) = items.split_first()?;
    let ty = held_type(first);
    rest.iter()
        .all(|item| same_type(&held_type(item), &ty))
        .then_some(ty)
}

/// Type equality as DuckDB decides it: STRUCT field names compare ignoring ASCII case.
fn same_type(a: &HeldType<'_>, b: &HeldType<'_>) -> bool {
    match (a, b) {
        (HeldType::Null, HeldType::Null) => true,
        (HeldType::Decimal(w1, s1), HeldType::Decimal(w2, s2)) => (w1, s1) == (w2, s2),
        (HeldType::Other(x), HeldType::Other(y)) => x == y,
        (HeldType::Struct(x), HeldType::Struct(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((n1, t1), (n2, t2))| n1.eq_ignore_ascii_case(n2) && same_type(t1, t2))
        }
        (HeldType::List(x), HeldType::List(y)) => match (x, y) {
            (None, None) => true,
            (Some(x), Some(y)) => same_type(x, y),
            _ => false,
        },
        (HeldType::Map(k1, v1), HeldType::Map(k2, v2)) => same_type(k1, k2) && same_type(v1, v2),
        _ => false,
    }
}

/// Writes a value held by a VARIANT as DuckDB's `CAST(v AS VARCHAR)` does: the value is
/// written as the value of type `ty` it converts to. A list whose elements share one type is
/// that type's list (elements written as children of a nested value, STRUCT field names taken
/// from the type, that is from the first element); otherwise its elements are VARIANTs, each
/// written as its own cast, never quoted.
fn write_held<W: fmt::Write + ?Sized>(f: &mut W, d: &Datum, ty: &HeldType<'_>) -> fmt::Result {
    match d {
        Datum::List(items) => {
            f.write_str("[")?;
            for (i, item) in items.iter().enumerate() {
                f.write_str(if i > 0 { ", " } else { "" })?;
                match ty {
                    HeldType::List(Some(element)) => write_held_child(f, item, element)?,
                    _ => write_held(f, item, &held_type(item))?,
                }
            }
            f.write_str("]")
        }
        Datum::Struct(fields) => {
            let types = match ty {
                HeldType::Struct(types) if types.len() == fields.len() => Some(types),
                _ => None,
            };
            f.write_str("{")?;
            for (i, (own_name, value)) in fields.iter().enumerate() {
                f.write_str(if i > 0 { ", " } else { "" })?;
                let own_type;
                let (name, field) = match types {
                    Some(types) => (types[i].0, &types[i].1),
                    None => {
                        own_type = held_type(value);
                        (own_name.as_str(), &own_type)
                    }
                };
                write_quoted(f, name)?;
                f.write_str(": ")?;
                write_held_child(f, value, field)?;
            }
            f.write_str("}")
        }
        Datum::Map(pairs) => {
            f.write_str("{")?;
            for (i, (k, v)) in pairs.iter().enumerate() {
                f.write_str(if i > 0 { ", " } else { "" })?;
                match ty {
                    HeldType::Map(kt, vt) => {
                        write_held_child(f, k, kt)?;
                        f.write_str("=")?;
                        write_held_child(f, v, vt)?;
                    }
                    _ => {
                        write_held_child(f, k, &held_type(k))?;
                        f.write_str("=")?;
                        write_held_child(f, v, &held_type(v))?;
                    }
                }
            }
            f.write_str("}")
        }
        other => other.render(f),
    }
}

/// A child of a held LIST, STRUCT or MAP of type `ty`: nested values as [`write_held`]
/// writes them, scalars as any nested value's child.
fn write_held_child<W: fmt::Write + ?Sized>(
    f: &mut W,
    d: &Datum,
    ty: &HeldType<'_>,
) -> fmt::Result {
    match d {
        Datum::List(_) | Datum::Struct(_) | Datum::Map(_) => write_held(f, d, ty),
        other => write_child(f, other),
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

/// Whether the datum is of a nested type (LIST, ARRAY, STRUCT, MAP, UNION): DuckDB writes
/// those inside another nested value as they are, never quoted.
fn is_nested(d: &Datum) -> bool {
    matches!(
        d,
        Datum::List(_)
            | Datum::Array(_)
            | Datum::Struct(_)
            | Datum::Map(_)
            | Datum::Union { .. }
            | Datum::Variant(_)
    )
}

macro_rules! display_datum {
    ($($group:ident $v:ident $t:ident $s:ident $from:path,
        $create:ident $get:ident $getter:ident, [$($bind:ident)?] [$($append:ident)?] $layout:ident;)*) => {
        /// Writes one child of a LIST, ARRAY, STRUCT or MAP.
        fn write_child<W: fmt::Write + ?Sized>(f: &mut W, d: &Datum) -> fmt::Result {
            match d {
                Datum::Null => f.write_str(NULL_TEXT),
                $( Datum::$v(v) => write_child_value(f, v), )*
                Datum::Decimal(v) => write_child_value(f, v),
                Datum::Varchar(s) | Datum::Enum(s) => write_child_text(f, s),
                // Digits and a sign never need quotes.
                Datum::Bignum(b) => write!(f, "{b}"),
                d if is_nested(d) => d.render(f),
                d => write_child_rendered(f, |t| d.render(t)),
            }
        }

        impl Datum {
            /// Writes the datum as DuckDB's `CAST(v AS VARCHAR)` does.
            pub(crate) fn render<W: fmt::Write + ?Sized>(&self, f: &mut W) -> fmt::Result {
                match self {
                    Datum::Null => f.write_str(NULL_TEXT),
                    $( Datum::$v(v) => v.render(f), )*
                    Datum::Decimal(v) => v.render(f),
                    Datum::Varchar(s) | Datum::Enum(s) => f.write_str(s),
                    Datum::Blob(b) => write_blob(f, b),
                    Datum::Bignum(b) => write!(f, "{b}"),
                    Datum::Geometry(g) => write!(f, "{g}"),
                    Datum::Bit(bits) => write_bits(f, bits.iter().copied()),
                    Datum::List(items) | Datum::Array(items) => {
                        write_list(f, items, |f, item| write_child(f, item))
                    }
                    Datum::Struct(fields) => write_struct(f, fields, |f, _, v| write_child(f, v)),
                    Datum::Map(pairs) => write_map(
                        f,
                        pairs,
                        |f, (k, _)| write_child(f, k),
                        |f, (_, v)| write_child(f, v),
                    ),
                    Datum::Union { value, .. } => value.render(f),
                    Datum::Variant(held) => write_held(f, held, &held_type(held)),
                }
            }
        }

        impl fmt::Display for Datum {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.render(f)
            }
        }
    };
}

fixed_width_types!(display_datum);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_render_in_the_proleptic_gregorian_calendar() {
        assert_eq!(Date { days: 0 }.to_string(), "1970-01-01");
        assert_eq!(Date { days: -1 }.to_string(), "1969-12-31");
        assert_eq!(Date { days: 19_782 }.to_string(), "2024-02-29");
        assert_eq!(Date { days: i32::MAX }.to_string(), "infinity");
    }

    #[test]
    fn time_tz_round_trips_its_packing() {
        let t = TimeTz::new(3_600_000_000, -5400).unwrap();
        assert_eq!((t.micros(), t.offset_seconds()), (3_600_000_000, -5400));
        assert_eq!(t.to_string(), "01:00:00-01:30");
        assert!(TimeTz::new(0, 16 * 3600).is_err());
    }

    #[test]
    fn intervals_render_like_duckdb_and_never_overflow() {
        let i = Interval {
            months: 14,
            days: -1,
            micros: -90_500_000,
        };
        assert_eq!(i.to_string(), "1 year 2 months -1 day -00:01:30.5");
        assert_eq!(Interval::default().to_string(), "00:00:00");
        let extreme = Interval {
            months: i32::MIN,
            days: i32::MIN,
            micros: i64::MIN,
        };
        assert!(extreme.to_string().contains("-2562047788:00:54.775808"));
    }

    #[test]
    fn decimals_keep_leading_zeros_of_the_fraction() {
        assert_eq!(
            Decimal {
                value: -5,
                width: 4,
                scale: 3
            }
            .to_string(),
            "-0.005"
        );
        assert_eq!(
            Decimal {
                value: 12345,
                width: 9,
                scale: 2
            }
            .to_string(),
            "123.45"
        );
    }

    #[test]
    fn uuid_storage_flips_the_top_bit() {
        let stored = i128::MIN; // all-zero UUID after flipping
        assert_eq!(Uuid::from_storage(stored).0, 0);
        assert_eq!(
            Uuid(0xa0ee_bc99_9c0b_4ef8_bb6d_6bb9_bd38_0a11).to_string(),
            "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"
        );
    }
}
