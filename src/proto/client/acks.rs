//! The acknowledgements a namespace socket waits for.

use super::PendingAck;

/// Pending acks sorted by id (ids only grow). Answers usually come oldest
/// first, so the front is taken by moving `head`; the list is compacted once
/// most of it is taken. A plain vector, not a deque: one collection type less
/// in the wasm.
#[derive(Debug, Default)]
pub(super) struct AckList {
    list: Vec<PendingAck>,
    head: usize,
}

impl AckList {
    /// Adds the ack of a new emit (its id is the largest yet).
    pub fn push(&mut self, ack: PendingAck) {
        self.list.push(ack);
    }

    fn live(&self) -> &[PendingAck] {
        self.list.get(self.head..).unwrap_or_default()
    }

    /// The pending ack `id`.
    pub fn find(&self, id: u64) -> Option<&PendingAck> {
        let live = self.live();
        live.binary_search_by_key(&id, |a| a.id).ok().and_then(|i| live.get(i))
    }

    /// Removes the pending ack `id` and returns it.
    pub fn take(&mut self, id: u64) -> Option<PendingAck> {
        let i = self.live().binary_search_by_key(&id, |a| a.id).ok()?;
        if i > 0 {
            return Some(self.list.remove(self.head + i));
        }
        let ack = *self.list.get(self.head)?;
        self.head += 1;
        if self.head == self.list.len() {
            self.list.clear();
            self.head = 0;
        } else if self.head >= 32 && self.head * 2 >= self.list.len() {
            self.compact();
        }
        Some(ack)
    }

    /// Keeps the acks for which `keep` is true.
    pub fn retain(&mut self, keep: impl FnMut(&PendingAck) -> bool) {
        self.compact();
        self.list.retain(keep);
    }

    /// Drops the entries before the head (copied down: the acks are `Copy`,
    /// so no drain and its drop guard).
    fn compact(&mut self) {
        let live = self.list.len() - self.head;
        self.list.copy_within(self.head.., 0);
        self.list.truncate(live);
        self.head = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::super::{AckTarget, PendingAck};
    use super::AckList;

    fn ack(id: u64) -> PendingAck {
        PendingAck { id, target: AckTarget::User(id as u32), with_error: false, deadline: Some(id * 10) }
    }

    fn ids(list: &AckList) -> Vec<u64> {
        list.live().iter().map(|a| a.id).collect()
    }

    #[test]
    fn takes_in_any_order_across_compactions() {
        let mut list = AckList::default();
        for id in 0..200 {
            list.push(ack(id));
        }
        // Oldest first, past several compactions, with one from the middle.
        for id in 0..150 {
            let a = list.take(id).unwrap();
            assert_eq!((a.id, a.deadline), (id, Some(id * 10)));
            if id == 40 {
                assert_eq!(list.take(180).map(|a| a.id), Some(180));
            }
        }
        assert!(list.take(180).is_none() && list.take(3).is_none());
        let mut left: Vec<u64> = (150..200).filter(|&id| id != 180).collect();
        assert_eq!(ids(&list), left);
        assert_eq!(list.find(199).map(|a| a.deadline), Some(Some(1990)));
        // A retain after the head moved keeps exactly the chosen ones, in order.
        list.take(150);
        list.retain(|a| a.id % 2 == 1);
        left.retain(|&id| id != 150 && id % 2 == 1);
        assert_eq!(ids(&list), left);
        for id in left {
            assert_eq!(list.take(id).map(|a| a.id), Some(id));
        }
        assert!(ids(&list).is_empty());
    }
}
