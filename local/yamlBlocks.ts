/**
 * A small indentation reader for the stack's own YAML (serverless.yml, resources/*.yml): enough
 * to find a block by its keys and read scalars in it, with CloudFormation's `!Ref`/`!GetAtt` tags
 * left as text (a YAML library would need their schema). Used by the local pollers (the deployed
 * event-source settings) and by the bench (the same settings, esbuild options, handlers). Every
 * key it cannot find is named in the error.
 */

export interface YamlLine {
  readonly indent: number;
  readonly text: string;
}

/** The non-empty lines of a YAML text, comments stripped, with their indentation. */
export function yamlLines(yaml: string): YamlLine[] {
  return yaml
    .split('\n')
    .map((raw) => raw.replace(/\s+#.*$/, '').replace(/^\s*#.*$/, ''))
    .filter((raw) => raw.trim() !== '')
    .map((raw) => ({ indent: raw.length - raw.trimStart().length, text: raw.trim() }));
}

/**
 * The lines of the block under `path` (each step a key, `- key` for a list item's first key),
 * searched in order below the previous step; `file` names the file in the error.
 */
export function yamlBlock(
  all: readonly YamlLine[],
  path: readonly string[],
  file = 'serverless.yml',
): YamlLine[] {
  let from = 0;
  let to = all.length;
  let indent = -1;
  for (const step of path) {
    let found = -1;
    for (let i = from; i < to; i += 1) {
      const l = all[i]!;
      if (l.indent <= indent) break;
      if (l.text === `${step}:` || l.text === `- ${step}:`) {
        found = i;
        break;
      }
    }
    if (found === -1) throw new Error(`${file}: ${path.join('.')}: key "${step}" not found`);
    indent = all[found]!.indent + (all[found]!.text.startsWith('- ') ? 2 : 0);
    from = found + 1;
    to = from;
    while (to < all.length && all[to]!.indent > all[found]!.indent) to += 1;
  }
  return all.slice(from, to);
}
