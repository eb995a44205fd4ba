//! What a history entry records, as an enum, and which stored fields are
//! references to other records (shown as global ids).

use async_graphql::Enum;

use super::ids::Kind;

/// What happened to a record in one history entry. The record's type is
/// its id's, so the kind names only the change.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum HistoryEntryKind {
    /// It was created; every field changes from null.
    Created,
    /// Some of its fields were edited.
    Updated,
    /// It was soft-deleted.
    Deleted,
    /// It was restored after a delete.
    Restored,
    /// A deal entered another stage.
    Moved,
    /// A deal was won or lost, or a ticket closed.
    Closed,
    /// A ticket was opened.
    Opened,
    /// A ticket was resolved.
    Resolved,
    /// A ticket's assignee changed.
    Assigned,
    /// A ticket moved between OPEN and PENDING.
    StatusChanged,
    /// A task was completed.
    Completed,
    /// An API key was revoked.
    Revoked,
    /// A member was invited.
    Invited,
    /// An invited member joined.
    Joined,
    /// A member was deactivated.
    Deactivated,
    /// A member was reactivated.
    Reactivated,
    /// A member's role changed.
    RoleChanged,
    /// A contact consented to marketing email.
    Consented,
    /// A contact unsubscribed from marketing email.
    Unsubscribed,
    /// A company's exit as a customer was recorded.
    Exited,
    /// A contact engaged (page view, email click, webinar signup).
    Engaged,
    /// Tags were put on or taken off the record.
    Tagged,
    /// A trigger fired.
    Fired,
    /// A contact's campaign touches were set by hand or by an import.
    Attributed,
    /// Duplicates were merged: on the survivor, the fields it took; on a
    /// merged record, its deletion with `mergedInto`.
    Merged,
    /// A contact's identity and descriptive data were erased (`eraseContact`);
    /// the entry holds the anonymised contact, never the erased values.
    Erased,
    /// Records were put on a list (`contactsAdded`, `companiesAdded` or
    /// `dealsAdded` holds their ids).
    MembersAdded,
    /// Records were taken off a list (`contactsRemoved`, …).
    MembersRemoved,
    /// A change of a kind this version of the API does not name; `event` has its name.
    Other,
}

impl HistoryEntryKind {
    /// The kind of a stored event name such as `deal.moved`.
    pub fn of(event: &str) -> Self {
        let verb = event.rsplit('.').next().unwrap_or(event);
        match verb {
            "created" => Self::Created,
            "updated" => Self::Updated,
            "deleted" => Self::Deleted,
            "restored" => Self::Restored,
            "moved" => Self::Moved,
            "closed" => Self::Closed,
            "opened" => Self::Opened,
            "resolved" => Self::Resolved,
            "assigned" => Self::Assigned,
            "status_changed" => Self::StatusChanged,
            "completed" => Self::Completed,
            "revoked" => Self::Revoked,
            "invited" => Self::Invited,
            "joined" => Self::Joined,
            "merged" => Self::Merged,
            "erased" => Self::Erased,
            "deactivated" => Self::Deactivated,
            "reactivated" => Self::Reactivated,
            "role_changed" => Self::RoleChanged,
            "consented" => Self::Consented,
            "unsubscribed" => Self::Unsubscribed,
            "exited" => Self::Exited,
            "engaged" => Self::Engaged,
            "tagged" => Self::Tagged,
            "fired" => Self::Fired,
            "attributed" => Self::Attributed,
            "members_added" => Self::MembersAdded,
            "members_removed" => Self::MembersRemoved,
            _ => Self::Other,
        }
    }
}

/// The kind of record a stored field refers to, for fields that hold a
/// record's uuid.
pub fn reference_kind(field: &str) -> Option<Kind> {
    Some(match field {
        "company_id" => Kind::Company,
        "contact_id" => Kind::Contact,
        "deal_id" => Kind::Deal,
        "ticket_id" => Kind::Ticket,
        "pipeline_id" => Kind::Pipeline,
        "stage_id" | "from_stage_id" | "to_stage_id" => Kind::Stage,
        "owner_id" | "assignee_id" | "author_id" | "member_id" => Kind::Member,
        "tag_id" => Kind::Tag,
        "task_id" => Kind::Activity,
        "trigger_id" => Kind::TriggerRule,
        "first_touch_campaign_id" | "last_touch_campaign_id" => Kind::Campaign,
        "product_id" => Kind::Product,
        "contacts_added" | "contacts_removed" => Kind::Contact,
        "companies_added" | "companies_removed" => Kind::Company,
        "deals_added" | "deals_removed" => Kind::Deal,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_event_names_read_as_kinds() {
        assert_eq!(HistoryEntryKind::of("deal.moved"), HistoryEntryKind::Moved);
        assert_eq!(
            HistoryEntryKind::of("ticket.status_changed"),
            HistoryEntryKind::StatusChanged
        );
        assert_eq!(
            HistoryEntryKind::of("deal.reopened_somehow"),
            HistoryEntryKind::Other
        );
        assert_eq!(reference_kind("stage_id"), Some(Kind::Stage));
        assert_eq!(reference_kind("amount_e4"), None);
    }
}
