//! The committed `schema.graphql` equals the live schema.

use std::path::Path;

#[test]
fn committed_schema_matches_the_live_schema() {
    let live = rapport::graphql::sdl();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema.graphql");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != live {
        // Regenerate, so the API change shows as a diff to review and commit.
        std::fs::write(&path, &live).expect("write schema.graphql");
        panic!(
            "schema.graphql was out of date and has been regenerated: review the diff and commit it"
        );
    }
}
