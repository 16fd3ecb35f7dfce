//! The reader's contract: what each file gives, and each error's one line, as the CLI prints it.

use super::*;

fn read_with(text: &str, options: Options) -> Result<DataFile, DataError> {
    read(text.as_bytes(), &options, Limit::NONE)
}

fn csv(text: &str) -> Result<DataFile, DataError> {
    read_with(text, Options::default())
}

fn raw() -> Options {
    Options {
        standardize: false,
        ..Options::default()
    }
}

/// The error's whole line, as the CLI prints it.
fn error(text: &str, options: Options) -> String {
    match read_with(text, options) {
        Ok(file) => panic!("read {text:?}: {}", file.summary()),
        Err(e) => {
            let line = e.to_string();
            assert!(!line.contains('\n'), "one line: {line:?}");
            line
        }
    }
}

#[test]
fn csv_with_a_header_has_its_label_last_and_a_bias_column() {
    let file = read_with("a,b,y\n1,10,0\n2,20,1\n3,30,1\n", raw()).expect("valid");
    let data = &file.dataset;
    assert_eq!((data.rows, data.cols), (3, 3));
    assert_eq!(
        data.features,
        [1.0, 10.0, 1.0, 2.0, 20.0, 1.0, 3.0, 30.0, 1.0]
    );
    assert_eq!(data.labels.classes(), [0, 1, 1]);
    assert_eq!((file.task, file.format), (Task::Logistic, Format::Csv));
    assert_eq!(file.header, Some(vec!["a".into(), "b".into(), "y".into()]));
    assert_eq!(file.label_column, "column 3 (\"y\")");
    assert_eq!(
        file.summary(),
        "3 rows, 2 features, logistic regression (labels 0: 1, 1: 2)"
    );
}

#[test]
fn csv_without_a_header_starts_with_data() {
    let file = read_with("1,2,5\n3,4,6\r\n\n# a comment\n5,6,5", raw()).expect("valid");
    assert_eq!(file.header, None);
    assert_eq!(file.dataset.rows, 3);
    assert_eq!(file.dataset.row(2), [5.0, 6.0, 1.0]);
    assert_eq!(file.label_column, "column 3");
}

#[test]
fn features_are_standardised_unless_asked_not_to() {
    let file = csv("x,y\n1,0\n2,1\n3,0\n4,1\n").expect("valid");
    let column: Vec<f64> = (0..4).map(|i| file.dataset.row(i)[0]).collect();
    let mean = column.iter().sum::<f64>() / 4.0;
    let var = column.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / 4.0;
    assert!(
        mean.abs() < 1e-15 && (var - 1.0).abs() < 1e-12,
        "{column:?}"
    );
    assert!((0..4).all(|i| file.dataset.row(i)[1] == 1.0), "bias kept");
    let constant = csv("x,y\n7,0\n7,1\n").expect("valid");
    assert_eq!(constant.dataset.row(0)[0], 0.0, "a constant column is 0");
}

#[test]
fn the_label_column_is_named_or_numbered() {
    let text = "y,a,b\n0,1,2\n1,3,4\n";
    let by_name = Options {
        label: LabelColumn::Named("y".into()),
        ..raw()
    };
    let by_number = Options {
        label: LabelColumn::Number(1),
        ..raw()
    };
    for options in [by_name, by_number] {
        let file = read_with(text, options).expect("valid");
        assert_eq!(file.dataset.features, [1.0, 2.0, 1.0, 3.0, 4.0, 1.0]);
        assert_eq!(file.dataset.labels.classes(), [0, 1]);
    }
    let quoted = read_with(
        "\"name, with comma\",\"y\"\n1,0\n2,1\n",
        Options {
            label: LabelColumn::Named("y".into()),
            ..raw()
        },
    )
    .expect("quoted header");
    assert_eq!(
        quoted.header,
        Some(vec!["name, with comma".into(), "y".into()])
    );
}

#[test]
fn a_label_column_that_does_not_exist_is_named() {
    let named = |name: &str| Options {
        label: LabelColumn::Named(name.into()),
        ..raw()
    };
    assert_eq!(
        error("a,b,y\n1,2,0\n", named("price")),
        "line 1: label=price is not a column of the header (it has a, b, y)"
    );
    assert_eq!(
        error("1,2,0\n3,4,1\n", named("y")),
        "line 1: label=y names a column, but the file has no header row (this first row is numbers)"
    );
    let numbered = Options {
        label: LabelColumn::Number(4),
        ..raw()
    };
    assert_eq!(
        error("1,2,0\n", numbered),
        "line 1: label=4, but the rows have 3 columns"
    );
    assert_eq!(
        error("1 1:2\n", named("y")),
        "label=y picks a CSV column, but this file is LIBSVM, whose labels come first on each line"
    );
}

