//! HyperLogLog with Redis's own hash, register layout and estimator, so that a sketch made
//! here and one made by Redis `PFADD` from the same elements have the same registers, and
//! either can be merged into the other (`PFMERGE`) bit for bit.
//!
//! - Hash: MurmurHash64A with seed `0xadc83b19`, over the element's bytes (Redis hashes
//!   the string it is given: a user id is added as its decimal text).
//! - Registers: 16,384 (p = 14); the low 14 bits of the hash pick the register, the run of
//!   zeros in the remaining 50 bits (plus one) is the register's value, at most 51.
//! - Estimate: Otmar Ertl's improved estimator, as Redis computes `PFCOUNT` (since 5.0).
//! - Serialized form: Redis's string value, `HYLL` header then dense (6-bit packed
//!   registers) or sparse (ZERO / XZERO / VAL run-length opcodes) registers; both are read,
//!   dense is what [`Hll::to_redis_dense`] writes for `SET` + `PFMERGE`.
//!
//! In memory a sketch stays sparse (a sorted list of the non-zero registers) while it is
//! small, and becomes a dense array of 16,384 bytes when it grows: recording buffers hold
//! many small sketches.

use std::fmt;

/// Registers are addressed with this many low bits of the hash.
pub const P: u32 = 14;
/// The number of registers.
pub const REGISTERS: usize = 1 << P;
/// The bits of the hash that remain for the run of zeros.
const Q: u32 = 64 - P;
/// Redis's seed for MurmurHash64A in HyperLogLog.
pub const SEED: u64 = 0xadc8_3b19;
/// `0.5 / ln(2)`: the estimator's constant for an infinite number of registers.
const ALPHA_INF: f64 = 0.721_347_520_444_481_7;
/// Bytes of Redis's header: `HYLL`, the encoding, three unused bytes, the cached
/// cardinality.
const HEADER: usize = 16;
/// Bytes of Redis's dense registers.
const DENSE_BYTES: usize = (REGISTERS * 6).div_ceil(8);
const DENSE: u8 = 0;
const SPARSE: u8 = 1;
/// A sketch keeps its sparse form up to this many non-zero registers.
const SPARSE_LIMIT: usize = 512;
/// Redis keeps a sparse string up to `hll-sparse-max-bytes` (default 3000) bytes.
const REDIS_SPARSE_MAX_BYTES: usize = 3000;

/// Redis's MurmurHash64A (the endian-neutral variant Redis uses).
pub fn murmur64a(key: &[u8], seed: u64) -> u64 {
    const M: u64 = 0xc6a4_a793_5bd1_e995;
    const R: u32 = 47;
    let mut h = seed ^ (key.len() as u64).wrapping_mul(M);
    let mut chunks = key.chunks_exact(8);
    for chunk in &mut chunks {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(chunk);
        let mut k = u64::from_le_bytes(bytes);
        k = k.wrapping_mul(M);
        k ^= k >> R;
        k = k.wrapping_mul(M);
        h ^= k;
        h = h.wrapping_mul(M);
    }
    let tail = chunks.remainder();
    if !tail.is_empty() {
        for (i, byte) in tail.iter().enumerate() {
            h ^= u64::from(*byte) << (8 * i);
        }
        h = h.wrapping_mul(M);
    }
    h ^= h >> R;
    h = h.wrapping_mul(M);
    h ^= h >> R;
    h
}

/// The register an element updates and the value it offers it (Redis's `hllPatLen`).
pub fn register_of(element: &[u8]) -> (u16, u8) {
    let hash = murmur64a(element, SEED);
    let index = (hash & (REGISTERS as u64 - 1)) as u16;
    let rest = (hash >> P) | (1u64 << Q);
    (index, rest.trailing_zeros() as u8 + 1)
}

/// A HyperLogLog sketch with Redis's layout.
#[derive(Clone, PartialEq, Eq)]
pub struct Hll {
    repr: Repr,
}

#[derive(Clone, PartialEq, Eq)]
enum Repr {
    /// Non-zero registers as `index << 8 | value`, sorted by index, one per index.
    Sparse(Vec<u32>),
    /// Every register, one byte each.
    Dense(Box<[u8]>),
}

/// Why bytes are not a Redis HyperLogLog.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HllError(String);

impl fmt::Display for HllError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "not a Redis HyperLogLog: {}", self.0)
    }
}

impl std::error::Error for HllError {}

impl Default for Hll {
    fn default() -> Hll {
        Hll::new()
    }
}

