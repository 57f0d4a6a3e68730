/**
 * The invalidate function's deployed event-source settings, read from serverless.yml (the
 * `invalidate` function's sqs event, its `${param:…}` defaults) and resources/queues.yml (the
 * invalidation-requests queue's visibility timeout and redrive), so the benchmark feeds the
 * batches the stack really gets. A small indentation reader: enough for these keys, and it names
 * the key it could not find.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface DeployedFeed {
  readonly batchSize: number;
  readonly windowSeconds: number;
  readonly maximumConcurrency: number;
  readonly visibilityTimeoutSeconds: number;
  readonly maxReceiveCount: number;
}

interface Line {
  readonly indent: number;
  readonly text: string;
}

function lines(yaml: string): Line[] {
  return yaml
    .split('\n')
    .map((raw) => raw.replace(/\s+#.*$/, '').replace(/^\s*#.*$/, ''))
    .filter((raw) => raw.trim() !== '')
    .map((raw) => ({ indent: raw.length - raw.trimStart().length, text: raw.trim() }));
}

/**
 * The lines of the block under `path` (each step a key, `- key` for a list item's first key),
 * searched in order below the previous step.
 */
function block(all: readonly Line[], path: readonly string[], file: string): Line[] {
  let from = 0;
  let to = all.length;
  let indent = -1;
  for (const step of path) {
    let found = -1;
    for (let i = from; i < to; i += 1) {
      const l = all[i]!;
      if (l.indent <= indent) break;
      if (l.text === `${step}:` || l.text === `- ${step}:`) {
        found = i;
        break;
      }
    }
    if (found === -1) throw new Error(`${file}: ${path.join('.')}: key "${step}" not found`);
    indent = all[found]!.indent + (all[found]!.text.startsWith('- ') ? 2 : 0);
    from = found + 1;
    to = from;
    while (to < all.length && all[to]!.indent > all[found]!.indent) to += 1;
  }
  return all.slice(from, to);
}

function value(lines: readonly Line[], key: string, where: string): string {
  const l = lines.find((x) => x.text.startsWith(`${key}:`));
  if (!l) throw new Error(`${where}.${key}: not found`);
  return l.text.slice(key.length + 1).trim();
}

function number(text: string, where: string, params: readonly Line[]): number {
  const param = /^\$\{param:([A-Za-z0-9]+)\}$/.exec(text);
  const raw = param ? value(params, param[1]!, 'serverless.yml params.default') : text;
  const n = Number(raw);
  if (!Number.isFinite(n)) throw new Error(`${where}: not a number: ${raw}`);
  return n;
}

/** The deployed feed of the invalidate function, from the files `npm run package` deploys. */
export function readDeployedFeed(root = ROOT): DeployedFeed {
  const sls = lines(readFileSync(`${root}/serverless.yml`, 'utf8'));
  const queues = lines(readFileSync(`${root}/resources/queues.yml`, 'utf8'));
  const params = block(sls, ['params', 'default'], 'serverless.yml');
  const where = 'serverless.yml functions.invalidate.events.sqs';
  const sqs = block(sls, ['functions', 'invalidate', 'events', 'sqs'], 'serverless.yml');
  const queueWhere = 'resources/queues.yml Resources.InvalidationRequestsQueue.Properties';
  const queue = block(
    queues,
    ['Resources', 'InvalidationRequestsQueue', 'Properties'],
    'resources/queues.yml',
  );
  const redrive = block(
    queues,
    ['Resources', 'InvalidationRequestsQueue', 'Properties', 'RedrivePolicy'],
    'resources/queues.yml',
  );
  const num = (ls: readonly Line[], key: string, at: string) =>
    number(value(ls, key, at), `${at}.${key}`, params);
  return {
    batchSize: num(sqs, 'batchSize', where),
    windowSeconds: num(sqs, 'maximumBatchingWindow', where),
    maximumConcurrency: num(sqs, 'maximumConcurrency', where),
    visibilityTimeoutSeconds: num(queue, 'VisibilityTimeout', queueWhere),
    maxReceiveCount: num(redrive, 'maxReceiveCount', `${queueWhere}.RedrivePolicy`),
  };
}