#[test]
fn libsvm_is_sparse_one_based_and_detected() {
    let text = "# made by hand\n+1 qid:3 1:0.5 3:2 # a comment\n-1 2:1\n\n+1 3:-1\n";
    let file = read_with(text, raw()).expect("valid");
    assert_eq!(file.format, Format::Libsvm);
    assert_eq!((file.dataset.rows, file.dataset.cols), (3, 4));
    assert_eq!(
        file.dataset.features,
        [0.5, 0.0, 2.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0, -1.0, 1.0]
    );
    assert_eq!(file.task, Task::Logistic);
    assert_eq!(file.dataset.labels.classes(), [1, 0, 1], "-1 is class 0");
    assert_eq!(file.label_column, "the labels");
}

#[test]
fn libsvm_indices_start_at_one_and_increase() {
    assert_eq!(
        error("1 1:2\n0 0:1.5 2:1\n", raw()),
        "line 2, column 3: \"0:1.5\": index 0, but LIBSVM indices start at 1 (add 1 to every index of a zero-based file)"
    );
    assert_eq!(
        error("1 3:2 1:1\n", raw()),
        "line 1, column 7: \"1:1\": index 1 after 3, but indices must increase along a line"
    );
    assert_eq!(
        error("1 3:2 3:1\n", raw()),
        "line 1, column 7: \"3:1\": index 3 after 3, but indices must increase along a line"
    );
    assert_eq!(
        error("1 1:2 2:x\n", raw()),
        "line 1, column 7: \"2:x\": the value is not a number"
    );
    assert_eq!(
        error("1 1:2 2:nan\n", raw()),
        "line 1, column 7: \"2:nan\": the value is NaN: missing values are not supported (fill or drop them)"
    );
    assert_eq!(
        error("1 1:2 4\n", raw()),
        "line 1, column 7: \"4\" is not index:value"
    );
    assert_eq!(
        error("1 1:2 qid:1\n", raw()),
        "line 1, column 7: \"qid:1\": qid comes right after the label"
    );
    assert_eq!(
        error("1 1:1\n1 2:2\n", raw()),
        "every label in the labels is 1: there is nothing to learn (classification needs two classes)"
    );
}

#[test]
fn the_format_can_be_forced() {
    let as_csv = Options {
        format: Some(Format::Csv),
        ..raw()
    };
    assert_eq!(
        error("1 1:2\n0 1:3\n", as_csv),
        "line 1: a single column, but a data set needs a feature column and a label column at least"
    );
    let as_libsvm = Options {
        format: Some(Format::Libsvm),
        ..raw()
    };
    let file = read_with("1 1:2\n0 1:3\n", as_libsvm.clone()).expect("valid");
    assert_eq!(file.format, Format::Libsvm);
    assert_eq!(
        error("1,2\n0,1\n", as_libsvm),
        "line 1, column 1: \"1,2\": the label is not a number"
    );
}

#[test]
fn the_labels_decide_the_task_unless_asked() {
    let task = |text: &str, asked: Option<Task>| {
        read_with(
            text,
            Options {
                task: asked,
                ..raw()
            },
        )
        .map(|f| f.task)
    };
    assert_eq!(task("1,3\n2,5\n3,3\n", None), Ok(Task::Logistic));
    assert_eq!(task("1,0\n2,1\n3,2\n", None), Ok(Task::Softmax));
    assert_eq!(task("1,0.5\n2,1\n3,2\n", None), Ok(Task::LeastSquares));
    let many: String = (0..101).map(|i| format!("{i},{i}\n")).collect();
    assert_eq!(task(&many, None), Ok(Task::LeastSquares), "101 classes");
    let hundred: String = (0..100).map(|i| format!("{i},{i}\n")).collect();
    assert_eq!(task(&hundred, None), Ok(Task::Softmax));
    assert_eq!(
        task("1,0\n2,1\n3,2\n", Some(Task::LeastSquares)),
        Ok(Task::LeastSquares)
    );
    assert_eq!(task("1,3\n2,5\n", Some(Task::Softmax)), Ok(Task::Softmax));
    let softmax = read_with("1,7\n2,-2\n3,7\n4,30\n", raw()).expect("valid");
    assert_eq!(softmax.dataset.labels.classes(), [1, 0, 1, 2]);
    assert_eq!(
        softmax.labels,
        LabelMap::Classes {
            values: vec![-2.0, 7.0, 30.0],
            counts: vec![1, 2, 1]
        }
    );
}

