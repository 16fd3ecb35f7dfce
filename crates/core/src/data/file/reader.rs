//! The streaming reader: chunks of any size in, whole lines out, hashed as they come; the first line that
//! is not blank or a comment decides the format, and the rows go to the CSV or LIBSVM parser.

use super::csv::CsvRows;
use super::libsvm::LibsvmRows;
use super::{DataError, DataFile, LabelColumn, Limit, Options, Sha256};
use crate::choices::Format;
use crate::text::shorten;
use sha2::Digest;

/// Reads a file a chunk at a time, in any chunk sizes: the same bytes give the same result however they
/// are cut.
pub struct Reader {
    options: Options,
    limit: Limit,
    /// The file's size, where known: the matrix is then allocated once.
    expected_bytes: Option<u64>,
    hasher: sha2::Sha256,
    bytes: u64,
    /// The start of a line whose end has not come yet.
    pending: Vec<u8>,
    /// Lines read so far.
    line: u64,
    stage: Stage,
    /// The first error: after it, the reader only hashes.
    error: Option<DataError>,
}

/// How far into the file the reader is.
enum Stage {
    /// Nothing but blank lines and comments so far.
    Start,
    Csv(CsvRows),
    Libsvm(LibsvmRows),
}

impl Reader {
    /// `expected_bytes`: the file's size, if known (used only to allocate the matrix once).
    pub fn new(options: Options, limit: Limit, expected_bytes: Option<u64>) -> Reader {
        Reader {
            options,
            limit,
            expected_bytes,
            hasher: sha2::Sha256::new(),
            bytes: 0,
            pending: Vec::new(),
            line: 0,
            stage: Stage::Start,
            error: None,
        }
    }

    /// Reads the next bytes of the file. After the first error (returned here and by `finish`), the rest
    /// is only hashed, so that a caller can still tell a wrong file from a broken one.
    pub fn feed(&mut self, chunk: &[u8]) -> Result<(), DataError> {
        self.hasher.update(chunk);
        self.bytes += chunk.len() as u64;
        if let Some(error) = &self.error {
            return Err(error.clone());
        }
        self.take(chunk).inspect_err(|error| {
            self.error = Some(error.clone());
            // What was read is of no use now: give its memory back.
            self.stage = Stage::Start;
            self.pending = Vec::new();
        })
    }

    /// Bytes fed so far.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// The file's hash, and the file read (or why it cannot be).
    pub fn finish(mut self) -> (Sha256, Result<DataFile, DataError>) {
        let sha256 = Sha256(self.hasher.clone().finalize().into());
        let result = match self.error.take() {
            Some(error) => Err(error),
            None => self.end(sha256),
        };
        (sha256, result)
    }

    fn take(&mut self, chunk: &[u8]) -> Result<(), DataError> {
        if self.bytes > self.limit.bytes {
            return Err(self.limit.bytes_passed());
        }
        let mut rest = chunk;
        if !self.pending.is_empty() {
            let Some(end) = rest.iter().position(|&b| b == b'\n') else {
                return self.wait_for_line_end(rest);
            };
            let mut line = std::mem::take(&mut self.pending);
            line.extend_from_slice(&rest[..=end]);
            self.lines(&line)?;
            line.clear();
            self.pending = line;
            rest = &rest[end + 1..];
        }
        match rest.iter().rposition(|&b| b == b'\n') {
            Some(end) => {
                self.lines(&rest[..=end])?;
                self.wait_for_line_end(&rest[end + 1..])
            }
            None => self.wait_for_line_end(rest),
        }
    }

    /// Keeps the start of a line until its end comes. A binary file may have no newline for megabytes,
    /// so its zero bytes are caught here already, and so is a line too long to be a row.
    fn wait_for_line_end(&mut self, start: &[u8]) -> Result<(), DataError> {
        const LONGEST_LINE: usize = 1 << 28;
        // A binary file shows itself in its first bytes; the start of a long line is checked once.
        const CHECKED: usize = 1 << 16;
        self.pending.extend_from_slice(start);
        let checked = &self.pending[..self.pending.len().min(CHECKED)];
        let bad = match first_non_text(checked, false) {
            None => start
                .iter()
                .position(|&b| b == 0)
                .map(|i| self.pending.len() - start.len() + i),
            found => found,
        };
        if let Some(at) = bad {
            return Err(binary(self.line + 1, &self.pending[..at], self.pending[at]));
        }
        if self.pending.len() > LONGEST_LINE {
            return Err(DataError::at(
                self.line + 1,
                None,
                format!(
                    "is longer than {} MB without a line end: not CSV or LIBSVM",
                    LONGEST_LINE >> 20
                ),
            ));
        }
        Ok(())
    }

