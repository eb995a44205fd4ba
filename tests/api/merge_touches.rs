//! A merge keeps the person's attribution: the earliest first touch and
//! the latest last touch among the duplicates, or the ones `keep` names.

use serde_json::{Value, json};

use crate::campaigns::campaign;
use crate::fixtures::{self, mutate};
use crate::helpers::{TestApp, on_both_databases};

on_both_databases!(a_merge_keeps_the_earliest_first_touch_and_the_latest_last);

const ENGAGE: &str = "mutation($id: ID!, $campaign: ID, $at: DateTime) { trackEngagement(input: { contactId: $id, kind: PAGE_VIEW, occurredAt: $at, campaignId: $campaign }) { contact { id } } }";
const MERGE: &str = "mutation($survivor: ID!, $merged: [ID!]!, $keep: [MergeKeepInput!]) { mergeContacts(survivorId: $survivor, mergedIds: $merged, keep: $keep) { contact { firstTouch { campaign { name } at } lastTouch { campaign { name } at } } } }";

async fn touched(app: &TestApp, name: &str, touches: &[(&str, &str)]) -> String {
    let id = fixtures::contact(app, json!({ "firstName": name })).await;
    for (campaign, at) in touches {
        mutate(
            app,
            ENGAGE,
            json!({ "id": id, "campaign": campaign, "at": at }),
        )
        .await;
    }
    id
}

fn touch(contact: &Value, which: &str) -> (Value, String) {
    let t = &contact[which];
    let at = t["at"].as_str().unwrap_or_default();
    (t["campaign"]["name"].clone(), at.chars().take(10).collect())
}

async fn a_merge_keeps_the_earliest_first_touch_and_the_latest_last(app: TestApp) {
    let mail = campaign(&app, "Mail", "EMAIL", "0", "EUR").await;
    let ads = campaign(&app, "Ads", "SEARCH_ADS", "0", "EUR").await;
    let fair = campaign(&app, "Fair", "EVENT", "0", "EUR").await;
    // The survivor came by Ads on the 10th; one duplicate by Mail on the
    // 3rd (earlier), last seen at the Fair on the 20th; one never touched.
    let survivor = touched(&app, "Ann", &[(&ads, "2026-01-10T00:00:00Z")]).await;
    let early = touched(
        &app,
        "Ann",
        &[
            (&mail, "2026-01-03T00:00:00Z"),
            (&fair, "2026-01-20T00:00:00Z"),
        ],
    )
    .await;
    let untouched = touched(&app, "Ann", &[]).await;
    let merged = mutate(
        &app,
        MERGE,
        json!({ "survivor": survivor, "merged": [untouched, early] }),
    )
    .await["contact"]
        .clone();
    assert_eq!(
        touch(&merged, "firstTouch"),
        (json!("Mail"), "2026-01-03".to_owned())
    );
    assert_eq!(
        touch(&merged, "lastTouch"),
        (json!("Fair"), "2026-01-20".to_owned())
    );

    // `keep` names the record instead.
    let a = touched(&app, "Bo", &[(&ads, "2026-02-10T00:00:00Z")]).await;
    let b = touched(&app, "Bo", &[(&mail, "2026-02-01T00:00:00Z")]).await;
    let kept = mutate(
        &app,
        MERGE,
        json!({ "survivor": a, "merged": [b], "keep": [{ "field": "firstTouch", "from": a }] }),
    )
    .await["contact"]
        .clone();
    assert_eq!(
        touch(&kept, "firstTouch"),
        (json!("Ads"), "2026-02-10".to_owned())
    );
    assert_eq!(
        touch(&kept, "lastTouch"),
        (json!("Ads"), "2026-02-10".to_owned())
    );
}
