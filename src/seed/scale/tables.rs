//! The tables the seed writes and the columns it fills (every column
//! without a default; the rest stay NULL, as the API leaves them).

use super::row::Table;

pub const WORKSPACE: Table = Table {
    name: "workspace",
    columns: &[
        "id",
        "name",
        "ticket_seq",
        "event_seq",
        "created_at",
        "updated_at",
    ],
};

pub const MEMBER: Table = Table {
    name: "member",
    columns: &[
        "id",
        "workspace_id",
        "email",
        "name",
        "role",
        "title",
        "commission_bps",
        "created_at",
        "updated_at",
    ],
};

pub const PIPELINE: Table = Table {
    name: "pipeline",
    columns: &[
        "id",
        "workspace_id",
        "name",
        "position",
        "version",
        "created_at",
        "updated_at",
    ],
};

pub const STAGE: Table = Table {
    name: "stage",
    columns: &[
        "id",
        "workspace_id",
        "pipeline_id",
        "name",
        "position",
        "win_probability",
        "kind",
        "version",
        "created_at",
        "updated_at",
    ],
};

pub const REASON: Table = Table {
    name: "reason",
    columns: &[
        "id",
        "workspace_id",
        "kind",
        "code",
        "label",
        "active",
        "version",
        "created_at",
        "updated_at",
    ],
};

pub const TAG: Table = Table {
    name: "tag",
    columns: &[
        "id",
        "workspace_id",
        "name",
        "color",
        "created_at",
        "updated_at",
    ],
};

pub const SCORING_RULE: Table = Table {
    name: "lead_scoring_rule",
    columns: &[
        "id",
        "workspace_id",
        "name",
        "target",
        "text_value",
        "min_value",
        "max_value",
        "points",
        "active",
        "version",
        "created_at",
        "updated_at",
    ],
};

pub const GOAL: Table = Table {
    name: "goal",
    columns: &[
        "id",
        "workspace_id",
        "member_id",
        "period_start",
        "period_end",
        "quota_e4",
        "currency",
        "version",
        "created_at",
        "updated_at",
    ],
};

pub const COMPANY: Table = Table {
    name: "company",
    columns: &[
        "id",
        "workspace_id",
        "name",
        "domain",
        "industry",
        "employee_count",
        "annual_revenue_e4",
        "annual_revenue_currency",
        "city",
        "country",
        "owner_id",
        "current_vendor",
        "vendor_contract_ends_on",
        "churned_at",
        "exit_reason",
        "version",
        "created_at",
        "updated_at",
    ],
};

pub const CONTACT: Table = Table {
    name: "contact",
    columns: &[
        "id",
        "workspace_id",
        "company_id",
        "first_name",
        "last_name",
        "email",
        "phone",
        "job_title",
        "lifecycle_stage",
        "city",
        "country",
        "birthdate",
        "owner_id",
        "lead_score",
        "email_opt_in",
        "email_opt_in_at",
        "consent_source",
        "consent_legal_basis",
        "unsubscribed_at",
        "version",
        "created_at",
        "updated_at",
    ],
};

pub const DEAL: Table = Table {
    name: "deal",
    columns: &[
        "id",
        "workspace_id",
        "name",
        "amount_e4",
        "currency",
        "pipeline_id",
        "stage_id",
        "company_id",
        "owner_id",
        "expected_close_date",
        "status",
        "closed_at",
        "close_reason",
        "stage_entered_at",
        "version",
        "created_at",
        "updated_at",
    ],
};

pub const DEAL_CONTACT: Table = Table {
    name: "deal_contact",
    columns: &[
        "id",
        "workspace_id",
        "deal_id",
        "contact_id",
        "role",
        "created_at",
        "updated_at",
    ],
};

pub const STAGE_CHANGE: Table = Table {
    name: "deal_stage_change",
    columns: &[
        "id",
        "workspace_id",
        "deal_id",
        "from_stage_id",
        "to_stage_id",
        "changed_by",
        "created_at",
        "updated_at",
    ],
};

pub const TICKET: Table = Table {
    name: "ticket",
    columns: &[
        "id",
        "workspace_id",
        "number",
        "subject",
        "description",
        "status",
        "priority",
        "category",
        "contact_id",
        "company_id",
        "deal_id",
        "assignee_id",
        "opened_at",
        "first_response_at",
        "resolved_at",
        "closed_at",
        "version",
        "created_at",
        "updated_at",
    ],
};

pub const ACTIVITY: Table = Table {
    name: "activity",
    columns: &[
        "id",
        "workspace_id",
        "kind",
        "subject",
        "body",
        "occurred_at",
        "due_at",
        "completed_at",
        "contact_id",
        "company_id",
        "deal_id",
        "ticket_id",
        "author_id",
        "assignee_id",
        "version",
        "deleted_at",
        "created_at",
        "updated_at",
    ],
};

pub const TAGGING: Table = Table {
    name: "tagging",
    columns: &[
        "id",
        "workspace_id",
        "tag_id",
        "record_type",
        "record_id",
        "created_at",
        "updated_at",
    ],
};

pub const ORDER: Table = Table {
    name: "customer_order",
    columns: &[
        "id",
        "workspace_id",
        "contact_id",
        "company_id",
        "product",
        "quantity",
        "amount_e4",
        "currency",
        "ordered_at",
        "version",
        "created_at",
        "updated_at",
    ],
};

pub const SURVEY: Table = Table {
    name: "survey_response",
    columns: &[
        "id",
        "workspace_id",
        "contact_id",
        "ticket_id",
        "kind",
        "score",
        "reason",
        "comment",
        "responded_at",
        "version",
        "created_at",
        "updated_at",
    ],
};
