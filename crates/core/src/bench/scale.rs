//! Scale (issue 15, part 4): how the cost of a run grows with N, d and T, and a data file of 100k rows.
//! Natively only (`dynabatch bench --scale`): the sizes are the CLI's, not the page's.

use super::harness::{experiment, fastest, hash, leak};
use super::Record;
use crate::algorithms::Trainer;
use crate::rng::{Purpose, Stream};

/// The run every `scale` grid point varies one parameter of: PSGD on synthetic data (n = 2000), 16
/// samples per node and round, λ = 0 (so no f* is solved: the rounds alone are timed) and no rows but the
/// first and last.
const SCALE_BASE: ScalePoint = ScalePoint {
    nodes: 8,
    features: 100,
    budget: 100_000,
};
const SCALE_NODES: [usize; 7] = [1, 2, 4, 8, 16, 32, 64];
const SCALE_FEATURES: [usize; 5] = [10, 30, 100, 300, 999];
const SCALE_BUDGETS: [u64; 5] = [10_000, 30_000, 100_000, 300_000, 1_000_000];
/// Each grid point is the fastest of this many runs.
const SCALE_REPS: usize = 3;

/// One point of the `scale` grid.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ScalePoint {
    pub nodes: usize,
    pub features: usize,
    pub budget: u64,
}

impl ScalePoint {
    fn query(&self) -> String {
        format!(
            "alg=psgd&problem=synthetic&n=2000&d={}&N={}&B1=16&T={}&lambda=0&every=1000000&seed=3",
            self.features, self.nodes, self.budget
        )
    }

    /// Sample gradients times parameters over the whole run: the work that a run's time should follow.
    pub fn work(&self) -> f64 {
        self.nodes as f64 * self.budget as f64 * (self.features + 1) as f64
    }

    /// The record's case: which parameter this series varies, then the point.
    fn case(&self, varied: &str) -> &'static str {
        leak(format!(
            "{varied}:N={},d={},T={}",
            self.nodes, self.features, self.budget
        ))
    }
}

/// One timed run of the `scale` grid: which parameter its series varies (`"N"`, `"d"` or `"T"`), the
/// point, and its record.
pub struct ScaleRun {
    pub varied: &'static str,
    pub point: ScalePoint,
    pub record: Record,
}

/// The `scale` grid on the current pool: seconds per run as N, then d, then T varies from `SCALE_BASE`
/// (case `N:N=8,d=100,T=100000`; building the trainer, i.e. the data set, is not timed).
pub fn scale_grid(now: &dyn Fn() -> f64) -> Result<Vec<ScaleRun>, String> {
    let mut points = Vec::new();
    points.extend(SCALE_NODES.map(|nodes| {
        (
            "N",
            ScalePoint {
                nodes,
                ..SCALE_BASE
            },
        )
    }));
    points.extend(SCALE_FEATURES.map(|features| {
        (
            "d",
            ScalePoint {
                features,
                ..SCALE_BASE
            },
        )
    }));
    points.extend(SCALE_BUDGETS.map(|budget| {
        (
            "T",
            ScalePoint {
                budget,
                ..SCALE_BASE
            },
        )
    }));
    let mut runs = Vec::new();
    for (varied, point) in points {
        let e = experiment(&point.query())?;
        let mut timings = Vec::new();
        let mut checksum = 0;
        for _ in 0..SCALE_REPS {
            let trainer = Trainer::new(&e);
            let start = now();
            let rows = trainer.run_to_end();
            timings.push((now() - start) / 1000.0);
            checksum = rows.last().map_or(0, |r| hash(&[r.loss, r.grad_norm]));
        }
        let record = Record {
            workload: "scale",
            case: point.case(varied),
            threads: rayon::current_num_threads(),
            value: fastest(timings),
            unit: "s",
            checksum,
        };
        runs.push(ScaleRun {
            varied,
            point,
            record,
        });
    }
    Ok(runs)
}

/// Rows and features of the generated data file.
pub const DATA_FILE_SHAPE: (usize, usize) = (100_000, 100);

/// A CSV file of `rows` examples of `features` features (printed with 6 decimals, as a spreadsheet
/// would) and a 0/1 label from a noisy linear rule, with a header row: a user's data set, made up.
pub fn generated_csv(rows: usize, features: usize) -> Vec<u8> {
    use std::fmt::Write;
    let mut stream = Stream::new(5, Purpose::Data);
    let truth: Vec<f64> = (0..features).map(|_| stream.normal()).collect();
    let mut text = String::with_capacity(rows * (features + 1) * 10);
    let names: Vec<String> = (0..features).map(|j| format!("x{j}")).collect();
    let _ = writeln!(text, "{},label", names.join(","));
    let mut x = vec![0.0; features];
    for _ in 0..rows {
        x.iter_mut().for_each(|v| *v = 2.0 * stream.normal() + 1.0);
        let z: f64 = x.iter().zip(&truth).map(|(a, b)| a * b).sum::<f64>() + stream.normal();
        for v in &x {
            let _ = write!(text, "{v:.6},");
        }
        let _ = writeln!(text, "{}", u8::from(z > 0.0));
    }
    text.into_bytes()
}

/// The data file workloads on the current pool: reading `bytes` (a CSV, e.g. [`generated_csv`]) in
/// MB/s and rows/s, then training PSGD on it (N = 8, 64 samples per node and round), in sample
/// gradients per second, and one recorded row (the full f and ∇f over every example), in ms.
pub fn data_file(bytes: &[u8], now: &dyn Fn() -> f64) -> Result<Vec<Record>, String> {
    use crate::data::file::{self, Limit};
    const QUERY: &str = "problem=data&alg=psgd&N=8&B1=64&T=20000&lambda=0&every=1000000&seed=3";
    let e = experiment(QUERY)?;
    let options = e.file_options();
    let mut timings = Vec::new();
    let mut data = None;
    for _ in 0..SCALE_REPS {
        let start = now();
        data = Some(file::read(bytes, &options, Limit::NONE).map_err(|err| err.to_string())?);
        timings.push(now() - start);
    }
    let data = data.ok_or("no read")?;
    let rows = data.dataset.rows as f64;
    let read_ms = fastest(timings);
    let threads = rayon::current_num_threads();
    let record = |case: &'static str, value: f64, unit: &'static str| Record {
        workload: "data-file",
        case,
        threads,
        value,
        unit,
        checksum: 0,
    };
    let mut records = vec![
        record("bytes", bytes.len() as f64, "bytes"),
        record("rows", rows, "rows"),
        record("read", bytes.len() as f64 / read_ms / 1000.0, "MB/s"),
        record("read-rows", rows / read_ms * 1000.0, "rows/s"),
    ];
    let mut train = Vec::new();
    let mut row = Vec::new();
    for _ in 0..SCALE_REPS {
        let mut trainer = Trainer::with_data(&e, &data);
        let start = now();
        trainer.start_row();
        row.push(now() - start);
        let start = now();
        while trainer.step().is_some() {}
        // Less the last round's row, timed above.
        train.push(now() - start - row[row.len() - 1]);
    }
    let samples = (e.nodes as u64 * e.budget) as f64;
    records.push(record(
        "train",
        samples / fastest(train) * 1000.0,
        "samples/s",
    ));
    records.push(record("row", fastest(row), "ms"));
    Ok(records)
}
