//! Seeded mutations for `fuzz-smoke`: a base input from the corpus, changed by a few stacked
//! byte-level edits (flips, interesting bytes, dictionary tokens, deletions, duplications,
//! splices with another corpus input). No coverage feedback: this is a smoke run, libFuzzer
//! does the real search.

/// A small deterministic generator (SplitMix64): the same seed gives the same inputs.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator started from `seed`.
    #[must_use]
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number below `bound` (0 when `bound` is 0).
    pub fn below(&mut self, bound: usize) -> usize {
        let bound = u64::try_from(bound).unwrap_or(u64::MAX);
        if bound == 0 {
            return 0;
        }
        usize::try_from(self.next_u64() % bound).unwrap_or(0)
    }

    /// A random byte.
    pub fn byte(&mut self) -> u8 {
        self.next_u64().to_le_bytes()[0]
    }
}

/// Bytes that often sit on a parser's edges.
const INTERESTING: &[u8] = &[
    0x00, 0x01, 0x7f, 0x80, 0xff, b'"', b'\\', b'{', b'}', b'[', b']', b',', b':', b'=', b'.',
    b'0', b'9', b'-', b'\n', b' ', b'#', b'\'',
];

/// Makes new inputs from a corpus and a dictionary.
#[derive(Debug)]
pub struct Mutator<'a> {
    /// The inputs mutations start from (and splice in).
    pub corpus: &'a [Vec<u8>],
    /// The tokens insertions use.
    pub tokens: &'a [Vec<u8>],
    /// No input grows past this many bytes.
    pub max_len: usize,
}

impl Mutator<'_> {
    /// The next input: a corpus input (or nothing) with one to eight edits.
    pub fn next_input(&self, rng: &mut Rng) -> Vec<u8> {
        let mut input = match self.corpus.len() {
            0 => Vec::new(),
            n => self.corpus[rng.below(n)].clone(),
        };
        for _ in 0..=rng.below(8) {
            self.edit(rng, &mut input);
        }
        input.truncate(self.max_len);
        input
    }

    fn edit(&self, rng: &mut Rng, input: &mut Vec<u8>) {
        let len = input.len();
        let at = rng.below(len + 1);
        match rng.below(9) {
            0 if at < len => input[at] ^= 1 << rng.below(8),
            1 if at < len => input[at] = rng.byte(),
            2 if at < len => input[at] = INTERESTING[rng.below(INTERESTING.len())],
            3 if !self.tokens.is_empty() => {
                let token = &self.tokens[rng.below(self.tokens.len())];
                input.splice(at..at, token.iter().copied());
            }
            4 if at < len => {
                let end = (at + 1 + rng.below(16)).min(len);
                input.drain(at..end);
            }
            5 if at < len => {
                let end = (at + 1 + rng.below(64)).min(len);
                let copy = input[at..end].to_vec();
                let to = rng.below(len + 1);
                input.splice(to..to, copy);
            }
            6 if !self.corpus.is_empty() => {
                let other = &self.corpus[rng.below(self.corpus.len())];
                let from = rng.below(other.len() + 1);
                let end = (from + rng.below(256)).min(other.len());
                let cut = (at + rng.below(256)).min(len);
                input.splice(at..cut, other[from..end].iter().copied());
            }
            7 if at < len && input[at].is_ascii_digit() => {
                input[at] = b'0' + u8::try_from(rng.below(10)).unwrap_or(0);
            }
            _ => input.insert(at, rng.byte()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_inputs() {
        let corpus = vec![b"{\"a\":[1,2,3]}".to_vec(), b"x = 1\n".to_vec()];
        let tokens = vec![b"null".to_vec()];
        let mutator = Mutator {
            corpus: &corpus,
            tokens: &tokens,
            max_len: 64,
        };
        let inputs = |seed| {
            let mut rng = Rng::new(seed);
            (0..100)
                .map(|_| mutator.next_input(&mut rng))
                .collect::<Vec<_>>()
        };
        assert_eq!(inputs(7), inputs(7));
        assert_ne!(inputs(7), inputs(8));
        let changed = inputs(7).iter().filter(|i| !corpus.contains(i)).count();
        assert!(
            changed > 90,
            "only {changed} of 100 inputs differ from the corpus"
        );
        assert!(inputs(9).iter().all(|input| input.len() <= 64));
    }

    #[test]
    fn below_stays_below() {
        let mut rng = Rng::new(1);
        assert_eq!(rng.below(0), 0);
        assert!((0..1000).all(|_| rng.below(3) < 3));
    }
}
