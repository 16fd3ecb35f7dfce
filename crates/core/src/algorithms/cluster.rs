//! A run's nodes spread over processes ([`Trainer::spread`](super::Trainer::spread)): each process
//! computes its own block of nodes, then one all-gather hands every process every node's round result,
//! so that each goes on with all N, exactly as one process holding every node would.

use super::trainer::round::{NodeMemory, NodeNoise};
use crate::nodes::{self, nodes_of, on_every_node_into, Exchange, Placement};
use std::ops::Range;

pub(super) struct Cluster {
    exchange: Box<dyn Exchange>,
    /// This process's nodes.
    mine: Range<usize>,
    /// One node's record: what it hands to the all-reduce, then its noise measurement.
    record: usize,
    /// This process's records, padded to the largest block: an all-gather takes equal parts.
    send: Vec<f64>,
    /// Every process's `send`, in rank order.
    received: Vec<f64>,
}

impl Cluster {
    pub(super) fn new(
        exchange: Box<dyn Exchange>,
        nodes: &[NodeMemory],
    ) -> Result<Cluster, String> {
        let (rank, ranks, n) = (exchange.rank(), exchange.ranks(), nodes.len());
        nodes::fit(ranks, n)?;
        let block = n.div_ceil(ranks);
        let record = nodes.first().map_or(0, NodeMemory::record_len);
        Ok(Cluster {
            mine: nodes_of(rank, ranks, n),
            send: vec![0.0; block * record],
            received: vec![0.0; ranks * block * record],
            record,
            exchange,
        })
    }

    /// How many nodes this process computes.
    pub(super) fn nodes_here(&self) -> usize {
        self.mine.len()
    }

    /// Runs `work` on this process's nodes (placed on its pool as `placement` says), then swaps results
    /// so that every node's is here.
    pub(super) fn on_every_node<W>(
        &mut self,
        placement: Placement,
        thread_of_node: &mut [usize],
        nodes: &mut [NodeMemory],
        work: W,
    ) where
        W: Fn(usize, &mut NodeMemory) + Sync,
    {
        let first = self.mine.start;
        on_every_node_into(
            placement,
            &mut thread_of_node[self.mine.clone()],
            &mut nodes[self.mine.clone()],
            |node, memory| work(first + node, memory),
        );
        let record = self.record;
        for (node, out) in nodes[self.mine.clone()]
            .iter()
            .zip(self.send.chunks_exact_mut(record))
        {
            node.pack(out);
        }
        self.exchange.all_gather(&self.send, &mut self.received);
        let (me, ranks) = (self.exchange.rank(), self.exchange.ranks());
        let part = self.send.len();
        for rank in (0..ranks).filter(|&rank| rank != me) {
            let theirs = nodes_of(rank, ranks, nodes.len());
            let records = self.received[rank * part..][..part].chunks_exact(record);
            for (node, record) in nodes[theirs].iter_mut().zip(records) {
                node.unpack(record);
            }
        }
    }
}

impl NodeMemory {
    /// The values another process needs of this node: its result, local SGD's velocity (with momentum),
    /// |gᵢ|², and local SGD's first gradient.
    pub(super) fn record_len(&self) -> usize {
        self.result.len()
            + self.momentum.velocity().map_or(0, <[f64]>::len)
            + match &self.noise {
                NodeNoise::Node { gradient, .. } => 1 + gradient.len(),
                // A node alone is never sent: a single node has a single process.
                NodeNoise::Alone { .. } => 0,
            }
    }

    fn pack(&self, out: &mut [f64]) {
        let (result, rest) = out.split_at_mut(self.result.len());
        result.copy_from_slice(&self.result);
        let velocity = self.momentum.velocity().unwrap_or_default();
        let (mine, noise) = rest.split_at_mut(velocity.len());
        mine.copy_from_slice(velocity);
        if let NodeNoise::Node { square, gradient } = &self.noise {
            noise[0] = *square;
            noise[1..].copy_from_slice(gradient);
        }
    }

    fn unpack(&mut self, record: &[f64]) {
        let (result, rest) = record.split_at(self.result.len());
        self.result.copy_from_slice(result);
        let noise = match self.momentum.velocity_mut() {
            Some(velocity) => {
                let (theirs, noise) = rest.split_at(velocity.len());
                velocity.copy_from_slice(theirs);
                noise
            }
            None => rest,
        };
        if let NodeNoise::Node { square, gradient } = &mut self.noise {
            *square = noise[0];
            gradient.copy_from_slice(&noise[1..]);
        }
    }
}
