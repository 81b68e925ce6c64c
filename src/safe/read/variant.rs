//! Reading VARIANT cells: the four storage columns of a VARIANT vector (the "VARIANT storage"
//! section of [`c_api_reference`](crate::c_api_reference)) decoded into the [`Datum`] the cell
//! holds.
//!
//! Every index and byte offset is checked before it is used: a cell that does not decode (an
//! index outside its row's lists, a payload running past the data blob, an unknown type code,
//! children that are not a tree) is an [`Error`], never a panic or an out-of-bounds read.

use super::columns::{Blobs, ListVector, Strings};
use super::primitive::{Primitive, Values};
use super::vector::Vector;
use crate::safe::cabi::utf8;
use crate::safe::error::{Error, ErrorKind, Result};
use crate::safe::types::LogicalType;
use crate::safe::types::TypeId;
use crate::safe::values::fixed::*;
use crate::safe::values::{Bignum, BitRef, Datum, Decimal, Geometry};
use std::ops::Range;

/// The physical layout this module decodes, written as [`layout_of`] writes a type.
pub(crate) const EXPECTED_LAYOUT: &str = "STRUCT(keys VARCHAR[], \
     children STRUCT(keys_index UINTEGER, values_index UINTEGER)[], \
     values STRUCT(type_id UTINYINT, byte_offset UINTEGER)[], data BLOB)";

/// How deep OBJECTs and ARRAYs may nest inside one cell before decoding gives up (the
/// decoder and the renderer recurse once per level).
pub(crate) const MAX_DEPTH: usize = 64;

/// A type's physical shape: the SQL name, with LIST children as `child[]` and STRUCT fields
/// as `STRUCT(name type, ...)`.
fn layout_of(ty: &LogicalType) -> Result<String> {
    Ok(match ty.id() {
        TypeId::List => format!("{}[]", layout_of(&ty.list_child_type()?)?),
        TypeId::Struct => layout_of_fields(
            &(0..ty.struct_child_count()?)
                .map(|i| Ok((ty.struct_child_name(i)?, ty.struct_child_type(i)?)))
                .collect::<Result<Vec<_>>>()?,
        )?,
        id => id.sql_name().to_owned(),
    })
}

fn layout_of_fields(fields: &[(String, LogicalType)]) -> Result<String> {
    let fields = fields
        .iter()
        .map(|(name, ty)| Ok(format!("{name} {}", layout_of(ty)?)))
        .collect::<Result<Vec<_>>>()?;
    Ok(format!("STRUCT({})", fields.join(", ")))
}

/// Checks that a VARIANT column is stored the way this module reads it, so that a DuckDB whose
/// VARIANT storage changed gives a clear error instead of misread bytes.
///
/// # Safety
/// `ty` is a VARIANT type the engine made (see [`LogicalType::variant_storage_fields`]).
pub(crate) unsafe fn check_layout(ty: &LogicalType) -> Result<()> {
    // SAFETY: forwarded.
    check_fields(&unsafe { ty.variant_storage_fields() }?)
}

/// [`check_layout`] on the storage fields.
fn check_fields(fields: &[(String, LogicalType)]) -> Result<()> {
    let found = layout_of_fields(fields)?;
    if found == EXPECTED_LAYOUT {
        Ok(())
    } else {
        Err(Error::new(
            ErrorKind::TypeMismatch,
            format!(
                "VARIANT storage is {found}, but the safe layer reads {EXPECTED_LAYOUT}: \
                 this DuckDB's VARIANT layout is not supported"
            ),
        ))
    }
}

/// The storage columns of one VARIANT vector, borrowed from its chunk.
#[derive(Debug)]
pub(crate) struct VariantColumns<'c> {
    keys: ListVector<'c>,
    key_text: Strings<'c>,
    children: ListVector<'c>,
    keys_index: Values<'c, u32>,
    values_index: Values<'c, u32>,
    values: ListVector<'c>,
    type_ids: Values<'c, u8>,
    byte_offsets: Values<'c, u32>,
    data: Blobs<'c>,
}

/// An error for a VARIANT cell that does not decode.
fn corrupt(what: impl std::fmt::Display) -> Error {
    Error::new(
        ErrorKind::OutOfRange,
        format!("VARIANT cell does not decode: {what}"),
    )
}

