//! The ack deadlines, earliest first.
//!
//! A vector sorted by `(at, socket, ack id)` and read from a moving head:
//! less code in the wasm than a `BinaryHeap`, and as cheap for the usual
//! order. A new deadline is almost always the latest (one ack timeout for
//! every emit), so inserting it is a push; taking the earliest moves the head,
//! and the part behind it is dropped once it is the larger half (so a taken
//! deadline is copied once on average).

use super::SocketId;

/// When an ack times out: `(at, socket, ack id)`.
pub(crate) type Deadline = (u64, SocketId, u64);

#[derive(Debug, Default)]
pub(crate) struct Deadlines {
    items: Vec<Deadline>,
    /// The earliest deadline still queued.
    head: usize,
}

impl Deadlines {
    pub(crate) fn insert(&mut self, deadline: Deadline) {
        let queued = self.items.get(self.head..).unwrap_or_default();
        let at = self.head + queued.partition_point(|d| *d <= deadline);
        self.items.insert(at, deadline);
    }

    /// The earliest deadline.
    pub(crate) fn first(&self) -> Option<Deadline> {
        self.items.get(self.head).copied()
    }

    /// Drops the earliest deadline (there is one: [`Deadlines::first`] said so).
    pub(crate) fn pop_first(&mut self) {
        self.head += 1;
        if self.head * 2 >= self.items.len() {
            let queued = self.items.get(self.head..).unwrap_or_default().to_vec();
            self.items = queued;
            self.head = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Deadlines;

    #[test]
    fn earliest_first_in_any_insert_order() {
        let mut d = Deadlines::default();
        for (i, at) in [30, 10, 20, 10, 40].into_iter().enumerate() {
            d.insert((at, 0, i as u64));
        }
        let mut out = Vec::new();
        while let Some(first) = d.first() {
            out.push(first);
            d.pop_first();
        }
        assert_eq!(out, [(10, 0, 1), (10, 0, 3), (20, 0, 2), (30, 0, 0), (40, 0, 4)]);
    }

    #[test]
    fn the_taken_part_is_dropped() {
        let mut d = Deadlines::default();
        for i in 0..1000u64 {
            d.insert((i, 0, i));
            if i % 2 == 1 {
                d.pop_first();
            }
        }
        assert_eq!(d.first(), Some((500, 0, 500)));
        // 500 queued; what was taken before them is never the larger part.
        assert_eq!(d.items.len() - d.head, 500);
        assert!(d.head <= 500, "{}", d.head);
        while d.first().is_some_and(|(at, _, _)| at < 900) {
            d.pop_first();
        }
        assert_eq!(d.items.len() - d.head, 100);
        assert!(d.head <= 100, "{}", d.head);
        d.insert((0, 0, 9999));
        assert_eq!(d.first(), Some((0, 0, 9999)));
    }
}
