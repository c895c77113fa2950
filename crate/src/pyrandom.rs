//! Python's `random` module generator (CPython's Mersenne Twister, MT19937),
//! as far as OSTEP's `malloc.py` uses it: `random.seed(n)` for a whole
//! number `n` and `random.random()`. With the same seed it draws the same
//! floats, bit for bit, so the playground draws the ops `malloc.py -s seed`
//! draws.

/// Words of state.
const N: usize = 624;
/// The twist's middle offset.
const M: usize = 397;
const MATRIX_A: u32 = 0x9908_b0df;
const UPPER: u32 = 0x8000_0000;
const LOWER: u32 = 0x7fff_ffff;

/// CPython's `random.Random` generator state.
#[derive(Clone)]
pub struct PyRandom {
    /// The 624 words of state.
    mt: [u32; N],
    /// Next word of `mt` to temper; `N` when the state needs a twist.
    index: usize,
}

impl PyRandom {
    /// The generator after `random.seed(seed)`: CPython seeds from the
    /// absolute value, cut into 32-bit words from the least significant
    /// (`init_by_array`), so `seed(-5)` draws what `seed(5)` does.
    ///
    /// # Complexity
    /// O(624).
    pub fn new(seed: i64) -> Self {
        let n = seed.unsigned_abs();
        let key: &[u32] = if n >> 32 == 0 {
            &[n as u32]
        } else {
            &[n as u32, (n >> 32) as u32]
        };
        let mut r = PyRandom {
            mt: [0; N],
            index: N,
        };
        r.init_by_array(key);
        r
    }

    fn init_genrand(&mut self, s: u32) {
        self.mt[0] = s;
        for i in 1..N {
            let prev = self.mt[i - 1];
            self.mt[i] = 1_812_433_253u32
                .wrapping_mul(prev ^ (prev >> 30))
                .wrapping_add(i as u32);
        }
        self.index = N;
    }

    fn init_by_array(&mut self, key: &[u32]) {
        self.init_genrand(19_650_218);
        let (mut i, mut j) = (1usize, 0usize);
        for _ in 0..N.max(key.len()) {
            let prev = self.mt[i - 1];
            self.mt[i] = (self.mt[i] ^ (prev ^ (prev >> 30)).wrapping_mul(1_664_525))
                .wrapping_add(key[j])
                .wrapping_add(j as u32);
            i += 1;
            j += 1;
            if i >= N {
                self.mt[0] = self.mt[N - 1];
                i = 1;
            }
            if j >= key.len() {
                j = 0;
            }
        }
        for _ in 0..N - 1 {
            let prev = self.mt[i - 1];
            self.mt[i] = (self.mt[i] ^ (prev ^ (prev >> 30)).wrapping_mul(1_566_083_941))
                .wrapping_sub(i as u32);
            i += 1;
            if i >= N {
                self.mt[0] = self.mt[N - 1];
                i = 1;
            }
        }
        self.mt[0] = UPPER;
    }

    /// The next 32 random bits (`genrand_uint32`).
    fn next_u32(&mut self) -> u32 {
        if self.index >= N {
            self.twist();
        }
        let mut y = self.mt[self.index];
        self.index += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^ (y >> 18)
    }

    fn twist(&mut self) {
        for k in 0..N {
            let y = (self.mt[k] & UPPER) | (self.mt[(k + 1) % N] & LOWER);
            let mag = if y & 1 == 1 { MATRIX_A } else { 0 };
            self.mt[k] = self.mt[(k + M) % N] ^ (y >> 1) ^ mag;
        }
        self.index = 0;
    }

    /// `random.random()`: a float in [0, 1) with 53 random bits
    /// (`genrand_res53`).
    ///
    /// # Complexity
    /// O(1) amortized (a twist of the state every 312 calls).
    pub fn random(&mut self) -> f64 {
        let a = self.next_u32() >> 5;
        let b = self.next_u32() >> 6;
        (f64::from(a) * 67_108_864.0 + f64::from(b)) * (1.0 / 9_007_199_254_740_992.0)
    }
}

#[cfg(test)]
mod tests {
    use super::PyRandom;

    /// `random.seed(s); [random.random() for _ in range(3)]`, printed by
    /// CPython 3.11.
    #[test]
    fn draws_what_cpython_draws() {
        let known: [(i64, [f64; 3]); 9] = [
            (
                0,
                [0.8444218515250481, 0.7579544029403025, 0.420571580830845],
            ),
            (
                1,
                [0.13436424411240122, 0.8474337369372327, 0.763774618976614],
            ),
            (
                5,
                [0.6229016948897019, 0.7417869892607294, 0.7951935655656966],
            ),
            (
                -5,
                [0.6229016948897019, 0.7417869892607294, 0.7951935655656966],
            ),
            (
                42,
                [
                    0.6394267984578837,
                    0.025010755222666936,
                    0.27502931836911926,
                ],
            ),
            (
                4294967295,
                [0.6353574441341173, 0.20319993954407756, 0.6073666030347188],
            ),
            (
                4294967296,
                [0.11299430095636409, 0.41782886486292836, 0.0166763664992291],
            ),
            (
                4294967301,
                [0.15727238718789782, 0.2824866316461999, 0.6044540318498407],
            ),
            (
                9007199254740991,
                [
                    0.09425040007102303,
                    0.22287455761867403,
                    0.19135148760372034,
                ],
            ),
        ];
        for (seed, want) in known {
            let mut r = PyRandom::new(seed);
            let got = [r.random(), r.random(), r.random()];
            assert_eq!(got, want, "seed {seed}");
        }
    }

    /// Past the first twist of the state (312 draws of two words each).
    #[test]
    fn draws_what_cpython_draws_after_many_twists() {
        // random.seed(s); [random.random() for _ in range(n)][-1]
        for (seed, n, want) in [
            (0, 1000, 0.4804125346981437),
            (123456789, 5000, 0.8494754761374824),
        ] {
            let mut r = PyRandom::new(seed);
            let last = (0..n).map(|_| r.random()).last();
            assert_eq!(last, Some(want), "seed {seed}");
        }
    }
}
