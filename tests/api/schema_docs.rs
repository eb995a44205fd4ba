//! The schema as documentation, checked by the tools clients use: a schema
//! linter wants a description on every type, field, argument, input field
//! and enum value (and a reason on every deprecation), and the Relay
//! compiler and GraphQL Code Generator (strict scalars) compile the client
//! documents in `tests/clients/documents` against `schema.graphql`. The
//! committed SDL is the live schema (`schema.rs`), so these check the API.

use crate::clients::{clients_dir, node, run};

/// Every rule of `graphql-schema-linter` about missing text.
const DESCRIPTION_RULES: &str = "types-have-descriptions,fields-have-descriptions,\
arguments-have-descriptions,input-object-values-have-descriptions,\
enum-values-have-descriptions,deprecations-have-a-reason";

#[test]
fn every_schema_element_has_a_description() {
    let Some(node) = node() else { return };
    let output = run(
        &node,
        "node_modules/.bin/graphql-schema-linter",
        &[
            "--format",
            "compact",
            "--rules",
            DESCRIPTION_RULES,
            "../../schema.graphql",
        ],
    );
    assert!(!output.contains("missing"), "{output}");
}

#[test]
fn the_relay_compiler_and_graphql_codegen_compile_the_client_documents() {
    let Some(node) = node() else { return };
    let generated = clients_dir().join("generated");
    std::fs::create_dir_all(generated.join("relay")).expect("create generated/relay");
    // Relay validates the documents (connections, refetchable fragments,
    // the Node interface) and writes typed artifacts.
    run(&node, "node_modules/.bin/relay-compiler", &[]);
    // Code Generator refuses any scalar its config does not map.
    run(
        &node,
        "node_modules/.bin/graphql-codegen",
        &["--config", "codegen.yml"],
    );
    let types = std::fs::read_to_string(generated.join("codegen/types.ts")).expect("types.ts");
    for scalar in ["Date", "DateTime", "Decimal"] {
        assert!(
            types.contains(&format!("{scalar}: {{ input: string; output: string; }}")),
            "{scalar} is not typed as a string:\n{types}"
        );
    }
    let relay = std::fs::read_to_string(generated.join("relay/RecordHistoryQuery.graphql.ts"))
        .expect("Relay artifact of RecordHistoryQuery");
    assert!(relay.contains("totalCount"), "{relay}");
}
