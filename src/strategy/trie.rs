//! [`Trie`]: a byte trie in flat arrays, walked once along the model.
//!
//! Invariants: node 0 is the root (the empty string, never a name); node `i`'s outgoing edges
//! are `labels[edges[i]..edges[i + 1]]`, sorted, leading to `children[..]` at the same
//! positions; `hits[i]` is `index << 1 | is_prefix` of the alias whose name spells the path to
//! node `i`, or `NO_HIT`.

use std::collections::BTreeMap;

use super::Index;
use crate::{Alias, MatchKind};

const NO_HIT: usize = usize::MAX;

/// A byte trie walked once along the model, remembering the last prefix alias it passed.
///
/// The walk answers both questions in one pass: it stops at the first byte with no edge, or at
/// the end of the model, where a name equal to the model (exact or prefix) wins; otherwise the
/// deepest prefix alias passed on the way wins.
///
/// - Lookup: at most L + 1 steps (L: the longest name), each a search among the node's edges
///   (linear, as nodes rarely have more than a few), no allocation.
/// - Build: O(total name bytes · log 64).
/// - Memory: per node, 3 words plus 9 bytes per edge; a node per distinct prefix of the names:
///   the most of all strategies on realistic sets (BENCHMARKS.md has the measured bytes).
///
#[derive(Debug, Clone)]
pub(crate) struct Trie {
    edges: Box<[usize]>,
    labels: Box<[u8]>,
    children: Box<[usize]>,
    hits: Box<[usize]>,
}

impl Index for Trie {
    fn build(aliases: &[Alias]) -> Trie {
        let mut nodes: Vec<BTreeMap<u8, usize>> = vec![BTreeMap::new()];
        let mut hits = vec![NO_HIT];
        for (index, alias) in aliases.iter().enumerate() {
            let mut node = 0;
            for &b in alias.name().as_str().as_bytes() {
                let fresh = nodes.len();
                let Some(edges) = nodes.get_mut(node) else {
                    break; // unreachable: `node` was pushed before it was linked
                };
                let next = *edges.entry(b).or_insert(fresh);
                if next == fresh {
                    nodes.push(BTreeMap::new());
                    hits.push(NO_HIT);
                }
                node = next;
            }
            if let Some(hit) = hits.get_mut(node) {
                *hit = index << 1 | usize::from(alias.kind() == MatchKind::Prefix);
            }
        }
        let mut edges = Vec::with_capacity(nodes.len() + 1);
        let (mut labels, mut children) = (Vec::new(), Vec::new());
        edges.push(0);
        for node in &nodes {
            labels.extend(node.keys());
            children.extend(node.values());
            edges.push(labels.len());
        }
        Trie {
            edges: edges.into(),
            labels: labels.into(),
            children: children.into(),
            hits: hits.into(),
        }
    }

    #[inline]
    fn find(&self, _: &[Alias], model: &[u8]) -> Option<usize> {
        let mut node = 0;
        let mut best = None;
        for &b in model {
            // `node` spells a proper prefix of the model here.
            let hit = *self.hits.get(node)?;
            if hit != NO_HIT && hit & 1 == 1 {
                best = Some(hit >> 1);
            }
            match self.child(node, b) {
                Some(next) => node = next,
                None => return best,
            }
        }
        // `node` spells the whole model: a name equal to it wins, whatever its kind.
        match *self.hits.get(node)? {
            NO_HIT => best,
            hit => Some(hit >> 1),
        }
    }
}

impl Trie {
    #[inline]
    fn child(&self, node: usize, b: u8) -> Option<usize> {
        let (from, to) = (*self.edges.get(node)?, *self.edges.get(node + 1)?);
        let at = self.labels.get(from..to)?.iter().position(|&l| l == b)?;
        self.children.get(from + at).copied()
    }
}
