//! Enumerations stored as short strings. With the `graphql` feature they double as GraphQL enums, so the
//! stored value and the API value cannot drift apart.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $value:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
        #[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
        #[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))")]
        #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
        pub enum $name {
            $($(#[$vmeta])* #[sea_orm(string_value = $value)] $variant),+
        }
    };
}

string_enum! {
    /// What a member may do in a workspace.
    Role {
        /// Everything, including members and pipelines.
        Admin = "ADMIN",
        /// All records and reports.
        Manager = "MANAGER",
        /// Companies, contacts and deals.
        Sales = "SALES",
        /// Tickets and contacts.
        Support = "SUPPORT",
        /// Read only.
        Viewer = "VIEWER",
    }
}

string_enum! {
    /// What a role reads of deals, companies or contacts.
    Visibility {
        /// Every record of the workspace.
        All = "ALL",
        /// Records owned by a member of the reader's team, and unowned ones
        /// (a reader without a team: as `OWNED`).
        Team = "TEAM",
        /// The reader's own records, and unowned ones.
        Owned = "OWNED",
    }
}

string_enum! {
    /// Where a contact stands in the customer lifecycle.
    LifecycleStage {
        /// Receives content, not yet a lead.
        Subscriber = "SUBSCRIBER",
        /// Showed interest.
        Lead = "LEAD",
        /// Marketing-qualified lead.
        MarketingQualified = "MARKETING_QUALIFIED",
        /// Sales-qualified lead.
        SalesQualified = "SALES_QUALIFIED",
        /// In an open deal.
        Opportunity = "OPPORTUNITY",
        /// Bought.
        Customer = "CUSTOMER",
        /// Recommends us.
        Evangelist = "EVANGELIST",
        /// None of the above.
        Other = "OTHER",
    }
}

string_enum! {
    /// What a stage means for the deals in it.
    StageKind {
        /// Still being worked.
        Open = "OPEN",
        /// Closed as won.
        Won = "WON",
        /// Closed as lost.
        Lost = "LOST",
    }
}

string_enum! {
    /// A deal's state, derived from its stage's kind.
    DealStatus {
        /// Being worked.
        Open = "OPEN",
        /// Closed as won.
        Won = "WON",
        /// Closed as lost.
        Lost = "LOST",
    }
}

string_enum! {
    /// The part a contact plays in a deal.
    DealContactRole {
        /// Signs off the purchase.
        DecisionMaker = "DECISION_MAKER",
        /// Pushes for us inside the customer.
        Champion = "CHAMPION",
        /// Shapes the decision.
        Influencer = "INFLUENCER",
        /// Will use the product.
        User = "USER",
        /// Stands in the way.
        Blocker = "BLOCKER",
    }
}

string_enum! {
    /// Where a ticket is in its life.
    TicketStatus {
        /// Waiting for support.
        Open = "OPEN",
        /// Waiting for the customer.
        Pending = "PENDING",
        /// Solved, may reopen.
        Resolved = "RESOLVED",
        /// Done for good.
        Closed = "CLOSED",
    }
}

string_enum! {
    /// How urgent a ticket is.
    TicketPriority {
        /// Whenever.
        Low = "LOW",
        /// The default.
        Normal = "NORMAL",
        /// Soon.
        High = "HIGH",
        /// Now.
        Urgent = "URGENT",
    }
}

string_enum! {
    /// The kind of a timeline entry.
    ActivityKind {
        /// A written note.
        Note = "NOTE",
        /// A phone call.
        Call = "CALL",
        /// An email.
        Email = "EMAIL",
        /// A meeting.
        Meeting = "MEETING",
        /// Something to do, with a due date.
        Task = "TASK",
    }
}

string_enum! {
    /// The kinds of record a tag can be put on.
    TaggableType {
        /// A company.
        Company = "COMPANY",
        /// A contact.
        Contact = "CONTACT",
        /// A deal.
        Deal = "DEAL",
        /// A ticket.
        Ticket = "TICKET",
    }
}

string_enum! {
    /// Which survey a response answers.
    SurveyKind {
        /// Net Promoter Score: "how likely are you to recommend us", 0–10.
        Nps = "NPS",
        /// Customer satisfaction: "how satisfied were you", 1–5.
        Csat = "CSAT",
    }
}

string_enum! {
    /// Which list a standardised reason belongs to.
    ReasonKind {
        /// Why a deal was won.
        DealWon = "DEAL_WON",
        /// Why a deal was lost.
        DealLost = "DEAL_LOST",
        /// Why a customer left.
        CustomerExit = "CUSTOMER_EXIT",
        /// Why a survey answer scored as it did.
        Satisfaction = "SATISFACTION",
    }
}

string_enum! {
    /// The GDPR ground for emailing a contact.
    LegalBasis {
        /// The contact agreed (GDPR art. 6(1)(a)).
        Consent = "CONSENT",
        /// Needed for a contract with the contact (art. 6(1)(b)).
        Contract = "CONTRACT",
        /// The business's legitimate interest (art. 6(1)(f)).
        LegitimateInterest = "LEGITIMATE_INTEREST",
        /// Required by law (art. 6(1)(c)).
        LegalObligation = "LEGAL_OBLIGATION",
    }
}

