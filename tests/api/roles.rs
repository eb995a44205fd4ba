//! The permission matrix, role × operation, through the real API: each
//! operation either succeeds or answers FORBIDDEN having written nothing
//! (the workspace's event counter does not move).

use entity::enums::Role;
use serde_json::{Value, json};

use crate::fixtures::{self, mutate};
use crate::helpers::{TestApp, error_code, member_token, on_both_databases};
use crate::live::event_cursor;

on_both_databases!(
    every_role_may_do_exactly_what_the_matrix_says,
    support_sees_no_deal_amounts,
    every_mutation_refuses_exactly_the_roles_it_should,
);

const ROLES: [Role; 5] = [
    Role::Admin,
    Role::Manager,
    Role::Sales,
    Role::Support,
    Role::Viewer,
];

struct Setup {
    pipeline: String,
    stages: Vec<String>,
    company: String,
    contact: String,
}

/// One attempt at `op` as `token` (member `me`), on records the admin
/// creates fresh for it.
async fn attempt(app: &TestApp, setup: &Setup, op: &str, token: &str, me: &str) -> Value {
    let deal_owned_by = |owner: Option<&str>| json!({ "name": "D", "amount": "10", "currency": "EUR", "pipelineId": setup.pipeline, "ownerId": owner });
    let (query, variables) = match op {
        "createCompany" => (
            "mutation { createCompany(input: { name: \"New\" }) { company { id } } }",
            json!({}),
        ),
        "updateCompany" => (
            "mutation($id: ID!) { updateCompany(id: $id, input: { industry: \"Retail\" }) { company { id } } }",
            json!({ "id": fixtures::company(app, json!({ "name": "C" })).await }),
        ),
        "deleteCompany" => (
            "mutation($id: ID!) { deleteCompany(id: $id) { company { id } } }",
            json!({ "id": fixtures::company(app, json!({ "name": "C" })).await }),
        ),
        "createContact" => (
            "mutation($c: ID!) { createContact(input: { firstName: \"Ann\", companyId: $c }) { contact { id } } }",
            json!({ "c": setup.company }),
        ),
        "createDeal" => (
            "mutation($input: CreateDealInput!) { createDeal(input: $input) { deal { id } } }",
            json!({ "input": deal_owned_by(None) }),
        ),
        "updateOthersDeal" => {
            let admin_me = me_of(app, &app.token).await;
            (
                "mutation($id: ID!) { updateDeal(id: $id, input: { name: \"Renamed\" }) { deal { id } } }",
                json!({ "id": fixtures::deal(app, deal_owned_by(Some(&admin_me))).await }),
            )
        }
        "moveUnownedDeal" => {
            let id = fixtures::deal(app, deal_owned_by(None)).await;
            mutate(
                app,
                "mutation($id: ID!) { updateDeal(id: $id, input: { ownerId: null }) { deal { id } } }",
                json!({ "id": id }),
            )
            .await;
            (
                "mutation($id: ID!, $s: ID!) { moveDeal(id: $id, stageId: $s) { deal { id } } }",
                json!({ "id": id, "s": setup.stages[1] }),
            )
        }
        "closeOwnDeal" => (
            "mutation($id: ID!) { closeDeal(id: $id, outcome: WON, reason: \"Signed\") { deal { id } } }",
            json!({ "id": fixtures::deal(app, deal_owned_by(Some(me))).await }),
        ),
        "giveDealAway" => (
            "mutation($input: CreateDealInput!) { createDeal(input: $input) { deal { id } } }",
            json!({ "input": deal_owned_by(Some(&me_of(app, &app.token).await)) }),
        ),
        "createTicket" => (
            "mutation { createTicket(input: { subject: \"Help\" }) { ticket { id } } }",
            json!({}),
        ),
        "setTicketStatus" => (
            "mutation($id: ID!) { setTicketStatus(id: $id, status: PENDING) { ticket { id } } }",
            json!({ "id": fixtures::ticket(app, json!({ "subject": "T" })).await }),
        ),
        "logActivity" => (
            "mutation($c: ID!) { createActivity(input: { kind: CALL, subject: \"Called\", contactId: $c }) { activity { id } } }",
            json!({ "c": setup.contact }),
        ),
        "createPipeline" => (
            "mutation { createPipeline(input: { name: \"P\", stages: [{ name: \"S\", winProbability: 10, kind: OPEN }] }) { pipeline { id } } }",
            json!({}),
        ),
        "tagCompany" => (
            "mutation($id: ID!) { addTags(recordId: $id, names: [\"vip\"]) { name } }",
            json!({ "id": setup.company }),
        ),
        "tagTicket" => (
            "mutation($id: ID!) { addTags(recordId: $id, names: [\"urgent\"]) { name } }",
            json!({ "id": fixtures::ticket(app, json!({ "subject": "T" })).await }),
        ),
        other => panic!("unknown operation {other}"),
    };
    let before = event_cursor(app).await;
    let response = app.gql_as(token, query, variables).await;
    if response.get("errors").is_some() {
        assert_eq!(
            event_cursor(app).await,
            before,
            "a refused {op} wrote nothing"
        );
    }
    response
}

