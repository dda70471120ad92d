//! Sparse term vectors: sorted `(term, weight)` lists, dot products and top-k pruning.

use super::features::is_entity_term;

/// How two vectors sorted by term overlap.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct Overlap {
    /// Dot product.
    pub dot: f32,
    /// The part of `dot` over entity terms.
    pub ent_dot: f32,
    /// Sum of the first vector's weights over the entity terms both hold.
    pub a_ent_hit: f32,
    /// Sum of the second vector's weights over the entity terms both hold.
    pub b_ent_hit: f32,
}

/// Overlap of two vectors sorted by term.
#[cfg(test)]
pub fn overlap(a_terms: &[u32], a_w: &[f32], b_terms: &[u32], b_w: &[f32]) -> Overlap {
    overlap_with(a_terms, a_w, b_terms, |j| {
        b_w.get(j).copied().unwrap_or(0.0)
    })
}

/// [`overlap`] with the second vector's weights read by index (a compact centroid).
#[inline]
pub fn overlap_with(
    a_terms: &[u32],
    a_w: &[f32],
    b_terms: &[u32],
    b_w: impl Fn(usize) -> f32,
) -> Overlap {
    let (mut i, mut j) = (0, 0);
    let mut o = Overlap::default();
    while let (Some(&ta), Some(&tb)) = (a_terms.get(i), b_terms.get(j)) {
        match ta.cmp(&tb) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                let (x, y) = (a_w.get(i).copied().unwrap_or(0.0), b_w(j));
                o.dot += x * y;
                if is_entity_term(ta) {
                    o.ent_dot += x * y;
                    o.a_ent_hit += x;
                    o.b_ent_hit += y;
                }
                i += 1;
                j += 1;
            }
        }
    }
    o
}

/// Length and sum of the entity part of a vector.
pub fn entity_sums(terms: &[u32], w: &[f32]) -> (f32, f32) {
    let (mut sq, mut sum) = (0.0f32, 0.0f32);
    for (_, x) in terms.iter().zip(w).filter(|(t, _)| is_entity_term(**t)) {
        sq += x * x;
        sum += x;
    }
    (sq.sqrt(), sum)
}

/// Scale to unit length (no-op for the zero vector).
pub fn normalize(w: &mut [f32]) {
    let norm = w.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        for x in w.iter_mut() {
            *x /= norm;
        }
    }
}

/// Indices of the `k` largest scores (ties by lower index), in ascending index order.
pub fn top_k_indices(scores: &[f32], k: usize) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..scores.len()).collect();
    if idx.len() > k {
        idx.select_nth_unstable_by(k, |&a, &b| {
            let (sa, sb) = (scores[a], scores[b]);
            sb.total_cmp(&sa).then(a.cmp(&b))
        });
        idx.truncate(k);
    }
    idx.sort_unstable();
    idx
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_merges_sorted_terms() {
        let o = overlap(&[1, 3, 5], &[1.0, 2.0, 3.0], &[3, 4, 5], &[1.0, 9.0, 2.0]);
        assert_eq!((o.dot, o.ent_dot), (8.0, 0.0));
        assert_eq!(overlap(&[], &[], &[1], &[1.0]).dot, 0.0);
        let e = 1 << 31;
        let o = overlap(&[1, e | 2], &[1.0, 2.0], &[1, e | 2], &[3.0, 0.5]);
        assert_eq!(
            (o.dot, o.ent_dot, o.a_ent_hit, o.b_ent_hit),
            (4.0, 1.0, 2.0, 0.5)
        );
        assert_eq!(entity_sums(&[1, e | 2], &[3.0, 4.0]), (4.0, 4.0));
    }

    #[test]
    fn top_k_keeps_largest() {
        assert_eq!(top_k_indices(&[0.1, 0.9, 0.5, 0.9], 2), vec![1, 3]);
        assert_eq!(top_k_indices(&[0.1], 5), vec![0]);
        let mut v = [3.0, 4.0];
        normalize(&mut v);
        assert!((v[0] - 0.6).abs() < 1e-6);
    }
}