impl<'c> VariantColumns<'c> {
    /// Borrows the storage columns of `v`, a VARIANT vector whose layout passed
    /// [`check_layout`] (each view below checks its column's type again).
    pub(crate) fn new(v: &Vector<'c>) -> Result<VariantColumns<'c>> {
        let keys = v.struct_child(0)?.list()?;
        let children = v.struct_child(1)?.list()?;
        let values = v.struct_child(2)?.list()?;
        Ok(VariantColumns {
            key_text: keys.child().strings()?,
            keys,
            keys_index: children.child().struct_child(0)?.values()?,
            values_index: children.child().struct_child(1)?.values()?,
            children,
            type_ids: values.child().struct_child(0)?.values()?,
            byte_offsets: values.child().struct_child(1)?.values()?,
            values,
            data: v.struct_child(3)?.blobs()?,
        })
    }

    /// Row `row`, which the caller found valid (not SQL NULL): [`Datum::Variant`] holding the
    /// value, or [`Datum::Null`] when the value is a VARIANT NULL (which SQL's `IS NULL`, and
    /// the cast to VARCHAR, take for NULL too).
    pub(crate) fn read(&self, row: usize) -> Result<Datum> {
        Ok(match self.held(row)? {
            Datum::Null => Datum::Null,
            held => Datum::Variant(Box::new(held)),
        })
    }

    /// The value held by row `row`.
    fn held(&self, row: usize) -> Result<Datum> {
        let missing = |what| move || corrupt(format!("row {row} has no {what}"));
        let cell = Cell {
            cols: self,
            keys: self.keys.range(row)?.ok_or_else(missing("keys"))?,
            children: self.children.range(row)?.ok_or_else(missing("children"))?,
            values: self.values.range(row)?.ok_or_else(missing("values"))?,
            data: self.data.get(row)?.ok_or_else(missing("data"))?,
        };
        if cell.values.is_empty() {
            return Err(corrupt(format!("row {row} holds no value")));
        }
        let mut budget = cell.values.len();
        cell.value(0, 0, &mut budget)
    }
}

/// One row's slices of the storage columns.
struct Cell<'a, 'c> {
    cols: &'a VariantColumns<'c>,
    keys: Range<usize>,
    children: Range<usize>,
    values: Range<usize>,
    data: &'c [u8],
}

/// Entry `index` of a row's `range` of a column, as an absolute row of that column.
fn entry(range: &Range<usize>, index: usize, what: &str) -> Result<usize> {
    if index < range.len() {
        Ok(range.start + index)
    } else {
        Err(corrupt(format!(
            "{what} index {index} outside the row's {} entries",
            range.len()
        )))
    }
}

/// A value that must not be NULL in the storage columns.
fn present<T>(v: Option<T>, what: &str) -> Result<T> {
    v.ok_or_else(|| corrupt(format!("{what} is NULL")))
}

impl Cell<'_, '_> {
    /// The bytes from `offset` to the end of the data blob.
    fn tail(&self, offset: usize) -> Result<&[u8]> {
        self.data.get(offset..).ok_or_else(|| {
            corrupt(format!(
                "payload offset {offset} past the {}-byte data",
                self.data.len()
            ))
        })
    }

    /// A fixed-width payload: the value's column storage, in native byte order, at `offset`.
    fn fixed<T: Primitive>(&self, offset: usize) -> Result<T> {
        let bytes = self
            .tail(offset)?
            .get(..std::mem::size_of::<T>())
            .ok_or_else(|| corrupt(format!("{}-byte payload cut short", size_of::<T>())))?;
        // SAFETY: `bytes` is `size_of::<T>()` readable bytes borrowed from the data blob;
        // `Primitive::read` accepts unaligned memory, and every type read here (integers,
        // floats, the date/time structs, `i128` for UUID) is valid for any byte pattern
        // (src/c_api.md, "VARIANT storage": fixed-width payloads are the column storage).
        Ok(unsafe { T::read(bytes.as_ptr()) })
    }

    /// A length-prefixed payload (VARCHAR, BLOB, BIT, BIGNUM, GEOMETRY) at `offset`.
    fn bytes(&self, offset: usize) -> Result<&[u8]> {
        let mut rest = self.tail(offset)?;
        let len = leb128(&mut rest)?;
        rest.get(..len)
            .ok_or_else(|| corrupt(format!("{len}-byte string payload cut short")))
    }

