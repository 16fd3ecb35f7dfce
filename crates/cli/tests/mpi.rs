//! `--mpi` and `calibrate` over real MPI ranks on this host (`mpirun --oversubscribe`): the CSV is the
//! single-process one byte for byte, bad starts fail on every rank, and a dying rank ends the job.
#![cfg(feature = "mpi")]

use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const DYNABATCH: &str = env!("CARGO_BIN_EXE_dynabatch");

/// `mpirun` as root in a container needs these (../shared/TOOLCHAIN.md); more ranks than cores need
/// `--oversubscribe`.
fn mpirun(ranks: usize) -> Command {
    let mut command = Command::new("mpirun");
    command
        .env("OMPI_ALLOW_RUN_AS_ROOT", "1")
        .env("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
        .args(["--oversubscribe", "-n", &ranks.to_string()]);
    command
}

fn output(command: &mut Command) -> Output {
    command
        .output()
        .expect("mpirun runs (apt-get install openmpi-bin)")
}

fn single(query: &str) -> String {
    let out = output(Command::new(DYNABATCH).args(["run", query]));
    assert!(out.status.success(), "{query}");
    String::from_utf8(out.stdout).expect("utf-8")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into()
}

#[test]
fn every_algorithm_writes_the_single_process_csv_whether_p_divides_n_or_not() {
    for query in [
        "alg=crpsgd&problem=breast-cancer&N=6&rho=1.5&B1=2&gamma=0.5&T=600&seed=7",
        "alg=psgd&problem=digits&N=4&B1=3&gamma=0.5&T=30&seed=3",
        "alg=catalyst&problem=synthetic&n=200&d=6&N=6&B1=2&rho=1.3&T=300&seed=11",
        "alg=local&problem=digits-mlp&N=4&B1=4&H=3&gamma=0.3&T=60&seed=2",
        "alg=crpsgd&problem=landscape&N=4&B1=1&rho=1.2&gamma=0.05&T=300&seed=9&decay=50",
        // Momentum: local SGD's nodes' velocities travel in their records and are averaged.
        "alg=local&problem=breast-cancer&N=5&B1=2&H=3&gamma=0.1&momentum=0.8&T=300&seed=6",
        "alg=psgd&problem=digits&N=4&B1=3&gamma=0.2&momentum=0.9&T=60&seed=3",
        "alg=ramp&problem=breast-cancer&N=4&B1=1&Bmax=16&ramp=200&gamma=0.3&T=400&seed=1",
    ] {
        let expected = single(query);
        for ranks in [2, 3, 4] {
            let out = output(mpirun(ranks).args([DYNABATCH, "run", query, "--mpi"]));
            assert!(out.status.success(), "{query} on {ranks}: {}", stderr(&out));
            assert!(
                String::from_utf8_lossy(&out.stdout) == expected,
                "{query}: the CSV of {ranks} ranks differs from one process's"
            );
        }
    }
}

/// A user's file (problem=data), read by every rank: the CSV of one process, for each task.
#[test]
fn user_data_writes_the_single_process_csv() {
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
    for (file, query) in [
        (
            "iris.csv",
            "problem=data&alg=crpsgd&N=3&rho=1.5&B1=2&gamma=0.3&T=400&seed=4",
        ),
        (
            "diabetes.csv",
            "problem=data&alg=local&N=4&B1=2&H=3&gamma=0.05&T=300&seed=2",
        ),
        (
            "breast_cancer.libsvm",
            "problem=data&alg=psgd&N=2&B1=4&gamma=0.3&T=200&seed=1",
        ),
    ] {
        let path = fixtures.join(file);
        let path = path.to_str().expect("a UTF-8 path");
        let out = output(Command::new(DYNABATCH).args(["run", query, "--data", path]));
        assert!(out.status.success(), "{file}: {}", stderr(&out));
        for ranks in [2, 3]
            .into_iter()
            .filter(|&r| query.contains(&format!("N={r}")) || r == 2)
        {
            let spread =
                output(mpirun(ranks).args([DYNABATCH, "run", query, "--data", path, "--mpi"]));
            assert!(
                spread.status.success(),
                "{file} on {ranks}: {}",
                stderr(&spread)
            );
            assert!(
                spread.stdout == out.stdout,
                "{file}: the CSV of {ranks} ranks differs"
            );
        }
    }
}

#[test]
fn more_ranks_than_nodes_fail_on_every_rank_with_one_line() {
    let out = output(mpirun(3).args([DYNABATCH, "run", "N=2&T=100", "--mpi"]));
    assert_eq!(out.status.code(), Some(2));
    let lines = stderr(&out)
        .lines()
        .filter(|l| l.starts_with("dynabatch: 3 processes for N = 2 nodes"))
        .count();
    assert_eq!(lines, 3, "{}", stderr(&out));
}

#[test]
fn ranks_given_different_links_fail_before_running() {
    let out = output(
        Command::new("mpirun")
            .envs([
                ("OMPI_ALLOW_RUN_AS_ROOT", "1"),
                ("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1"),
            ])
            .args([
                "-n",
                "1",
                DYNABATCH,
                "run",
                "N=2&T=100&seed=1",
                "--mpi",
                ":",
                "-n",
                "1",
                DYNABATCH,
                "run",
                "N=2&T=100&seed=2",
                "--mpi",
            ]),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty(), "no CSV from a mismatched job");
    assert!(
        stderr(&out).contains("rank 1 was given another link or data than rank 0"),
        "{}",
        stderr(&out)
    );
}

/// A run long enough that a failure lands in the middle of it (about 10 s undisturbed).
const LONG: &str = "alg=psgd&problem=breast-cancer&N=4&B1=1&T=400000&every=1000000";

#[test]
fn a_panicking_rank_ends_the_job_at_once() {
    let start = Instant::now();
    let out = output(
        mpirun(2)
            .args([DYNABATCH, "run", LONG, "--mpi", "--panic-on-rank", "1"])
            .stdout(Stdio::null()),
    );
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("a fault injected by --panic-on-rank 1"),
        "{}",
        stderr(&out)
    );
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "took {:?}",
        start.elapsed()
    );
}

