//! The paper's algorithms, one round at a time, so that callers (the CLI, the page's background run)
//! decide when to pause, draw or stop:
//! - `crpsgd`: CR-PSGD, Algorithm 1 of Yu & Jin (ICML 2019);
//! - `psgd`: its fixed-batch special case (ρ = 1);
//! - `catalyst`: CR-PSGD-Catalyst, Algorithm 2;
//! - `local`: local SGD, the communication-saving baseline;
//! - `adaptive`: adaptive batches, each round's batch set by the norm test (Byrd et al. 2012) on the
//!   gradient noise measured so far, growing by at most ρ per round.

mod cluster;
mod momentum;
mod schedule;
mod trainer;

pub use momentum::exchanged_vectors;
pub use schedule::{
    batch_size, catalyst_shape, fewest_rounds, local_schedule, local_steps, planned_rounds,
    ramp_batch, record_every, Schedule,
};
pub use trainer::{Progress, Stepped, Trainer, RUNAWAY};
