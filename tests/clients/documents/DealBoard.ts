// A pipeline board: stages with their deals, money figures, and the
// analytics of a period.
import { graphql } from 'react-relay';

export const dealBoardQuery = graphql`
  query DealBoardQuery($pipelineId: ID!, $period: PeriodInput!) {
    pipelineDashboard(pipelineId: $pipelineId) {
      pipelineId
      stages {
        stage {
          id
          name
          winProbability
        }
        count
        amounts {
          currency
          amount
        }
      }
      weightedForecast {
        currency
        amount
      }
    }
    analytics(period: $period, pipelineId: $pipelineId) {
      from
      to
      dealOutcomes {
        won
        lost
        winRate
      }
    }
    deals(last: 10, orderBy: [{ field: AMOUNT, direction: DESC }]) {
      totalCount
      pageInfo {
        hasPreviousPage
        startCursor
      }
      edges {
        node {
          ...DealBoard_deal
        }
      }
    }
  }
`;

export const dealFragment = graphql`
  fragment DealBoard_deal on Deal {
    id
    name
    amount
    currency
    status
    expectedCloseDate
    stage {
      id
      name
    }
    owner {
      id
      name
    }
  }
`;
