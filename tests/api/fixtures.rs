//! Test data created through the API itself (so the mutations are exercised too).

use serde_json::{Value, json};

use crate::helpers::TestApp;
use entity::enums::LifecycleStage;
use rapport_core::ops::contact::NewContact;

/// Ids of what [`world`] created.
pub struct World {
    pub pipeline: String,
    pub companies: Vec<String>,
    pub contacts: Vec<String>,
    pub deals: Vec<String>,
    pub tickets: Vec<String>,
}

/// Runs a mutation and returns `data.<field>` (panics on errors).
pub async fn mutate(app: &TestApp, query: &str, variables: Value) -> Value {
    let data = app.data(query, variables).await;
    data.as_object()
        .and_then(|o| o.values().next())
        .cloned()
        .expect("mutation field")
}

/// A pipeline with four stages.
pub async fn pipeline(app: &TestApp, name: &str) -> (String, Vec<String>) {
    let created = mutate(
        app,
        "mutation($input: CreatePipelineInput!) { createPipeline(input: $input) { pipeline { id stages(first: 10) { nodes { id } } } } }",
        json!({ "input": { "name": name, "stages": [
            { "name": "Qualification", "winProbability": 10, "kind": "OPEN" },
            { "name": "Proposal", "winProbability": 50, "kind": "OPEN" },
            { "name": "Won", "winProbability": 100, "kind": "WON" },
            { "name": "Lost", "winProbability": 0, "kind": "LOST" },
        ] } }),
    )
    .await;
    let stages = created["pipeline"]["stages"]["nodes"]
        .as_array()
        .expect("stages")
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .collect();
    (
        created["pipeline"]["id"].as_str().unwrap().to_owned(),
        stages,
    )
}

/// Creates a record of GraphQL type `kind` through `create<kind>` and returns its id.
async fn create(app: &TestApp, kind: &str, input: Value) -> String {
    let field = kind.to_lowercase();
    let query = format!(
        "mutation($input: Create{kind}Input!) {{ create{kind}(input: $input) {{ {field} {{ id }} }} }}"
    );
    let created = mutate(app, &query, json!({ "input": input })).await;
    created[field.as_str()]["id"].as_str().unwrap().to_owned()
}

pub async fn company(app: &TestApp, input: Value) -> String {
    create(app, "Company", input).await
}

pub async fn contact(app: &TestApp, input: Value) -> String {
    create(app, "Contact", input).await
}

/// Deletes contact `id` as workspace A's admin.
pub async fn delete_contact(app: &TestApp, id: &str) {
    mutate(
        app,
        "mutation($id: ID!) { deleteContact(id: $id) { contact { id } } }",
        json!({ "id": id }),
    )
    .await;
}

pub async fn deal(app: &TestApp, input: Value) -> String {
    create(app, "Deal", input).await
}

pub async fn ticket(app: &TestApp, input: Value) -> String {
    create(app, "Ticket", input).await
}

/// `companies` × `contacts` each × `deals` per contact × `tickets` per deal.
pub async fn world(
    app: &TestApp,
    companies: usize,
    contacts: usize,
    deals: usize,
    tickets: usize,
) -> World {
    let (pipeline_id, _) = pipeline(app, "Sales").await;
    let mut world = World {
        pipeline: pipeline_id.clone(),
        companies: vec![],
        contacts: vec![],
        deals: vec![],
        tickets: vec![],
    };
    for c in 0..companies {
        let company_id = company(
            app,
            json!({ "name": format!("Company {c}"), "employeeCount": 10 * (c + 1) }),
        )
        .await;
        for p in 0..contacts {
            let contact_id = contact(
                app,
                json!({ "firstName": format!("Person {c}.{p}"), "companyId": company_id }),
            )
            .await;
            for d in 0..deals {
                let deal_id = deal(app, json!({
                    "name": format!("Deal {c}.{p}.{d}"), "amount": "100.00", "currency": "EUR", "pipelineId": pipeline_id,
                    "companyId": company_id, "contacts": [{ "contactId": contact_id, "role": "DECISION_MAKER" }],
                }))
                .await;
                for t in 0..tickets {
                    let ticket_id = ticket(app, json!({ "subject": format!("Ticket {c}.{p}.{d}.{t}"), "contactId": contact_id, "dealId": deal_id })).await;
                    world.tickets.push(ticket_id);
                }
                world.deals.push(deal_id);
            }
            world.contacts.push(contact_id);
        }
        world.companies.push(company_id);
    }
    world
}

/// A lead named `first last` with `email` and nothing else, for the core's
/// `contact::create` (override fields with `..new_contact(…)`).
pub fn new_contact(first: &str, last: &str, email: &str) -> NewContact {
    NewContact {
        first_name: first.into(),
        last_name: last.into(),
        email: Some(email.into()),
        phone: None,
        job_title: None,
        lifecycle_stage: LifecycleStage::Lead,
        city: None,
        country: None,
        birthdate: None,
        company_id: None,
        owner_id: None,
        external_ids: Vec::new(),
        custom_fields: Vec::new(),
    }
}
