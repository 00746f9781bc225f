//! The HyperLogLog against Redis itself: sketches recorded from Redis 7.0.15 (`PFADD`,
//! `GET`, `PFCOUNT`, `PFMERGE`; `tests/fixtures/redis/`) must have exactly the registers and
//! counts ours get from the same elements; and estimates stay within HyperLogLog's error
//! bounds.

use metricc_runtime::hll::{Hll, REGISTERS, murmur64a};
use sha2::{Digest, Sha256};

fn fixture(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/redis")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn sketch<S: AsRef<[u8]>>(elements: impl IntoIterator<Item = S>) -> Hll {
    let mut hll = Hll::new();
    for e in elements {
        hll.insert(e.as_ref());
    }
    hll
}

/// The SHA-256 of a dense value's registers (Redis's header carries a cached count that
/// `PFCOUNT` rewrites, so it is left out).
fn registers_digest(redis_value: &[u8]) -> String {
    Sha256::digest(&redis_value[16..])
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn small_sketches_have_the_registers_redis_stores() {
    // PFADD k1 a b c → PFCOUNT 3
    let redis = Hll::from_redis(&fixture("abc.hll")).unwrap();
    let ours = sketch(["a", "b", "c"]);
    assert_eq!(ours.registers(), redis.registers());
    assert_eq!(ours.count(), 3);

    // PFADD k2 user:1 ... user:1000 → PFCOUNT 1007 (sparse in Redis)
    let redis = Hll::from_redis(&fixture("users_1000.hll")).unwrap();
    let ours = sketch((1..=1000).map(|i| format!("user:{i}")));
    assert_eq!(ours.registers(), redis.registers());
    assert_eq!(ours.count(), 1007);
    assert_eq!(redis.count(), 1007);

    // PFADD k5 "" "z" "zz" ... (0 to 40 bytes: every tail length of the hash) → 41
    let redis = Hll::from_redis(&fixture("lengths_0_40.hll")).unwrap();
    let ours = sketch((0..=40).map(|n| "z".repeat(n)));
    assert_eq!(ours.registers(), redis.registers());
    assert_eq!(ours.count(), 41);
}

#[test]
fn dense_sketches_match_redis_byte_for_byte() {
    // PFADD k3 1 ... 100000 → PFCOUNT 99562, dense.
    let numbers = sketch((1..=100_000).map(|i| i.to_string()));
    assert_eq!(numbers.count(), 99_562);
    assert_eq!(
        registers_digest(&numbers.to_redis_dense()),
        "3a74c285bc6d6aa85c12d71a79454edac56265c0e53d4c94819cca05bd42eca5"
    );
    // PFADD k6 user:1 ... user:5000 → PFCOUNT 5024, dense.
    let users = sketch((1..=5000).map(|i| format!("user:{i}")));
    assert_eq!(users.count(), 5024);
    assert_eq!(
        registers_digest(&users.to_redis_dense()),
        "0ce27822ee1f051705cd479c2214d6ef3b5c83a82db0ba34c358ae6e875ec8a7"
    );
    // PFMERGE k4 k2 k3 → PFCOUNT 100555.
    let mut merged = sketch((1..=1000).map(|i| format!("user:{i}")));
    merged.merge(&numbers);
    assert_eq!(merged.count(), 100_555);
    assert_eq!(
        registers_digest(&merged.to_redis_dense()),
        "a7f26a29baf9ea254b0193c537b53a5f6e349e5a96c54efe6cea4304db78b50f"
    );
    assert_eq!(merged.to_redis_dense().len(), 12_304, "Redis's dense size");
}

#[test]
fn murmur64a_follows_the_reference() {
    // Seed 0, the empty input: h = 0, and the final mix of 0 is 0. (Every other input is
    // checked against Redis through the registers above, which the hash decides.)
    assert_eq!(murmur64a(b"", 0), 0);
    // The seed enters as h = seed ^ (len * m): with the empty input, the mix of the seed.
    let m: u64 = 0xc6a4_a793_5bd1_e995;
    let mut h: u64 = 0xadc8_3b19;
    h ^= h >> 47;
    h = h.wrapping_mul(m);
    h ^= h >> 47;
    assert_eq!(murmur64a(b"", 0xadc8_3b19), h);
}

#[test]
fn estimates_stay_within_the_error_bounds() {
    // The standard error of 16,384 registers is 1.04 / sqrt(16384) = 0.81 %; allow 3
    // standard errors.
    for n in [10u64, 100, 1_000, 10_000, 250_000] {
        let hll = sketch((0..n).map(|i| format!("project-{i}")));
        let estimate = hll.count() as f64;
        let error = (estimate - n as f64).abs() / n as f64;
        assert!(error < 0.0243, "{n} elements estimated as {estimate}");
    }
    // Duplicates do not count.
    let hll = sketch((0..50_000).map(|i| format!("{}", i % 500)));
    assert!((hll.count() as i64 - 500).abs() <= 5, "{}", hll.count());
}

#[test]
fn merging_is_a_union() {
    let a = sketch((0..3000).map(|i| i.to_string()));
    let b = sketch((2000..5000).map(|i| i.to_string()));
    let mut union = a.clone();
    union.merge(&b);
    assert_eq!(
        union.registers(),
        sketch((0..5000).map(|i| i.to_string())).registers()
    );
    for i in 0..REGISTERS {
        assert_eq!(union.register(i), a.register(i).max(b.register(i)));
    }
}
