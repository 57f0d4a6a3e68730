import { encodePath, invalidationPathForKey, viewerPathForKey } from '../shared/keys.js';
import { table } from './format.js';

export function pathsCommand(
  keys: readonly string[],
  options: { originPath: string; json?: boolean },
): number {
  const rows = keys.map((key) => {
    const viewer = viewerPathForKey(key, options.originPath);
    return {
      key,
      path: viewer === undefined ? null : encodePath(viewer),
      invalidationPath: invalidationPathForKey(key, options.originPath) ?? null,
    };
  });
  if (options.json) {
    console.log(JSON.stringify(rows, null, 2));
  } else {
    console.log(
      table(
        ['key', 'path', 'invalidation path'],
        rows.map((r) => [
          JSON.stringify(r.key),
          r.path ?? '(outside the origin path)',
          r.invalidationPath ?? '-',
        ]),
      ),
    );
  }
  return rows.every((r) => r.path !== null) ? 0 : 3;
}
