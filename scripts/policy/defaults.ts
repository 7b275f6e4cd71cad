// Turns tappaas.json's `policy` section (already schema-checked) into a complete Policy:
// every missing field gets the safe default, so verdicts never see an undefined rule.
import type { LintGate, Policy, ProtectedBranchRule } from './types.js';

export const DEFAULT_FORBIDDEN_PATHS = [
  '**/.env',
  '**/.env.local',
  '**/id_rsa',
  '**/id_dsa',
  '**/id_ecdsa',
  '**/id_ed25519',
  '**/ssh_host_*_key',
  '**/*.key',
  '**/*.p12',
  '**/*.pfx',
];

/**
 * The hook's lint budget. Linting costs about 0.85 s per MB of Nix and 135 bytes of memory per
 * byte (measured: a 4 MB file took 3.4 s and 540 MB), so a file over 256 KiB, or what a push
 * brings beyond 2 MiB, is left to CI with a warning. A 500-host fleet at once is about 0.6 MB.
 */
export const DEFAULT_HOOK_LINT_FILE_BYTES = 256 * 1024;
export const DEFAULT_HOOK_LINT_PUSH_BYTES = 2 * 1024 * 1024;

type Raw = Record<string, unknown>;

function positive(v: unknown, fallback: number): number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 ? v : fallback;
}

function strings(v: unknown, fallback: string[]): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : fallback;
}

function branchRule(v: unknown): ProtectedBranchRule {
  const base: ProtectedBranchRule = {
    pattern: 'main',
    allow: [],
    allowForcePush: false,
    allowDeletion: false,
    allowPullRequestMerges: true,
  };
  if (typeof v === 'string') return { ...base, pattern: v };
  const r = (v ?? {}) as Raw;
  return {
    pattern: typeof r.pattern === 'string' ? r.pattern : base.pattern,
    allow: strings(r.allow, []),
    allowForcePush: r.allowForcePush === true,
    allowDeletion: r.allowDeletion === true,
    allowPullRequestMerges: r.allowPullRequestMerges !== false,
  };
}

/**
 * `policyBranch`: where the server reads the policy (see Policy.policyBranch); it is also the
 * default branch when the policy names none.
 */
export function resolvePolicy(raw: unknown, policyBranch?: string): Policy {
  const p = (raw ?? {}) as Raw;
  const limits = (p.limits ?? {}) as Raw;
  const registration = (p.registration ?? {}) as Raw;
  const signed = (p.signedCommits ?? {}) as Raw;
  const defaultBranch = typeof p.defaultBranch === 'string' ? p.defaultBranch : (policyBranch ?? 'main');
  const hosts: Record<string, string[]> = {};
  for (const [host, ids] of Object.entries((registration.hosts ?? {}) as Raw)) hosts[host] = strings(ids, []);
  return {
    defaultBranch,
    ...(policyBranch !== undefined ? { policyBranch } : {}),
    protectedBranches: Array.isArray(p.protectedBranches)
      ? p.protectedBranches.map(branchRule)
      : [branchRule(defaultBranch)],
    protectedTags: strings(p.protectedTags, ['**']),
    ciIdentities: strings(p.ciIdentities, []),
    namespaces: strings(p.namespaces, ['refs/heads/', 'refs/tags/']),
    limits: {
      maxBlobBytes: typeof limits.maxBlobBytes === 'number' ? limits.maxBlobBytes : 5 * 1024 * 1024,
      forbiddenPaths: strings(limits.forbiddenPaths, DEFAULT_FORBIDDEN_PATHS),
      forbiddenPathsCaseSensitive: limits.forbiddenPathsCaseSensitive === true,
      detectPrivateKeys: limits.detectPrivateKeys !== false,
      hookLintFileBytes: positive(limits.hookLintFileBytes, DEFAULT_HOOK_LINT_FILE_BYTES),
      hookLintPushBytes: positive(limits.hookLintPushBytes, DEFAULT_HOOK_LINT_PUSH_BYTES),
    },
    lint: Array.isArray(p.lint)
      ? (p.lint as Raw[]).map((r) => ({ pattern: String(r.pattern), level: r.level as LintGate }))
      : [{ pattern: '**', level: 'error' }],
    registration: {
      prefix: typeof registration.prefix === 'string' ? registration.prefix : 'registration/',
      hosts,
      keys: strings(registration.keys, []),
      // Unset, they follow the fleet layout (policy/registration.ts registrationPaths).
      ...(Array.isArray(registration.paths) ? { paths: strings(registration.paths, []) } : {}),
    },
    signedCommits: {
      branches: strings(signed.branches, []),
      allowedSigners:
        typeof signed.allowedSigners === 'string' ? signed.allowedSigners : '.tappaas/allowed_signers',
    },
  };
}
