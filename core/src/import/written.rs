//! What a batch's rows wrote, gathered as they go: the topics its summary
//! event goes to, and the records whose derived rows (search documents,
//! duplicate pairs) it rewrites before it commits. An import writes history
//! instead of one event per record, so the commit cannot read these from
//! its events.

use std::collections::BTreeSet;

use crate::events::NewEvent;
use crate::store::derived::Touched;

#[derive(Debug, Default)]
pub struct Written {
    pub topics: BTreeSet<String>,
    pub touched: Touched,
}

impl Written {
    /// Notes what `events` (recorded as history) name.
    pub fn add(&mut self, events: impl IntoIterator<Item = NewEvent>) {
        for event in events {
            self.touched
                .event(event.record_type, &event.kind, event.record_id);
            self.topics.insert(event.topic);
        }
    }
}
