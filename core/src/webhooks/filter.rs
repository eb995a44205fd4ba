//! Which events an endpoint wants: its event kinds (exact, or `prefix.*`)
//! and its filter (a pipeline, ticket priorities).

use entity::enums::TicketPriority;
use entity::{event, webhook_endpoint};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

/// What narrows an endpoint's events beyond their kind. A condition that is
/// set lets through only events whose record has the field and matches.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventFilter {
    /// Only events of deals (and stages) in this pipeline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pipeline_id: Option<Uuid>,
    /// Only events of tickets with one of these priorities (`HIGH`, …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ticket_priorities: Vec<TicketPriority>,
}

impl EventFilter {
    /// Whether nothing is narrowed.
    pub fn is_empty(&self) -> bool {
        self.pipeline_id.is_none() && self.ticket_priorities.is_empty()
    }
}

/// Whether `kinds` (empty: every kind) lets `kind` through.
pub fn kind_matches(kinds: &[String], kind: &str) -> bool {
    kinds.is_empty()
        || kinds.iter().any(|wanted| match wanted.strip_suffix('*') {
            Some(prefix) => kind.starts_with(prefix),
            None => wanted == kind,
        })
}

/// The endpoint's event kinds, as stored.
pub fn kinds_of(endpoint: &webhook_endpoint::Model) -> Vec<String> {
    serde_json::from_value(endpoint.event_kinds.clone()).unwrap_or_default()
}

/// The endpoint's filter, as stored.
pub fn filter_of(endpoint: &webhook_endpoint::Model) -> EventFilter {
    endpoint
        .filter
        .clone()
        .and_then(|f| serde_json::from_value(f).ok())
        .unwrap_or_default()
}

/// Whether the endpoint wants event `e`.
pub fn wants(endpoint: &webhook_endpoint::Model, e: &event::Model) -> bool {
    kind_matches(&kinds_of(endpoint), &e.kind) && passes(&filter_of(endpoint), e)
}

/// Whether `e` passes `filter`.
pub fn passes(filter: &EventFilter, e: &event::Model) -> bool {
    let record = record_of(e);
    if let Some(pipeline) = filter.pipeline_id {
        let in_topic = e.topic == format!("pipeline:{pipeline}");
        let in_record = field(record, "pipeline_id") == Some(pipeline.to_string().as_str());
        if !in_topic && !in_record {
            return false;
        }
    }
    if !filter.ticket_priorities.is_empty() {
        let priority = (e.record_type == "Ticket")
            .then(|| record.get("priority"))
            .flatten()
            .and_then(|p| TicketPriority::deserialize(p).ok());
        if !priority.is_some_and(|p| filter.ticket_priorities.contains(&p)) {
            return false;
        }
    }
    true
}

/// The record an event's payload carries: `payload[<type>]` when it wraps
/// it (`{ "deal": {...}, "fromStageId": ... }`), else the payload itself.
fn record_of(e: &event::Model) -> &Value {
    let key = e.record_type.to_lowercase();
    match e.payload.get(&key) {
        Some(record @ Value::Object(_)) => record,
        _ => &e.payload,
    }
}

fn field<'a>(record: &'a Value, name: &str) -> Option<&'a str> {
    record.get(name).and_then(Value::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(kind: &str, record_type: &str, topic: &str, payload: Value) -> event::Model {
        event::Model {
            id: 1,
            workspace_id: Uuid::nil(),
            seq: 1,
            topic: topic.into(),
            kind: kind.into(),
            record_type: record_type.into(),
            record_id: Uuid::nil(),
            actor_id: None,
            payload,
            created_at: chrono::Utc::now(),
        }
    }

    #[test]
    fn kinds_match_exactly_or_by_prefix() {
        let kinds = vec!["deal.moved".to_owned(), "ticket.*".to_owned()];
        assert!(kind_matches(&kinds, "deal.moved"));
        assert!(kind_matches(&kinds, "ticket.opened"));
        assert!(!kind_matches(&kinds, "deal.created"));
        assert!(kind_matches(&[], "anything.at_all"));
    }

    #[test]
    fn filters_need_the_field_to_match() {
        let pipeline = Uuid::from_u128(7);
        let by_pipeline = EventFilter {
            pipeline_id: Some(pipeline),
            ..EventFilter::default()
        };
        let deal = json!({ "deal": { "pipeline_id": pipeline.to_string() } });
        let topic = format!("pipeline:{pipeline}");
        assert!(passes(
            &by_pipeline,
            &event("deal.moved", "Deal", &topic, deal)
        ));
        let other = json!({ "pipeline_id": Uuid::from_u128(8).to_string() });
        assert!(!passes(
            &by_pipeline,
            &event("deal.created", "Deal", "pipeline:x", other)
        ));
        assert!(!passes(
            &by_pipeline,
            &event("ticket.opened", "Ticket", "ticket", json!({}))
        ));

        let urgent = EventFilter {
            ticket_priorities: vec![TicketPriority::Urgent],
            ..EventFilter::default()
        };
        let ticket = |p: &str| {
            event(
                "ticket.opened",
                "Ticket",
                "ticket",
                json!({ "priority": p }),
            )
        };
        assert!(passes(&urgent, &ticket("URGENT")));
        assert!(!passes(&urgent, &ticket("LOW")));
    }
}