impl fmt::Debug for Hll {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Hll")
            .field("non_zero_registers", &self.non_zero())
            .field("count", &self.count())
            .finish()
    }
}

impl Hll {
    /// An empty sketch.
    pub fn new() -> Hll {
        Hll {
            repr: Repr::Sparse(Vec::new()),
        }
    }

    /// Adds an element (its bytes, as Redis `PFADD` would receive them).
    pub fn insert(&mut self, element: &[u8]) {
        let (index, value) = register_of(element);
        self.offer(index, value);
    }

    /// Raises register `index` to `value` if it is lower. Out-of-range input is ignored.
    pub fn offer(&mut self, index: u16, value: u8) {
        let index = usize::from(index);
        if index >= REGISTERS || value == 0 {
            return;
        }
        let value = value.min(Q as u8 + 1);
        match &mut self.repr {
            Repr::Dense(registers) => {
                if registers[index] < value {
                    registers[index] = value;
                }
            }
            Repr::Sparse(entries) => {
                let key = (index as u32) << 8;
                match entries.binary_search_by(|e| (e & !0xff).cmp(&key)) {
                    Ok(at) => {
                        if (entries[at] & 0xff) < u32::from(value) {
                            entries[at] = key | u32::from(value);
                        }
                    }
                    Err(at) => {
                        entries.insert(at, key | u32::from(value));
                        if entries.len() > SPARSE_LIMIT {
                            self.densify();
                        }
                    }
                }
            }
        }
    }

    fn densify(&mut self) {
        if let Repr::Sparse(entries) = &self.repr {
            let mut registers = vec![0u8; REGISTERS].into_boxed_slice();
            for e in entries {
                registers[(e >> 8) as usize] = (e & 0xff) as u8;
            }
            self.repr = Repr::Dense(registers);
        }
    }

    /// Merges `other` into this sketch (register-wise maximum, as `PFMERGE`).
    pub fn merge(&mut self, other: &Hll) {
        match &other.repr {
            Repr::Sparse(entries) => {
                for e in entries {
                    self.offer((e >> 8) as u16, (e & 0xff) as u8);
                }
            }
            Repr::Dense(theirs) => {
                self.densify();
                if let Repr::Dense(mine) = &mut self.repr {
                    for (m, t) in mine.iter_mut().zip(theirs.iter()) {
                        if *m < *t {
                            *m = *t;
                        }
                    }
                }
            }
        }
    }

    /// Whether no element was added.
    pub fn is_empty(&self) -> bool {
        self.non_zero() == 0
    }

    fn non_zero(&self) -> usize {
        match &self.repr {
            Repr::Sparse(entries) => entries.len(),
            Repr::Dense(registers) => registers.iter().filter(|r| **r != 0).count(),
        }
    }

    /// The value of register `index` (0 out of range).
    pub fn register(&self, index: usize) -> u8 {
        match &self.repr {
            Repr::Dense(registers) => registers.get(index).copied().unwrap_or(0),
            Repr::Sparse(entries) => {
                let key = (index as u32) << 8;
                entries
                    .binary_search_by(|e| (e & !0xff).cmp(&key))
                    .map(|at| (entries[at] & 0xff) as u8)
                    .unwrap_or(0)
            }
        }
    }

    /// Every register's value, in order.
    pub fn registers(&self) -> Vec<u8> {
        match &self.repr {
            Repr::Dense(registers) => registers.to_vec(),
            Repr::Sparse(entries) => {
                let mut out = vec![0u8; REGISTERS];
                for e in entries {
                    out[(e >> 8) as usize] = (e & 0xff) as u8;
                }
                out
            }
        }
    }

    /// The estimated number of distinct elements: what Redis `PFCOUNT` answers for the same
    /// registers.
    pub fn count(&self) -> u64 {
        let mut histogram = [0u32; Q as usize + 2];
        match &self.repr {
            Repr::Dense(registers) => {
                for r in registers.iter() {
                    histogram[usize::from(*r).min(Q as usize + 1)] += 1;
                }
            }
            Repr::Sparse(entries) => {
                histogram[0] = (REGISTERS - entries.len()) as u32;
                for e in entries {
                    histogram[((e & 0xff) as usize).min(Q as usize + 1)] += 1;
                }
            }
        }
        estimate(&histogram)
    }

