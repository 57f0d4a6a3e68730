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

/** A Step Functions metric (ExecutionsFailed, …) of one state machine. */
const statesMetric = (metricName, stateMachineId) => ({
  Namespace: 'AWS/States',
  MetricName: metricName,
  Dimensions: [{ Name: 'StateMachineArn', Value: ref(stateMachineId) }],
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

/** The scheduled functions: an invocation error means a run that mailed nothing. */
const SCHEDULED = {
  ReportCheck: [
    'report-check',
    'The report threshold check failed: thresholds were not evaluated.',
  ],
  ReportDigest: ['report-digest', 'The daily report failed: no digest was sent.'],
  HealthCheck: ['health-check', 'The scheduled health check failed: the chain was not checked.'],
};
for (const [stem, [name, description]] of Object.entries(SCHEDULED)) {
  ALARMS[`${stem}ErrorsAlarm`] = {
    name: `${name}-errors`,
    description,
    metric: lambdaMetric('Errors', `${stem}LambdaFunction`),
  };
}

// Mails that could not be published (shared/alarms/publishMail.ts counts `MailsNotPublished`;
// the functions log it and carry on, so this alarm is how on-call learns a mail was lost). One
// per publishing function: the EMF `service` dimension is the function's service name. The alarm
// itself goes through the same topic: when SNS refuses the functions, it may refuse the alarm
// too, but an alarm stays visible in the console and on the dashboard.
const PUBLISHERS = {
  ReportCheck: ['report-check', '${self:custom.reportCheckServiceName}'],
  ReportDigest: ['report-digest', '${self:custom.reportDigestServiceName}'],
  HealthCheck: ['health-check', '${self:custom.healthServiceName}'],
};
for (const [stem, [name, service]] of Object.entries(PUBLISHERS)) {
  ALARMS[`${stem}MailsNotPublishedAlarm`] = {
    name: `${name}-mails-not-published`,
    description: `A mail of ${name} could not be published to the alerts topic (it was not sent).`,
    metric: emfMetric('MailsNotPublished', service),
  };
}

// The provisioning workflow: a run that failed, timed out or was aborted left a spec unprovisioned.
const EXECUTIONS = {
  ExecutionsFailed: ['failed', 'A provisioning run failed (its failure mail says why).'],
  ExecutionsTimedOut: ['timed-out', 'A provisioning run timed out.'],
  ExecutionsAborted: [
    'aborted',
    'A provisioning run was aborted (stopped by hand or by a redeploy).',
  ],
};
for (const [metricName, [name, description]] of Object.entries(EXECUTIONS)) {
  ALARMS[`Provision${metricName}Alarm`] = {
    name: `provision-executions-${name}`,
    description,
    metric: statesMetric(metricName, 'ProvisionStateMachine'),
  };
}

module.exports = {
  Resources: Object.fromEntries(Object.entries(ALARMS).map(([id, spec]) => [id, alarm(spec)])),
};
