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

export const DEFAULT_REGISTRATION_PATHS = ['nix/hardware/{host}-hw.nix', 'registrations/{host}.json'];

type Raw = Record<string, unknown>;

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
      detectPrivateKeys: limits.detectPrivateKeys !== false,
    },
    lint: Array.isArray(p.lint)
      ? (p.lint as Raw[]).map((r) => ({ pattern: String(r.pattern), level: r.level as LintGate }))
      : [{ pattern: '**', level: 'error' }],
    registration: {
      prefix: typeof registration.prefix === 'string' ? registration.prefix : 'registration/',
      hosts,
      keys: strings(registration.keys, []),
      paths: strings(registration.paths, DEFAULT_REGISTRATION_PATHS),
    },
    signedCommits: {
      branches: strings(signed.branches, []),
      allowedSigners:
        typeof signed.allowedSigners === 'string' ? signed.allowedSigners : '.tappaas/allowed_signers',
    },
  };
}
