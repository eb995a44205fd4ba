//! Issue 22 on Citus: a coordinator and two workers started from the local
//! build (`tests/common/citus.rs`). The server distributes the tables
//! itself (`rapport::db::citus`), and tests of the PostgreSQL suite run on
//! it with every statement that reaches more than one shard turned into an
//! error (`citus.multi_task_query_log_level`, see `Backend::Citus`): each
//! passes only if every statement it caused names one workspace.

use migration::{Migrator, MigratorTrait};

use crate::common::citus;

/// Runs tests of the suite on a Citus-backed server, each `module::test`
/// taking a `TestApp` (made `pub(crate)` in its module), with the server's
/// configuration changed by `configure` when one is given.
macro_rules! on_citus {
    (with $configure:path; $($module:ident :: $name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                rapport::runtime::build(Some(2)).expect("runtime").block_on(async {
                    let backend = crate::helpers::Backend::Citus;
                    let Some(app) = crate::helpers::spawn_app_with(backend, $configure).await
                    else {
                        return;
                    };
                    crate::$module::$name(app).await;
                })
            }
        )*
    };
    ($($module:ident :: $name:ident),* $(,)?) => {
        on_citus!(with crate::helpers::default_config; $($module::$name),*);
    };
}

on_citus!(
    first_hour::every_readme_example_runs_as_written,
    first_hour::the_demo_year_answers_every_figure,
    duplicates::pairs_follow_every_write,
    search::search_follows_writes_workspaces_and_roles,
    nested::nested_query_returns_every_level,
    import::companies_and_contacts_come_in_linked_and_refusals_say_where,
    merge::merging_companies_moves_everything_and_rescores,
    erasure::an_erased_contact_is_nowhere_in_the_database_and_figures_stay,
    history::a_new_ticket_carries_its_number_in_its_event_and_history,
    live::resuming_after_a_cursor_delivers_exactly_the_missed_events,
    live::the_dashboard_equals_the_same_figures_computed_by_queries,
    bulk::bulk_creates_are_all_or_nothing_with_one_event_each,
    segments::a_segment_follows_its_filter_and_order_as_records_change,
    custom_fields::filters_test_values_with_typed_operators,
    documents::a_document_keeps_its_revisions_and_serves_them,
    search::every_list_filters_by_search,
    search::prefixes_and_slips_find_records_best_first,
    visibility_paths::narrowed_duplicate_pairs_join_two_records_it_reads,
    visibility_paths::ticket_events_carry_the_activities_it_reads,
    stored_figures::stored_figures_follow_every_write_delete_and_restore,
    search_windows::a_narrowed_readers_pages_are_full_whatever_the_window,
    deal_weights::deal_weights_follow_amounts_stages_and_probabilities,
    tag_upkeep::merging_tags_moves_overlapping_taggings_once_and_deletes_the_merged,
    lists::filters_compose_with_and_or_not,
    access::an_api_key_is_shown_once_acts_with_its_role_and_dies_when_revoked,
    migrations::keys_made_before_the_key_directory_are_found_after_it,
);
on_citus!(with crate::forms::generous_limit;
    forms::a_plain_html_form_creates_contact_and_company_and_redirects,
);
on_citus!(with crate::helpers::manual_clock;
    analytics::every_metric_matches_the_hand_computed_figures,
);
on_citus!(with crate::webhooks::fast_webhooks;
    webhooks::every_event_arrives_in_order_through_failures_a_timeout_and_a_dead_receiver,
);

#[test]
fn every_tenant_table_distributes_colocated_on_citus() {
    let Some(cluster) = citus::cluster() else {
        return;
    };
    let (name, url) = cluster.create_database();
    let mut config = rapport::config::Config::for_database(url);
    config.jwt_secret = Some("a-test-secret-that-is-long-enough-for-hs256".into());
    config.citus = "true".into();
    rapport::runtime::build(Some(2))
        .expect("runtime")
        .block_on(async {
            let once = rapport::db::one_connection(&config)
                .await
                .expect("a connection to the coordinator");
            // The tables of an existing database first, then the server's
            // start distributes them; a second start finds nothing to do.
            Migrator::up(&once, None)
                .await
                .expect("the migrations run on a Citus coordinator");
            // The function an earlier version made, which a start drops.
            use sea_orm::ConnectionTrait;
            once.execute_unprepared(
                "CREATE FUNCTION rapport_numbered_insert(workspace uuid, statement text) \
                 RETURNS jsonb LANGUAGE sql AS $$ SELECT NULL::jsonb $$",
            )
            .await
            .expect("the old function");
            for _ in 0..2 {
                rapport::db::migrate(&config, &once)
                    .await
                    .expect("the server distributes the tables");
            }
            once.close().await.expect("closed");
        });
    let tables = cluster.psql(
        &name,
        "SELECT count(*) FROM pg_class c WHERE c.relkind = 'r' \
         AND c.relnamespace = current_schema()::regnamespace AND c.relname <> 'seaql_migrations'",
    );
    let tables: u32 = tables.trim().parse().expect("a count");
    let distributed = cluster.psql(
        &name,
        "SELECT count(*) || ' ' || count(DISTINCT colocationid) FROM pg_dist_partition \
         WHERE partmethod = 'h'",
    );
    assert_eq!(
        distributed.trim(),
        format!("{} 1", tables - 1),
        "every table but the migration ledger and the key directory, in one colocation group"
    );
    let reference = cluster.psql(
        &name,
        "SELECT string_agg(logicalrelid::text, ' ') FROM pg_dist_partition WHERE partmethod = 'n'",
    );
    assert_eq!(reference.trim(), "key_directory", "the one reference table");
    let functions = cluster.psql(
        &name,
        "SELECT string_agg(oid::regprocedure::text, ' ') FROM pg_proc \
         WHERE proname = 'rapport_numbered_insert'",
    );
    assert_eq!(
        functions.trim(),
        "rapport_numbered_insert(uuid,text,text,text,text,text)",
        "the earlier two-argument function is gone"
    );
    let foreign_keys = cluster.psql(
        &name,
        "SELECT count(*) FROM pg_constraint WHERE contype = 'f' \
         AND connamespace = current_schema()::regnamespace",
    );
    assert!(
        foreign_keys.trim().parse::<u32>().expect("a count") > 90,
        "the foreign keys stay: {foreign_keys}"
    );
    let triggers = cluster.psql(
        &name,
        "SELECT string_agg(t.tgname, ', ') FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid \
         WHERE NOT t.tgisinternal AND t.tgname NOT LIKE 'truncate_trigger%' \
         AND c.relnamespace = current_schema()::regnamespace",
    );
    assert_eq!(triggers.trim(), "", "no trigger of ours runs on a shard");
    // A numbered create's function goes, whole, to the node of the
    // workspace it is given: one task, the call itself (not delegated, the
    // plan would be a plain `Result` on the coordinator).
    let plan = cluster.psql(
        &name,
        "EXPLAIN (COSTS OFF) SELECT rapport_numbered_insert(\
         '0190f0c4-0000-7000-8000-000000000001', 'SELECT 1, 2', '', '', '', '')",
    );
    assert!(
        plan.contains("Custom Scan (Citus") && plan.contains("Task Count: 1"),
        "the call is delegated to one node: {plan}"
    );
}
