// One company's card: money, dates, a calculated figure and two levels of
// nested connections under each company of the list.
import { graphql } from 'react-relay';

export const companyCardFragment = graphql`
  fragment CompanyCard_company on Company {
    id
    name
    domain
    annualRevenue
    annualRevenueCurrency
    vendorContractEndsOn
    leadScore
    tags {
      name
    }
    contacts(first: 5, orderBy: [{ field: LAST_NAME }]) {
      totalCount
      edges {
        node {
          id
          firstName
          lastName
          birthdate
          leadScore
          deals(first: 3, filter: { status: { eq: OPEN } }) {
            totalCount
            nodes {
              id
              name
              amount
              currency
              expectedCloseDate
              weightedAmount
            }
          }
        }
      }
    }
  }
`;
