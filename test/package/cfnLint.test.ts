/**
 * cfn-lint on the packaged templates (the stack's own bucket, and existing buckets): no errors
 * (warnings are printed, not failed).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TEMPLATE_FILE, run } from '../../scripts/package.js';
import { usePackagedStack } from './stack.js';

const stack = usePackagedStack();

describe('cfn-lint', () => {
  it.each(['base', 'existingBuckets'] as const)(
    'finds no errors in the %s template',
    async (packaging) => {
      const templatePath = join(stack[packaging].dir, TEMPLATE_FILE);
      const result = await run('cfn-lint', ['--format', 'json', templatePath], {
        timeoutMs: 120_000,
      });
      const context = `cfn-lint exit ${result.code} ${result.error ?? ''}\n${result.stdout}\n${result.stderr}`;
      // Exit code bits: 1 crash or bad template, 2 errors, 4 warnings, 8 informational.
      expect(result.code, context).not.toBeNull();
      expect(result.code! & 3, context).toBe(0);
      const findings = JSON.parse(result.stdout || '[]') as {
        Rule: { Id: string };
        Message: string;
      }[];
      const errors = findings.filter((f) => f.Rule.Id.startsWith('E'));
      expect(errors, context).toEqual([]);
      const warnings = findings.map((f) => `${f.Rule.Id} ${f.Message}`);
      if (warnings.length)
        console.log(`cfn-lint warnings (${packaging}):\n  ${warnings.join('\n  ')}`);
    },
    120_000,
  );
});
