//! Duplicate contacts and merging them: thin adapters over
//! `rapport_core::ops::duplicates` and `rapport_core::ops::merge`.

use rapport_core::ops::merge::merge_contacts;

use super::Contact;
use crate::graphql::merge::merge_adapters;

merge_adapters! {
    Contact: Contact, Contacts, Contacts, merge_contacts;
    ContactMergeQuery {
        /// Pairs of live contacts that look like one person, highest score
        /// first (MANAGER and ADMIN): the same email without its `+tag`, the
        /// same phone, the same or a similar name at the same company. A role
        /// narrowed to its team's or its own contacts gets the pairs of two it
        /// reads.
        duplicate_contacts
    }
    ContactMergeMutation {
        /// Merges contacts into a survivor in one transaction (MANAGER and
        /// ADMIN): their deals and roles on them, tickets, activities, orders,
        /// survey answers, engagements, score history, tags and external ids
        /// move to it; it keeps its own fields, fills blank ones from the
        /// merged contacts, and takes the fields `keep` names from the record
        /// named; the merged contacts are deleted with `mergedInto`, and their
        /// global ids resolve to the survivor through `node`.
        merge_contacts("The contact that stays.", "The contacts merged into it (1 to 50).")
    }
    MergeContactsPayload {
        /// The result of `mergeContacts`.
        contact,
        /// The merged contacts, now deleted, each with `mergedInto`.
    }
}
