//! Behaviour is the test: the CLI's CSV of every link in `tests/goldens/links.tsv` equals the committed
//! `tests/goldens/<name>.csv` byte for byte. A refactor must leave them alone; an issue that changes bits on
//! purpose regenerates them (`DYNABATCH_BLESS=1 cargo test --test goldens`) in a commit that says why.
//!
//! Those goldens predate the `noise_scale` column, which only observes a run: the CSV without it must
//! still equal them byte for byte, which is what "every existing column is unchanged" means. The
//! column's own values are pinned by the goldens in `tests/goldens/noise/` (links in its `links.tsv`),
//! compared whole.

use std::path::{Path, PathBuf};
use std::process::Command;

fn goldens() -> PathBuf {
    // The goldens live at the repository root (tests/goldens), beside the page's tests.
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/goldens")
}

fn noise_goldens() -> PathBuf {
    goldens().join("noise")
}

fn links(dir: &Path) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(dir.join("links.tsv")).expect("links.tsv");
    text.lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (name, query) = l.split_once('\t').expect("name<TAB>link");
            (name.to_string(), query.to_string())
        })
        .collect()
}

fn cli_csv(query: &str, threads: &str) -> Vec<u8> {
    let out = Command::new(env!("CARGO_BIN_EXE_dynabatch"))
        .args(["run", query, "--threads", threads])
        .output()
        .expect("the CLI runs");
    // 3 is a diverged run, whose CSV is still written in full.
    assert!(
        matches!(out.status.code(), Some(0 | 3)),
        "{query}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// The CSV without its `noise_scale` column: what the CSV was before the column came.
fn without_noise_scale(csv: &[u8]) -> Vec<u8> {
    let text = std::str::from_utf8(csv).expect("UTF-8");
    let column = text
        .lines()
        .next()
        .and_then(|header| header.split(',').position(|c| c == "noise_scale"))
        .expect("a noise_scale column");
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let fields: Vec<&str> = line.split(',').collect();
        let kept: Vec<&str> = fields[..column]
            .iter()
            .chain(&fields[column + 1..])
            .copied()
            .collect();
        out.push_str(&kept.join(","));
        out.push('\n');
    }
    out.into_bytes()
}

/// Compares (or with `DYNABATCH_BLESS`, writes) `<dir>/<name>.csv` for every link in `<dir>/links.tsv`,
/// after `view` of the CLI's CSV.
fn check(dir: &Path, view: fn(&[u8]) -> Vec<u8>) {
    let bless = std::env::var_os("DYNABATCH_BLESS").is_some();
    let mut differ = Vec::new();
    for (name, query) in links(dir) {
        // Two threads, so that the pool path is what the goldens pin (thread counts never change bits).
        let csv = view(&cli_csv(&query, "2"));
        let path = dir.join(format!("{name}.csv"));
        if bless {
            std::fs::write(&path, &csv).expect("write golden");
        } else if std::fs::read(&path).ok().as_deref() != Some(&csv[..]) {
            differ.push(name);
        }
    }
    assert!(differ.is_empty(), "CSV bytes changed for: {differ:?}");
}

#[test]
fn every_golden_link_gives_the_same_csv_bytes() {
    check(&goldens(), without_noise_scale);
}

#[test]
fn the_noise_scale_goldens_give_the_same_csv_bytes() {
    check(&noise_goldens(), <[u8]>::to_vec);
}

#[test]
fn removing_the_column_keeps_everything_else() {
    let csv = b"round,comm_bytes,noise_scale,x,y\n0,0,,1,2\n1,8,3.5,1,2\n";
    assert_eq!(
        without_noise_scale(csv),
        b"round,comm_bytes,x,y\n0,0,1,2\n1,8,1,2\n"
    );
}