string_enum! {
    /// What a lead scoring rule looks at: a field of the contact or its
    /// company, or one kind of tracked engagement.
    ScoringTarget {
        /// The contact's job title contains `contains` (ignoring case).
        JobTitle = "JOB_TITLE",
        /// The company's industry contains `contains` (ignoring case).
        Industry = "INDUSTRY",
        /// The company's employee count lies in `atLeast`..`atMost`.
        CompanySize = "COMPANY_SIZE",
        /// The company's annual revenue lies in `atLeast`..`atMost` (nominal, any currency).
        AnnualRevenue = "ANNUAL_REVENUE",
        /// Each page view of the contact.
        PageView = "PAGE_VIEW",
        /// Each email click of the contact.
        EmailClick = "EMAIL_CLICK",
        /// Each webinar signup of the contact.
        WebinarSignup = "WEBINAR_SIGNUP",
        /// Each web form the contact submitted.
        FormSubmission = "FORM_SUBMISSION",
    }
}

string_enum! {
    /// A tracked behaviour of a contact.
    EngagementKind {
        /// The contact viewed a tracked page.
        PageView = "PAGE_VIEW",
        /// The contact clicked a link in an email.
        EmailClick = "EMAIL_CLICK",
        /// The contact signed up for a webinar.
        WebinarSignup = "WEBINAR_SIGNUP",
        /// The contact submitted a web form.
        FormSubmission = "FORM_SUBMISSION",
    }
}

string_enum! {
    /// What a trigger watches.
    TriggerKind {
        /// A CSAT answer scores below `threshold`.
        CsatBelow = "CSAT_BELOW",
        /// A contact opens `threshold` tickets within `within_days` days.
        TicketBurst = "TICKET_BURST",
        /// A company's competitor contract ends within `within_days` days.
        ContractEnding = "CONTRACT_ENDING",
    }
}

string_enum! {
    /// Where a campaign reaches people.
    CampaignChannel {
        /// Email sends and newsletters.
        Email = "EMAIL",
        /// Social networks, organic or paid.
        Social = "SOCIAL",
        /// Paid search ads.
        SearchAds = "SEARCH_ADS",
        /// Trade shows, webinars, meetups.
        Event = "EVENT",
        /// The website: landing pages, content.
        Web = "WEB",
        /// Referrals by customers or partners.
        Referral = "REFERRAL",
        /// None of the above.
        Other = "OTHER",
    }
}

string_enum! {
    /// Where a campaign is in its life.
    CampaignStatus {
        /// Being prepared; not running yet.
        Planned = "PLANNED",
        /// Running.
        Active = "ACTIVE",
        /// Stopped for now.
        Paused = "PAUSED",
        /// Over.
        Completed = "COMPLETED",
    }
}

string_enum! {
    /// The records a segment or list holds.
    SegmentType {
        /// Contacts.
        Contact = "CONTACT",
        /// Companies.
        Company = "COMPANY",
        /// Deals.
        Deal = "DEAL",
    }
}

string_enum! {
    /// How a saved view finds its records.
    SegmentKind {
        /// A saved filter, evaluated whenever it is read.
        Segment = "SEGMENT",
        /// A static set: records are added and removed by hand.
        List = "LIST",
    }
}

string_enum! {
    /// Where an order stands. Only placed orders count toward lifetime
    /// value, revenue and the order figures; carts feed the abandoned-cart
    /// rate.
    OrderStatus {
        /// Items chosen, not yet bought.
        Cart = "CART",
        /// A cart left without buying.
        Abandoned = "ABANDONED",
        /// Bought.
        Placed = "PLACED",
        /// Placed, then called off before it was fulfilled.
        Cancelled = "CANCELLED",
        /// Placed, then paid back.
        Refunded = "REFUNDED",
    }
}

string_enum! {
    /// The records a custom field belongs to.
    CustomFieldRecordType {
        /// Companies.
        Company = "COMPANY",
        /// Contacts.
        Contact = "CONTACT",
        /// Deals.
        Deal = "DEAL",
        /// Tickets.
        Ticket = "TICKET",
    }
}

impl CustomFieldRecordType {
    /// The table of the records.
    pub fn table(self) -> &'static str {
        match self {
            Self::Company => "company",
            Self::Contact => "contact",
            Self::Deal => "deal",
            Self::Ticket => "ticket",
        }
    }
}

string_enum! {
    /// What a custom field holds, and how its values are checked.
    CustomFieldType {
        /// Text of at most 2,000 characters.
        Text = "TEXT",
        /// A whole number between -9007199254740991 and 9007199254740991 (exact in every JSON parser).
        Number = "NUMBER",
        /// A decimal number of at most 15 significant digits, at most 6 of them after the point.
        Decimal = "DECIMAL",
        /// A calendar date, `YYYY-MM-DD`.
        Date = "DATE",
        /// An instant, RFC 3339; kept in UTC with microseconds.
        Datetime = "DATETIME",
        /// True or false.
        Boolean = "BOOLEAN",
        /// One of the field's options.
        Select = "SELECT",
        /// Several of the field's options, each at most once, in the options' order.
        MultiSelect = "MULTI_SELECT",
        /// An absolute `http` or `https` URL.
        Url = "URL",
        /// An email address, trimmed and lower-cased.
        Email = "EMAIL",
    }
}
