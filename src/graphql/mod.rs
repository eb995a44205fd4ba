//! The GraphQL schema: one module per domain, merged into one Query and one
//! Mutation, plus the machinery that keeps nested lists at one SQL statement
//! per level ([`level`], [`page`], [`list`]).

pub mod activity;
pub mod aggregate;
pub mod analytics;
pub mod api_key;
pub mod bounds;
pub mod bulk;
pub mod calculated;
pub mod campaign;
pub mod charts;
pub mod company;
pub mod completion;
pub mod consent;
pub mod contact;
pub mod context;
pub mod custom_field;
pub mod customer;
pub mod customer_order;
pub mod deal;
pub mod document;
pub mod error;
pub mod exact_numbers;
pub mod external_id;
pub mod fast;
pub mod filter;
pub mod form;
pub mod goal;
pub mod guard;
pub mod history;
pub mod history_kind;
pub mod ids;
pub mod import;
pub mod insight;
pub mod level;
pub mod list;
pub mod live;
pub mod member;
pub mod merge;
pub mod node;
pub mod order;
pub mod page;
pub mod parsed;
pub mod password_cap;
pub mod pipeline;
pub mod product;
pub mod rates;
pub mod reason;
pub mod scalars;
pub mod scoring;
pub mod search;
pub mod segment;
pub mod survey;
pub mod tag;
pub mod team;
pub mod ticket;
pub mod triggers;
pub mod webhooks;
pub mod workspace;
pub mod write;

use async_graphql::{MergedObject, SDLExportOptions, Schema};

use crate::services::Services;

/// Every query field. Merged in two halves: one merge of every part nests
/// its resolver futures too deep for the compiler's default recursion limit.
#[derive(MergedObject, Default)]
pub struct Query(RecordQuery, InsightQuery);

/// The query fields of records and who works on them.
#[derive(MergedObject, Default)]
pub struct RecordQuery(
    node::NodeQuery,
    member::MemberQuery,
    workspace::WorkspaceQuery,
    company::CompanyQuery,
    contact::ContactQuery,
    contact::ContactMergeQuery,
    company::CompanyMergeQuery,
    pipeline::PipelineQuery,
    deal::DealQuery,
    ticket::TicketQuery,
    activity::ActivityQuery,
    tag::TagQuery,
    team::TeamQuery,
    live::DashboardQuery,
);

/// The query fields of figures, rules, history and integrations.
#[derive(MergedObject, Default)]
pub struct InsightQuery(
    live::EventCursorQuery,
    api_key::ApiKeyQuery,
    history::HistoryQuery,
    customer_order::OrderQuery,
    survey::SurveyResponseQuery,
    charts::ChartsQuery,
    goal::GoalQuery,
    campaign::CampaignQuery,
    product::ProductQuery,
    custom_field::CustomFieldQuery,
    search::SearchQuery,
    analytics::AnalyticsQuery,
    reason::ReasonQuery,
    scoring::RuleQuery,
    triggers::TriggerRuleQuery,
    webhooks::WebhookQuery,
    import::ImportQuery,
    form::FormQuery,
    segment::SegmentQuery,
);

/// Every mutation, merged in two halves like [`Query`].
#[derive(MergedObject, Default)]
pub struct Mutation(RecordMutation, UpkeepMutation);

/// The mutations of records and who works on them.
#[derive(MergedObject, Default)]
pub struct RecordMutation(
    member::MemberMutation,
    api_key::ApiKeyMutation,
    customer_order::OrderMutation,
    survey::SurveyResponseMutation,
    company::CompanyMutation,
    customer::CustomerMutation,
    contact::ContactMutation,
    contact::ContactMergeMutation,
    contact::ContactArchiveMutation,
    contact::ContactErasureMutation,
    company::CompanyMergeMutation,
    pipeline::PipelineMutation,
    deal::DealMutation,
    ticket::TicketMutation,
);

/// The mutations of rules, goals, consent, bulk writes and integrations.
#[derive(MergedObject, Default)]
pub struct UpkeepMutation(
    activity::ActivityMutation,
    tag::TagMutation,
    goal::GoalMutation,
    campaign::CampaignMutation,
    product::ProductMutation,
    custom_field::CustomFieldMutation,
    campaign::touch::AttributionMutation,
    reason::ReasonMutation,
    scoring::RuleMutation,
    scoring::EngagementMutation,
    consent::ConsentMutation,
    triggers::TriggerRuleMutation,
    triggers::TriggerSweepMutation,
    workspace::WorkspaceMutation,
    bulk::BulkMutation,
    webhooks::WebhookMutation,
    import::ImportMutation,
    form::FormMutation,
    segment::SegmentMutation,
    document::DocumentMutation,
    team::TeamMutation,
);

/// The schema type.
pub type RapportSchema = Schema<Query, Mutation, live::Subscription>;

/// Deepest selection accepted: company → contacts → deals → tickets through
/// `edges { node }` is 13 levels; the rest is headroom for fields below.
pub const MAX_DEPTH: usize = 20;

/// Most directives on one field.
pub const MAX_DIRECTIVES: usize = 4;

/// The schema, with the services every resolver reads and the limits
/// its configuration sets.
pub fn build(state: Option<Services>) -> RapportSchema {
    let mut builder = Schema::build(
        Query::default(),
        Mutation::default(),
        live::Subscription::default(),
    )
    .limit_depth(MAX_DEPTH)
    .register_input_type::<scalars::SchemaDocs>();
    if let Some(state) = state {
        let config = &state.config;
        builder = builder
            .limit_complexity(config.max_complexity)
            .limit_directives(MAX_DIRECTIVES);
        if !config.introspection {
            builder = builder.disable_introspection().disable_suggestions();
        }
        builder = builder.data(state);
    }
    builder.finish()
}

/// The SDL of the schema, as committed in `schema.graphql`.
pub fn sdl() -> String {
    build(None).sdl_with_options(SDLExportOptions::new().include_specified_by())
}
