import { describe, expect, it } from 'vitest';
import { waitOptions } from '../../../functions/provision/validate.js';

describe('waitOptions', () => {
  it('returns 30 s polls for 45 minutes by default', () => {
    expect(waitOptions()).toEqual({ pollSeconds: 30, maxPolls: 90 });
  });

  it.each([
    [{ pollSeconds: 4 }, /options\.pollSeconds: must be between 5 and 600/],
    [{ maxWaitSeconds: 0 }, /options\.maxWaitSeconds: must be between 1 and 86400/],
    [{ pollSeconds: 1.5 }, /options\.pollSeconds: must be a whole number/],
    [
      { pollSeconds: 5, maxWaitSeconds: 86_400 },
      /options\.pollSeconds: must be at least 44 seconds when waiting up to 86400 seconds/,
    ],
  ])('rejects %j naming the field', (options, message) => {
    expect(() => waitOptions(options)).toThrow(message);
  });

  it('accepts a day of waiting at 44 s polls (within the execution history)', () => {
    expect(waitOptions({ pollSeconds: 44, maxWaitSeconds: 86_400 }).maxPolls).toBe(1964);
  });
});
