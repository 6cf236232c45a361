//! A first-in first-out queue on two vectors.
//!
//! The client's queues (transmits, events, the retry queue) only push at the
//! back and take from the front. Two vectors do that in amortised O(1) with
//! nothing but `push`, `pop` and `reverse`: much less code in the wasm than a
//! `VecDeque`, whose growth and wrap-around handling is instantiated for each
//! item type.

/// The queue: items are pushed on `back`; `front` holds the oldest ones in
/// reverse order, the next one last.
#[derive(Debug)]
pub(crate) struct Fifo<T> {
    back: Vec<T>,
    front: Vec<T>,
}

impl<T> Default for Fifo<T> {
    fn default() -> Self {
        Fifo { back: Vec::new(), front: Vec::new() }
    }
}

impl<T> Fifo<T> {
    pub(crate) fn push_back(&mut self, item: T) {
        self.back.push(item);
    }

    /// Moves the pushed items to the front once the front is empty.
    fn refill(&mut self) {
        if self.front.is_empty() {
            std::mem::swap(&mut self.front, &mut self.back);
            self.front.reverse();
        }
    }

    pub(crate) fn pop_front(&mut self) -> Option<T> {
        self.refill();
        self.front.pop()
    }

    pub(crate) fn front_mut(&mut self) -> Option<&mut T> {
        self.refill();
        self.front.last_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::Fifo;

    #[test]
    fn first_in_first_out_across_refills() {
        let mut q = Fifo::default();
        q.push_back(1);
        q.push_back(2);
        assert_eq!(q.pop_front(), Some(1));
        q.push_back(3);
        if let Some(head) = q.front_mut() {
            *head = 20;
        }
        assert_eq!(q.pop_front(), Some(20));
        assert_eq!(q.pop_front(), Some(3));
        assert_eq!(q.front_mut(), None);
        assert_eq!(q.pop_front(), None);
    }
}
