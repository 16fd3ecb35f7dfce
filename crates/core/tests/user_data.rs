//! problem=data: a link trains on a user's file, read by `data::file` with the link's options, as the
//! built-in problems train on theirs: deterministically, on any thread count, with its own f*.

use dynabatch_core::algorithms::{Progress, Trainer};
use dynabatch_core::data::file::{read, DataFile, LabelColumn, Limit, Sha256};
use dynabatch_core::experiment::{Experiment, Format, Task};
use dynabatch_core::metrics::to_csv;
use dynabatch_core::rng::{Purpose, Stream};

/// `rows` examples of 3 features and a label column "y" made by `label` from the features.
fn csv(rows: usize, seed: u64, label: impl Fn(&[f64], f64) -> String) -> String {
    let mut s = Stream::new(seed, Purpose::Data);
    let mut text = String::from("a,b,c,y\n");
    for _ in 0..rows {
        let x: Vec<f64> = (0..3).map(|_| s.normal() * 4.0 + 1.0).collect();
        let cells: Vec<String> = x.iter().map(f64::to_string).collect();
        text.push_str(&format!("{},{}\n", cells.join(","), label(&x, s.normal())));
    }
    text
}

fn regression(seed: u64) -> String {
    csv(300, seed, |x, noise| {
        (3.0 * x[0] - x[1] + 0.5 * noise + 10.0).to_string()
    })
}

fn classes(count: u32) -> String {
    csv(300, 4, move |x, noise| {
        let score = 0.3 * (x[0] - 0.5 * x[2]) + noise;
        (((score + 3.0).max(0.0) * count as f64 / 6.0) as u32)
            .min(count - 1)
            .to_string()
    })
}

fn experiment(query: &str) -> Experiment {
    Experiment::from_query_strict(query).expect("valid query")
}

fn file(text: &str, e: &Experiment) -> DataFile {
    read(text.as_bytes(), &e.file_options(), Limit::NONE).expect("valid file")
}

fn run(query: &str, text: &str) -> String {
    let e = experiment(query);
    to_csv(&Trainer::with_data(&e, &file(text, &e)).run_to_end())
}

#[test]
fn each_task_trains_to_near_its_optimum() {
    for (query, text, task) in [
        (
            "problem=data&gamma=0.3&T=4000",
            regression(1),
            Task::LeastSquares,
        ),
        (
            "problem=data&alg=psgd&B1=8&T=4000&lambda=0.01",
            classes(2),
            Task::Logistic,
        ),
        (
            "problem=data&alg=psgd&B1=8&T=4000&lambda=0.01",
            classes(4),
            Task::Softmax,
        ),
    ] {
        let e = experiment(query);
        let data = file(&text, &e);
        assert_eq!(data.task, task, "{query}");
        let mut trainer = Trainer::with_data(&e, &data);
        let first = trainer.start_row();
        let mut rows = vec![];
        while let Some(row) = trainer.step() {
            rows.push(row);
        }
        assert_eq!(trainer.progress(), Progress::Done, "{query}");
        let (start, end) = (
            first.subopt.expect("f* is solved for λ > 0"),
            rows.last().and_then(|r| r.subopt).expect("a last row"),
        );
        assert!(end < 0.05 * start, "{task:?}: f − f* from {start} to {end}");
    }
}

#[test]
fn a_file_backed_run_does_not_depend_on_the_thread_count() {
    let text = regression(2);
    let query = "problem=data&alg=crpsgd&N=5&B1=3&T=600&gamma=0.2";
    let with = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool");
        pool.install(|| run(query, &text))
    };
    let one = with(1);
    assert_eq!(with(3), one);
    assert_eq!(run(query, &text), one, "and again");
}

/// f* is cached per problem: two files under one link are two problems.
#[test]
fn each_file_has_its_own_optimum() {
    let e = experiment("problem=data&T=10");
    let (a, b) = (file(&regression(3), &e), file(&regression(4), &e));
    assert_ne!(a.sha256, b.sha256);
    let f_star = |data: &DataFile| {
        let row = Trainer::with_data(&e, data).start_row();
        row.loss - row.subopt.expect("solved")
    };
    let (fa, fb) = (f_star(&a), f_star(&b));
    assert_ne!(fa, fb);
    assert_eq!(f_star(&a), fa, "the cached value is the file's own");
    let raw = experiment("problem=data&T=10&standardize=0");
    assert_eq!(
        file(&regression(3), &raw).sha256,
        a.sha256,
        "same bytes, other options"
    );
    let row = Trainer::with_data(&raw, &file(&regression(3), &raw)).start_row();
    assert_ne!(row.loss - row.subopt.expect("solved"), fa);
}

#[test]
fn the_links_options_reach_the_reader() {
    let text = regression(5);
    let sha = Sha256::of(text.as_bytes());
    let query = format!(
        "problem=data&label=a&task=least-squares&format=csv&standardize=0&data_sha256={sha}"
    );
    let e = experiment(&query);
    assert_eq!(
        (
            e.label.clone(),
            e.task,
            e.format,
            e.standardize,
            e.data_sha256
        ),
        (
            LabelColumn::Named("a".into()),
            Some(Task::LeastSquares),
            Some(Format::Csv),
            false,
            Some(sha)
        )
    );
    let (back, notices) = Experiment::from_query(&e.to_query());
    assert!(notices.is_empty(), "{notices:?}");
    assert_eq!(back, e, "{}", e.to_query());
    let data = file(&text, &e);
    assert_eq!(data.sha256, sha);
    assert_eq!(data.label_column, "column 1 (\"a\")");
    assert!(
        data.dataset.row(0)[0].abs() > 1.5 || data.dataset.row(1)[0].abs() > 1.5,
        "not standardised"
    );
    let notices = Experiment::from_query("problem=data&task=ridge&standardize=2&label=0").1;
    let text: Vec<String> = notices.iter().map(|n| n.message()).collect();
    assert_eq!(
        text,
        [
            "task=ridge is not a known choice (allowed: one of auto, logistic, softmax, least-squares); using auto.",
            "standardize=2 is out of range (an integer from 0 to 1); using 1.",
            "label=0 is not a column: they are numbered from 1 (allowed: last, a column number from 1, or a column's name of at most 255 characters); using last.",
        ]
    );
    let sha_notice =
        Experiment::from_query_strict("problem=data&data_sha256=abc").expect_err("bad");
    assert_eq!(
        sha_notice.problem,
        "data_sha256=abc is not a SHA-256 (allowed: 64 hexadecimal digits, or nothing)"
    );
    assert!(Experiment::from_query_strict("problem=digits&task=softmax").is_err());
}

#[test]
fn a_column_of_few_values_read_as_a_feature_is_named_as_a_likely_label() {
    use dynabatch_core::data::hints::likely_label;
    let wine = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/wine.csv"
    ))
    .expect("fixture");
    let as_given = file(&wine, &experiment("problem=data"));
    assert_eq!(as_given.task, Task::LeastSquares);
    assert_eq!(
        likely_label(&as_given).as_deref(),
        Some(
            "Column 1 (\"cultivar\") takes only 3 values: if it is the class to predict, set label=1 \
             (the last column is read as the target now)."
        )
    );
    // Read with that label, it is softmax regression, and nothing is suggested.
    let by_class = file(&wine, &experiment("problem=data&label=1"));
    assert_eq!(by_class.task, Task::Softmax);
    assert_eq!(likely_label(&by_class), None);
}
