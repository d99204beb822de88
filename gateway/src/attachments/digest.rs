//! SHA-256 digests of attachments: written as lower-case hex (the file names and the API), and
//! compared with the digest Meta gives, which is base64 in its webhooks and sometimes hex.

/// Lower-case hex of `digest`.
pub fn hex_of(digest: &[u8]) -> String {
    hex::encode(digest)
}

/// Whether `expected` (as Meta wrote it: base64, standard or URL-safe, padded or not; or hex in
/// either case) is `digest`.
pub fn digest_matches(expected: &str, digest: &[u8]) -> bool {
    let expected = expected.trim();
    if expected.len() == digest.len() * 2 && expected.bytes().all(|b| b.is_ascii_hexdigit()) {
        return expected.eq_ignore_ascii_case(&hex::encode(digest));
    }
    let normalised: String = expected
        .trim_end_matches('=')
        .chars()
        .map(|c| match c {
            '-' => '+',
            '_' => '/',
            other => other,
        })
        .collect();
    normalised == base64_unpadded(digest)
}

/// Standard base64 of `bytes`, without padding.
fn base64_unpadded(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let symbols = chunk.len() + 1;
        for i in 0..symbols {
            let index = (n >> (18 - 6 * i)) & 0x3f;
            out.push(char::from(ALPHABET[index as usize]));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_digest_in_base64_or_hex() {
        // SHA-256 of "abc".
        let digest = ring::digest::digest(&ring::digest::SHA256, b"abc");
        let digest = digest.as_ref();
        let hex = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        assert_eq!(hex_of(digest), hex);
        assert!(digest_matches(hex, digest));
        assert!(digest_matches(&hex.to_uppercase(), digest));
        assert!(digest_matches(
            "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=",
            digest
        ));
        assert!(digest_matches(
            "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0",
            digest
        ));
        assert!(!digest_matches(
            "vngWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=",
            digest
        ));
        assert!(!digest_matches("", digest));
        assert_eq!(base64_unpadded(b"ab"), "YWI");
        assert_eq!(base64_unpadded(b"a"), "YQ");
    }
}
