// Checks tappaas.json's `policy` (and the `lint` settings the hook uses) by hand instead of
// with ajv: compiling the whole schema costs the hook more than a bare node start, and the
// hook must answer fast. test/unit/policy/validate.test.ts keeps this in step with the schema.

type Raw = Record<string, unknown>;
const HOST = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

function isObject(v: unknown): v is Raw {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

class Checker {
  readonly problems: string[] = [];
  fail(path: string, message: string): void {
    this.problems.push(`${path}: ${message}`);
  }
  object(v: unknown, path: string, keys: readonly string[]): v is Raw {
    if (!isObject(v)) {
      this.fail(path, 'must be an object');
      return false;
    }
    for (const k of Object.keys(v))
      if (!keys.includes(k)) this.fail(`${path}/${k}`, 'is not a known property');
    return true;
  }
  string(v: unknown, path: string, pattern?: RegExp): void {
    if (typeof v !== 'string' || v.length === 0) this.fail(path, 'must be a non-empty string');
    else if (pattern && !pattern.test(v)) this.fail(path, `must match ${pattern}`);
  }
  strings(v: unknown, path: string, pattern?: RegExp): void {
    if (!Array.isArray(v)) {
      this.fail(path, 'must be an array of strings');
      return;
    }
    for (const [i, s] of v.entries()) this.string(s, `${path}/${i}`, pattern);
  }
  boolean(v: unknown, path: string): void {
    if (v !== undefined && typeof v !== 'boolean') this.fail(path, 'must be true or false');
  }
  positiveInteger(v: unknown, path: string): void {
    if (v !== undefined && !(Number.isInteger(v) && (v as number) >= 1))
      this.fail(path, 'must be an integer >= 1');
  }
}

export function policyProblems(policy: unknown, base = '/policy'): string[] {
  const c = new Checker();
  if (policy === undefined) return [];
  const keys = [
    'defaultBranch',
    'protectedBranches',
    'protectedTags',
    'ciIdentities',
    'namespaces',
    'limits',
    'lint',
    'registration',
    'signedCommits',
  ];
  if (!c.object(policy, base, keys)) return c.problems;
  if (policy.defaultBranch !== undefined) c.string(policy.defaultBranch, `${base}/defaultBranch`);
  if (policy.protectedBranches !== undefined) {
    const path = `${base}/protectedBranches`;
    if (!Array.isArray(policy.protectedBranches)) c.fail(path, 'must be an array');
    else
      for (const [i, r] of policy.protectedBranches.entries()) {
        const p = `${path}/${i}`;
        if (typeof r === 'string') {
          c.string(r, p);
          continue;
        }
        const known = ['pattern', 'allow', 'allowForcePush', 'allowDeletion', 'allowPullRequestMerges'];
        if (!c.object(r, p, known)) continue;
        c.string(r.pattern, `${p}/pattern`);
        if (r.allow !== undefined) c.strings(r.allow, `${p}/allow`);
        c.boolean(r.allowForcePush, `${p}/allowForcePush`);
        c.boolean(r.allowDeletion, `${p}/allowDeletion`);
        c.boolean(r.allowPullRequestMerges, `${p}/allowPullRequestMerges`);
      }
  }
  if (policy.protectedTags !== undefined) c.strings(policy.protectedTags, `${base}/protectedTags`);
  if (policy.ciIdentities !== undefined) c.strings(policy.ciIdentities, `${base}/ciIdentities`);
  if (policy.namespaces !== undefined) c.strings(policy.namespaces, `${base}/namespaces`, /^refs\//);
  const limits = policy.limits;
  if (
    limits !== undefined &&
    c.object(limits, `${base}/limits`, [
      'maxBlobBytes',
      'forbiddenPaths',
      'forbiddenPathsCaseSensitive',
      'detectPrivateKeys',
      'hookLintFileBytes',
      'hookLintPushBytes',
    ])
  ) {
    c.positiveInteger(limits.maxBlobBytes, `${base}/limits/maxBlobBytes`);
    if (limits.forbiddenPaths !== undefined)
      c.strings(limits.forbiddenPaths, `${base}/limits/forbiddenPaths`);
    c.boolean(limits.forbiddenPathsCaseSensitive, `${base}/limits/forbiddenPathsCaseSensitive`);
    c.boolean(limits.detectPrivateKeys, `${base}/limits/detectPrivateKeys`);
    c.positiveInteger(limits.hookLintFileBytes, `${base}/limits/hookLintFileBytes`);
    c.positiveInteger(limits.hookLintPushBytes, `${base}/limits/hookLintPushBytes`);
  }
  if (policy.lint !== undefined) {
    const path = `${base}/lint`;
    if (!Array.isArray(policy.lint)) c.fail(path, 'must be an array');
    else
      for (const [i, r] of policy.lint.entries()) {
        const p = `${path}/${i}`;
        if (!c.object(r, p, ['pattern', 'level'])) continue;
        c.string(r.pattern, `${p}/pattern`);
        if (!['error', 'warning', 'off'].includes(r.level as string))
          c.fail(`${p}/level`, 'must be error, warning or off');
      }
  }
  const signed = policy.signedCommits;
  if (signed !== undefined && c.object(signed, `${base}/signedCommits`, ['branches', 'allowedSigners'])) {
    if (signed.branches !== undefined) c.strings(signed.branches, `${base}/signedCommits/branches`);
    if (signed.allowedSigners !== undefined)
      c.string(signed.allowedSigners, `${base}/signedCommits/allowedSigners`);
  }
  const reg = policy.registration;
  if (reg !== undefined && c.object(reg, `${base}/registration`, ['prefix', 'hosts', 'keys', 'paths'])) {
    if (reg.prefix !== undefined) c.string(reg.prefix, `${base}/registration/prefix`);
    if (
      reg.hosts !== undefined &&
      c.object(reg.hosts, `${base}/registration/hosts`, Object.keys(reg.hosts ?? {}))
    ) {
      for (const [host, ids] of Object.entries(reg.hosts)) {
        if (!HOST.test(host))
          c.fail(`${base}/registration/hosts/${host}`, 'host name must be a lower-case RFC 1123 label');
        c.strings(ids, `${base}/registration/hosts/${host}`);
      }
    }
    if (reg.keys !== undefined) c.strings(reg.keys, `${base}/registration/keys`);
    if (reg.paths !== undefined) c.strings(reg.paths, `${base}/registration/paths`);
  }
  return c.problems;
}

/** The `lint` settings the hook reads: rules, ignore, maxFileBytes (types only). */
export function lintSettingsProblems(lint: unknown): string[] {
  const c = new Checker();
  if (lint === undefined) return [];
  if (!isObject(lint)) return ['/lint: must be an object'];
  if (lint.rules !== undefined && !isObject(lint.rules)) c.fail('/lint/rules', 'must be an object');
  const levels = ['off', 'info', 'warning', 'error'];
  for (const [id, v] of Object.entries(isObject(lint.rules) ? lint.rules : {})) {
    const level = Array.isArray(v) ? v[0] : v;
    if (!levels.includes(level as string))
      c.fail(`/lint/rules/${id}`, `level must be one of ${levels.join(', ')}`);
    if (Array.isArray(v) && v.length > 1 && !isObject(v[1]))
      c.fail(`/lint/rules/${id}/1`, 'options must be an object');
  }
  if (lint.ignore !== undefined) c.strings(lint.ignore, '/lint/ignore');
  c.positiveInteger(lint.maxFileBytes, '/lint/maxFileBytes');
  return c.problems;
}
