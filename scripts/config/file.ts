// tappaas.json: found at the repository root (or given), validated with ajv against
// schemas/tappaas.schema.json before anything trusts it.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { compileSchema, type Validator } from '../schemas/compile.js';
import { loadSchema } from '../schemas/load.js';
import type { TappaasConfig } from './types.js';

/** One thing wrong in a config file: where (a JSON Pointer, `/lint/rules/x`) and what. */
export interface ConfigProblem {
  path: string;
  message: string;
}

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    message: string,
    readonly problems: ConfigProblem[] = [],
    /** `line:column` in the file, when known. */
    at?: string,
  ) {
    super(`${file}${at ? `:${at}` : ''}: ${message}`);
    this.name = 'ConfigError';
  }
}

export const CONFIG_NAME = 'tappaas.json';

/** The nearest tappaas.json from `cwd` upward, stopping at a git root. */
export function findConfig(cwd: string): string | undefined {
  let dir = resolve(cwd);
  for (;;) {
    const candidate = join(dir, CONFIG_NAME);
    if (existsSync(candidate)) return candidate;
    if (existsSync(join(dir, '.git'))) return undefined;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

// ajv is loaded only when a tappaas.json exists: it costs ~70 ms at every git hook otherwise.
let validate: Validator | undefined;

interface AjvError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/** ajv's errors, one line per JSON path; oneOf's "matches no branch" noise folded away. */
export function describeSchemaErrors(errors: AjvError[]): ConfigProblem[] {
  const byPath = new Map<string, string[]>();
  for (const e of errors) {
    let path = e.instancePath || '/';
    let message = e.message ?? 'is invalid';
    if (e.keyword === 'additionalProperties') {
      const key = String(e.params.additionalProperty);
      path = `${e.instancePath}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      message = 'is not a known setting (check its spelling against the schema)';
    } else if (e.keyword === 'enum') {
      message = `must be one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    }
    let list = byPath.get(path);
    if (!list) byPath.set(path, (list = []));
    if (!list.includes(message)) list.push(message);
  }
  return [...byPath].map(([path, messages]) => {
    const useful = messages.filter((m) => !m.startsWith('must match exactly one schema'));
    return { path, message: (useful.length > 0 ? useful : messages).join(', or ') };
  });
}

/** Line and column (1-based) of a character offset, for JSON syntax errors. */
function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return `${line}:${offset - before.lastIndexOf('\n')}`;
}

export function parseConfig(text: string, file: string): TappaasConfig {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    const message = (err as Error).message;
    const at = /at position (\d+)/.exec(message);
    throw new ConfigError(
      file,
      `not valid JSON: ${message}. Fix the syntax there (a trailing comma or a missing quote is usual).`,
      [{ path: '/', message }],
      at ? lineColumn(text, Number(at[1])) : undefined,
    );
  }
  validate ??= compileSchema(loadSchema('tappaas.schema.json'));
  if (!validate(data)) {
    const problems = describeSchemaErrors((validate.errors ?? []) as AjvError[]);
    const lines = problems.map((p) => `  ${p.path}: ${p.message}`);
    throw new ConfigError(
      file,
      `does not match schemas/tappaas.schema.json:\n${lines.join('\n')}\nFix the values at these JSON paths.`,
      problems,
    );
  }
  return data as TappaasConfig;
}

export function loadConfig(cwd: string, explicit?: string): { config: TappaasConfig; file?: string } {
  const file = explicit ? resolve(cwd, explicit) : findConfig(cwd);
  if (!file) return { config: {} };
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, `cannot be read: ${(err as Error).message}`);
  }
  return { config: parseConfig(text, file), file };
}