    /// Redis's string value for these registers: sparse when Redis would keep it sparse,
    /// dense otherwise. The cached cardinality is marked stale, so Redis recomputes it.
    pub fn to_redis(&self) -> Vec<u8> {
        if let Repr::Sparse(entries) = &self.repr {
            if entries.iter().all(|e| (e & 0xff) <= 32) {
                let sparse = sparse_opcodes(entries);
                if sparse.len() <= REDIS_SPARSE_MAX_BYTES {
                    let mut out = header(SPARSE);
                    out.extend_from_slice(&sparse);
                    return out;
                }
            }
        }
        self.to_redis_dense()
    }

    /// Redis's dense string value for these registers (what `SET` then `PFMERGE` takes).
    pub fn to_redis_dense(&self) -> Vec<u8> {
        let mut out = header(DENSE);
        // One spare byte: setting the last register touches the byte after it.
        let mut packed = vec![0u8; DENSE_BYTES + 1];
        let mut set = |index: usize, value: u8| {
            let byte = index * 6 / 8;
            let shift = (index * 6) & 7;
            let v = u16::from(value & 63) << shift;
            packed[byte] |= (v & 0xff) as u8;
            packed[byte + 1] |= (v >> 8) as u8;
        };
        match &self.repr {
            Repr::Dense(registers) => {
                for (i, r) in registers.iter().enumerate() {
                    if *r != 0 {
                        set(i, *r);
                    }
                }
            }
            Repr::Sparse(entries) => {
                for e in entries {
                    set((e >> 8) as usize, (e & 0xff) as u8);
                }
            }
        }
        packed.truncate(DENSE_BYTES);
        out.extend_from_slice(&packed);
        out
    }

    /// Reads Redis's string value of a HyperLogLog (dense or sparse).
    pub fn from_redis(bytes: &[u8]) -> Result<Hll, HllError> {
        if bytes.len() < HEADER || &bytes[..4] != b"HYLL" {
            return Err(HllError("no HYLL header".into()));
        }
        let body = &bytes[HEADER..];
        let mut hll = Hll::new();
        match bytes[4] {
            DENSE => {
                if body.len() != DENSE_BYTES {
                    return Err(HllError(format!(
                        "a dense value has {DENSE_BYTES} bytes of registers, not {}",
                        body.len()
                    )));
                }
                let mut registers = vec![0u8; REGISTERS].into_boxed_slice();
                for (i, r) in registers.iter_mut().enumerate() {
                    let byte = i * 6 / 8;
                    let shift = (i * 6) & 7;
                    let low = u16::from(body[byte]);
                    let high = u16::from(body.get(byte + 1).copied().unwrap_or(0));
                    *r = (((low | (high << 8)) >> shift) & 63) as u8;
                }
                hll.repr = Repr::Dense(registers);
                if hll.non_zero() <= SPARSE_LIMIT {
                    hll = Hll::from_registers(&hll.registers());
                }
            }
            SPARSE => {
                let mut index = 0usize;
                let mut at = 0usize;
                while at < body.len() {
                    let op = body[at];
                    if op & 0x80 != 0 {
                        let value = ((op >> 2) & 0x1f) + 1;
                        let run = usize::from(op & 0x3) + 1;
                        if index + run > REGISTERS {
                            return Err(HllError("sparse registers overflow".into()));
                        }
                        for i in index..index + run {
                            hll.offer(i as u16, value);
                        }
                        index += run;
                        at += 1;
                    } else if op & 0x40 != 0 {
                        let Some(next) = body.get(at + 1) else {
                            return Err(HllError("truncated XZERO opcode".into()));
                        };
                        index += ((usize::from(op & 0x3f) << 8) | usize::from(*next)) + 1;
                        at += 2;
                    } else {
                        index += usize::from(op & 0x3f) + 1;
                        at += 1;
                    }
                }
                if index != REGISTERS {
                    return Err(HllError(format!(
                        "sparse opcodes cover {index} registers, not {REGISTERS}"
                    )));
                }
            }
            other => return Err(HllError(format!("unknown encoding {other}"))),
        }
        Ok(hll)
    }

    /// A sketch with these register values (extra values are ignored).
    pub fn from_registers(registers: &[u8]) -> Hll {
        let mut hll = Hll::new();
        for (i, r) in registers.iter().take(REGISTERS).enumerate() {
            if *r != 0 {
                hll.offer(i as u16, *r);
            }
        }
        hll
    }
}

fn header(encoding: u8) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER + DENSE_BYTES);
    out.extend_from_slice(b"HYLL");
    out.push(encoding);
    out.extend_from_slice(&[0, 0, 0]);
    // Cached cardinality 0, with the "stale" bit set.
    out.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 0x80]);
    out
}

