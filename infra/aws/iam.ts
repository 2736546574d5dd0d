// IAM policy building blocks. Every statement names its resources; `*` appears only where AWS requires it
// (a KMS key policy's Resource), and the template checker enforces that.

export type Cfn = unknown;

export interface Statement {
  Effect: 'Allow' | 'Deny';
  Action: string[];
  Resource: Cfn[] | Cfn;
  Principal?: Cfn;
  Condition?: Record<string, Record<string, Cfn>>;
  Sid?: string;
}

export const ref = (logicalId: string) => ({ Ref: logicalId });
export const getAtt = (logicalId: string, attr: string) => ({ 'Fn::GetAtt': [logicalId, attr] });
export const sub = (text: string) => ({ 'Fn::Sub': text });

export function policyDocument(statements: Statement[]) {
  return { Version: '2012-10-17', Statement: statements };
}

/** A Lambda execution role with one inline policy. */
export function lambdaRole(policyName: string, statements: Statement[]) {
  return {
    Type: 'AWS::IAM::Role',
    Properties: {
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: ['sts:AssumeRole'] }],
      },
      Policies: [{ PolicyName: policyName, PolicyDocument: policyDocument(statements) }],
    },
  };
}

/** Write access to one function's own log group (created by the framework with a retention). */
export function logsStatement(functionName: string): Statement {
  return {
    Effect: 'Allow',
    Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    Resource: [
      sub(`arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/lambda/${functionName}:*`),
    ],
  };
}

/** What an SQS event source mapping needs on the queue it reads. */
export function queueConsumerStatement(queueLogicalId: string): Statement {
  return {
    Effect: 'Allow',
    Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes'],
    Resource: [getAtt(queueLogicalId, 'Arn')],
  };
}

export function queueSenderStatement(queueLogicalIds: string[]): Statement {
  return {
    Effect: 'Allow',
    Action: ['sqs:SendMessage'],
    Resource: queueLogicalIds.map((id) => getAtt(id, 'Arn')),
  };
}

/** PutEvents on the project bus, only with the given `source`. */
export function putEventsStatement(busLogicalId: string, source: string): Statement {
  return {
    Effect: 'Allow',
    Action: ['events:PutEvents'],
    Resource: [getAtt(busLogicalId, 'Arn')],
    Condition: { StringEquals: { 'events:source': source } },
  };
}

/** Reading one secret's value (the controller credentials of one instance). */
export function secretReadStatement(secretLogicalId: string): Statement {
  return { Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: [ref(secretLogicalId)] };
}

/** Item access to the state table, limited to partition keys that start with the instance's prefix. */
export function tableStatement(tableLogicalId: string, leadingKeys: string[]): Statement {
  return {
    Effect: 'Allow',
    Action: [
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
      'dynamodb:Query',
      'dynamodb:BatchGetItem',
      'dynamodb:BatchWriteItem',
      'dynamodb:ConditionCheckItem',
    ],
    Resource: [getAtt(tableLogicalId, 'Arn')],
    Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': leadingKeys } },
  };
}

/** Use of the TLS key, only with the encryption context shared/crypto sets (so the key serves one purpose). */
export function kmsStatement(keyLogicalId: string, actions: string[], context: Record<string, string>): Statement {
  const condition: Record<string, string> = {};
  for (const [k, v] of Object.entries(context)) condition[`kms:EncryptionContext:${k}`] = v;
  return {
    Effect: 'Allow',
    Action: actions,
    Resource: [getAtt(keyLogicalId, 'Arn')],
    Condition: { StringEquals: condition },
  };
}
