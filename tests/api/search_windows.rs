//! On PostgreSQL a search first ranks each type's newest documents, and asks
//! the trigram index only when they cannot settle the page; the answer must
//! be the same whatever the window's size. Contacts are written so that
//! every path is taken: a query most of the newest match at the best rank
//! (settled in the window), one whose best-ranked matches are all old
//! (the window holds only lesser ones), one matching a single old record,
//! and a slip of it (the near tier). On SQLite the window is not used and
//! the same answers are checked. A reader narrowed to its own contacts
//! gets full pages of those it reads, on every path.

use std::sync::Arc;

use entity::enums::{Role, Visibility};
use rapport_core::Kind;
use rapport_core::access::{Actor, Sight};
use rapport_core::ops::contact;
use rapport_core::ops::workspace;
use rapport_core::search::{self, Hit};

use serde_json::json;
use uuid::Uuid;

use crate::fixtures::new_contact;
use crate::helpers::{TestApp, member_token, on_both_databases};

on_both_databases!(
    the_answer_does_not_depend_on_the_window,
    a_list_filter_finds_the_same_records_walking_or_through_the_index,
    a_narrowed_readers_pages_are_full_whatever_the_window,
);

/// The hits `offset..offset + limit` of `query` among `kinds`, with `window`.
async fn windowed(
    app: &TestApp,
    actor: &Actor,
    query: &str,
    kinds: [Kind; 2],
    (offset, limit, window): (u64, u64, u64),
) -> Vec<Hit> {
    search::search_with_window(&app.state.db, actor, query, &kinds, offset, limit, window)
        .await
        .unwrap()
}

/// Oldest first: one Zoltan, four Annas, then twelve whose email holds
/// "anna" inside a word, then eight Annas again; their ids in that order.
async fn people(app: &TestApp, actor: &Actor) -> Vec<Uuid> {
    people_owned_by(app, actor, &[None]).await
}

/// [`people`], the n-th owned by `owners[n % owners.len()]`.
async fn people_owned_by(app: &TestApp, actor: &Actor, owners: &[Option<Uuid>]) -> Vec<Uuid> {
    let mut people = vec![new_contact("Zoltan", "Oldest", "z@old.test")];
    for i in 0..4 {
        people.push(new_contact(
            "Anna",
            &format!("Early{i}"),
            &format!("a{i}@early.test"),
        ));
    }
    for i in 0..12 {
        people.push(new_contact(
            "Jo",
            &format!("Middle{i}"),
            &format!("joanna{i}@mid.test"),
        ));
    }
    for i in 0..8 {
        people.push(new_contact(
            "Anna",
            &format!("Late{i}"),
            &format!("b{i}@late.test"),
        ));
    }
    let mut ids = Vec::new();
    for (n, mut new) in people.into_iter().enumerate() {
        new.owner_id = owners[n % owners.len()];
        ids.push(
            contact::create(&app.state.core, actor, new)
                .await
                .unwrap()
                .id,
        );
    }

    ids
}

async fn the_answer_does_not_depend_on_the_window(app: TestApp) {
    let core = &app.state.core;
    let actor = workspace::admin_actor(core, app.workspace_id)
        .await
        .unwrap();
    let ids = people(&app, &actor).await;

    let run = |query: &'static str, offset: u64, limit: u64, window: u64| {
        let kinds = [Kind::Contact, Kind::Company];
        windowed(&app, &actor, query, kinds, (offset, limit, window))
    };
    let ranked =
        |hits: &[Hit]| -> Vec<(uuid::Uuid, f64)> { hits.iter().map(|h| (h.id, h.score)).collect() };

    // The whole answer for "anna": the twelve Annas newest first (a word
    // starts with it), then the twelve joannas newest first.
    let everything = run("anna", 0, 50, 1_000_000).await;
    let mut expected: Vec<(uuid::Uuid, f64)> = ids[17..25]
        .iter()
        .rev()
        .chain(ids[1..5].iter().rev())
        .map(|id| (*id, 3.0))
        .collect();
    expected.extend(ids[5..17].iter().rev().map(|id| (*id, 2.0)));
    assert_eq!(ranked(&everything), expected);

    for (query, pages) in [
        ("anna", vec![(0, 5), (0, 10), (6, 5), (10, 10), (20, 10)]),
        ("joanna", vec![(0, 3), (0, 20)]),
        ("zoltan", vec![(0, 1), (0, 5)]),
        ("zoltam", vec![(0, 1), (0, 5)]),
        ("qxzvk", vec![(0, 5)]),
    ] {
        for (offset, limit) in pages {
            let reference = run(query, offset, limit, 1_000_000).await;
            for window in [1, 2, 3, 5, 8, 13, 21] {
                let windowed = run(query, offset, limit, window).await;
                assert_eq!(
                    ranked(&windowed),
                    ranked(&reference),
                    "{query} from {offset}, {limit} hits, window {window}"
                );
            }
        }
    }
    let slip = run("zoltam", 0, 5, 3).await;
    assert_eq!(ranked(&slip), vec![(ids[0], 1.0)]);
}

