/** What a URL may be asked for: lifetimes, and the options and results of the URL builders. */
export const URL_LIMITS = {
  /** Lifetime when none is given (CDN_URL_TTL_SECONDS). */
  defaultTtlSeconds: 3600,
  /**
   * Our default ceiling on a signed URL's lifetime. CloudFront has none; a leaked URL is valid
   * until it expires, and the only other way to revoke it is to rotate the key pair. Raise it
   * with `maxTtlSeconds` (CDN_URL_MAX_TTL_SECONDS) up to one year.
   */
  maxTtlSeconds: 7 * 24 * 3600,
  maxConfigurableTtlSeconds: 365 * 24 * 3600,
  /** SigV4 presigned URLs: 7 days at most (AWS rejects longer), less with temporary credentials. */
  presignedMaxSeconds: 7 * 24 * 3600,
} as const;

export type UrlKind = 'cdn' | 'signed' | 'presigned';

export interface UrlResult {
  readonly url: string;
  readonly kind: UrlKind;
  /** When the URL stops working (signed and presigned URLs). */
  readonly expiresAt?: Date;
  /** Why a presigned URL was used instead of a CloudFront one, or why it expires early. */
  readonly note?: string;
}

export interface CdnUrlOptions {
  /** Host name the distribution answers to: an alias (`cdn.example.com`) or `d….cloudfront.net`. */
  readonly domain: string;
  /** The origin's OriginPath (`/prod`): key `prod/a.jpg` is served at `/a.jpg`. */
  readonly originPath?: string;
  /**
   * LOCAL ONLY: the local edge's base URL (`http://127.0.0.1:4580`, or `…/_edge/<id>` for a
   * distribution other than npm start's; CDN_LOCAL_EDGE_URL). The URL is then `<edgeUrl><path>`
   * instead of `https://<domain><path>`; a signature still covers `https://<domain><path>`, the
   * URL CloudFront (and the edge) checks.
   */
  readonly edgeUrl?: string;
}

/** Validity window: an absolute end, or seconds from now. */
export type Expiry =
  | { readonly expiresAt: Date; readonly expiresInSeconds?: undefined }
  | { readonly expiresInSeconds: number; readonly expiresAt?: undefined };

export interface SigningKey {
  /** The CloudFront public key id (in a trusted key group), e.g. `K2JCJMDEHXQW5F`. */
  readonly keyPairId: string;
  /** PEM of the RSA private key. Never logged, never part of an error message. */
  readonly privateKey: string;
}

export type SignedUrlOptions = CdnUrlOptions &
  SigningKey &
  Expiry & {
    /** Only this IPv4 address or CIDR may use the URL (custom policy). */
    readonly ipAddress?: string;
    /** The URL does not work before this time (custom policy). */
    readonly notBefore?: Date;
    /** Longest lifetime accepted, in seconds (default {@link URL_LIMITS.maxTtlSeconds}). */
    readonly maxTtlSeconds?: number;
    readonly now?: Date;
  };
