//! Counter-based random streams, so that every node's samples depend only on (seed, node, round) and
//! never on which thread computed them or in what order.

/// SplitMix64: tiny, fast, and specified down to the bit, so native and wasm draw the same numbers.
#[derive(Clone, Debug)]
pub struct Stream {
    state: u64,
}

const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Which stream: node sample streams are `Node`, data generation is `Data`, so they never overlap.
#[derive(Clone, Copy, Debug)]
pub enum Purpose {
    Node {
        node: u64,
        round: u64,
    },
    Data,
    /// Initial weights of a model that cannot start at zero.
    Init,
}

impl Stream {
    pub fn new(seed: u64, purpose: Purpose) -> Stream {
        let (tag, a, b) = match purpose {
            Purpose::Node { node, round } => (1, node, round),
            Purpose::Data => (2, 0, 0),
            Purpose::Init => (3, 0, 0),
        };
        let state = mix(mix(mix(seed ^ GOLDEN).wrapping_add(tag) ^ a.wrapping_mul(GOLDEN)) ^ b);
        Stream { state }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(GOLDEN);
        mix(self.state)
    }

    /// A uniform index in `0..n` (multiply-shift; its bias of at most n/2⁶⁴ is irrelevant here).
    pub fn below(&mut self, n: usize) -> usize {
        ((self.next_u64() as u128 * n as u128) >> 64) as usize
    }

    /// A uniform number in (0, 1].
    pub fn unit(&mut self) -> f64 {
        ((self.next_u64() >> 11) + 1) as f64 / (1u64 << 53) as f64
    }

    /// A standard normal number (Box–Muller, with libm so every target agrees).
    pub fn normal(&mut self) -> f64 {
        let radius = libm::sqrt(-2.0 * libm::log(self.unit()));
        radius * libm::cos(2.0 * std::f64::consts::PI * self.unit())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_differ_by_node_and_round_and_repeat_exactly() {
        let draw = |node, round| Stream::new(7, Purpose::Node { node, round }).next_u64();
        assert_eq!(draw(0, 1), draw(0, 1));
        assert_ne!(draw(0, 1), draw(1, 1));
        assert_ne!(draw(0, 1), draw(0, 2));
        assert_ne!(draw(1, 2), draw(2, 1));
    }

    #[test]
    fn below_stays_in_range_and_covers_it() {
        let mut s = Stream::new(1, Purpose::Data);
        let mut hits = [0u32; 5];
        for _ in 0..5000 {
            hits[s.below(5)] += 1;
        }
        assert!(hits.iter().all(|&h| (800..1200).contains(&h)), "{hits:?}");
    }
}
