// tappaas.json: found at the repository root (or given), validated with ajv against
// schemas/tappaas.schema.json before anything trusts it.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import type { Ajv as AjvClass } from 'ajv';
import { loadSchema } from '../schemas/load.js';
import type { RuleLevel } from './types.js';

export type RuleSetting = RuleLevel | [RuleLevel] | [RuleLevel, Record<string, unknown>];

export interface TappaasConfig {
  fleet?: Record<string, string>;
  lint?: { rules?: Record<string, RuleSetting>; ignore?: string[]; maxFileBytes?: number };
  policy?: Record<string, unknown>;
  hosts?: Record<string, unknown>;
  deploy?: Record<string, unknown>;
}

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
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
function newAjv(): AjvClass {
  const { Ajv } = createRequire(import.meta.url)('ajv') as typeof import('ajv');
  return new Ajv({ allErrors: true, strict: false });
}

let validate: (((data: unknown) => boolean) & { errors?: unknown }) | undefined;

export function parseConfig(text: string, file: string): TappaasConfig {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(
      file,
      `not valid JSON: ${(err as Error).message}. Fix the syntax (a JSON validator shows where).`,
    );
  }
  validate ??= newAjv().compile(loadSchema('tappaas.schema.json'));
  if (!validate(data)) {
    const errors = (validate.errors ?? []) as { instancePath: string; message?: string; params?: unknown }[];
    const lines = errors.map(
      (e) => `  ${e.instancePath || '/'}: ${e.message ?? 'invalid'} ${JSON.stringify(e.params)}`,
    );
    throw new ConfigError(file, `does not match schemas/tappaas.schema.json:\n${lines.join('\n')}`);
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
