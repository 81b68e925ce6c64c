//! Values held by a VARIANT: DuckDB writes them by the type it converts them to, so a held
//! list whose elements share one type is written like a typed list, otherwise like a list of
//! VARIANTs.

use super::nested::{write_child, write_quoted};
use crate::safe::values::Datum;
use std::fmt;

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
pub(super) fn write_variant<W: fmt::Write + ?Sized>(f: &mut W, held: &Datum) -> fmt::Result {
    write_held(f, held, &held_type(held))
}
