/**
 * `npm run demo`, shortened (10 s of traffic), as a user runs it: it exits 0, says where the
 * report is, and the report in the outbox shows the distribution-wide requests and hit rate the
 * local edge counted itself (local/edge/edgeTally.ts), exactly, the invalidation paths the
 * demo's overwrites sent, and — from the edge's own log files, read by the logs function through
 * the stage's log bucket and log-events queue — a per-class table whose requests and hit rates
 * are the edge's per-class counts, exactly.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClassCounts } from '../../local/demoCounts.js';
import type { DemoResult } from '../../local/demoRun.js';
import { formatCount, formatPercent } from '../../shared/text/numbers.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
let workdir: string;
let run: { code: number | null; out: string; err: string };
let result: DemoResult;

/**
 * The edge's own counts per content class for the demo's distribution (issue 12, item 3): each
 * row of the report's per-class table must equal its class's requests and hit rate.
 */
function edgeCountsPerClass(demo: DemoResult): Record<string, ClassCounts> {
  return demo.edge.byClass;
}

beforeAll(async () => {
  workdir = mkdtempSync(join(tmpdir(), 'demo-e2e-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NO_COLOR: '1',
    CDN_PIPELINE_OUTBOX_DIR: join(workdir, 'outbox'),
  };
  delete env.AWS_ENDPOINT_URL;
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'local/demo.ts', '--duration', '10', '--rate', '30', '--json'],
    { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  run = { code: null, out: '', err: '' };
  child.stdout.on('data', (c: Buffer) => (run.out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (run.err += c.toString()));
  run.code = await new Promise((r) => child.once('exit', (code) => r(code)));
  if (run.code !== 0) throw new Error(`npm run demo exited ${run.code}:\n${run.err}`);
  result = JSON.parse(run.out) as DemoResult;
}, 180_000);
afterAll(() => {
  if (workdir) rmSync(workdir, { recursive: true, force: true });
});

describe('npm run demo --duration 10', () => {
  it('exits 0, shows progress and names the report in the outbox', () => {
    expect(run.code).toBe(0);
    expect(run.err).toMatch(/traffic for 10 s/);
    expect(run.err).toMatch(/\d+\/10 s {2}\d+ requests/);
    expect(result.report.file.startsWith(join(workdir, 'outbox'))).toBe(true);
    expect(readFileSync(result.report.file, 'utf8')).toContain(`Subject: ${result.report.subject}`);
  });

  it('reports the requests and hit rate the edge counted, exactly', () => {
    const edge = result.edge.overall;
    expect(edge.requests).toBeGreaterThan(100);
    // Every request the viewers sent, and none failed: the hit rate is then hits / requests.
    expect(edge.requests).toBe(result.traffic.requests);
    expect(edge.errors).toBe(0);
    expect(edge.hits + edge.misses).toBe(edge.requests);

    expect(result.report.requests).toBe(edge.requests);
    expect(result.report.hitRate).toBeCloseTo((100 * edge.hits) / edge.requests, 9);

    const mail = readFileSync(result.report.file, 'utf8');
    const row = mail.split('\n').find((l) => l.startsWith(result.distributionId));
    expect(row).toBeDefined();
    const [, requests, hit] = row!.trim().split(/\s+/);
    expect(requests).toBe(formatCount(edge.requests));
    expect(hit).toBe(formatPercent(edge.hitRate));
    expect(mail).toMatch(new RegExp(`^ {2}requests\\s+${formatCount(edge.requests)}\\s`, 'm'));
    expect(mail).toMatch(new RegExp(`^ {2}hit rate\\s+${formatPercent(edge.hitRate)}\\s`, 'm'));
  });

  it('reports the invalidation paths its overwrites sent, and each overwrite served fresh', () => {
    expect(result.overwrites).toHaveLength(4);
    for (const o of result.overwrites) expect(o.freshMs).toBeTypeOf('number');
    expect(result.pathsSent).toBeGreaterThanOrEqual(result.pathsInvalidated);
    expect(result.report.pathsBilled).toBe(result.pathsSent);
    const mail = readFileSync(result.report.file, 'utf8');
    expect(mail).toMatch(new RegExp(`paths billed\\s+${result.pathsSent} of 1,000 free`));
  });

  it('counts every content class at the edge (the per-class hook)', () => {
    const perClass = edgeCountsPerClass(result);
    expect(Object.keys(perClass)).toEqual(['document', 'image', 'other', 'streaming', 'video']);
    const sum = (f: (c: ClassCounts) => number) =>
      Object.values(perClass).reduce((n, c) => n + f(c), 0);
    expect(sum((c) => c.requests)).toBe(result.edge.overall.requests);
    expect(sum((c) => c.hits)).toBe(result.edge.overall.hits);
  });
});

describe('the report per content class (standard logs, counted locally)', () => {
  it('waits for the log files to be counted, with progress', () => {
    expect(run.err).toMatch(/waiting for the edge's log files to be counted \(\d+ requests\)/);
    expect(run.err).toMatch(/(\d+)\/\1 requests counted from \d+ log files/);
    expect(result.logs.files).toBeGreaterThan(0);
    expect(result.logs.requests).toBe(result.edge.overall.requests);
  });

  it("shows each class's requests, hits and hit rate as the edge counted them, exactly", () => {
    const perClass = edgeCountsPerClass(result);
    const report = result.report.byClass;
    expect(Object.keys(report).sort()).toEqual(Object.keys(perClass));
    for (const [name, edge] of Object.entries(perClass)) {
      const row = report[name]!;
      expect(row.requests, `${name} requests`).toBe(edge.requests);
      expect(row.hits, `${name} hits`).toBe(edge.hits);
      expect(row.misses, `${name} misses`).toBe(edge.misses);
      expect(row.errors, `${name} errors`).toBe(edge.errors);
      expect(row.bytes, `${name} bytes`).toBe(edge.bytes);
      // No errors in the demo: hits / (hits + misses) is the edge's hits / (requests − errors).
      expect(row.hitRate, `${name} hit rate`).toBeCloseTo(edge.hitRate!, 9);
    }
  });

  it('prints the same per-class table in the mailed report', () => {
    const mail = readFileSync(result.report.file, 'utf8').split('\n');
    const start = mail.indexOf('  per content class (standard logs)');
    expect(start).toBeGreaterThan(0);
    expect(mail[start + 1]).toMatch(/^ {2}class\s+requests\s+hit\s/);
    const rows = new Map<string, string[]>();
    for (const line of mail.slice(start + 2)) {
      const cells = line.trim().split(/\s+/);
      if (!line.startsWith('  ') || cells.length < 6) break; // bytes: "2.04 MB"
      rows.set(cells[0]!, cells);
    }
    const perClass = edgeCountsPerClass(result);
    expect([...rows.keys()].sort()).toEqual(Object.keys(perClass));
    for (const [name, edge] of Object.entries(perClass)) {
      const [, requests, hit] = rows.get(name)!;
      expect(requests).toBe(formatCount(edge.requests));
      expect(hit!.replace(/!$/, '')).toBe(formatPercent(edge.hitRate));
    }
  });
});
