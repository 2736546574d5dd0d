// AWS SDK clients of a Lambda (region and credentials from the Lambda environment).
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { KMSClient } from '@aws-sdk/client-kms';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { AwsClients } from '../wiring-instance.ts';

export function lambdaClients(): AwsClients {
  return {
    sqs: new SQSClient({}),
    eventBridge: new EventBridgeClient({}),
    secrets: new SecretsManagerClient({}),
    dynamo: new DynamoDBClient({}),
    kms: new KMSClient({}),
  };
}