    /// Decodes value `index` of the row; `budget` counts the values still allowed, so a
    /// child list that revisits values (not a tree) ends in an error rather than looping.
    fn value(&self, index: usize, depth: usize, budget: &mut usize) -> Result<Datum> {
        if *budget == 0 {
            return Err(corrupt("children revisit values (not a tree)"));
        }
        *budget -= 1;
        let at = entry(&self.values, index, "value")?;
        let type_id = present(self.cols.type_ids.get(at)?, "type_id")?;
        let offset = present(self.cols.byte_offsets.get(at)?, "byte_offset")? as usize;
        Ok(match type_id {
            0 => Datum::Null,
            1 => Datum::Boolean(true),
            2 => Datum::Boolean(false),
            3 => Datum::TinyInt(self.fixed(offset)?),
            4 => Datum::SmallInt(self.fixed(offset)?),
            5 => Datum::Integer(self.fixed(offset)?),
            6 => Datum::BigInt(self.fixed(offset)?),
            7 => Datum::HugeInt(self.fixed(offset)?),
            8 => Datum::UTinyInt(self.fixed(offset)?),
            9 => Datum::USmallInt(self.fixed(offset)?),
            10 => Datum::UInteger(self.fixed(offset)?),
            11 => Datum::UBigInt(self.fixed(offset)?),
            12 => Datum::UHugeInt(self.fixed(offset)?),
            13 => Datum::Float(self.fixed(offset)?),
            14 => Datum::Double(self.fixed(offset)?),
            15 => Datum::Decimal(self.decimal(offset)?),
            16 => Datum::Varchar(utf8(self.bytes(offset)?)?.to_owned()),
            17 => Datum::Blob(self.bytes(offset)?.to_vec()),
            18 => Datum::Uuid(Uuid::from_storage(self.fixed(offset)?)),
            19 => Datum::Date(self.fixed::<Date>(offset)?),
            20 => Datum::Time(self.fixed::<Time>(offset)?),
            21 => Datum::TimeNs(self.fixed::<TimeNs>(offset)?),
            22 => Datum::TimestampS(self.fixed::<TimestampS>(offset)?),
            23 => Datum::TimestampMs(self.fixed::<TimestampMs>(offset)?),
            24 => Datum::Timestamp(self.fixed::<Timestamp>(offset)?),
            25 => Datum::TimestampNs(self.fixed::<TimestampNs>(offset)?),
            26 => Datum::TimeTz(self.fixed::<TimeTz>(offset)?),
            27 => Datum::TimestampTz(self.fixed::<TimestampTz>(offset)?),
            28 => Datum::Interval(self.fixed::<Interval>(offset)?),
            29 | 30 => self.nested(type_id == 29, offset, depth, budget)?,
            31 => Datum::Bignum(Bignum::from_storage(self.bytes(offset)?)?),
            32 => Datum::Bit(BitRef::new(self.bytes(offset)?)?.iter().collect()),
            33 => Datum::Geometry(Geometry::from_wkb(self.bytes(offset)?.to_vec())?),
            34 => Datum::TimestampTzNs(self.fixed::<TimestampTzNs>(offset)?),
            other => return Err(corrupt(format!("unknown VARIANT type code {other}"))),
        })
    }

    /// A DECIMAL payload: LEB128 width and scale, then the value stored as the DECIMAL column
    /// of that width stores it (16, 32, 64 or 128 bits).
    fn decimal(&self, offset: usize) -> Result<Decimal> {
        let mut rest = self.tail(offset)?;
        let (width, scale) = (leb128(&mut rest)?, leb128(&mut rest)?);
        let (Ok(width @ 1..=38), Ok(scale)) = (u8::try_from(width), u8::try_from(scale)) else {
            return Err(corrupt(format!("DECIMAL({width},{scale})")));
        };
        if scale > width {
            return Err(corrupt(format!("DECIMAL({width},{scale})")));
        }
        let start = self.data.len() - rest.len();
        let value = match width {
            0..=4 => i128::from(self.fixed::<i16>(start)?),
            5..=9 => i128::from(self.fixed::<i32>(start)?),
            10..=18 => i128::from(self.fixed::<i64>(start)?),
            _ => self.fixed::<i128>(start)?,
        };
        Decimal::new(value, width, scale)
    }