/// A list's search filter probes the newest documents first (PostgreSQL):
/// "anna" matches many of them and is tested row by row as the list walks,
/// "zoltan" and its slip "zoltam" match none and are read through the
/// trigram index. Either way the list holds the same records.
async fn a_list_filter_finds_the_same_records_walking_or_through_the_index(app: TestApp) {
    let actor = workspace::admin_actor(&app.state.core, app.workspace_id)
        .await
        .unwrap();
    people(&app, &actor).await;
    let query = "query($q: String!) { contacts(first: 50, filter: { search: $q }, orderBy: [{ field: LAST_NAME, direction: ASC }]) { nodes { lastName } totalCount } }";
    let last_names = |data: &serde_json::Value| -> Vec<String> {
        data["contacts"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["lastName"].as_str().unwrap().to_owned())
            .collect()
    };
    let mut annas: Vec<String> = (0..4)
        .map(|i| format!("Early{i}"))
        .chain((0..8).map(|i| format!("Late{i}")))
        .chain((0..12).map(|i| format!("Middle{i}")))
        .collect();
    annas.sort();
    let anna = app.data(query, json!({ "q": "anna" })).await;
    assert_eq!(last_names(&anna), annas);
    assert_eq!(anna["contacts"]["totalCount"], 24);
    for q in ["zoltan", "ZOLTAM", "oldest"] {
        let one = app.data(query, json!({ "q": q })).await;
        assert_eq!(last_names(&one), vec!["Oldest".to_owned()], "{q}");
    }
    let none = app.data(query, json!({ "q": "qxzvk" })).await;
    assert_eq!(last_names(&none), Vec::<String>::new());
    // Combined with another filter and under `not`: the same rule.
    let not = "{ contacts(first: 50, filter: { firstName: { eq: \"Anna\" }, not: { search: \"early\" } }) { totalCount } }";
    assert_eq!(app.data(not, json!({})).await["contacts"]["totalCount"], 8);
}

/// A SALES member of the workspace: its id.
async fn sales_member(app: &TestApp) -> Uuid {
    let token = member_token(&app.state, app.workspace_id, Role::Sales).await;
    let me = app.gql_as(&token, "{ me { id } }", json!({})).await;
    let id = me["data"]["me"]["id"].as_str().expect("me");
    rapport::graphql::ids::decode_any(id).expect("member id").1
}

/// A reader narrowed to its own contacts gets full pages of the ones it
/// reads (its own and unowned ones), in the order everyone gets them, on
/// both of PostgreSQL's paths: the window settles only on matches the
/// reader reads.
pub(crate) async fn a_narrowed_readers_pages_are_full_whatever_the_window(app: TestApp) {
    let core = &app.state.core;
    let admin = workspace::admin_actor(core, app.workspace_id)
        .await
        .unwrap();
    let (reader, other) = (sales_member(&app).await, sales_member(&app).await);
    let owners = [None, Some(other), Some(reader), Some(other)];
    let ids = people_owned_by(&app, &admin, &owners).await;
    let read: Vec<Uuid> = ids
        .iter()
        .enumerate()
        .filter(|(n, _)| owners[n % owners.len()] != Some(other))
        .map(|(_, id)| *id)
        .collect();
    let narrowed = Actor {
        member_id: reader,
        role: Role::Sales,
        sight: Arc::new(Sight {
            contacts: Visibility::Owned,
            ..Sight::everything(reader)
        }),
        ..admin.clone()
    };
    let kinds = [Kind::Contact, Kind::Company];
    let ranked =
        |hits: &[Hit]| -> Vec<(Uuid, f64)> { hits.iter().map(|h| (h.id, h.score)).collect() };
    for query in ["anna", "joanna", "zoltan", "zoltam"] {
        let everything = windowed(&app, &admin, query, kinds, (0, 50, 1_000_000)).await;
        let expected: Vec<(Uuid, f64)> = ranked(&everything)
            .into_iter()
            .filter(|(id, _)| read.contains(id))
            .collect();
        for (offset, limit) in [(0, 2), (0, 5), (3, 4), (0, 50)] {
            let page: Vec<(Uuid, f64)> = expected
                .iter()
                .skip(offset as usize)
                .take(limit as usize)
                .copied()
                .collect();
            for window in [1, 2, 3, 5, 8, 13, 21, 1_000_000] {
                let hits = windowed(&app, &narrowed, query, kinds, (offset, limit, window)).await;
                assert_eq!(
                    ranked(&hits),
                    page,
                    "{query} from {offset}, {limit} hits, window {window}"
                );
            }
        }
    }
}
