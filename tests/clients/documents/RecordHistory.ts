// A record's change log, read backwards from the newest page.
import { graphql } from 'react-relay';

export const recordHistoryQuery = graphql`
  query RecordHistoryQuery($recordId: ID!, $last: Int, $before: String) {
    history(recordId: $recordId, last: $last, before: $before) {
      totalCount
      pageInfo {
        hasPreviousPage
        hasNextPage
        startCursor
        endCursor
      }
      edges {
        cursor
        node {
          kind
          at
          member {
            id
            name
          }
          changes {
            field
            before
            after
          }
        }
      }
    }
  }
`;
