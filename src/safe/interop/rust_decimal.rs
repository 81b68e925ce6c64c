//! `rust_decimal::Decimal` as DECIMAL, also read from the integer columns (cargo feature
//! `rust_decimal`).
//!
//! rust_decimal holds a 96-bit mantissa (28 to 29 digits) with a scale of 0 to 28; DuckDB's
//! DECIMAL holds up to 38 digits with a scale of up to 38. Reading is exact or an error:
//! a value with a scale above 28 or a mantissa above 96 bits loses trailing zeros of its
//! fraction until it fits (`1.50000…0` at scale 30 reads as `1.5`), and one that still does
//! not fit is an [`ErrorKind::OutOfRange`](crate::safe::ErrorKind::OutOfRange) error, never
//! rounded. Writing always gives DECIMAL(38, scale): every rust_decimal value fits it, and a
//! statement's parameter type then depends only on the scale.

use super::{check_cell, name, out_of_range};
use crate::safe::types::{FromSql, ToSql, ToSqlOutput, TypeId};
use crate::safe::{Result, Vector};
use rust_decimal::Decimal;

/// DuckDB's widest DECIMAL, which every value is written as.
const WIDTH: u8 = 38;

/// The largest mantissa rust_decimal holds (96 bits).
const MAX_MANTISSA: u128 = (1 << 96) - 1;

/// `value / 10^scale` as a `Decimal`, dropping trailing zeros of the fraction if it has to;
/// `None` if that is not enough.
fn exact(mut value: i128, mut scale: u32) -> Option<Decimal> {
    while (scale > Decimal::MAX_SCALE || value.unsigned_abs() > MAX_MANTISSA)
        && scale > 0
        && value % 10 == 0
    {
        value /= 10;
        scale -= 1;
    }
    Decimal::try_from_i128_with_scale(value, scale).ok()
}

impl FromSql<'_> for Decimal {
    fn from_vector(vector: &Vector<'_>, row: usize) -> Result<Self> {
        let types = [
            TypeId::Decimal,
            TypeId::TinyInt,
            TypeId::SmallInt,
            TypeId::Integer,
            TypeId::BigInt,
            TypeId::HugeInt,
            TypeId::UTinyInt,
            TypeId::USmallInt,
            TypeId::UInteger,
            TypeId::UBigInt,
            TypeId::UHugeInt,
        ];
        let (value, scale, shown) = match check_cell::<Self>(vector, row, &types)? {
            TypeId::Decimal => {
                let d = crate::safe::types::Decimal::from_vector(vector, row)?;
                (Some(d.value), u32::from(d.scale), d.to_string())
            }
            TypeId::UHugeInt => {
                let v = u128::from_vector(vector, row)?;
                (i128::try_from(v).ok(), 0, v.to_string())
            }
            _ => {
                let v = i128::from_vector(vector, row)?;
                (Some(v), 0, v.to_string())
            }
        };
        value
            .and_then(|value| exact(value, scale))
            .ok_or_else(|| out_of_range(shown, name::<Self>(), "more digits than it holds"))
    }
}

impl ToSql for Decimal {
    fn to_sql(&self) -> Result<ToSqlOutput<'_>> {
        // A 96-bit mantissa has at most 29 digits and the scale at most 28: always valid.
        let scale = u8::try_from(self.scale())
            .map_err(|_| out_of_range(self, "DECIMAL", "scale above 38"))?;
        crate::safe::types::Decimal::new(self.mantissa(), WIDTH, scale).map(ToSqlOutput::Decimal)
    }
}