/// The processes whose parent is `parent`.
fn children(parent: u32) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
            // The parent is the 4th field, after the name in parentheses.
            let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
            after_name.split_whitespace().nth(1) == Some(&parent.to_string())
        })
        .collect()
}

#[test]
fn a_killed_rank_ends_the_job_within_seconds() {
    let mut job = mpirun(2)
        .args([DYNABATCH, "run", LONG, "--mpi"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("mpirun starts");
    let ranks = loop {
        let ranks = children(job.id());
        if ranks.len() == 2 || job.try_wait().ok().flatten().is_some() {
            break ranks;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(ranks.len(), 2, "mpirun started its two ranks");
    std::thread::sleep(Duration::from_millis(500));
    let killed = Instant::now();
    Command::new("kill")
        .args(["-KILL", &ranks[1].to_string()])
        .status()
        .expect("kill");
    let status = loop {
        if let Some(status) = job.try_wait().expect("wait") {
            break status;
        }
        if killed.elapsed() > Duration::from_secs(10) {
            let _ = job.kill();
            panic!("the job still ran 10 s after a rank was killed");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(!status.success());
}

#[test]
fn timing_measures_every_round_of_every_rank_and_leaves_the_csv_alone() {
    let query = "alg=crpsgd&problem=breast-cancer&N=4&rho=1.5&B1=2&gamma=0.5&T=600&seed=7";
    let file = std::env::temp_dir().join(format!("dynabatch-timing-{}.csv", std::process::id()));
    let out = output(
        mpirun(2)
            .args([DYNABATCH, "run", query, "--mpi", "--timing"])
            .arg(&file),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let csv = String::from_utf8_lossy(&out.stdout);
    assert!(csv == single(query));
    let rounds = csv.lines().count() - 2;
    let timing = std::fs::read_to_string(&file).expect("the timing file");
    let _ = std::fs::remove_file(&file);
    let lines: Vec<&str> = timing.lines().collect();
    assert_eq!(
        lines[0],
        "round,rank,compute_s,communication_s,wall_s,bytes_sent"
    );
    assert_eq!(lines.len(), 1 + 2 * rounds);
    for (i, line) in lines[1..].iter().enumerate() {
        let cells: Vec<f64> = line
            .split(',')
            .map(|c| c.parse().expect("a number"))
            .collect();
        assert_eq!(cells[..2], [(i / 2 + 1) as f64, (i % 2) as f64], "{line}");
        let [compute, communication, wall, bytes] = [cells[2], cells[3], cells[4], cells[5]];
        assert!(
            compute >= 0.0 && communication > 0.0 && communication < 1.0,
            "{line}"
        );
        assert!((wall - compute - communication).abs() < 1e-8, "{line}");
        // 2 of the 4 nodes on each rank, each 31 gradient values (30 features and a bias) and |gᵢ|²,
        // sent to the other rank.
        assert_eq!(bytes, (2 * 32 * 8) as f64, "{line}");
    }
}

#[test]
fn calibrate_prints_link_parameters_in_range() {
    let query = "problem=digits&N=4&B1=8&T=200";
    let out = output(mpirun(2).args([DYNABATCH, "calibrate", query]));
    assert!(out.status.success(), "{}", stderr(&out));
    let params = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let value = |name: &str| -> f64 {
        params
            .split('&')
            .find_map(|kv| kv.strip_prefix(&format!("{name}=")))
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("{name} in {params:?}"))
    };
    // Localhost: µs-scale messages (in ms), shared memory at more than 10 MB/s, a digits sample
    // gradient (651 parameters) between 0.01 and 1000 µs.
    let (latency, bandwidth, sfo_time) = (value("latency"), value("bandwidth"), value("sfo_time"));
    assert!(latency > 0.0 && latency < 1.0, "{params}");
    assert!(bandwidth > 10.0 && bandwidth <= 1e6, "{params}");
    assert!(sfo_time > 0.01 && sfo_time < 1000.0, "{params}");
    // The page takes them as they are.
    let link = format!("{query}&{params}");
    let check = output(
        Command::new(DYNABATCH)
            .args(["run", &link, "--threads", "1"])
            .stdout(Stdio::null()),
    );
    assert!(check.status.success(), "{link}: {}", stderr(&check));
}
