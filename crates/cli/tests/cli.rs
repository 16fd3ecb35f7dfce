//! The CLI's contract: CSV on stdout, one-line errors naming the parameter and its range, exit codes.

use std::process::Command;

mod common;
use common::dynabatch;

#[test]
fn run_writes_the_csv_contract() {
    let (code, csv, _) = dynabatch(&["run", "T=100&B1=10&rho=2", "--threads", "2"]);
    assert_eq!(code, 0);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "round,batch,sfo,loss,subopt,grad_norm,outer,time,comm_bytes,noise_scale"
    );
    assert!(lines[1].starts_with("0,0,0,0.69"));
    assert_eq!(
        lines.len(),
        1 + 1 + 3,
        "batches 10, 20, 40 fit in 100; 80 does not"
    );
    assert!(lines[4].starts_with("3,40,70,"));
}

#[test]
fn bad_input_exits_nonzero_with_one_line_naming_the_parameter_and_range() {
    for (query, expected) in [
        ("N=0", "N=0 is out of range (an integer from 1 to 64)"),
        ("gamma=fast", "gamma=fast is not a number (allowed: a number from 0.000001 to 100)"),
        ("problem=mnist", "problem=mnist is not a known choice (allowed: one of breast-cancer, digits, synthetic, digits-mlp, landscape, data)"),
        ("colour=red", "unknown parameter \"colour\""),
    ] {
        let (code, stdout, stderr) = dynabatch(&["run", query]);
        assert_eq!(code, 2, "{query}");
        assert!(stdout.is_empty());
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains(expected), "{query}: {stderr}");
    }
    let (code, _, stderr) = dynabatch(&["run", "N=2", "--threads", "0"]);
    assert_ne!(code, 0);
    assert!(stderr.contains("threads"));
}

#[test]
fn diverged_runs_exit_3_after_writing_their_rows() {
    let (code, csv, stderr) = dynabatch(&["run", "alg=psgd&gamma=100&lambda=10&T=2000"]);
    assert_eq!(code, 3);
    assert!(stderr.contains("diverged"));
    let last = csv.lines().last().unwrap_or_default();
    // Non-finite, or (as here) past a million times its start: the loss ran away.
    let loss = last.split(',').nth(3).unwrap_or_default();
    let start = csv.lines().nth(1).and_then(|l| l.split(',').nth(3));
    let ran_away = match (loss.parse::<f64>(), start.map(str::parse::<f64>)) {
        (Ok(loss), Some(Ok(start))) => loss > 1e6 * start,
        _ => false,
    };
    assert!(loss == "inf" || loss == "NaN" || ran_away, "{last}");
}

#[test]
fn the_landscape_csv_carries_the_iterate_and_every_run_its_simulated_cost() {
    let (code, csv, _) = dynabatch(&[
        "run",
        "problem=landscape&x0=2&y0=-1&T=10&B1=1&rho=2&latency=1&N=2",
    ]);
    assert_eq!(code, 0);
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("round,batch,sfo,loss,subopt,grad_norm,outer,time,comm_bytes,noise_scale,x,y")
    );
    assert!(
        lines
            .next()
            .is_some_and(|row0| row0.ends_with(",0,0,0,,2,-1")),
        "{csv}"
    );
    let last: Vec<&str> = csv.lines().last().unwrap_or_default().split(',').collect();
    // 3 rounds (1 + 2 + 4 ≤ 10) of 2 messages at 1 ms, 7 samples at 10 µs, 2 parameters of 8 bytes.
    assert_eq!(last[8], "48", "2(N−1)/N × 16 bytes per round");
    let time: f64 = last[7].parse().unwrap_or(f64::NAN);
    assert!(
        (time - (0.006 + 7e-5 + 48.0 / 1e10)).abs() < 1e-12,
        "{time}"
    );
}

