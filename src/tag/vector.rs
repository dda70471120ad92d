//! Sparse term vectors: sorted `(term, weight)` lists, dot products and top-k pruning.

/// Dot product of two vectors sorted by term.
pub fn dot(a_terms: &[u32], a_w: &[f32], b_terms: &[u32], b_w: &[f32]) -> f32 {
    let (mut i, mut j, mut sum) = (0, 0, 0.0f32);
    while let (Some(&ta), Some(&tb)) = (a_terms.get(i), b_terms.get(j)) {
        match ta.cmp(&tb) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                sum += a_w.get(i).copied().unwrap_or(0.0) * b_w.get(j).copied().unwrap_or(0.0);
                i += 1;
                j += 1;
            }
        }
    }
    sum
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
        assert_eq!(
            dot(&[1, 3, 5], &[1.0, 2.0, 3.0], &[3, 4, 5], &[1.0, 9.0, 2.0]),
            8.0
        );
        assert_eq!(dot(&[], &[], &[1], &[1.0]), 0.0);
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