#[test]
fn classification_needs_two_classes_and_no_more_than_it_takes() {
    let asked = |task: Task| Options {
        task: Some(task),
        ..raw()
    };
    assert_eq!(
        error("a,y\n1,4\n2,4\n", asked(Task::Logistic)),
        "task=logistic needs two classes at least, but every label in column 2 (\"y\") is 4"
    );
    assert_eq!(
        error("1,4\n2,4\n", asked(Task::Softmax)),
        "task=softmax needs two classes at least, but every label in column 2 is 4"
    );
    assert_eq!(
        error("1,4\n2,4\n", raw()),
        "every label in column 2 is 4: there is nothing to learn (classification needs two classes)"
    );
    assert_eq!(
        error("1,0\n2,1\n3,2\n", asked(Task::Logistic)),
        "task=logistic takes at most 2 classes, but column 2 has 3 distinct labels"
    );
    let many: String = (0..101).map(|i| format!("{i},{i}\n")).collect();
    assert_eq!(
        error(&many, asked(Task::Softmax)),
        "task=softmax takes at most 100 classes, but column 2 has more than 100 distinct labels"
    );
}

#[test]
fn least_squares_targets_are_centred_and_scaled() {
    let file = read_with("1,0.5\n2,1.5\n3,7\n", raw()).expect("valid");
    assert_eq!(file.task, Task::LeastSquares);
    let LabelMap::Scaled {
        mean,
        scale,
        min,
        max,
    } = file.labels
    else {
        panic!("scaled: {:?}", file.labels)
    };
    assert_eq!((mean, min, max), (3.0, 0.5, 7.0));
    assert!((scale - (24.5f64 / 3.0).sqrt()).abs() < 1e-15);
    let targets = file.dataset.labels.targets();
    assert_eq!(targets.len(), 3);
    assert!((targets.iter().sum::<f64>()).abs() < 1e-15);
    assert!((targets.iter().map(|t| t * t).sum::<f64>() / 3.0 - 1.0).abs() < 1e-12);
    assert_eq!(
        file.summary(),
        "3 rows, 1 features, least squares (labels from 0.5 to 7)"
    );
}

#[test]
fn bad_cells_name_their_line_and_column() {
    assert_eq!(
        error("a,b,y\n1,2,0\n3,x,1\n", raw()),
        "line 3, column 2: \"x\" is not a number"
    );
    assert_eq!(
        error("a,b,y\n1,2,0\n3,,1\n", raw()),
        "line 3, column 2: the cell is empty: missing values are not supported (fill or drop them)"
    );
    assert_eq!(
        error("1,2,0\n3,NaN,1\n", raw()),
        "line 2, column 2: \"NaN\" is NaN: missing values are not supported (fill or drop them)"
    );
    assert_eq!(
        error("1,2,0\n3,-inf,1\n", raw()),
        "line 2, column 2: \"-inf\" is infinite, or too large for a 64-bit float"
    );
    assert_eq!(
        error("1,2,0\n3,1e400,1\n", raw()),
        "line 2, column 2: \"1e400\" is infinite, or too large for a 64-bit float"
    );
    assert_eq!(
        error("1,2,0\n3,\"4,1\n", raw()),
        "line 2, column 2: a quote is not closed on its line (cells cannot span lines)"
    );
}

#[test]
fn ragged_rows_name_both_lines() {
    assert_eq!(
        error("a,b,y\n1,2,0\n3,4\n", raw()),
        "line 3: 2 columns, but line 1 has 3 (every row needs the same columns)"
    );
    assert_eq!(
        error("1,2,0\n\n3,4,1,5\n", raw()),
        "line 3: 4 columns, but line 1 has 3 (every row needs the same columns)"
    );
}

#[test]
fn empty_files_and_files_without_rows_say_so() {
    assert_eq!(error("", raw()), "the file is empty");
    assert_eq!(
        error("\n# only a comment\n  \n", raw()),
        "the file has no data: only blank lines and comments"
    );
    assert_eq!(
        error("a,b,y\n", raw()),
        "the file has a header on line 1 but no rows"
    );
    assert_eq!(
        error("# nothing\n1\n", raw()),
        "line 2: a single column, but a data set needs a feature column and a label column at least"
    );
}

