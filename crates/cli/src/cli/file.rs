//! `--data FILE`: a problem=data link's file, streamed into the core's `Reader` with a progress bar,
//! checked against the link's `data_sha256`, within the memory this machine has.

use super::args::DataArgs;
use super::say;
use dynabatch_core::data::file::{DataFile, Limit, Reader};
use dynabatch_core::experiment::{Experiment, ProblemKind};
use dynabatch_core::text::{one_line, Garbling};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::Read;
use std::path::Path;

impl DataArgs {
    /// The link's data file, read: `None` for the built-in problems, which take no file.
    pub fn read_for(&self, experiment: &Experiment) -> Result<Option<DataFile>, String> {
        match (&self.data, experiment.problem) {
            (Some(path), ProblemKind::Data) => read_data(experiment, path, self.max_mb).map(Some),
            (None, ProblemKind::Data) => {
                Err("problem=data trains on a data file: give it with --data FILE".into())
            }
            (Some(_), other) => Err(format!(
                "--data is for problem=data links, and this one has problem={}",
                other.name()
            )),
            (None, _) => Ok(None),
        }
    }
}

/// Reads a data file a megabyte at a time, hashing it as it goes, with a progress bar. A link that
/// pins `data_sha256` runs on that file only; one that does not is told the file's hash, to pin it.
fn read_data(
    experiment: &Experiment,
    path: &Path,
    max_mb: Option<f64>,
) -> Result<DataFile, String> {
    let name = one_line(&path.display().to_string(), Garbling::Controls);
    let mut file = std::fs::File::open(path).map_err(|e| format!("cannot open {name}: {e}"))?;
    let size = file.metadata().ok().map(|m| m.len());
    let limit = Limit {
        bytes: u64::MAX,
        values: most_values(max_mb)?,
    };
    let mut reader = Reader::new(experiment.file_options(), limit, size);
    let bar = ProgressBar::new(size.unwrap_or(0)).with_style(
        ProgressStyle::with_template(
            "{spinner} reading {msg} {wide_bar} {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec} ({eta})",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message(name.clone());
    let pinned = experiment.data_sha256;
    let mut chunk = vec![0; 1 << 20];
    loop {
        let read = match file.read(&mut chunk) {
            Ok(0) => break,
            Ok(read) => read,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(format!("cannot read {name}: {e}")),
        };
        // A broken file is still hashed to its end where the link pins a hash: a wrong file is
        // then told apart from a broken one.
        if reader.feed(&chunk[..read]).is_err() && pinned.is_none() {
            break;
        }
        bar.inc(read as u64);
    }
    bar.finish_and_clear();
    let (sha256, read) = reader.finish();
    experiment.check_pinned(&name, sha256)?;
    let data = read.map_err(|e| format!("{name}: {e}"))?;
    if pinned.is_none() {
        say(&format!(
            "notice: {name}: {}; its SHA-256 is {sha256}: add &data_sha256={sha256} to the link to pin it",
            data.summary()
        ));
    }
    Ok(data)
}

/// The most values a data set may hold: `--max-mb`, or 80% of the memory available now (Linux's
/// MemAvailable), or no limit where that is unknown.
fn most_values(max_mb: Option<f64>) -> Result<u64, String> {
    const BYTES_PER_VALUE: f64 = 8.0;
    match max_mb {
        Some(mb) if mb.is_finite() && mb > 0.0 => Ok((mb * 1e6 / BYTES_PER_VALUE) as u64),
        Some(mb) => Err(format!(
            "--max-mb {mb} is not a positive number of megabytes"
        )),
        None => Ok(available_memory().map_or(u64::MAX, |bytes| {
            (0.8 * bytes as f64 / BYTES_PER_VALUE) as u64
        })),
    }
}

/// Bytes of memory available to a new allocation, where the system says.
fn available_memory() -> Option<u64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}
