/**
 * Parameters refused while packaging (resources/paramChecks.cjs): osls stops during variable
 * resolution with a message naming the parameter, before anything is built, on a plain
 * `sls package` as on `npm run package`.
 */
import { describe, expect, it } from 'vitest';
import { refusedPackagings } from './stack.js';

describe('parameters refused while packaging', () => {
  it('refuses a stage other than dev and local without alertEmail, naming the parameter', async () => {
    const output = (await refusedPackagings()).prodWithoutAlertEmail;
    expect(output, 'sls package --stage prod packaged without alertEmail').not.toBeNull();
    expect(output).toContain(
      'alertEmail: stage "prod" needs an address for its alarms: --param alertEmail=ops@example.com',
    );
  });

  it('refuses provisionBuckets=* (every bucket the roles could reach)', async () => {
    const output = (await refusedPackagings()).provisionAnyBucket;
    expect(output, 'sls package --param provisionBuckets=* packaged').not.toBeNull();
    expect(output).toContain('provisionBuckets: "*" would cover every bucket');
  });
});