async fn me_of(app: &TestApp, token: &str) -> String {
    let data = app.gql_as(token, "{ me { id } }", json!({})).await;
    data["data"]["me"]["id"].as_str().expect("me").to_owned()
}

async fn every_role_may_do_exactly_what_the_matrix_says(app: TestApp) {
    let (pipeline, stages) = fixtures::pipeline(&app, "Sales").await;
    let company = fixtures::company(&app, json!({ "name": "Acme" })).await;
    let contact = fixtures::contact(&app, json!({ "firstName": "Bo", "companyId": company })).await;
    let setup = Setup {
        pipeline,
        stages,
        company,
        contact,
    };
    use Role::*;
    let matrix: &[(&str, &[Role])] = &[
        ("createCompany", &[Admin, Manager, Sales]),
        ("updateCompany", &[Admin, Manager, Sales]),
        ("deleteCompany", &[Admin, Manager, Sales]),
        ("createContact", &[Admin, Manager, Sales]),
        ("createDeal", &[Admin, Manager, Sales]),
        ("updateOthersDeal", &[Admin, Manager]),
        ("moveUnownedDeal", &[Admin, Manager, Sales]),
        ("closeOwnDeal", &[Admin, Manager, Sales]),
        ("giveDealAway", &[Admin, Manager]),
        ("createTicket", &[Admin, Manager, Support]),
        ("setTicketStatus", &[Admin, Manager, Support]),
        ("logActivity", &[Admin, Manager, Sales, Support]),
        ("createPipeline", &[Admin, Manager]),
        ("tagCompany", &[Admin, Manager, Sales]),
        ("tagTicket", &[Admin, Manager, Support]),
    ];
    for role in ROLES {
        let token = member_token(&app.state, app.workspace_id, role).await;
        let me = me_of(&app, &token).await;
        for (op, allowed) in matrix {
            let response = attempt(&app, &setup, op, &token, &me).await;
            if allowed.contains(&role) {
                assert!(
                    response.get("errors").is_none(),
                    "{role:?} {op}: {response}"
                );
            } else {
                assert_eq!(
                    error_code(&response),
                    "FORBIDDEN",
                    "{role:?} {op}: {response}"
                );
            }
        }
    }
}

