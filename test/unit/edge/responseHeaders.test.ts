/** Response-headers policies at the edge (local/edge/responseHeaders.ts). */
import type { ResponseHeadersPolicyConfig } from '@aws-sdk/client-cloudfront';
import { describe, expect, it } from 'vitest';
import {
  applyResponseHeadersPolicy,
  preflightHeaders,
} from '../../../local/edge/responseHeaders.js';

const policy: ResponseHeadersPolicyConfig = {
  Name: 'p',
  SecurityHeadersConfig: {
    StrictTransportSecurity: {
      Override: true,
      AccessControlMaxAgeSec: 63_072_000,
      IncludeSubdomains: true,
      Preload: true,
    },
    ContentTypeOptions: { Override: true },
    FrameOptions: { Override: false, FrameOption: 'DENY' },
    ReferrerPolicy: { Override: true, ReferrerPolicy: 'strict-origin-when-cross-origin' },
    XSSProtection: { Override: true, Protection: true, ModeBlock: true },
  },
  CustomHeadersConfig: {
    Quantity: 1,
    Items: [{ Header: 'X-Served-By', Value: 'edge', Override: false }],
  },
  RemoveHeadersConfig: { Quantity: 1, Items: [{ Header: 'Server' }] },
  CorsConfig: {
    AccessControlAllowOrigins: { Quantity: 1, Items: ['https://app.example.com'] },
    AccessControlAllowMethods: { Quantity: 2, Items: ['GET', 'HEAD'] },
    AccessControlAllowHeaders: { Quantity: 1, Items: ['*'] },
    AccessControlAllowCredentials: false,
    AccessControlMaxAgeSec: 600,
    OriginOverride: true,
  },
};

describe('applyResponseHeadersPolicy', () => {
  it('adds the security headers, keeps an origin value where Override is false, removes headers', () => {
    const headers: Record<string, string> = { 'x-frame-options': 'SAMEORIGIN', server: 'AmazonS3' };
    applyResponseHeadersPolicy(policy, headers, undefined);
    expect(headers).toEqual({
      'strict-transport-security': 'max-age=63072000; includeSubDomains; preload',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'SAMEORIGIN',
      'referrer-policy': 'strict-origin-when-cross-origin',
      'x-xss-protection': '1; mode=block',
      'x-served-by': 'edge',
    });
  });

  it('adds CORS headers for an allowed Origin only', () => {
    const allowed: Record<string, string> = {};
    applyResponseHeadersPolicy(policy, allowed, 'https://app.example.com');
    expect(allowed['access-control-allow-origin']).toBe('https://app.example.com');
    expect(allowed.vary).toBe('Origin');
    const other: Record<string, string> = {};
    applyResponseHeadersPolicy(policy, other, 'https://evil.example.com');
    expect(other['access-control-allow-origin']).toBeUndefined();
  });
});

describe('preflightHeaders', () => {
  it('answers an allowed preflight with methods, headers and max-age', () => {
    expect(
      preflightHeaders(policy, {
        origin: 'https://app.example.com',
        method: 'GET',
        headers: 'x-a, x-b',
      }),
    ).toEqual({
      'access-control-allow-origin': 'https://app.example.com',
      'access-control-allow-methods': 'GET, HEAD',
      'access-control-allow-headers': 'x-a, x-b',
      'access-control-max-age': '600',
      vary: 'Origin',
    });
  });

  it.each([
    ['another origin', { origin: 'https://evil.example.com', method: 'GET' }],
    ['a method not allowed', { origin: 'https://app.example.com', method: 'DELETE' }],
    ['no Access-Control-Request-Method', { origin: 'https://app.example.com' }],
  ])('refuses %s', (_what, request) => {
    expect(preflightHeaders(policy, request)).toBeUndefined();
  });
});