    /// Whole lines, each ended by `\n` (the last line of a file may not be).
    fn lines(&mut self, bytes: &[u8]) -> Result<(), DataError> {
        // Text is checked a block at a time. The lines before the first bad byte are read first, so that
        // an earlier error is the one reported.
        let utf8_end = first_non_text(bytes, true);
        let good_end = utf8_end.unwrap_or(bytes.len());
        // Valid up to `good_end`, which is at a character boundary.
        let text = std::str::from_utf8(&bytes[..good_end]).unwrap_or_default();
        let whole_lines = match utf8_end {
            None => text,
            // The lines before the one with the bad byte.
            Some(_) => text.rfind('\n').map_or("", |i| &text[..=i]),
        };
        for line in whole_lines.split_inclusive('\n') {
            self.line(line)?;
        }
        match utf8_end {
            None => Ok(()),
            Some(at) => Err(binary(
                self.line + 1,
                &bytes[whole_lines.len()..at],
                bytes[at],
            )),
        }
    }

    fn line(&mut self, line: &str) -> Result<(), DataError> {
        self.line += 1;
        let line_number = self.line;
        let text = line.strip_suffix('\n').unwrap_or(line);
        let text = text.strip_suffix('\r').unwrap_or(text);
        let trimmed = text.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            return Ok(());
        }
        match &mut self.stage {
            Stage::Csv(rows) => rows.row(text, line_number, &self.limit)?,
            Stage::Libsvm(rows) => rows.row(text, line_number, &self.limit)?,
            Stage::Start => {
                let format = self.options.format.unwrap_or_else(|| detect(text));
                self.stage = match format {
                    Format::Csv => Stage::Csv(CsvRows::begin(
                        text,
                        line_number,
                        &self.options.label,
                        &self.limit,
                    )?),
                    Format::Libsvm => {
                        if self.options.label != LabelColumn::Last {
                            return Err(DataError::whole(format!(
                                "label={} picks a CSV column, but this file is LIBSVM, whose labels come first on each line",
                                shorten(&self.options.label.to_string())
                            )));
                        }
                        let mut rows = LibsvmRows::default();
                        rows.row(text, line_number, &self.limit)?;
                        Stage::Libsvm(rows)
                    }
                };
            }
        }
        if let (Stage::Csv(rows), Some(expected)) = (&mut self.stage, self.expected_bytes) {
            rows.reserve_for(expected, &self.limit);
        }
        Ok(())
    }

    fn end(mut self, sha256: Sha256) -> Result<DataFile, DataError> {
        if !self.pending.is_empty() {
            let last = std::mem::take(&mut self.pending);
            self.lines(&last)?;
        }
        let table = match std::mem::replace(&mut self.stage, Stage::Start) {
            Stage::Start if self.bytes == 0 => {
                return Err(DataError::whole("the file is empty".into()))
            }
            Stage::Start => {
                return Err(DataError::whole(
                    "the file has no data: only blank lines and comments".into(),
                ))
            }
            Stage::Csv(rows) => rows.table()?,
            Stage::Libsvm(rows) => rows.table()?,
        };
        table.into_file(self.options, sha256, self.bytes)
    }
}

/// Where `bytes` stop being text: a zero byte, or invalid UTF-8 (a binary file). With `complete` false,
/// a character cut at the end is not yet invalid: its other bytes may come.
fn first_non_text(bytes: &[u8], complete: bool) -> Option<usize> {
    let zero = bytes.iter().position(|&b| b == 0);
    match std::str::from_utf8(&bytes[..zero.unwrap_or(bytes.len())]) {
        Ok(_) => zero,
        Err(e) if e.error_len().is_none() && zero.is_none() && !complete => None,
        Err(e) => Some(e.valid_up_to()),
    }
}

/// The error for a byte that is not text, `byte`, after `before` on its line.
fn binary(line: u64, before: &[u8], byte: u8) -> DataError {
    let column = String::from_utf8_lossy(before).chars().count() as u64 + 1;
    DataError::at(
        line,
        Some(column),
        format!(
            "byte 0x{byte:02x} is not text: this is a binary file (compressed?), not CSV or LIBSVM"
        ),
    )
}

/// The format of a file whose first line is `line`: LIBSVM if an item after the first has a colon and
/// there is no comma, else CSV.
fn detect(line: &str) -> Format {
    let before_comment = line.split('#').next().unwrap_or_default();
    if !before_comment.contains(',')
        && before_comment
            .split_ascii_whitespace()
            .skip(1)
            .any(|item| item.contains(':'))
    {
        Format::Libsvm
    } else {
        Format::Csv
    }
}
