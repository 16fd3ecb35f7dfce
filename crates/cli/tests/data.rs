//! problem=data in the CLI: `run` and `data` with `--data FILE` on the fixtures that scikit-learn's writers
//! made (tests/fixtures/make_fixtures.py), the hash that pins a file, and every hostile file's one line.

use dynabatch_core::data::file::Sha256;
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures")
}

mod common;
use common::dynabatch;

fn path_of(file: &Path) -> &str {
    file.to_str().expect("a UTF-8 path")
}

fn sha256_of(file: &Path) -> Sha256 {
    Sha256::of(&std::fs::read(file).expect("a fixture"))
}

/// Each fixture, the link it needs, and what the CLI reads from it.
const FIXTURES: [(&str, &str, &str); 4] = [
    (
        "breast_cancer.libsvm",
        "problem=data",
        "569 rows, 10 features, logistic regression (labels 0: 212, 1: 357)",
    ),
    (
        "iris.csv",
        "problem=data",
        "150 rows, 4 features, softmax regression (labels 0: 50, 1: 50, 2: 50)",
    ),
    (
        "wine.csv",
        "problem=data&label=cultivar",
        "178 rows, 13 features, softmax regression (labels 0: 59, 1: 71, 2: 48)",
    ),
    (
        "diabetes.csv",
        "problem=data",
        "442 rows, 10 features, least squares (labels from 25 to 346)",
    ),
];

#[test]
fn every_fixture_runs_and_an_unpinned_link_is_told_the_files_hash() {
    for (name, link, summary) in FIXTURES {
        let file = fixtures().join(name);
        let query = format!("{link}&T=300&B1=4");
        let (code, csv, stderr) = dynabatch(&["run", &query, "--data", path_of(&file)]);
        assert_eq!(code, 0, "{name}: {stderr}");
        let sha = sha256_of(&file);
        assert_eq!(stderr.lines().count(), 1, "{name}: {stderr}");
        assert!(
            stderr.contains(summary) && stderr.contains(&format!("&data_sha256={sha}")),
            "{name}: {stderr}"
        );
        let rows: Vec<&str> = csv.lines().collect();
        assert!(rows.len() > 3, "{name}: {csv}");
        let subopt = |row: &str| -> f64 {
            row.split(',')
                .nth(4)
                .and_then(|v| v.parse().ok())
                .expect("f − f*")
        };
        assert!(
            subopt(rows[rows.len() - 1]) < subopt(rows[1]),
            "{name}: f − f* falls"
        );
        // Pinned to its own hash, the same run, and nothing said.
        let pinned = format!("{query}&data_sha256={sha}");
        let (code, again, stderr) = dynabatch(&["run", &pinned, "--data", path_of(&file)]);
        assert_eq!((code, stderr.as_str()), (0, ""), "{name}");
        assert_eq!(again, csv, "{name}");
    }
}

#[test]
fn data_writes_the_matrix_as_the_model_sees_it() {
    let file = fixtures().join("diabetes.csv");
    let (code, csv, _) = dynabatch(&["data", "problem=data", "--data", path_of(&file)]);
    assert_eq!(code, 0);
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("x0,x1,x2,x3,x4,x5,x6,x7,x8,x9,x10,label")
    );
    let rows: Vec<Vec<f64>> = lines
        .map(|l| l.split(',').map(|v| v.parse().expect("a number")).collect())
        .collect();
    assert_eq!(rows.len(), 442);
    for j in [0, 10, 11] {
        let column: Vec<f64> = rows.iter().map(|r| r[j]).collect();
        let mean = column.iter().sum::<f64>() / 442.0;
        let var = column.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / 442.0;
        let expected = if j == 10 { (1.0, 0.0) } else { (0.0, 1.0) };
        assert!(
            (mean - expected.0).abs() < 1e-12 && (var - expected.1).abs() < 1e-9,
            "column {j}: mean {mean}, variance {var} (features and target standardised, bias 1)"
        );
    }
    let (_, raw, _) = dynabatch(&[
        "data",
        "problem=data&standardize=0&task=least-squares",
        "--data",
        path_of(&file),
    ]);
    let first: Vec<&str> = raw.lines().nth(1).expect("a row").split(',').collect();
    assert_eq!(&first[..4], ["59", "2", "32.1", "101"], "the file's values");
}

#[test]
fn each_hostile_file_is_one_line_and_exit_2() {
    let dir = fixtures().join("hostile");
    let list = std::fs::read_to_string(dir.join("expected.tsv")).expect("the list");
    let mut checked = 0;
    for line in list
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let fields: Vec<&str> = line.split('\t').collect();
        let [name, link, extra, expected] = fields[..] else {
            panic!("four fields: {line:?}")
        };
        let file = dir.join(name);
        let mut args = vec!["run", link, "--data", path_of(&file)];
        args.extend(extra.split_whitespace());
        let (code, stdout, stderr) = dynabatch(&args);
        assert_eq!(code, 2, "{name}: {stderr}");
        assert!(stdout.is_empty(), "{name}: {stdout}");
        assert_eq!(stderr.lines().count(), 1, "{name}: {stderr}");
        assert!(
            stderr.starts_with(&format!("dynabatch: {}", path_of(&file)))
                && stderr.contains(expected),
            "{name}: {stderr}"
        );
        checked += 1;
    }
    assert_eq!(checked, 13);
}

#[test]
fn a_wrong_file_is_named_by_both_hashes_even_when_it_is_also_broken() {
    let broken = fixtures().join("hostile/text-cell.csv");
    let other = "1".repeat(64);
    let (code, _, stderr) = dynabatch(&[
        "run",
        &format!("problem=data&data_sha256={other}"),
        "--data",
        path_of(&broken),
    ]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains(&format!(
            "has SHA-256 {}, but the link pins data_sha256={other}",
            sha256_of(&broken)
        )),
        "{stderr}"
    );
}

#[test]
fn the_file_and_the_link_must_go_together() {
    let iris = fixtures().join("iris.csv");
    for (args, expected) in [
        (
            vec!["run", "problem=data"],
            "problem=data trains on a data file: give it with --data FILE",
        ),
        (
            vec!["run", "problem=digits", "--data", path_of(&iris)],
            "--data is for problem=data links, and this one has problem=digits",
        ),
        (
            vec!["data", "problem=data"],
            "problem=data trains on a data file: give it with --data FILE",
        ),
        (
            vec!["run", "problem=data", "--data", "/nonexistent/iris.csv"],
            "cannot open /nonexistent/iris.csv",
        ),
        (
            vec!["tune", "problem=data"],
            "problem=data trains on a data file: give it with --data FILE",
        ),
        (
            vec!["run", "problem=data&task=ridge", "--data", path_of(&iris)],
            "task=ridge is not a known choice",
        ),
    ] {
        let (code, stdout, stderr) = dynabatch(&args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stdout.is_empty());
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
}
