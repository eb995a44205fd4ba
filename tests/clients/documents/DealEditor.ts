// Writes: create and update with input objects and optimistic versions.
import { graphql } from 'react-relay';

export const createDealMutation = graphql`
  mutation DealEditorCreateMutation($input: CreateDealInput!) {
    createDeal(input: $input) {
      deal {
        ...DealBoard_deal
        version
      }
    }
  }
`;

export const updateContactMutation = graphql`
  mutation DealEditorUpdateContactMutation($id: ID!, $input: UpdateContactInput!, $expectedVersion: Int) {
    updateContact(id: $id, input: $input, expectedVersion: $expectedVersion) {
      contact {
        id
        version
        birthdate
        lifecycleStage
      }
    }
  }
`;
