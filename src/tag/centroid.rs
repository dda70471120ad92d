//! An event centroid held compactly: sorted terms in one exact-size block, raw masses and unit
//! weights in another (three growable vectors per event cost 72 bytes of headers and three
//! allocator chunks).

/// Centroid terms (sorted), raw mass per term (sum of unit page vectors without IDF) and unit
/// TF-IDF weight per term (IDF at the last update).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Centroid {
    terms: Box<[u32]>,
    /// Masses, then weights.
    values: Box<[f32]>,
}

impl Centroid {
    /// A centroid of equally long `terms`, `mass` and `weight` (cut to the shortest).
    pub fn new(terms: &[u32], mass: &[f32], weight: &[f32]) -> Self {
        let n = terms.len().min(mass.len()).min(weight.len());
        let mut values = Vec::with_capacity(2 * n);
        values.extend_from_slice(mass.get(..n).unwrap_or(&[]));
        values.extend_from_slice(weight.get(..n).unwrap_or(&[]));
        Self {
            terms: terms.get(..n).unwrap_or(&[]).into(),
            values: values.into_boxed_slice(),
        }
    }

    /// Terms, sorted.
    pub fn terms(&self) -> &[u32] {
        &self.terms
    }

    /// Raw mass per term.
    pub fn mass(&self) -> &[f32] {
        self.values.get(..self.terms.len()).unwrap_or(&[])
    }

    /// Unit weight per term.
    pub fn weight(&self) -> &[f32] {
        self.values.get(self.terms.len()..).unwrap_or(&[])
    }

    /// Number of terms.
    pub fn len(&self) -> usize {
        self.terms.len()
    }

    /// Heap blocks (terms, values) in bytes.
    pub fn heap_sizes(&self) -> (usize, usize) {
        (self.terms.len() * 4, self.values.len() * 4)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slices_line_up() {
        let c = Centroid::new(&[1, 5, 9], &[0.5, 1.0, 2.0], &[0.1, 0.2, 0.3, 0.4]);
        assert_eq!(c.len(), 3);
        assert_eq!(c.terms(), &[1, 5, 9]);
        assert_eq!(c.mass(), &[0.5, 1.0, 2.0]);
        assert_eq!(c.weight(), &[0.1, 0.2, 0.3]);
        assert_eq!(c.heap_sizes(), (12, 24));
        assert_eq!(Centroid::default().weight(), &[] as &[f32]);
    }
}
