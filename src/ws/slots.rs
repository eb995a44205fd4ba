//! How many operations each member runs over websockets in this process.
//!
//! A socket could otherwise hold thousands of subscriptions (one held 3,450,
//! RSS 155 → 223 MiB), and a member could open many sockets. Each running
//! operation holds a [`Slot`]; dropping it gives the slot back, so an
//! operation that completes, fails, or whose socket closes can never leak one.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use uuid::Uuid;

/// Operations running per member, bounded by `per_member`.
pub struct Slots {
    per_member: usize,
    held: Mutex<HashMap<Uuid, usize>>,
}

/// One running operation of `member`; gives its slot back when dropped.
pub struct Slot {
    slots: Arc<Slots>,
    member: Uuid,
}

impl Slots {
    /// At most `per_member` operations per member.
    pub fn new(per_member: usize) -> Self {
        Self {
            per_member,
            held: Mutex::default(),
        }
    }

    /// The most one member may run.
    pub fn per_member(&self) -> usize {
        self.per_member
    }

    /// A slot for one more operation of `member`, unless it runs its maximum.
    pub fn take(self: &Arc<Self>, member: Uuid) -> Option<Slot> {
        let mut held = self.held.lock().unwrap_or_else(PoisonError::into_inner);
        let count = held.entry(member).or_default();
        if *count >= self.per_member {
            return None;
        }
        *count += 1;
        Some(Slot {
            slots: self.clone(),
            member,
        })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut held = self
            .slots
            .held
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = held.get_mut(&self.member) {
            *count = count.saturating_sub(1);
            // Members without operations take no memory.
            if *count == 0 {
                held.remove(&self.member);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_bounded_per_member_and_given_back_on_drop() {
        let slots = Arc::new(Slots::new(2));
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        let first = slots.take(a).unwrap();
        let second = slots.take(a).unwrap();
        assert!(slots.take(a).is_none());
        let other = slots.take(b).unwrap();
        assert_eq!(slots.held.lock().unwrap()[&a], 2);
        drop(first);
        let third = slots.take(a).unwrap();
        drop((second, third, other));
        assert!(slots.held.lock().unwrap().is_empty());
    }
}
