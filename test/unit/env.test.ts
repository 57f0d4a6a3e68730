import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ENV_SCHEMA, envDefault, parseEnv, type EnvVariable } from '../../shared/env.js';
import { ConfigError } from '../../shared/errors.js';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const VARIABLES = Object.keys(ENV_SCHEMA.shape) as EnvVariable[];

interface ReadmeRow {
  readonly line: number;
  readonly variable: string;
  readonly default: string;
}

/** Every row of every README table with a `variable` and a `default` column, one per variable. */
function readmeRows(markdown: string): ReadmeRow[] {
  const rows: ReadmeRow[] = [];
  const lines = markdown.split('\n');
  let columns: string[] | undefined;
  lines.forEach((text, i) => {
    if (!text.startsWith('|')) {
      columns = undefined;
      return;
    }
    const cells = text
      .slice(1, -1)
      .split('|')
      .map((c) => c.trim());
    if (!columns) {
      columns = cells;
      return;
    }
    const variableAt = columns.indexOf('variable');
    const defaultAt = columns.indexOf('default');
    if (variableAt < 0 || defaultAt < 0 || /^-+$/.test(cells[0]!)) return;
    const names = [...cells[variableAt]!.matchAll(/`([A-Z0-9_]+)`/g)].map((m) => m[1]!);
    if (!names.length) return;
    const defaults = names.length > 1 ? cells[defaultAt]!.split(' / ') : [cells[defaultAt]!];
    expect(defaults, `README line ${i + 1}: one default per variable`).toHaveLength(names.length);
    names.forEach((variable, n) =>
      rows.push({ line: i + 1, variable, default: defaults[n]!.trim() }),
    );
  });
  return rows;
}

/** How the README writes a schema default: `required`, `empty`, `built in`, or the value. */
function documentedDefault(variable: EnvVariable): string {
  const unset = envDefault(variable);
  if (unset.required) return 'required';
  const value = unset.value;
  if (value === undefined || (Array.isArray(value) && value.length === 0)) return 'empty';
  if (typeof value === 'object') return 'built in';
  return String(value);
}

/** `2 800` → `2800`, `80 %` → `80`, `` `INFO` `` → `INFO`. */
function normalized(cell: string): string {
  return cell
    .replace(/`/g, '')
    .replace(/(\d)[\s\u202f](?=\d{3}\b)/g, '$1')
    .replace(/(\d)\s*(%|ms|s)$/, '$1');
}

describe('the env schema', () => {
  it('gives every variable a one-line doc', () => {
    for (const variable of VARIABLES) {
      const doc = ENV_SCHEMA.shape[variable].description;
      expect(doc, variable).toMatch(/^\S.*\S$/);
      expect(doc, variable).not.toContain('\n');
    }
  });

  it('treats an empty value as not set, so a parameter can pass through unset', () => {
    expect(parseEnv(ENV_SCHEMA.pick({ MAX_INFLIGHT_WILDCARDS: true }), {})).toEqual(
      parseEnv(ENV_SCHEMA.pick({ MAX_INFLIGHT_WILDCARDS: true }), { MAX_INFLIGHT_WILDCARDS: '' }),
    );
    expect(() => parseEnv(ENV_SCHEMA.pick({ ALARM_TABLE: true }), { ALARM_TABLE: '' })).toThrow(
      /ALARM_TABLE: is required.*\(not set\)/,
    );
  });

  it('names the variable, not the list element, when one id of a list is bad', () => {
    const error = (() => {
      try {
        parseEnv(ENV_SCHEMA.pick({ DISTRIBUTION_IDS: true }), { DISTRIBUTION_IDS: 'E1,bad id' });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ field: 'DISTRIBUTION_IDS' });
    expect((error as Error).message).toMatch(/\(got "E1,bad id"\)/);
  });
});

describe('the README configuration tables', () => {
  const rows = readmeRows(README);

  it('list every variable of the schema, and only those', () => {
    expect([...new Set(rows.map((r) => r.variable))].sort()).toEqual([...VARIABLES].sort());
  });

  it.each(VARIABLES)('give %s the default the schema has', (variable) => {
    const expected = documentedDefault(variable);
    const documented = rows.filter((r) => r.variable === variable);
    for (const row of documented)
      expect(normalized(row.default), `README line ${row.line}`).toBe(expected);
  });
});
