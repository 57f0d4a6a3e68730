/**
 * Deployment parameters that must be refused while packaging, not discovered after a deploy:
 * each export is resolved by osls as `${file(resources/paramChecks.cjs):<name>}` (serverless.yml),
 * reads the parameter itself and throws a message naming it. Being part of variable resolution,
 * the check bites on every `sls package` / `sls deploy`, with or without `npm run package`.
 *
 * CommonJS because osls loads it with require().
 */
/* global module */
'use strict';

/** Stages that may run without anyone reading the alarms: a laptop, the shared dev stack. */
const UNWATCHED_STAGES = ['dev', 'local'];

/** Thrown with a one-line stack: osls prints the stack of a failed resolver. */
function refuse(message) {
  const error = new Error(message);
  error.stack = `Error: ${message}`;
  return error;
}

/**
 * `alertEmail`: required on every stage but dev and local, so that no production stack deploys
 * alarms nobody receives. Returns the address (or '' on an unwatched stage).
 */
async function alertEmail({ resolveVariable }) {
  const stage = String(await resolveVariable('sls:stage'));
  const email = String((await resolveVariable('param:alertEmail')) ?? '').trim();
  if (email === '' && !UNWATCHED_STAGES.includes(stage)) {
    throw refuse(
      `alertEmail: stage "${stage}" needs an address for its alarms: ` +
        `--param alertEmail=ops@example.com (only ${UNWATCHED_STAGES.join(' and ')} may go without)`,
    );
  }
  return email;
}

/**
 * `provisionBuckets`: bucket names or patterns with a fixed part, comma separated (the default
 * is the content bucket or the contentBuckets list). A lone `*` (or only wildcards) would let the
 * provisioning roles rewrite the policy of every bucket they can reach.
 */
async function provisionBuckets({ resolveVariable }) {
  const value = String((await resolveVariable('param:provisionBuckets')) ?? '').trim();
  const entries = value.split(',').map((entry) => entry.trim());
  for (const entry of entries) {
    if (entry === '' || /^[*?]+$/.test(entry)) {
      throw refuse(
        `provisionBuckets: "${value}" would cover every bucket; name the bucket(s) or a pattern ` +
          'with a fixed part (e.g. media-*)',
      );
    }
    // The default is the content bucket's name, which CloudFormation completes (Fn::Sub).
    const literal = entry.replace(/\$\{AWS::(AccountId|Region|Partition)\}/g, 'x');
    if (!/^[a-z0-9.*?-]+$/.test(literal)) {
      throw refuse(
        `provisionBuckets: "${entry}" is not a bucket name or pattern (lower case, digits, . - * ?)`,
      );
    }
  }
  return entries.join(',');
}

/** The provisionBuckets as IAM resources: one ARN as itself, several as a list. */
async function provisionBucketArns(args) {
  const arns = (await provisionBuckets(args))
    .split(',')
    .map((bucket) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:s3:::${bucket}` }));
  return arns.length === 1 ? arns[0] : arns;
}

module.exports = { alertEmail, provisionBuckets, provisionBucketArns };