#[test]
fn binary_files_are_not_text() {
    assert_eq!(
        error("1,2,0\n1,\u{0}2,1\n", raw()),
        "line 2, column 3: byte 0x00 is not text: this is a binary file (compressed?), not CSV or LIBSVM"
    );
    let gzip = [0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03];
    let e = read(&gzip, &raw(), Limit::NONE).expect_err("binary");
    assert_eq!(
        e.to_string(),
        "line 1, column 2: byte 0x8b is not text: this is a binary file (compressed?), not CSV or LIBSVM"
    );
    // Without a newline, the zero byte is found while the line waits for its end.
    let mut reader = Reader::new(raw(), Limit::NONE, None);
    assert!(reader.feed(b"1,2,0\n1,2").is_ok());
    let e = reader.feed(b"\0\0\0").expect_err("binary");
    assert_eq!((e.line, e.column), (Some(2), Some(4)));
    // An error earlier in the same block wins.
    assert_eq!(
        error("1,2,0\n1,x,1\n\u{0}", raw()),
        "line 2, column 2: \"x\" is not a number"
    );
}

#[test]
fn files_over_the_limit_are_refused() {
    let bytes_limit = Limit {
        bytes: 10,
        values: u64::MAX,
    };
    let e = read(b"1,2,0\n3,4,1\n", &raw(), bytes_limit).expect_err("too large");
    assert_eq!(
        e.to_string(),
        "the file passes the 10 bytes (0.00001 MB) read here"
    );
    let values_limit = Limit {
        bytes: u64::MAX,
        values: 7,
    };
    let e = read(b"1,2,0\n3,4,1\n5,6,1\n", &raw(), values_limit).expect_err("too large");
    assert_eq!(
        e.to_string(),
        "line 3: the data set passes the limit here: more than 7 values (0.000056 MB as 64-bit floats, bias column included)"
    );
    let e = read(b"1 1:1\n0 5:1\n", &raw(), values_limit).expect_err("dense");
    assert_eq!(e.line, Some(2), "2 rows × (5 features + bias) > 7");
}

/// The same bytes cut anywhere give the same data set, bit for bit, and the same hash.
#[test]
fn chunks_of_any_size_read_the_same() {
    let text =
        "# header comment\nsize,rooms,price\n1.5,3,200.5\r\n2.25,4,310\n\n3,5,405.25\n4,2,150";
    let whole = read(text.as_bytes(), &Options::default(), Limit::NONE).expect("valid");
    for size in [1, 2, 3, 7, 16] {
        let mut reader = Reader::new(Options::default(), Limit::NONE, None);
        for chunk in text.as_bytes().chunks(size) {
            reader.feed(chunk).expect("valid");
        }
        let (sha, file) = reader.finish();
        let file = file.expect("valid");
        assert_eq!(sha, whole.sha256);
        let bits = |d: &Dataset| d.features.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        assert_eq!(
            bits(&file.dataset),
            bits(&whole.dataset),
            "chunks of {size}"
        );
        assert_eq!(file.dataset.labels, whole.dataset.labels);
    }
    assert_eq!(whole.sha256, Sha256::of(text.as_bytes()));
}

#[test]
fn a_broken_file_is_still_hashed_to_its_end() {
    let text = b"1,2,0\n1,x,1\n1,2,1\n";
    let mut reader = Reader::new(Options::default(), Limit::NONE, None);
    assert!(reader.feed(&text[..6]).is_ok());
    assert!(reader.feed(&text[6..13]).is_err());
    assert!(reader.feed(&text[13..]).is_err(), "the first error stays");
    let (sha, result) = reader.finish();
    assert_eq!(sha, Sha256::of(text));
    assert_eq!(result.expect_err("broken").line, Some(2));
}

#[test]
fn over_limit_errors_say_so_and_others_do_not() {
    let small = Limit {
        bytes: 10,
        values: 4,
    };
    assert!(
        read(b"1,2,0\n3,4,1\n", &raw(), small)
            .expect_err("bytes")
            .over_limit
    );
    let values = Limit {
        bytes: u64::MAX,
        values: 4,
    };
    assert!(
        read(b"1,2,0\n3,4,1\n", &raw(), values)
            .expect_err("values")
            .over_limit
    );
    assert!(
        !read(b"1,x,0\n", &raw(), Limit::NONE)
            .expect_err("text")
            .over_limit
    );
    let by_size = Limit::PAGE.check_size((256 << 20) + 1).expect_err("size");
    assert!(by_size.over_limit);
    assert_eq!(
        by_size.to_string(),
        "the file is 268.4 MB, more than the 256 MiB read here"
    );
    assert_eq!(Limit::PAGE.check_size(256 << 20), Ok(()));
    assert_eq!(
        Limit::PAGE.describe(),
        "files up to 256 MiB and data sets up to 6291456 values (48 MiB as 64-bit floats)"
    );
    assert_eq!(size_text(812), "812 bytes");
    assert_eq!(size_text(2758), "2.8 kB");
    assert_eq!(size_text(17_300_000), "17.3 MB");
}
