//! Reconnection delays (exponential backoff with jitter, as socket.io-client's
//! backo2) and the seeded random source the core uses instead of its own.

/// A small deterministic generator (SplitMix64). The shell seeds it from the
/// browser's randomness; tests seed it with a constant.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator starting from `seed`.
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `[0, 1)`, like `Math.random()`.
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// `n` characters of base 36, for cache-busting request parameters.
    // The digit index is `v % 36`, always in the table.
    #[allow(clippy::indexing_slicing)]
    pub fn token(&mut self, n: usize) -> String {
        const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
        let mut v = self.next_u64();
        let mut out = String::with_capacity(n);
        for _ in 0..n {
            super::push_ascii(&mut out, DIGITS[(v % 36) as usize]);
            v /= 36;
        }
        out
    }
}

/// Exponential backoff: `min * 2^attempts`, spread by `jitter`, capped at `max`.
#[derive(Debug, Clone)]
pub struct Backoff {
    /// The first delay (ms): `reconnectionDelay`.
    pub min: u64,
    /// The longest delay (ms): `reconnectionDelayMax`.
    pub max: u64,
    /// The spread in `[0, 1]`: `randomizationFactor`; out-of-range values mean 0.
    pub jitter: f64,
    /// Delays handed out since the last reset.
    pub attempts: u32,
}

impl Backoff {
    /// A backoff with no attempts yet.
    pub fn new(min: u64, max: u64, jitter: f64) -> Self {
        Backoff { min, max, jitter, attempts: 0 }
    }

    /// The next delay in milliseconds; counts one attempt.
    ///
    /// One random draw `r` decides both the size of the deviation
    /// (`floor(r * jitter * ms)`) and its sign (`floor(r * 10)` even: minus).
    pub fn duration(&mut self, rng: &mut Rng) -> u64 {
        let exp = self.attempts.min(64) as i32;
        self.attempts = self.attempts.saturating_add(1);
        let mut ms = self.min as f64 * 2f64.powi(exp);
        let jitter = if self.jitter > 0.0 && self.jitter <= 1.0 { self.jitter } else { 0.0 };
        if jitter > 0.0 {
            let r = rng.next_f64();
            let deviation = (r * jitter * ms).floor();
            ms = if ((r * 10.0).floor() as u64) & 1 == 0 { ms - deviation } else { ms + deviation };
        }
        let capped = ms.min(self.max as f64);
        if capped.is_finite() && capped > 0.0 {
            capped as u64
        } else {
            0
        }
    }

    /// Forgets the attempts (after a success or a final failure).
    pub fn reset(&mut self) {
        self.attempts = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_jitter_it_doubles_up_to_the_cap() {
        let mut rng = Rng::new(1);
        let mut b = Backoff::new(1000, 5000, 0.0);
        let d: Vec<u64> = (0..6).map(|_| b.duration(&mut rng)).collect();
        assert_eq!(d, vec![1000, 2000, 4000, 5000, 5000, 5000]);
        assert_eq!(b.attempts, 6);
        b.reset();
        assert_eq!(b.duration(&mut rng), 1000);
    }

    #[test]
    fn jitter_stays_in_bounds_and_is_reproducible() {
        let seq = |seed| {
            let mut rng = Rng::new(seed);
            let mut b = Backoff::new(1000, 5000, 0.5);
            (0..8).map(|_| b.duration(&mut rng)).collect::<Vec<_>>()
        };
        let a = seq(42);
        assert_eq!(a, seq(42));
        assert_ne!(a, seq(43));
        for (i, d) in a.iter().enumerate() {
            let base = (1000u64 << i.min(20)) as f64;
            assert!(*d as f64 >= (base * 0.5).min(5000.0) - 1.0, "{i}: {d}");
            assert!(*d <= 5000, "{i}: {d}");
        }
    }

    #[test]
    fn huge_attempt_counts_do_not_overflow() {
        let mut rng = Rng::new(7);
        let mut b = Backoff::new(1000, 5000, 0.5);
        b.attempts = u32::MAX - 1;
        for _ in 0..4 {
            let d = b.duration(&mut rng);
            assert!(d <= 5000);
        }
    }

    #[test]
    fn random_numbers_are_in_range() {
        let mut rng = Rng::new(0);
        for _ in 0..10_000 {
            let x = rng.next_f64();
            assert!((0.0..1.0).contains(&x));
        }
        assert_eq!(rng.token(8).len(), 8);
    }
}
