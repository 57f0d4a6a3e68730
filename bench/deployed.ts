/**
 * The invalidate function's deployed event-source settings, read from serverless.yml (the
 * `invalidate` function's sqs event, its `${param:…}` defaults) and resources/queues.yml (the
 * invalidation-requests queue's visibility timeout and redrive), so the benchmark feeds the
 * batches the stack really gets. A small indentation reader: enough for these keys, and it names
 * the key it could not find.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { yamlBlock, yamlLines, type YamlLine } from '../local/yamlBlocks.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface DeployedFeed {
  readonly batchSize: number;
  readonly windowSeconds: number;
  readonly maximumConcurrency: number;
  readonly visibilityTimeoutSeconds: number;
  readonly maxReceiveCount: number;
}

function value(lines: readonly YamlLine[], key: string, where: string): string {
  const l = lines.find((x) => x.text.startsWith(`${key}:`));
  if (!l) throw new Error(`${where}.${key}: not found`);
  return l.text.slice(key.length + 1).trim();
}

function number(text: string, where: string, params: readonly YamlLine[]): number {
  const param = /^\$\{param:([A-Za-z0-9]+)\}$/.exec(text);
  const raw = param ? value(params, param[1]!, 'serverless.yml params.default') : text;
  const n = Number(raw);
  if (!Number.isFinite(n)) throw new Error(`${where}: not a number: ${raw}`);
  return n;
}

/** The deployed feed of the invalidate function, from the files `npm run package` deploys. */
export function readDeployedFeed(root = ROOT): DeployedFeed {
  const sls = yamlLines(readFileSync(`${root}/serverless.yml`, 'utf8'));
  const queues = yamlLines(readFileSync(`${root}/resources/queues.yml`, 'utf8'));
  const params = yamlBlock(sls, ['params', 'default'], 'serverless.yml');
  const where = 'serverless.yml functions.invalidate.events.sqs';
  const sqs = yamlBlock(sls, ['functions', 'invalidate', 'events', 'sqs'], 'serverless.yml');
  const queueWhere = 'resources/queues.yml Resources.InvalidationRequestsQueue.Properties';
  const queue = yamlBlock(
    queues,
    ['Resources', 'InvalidationRequestsQueue', 'Properties'],
    'resources/queues.yml',
  );
  const redrive = yamlBlock(
    queues,
    ['Resources', 'InvalidationRequestsQueue', 'Properties', 'RedrivePolicy'],
    'resources/queues.yml',
  );
  const num = (ls: readonly YamlLine[], key: string, at: string) =>
    number(value(ls, key, at), `${at}.${key}`, params);
  return {
    batchSize: num(sqs, 'batchSize', where),
    windowSeconds: num(sqs, 'maximumBatchingWindow', where),
    maximumConcurrency: num(sqs, 'maximumConcurrency', where),
    visibilityTimeoutSeconds: num(queue, 'VisibilityTimeout', queueWhere),
    maxReceiveCount: num(redrive, 'maxReceiveCount', `${queueWhere}.RedrivePolicy`),
  };
}
