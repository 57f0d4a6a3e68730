/**
 * LOCAL ONLY. The REST XML of CloudFront's invalidation calls, as the fault proxy reads and
 * answers them: the InvalidationBatch a CreateInvalidation sends, and the Invalidation,
 * InvalidationList and ErrorResponse bodies CloudFront returns (element names from the SDK's
 * own schema for API version 2020-05-31).
 */
import { randomUUID } from 'node:crypto';

export const CLOUDFRONT_XMLNS = 'http://cloudfront.amazonaws.com/doc/2020-05-31/';

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\r/g, '&#13;');
}

export function unescapeXml(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (_, entity: string) => {
    if (entity === 'amp') return '&';
    if (entity === 'lt') return '<';
    if (entity === 'gt') return '>';
    if (entity === 'quot') return '"';
    if (entity === 'apos') return "'";
    const code = entity.startsWith('#x')
      ? parseInt(entity.slice(2), 16)
      : parseInt(entity.slice(1), 10);
    return String.fromCodePoint(code);
  });
}

/** A CreateInvalidation body, read: what was sent, or why it cannot be read. */
export type ParsedBatch =
  | {
      readonly ok: true;
      readonly callerReference: string;
      readonly quantity: number;
      readonly paths: readonly string[];
    }
  | { readonly ok: false; readonly code: 'MissingBody' | 'MalformedXML'; readonly message: string };

const one = (xml: string, tag: string): string | undefined =>
  new RegExp(`<${tag}(?:\\s[^>]*)?>([\\s\\S]*?)</${tag}>`).exec(xml)?.[1];

export function parseInvalidationBatch(body: string): ParsedBatch {
  if (!body.trim()) {
    return { ok: false, code: 'MissingBody', message: 'This operation requires a body.' };
  }
  const batch = one(body, 'InvalidationBatch');
  const reference = batch === undefined ? undefined : one(batch, 'CallerReference');
  const paths = batch === undefined ? undefined : one(batch, 'Paths');
  const quantity = paths === undefined ? undefined : one(paths, 'Quantity');
  if (batch === undefined || reference === undefined || quantity === undefined) {
    return {
      ok: false,
      code: 'MalformedXML',
      message:
        'The XML document you provided was not well-formed or did not validate against our published schema.',
    };
  }
  const items = one(paths!, 'Items') ?? '';
  const list = [...items.matchAll(/<Path(?:\s[^>]*)?>([\s\S]*?)<\/Path>|<Path\s*\/>/g)].map((m) =>
    unescapeXml(m[1] ?? ''),
  );
  return {
    ok: true,
    callerReference: unescapeXml(reference),
    quantity: Number(quantity.trim()),
    paths: list,
  };
}

export interface InvalidationView {
  readonly id: string;
  readonly status: 'InProgress' | 'Completed';
  readonly createTime: Date;
  readonly callerReference: string;
  readonly paths: readonly string[];
}

function invalidationInner(view: InvalidationView): string {
  const items = view.paths.map((p) => `<Path>${escapeXml(p)}</Path>`).join('');
  return (
    `<Id>${view.id}</Id><Status>${view.status}</Status>` +
    `<CreateTime>${view.createTime.toISOString()}</CreateTime>` +
    `<InvalidationBatch><Paths><Quantity>${view.paths.length}</Quantity>` +
    `${view.paths.length ? `<Items>${items}</Items>` : ''}</Paths>` +
    `<CallerReference>${escapeXml(view.callerReference)}</CallerReference></InvalidationBatch>`
  );
}

const DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

export function invalidationXml(view: InvalidationView): string {
  return `${DECLARATION}<Invalidation xmlns="${CLOUDFRONT_XMLNS}">${invalidationInner(view)}</Invalidation>`;
}

export function invalidationListXml(page: {
  readonly marker: string;
  readonly maxItems: number;
  readonly items: readonly InvalidationView[];
  readonly nextMarker?: string;
}): string {
  const items = page.items
    .map(
      (v) =>
        `<InvalidationSummary><Id>${v.id}</Id><CreateTime>${v.createTime.toISOString()}</CreateTime>` +
        `<Status>${v.status}</Status></InvalidationSummary>`,
    )
    .join('');
  return (
    `${DECLARATION}<InvalidationList xmlns="${CLOUDFRONT_XMLNS}">` +
    `<Marker>${escapeXml(page.marker)}</Marker>` +
    (page.nextMarker ? `<NextMarker>${escapeXml(page.nextMarker)}</NextMarker>` : '') +
    `<MaxItems>${page.maxItems}</MaxItems><IsTruncated>${page.nextMarker ? 'true' : 'false'}</IsTruncated>` +
    `<Quantity>${page.items.length}</Quantity>${page.items.length ? `<Items>${items}</Items>` : ''}` +
    `</InvalidationList>`
  );
}

/** CloudFront's error body: `Sender` for the caller's faults, `Receiver` for its own. */
export function errorXml(error: {
  readonly code: string;
  readonly message: string;
  readonly type?: 'Sender' | 'Receiver';
}): string {
  return (
    `${DECLARATION}<ErrorResponse xmlns="${CLOUDFRONT_XMLNS}"><Error>` +
    `<Type>${error.type ?? 'Sender'}</Type><Code>${escapeXml(error.code)}</Code>` +
    `<Message>${escapeXml(error.message)}</Message></Error>` +
    `<RequestId>${randomUUID()}</RequestId></ErrorResponse>`
  );
}