    /// An OBJECT (members in byte order of their keys, as DuckDB presents them; the one
    /// member with the empty key as a MAP, as DuckDB does) or an ARRAY.
    fn nested(
        &self,
        object: bool,
        offset: usize,
        depth: usize,
        budget: &mut usize,
    ) -> Result<Datum> {
        if depth >= MAX_DEPTH {
            return Err(corrupt(format!("nested deeper than {MAX_DEPTH} levels")));
        }
        let mut rest = self.tail(offset)?;
        let count = leb128(&mut rest)?;
        let first = if count == 0 { 0 } else { leb128(&mut rest)? };
        if count > self.children.len() {
            return Err(corrupt(format!(
                "{count} children, the row has {}",
                self.children.len()
            )));
        }
        let mut items = Vec::with_capacity(count);
        for i in 0..count {
            let child = first
                .checked_add(i)
                .ok_or_else(|| corrupt("child index overflows"))?;
            let at = entry(&self.children, child, "child")?;
            let value = present(self.cols.values_index.get(at)?, "values_index")? as usize;
            let key = if object {
                let k = present(self.cols.keys_index.get(at)?, "keys_index")? as usize;
                let k = entry(&self.keys, k, "key")?;
                Some(present(self.cols.key_text.get(k)?, "key")?)
            } else {
                None
            };
            items.push((key, self.value(value, depth + 1, budget)?));
        }
        if !object {
            return Ok(Datum::List(items.into_iter().map(|(_, v)| v).collect()));
        }
        let mut members: Vec<(String, Datum)> = items
            .into_iter()
            .map(|(k, v)| (k.unwrap_or_default().to_owned(), v))
            .collect();
        members.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        if let [(key, _)] = members.as_slice()
            && key.is_empty()
        {
            let (key, value) = members.remove(0);
            return Ok(Datum::Map(vec![(Datum::Varchar(key), value)]));
        }
        Ok(Datum::Struct(members))
    }
}

/// Reads an unsigned LEB128 number (7 bits a byte, low group first, high bit = more follow)
/// from the front of `rest`, advancing it.
fn leb128(rest: &mut &[u8]) -> Result<usize> {
    let mut value: u64 = 0;
    for (i, &byte) in rest.iter().enumerate() {
        if i >= 10 {
            break;
        }
        let bits = u64::from(byte & 0x7F);
        let shift = 7 * i as u32;
        if shift >= 64 || (shift > 0 && bits >> (64 - shift) != 0) {
            break;
        }
        value |= bits << shift;
        if byte & 0x80 == 0 {
            *rest = &rest[i + 1..];
            return usize::try_from(value).map_err(|_| corrupt("length does not fit usize"));
        }
    }
    Err(corrupt("unterminated or oversized LEB128 number"))
}

#[cfg(test)]
mod tests {
    use super::{EXPECTED_LAYOUT, check_fields, leb128};
    use crate::safe::Database;
    use crate::safe::error::ErrorKind;
    use crate::safe::types::LogicalType;
    use crate::safe::types::TypeId;

    // The engine's VARIANT type and its storage fields: the Miri model has no VARIANT.
    #[cfg(not(miri))]
    #[test]
    fn the_layout_check_accepts_the_engines_variant_and_names_a_changed_layout() {
        // The lib tests share the ledger: a handle opened here without the guard showed up as
        // a leak in whichever guarded test was checking at that moment.
        let _ledger = crate::safe::ledger::guard();
        let conn = Database::open_in_memory().unwrap().connect().unwrap();
        let mut result = conn.query("SELECT 1::VARIANT").unwrap();
        let chunk = result.next_chunk().unwrap().unwrap();
        let ty = chunk.vector(0).unwrap().logical_type();
        // SAFETY: the column type of a result vector.
        let mut fields = unsafe { ty.variant_storage_fields() }.unwrap();
        check_fields(&fields).unwrap();
        // A wider byte offset: the same names, another layout.
        let t = |id| LogicalType::new(id).unwrap();
        let values = LogicalType::structure(&[
            ("type_id", &t(TypeId::UTinyInt)),
            ("byte_offset", &t(TypeId::UBigInt)),
        ])
        .unwrap();
        fields[2].1 = LogicalType::list(&values).unwrap();
        let err = check_fields(&fields).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::TypeMismatch);
        assert!(err.message().contains("byte_offset UBIGINT"), "{err}");
        assert!(err.message().contains(EXPECTED_LAYOUT), "{err}");
        // A bare VARIANT type (no storage fields) is never asked for them.
        let bare = t(TypeId::Variant);
        assert_eq!(
            bare.struct_child_count().unwrap_err().kind(),
            ErrorKind::TypeMismatch
        );
    }

    #[test]
    fn leb128_reads_groups_low_first_and_rejects_garbage() {
        let mut b: &[u8] = &[0xE5, 0x8E, 0x26, 9];
        assert_eq!(leb128(&mut b).unwrap(), 624_485);
        assert_eq!(b, &[9]);
        let mut b: &[u8] = &[0];
        assert_eq!(leb128(&mut b).unwrap(), 0);
        let mut b: &[u8] = &[0x80, 0x80];
        assert!(leb128(&mut b).is_err());
        let mut b: &[u8] = &[0xFF; 11];
        assert!(leb128(&mut b).is_err());
        let mut b: &[u8] = &[];
        assert!(leb128(&mut b).is_err());
    }
}
