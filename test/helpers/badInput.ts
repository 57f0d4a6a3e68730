/**
 * The bad-input corpus (test/fixtures/bad-input/): one folder per target, each with a
 * `cases.json` manifest and one small input file per case. The shape is documented in
 * test/fixtures/bad-input/README.md; this module reads and checks it, so a malformed manifest
 * fails loudly instead of running fewer cases.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';

export const CORPUS_DIR = join(import.meta.dirname, '..', 'fixtures', 'bad-input');

export const CORPUS_TARGETS = ['ingest', 'invalidate', 'spec', 'metrics', 'logs'] as const;
export type CorpusTarget = (typeof CORPUS_TARGETS)[number];

const caseSchema = z.strictObject({
  /** Unique within its target; the test title. */
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
  /** The folder the case lives in. */
  target: z.enum(CORPUS_TARGETS),
  /** The input file, relative to the target's folder. */
  input: z.string().min(1),
  /**
   * rejected: a clear error naming `expectField`, the rest of the batch proceeds;
   * skipped: nothing to do, logged, not retried; accepted: valid though unusual, processed
   * (a warning, if any, includes `expectMessageIncludes`).
   */
  expect: z.enum(['rejected', 'skipped', 'accepted']),
  /** The field path the error names (`Records[0].s3.object.key`); null unless rejected. */
  expectField: z.string().min(1).nullable(),
  /** A piece of the error (or warning, or skip reason) text; null: not checked. */
  expectMessageIncludes: z.string().min(1).nullable(),
  /** What the case is, and why this outcome. */
  why: z.string().min(1),
  /** Target-specific settings (e.g. ingest's `repeatRecords`, `expectTags`). */
  options: z.record(z.string(), z.unknown()).optional(),
});

export type CorpusCase = z.output<typeof caseSchema> & {
  /** The input file's text, as stored. */
  readonly text: string;
};

/** The cases of one target ([] when its folder does not exist yet). */
export function loadCases(target: CorpusTarget): CorpusCase[] {
  const dir = join(CORPUS_DIR, target);
  if (!existsSync(dir)) return [];
  const manifest = z
    .array(caseSchema)
    .parse(JSON.parse(readFileSync(join(dir, 'cases.json'), 'utf8')));
  const ids = new Set<string>();
  return manifest.map((c) => {
    if (c.target !== target)
      throw new Error(`${target}/cases.json: ${c.id} says target ${c.target}`);
    if (ids.has(c.id)) throw new Error(`${target}/cases.json: ${c.id} appears twice`);
    ids.add(c.id);
    if (c.expect === 'rejected' && c.expectField === null)
      throw new Error(`${target}/cases.json: ${c.id} is rejected but names no expectField`);
    if (c.expect !== 'rejected' && c.expectField !== null)
      throw new Error(`${target}/cases.json: ${c.id} is ${c.expect} but names an expectField`);
    return { ...c, text: readFileSync(join(dir, c.input), 'utf8') };
  });
}

/** The files of a target's folder that no case uses (besides cases.json): should be none. */
export function unusedInputs(target: CorpusTarget): string[] {
  const dir = join(CORPUS_DIR, target);
  if (!existsSync(dir)) return [];
  const used = new Set(loadCases(target).map((c) => c.input));
  return readdirSync(dir).filter((f) => f !== 'cases.json' && f !== 'README.md' && !used.has(f));
}

/** `{{name}}` placeholders replaced (the test's own bucket, for instance). */
export function fillPlaceholders(text: string, values: Readonly<Record<string, string>>): string {
  return text.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => values[name] ?? whole);
}
