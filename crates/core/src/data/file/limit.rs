//! How much a reader takes in ([`Limit`]: the page's memory is not the CLI's), and sizes in words.

use super::DataError;

/// The most a reader takes in: the page's memory is not the CLI's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit {
    /// Bytes of the file.
    pub bytes: u64,
    /// Values of the matrix as the model sees it (examples × (features + 1)), 8 bytes each.
    pub values: u64,
}

impl Limit {
    /// Whatever fits in memory.
    pub const NONE: Limit = Limit {
        bytes: u64::MAX,
        values: u64::MAX,
    };

    /// What the page holds. Its wasm memory is 256 MiB, which a data set shares with the page itself,
    /// with a second reading of the file while the first is still in use (a changed `label` or `task`
    /// is read again before the runs switch; each reading keeps 10% of slack), with the holes that
    /// earlier files leave in the allocator, and with the runs' rows: 48 MiB of matrix fits them all
    /// (docs/LIMITS.md has the measurements; 64 MiB reached 226 MiB). The file itself is never whole in
    /// wasm memory (it is read a chunk at a time), so its bytes are limited only to keep storing and
    /// fetching it reasonable.
    pub const PAGE: Limit = Limit {
        bytes: 256 << 20,
        values: 6 << 20,
    };

    /// "files up to 256 MiB and data sets up to 6291456 values (48 MiB as 64-bit floats)", for a notice.
    pub fn describe(&self) -> String {
        format!(
            "files up to {} and data sets up to {} values ({} as 64-bit floats)",
            size_text(self.bytes),
            self.values,
            size_text(self.values.saturating_mul(8))
        )
    }

    /// Refuses a file by its size alone, before any of it is read (where the size is known up front).
    pub fn check_size(&self, bytes: u64) -> Result<(), DataError> {
        if bytes <= self.bytes {
            return Ok(());
        }
        Err(DataError {
            over_limit: true,
            ..DataError::whole(format!(
                "the file is {}, more than the {} read here",
                size_text(bytes),
                size_text(self.bytes)
            ))
        })
    }

    /// The error once the bytes streamed in pass the limit (a size not known up front).
    pub(super) fn bytes_passed(&self) -> DataError {
        DataError {
            over_limit: true,
            ..DataError::whole(format!(
                "the file passes the {} bytes ({} MB) read here",
                self.bytes,
                self.bytes as f64 / 1e6
            ))
        }
    }

    /// The error once the rows read up to `line` pass the values the data set may hold.
    pub(super) fn values_passed(&self, line: u64) -> DataError {
        DataError {
            over_limit: true,
            ..DataError::at(
                line,
                None,
                format!(
                    "the data set passes the limit here: more than {} values ({} MB as 64-bit floats, bias column included)",
                    self.values,
                    self.values as f64 * 8.0 / 1e6
                ),
            )
        }
    }
}

/// A size for people: "812 bytes", "17.3 MB", "256 MiB" for a whole number of mebibytes.
pub fn size_text(bytes: u64) -> String {
    const MIB: u64 = 1 << 20;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= 1_000_000 {
        format!("{:.1} MB", bytes as f64 / 1e6)
    } else if bytes >= 1_000 {
        format!("{:.1} kB", bytes as f64 / 1e3)
    } else {
        format!("{bytes} bytes")
    }
}
