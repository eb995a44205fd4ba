// A live pipeline feed over graphql-ws.
import { graphql } from 'react-relay';

export const pipelineEventsSubscription = graphql`
  subscription PipelineFeedSubscription($pipelineId: ID!, $after: String) {
    pipelineEvents(pipelineId: $pipelineId, after: $after) {
      cursor
      kind
      occurredAt
      deal {
        ...DealBoard_deal
      }
    }
  }
`;
