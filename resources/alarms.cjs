/**
 * The stack's CloudWatch alarms, all from one definition (`alarm` below): each fires on any
 * datapoint above 0 in one 5-minute period, reads missing data as "not breaching", and mails the
 * alerts topic (resources/alerts.yml) both when raised and when resolved. What differs per
 * alarm is the table at the bottom: its name, description and the metric it watches.
 *
 * Included from serverless.yml as `${file(resources/alarms.cjs)}`; osls resolves the `${self:…}`
 * variables in what this returns. CommonJS because osls loads it with require().
 */
/* global module */
'use strict';

/** SQS publishes its metrics every 5 minutes: a shorter period would read gaps as "OK" and flap. */
const PERIOD_SECONDS = 300;

const ref = (logicalId) => ({ Ref: logicalId });
const getAtt = (logicalId, attribute) => ({ 'Fn::GetAtt': [logicalId, attribute] });

/** Messages waiting in a queue (a DLQ: anything there is a failure someone should look at). */
const messagesIn = (queueId) => ({
  Namespace: 'AWS/SQS',
  MetricName: 'ApproximateNumberOfMessagesVisible',
  Dimensions: [{ Name: 'QueueName', Value: getAtt(queueId, 'QueueName') }],
  Statistic: 'Maximum',
});

/** A Lambda metric (Errors, Throttles) of one function. */
const lambdaMetric = (metricName, functionId) => ({
  Namespace: 'AWS/Lambda',
  MetricName: metricName,
  Dimensions: [{ Name: 'FunctionName', Value: ref(functionId) }],
  Statistic: 'Sum',
});

/**
 * An EMF metric of one of our functions (Powertools Metrics: namespace from
 * POWERTOOLS_METRICS_NAMESPACE, a `service` dimension equal to POWERTOOLS_SERVICE_NAME).
 */
const emfMetric = (metricName, serviceName) => ({
  Namespace: '${self:custom.metricsNamespace}',
  MetricName: metricName,
  Dimensions: [{ Name: 'service', Value: serviceName }],
  Statistic: 'Sum',
});

/** The one alarm definition. */
const alarm = ({ name, description, metric }) => ({
  Type: 'AWS::CloudWatch::Alarm',
  Properties: {
    AlarmName: `\${self:custom.prefix}-${name}`,
    AlarmDescription: description,
    ...metric,
    Period: PERIOD_SECONDS,
    EvaluationPeriods: 1,
    Threshold: 0,
    ComparisonOperator: 'GreaterThanThreshold',
    TreatMissingData: 'notBreaching',
    AlarmActions: [ref('AlertsTopic')],
    OKActions: [ref('AlertsTopic')],
  },
});

/** Logical id → what the alarm watches. */
const ALARMS = {
  ObjectEventsDLQAlarm: {
    name: 'object-events-dlq-not-empty',
    description: 'Uploads that ingest could not process are in the object-events DLQ.',
    metric: messagesIn('ObjectEventsDLQ'),
  },
  InvalidationRequestsDLQAlarm: {
    name: 'invalidation-requests-dlq-not-empty',
    description:
      'Invalidation requests that could not be sent to CloudFront are in the DLQ (edges may be stale).',
    metric: messagesIn('InvalidationRequestsDLQ'),
  },
  IngestErrorsAlarm: {
    name: 'ingest-errors',
    description: 'The ingest function failed (whole batches returned to the queue).',
    metric: lambdaMetric('Errors', 'IngestLambdaFunction'),
  },
  InvalidateErrorsAlarm: {
    name: 'invalidate-errors',
    description: 'The invalidate function failed (whole batches returned to the queue).',
    metric: lambdaMetric('Errors', 'InvalidateLambdaFunction'),
  },
  InvalidateThrottlesAlarm: {
    name: 'invalidate-lambda-throttles',
    description: 'Lambda throttled the invalidate function (account concurrency exhausted).',
    metric: lambdaMetric('Throttles', 'InvalidateLambdaFunction'),
  },
  // CreateInvalidation or a quota read was throttled or refused for quota; the requests are retried.
  InvalidationsThrottledAlarm: {
    name: 'invalidations-throttled',
    description:
      'CloudFront throttled invalidations or refused them for quota (TooManyInvalidationsInProgress); they are retried through SQS.',
    metric: emfMetric('Throttles', '${self:custom.invalidateServiceName}'),
  },
};

module.exports = {
  Resources: Object.fromEntries(Object.entries(ALARMS).map(([id, spec]) => [id, alarm(spec)])),
};
