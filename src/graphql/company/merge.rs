//! Duplicate companies and merging them: thin adapters over
//! `rapport_core::ops::duplicates` and `rapport_core::ops::merge`.

use rapport_core::ops::merge::merge_companies;

use super::Company;
use crate::graphql::merge::merge_adapters;

merge_adapters! {
    Company: Company, Companies, Companies, merge_companies;
    CompanyMergeQuery {
        /// Pairs of live companies that look like one organisation, highest
        /// score first (MANAGER and ADMIN): the same domain, or the same name
        /// once case, punctuation, spaces and a legal form are dropped. A role
        /// narrowed to its team's or its own companies gets the pairs of two
        /// it reads.
        duplicate_companies
    }
    CompanyMergeMutation {
        /// Merges companies into a survivor in one transaction (MANAGER and
        /// ADMIN): their contacts, deals, tickets, activities, orders, tags and
        /// external ids move to it, and the moved contacts are rescored on its
        /// fields; it keeps its own fields, fills blank ones from the merged
        /// companies, and takes the fields `keep` names from the record named;
        /// the merged companies are deleted with `mergedInto`, and their
        /// global ids resolve to the survivor through `node`.
        merge_companies("The company that stays.", "The companies merged into it (1 to 50).")
    }
    MergeCompaniesPayload {
        /// The result of `mergeCompanies`.
        company,
        /// The merged companies, now deleted, each with `mergedInto`.
    }
}