/// Redis's sparse opcodes for non-zero registers of at most 32.
fn sparse_opcodes(entries: &[u32]) -> Vec<u8> {
    let mut out = Vec::new();
    let zeros = |out: &mut Vec<u8>, mut run: usize| {
        while run > 0 {
            if run > 64 {
                let len = run.min(REGISTERS);
                let l = len - 1;
                out.push(0x40 | (l >> 8) as u8);
                out.push((l & 0xff) as u8);
                run -= len;
            } else {
                out.push((run - 1) as u8);
                run = 0;
            }
        }
    };
    let mut next = 0usize;
    let mut i = 0;
    while i < entries.len() {
        let index = (entries[i] >> 8) as usize;
        let value = (entries[i] & 0xff) as u8;
        zeros(&mut out, index - next);
        // A run of equal values on consecutive registers, at most 4.
        let mut run = 1;
        while run < 4
            && i + run < entries.len()
            && (entries[i + run] >> 8) as usize == index + run
            && (entries[i + run] & 0xff) as u8 == value
        {
            run += 1;
        }
        out.push(0x80 | ((value - 1) << 2) | (run as u8 - 1));
        next = index + run;
        i += run;
    }
    zeros(&mut out, REGISTERS - next);
    out
}

/// Ertl's estimator over the register histogram, as Redis's `hllCount`.
fn estimate(histogram: &[u32]) -> u64 {
    let m = REGISTERS as f64;
    let q = Q as usize;
    let mut z = m * tau((m - f64::from(histogram[q + 1])) / m);
    for j in (1..=q).rev() {
        z += f64::from(histogram[j]);
        z *= 0.5;
    }
    z += m * sigma(f64::from(histogram[0]) / m);
    let e = (ALPHA_INF * m * m / z).round();
    if e.is_finite() && e > 0.0 {
        e as u64
    } else {
        0
    }
}

fn sigma(mut x: f64) -> f64 {
    if x == 1.0 {
        return f64::INFINITY;
    }
    let mut y = 1.0;
    let mut z = x;
    loop {
        x *= x;
        let previous = z;
        z += x * y;
        y += y;
        if previous == z {
            return z;
        }
    }
}

fn tau(mut x: f64) -> f64 {
    if x == 0.0 || x == 1.0 {
        return 0.0;
    }
    let mut y = 1.0;
    let mut z = 1.0 - x;
    loop {
        x = x.sqrt();
        let previous = z;
        y *= 0.5;
        z -= (1.0 - x).powi(2) * y;
        if previous == z {
            return z / 3.0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_sketch_counts_zero() {
        assert_eq!(Hll::new().count(), 0);
        assert!(Hll::new().is_empty());
    }

    #[test]
    fn sparse_and_dense_agree() {
        let mut small = Hll::new();
        for i in 0..400 {
            small.insert(format!("{i}").as_bytes());
        }
        let mut dense = small.clone();
        dense.densify();
        assert_eq!(small.count(), dense.count());
        assert_eq!(small.registers(), dense.registers());
        assert_eq!(small.to_redis_dense(), dense.to_redis_dense());
    }

    #[test]
    fn redis_bytes_round_trip() {
        for n in [0, 3, 600, 20_000] {
            let mut hll = Hll::new();
            for i in 0..n {
                hll.insert(format!("user:{i}").as_bytes());
            }
            let back = Hll::from_redis(&hll.to_redis()).unwrap();
            assert_eq!(back.registers(), hll.registers(), "{n} elements");
            let back = Hll::from_redis(&hll.to_redis_dense()).unwrap();
            assert_eq!(back.registers(), hll.registers(), "{n} elements, dense");
        }
    }

    #[test]
    fn malformed_redis_values_are_errors() {
        assert!(Hll::from_redis(b"HYL").is_err());
        assert!(Hll::from_redis(b"NOPE0000000000000000").is_err());
        let mut bad = Hll::new().to_redis();
        bad[4] = 7;
        assert!(Hll::from_redis(&bad).is_err());
        let mut short = Hll::new().to_redis();
        short.pop();
        assert!(Hll::from_redis(&short).is_err());
    }

    #[test]
    fn register_values_stop_at_q_plus_one() {
        let mut hll = Hll::new();
        hll.offer(3, 200);
        assert_eq!(hll.register(3), 51);
        hll.offer(3, 0);
        assert_eq!(hll.register(3), 51);
    }
}