async fn support_sees_no_deal_amounts(app: TestApp) {
    let (pipeline, _) = fixtures::pipeline(&app, "Sales").await;
    fixtures::deal(
        &app,
        json!({ "name": "Secret size", "amount": "9999", "currency": "EUR", "pipelineId": pipeline }),
    )
    .await;
    for role in ROLES {
        let token = member_token(&app.state, app.workspace_id, role).await;
        let listed = app
            .gql_as(&token, "{ deals { nodes { name amount } } }", json!({}))
            .await;
        let amount = &listed["data"]["deals"]["nodes"][0]["amount"];
        let probes = [
            "{ deals(filter: { amount: { gt: 5000 } }) { totalCount } }",
            "{ deals(filter: { or: [{ name: { contains: \"x\" } }, { not: { amount: { lt: 1 } } }] }) { totalCount } }",
            "{ deals(orderBy: [{ field: AMOUNT }]) { totalCount } }",
            "{ dealAmountTotals { amount } }",
        ];
        if role == Role::Support {
            assert!(amount.is_null(), "{listed}");
            assert_eq!(listed["data"]["deals"]["nodes"][0]["name"], "Secret size");
            for probe in probes {
                let refused = app.gql_as(&token, probe, json!({})).await;
                assert_eq!(error_code(&refused), "FORBIDDEN", "{probe}: {refused}");
            }
        } else {
            assert_eq!(amount, "9999.00", "{role:?}");
            for probe in probes {
                let answered = app.gql_as(&token, probe, json!({})).await;
                assert!(
                    answered.get("errors").is_none(),
                    "{role:?} {probe}: {answered}"
                );
            }
        }
    }
}

/// Which roles may call a mutation, by the area its name names. A new
/// mutation must be classified here, or this test fails.
fn allowed_roles(mutation: &str) -> Option<&'static [Role]> {
    use Role::*;
    const PUBLIC: [&str; 2] = ["login", "acceptInvitation"];
    // Tags and documents follow their record: covered by the matrix above
    // and by documents.rs.
    const BY_RECORD: [&str; 3] = ["addTags", "removeTags", "deleteDocument"];
    // A file arrives only in a multipart request, which these literal
    // probes cannot send: import_jobs.rs checks startImport's roles,
    // documents.rs the uploads'.
    const BY_UPLOAD: [&str; 3] = ["startImport", "uploadDocument", "uploadRevision"];
    if PUBLIC.contains(&mutation) || BY_RECORD.contains(&mutation) || BY_UPLOAD.contains(&mutation)
    {
        return None;
    }
    let areas: [(&[&str], &'static [Role]); 18] = [
        // Saved views: each member's own (shared ones ADMIN's and MANAGER's to change).
        (
            &["Segment", "ToList", "FromList"],
            &[Admin, Manager, Sales, Support],
        ),
        // Workspace-wide upkeep: changes many records at once.
        (
            &["archiveContacts", "renameTag", "mergeTags"],
            &[Admin, Manager],
        ),
        // Erasure removes a person's data for good: ADMIN only.
        (&["eraseContact"], &[Admin]),
        // Provisioning is the operator's (its key), never a member role's.
        (&["Workspace"], &[]),
        // Webhooks send the workspace's data elsewhere: ADMIN only.
        (&["Webhook"], &[Admin]),
        // Custom fields shape every record of a type: ADMIN only.
        (&["CustomField"], &[Admin]),
        // Web forms write contacts for anyone on the web: ADMIN only.
        (
            &["createForm", "updateForm", "deleteForm", "restoreForm"],
            &[Admin],
        ),
        (
            &[
                "Goal",
                "Campaign",
                "Product",
                "Reason",
                "ScoringRule",
                "TriggerRule",
                "TriggerSweep",
            ],
            &[Admin, Manager],
        ),
        (&["SurveyResponse"], &[Admin, Manager, Sales, Support]),
        (&["Order"], &[Admin, Manager, Sales]),
        // Teams and what each role reads decide what every member reads.
        (&["Team", "RoleVisibility"], &[Admin]),
        (&["Member", "ApiKey"], &[Admin]),
        (&["Pipeline", "Stage"], &[Admin, Manager]),
        (&["Deal"], &[Admin, Manager, Sales]),
        (&["Company", "Companies"], &[Admin, Manager, Sales]),
        (
            &["Contact", "Engagement", "EmailConsent"],
            &[Admin, Manager, Sales],
        ),
        (&["Ticket"], &[Admin, Manager, Support]),
        (
            &["Activity", "Activities", "Task"],
            &[Admin, Manager, Sales, Support],
        ),
    ];
    let area = areas
        .iter()
        .find(|(names, _)| names.iter().any(|n| mutation.contains(n)));
    match area {
        Some((_, roles)) => Some(roles),
        None => panic!("classify the mutation {mutation} in allowed_roles"),
    }
}

