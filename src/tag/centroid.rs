//! An event centroid held compactly in one exact-size block of `u32` words: the sorted terms,
//! the raw masses (`f32` bits) and the unit weights quantized to `u16` (two per word). Three
//! growable `f32` vectors per event cost 72 bytes of headers, three allocator chunks and twice
//! the weight bytes; a weight in `[0, 1]` kept to 1/65535 changes a cosine by at most ~1e-5.

/// Scale of a quantized weight.
const Q: f32 = 65_535.0;

/// Centroid terms (sorted), raw mass per term (sum of unit page vectors without IDF) and unit
/// TF-IDF weight per term (IDF at the last update, quantized).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Centroid {
    /// `[terms; n][mass bits; n][weights, two u16 per word; ceil(n / 2)]`.
    words: Box<[u32]>,
}

/// A unit weight as stored (`[0, 1]`, 1/65535 steps).
pub(crate) fn quantize(w: f32) -> f32 {
    f32::from(encode(w)) / Q
}

fn encode(w: f32) -> u16 {
    (w.clamp(0.0, 1.0) * Q).round() as u16
}

impl Centroid {
    /// A centroid of equally long `terms`, `mass` and `weight` (cut to the shortest); weights
    /// are quantized.
    pub fn new(terms: &[u32], mass: &[f32], weight: &[f32]) -> Self {
        let n = terms.len().min(mass.len()).min(weight.len());
        let mut words = Vec::with_capacity(2 * n + n.div_ceil(2));
        words.extend(terms.iter().take(n));
        words.extend(mass.iter().take(n).map(|m| m.to_bits()));
        for pair in weight.get(..n).unwrap_or(&[]).chunks(2) {
            let lo = pair.first().map_or(0, |&w| encode(w));
            let hi = pair.get(1).map_or(0, |&w| encode(w));
            words.push(u32::from(lo) | u32::from(hi) << 16);
        }
        Self {
            words: words.into_boxed_slice(),
        }
    }

    /// Number of terms.
    pub fn len(&self) -> usize {
        // words = 2n + ceil(n / 2), so n = floor(2 words / 5).
        self.words.len() * 2 / 5
    }

    /// Terms, sorted.
    pub fn terms(&self) -> &[u32] {
        self.words.get(..self.len()).unwrap_or(&[])
    }

    /// Raw mass per term.
    pub fn mass(&self) -> impl ExactSizeIterator<Item = f32> + '_ {
        let n = self.len();
        self.words
            .get(n..2 * n)
            .unwrap_or(&[])
            .iter()
            .map(|&b| f32::from_bits(b))
    }

    /// Raw mass of term `i` (0 past the end).
    pub fn mass_at(&self, i: usize) -> f32 {
        if i >= self.len() {
            return 0.0;
        }
        self.words
            .get(self.len() + i)
            .map_or(0.0, |&b| f32::from_bits(b))
    }

    /// Unit weight of term `i` (0 past the end).
    #[inline]
    pub fn weight_at(&self, i: usize) -> f32 {
        let n = self.len();
        if i >= n {
            return 0.0;
        }
        let word = self.words.get(2 * n + i / 2).copied().unwrap_or(0);
        f32::from((word >> (16 * (i % 2))) as u16) / Q
    }

    /// Unit weights.
    #[cfg(test)]
    pub fn weights(&self) -> impl ExactSizeIterator<Item = f32> + '_ {
        (0..self.len()).map(|i| self.weight_at(i))
    }

    /// Heap bytes of the block.
    pub fn heap_len(&self) -> usize {
        self.words.len() * 4
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slices_line_up_and_weights_are_close() {
        let c = Centroid::new(&[1, 5, 9], &[0.5, 1.0, 2.0], &[0.1, 0.2, 0.3, 0.4]);
        assert_eq!(c.len(), 3);
        assert_eq!(c.terms(), &[1, 5, 9]);
        assert_eq!(c.mass().collect::<Vec<_>>(), [0.5, 1.0, 2.0]);
        assert_eq!((c.mass_at(2), c.mass_at(3)), (2.0, 0.0));
        let w: Vec<f32> = c.weights().collect();
        for (a, b) in w.iter().zip([0.1, 0.2, 0.3]) {
            assert!((a - b).abs() <= 0.5 / Q, "{a} {b}");
        }
        assert_eq!(c.weight_at(1), quantize(0.2));
        assert_eq!(c.weight_at(3), 0.0);
        assert_eq!(c.heap_len(), 4 * (3 + 3 + 2));
        assert_eq!(Centroid::default().len(), 0);
        assert_eq!(quantize(2.0), 1.0);
        assert_eq!(quantize(-1.0), 0.0);
    }

    #[test]
    fn length_is_recovered_for_every_size() {
        for n in 0..200u32 {
            let terms: Vec<u32> = (0..n).collect();
            let v = vec![0.5; n as usize];
            let c = Centroid::new(&terms, &v, &v);
            assert_eq!(c.len(), n as usize);
            assert_eq!(c.terms(), &terms[..]);
            assert!(c.weights().all(|w| w == quantize(0.5)));
        }
    }
}
