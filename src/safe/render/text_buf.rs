//! A fixed-size text buffer on the stack, for rendering a value's parts without allocating.

use crate::safe::cabi::utf8;
use std::fmt;

/// Room for the longest scalar text (an INTERVAL or a BC timestamp with nanoseconds are under
/// 80 bytes).
const CAPACITY: usize = 96;

/// ASCII text built on the stack; pushes past the capacity are dropped and reported as a
/// formatting error when the text is written out.
pub(crate) struct TextBuf {
    bytes: [u8; CAPACITY],
    len: usize,
    overflow: bool,
}

impl TextBuf {
    pub(crate) fn new() -> TextBuf {
        TextBuf {
            bytes: [0; CAPACITY],
            len: 0,
            overflow: false,
        }
    }

    pub(crate) fn push_str(&mut self, s: &str) {
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
    #[inline]
    pub(crate) fn push_uint(&mut self, v: u128, min_digits: usize) {
        match u64::try_from(v) {
            Ok(small) => self.push_u64(small, min_digits),
            Err(_) => self.push_u128_slow(v, min_digits),
        }
    }

    /// Decimal digits of `v`, two at a time from a table, zero-padded on the left to at least
    /// `min_digits` (at most 20).
    #[inline]
    pub(crate) fn push_u64(&mut self, mut v: u64, min_digits: usize) {
        const PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
            2021222324252627282930313233343536373839\
            4041424344454647484950515253545556575859\
            6061626364656667686970717273747576777879\
            8081828384858687888990919293949596979899";
        let mut digits = [b'0'; 20];
        let mut start = digits.len();
        while v >= 100 {
            let pair = (v % 100) as usize * 2;
            v /= 100;
            start -= 2;
            digits[start..start + 2].copy_from_slice(&PAIRS[pair..pair + 2]);
        }
        if v >= 10 {
            let pair = v as usize * 2;
            start -= 2;
            digits[start..start + 2].copy_from_slice(&PAIRS[pair..pair + 2]);
        } else {
            start -= 1;
            digits[start] = b'0' + v as u8;
        }
        start = start.min(digits.len().saturating_sub(min_digits));
        self.push_ascii(&digits[start..]);
    }

    /// [`push_uint`](Self::push_uint) of a value above `u64::MAX`.
    #[cold]
    fn push_u128_slow(&mut self, v: u128, min_digits: usize) {
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
        self.push_ascii(&digits[start..]);
    }

    /// Appends ASCII digits (every caller passes only `b'0'..=b'9'`).
    #[inline]
    fn push_ascii(&mut self, ascii: &[u8]) {
        debug_assert!(ascii.is_ascii());
        let end = self.len + ascii.len();
        match self.bytes.get_mut(self.len..end) {
            Some(dst) => {
                dst.copy_from_slice(ascii);
                self.len = end;
            }
            None => self.overflow = true,
        }
    }

    /// Removes trailing `'0'`s.
    pub(crate) fn trim_zeros(&mut self) {
        while self.len > 0 && self.bytes[self.len - 1] == b'0' {
            self.len -= 1;
        }
    }

    #[inline]
    pub(crate) fn write_to<W: fmt::Write + ?Sized>(&self, f: &mut W) -> fmt::Result {
        if self.overflow {
            return Err(fmt::Error);
        }
        // Checked, ASCII (all this buffer ever holds) word-at-a-time.
        f.write_str(utf8(&self.bytes[..self.len]).map_err(|_| fmt::Error)?)
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
    /// Whether a push did not fit.
    pub(crate) fn overflowed(&self) -> bool {
        self.overflow
    }

    /// The text so far.
    pub(crate) fn as_str(&self) -> &str {
        utf8(&self.bytes[..self.len]).unwrap_or("")
    }

    /// Drops `suffix` from the end when the text ends with it.
    pub(crate) fn strip_suffix(&mut self, suffix: &str) {
        if self.as_str().ends_with(suffix) {
            self.len -= suffix.len();
        }
    }
}
