//! Pool threads stay awake between the rounds of a run, so that a round does not wait for a parked
//! Web Worker to wake; they park once rounds stop, and they stay out of the way of concurrent runs.
//! One test in its own binary: the counts are process-wide.

use dynabatch_core::nodes::{lingering_threads, on_every_node_into, ActiveRun};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

fn rounds(count: usize, most_lingering: &AtomicUsize) {
    let mut threads = vec![0; 4];
    let mut outputs = vec![0.0_f64; 4];
    for _ in 0..count {
        on_every_node_into(&mut threads, &mut outputs, |node, output| {
            most_lingering.fetch_max(lingering_threads(), Ordering::AcqRel);
            *output = node as f64;
        });
    }
}

fn wait_until_parked() {
    let start = Instant::now();
    while lingering_threads() > 0 {
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "threads still lingering 5 s after the last round"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
}

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a thread pool")
}

#[test]
fn threads_linger_during_one_run_park_after_it_and_never_beside_another_run() {
    let cores = std::thread::available_parallelism().map_or(1, |c| c.get());
    if cores >= 2 {
        let most = AtomicUsize::new(0);
        pool(2).install(|| {
            let _run = ActiveRun::new();
            rounds(200, &most);
        });
        assert_eq!(
            most.load(Ordering::Acquire),
            1,
            "the other thread lingered while the only run went on"
        );
        wait_until_parked();
    }

    // More threads than cores: a poller would take the core of a thread that holds a share.
    let most = AtomicUsize::new(0);
    pool(cores + 1).install(|| {
        let _run = ActiveRun::new();
        rounds(200, &most);
    });
    assert_eq!(
        most.load(Ordering::Acquire),
        0,
        "no lingering with more threads than cores"
    );

    let most = AtomicUsize::new(0);
    pool(2.min(cores)).install(|| {
        let (_one, _two) = (ActiveRun::new(), ActiveRun::new());
        rounds(200, &most);
    });
    assert_eq!(
        most.load(Ordering::Acquire),
        0,
        "no lingering beside a second run"
    );
    assert_eq!(lingering_threads(), 0);
}
