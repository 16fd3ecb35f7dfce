//! Behaviour is the test: the CLI's CSV of every link in `tests/goldens/links.tsv` equals the committed
//! `tests/goldens/<name>.csv` byte for byte. A refactor must leave them alone; an issue that changes bits on
//! purpose regenerates them (`DYNABATCH_BLESS=1 cargo test --test goldens`) in a commit that says why.

use std::path::PathBuf;
use std::process::Command;

fn goldens() -> PathBuf {
    // The goldens live at the repository root (tests/goldens), beside the page's tests.
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/goldens")
}

fn links() -> Vec<(String, String)> {
    let text = std::fs::read_to_string(goldens().join("links.tsv")).expect("links.tsv");
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

#[test]
fn every_golden_link_gives_the_same_csv_bytes() {
    let bless = std::env::var_os("DYNABATCH_BLESS").is_some();
    let mut differ = Vec::new();
    for (name, query) in links() {
        // Two threads, so that the pool path is what the goldens pin (thread counts never change bits).
        let csv = cli_csv(&query, "2");
        let path = goldens().join(format!("{name}.csv"));
        if bless {
            std::fs::write(&path, &csv).expect("write golden");
        } else if std::fs::read(&path).ok().as_deref() != Some(&csv[..]) {
            differ.push(name);
        }
    }
    assert!(differ.is_empty(), "CSV bytes changed for: {differ:?}");
}
