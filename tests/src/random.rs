//! Randomness for secrets, unique ids and kill points (from the OS, through `ring`).

use ring::rand::{SecureRandom, SystemRandom};

/// Fills a fresh array with random bytes.
///
/// # Panics
/// Only if the operating system's random source fails, which the harness cannot work around.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0_u8; N];
    #[allow(
        clippy::expect_used,
        reason = "the OS random source failing makes every test moot"
    )]
    SystemRandom::new()
        .fill(&mut bytes)
        .expect("the operating system's random source works");
    bytes
}

/// `N` random bytes as lowercase hex (`2 * N` characters).
pub fn random_hex<const N: usize>() -> String {
    hex::encode(random_bytes::<N>())
}

/// A random number in `low..high` (`low` when the range is empty).
pub fn random_in(low: usize, high: usize) -> usize {
    if high <= low {
        return low;
    }
    let span = (high - low) as u64;
    let draw = u64::from_le_bytes(random_bytes::<8>()) % span;
    #[allow(
        clippy::cast_possible_truncation,
        reason = "draw < span, which came from a usize"
    )]
    let draw = draw as usize;
    low + draw
}
