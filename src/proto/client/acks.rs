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
            self.list.drain(..self.head);
            self.head = 0;
        }
        Some(ack)
    }

    /// Keeps the acks for which `keep` is true.
    pub fn retain(&mut self, keep: impl FnMut(&PendingAck) -> bool) {
        self.list.drain(..self.head);
        self.head = 0;
        self.list.retain(keep);
    }
}