#[test]
fn data_writes_the_matrix_the_model_sees() {
    let (code, csv, _) = dynabatch(&["data", "breast-cancer"]);
    assert_eq!(code, 0);
    assert_eq!(csv.lines().count(), 1 + 569);
    assert_eq!(
        csv.lines().nth(1).map(|l| l.split(',').count()),
        Some(32),
        "30 features, bias, label"
    );
    let (code, csv, _) = dynabatch(&["data", "problem=synthetic&n=20&d=3&seed=4"]);
    assert_eq!(code, 0);
    assert_eq!(csv.lines().count(), 21);
    let (code, _, stderr) = dynabatch(&["data", "cifar"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("problem=cifar is not a known choice"));
}

/// `dynabatch run … | head` ends quietly: a reader that stops early is not an error.
#[test]
fn a_closed_pipe_ends_the_run_quietly() {
    use std::io::Read;
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_dynabatch"))
        // 19,000 rows: far more than a pipe buffers, so writing goes on after the reader has gone.
        .args(["run", "alg=psgd&B1=1&T=19000&every=1", "--threads", "1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    let mut first = [0u8; 64];
    let mut stdout = child.stdout.take().expect("piped");
    stdout.read_exact(&mut first).expect("the CSV starts");
    drop(stdout);
    let out = child.wait_with_output().expect("ends");
    assert!(first.starts_with(b"round,batch,sfo"));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    assert_eq!(out.status.code(), Some(0));
}

/// Hostile link text (newlines, CR, tabs, escapes, Unicode line separators and bidi controls, in keys and
/// values, in the experiment's keys and the view's) never breaks the CLI's one-line error.
#[test]
fn every_error_for_hostile_input_is_exactly_one_line() {
    let hostile = [
        "%0A",
        "%0D",
        "%0D%0A",
        "%09",
        "%00",
        "%1B%5B31m",
        "%C2%85",
        "%E2%80%A8",
        "%E2%80%A9",
        "%E2%80%AE",
        "%E2%81%A6",
    ];
    let mut runs: Vec<Vec<String>> = Vec::new();
    for h in hostile {
        for query in [
            format!("a{h}b=1"),
            format!("N{h}=1"),
            format!("N=1{h}2"),
            format!("gamma={h}x"),
            format!("alg=ps{h}gd"),
            format!("problem=a{h}b"),
            format!("v=1{h}2"),
            format!("x{h}=1&x{h}=2"),
            format!("alg=psgd&rho=1{h}5"),
            format!("compare=a{h}b"),
            format!("compare=psgd,lo{h}cal"),
            format!("hide=N{h}x"),
            format!("embed=1{h}0"),
            format!("fault=pan{h}ic"),
        ] {
            runs.push(vec!["run".into(), query]);
        }
    }
    // Raw characters too, as a shell passes them, and through the data command.
    for raw in [
        "N=1\n2",
        "colour\r=red",
        "T=\t5x",
        "alg=\u{2028}",
        "compare=\u{85}x",
    ] {
        runs.push(vec!["run".into(), raw.into()]);
    }
    runs.push(vec!["data".into(), "cifar\n10".into()]);
    runs.push(vec!["data".into(), "problem=x%0Ay".into()]);
    let garbles = |c: char| {
        c.is_control()
            || matches!(c, '\u{2028}' | '\u{2029}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
    };
    for args in runs {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, stdout, stderr) = dynabatch(&args);
        assert_eq!(code, 2, "{args:?}: {stderr:?}");
        assert!(stdout.is_empty(), "{args:?}");
        let line = stderr.strip_suffix('\n').unwrap_or_default();
        assert!(
            line.starts_with("dynabatch: ") && !line.chars().any(garbles),
            "{args:?}: not exactly one line: {stderr:?}"
        );
    }
}

/// The default build needs no MPI, and says how to get it when asked for it.
#[cfg(not(feature = "mpi"))]
#[test]
fn without_the_mpi_feature_mpi_says_how_to_get_it() {
    for args in [&["run", "N=2", "--mpi"][..], &["calibrate", "N=2"]] {
        let (code, csv, err) = dynabatch(args);
        assert_eq!(code, 2);
        assert!(csv.is_empty());
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.contains("built without MPI") && err.contains("--features mpi"),
            "{err}"
        );
    }
}

#[test]
fn tune_prints_a_table_and_a_tuned_link_that_runs() {
    let (code, out, err) = dynabatch(&[
        "tune",
        "alg=crpsgd&problem=landscape&N=2&gamma=0.001&T=400&compare=psgd",
        "--threads",
        "2",
    ]);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0],
        "run\tgamma\talso\tmean f − f* (3 seeds)\trounds\twith the link's own\trounds"
    );
    assert!(
        lines[1].starts_with("crpsgd\t") && lines[2].starts_with("psgd\t"),
        "{out}"
    );
    let link = lines[3];
    assert!(link.contains("&compare=psgd(gamma="), "{link}");
    assert!(
        !link.contains("gamma=0.001&"),
        "γ = 0.001 crawls on 400 samples: {link}"
    );
    let (code, _, err) = dynabatch(&["run", link]);
    assert_eq!(code, 0, "{err}");
}

/// tune's guidance on ρ, one line per CR-PSGD run: at λ = 0.001 the curvature μ at x* is about λ, so the
/// analysis allows almost no growth per round.
#[test]
fn tune_says_what_rho_the_curvature_allows() {
    let (code, _, err) = dynabatch(&[
        "tune",
        "alg=crpsgd&problem=breast-cancer&lambda=0.001&N=2&B1=1&T=1000&compare=crpsgd(rho=1.5,gamma=0.3)",
    ]);
    assert_eq!(code, 0, "{err}");
    let notices: Vec<&str> = err
        .lines()
        .filter(|l| l.contains("the analysis allows"))
        .collect();
    assert_eq!(notices.len(), 2, "{err}");
    assert!(
        notices[0].contains("μ = 1.0"),
        "μ is about λ = 0.001: {err}"
    );
    assert!(notices[0].contains("ρ ≤ 1/(1 − γμ) = 1.0"), "{err}");
}

#[test]
fn the_glossary_prints_the_pages_definitions() {
    let (code, out, _) = dynabatch(&["glossary"]);
    assert_eq!(code, 0);
    assert_eq!(out, dynabatch_core::glossary::as_text());
    assert!(out.contains("SFO\n    A call to the stochastic first-order oracle"));
    // A parameter's entry is its help text, as the page's tooltip shows it.
    assert!(out.contains(dynabatch_core::params::Param::Rho.spec().help));
}
