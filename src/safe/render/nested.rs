//! LIST, ARRAY, STRUCT, MAP and UNION text: which child texts DuckDB quotes, how children are
//! separated, and `Datum`'s `Display`, which walks a nested value with these rules. Values held
//! by a VARIANT are here too, since they nest both ways: DuckDB writes a held value by the type
//! it converts it to, so a held list whose elements share one type is written like a typed
//! list, otherwise like a list of VARIANTs.

use super::Render;
use super::TextBuf;
use super::scalars::{write_bits, write_blob};
use crate::safe::types::fixed_width_types;
use crate::safe::values::Datum;
use std::fmt;

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
pub(super) fn write_quoted<W: fmt::Write + ?Sized>(f: &mut W, s: &str) -> fmt::Result {
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
        pub(super) fn write_child<W: fmt::Write + ?Sized>(f: &mut W, d: &Datum) -> fmt::Result {
            match d {
                Datum::Null => f.write_str(NULL_TEXT),
                $( Datum::$v(v) => write_child_value(f, v), )*
                Datum::Decimal(v) => write_child_value(f, v),
                Datum::Varchar(s) | Datum::Enum(s) | Datum::Json(s) => write_child_text(f, s),
                // Digits and a sign never need quotes.
                Datum::Bignum(b) => write!(f, "{b}"),
                d if is_nested(d) => d.render(f),
                d => write_child_rendered(f, |t| d.render(t)),
            }
        }

        /// Writes one element of a LIST: a child, except that DuckDB never quotes JSON text
        /// there (in an ARRAY, a STRUCT or a MAP it does).
        fn write_element<W: fmt::Write + ?Sized>(f: &mut W, d: &Datum) -> fmt::Result {
            match d {
                Datum::Json(s) => f.write_str(s),
                other => write_child(f, other),
            }
        }

        impl Datum {
            /// Writes the datum as DuckDB's `CAST(v AS VARCHAR)` does.
            pub(crate) fn render<W: fmt::Write + ?Sized>(&self, f: &mut W) -> fmt::Result {
                match self {
                    Datum::Null => f.write_str(NULL_TEXT),
                    $( Datum::$v(v) => v.render(f), )*
                    Datum::Decimal(v) => v.render(f),
                    Datum::Varchar(s) | Datum::Enum(s) | Datum::Json(s) => f.write_str(s),
                    Datum::Blob(b) => write_blob(f, b),
                    Datum::Bignum(b) => write!(f, "{b}"),
                    Datum::Geometry(g) => write!(f, "{g}"),
                    Datum::Bit(bits) => write_bits(f, bits.iter().copied()),
                    Datum::List(items) => write_list(f, items, |f, item| write_element(f, item)),
                    Datum::Array(items) => write_list(f, items, |f, item| write_child(f, item)),
                    Datum::Struct(fields) => write_struct(f, fields, |f, _, v| write_child(f, v)),
                    Datum::Map(pairs) => write_map(
                        f,
                        pairs,
                        |f, (k, _)| write_child(f, k),
                        |f, (_, v)| write_child(f, v),
                    ),
                    Datum::Union { value, .. } => value.render(f),
                    Datum::Variant(held) => write_variant(f, held),
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

/// Writes a VARIANT's value, typed by what it holds.
fn write_variant<W: fmt::Write + ?Sized>(f: &mut W, held: &Datum) -> fmt::Result {
    write_held(f, held, &held_type(held))
}
