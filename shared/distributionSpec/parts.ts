/**
 * What the spec's schema and its field modules (privatePrefixes.ts) share: the refinement context,
 * the one way to report a problem, and a content class as the distribution serves it. Its own file
 * so that a field module never imports the schema that imports it.
 */
import type * as z from 'zod';

export type Ctx = z.RefinementCtx;
export const problem = (ctx: Ctx, message: string, path: PropertyKey[] = []) =>
  ctx.addIssue({ code: 'custom', message, path });

/** A content class as the distribution serves it: one cache behaviour per extension. */
export interface ContentClassSpec {
  readonly name: string;
  /** Lower-case, with the dot: `.mp4`. Each becomes the path pattern `*.mp4`. */
  readonly extensions: readonly string[];
  readonly minTtl: number;
  readonly defaultTtl: number;
  readonly maxTtl: number;
  /** The extensions CloudFront compresses (Compress: true); the others are served as stored. */
  readonly compress: readonly string[];
}
