//! A fixed-size text buffer on the stack, for rendering a value's parts without allocating.

use std::fmt;

/// Room for the longest scalar text (an INTERVAL or a BC timestamp with nanoseconds are under
/// 80 bytes).
const CAPACITY: usize = 96;

/// ASCII text built on the stack; pushes past the capacity are dropped and reported as a
/// formatting error when the text is written out.
pub(super) struct TextBuf {
    bytes: [u8; CAPACITY],
    len: usize,
    overflow: bool,
}

impl TextBuf {
    pub(super) fn new() -> TextBuf {
        TextBuf {
            bytes: [0; CAPACITY],
            len: 0,
            overflow: false,
        }
    }

    pub(super) fn push_str(&mut self, s: &str) {
        let end = self.len + s.len();
        match self.bytes.get_mut(self.len..end) {
            Some(dst) => {
                dst.copy_from_slice(s.as_bytes());
                self.len = end;
            }
            None => self.overflow = true,
        }
    }

    /// Decimal digits of `v`, zero-padded on the left to at least `min_digits`.
    pub(super) fn push_uint(&mut self, v: u128, min_digits: usize) {
        let mut digits = [b'0'; 40];
        let mut start = digits.len();
        // Digits below 10^19 with 64-bit divisions (128-bit ones are several times slower).
        let (mut high, mut low) = (
            v / 10_000_000_000_000_000_000,
            (v % 10_000_000_000_000_000_000) as u64,
        );
        loop {
            start -= 1;
            digits[start] = b'0' + (low % 10) as u8;
            low /= 10;
            if low == 0 {
                break;
            }
        }
        if high > 0 {
            start = digits.len() - 19;
            while high > 0 {
                start -= 1;
                digits[start] = b'0' + (high % 10) as u8;
                high /= 10;
            }
        }
        start = start.min(digits.len().saturating_sub(min_digits));
        // Only ASCII digits were written.
        self.push_str(std::str::from_utf8(&digits[start..]).unwrap_or("?"));
    }

    /// Removes trailing `'0'`s.
    pub(super) fn trim_zeros(&mut self) {
        while self.len > 0 && self.bytes[self.len - 1] == b'0' {
            self.len -= 1;
        }
    }

    pub(super) fn write_to(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.overflow {
            return Err(fmt::Error);
        }
        f.write_str(std::str::from_utf8(&self.bytes[..self.len]).map_err(|_| fmt::Error)?)
    }
}

impl fmt::Write for TextBuf {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.push_str(s);
        if self.overflow {
            Err(fmt::Error)
        } else {
            Ok(())
        }
    }
}

impl TextBuf {
    /// The text so far.
    pub(super) fn as_str(&self) -> &str {
        std::str::from_utf8(&self.bytes[..self.len]).unwrap_or("")
    }

    /// Drops `suffix` from the end when the text ends with it.
    pub(super) fn strip_suffix(&mut self, suffix: &str) {
        if self.as_str().ends_with(suffix) {
            self.len -= suffix.len();
        }
    }
}
