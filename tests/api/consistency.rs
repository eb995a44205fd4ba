//! Issue 15, item 13's last two points: a company's lead score is never
//! null (0 without contacts, like a contact's), and a field a role may be
//! refused is nullable, so the refusal nulls that field alone and the rest
//! of the answer stays.

use serde_json::{Value, json};

use crate::fixtures::{self, mutate};
use crate::helpers::{TestApp, error_code, member_token, on_both_databases};
use entity::enums::Role;

on_both_databases!(
    company_lead_score_is_zero_without_contacts,
    refused_fields_null_alone,
);

async fn companies(app: &TestApp, arguments: &str) -> Value {
    app.data(
        &format!("{{ companies({arguments}) {{ nodes {{ name leadScore }} }} }}"),
        json!({}),
    )
    .await["companies"]["nodes"]
        .clone()
}

async fn company_lead_score_is_zero_without_contacts(app: TestApp) {
    mutate(&app, "mutation { createLeadScoringRule(input: { name: \"CEOs\", target: JOB_TITLE, contains: \"ceo\", points: 30 }) { rescoredContacts } }", json!({})).await;
    fixtures::company(&app, json!({ "name": "Empty" })).await;
    let acme = fixtures::company(&app, json!({ "name": "Acme" })).await;
    let ceo = fixtures::contact(
        &app,
        json!({ "firstName": "Ada", "jobTitle": "CEO", "companyId": acme }),
    )
    .await;

    let ascending = companies(&app, "orderBy: [{ field: LEAD_SCORE }]").await;
    assert_eq!(
        ascending,
        json!([{ "name": "Empty", "leadScore": 0 }, { "name": "Acme", "leadScore": 30 }])
    );
    let descending = companies(&app, "orderBy: [{ field: LEAD_SCORE, direction: DESC }]").await;
    assert_eq!(
        descending,
        json!([{ "name": "Acme", "leadScore": 30 }, { "name": "Empty", "leadScore": 0 }])
    );
    // The filter reads the same value the field answers.
    let zero = companies(&app, "filter: { leadScore: { eq: 0 } }").await;
    assert_eq!(zero, json!([{ "name": "Empty", "leadScore": 0 }]));

    // Its only contact deleted, the company is back at 0, not null.
    crate::fixtures::delete_contact(&app, &ceo).await;
    let after = companies(&app, "filter: { leadScore: { eq: 0 } }").await;
    assert_eq!(
        after,
        json!([{ "name": "Empty", "leadScore": 0 }, { "name": "Acme", "leadScore": 0 }])
    );
}

async fn refused_fields_null_alone(app: TestApp) {
    let (pipeline, stages) = fixtures::pipeline(&app, "Sales").await;
    fixtures::deal(
        &app,
        json!({ "name": "Big", "amount": "100", "currency": "EUR", "pipelineId": pipeline, "stageId": stages[0] }),
    )
    .await;

    // SALES reads deals but not who changed them.
    let sales = member_token(&app.state, app.workspace_id, Role::Sales).await;
    let answer = app
        .gql_as(
            &sales,
            "{ me { role } deals { nodes { name history { totalCount } } } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&answer), "FORBIDDEN", "{answer}");
    assert_eq!(
        answer["data"],
        json!({ "me": { "role": "SALES" }, "deals": { "nodes": [{ "name": "Big", "history": null }] } }),
        "{answer}"
    );
    assert_eq!(
        answer["errors"][0]["path"],
        json!(["deals", "nodes", 0, "history"])
    );

    // SUPPORT sees no amounts or quotas: each refused root field is null
    // with its own error; `me` still answers.
    let support = member_token(&app.state, app.workspace_id, Role::Support).await;
    let answer = app
        .gql_as(
            &support,
            "{ me { role } dealAmountTotals { currency } goals { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(
        answer["data"],
        json!({ "me": { "role": "SUPPORT" }, "dealAmountTotals": null, "goals": null }),
        "{answer}"
    );
    let mut refused: Vec<&Value> = answer["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| &e["path"][0])
        .collect();
    refused.sort_by_key(|p| p.as_str().map(str::to_owned));
    assert_eq!(refused, [&json!("dealAmountTotals"), &json!("goals")]);
}
