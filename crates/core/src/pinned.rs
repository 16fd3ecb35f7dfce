//! What a link says of the user's file it runs on (problem=data): the hash that pins the file
//! (`data_sha256`) and the CSV column its labels are in (`label`).
//!
//! Plain values that depend on nothing else in the crate: the parameter table holds them, and the file
//! reader (`data::file`) takes them, so neither depends on the other.

use serde::{Deserialize, Serialize};
use sha2::Digest;
use std::fmt;

/// Which CSV column holds the labels (LIBSVM's labels are always first on a line).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LabelColumn {
    /// The last column.
    Last,
    /// The column with this number, counted from 1.
    Number(u64),
    /// The column with this name in the header row.
    Named(String),
}

/// As a link writes it: "last", the number, or the name.
impl fmt::Display for LabelColumn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LabelColumn::Last => f.write_str("last"),
            LabelColumn::Number(n) => write!(f, "{n}"),
            LabelColumn::Named(name) => f.write_str(name),
        }
    }
}

/// The SHA-256 of a file's bytes: what a link pins its data by.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Sha256(pub [u8; 32]);

impl Sha256 {
    pub fn of(bytes: &[u8]) -> Sha256 {
        Sha256(sha2::Sha256::digest(bytes).into())
    }

    /// 64 hexadecimal digits, in either case.
    pub fn from_hex(text: &str) -> Option<Sha256> {
        let digits = text.as_bytes();
        if digits.len() != 64 {
            return None;
        }
        let mut out = [0u8; 32];
        for (byte, pair) in out.iter_mut().zip(digits.chunks_exact(2)) {
            let pair = std::str::from_utf8(pair).ok()?;
            *byte = u8::from_str_radix(pair, 16).ok()?;
        }
        Some(Sha256(out))
    }
}

/// Lowercase hexadecimal, as `sha256sum` prints it.
impl fmt::Display for Sha256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

impl fmt::Debug for Sha256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sha256({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_reads_and_writes_hex() {
        let abc = Sha256::of(b"abc");
        let hex = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        assert_eq!(abc.to_string(), hex);
        assert_eq!(Sha256::from_hex(hex), Some(abc));
        assert_eq!(Sha256::from_hex(&hex.to_uppercase()), Some(abc));
        assert_eq!(Sha256::from_hex(&hex[1..]), None);
        assert_eq!(Sha256::from_hex(&format!("{}g", &hex[1..])), None);
        assert_eq!(Sha256::from_hex(&format!("{}é", &hex[2..])), None);
    }
}
