//! A simulated cluster, so that a round has a wall-clock cost: compute on one node plus a ring all-reduce.
//!
//! The numbers are a model, not a measurement: they show *when* saving rounds matters (slow, far-apart
//! nodes) and when it does not (a datacenter, where compute dominates).

use crate::experiment::Experiment;

/// Bytes per model parameter on the wire: the core computes in f64.
pub const BYTES_PER_PARAMETER: u64 = 8;

#[derive(Clone, Copy, Debug)]
pub struct Network {
    nodes: u64,
    latency_s: f64,
    bandwidth_bytes_s: f64,
    sfo_time_s: f64,
    model_bytes: u64,
}

/// What one round costs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RoundCost {
    pub seconds: f64,
    /// Bytes each node sends in the all-reduce.
    pub bytes_per_node: u64,
}

impl Network {
    pub fn new(experiment: &Experiment, parameters: usize) -> Network {
        Network {
            nodes: experiment.nodes as u64,
            latency_s: experiment.latency_ms / 1e3,
            bandwidth_bytes_s: experiment.bandwidth_mb_s * 1e6,
            sfo_time_s: experiment.sfo_time_us / 1e6,
            // Local SGD with momentum averages the nodes' velocities beside their models.
            model_bytes: crate::algorithms::exchanged_vectors(experiment)
                * parameters as u64
                * BYTES_PER_PARAMETER,
        }
    }

    /// A round in which every node computes `samples` sample gradients, then all nodes average the model
    /// (or gradient) with a ring all-reduce: 2(N−1) messages, each node sending 2(N−1)/N of the model.
    pub fn round(&self, samples: u64) -> RoundCost {
        let compute = samples as f64 * self.sfo_time_s;
        if self.nodes == 1 {
            return RoundCost {
                seconds: compute,
                bytes_per_node: 0,
            };
        }
        let steps = 2 * (self.nodes - 1);
        let bytes_per_node = steps * self.model_bytes / self.nodes;
        let seconds = compute
            + steps as f64 * self.latency_s
            + bytes_per_node as f64 / self.bandwidth_bytes_s;
        RoundCost {
            seconds,
            bytes_per_node,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ring_all_reduce_costs_latency_per_message_and_bandwidth_per_byte() {
        let e = Experiment::from_query_strict("N=4&latency=10&bandwidth=1&sfo_time=100")
            .expect("valid");
        let cost = Network::new(&e, 1000).round(50);
        // 50 × 100 µs + 6 × 10 ms + (6/4 × 8000 B) / 1 MB/s = 0.005 + 0.06 + 0.012 s.
        assert_eq!(cost.bytes_per_node, 12_000);
        assert!((cost.seconds - 0.077).abs() < 1e-12, "{}", cost.seconds);
        let single = Experiment::from_query_strict("N=1&sfo_time=100").expect("valid");
        assert_eq!(
            Network::new(&single, 1000).round(50),
            RoundCost {
                seconds: 0.005,
                bytes_per_node: 0
            }
        );
    }
}
