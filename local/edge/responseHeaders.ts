/**
 * LOCAL ONLY (the local edge). A response-headers policy applied at the edge (CloudFront DG,
 * "Add or remove HTTP headers in CloudFront responses"): security headers, custom headers and
 * removed headers (an `Override: false` header is added only when the origin sent none), CORS
 * headers on a request with an allowed `Origin`, and the answer to a CORS preflight.
 */
import type { ResponseHeadersPolicyConfig } from '@aws-sdk/client-cloudfront';

type Headers = Record<string, string>;

function put(headers: Headers, name: string, value: string, override: boolean | undefined): void {
  if (override || headers[name] === undefined) headers[name] = value;
}

function securityHeaders(policy: ResponseHeadersPolicyConfig, headers: Headers): void {
  const s = policy.SecurityHeadersConfig;
  if (!s) return;
  if (s.StrictTransportSecurity) {
    const h = s.StrictTransportSecurity;
    const value = [
      `max-age=${h.AccessControlMaxAgeSec ?? 0}`,
      ...(h.IncludeSubdomains ? ['includeSubDomains'] : []),
      ...(h.Preload ? ['preload'] : []),
    ].join('; ');
    put(headers, 'strict-transport-security', value, h.Override);
  }
  if (s.ContentTypeOptions)
    put(headers, 'x-content-type-options', 'nosniff', s.ContentTypeOptions.Override);
  if (s.FrameOptions?.FrameOption)
    put(headers, 'x-frame-options', s.FrameOptions.FrameOption, s.FrameOptions.Override);
  if (s.ReferrerPolicy?.ReferrerPolicy)
    put(headers, 'referrer-policy', s.ReferrerPolicy.ReferrerPolicy, s.ReferrerPolicy.Override);
  if (s.XSSProtection) {
    const x = s.XSSProtection;
    const value = !x.Protection
      ? '0'
      : [
          '1',
          ...(x.ModeBlock ? ['mode=block'] : []),
          ...(x.ReportUri ? [`report=${x.ReportUri}`] : []),
        ].join('; ');
    put(headers, 'x-xss-protection', value, x.Override);
  }
  if (s.ContentSecurityPolicy?.ContentSecurityPolicy)
    put(
      headers,
      'content-security-policy',
      s.ContentSecurityPolicy.ContentSecurityPolicy,
      s.ContentSecurityPolicy.Override,
    );
}

/** The value of Access-Control-Allow-Origin for this viewer's Origin, or undefined. */
function allowedOrigin(
  policy: ResponseHeadersPolicyConfig,
  origin: string | undefined,
): string | undefined {
  const allowed = policy.CorsConfig?.AccessControlAllowOrigins?.Items ?? [];
  if (!origin) return undefined;
  if (allowed.includes('*')) return '*';
  return allowed.includes(origin) ? origin : undefined;
}

function corsHeaders(
  policy: ResponseHeadersPolicyConfig,
  headers: Headers,
  origin: string | undefined,
): void {
  const cors = policy.CorsConfig;
  const allow = allowedOrigin(policy, origin);
  if (!cors || !allow) return;
  const o = cors.OriginOverride;
  put(headers, 'access-control-allow-origin', allow, o);
  if (cors.AccessControlAllowCredentials)
    put(headers, 'access-control-allow-credentials', 'true', o);
  const expose = cors.AccessControlExposeHeaders?.Items ?? [];
  if (expose.length) put(headers, 'access-control-expose-headers', expose.join(','), o);
  if (allow !== '*') headers.vary = headers.vary ? `${headers.vary}, Origin` : 'Origin';
}

/** Applies the policy to `headers` (lower-case names) in place. */
export function applyResponseHeadersPolicy(
  policy: ResponseHeadersPolicyConfig | undefined,
  headers: Headers,
  requestOrigin: string | undefined,
): void {
  if (!policy) return;
  securityHeaders(policy, headers);
  for (const c of policy.CustomHeadersConfig?.Items ?? []) {
    if (c.Header && c.Value !== undefined)
      put(headers, c.Header.toLowerCase(), c.Value, c.Override);
  }
  for (const r of policy.RemoveHeadersConfig?.Items ?? []) {
    if (r.Header) delete headers[r.Header.toLowerCase()];
  }
  corsHeaders(policy, headers, requestOrigin);
}

/**
 * The preflight answer (`OPTIONS` with Origin and Access-Control-Request-Method) under the policy's
 * CORS config: the headers to send with a 200, or undefined when the policy has no CORS config or
 * does not allow this origin or method (the request then goes to the origin, as on CloudFront).
 */
export function preflightHeaders(
  policy: ResponseHeadersPolicyConfig | undefined,
  request: { readonly origin?: string; readonly method?: string; readonly headers?: string },
): Headers | undefined {
  const cors = policy?.CorsConfig;
  const allow = policy ? allowedOrigin(policy, request.origin) : undefined;
  if (!cors || !allow || !request.method) return undefined;
  const methods: readonly string[] = cors.AccessControlAllowMethods?.Items ?? [];
  const all = methods.includes('ALL');
  if (!all && !methods.includes(request.method.toUpperCase())) return undefined;
  const out: Headers = {
    'access-control-allow-origin': allow,
    'access-control-allow-methods': all
      ? 'GET, HEAD, OPTIONS, PUT, PATCH, POST, DELETE'
      : methods.join(', '),
  };
  const allowHeaders = cors.AccessControlAllowHeaders?.Items ?? [];
  if (allowHeaders.includes('*') && request.headers)
    out['access-control-allow-headers'] = request.headers;
  else if (allowHeaders.length) out['access-control-allow-headers'] = allowHeaders.join(', ');
  if (cors.AccessControlAllowCredentials) out['access-control-allow-credentials'] = 'true';
  if (cors.AccessControlMaxAgeSec !== undefined)
    out['access-control-max-age'] = String(cors.AccessControlMaxAgeSec);
  if (allow !== '*') out.vary = 'Origin';
  return out;
}
