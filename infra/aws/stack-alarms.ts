/**
 * CloudWatch alarms of the generated template: a message in any dead-letter queue, sync errors and controller 429s
 * of each instance (the EMF metrics of metrics.ts). With `alarmTopicArn` they notify that SNS topic.
 */
import { getAtt } from './iam.ts';
import { METRIC, METRICS_NAMESPACE } from './metrics.ts';

interface Alarm {
  Type: 'AWS::CloudWatch::Alarm';
  Properties: Record<string, unknown>;
}

function actions(topic: string | undefined) {
  return topic ? { AlarmActions: [topic], OKActions: [topic] } : {};
}

/** Any message in the dead-letter queue: something was not applied and needs a look (or waits for the redrive). */
export function deadLetterAlarm(logicalQueueId: string, what: string, topic?: string): [string, Alarm] {
  return [
    `${logicalQueueId}DepthAlarm`,
    {
      Type: 'AWS::CloudWatch::Alarm',
      Properties: {
        AlarmDescription: `${what}: messages in the dead-letter queue (not applied; see the function's "dead letter" log lines, docs in infra/aws/DEPLOY.md)`,
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: getAtt(logicalQueueId, 'QueueName') }],
        Statistic: 'Maximum',
        Period: 300,
        EvaluationPeriods: 1,
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
        ...actions(topic),
      },
    },
  ];
}

/** Sync errors (messages retried for another reason than an outage) and 429s of one instance. */
export function instanceAlarms(
  instance: string,
  ids: { syncErrorsAlarm: string; throttledAlarm: string },
  topic?: string,
): [string, Alarm][] {
  const metric = (name: string, description: string, threshold: number, periods: number): Alarm => ({
    Type: 'AWS::CloudWatch::Alarm',
    Properties: {
      AlarmDescription: `${instance}: ${description}`,
      Namespace: METRICS_NAMESPACE,
      MetricName: name,
      Dimensions: [
        { Name: 'service', Value: 'sync' },
        { Name: 'Instance', Value: instance },
      ],
      Statistic: 'Sum',
      Period: 300,
      EvaluationPeriods: periods,
      Threshold: threshold,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
      ...actions(topic),
    },
  });
  return [
    [
      ids.syncErrorsAlarm,
      metric(METRIC.syncErrors, 'sync errors (messages retried for a cause other than an outage)', 0, 2),
    ],
    [
      ids.throttledAlarm,
      metric(METRIC.controllerThrottled, 'the controller answered 429 (request budget too high?)', 10, 1),
    ],
  ];
}
