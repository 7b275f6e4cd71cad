// Rule options (`lint.rules.<id>: [level, { … }]` in tappaas.json) checked against each rule's
// meta.schema before a run, as ESLint checks them: a misspelt option is an error that names
// the file, the rule and the key, never an option silently ignored.

import { ConfigError, type ConfigProblem } from '../config/file.js';
import type { RuleSetting } from '../config/types.js';
import { nearestName } from '../nixos/option-namespaces.js';
import { compileSchema, type SchemaError, type Validator } from '../schemas/compile.js';
import type { Rule, RuleOptionsSchema } from './types.js';

const NO_OPTIONS: RuleOptionsSchema = { type: 'object', properties: {}, additionalProperties: false };

/** The options tappaas.json may set: the schema without those the lint run sets itself. */
export function userOptionsSchema(rule: Rule): RuleOptionsSchema {
  const schema = rule.meta.schema ?? NO_OPTIONS;
  const own = Object.entries(schema.properties).filter(([, s]) => !s.readOnly);
  if (own.length === Object.keys(schema.properties).length) return schema;
  return { ...schema, properties: Object.fromEntries(own) };
}

const validators = new WeakMap<Rule, { user?: Validator; all?: Validator }>();

function validatorOf(rule: Rule, which: 'user' | 'all'): Validator {
  let v = validators.get(rule);
  if (!v) validators.set(rule, (v = {}));
  v[which] ??= compileSchema(which === 'user' ? userOptionsSchema(rule) : (rule.meta.schema ?? NO_OPTIONS));
  return v[which];
}

/**
 * What is wrong with one rule's options, one problem per key, each at its JSON path under
 * `base`. `which`: `user` for tappaas.json (options the run sets are unknown there), `all`
 * for what the engine is handed (tests).
 */
export function optionProblems(
  id: string,
  rule: Rule,
  options: unknown,
  base = `/lint/rules/${pointer(id)}/1`,
  which: 'user' | 'all' = 'user',
): ConfigProblem[] {
  const validate = validatorOf(rule, which);
  if (validate(options)) return [];
  return (validate.errors ?? []).map((e) => describe(id, rule, e, base, which));
}

function describe(
  id: string,
  rule: Rule,
  e: SchemaError,
  base: string,
  which: 'user' | 'all',
): ConfigProblem {
  if (e.keyword === 'additionalProperties') {
    const key = String(e.params.additionalProperty);
    const known = Object.keys(
      (which === 'user' ? userOptionsSchema(rule) : (rule.meta.schema ?? NO_OPTIONS)).properties,
    );
    const path = `${base}${e.instancePath}/${pointer(key)}`;
    const internal = e.instancePath === '' ? rule.meta.schema?.properties[key] : undefined;
    if (internal?.readOnly)
      return { path, message: `\`${key}\` of ${id} is not set in tappaas.json: ${internal.description}` };
    if (known.length === 0) return { path, message: `${id} takes no options: remove \`${key}\`` };
    const near = nearestName(key, known);
    return {
      path,
      message: `\`${key}\` is no option of ${id}${near ? `; did you mean \`${near}\`?` : '.'} Its options: ${known.map((k) => `\`${k}\``).join(', ')}`,
    };
  }
  const key = e.instancePath.split('/')[1];
  const what = key
    ? `option \`${key.replace(/~1/g, '/').replace(/~0/g, '~')}\` of ${id}`
    : `the options of ${id}`;
  const allowed =
    e.keyword === 'enum'
      ? ` (${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')})`
      : '';
  return { path: `${base}${e.instancePath}`, message: `${what} ${e.message ?? 'is not valid'}${allowed}` };
}

/** Every problem with the options of the rules in `settings` (ids of no rule are not ours to judge). */
export function ruleOptionProblems(
  settings: Record<string, RuleSetting> | undefined,
  table: Record<string, Rule>,
): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  for (const [id, setting] of Object.entries(settings ?? {})) {
    const rule = Object.hasOwn(table, id) ? table[id] : undefined;
    if (!rule || !Array.isArray(setting) || setting.length < 2) continue;
    out.push(...optionProblems(id, rule, setting[1]));
  }
  return out;
}

/**
 * Throws a ConfigError (exit 2, as every config error) naming `file` when an option is wrong.
 * The rules are loaded only when some setting has options: a run served from the cache
 * loads no rule at all.
 */
export async function checkRuleOptions(
  settings: Record<string, RuleSetting> | undefined,
  file: string,
  table?: Record<string, Rule>,
): Promise<void> {
  if (!Object.values(settings ?? {}).some((s) => Array.isArray(s) && s.length > 1)) return;
  const problems = ruleOptionProblems(settings, table ?? (await import('./rules/index.js')).rules);
  if (problems.length === 0) return;
  const lines = problems.map((p) => `  ${p.path}: ${p.message}`);
  throw new ConfigError(
    file,
    `has rule options that do not match the rules' schemas:\n${lines.join('\n')}\nFix the options at these JSON paths; \`tappaas rules\` lists the options of each rule.`,
    problems,
  );
}

/** A JSON Pointer segment. */
function pointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}