const TYPE_REF: &str = "kind name ofType { kind name ofType { kind name ofType { kind name } } }";

/// A literal of the GraphQL type `ty` (an introspection type reference),
/// with only the required fields of input objects.
fn literal<'a>(
    ty: &'a Value,
    types: &'a std::collections::HashMap<String, Value>,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = String> + Send + 'a>> {
    Box::pin(async move {
        let name = ty["name"].as_str().unwrap_or_default();
        match ty["kind"].as_str().unwrap_or_default() {
            "NON_NULL" => literal(&ty["ofType"], types).await,
            "LIST" => format!("[{}]", literal(&ty["ofType"], types).await),
            "ENUM" => types[name]["enumValues"][0]["name"]
                .as_str()
                .unwrap()
                .to_owned(),
            // A oneOf input takes exactly one field: its first.
            "INPUT_OBJECT" if types[name]["isOneOf"] == true => {
                let field = &types[name]["inputFields"][0];
                let value = literal(&field["type"], types).await;
                format!("{{ {}: {value} }}", field["name"].as_str().unwrap())
            }
            "INPUT_OBJECT" => {
                let mut fields = Vec::new();
                for field in types[name]["inputFields"].as_array().unwrap() {
                    if field["type"]["kind"] == "NON_NULL" {
                        let value = literal(&field["type"], types).await;
                        fields.push(format!("{}: {value}", field["name"].as_str().unwrap()));
                    }
                }
                format!("{{ {} }}", fields.join(", "))
            }
            _ => match name {
                "Int" => "1".into(),
                "Float" => "1.5".into(),
                "Boolean" => "true".into(),
                "DateTime" => "\"2026-01-01T00:00:00Z\"".into(),
                "NaiveDate" | "Date" => "\"2026-01-01\"".into(),
                "Decimal" => "\"1\"".into(),
                _ => "\"x\"".into(),
            },
        }
    })
}

async fn every_mutation_refuses_exactly_the_roles_it_should(app: TestApp) {
    let schema = app
        .data(
            &format!(
                "{{ __schema {{ mutationType {{ fields {{ name args {{ name type {{ {TYPE_REF} }} }} type {{ {TYPE_REF} }} }} }} types {{ name kind isOneOf enumValues {{ name }} inputFields {{ name type {{ {TYPE_REF} }} }} }} }} }}"
            ),
            json!({}),
        )
        .await;
    let types: std::collections::HashMap<String, Value> = schema["__schema"]["types"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["name"].as_str().unwrap().to_owned(), t.clone()))
        .collect();
    let tokens: Vec<(Role, String)> = {
        let mut tokens = Vec::new();
        for role in ROLES {
            tokens.push((role, member_token(&app.state, app.workspace_id, role).await));
        }
        tokens
    };
    let mut checked = 0;
    for field in schema["__schema"]["mutationType"]["fields"]
        .as_array()
        .unwrap()
    {
        let name = field["name"].as_str().unwrap();
        let Some(allowed) = allowed_roles(name) else {
            continue;
        };
        let mut args = Vec::new();
        for arg in field["args"].as_array().unwrap() {
            if arg["type"]["kind"] == "NON_NULL" {
                args.push(format!(
                    "{}: {}",
                    arg["name"].as_str().unwrap(),
                    literal(&arg["type"], &types).await
                ));
            }
        }
        let args = if args.is_empty() {
            String::new()
        } else {
            format!("({})", args.join(", "))
        };
        let document = format!("mutation {{ {name}{args} {{ __typename }} }}");
        for (role, token) in &tokens {
            let response = app.gql_as(token, &document, json!({})).await;
            let code = error_code(&response);
            if allowed.contains(role) {
                assert_ne!(code, "FORBIDDEN", "{role:?} may call {name}: {response}");
                assert!(!code.starts_with("GRAPHQL_"), "{document}: {response}");
            } else {
                assert_eq!(
                    code, "FORBIDDEN",
                    "{role:?} may not call {name}: {response}"
                );
            }
        }
        checked += 1;
    }
    assert!(checked >= 40, "only {checked} mutations checked");
}
