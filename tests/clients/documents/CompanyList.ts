// A company list page: a Relay-paginated top-level list, nested connections
// per company, and a fragment per card. Never executed: the Relay compiler
// and GraphQL Code Generator read the graphql`…` templates.
import { graphql } from 'react-relay';

export const companyListQuery = graphql`
  query CompanyListQuery($first: Int!, $after: String, $filter: CompanyFilter) {
    ...CompanyList_companies
    me {
      id
      name
      role
    }
  }
`;

export const companiesFragment = graphql`
  fragment CompanyList_companies on Query @refetchable(queryName: "CompanyListPaginationQuery") {
    companies(first: $first, after: $after, filter: $filter, orderBy: [{ field: NAME, direction: ASC }])
      @connection(key: "CompanyList_companies") {
      totalCount
      edges {
        cursor
        node {
          id
          ...CompanyCard_company
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;
