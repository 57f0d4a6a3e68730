/**
 * cdk-nag's `AwsSolutionsChecks` and `ServerlessChecks` on the templates `sls package` wrote (the
 * stack's own bucket and existing buckets, built by globalSetup.ts; imported with
 * cloudformation-include): no finding left but those nagSuppressions.ts keeps, each with its
 * reason, and none of those suppressions stale in both.
 *
 * cdk-nag 3 is a policy-validation plugin, not an Aspect: `validateScope` runs a pack on a
 * construct tree directly. Suppressions are cdk-nag's own acknowledgements
 * (`Validations.of(resource).acknowledge`), so the second run shows what cdk-nag itself honours.
 */
import { join } from 'node:path';
import type { CfnResource } from 'aws-cdk-lib';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { CfnInclude } from 'aws-cdk-lib/cloudformation-include';
import { AwsSolutionsChecks, ServerlessChecks, type NagPack } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { TEMPLATE_FILE } from '../../scripts/package.js';
import { NAG_SUPPRESSIONS, type NagSuppression } from './nagSuppressions.js';
import { usePackagedStack } from './stack.js';

const stack = usePackagedStack();

interface Finding {
  readonly rule: string;
  readonly logicalId: string;
  readonly severity: string;
}

const packs = (): NagPack[] => [new AwsSolutionsChecks(), new ServerlessChecks()];

function findings(scope: Stack): Finding[] {
  return packs().flatMap((pack) =>
    pack.validateScope(scope).violations.flatMap((v) =>
      v.violatingResources.map((r) => ({
        rule: v.ruleName,
        // `<stack>/<include>/<logical id>`
        logicalId: r.constructPath?.split('/').at(-1) ?? '?',
        severity: String(v.severity ?? ''),
      })),
    ),
  );
}

const matches = (s: NagSuppression, f: Finding): boolean =>
  (typeof s.rule === 'string' ? s.rule === f.rule : s.rule.test(f.rule)) &&
  (Array.isArray(s.resources)
    ? (s.resources as readonly string[]).includes(f.logicalId)
    : (s.resources as RegExp).test(f.logicalId));

const describeFinding = (f: Finding) => `${f.rule} on ${f.logicalId} (${f.severity})`;

/** The packagings checked: the stack's own bucket, and existing buckets (runs.ts). */
const CHECKED = ['base', 'existingBuckets'] as const;

describe('cdk-nag', () => {
  const used = new Set<NagSuppression>();

  it.each(CHECKED)(
    'finds nothing in the %s template but the suppressed findings, each with its reason',
    (run) => {
      const app = new App();
      const scope = new Stack(app, 'CdnPipeline');
      const template = new CfnInclude(scope, 'Template', {
        templateFile: join(stack[run].dir, TEMPLATE_FILE),
      });
      const before = findings(scope);
      expect(
        before.length,
        'the packs found nothing at all: is the template empty?',
      ).toBeGreaterThan(0);

      const unsuppressed: string[] = [];
      for (const finding of before) {
        const suppression = NAG_SUPPRESSIONS.find((s) => matches(s, finding));
        if (!suppression) {
          unsuppressed.push(describeFinding(finding));
          continue;
        }
        used.add(suppression);
        const resource = template.getResource(finding.logicalId) as CfnResource;
        Validations.of(resource).acknowledge({ id: finding.rule, reason: suppression.reason });
      }
      expect(unsuppressed, 'findings no suppression in nagSuppressions.ts covers').toEqual([]);

      // cdk-nag itself honours every acknowledgement: nothing left.
      expect(findings(scope).map(describeFinding)).toEqual([]);

      const rules = new Set(before.map((f) => f.rule.replace(/\[.*$/, '')));
      console.log(
        `cdk-nag (${run}): ${before.length} findings of ${rules.size} rules, all suppressed; 0 left`,
      );
    },
    60_000,
  );

  it('keeps no suppression that matches nothing in either template, and a reason for each', () => {
    const stale = NAG_SUPPRESSIONS.filter((s) => !used.has(s)).map((s) => String(s.rule));
    expect(stale, 'suppressions that match no finding (remove them)').toEqual([]);
    for (const s of NAG_SUPPRESSIONS) expect(s.reason.length, String(s.rule)).toBeGreaterThan(40);
  });
});
