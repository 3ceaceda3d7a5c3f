//! `MergedBranch` attribution: which commits a `Merge pull request #N` merge brought in.
//!
//! The commits merge `M` introduces are those reachable from its second (and later) parents
//! but not from its first parent. Every commit is introduced by exactly one commit, found by
//! one walk of the "first-parent tree": the first-parent chain from HEAD is the mainline; each
//! merge on a chain, oldest first, claims the not-yet-claimed commits reachable from its other
//! parents, whose own first-parent chain is processed the same way. Because older merges claim
//! first, everything reachable from a merge's first parent is claimed before the merge's own
//! side is walked, so the claimed set is exactly "reachable from parent 2, not from parent 1".
//! Nested PR merges win over the PR that contains them. Linear in the number of commits.

/// A parent outside the walked set (already imported, or hidden).
pub const OUTSIDE: u32 = u32::MAX;

/// The walked commits as indices, parents in order (flattened: `parents[start[i]..start[i+1]]`).
#[derive(Debug, Default, Clone)]
pub struct Graph {
    pub parents: Vec<u32>,
    pub start: Vec<u32>,
    /// `Some(N)` for a merge commit whose subject is `Merge pull request #N from …`.
    pub merge_pr: Vec<Option<u64>>,
}

#[cfg(test)]
impl Graph {
    pub fn new() -> Graph {
        Graph {
            parents: Vec::new(),
            start: vec![0],
            merge_pr: Vec::new(),
        }
    }

    /// Append a commit; its index is the previous number of commits.
    pub fn push(&mut self, parents: impl IntoIterator<Item = u32>, merge_pr: Option<u64>) {
        self.parents.extend(parents);
        self.start.push(self.parents.len() as u32);
        self.merge_pr.push(merge_pr);
    }
}

impl Graph {
    fn len(&self) -> usize {
        self.merge_pr.len()
    }

    fn parents_of(&self, i: u32) -> &[u32] {
        let i = i as usize;
        &self.parents[self.start[i] as usize..self.start[i + 1] as usize]
    }
}

/// For each commit, the PR whose merge brought it in through a non-first parent (the innermost
/// such PR), or `None` for mainline commits and branches merged without a PR.
pub fn merged_branch_prs(g: &Graph, head: u32) -> Vec<Option<u64>> {
    let n = g.len();
    let mut owner: Vec<Option<u64>> = vec![None; n];
    let mut claimed = vec![false; n];
    // Depth-first: tasks pushed newest-first so the oldest chain commit's side is walked first.
    let mut tasks: Vec<(u32, Option<u64>)> = vec![(head, None)];
    let mut chain: Vec<u32> = Vec::new();
    while let Some((start, pr)) = tasks.pop() {
        chain.clear();
        let mut c = start;
        while c != OUTSIDE && !claimed[c as usize] {
            claimed[c as usize] = true;
            owner[c as usize] = pr;
            chain.push(c);
            c = g.parents_of(c).first().copied().unwrap_or(OUTSIDE);
        }
        for &c in &chain {
            let side_pr = g.merge_pr[c as usize].or(pr);
            for &p in g.parents_of(c).iter().skip(1).rev() {
                if p != OUTSIDE && !claimed[p as usize] {
                    tasks.push((p, side_pr));
                }
            }
        }
    }
    owner
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Build a graph from (parents, merge_pr) listed newest first (index 0 = HEAD).
    fn graph(spec: &[(&[u32], Option<u64>)]) -> Graph {
        let mut g = Graph::new();
        for (p, m) in spec {
            g.push(p.iter().copied(), *m);
        }
        g
    }

    #[test]
    fn second_parent_commits_belong_to_the_pr() {
        // 0 = merge #5 (parents 1, 2); 2 -> 3 (PR commits); 3 and 1 -> 4 (base).
        let g = graph(&[
            (&[1, 2], Some(5)),
            (&[4], None),
            (&[3], None),
            (&[4], None),
            (&[], None),
        ]);
        assert_eq!(
            merged_branch_prs(&g, 0),
            vec![None, None, Some(5), Some(5), None]
        );
    }

    #[test]
    fn commits_already_on_the_first_parent_side_are_not_claimed() {
        // The PR branch merged main in (2 = merge of 3 and 1): 1 is reachable from parent 1.
        // 0 = merge #7 (1, 2); 2 = "Merge branch main" (3, 1); 3 -> 4; 1 -> 4.
        let g = graph(&[
            (&[1, 2], Some(7)),
            (&[4], None),
            (&[3, 1], None),
            (&[4], None),
            (&[], None),
        ]);
        assert_eq!(
            merged_branch_prs(&g, 0),
            vec![None, None, Some(7), Some(7), None]
        );
    }

    #[test]
    fn nested_pr_merge_wins_inside_outer_pr() {
        // 0 = merge #1 (1, 2); 2 = merge #2 (3, 4); 4 -> 3; 3 -> 1; 1 root.
        let g = graph(&[
            (&[1, 2], Some(1)),
            (&[], None),
            (&[3, 4], Some(2)),
            (&[1], None),
            (&[3], None),
        ]);
        assert_eq!(
            merged_branch_prs(&g, 0),
            vec![None, None, Some(1), Some(1), Some(2)]
        );
    }

    #[test]
    fn parents_outside_the_walk_stop_the_claim() {
        let g = graph(&[(&[OUTSIDE, 1], Some(3)), (&[OUTSIDE], None)]);
        assert_eq!(merged_branch_prs(&g, 0), vec![None, Some(3)]);
    }

    #[test]
    fn later_merge_does_not_reclaim_earlier_prs_commits() {
        // 0 = merge #2 (1, 3); 1 = merge #1 (4, 2); 2 -> 4; 3 -> 2 (branch built on PR 1's commit).
        let g = graph(&[
            (&[1, 3], Some(2)),
            (&[4, 2], Some(1)),
            (&[4], None),
            (&[2], None),
            (&[], None),
        ]);
        assert_eq!(
            merged_branch_prs(&g, 0),
            vec![None, None, Some(1), Some(2), None]
        );
    }
}
