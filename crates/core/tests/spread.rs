//! A run whose nodes are spread over processes (`Trainer::spread`) gives every process the CSV of a run
//! in one process, bit for bit. Here the processes are threads that swap results through shared memory;
//! `crates/cli/tests/mpi.rs` checks the same over real MPI ranks.

use dynabatch_core::algorithms::Trainer;
use dynabatch_core::experiment::Experiment;
use dynabatch_core::metrics::to_csv;
use dynabatch_core::nodes::Exchange;
use std::sync::{Arc, Barrier, Mutex};

/// An all-gather between threads: each posts its part, all wait, each reads all, all wait again (so
/// that no part is overwritten by the next round before everyone has read it).
struct Board {
    parts: Mutex<Vec<Vec<f64>>>,
    barrier: Barrier,
}

struct ThreadRank {
    rank: usize,
    board: Arc<Board>,
    /// Bytes this rank has posted, to check that the exchange was really used.
    posted: Arc<Mutex<usize>>,
}

impl Exchange for ThreadRank {
    fn rank(&self) -> usize {
        self.rank
    }

    fn ranks(&self) -> usize {
        self.board.parts.lock().expect("board").len()
    }

    fn all_gather(&mut self, mine: &[f64], all: &mut [f64]) {
        self.board.parts.lock().expect("board")[self.rank] = mine.to_vec();
        *self.posted.lock().expect("count") += mine.len() * 8;
        self.board.barrier.wait();
        let parts = self.board.parts.lock().expect("board");
        for (out, part) in all.chunks_exact_mut(mine.len()).zip(parts.iter()) {
            out.copy_from_slice(part);
        }
        drop(parts);
        self.board.barrier.wait();
    }
}

fn experiment(query: &str) -> Experiment {
    Experiment::from_query_strict(query).expect("valid query")
}

/// Each rank's CSV, and the bytes it posted.
fn spread_csvs(query: &str, ranks: usize) -> Vec<(String, usize)> {
    let e = experiment(query);
    let board = Arc::new(Board {
        parts: Mutex::new(vec![Vec::new(); ranks]),
        barrier: Barrier::new(ranks),
    });
    let threads: Vec<_> = (0..ranks)
        .map(|rank| {
            let (e, board) = (e.clone(), board.clone());
            std::thread::spawn(move || {
                let posted = Arc::new(Mutex::new(0));
                let exchange = ThreadRank {
                    rank,
                    board,
                    posted: posted.clone(),
                };
                let trainer = Trainer::spread(&e, None, Box::new(exchange)).expect("P ≤ N");
                let csv = to_csv(&trainer.run_to_end());
                let bytes = *posted.lock().expect("count");
                (csv, bytes)
            })
        })
        .collect();
    threads
        .into_iter()
        .map(|t| t.join().expect("a rank ran"))
        .collect()
}

#[test]
fn every_rank_writes_the_single_process_csv_for_every_algorithm_and_problem() {
    for query in [
        "alg=crpsgd&problem=breast-cancer&N=5&rho=1.5&B1=2&gamma=0.5&T=600&seed=7",
        "alg=psgd&problem=digits&N=4&B1=3&gamma=0.5&T=40&seed=3",
        "alg=catalyst&problem=synthetic&n=200&d=6&N=6&B1=2&rho=1.3&T=300&seed=11",
        "alg=local&problem=breast-cancer&N=5&B1=2&H=4&gamma=0.2&T=400&seed=5",
        "alg=local&problem=digits-mlp&N=4&B1=4&H=3&gamma=0.3&T=60&seed=2",
        "alg=local&problem=breast-cancer&N=5&B1=2&H=3&gamma=0.1&momentum=0.8&T=300&seed=6",
        "alg=catalyst&problem=breast-cancer&N=3&B1=2&rho=1.5&gamma=0.2&momentum=0.9&T=400&seed=4",
        "alg=crpsgd&problem=landscape&N=4&B1=1&rho=1.2&gamma=0.05&T=300&seed=9&decay=50",
    ] {
        let single = to_csv(&Trainer::new(&experiment(query)).run_to_end());
        let nodes = experiment(query).nodes;
        for ranks in 1..=nodes.min(4) {
            for (rank, (csv, posted)) in spread_csvs(query, ranks).into_iter().enumerate() {
                assert_eq!(csv, single, "{query} on rank {rank} of {ranks}");
                assert!(
                    posted > 0,
                    "{query}: rank {rank} of {ranks} exchanged nothing"
                );
            }
        }
    }
}

#[test]
fn more_processes_than_nodes_is_an_error() {
    let board = Arc::new(Board {
        parts: Mutex::new(vec![Vec::new(); 3]),
        barrier: Barrier::new(3),
    });
    let exchange = ThreadRank {
        rank: 0,
        board,
        posted: Arc::default(),
    };
    let Err(message) = Trainer::spread(&experiment("N=2"), None, Box::new(exchange)) else {
        panic!("3 processes for 2 nodes were accepted");
    };
    assert!(
        message.starts_with("3 processes for N = 2 nodes"),
        "{message}"
    );
}
