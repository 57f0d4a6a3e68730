/**
 * LOCAL ONLY. The demo's sample objects: a few of each content class (video, streaming, image,
 * document, other), small enough for a laptop, each body starting with its version (`v1 …`) so
 * that the traffic can tell old bytes from new after an overwrite.
 */
export interface Sample {
  readonly key: string;
  readonly contentType: string;
  readonly bytes: number;
}

export const DEMO_SAMPLES: readonly Sample[] = Object.freeze([
  { key: 'videos/launch film.mp4', contentType: 'video/mp4', bytes: 96_000 },
  { key: 'videos/tutorial.webm', contentType: 'video/webm', bytes: 64_000 },
  { key: 'videos/teaser.mov', contentType: 'video/quicktime', bytes: 48_000 },
  { key: 'live/channel.m3u8', contentType: 'application/vnd.apple.mpegurl', bytes: 400 },
  { key: 'live/segment-001.ts', contentType: 'video/mp2t', bytes: 32_000 },
  { key: 'live/segment-002.ts', contentType: 'video/mp2t', bytes: 32_000 },
  { key: 'live/channel.mpd', contentType: 'application/dash+xml', bytes: 900 },
  { key: 'images/hero.jpg', contentType: 'image/jpeg', bytes: 24_000 },
  { key: 'images/logo.png', contentType: 'image/png', bytes: 6_000 },
  { key: 'images/icon.svg', contentType: 'image/svg+xml', bytes: 1_500 },
  { key: 'images/banner.webp', contentType: 'image/webp', bytes: 18_000 },
  { key: 'docs/annual report.pdf', contentType: 'application/pdf', bytes: 40_000 },
  { key: 'docs/index.html', contentType: 'text/html', bytes: 3_000 },
  { key: 'docs/prices.json', contentType: 'application/json', bytes: 2_000 },
  { key: 'docs/stock.csv', contentType: 'text/csv', bytes: 5_000 },
  { key: 'downloads/setup.zip', contentType: 'application/zip', bytes: 20_000 },
  { key: 'fonts/brand.woff2', contentType: 'font/woff2', bytes: 12_000 },
  { key: 'misc/readme.txt', contentType: 'text/plain', bytes: 800 },
]);

/** `v<version> <key>\n`, then filler to the sample's size. */
export function sampleBody(sample: Sample, version: number): Buffer {
  const head = `v${version} ${sample.key}\n`;
  const filler = Math.max(0, sample.bytes - Buffer.byteLength(head));
  return Buffer.concat([Buffer.from(head), Buffer.alloc(filler, 'cdn-pipeline demo ')]);
}

/** The version a body starts with, or undefined. */
export function versionOf(body: Buffer): number | undefined {
  const match = /^v(\d+) /.exec(body.subarray(0, 16).toString('latin1'));
  return match ? Number(match[1]) : undefined;
}
