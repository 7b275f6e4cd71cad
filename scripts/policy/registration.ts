// Registration branches (`registration/<hostname>`): a new VM pushes its hardware config and
// facts there on first boot. Only the identity bound to that host (or a registration key,
// trusting the host's SSH key on first use) may write it, and only the host's own files.
import { identityMatches } from './identity.js';
import type { ClassifiedUpdate, Identity, Policy, Problem } from './types.js';

/** An RFC 1123 label in lower case: what a fleet host name must be. */
const HOST_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export function hostNameProblem(name: string): string | undefined {
  if (name === '') return 'is empty';
  if (HOST_LABEL.test(name)) return undefined;
  if (/[^\x20-\x7e]/.test(name)) return 'contains a non-ASCII character (look-alike letters are not allowed)';
  if (name.includes('/') || name.includes('..')) return 'contains "/" or ".."';
  if (/[A-Z]/.test(name)) return 'contains upper case (host names are lower case)';
  if (name.length > 63) return 'is longer than 63 characters';
  return 'is not an RFC 1123 label (a-z, 0-9 and inner "-", 1 to 63 characters)';
}

export function hostOf(u: ClassifiedUpdate, policy: Policy): string {
  return u.name.slice(policy.registration.prefix.length);
}

function error(rule: string, message: string, fix: string): Problem {
  return { rule, severity: 'error', message, fix };
}

/** Host names this identity is bound to. */
function boundHosts(identity: Identity, policy: Policy): string[] {
  return Object.entries(policy.registration.hosts)
    .filter(([, ids]) => identityMatches(identity, ids))
    .map(([host]) => host);
}

/** The host name a registration branch carries must be a fleet host name (hook and onboarding). */
export function registrationHostProblem(host: string, ref: string): Problem | undefined {
  const bad = hostNameProblem(host);
  if (!bad) return undefined;
  return error(
    'registration-host-name',
    `host name ${JSON.stringify(host)} in ${ref} ${bad}`,
    'set the VM host name to a lower-case RFC 1123 label (a-z, 0-9, inner "-") and push to registration/<hostname>',
  );
}

export function registrationRefProblems(u: ClassifiedUpdate, identity: Identity, policy: Policy): Problem[] {
  const host = hostOf(u, policy);
  const bad = registrationHostProblem(host, u.ref);
  if (bad) return [bad];
  const bound = policy.registration.hosts[host];
  const isBound = bound !== undefined && identityMatches(identity, bound);
  const isCi = identityMatches(identity, policy.ciIdentities);
  if (u.change === 'delete') {
    if (isBound || isCi) return [];
    return [
      error(
        'registration-identity',
        `${identity.display} may not delete ${u.ref}`,
        'registration branches are deleted by CI after the onboarding pull request is merged',
      ),
    ];
  }
  if (isBound) return [];
  if (bound === undefined && identityMatches(identity, policy.registration.keys)) return [];
  const own = boundHosts(identity, policy);
  if (own.length > 0) {
    return [
      error(
        'registration-identity',
        `${identity.display} is bound to host ${own.join(', ')}, not ${JSON.stringify(host)}: a VM may register only its own name`,
        `push to ${policy.registration.prefix}${own[0]}, or bind this identity to ${host} in policy.registration.hosts`,
      ),
    ];
  }
  return [
    error(
      'registration-identity',
      bound
        ? `${identity.display} is not the identity bound to host ${host}`
        : `${identity.display} is neither bound to host ${host} nor a registration key`,
      `add the VM's key to policy.registration.hosts.${host} (or to policy.registration.keys) in tappaas.json on ${policy.defaultBranch}`,
    ),
  ];
}

export interface RegistrationFacts {
  /** The host the registration is for (from the branch name). */
  host: string;
  /** The registration branch as messages name it, e.g. refs/heads/registration/web1. */
  ref: string;
  /**
   * Paths changed by the branch's commits that are not on the default branch, each with its
   * newest change (git's mode: 100644 a file, 100755 executable, 120000 a symlink, 160000 a
   * gitlink, 000000 deleted).
   */
  changes: { commit: string; path: string; mode?: string }[];
  /** Whether the branch's commits grow out of the default branch's history. */
  sharesHistory: boolean;
  /** The payload (`RegistrationLayout.payload`) at the new tip: parsed, unreadable, or absent. */
  payload?: PayloadFact;
  /**
   * Pushed with a registration key rather than the identity bound to the host: the payload
   * must then carry the host's SSH key (trust on first use). Unset outside a push.
   */
  viaRegistrationKey?: boolean;
  /**
   * The host's SSH host key as first seen: the server's record, else the default branch's
   * payload, else the payload at the registration branch's current tip.
   */
  knownHostKey?: { key: string; from: 'server' | 'default-branch' | 'registration-branch' };
}

export type PayloadFact = { ok: true; data: unknown } | { ok: false; message: string };

/**
 * Where one host's registration files are in the fleet layout (fleet/registration-files.ts
 * reads them from tappaas.json `fleet`): its hardware configuration and its payload.
 */
export interface RegistrationLayout {
  hardware: string;
  payload: string;
}

/** A payload's bytes as the verdict sees them: a JSON object, or why not. */
export function payloadFact(data: Buffer): PayloadFact {
  try {
    const parsed: unknown = JSON.parse(data.toString('utf8'));
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
      return { ok: false, message: 'is not a JSON object' };
    return { ok: true, data: parsed };
  } catch (err) {
    return { ok: false, message: `is not valid JSON (${(err as Error).message})` };
  }
}

/** The paths a registration may change: policy.registration.paths, else the layout's two files. */
export function registrationPaths(host: string, policy: Policy, layout: RegistrationLayout): string[] {
  return (
    policy.registration.paths?.map((p) => p.replaceAll('{host}', host)) ?? [layout.hardware, layout.payload]
  );
}

/** Whether `identity` registers `host` with a registration key rather than as its bound identity. */
export function viaRegistrationKey(identity: Identity, policy: Policy, host: string): boolean {
  return (
    !identityMatches(identity, policy.registration.hosts[host] ?? []) &&
    identityMatches(identity, policy.registration.keys)
  );
}

/**
 * The one verdict on a registration's content, for the hook at push time and for onboarding
 * in CI: its history, the paths it changes and their file types, the payload it carries and,
 * for a push with a registration key, the host key it brings. Pure.
 */
export function registrationProblems(
  facts: RegistrationFacts,
  policy: Policy,
  layout: RegistrationLayout,
): Problem[] {
  const { host, ref } = facts;
  const problems: Problem[] = [];
  if (!facts.sharesHistory) {
    problems.push(
      error(
        'registration-base',
        `${ref} does not branch from ${policy.defaultBranch}'s history`,
        `create the registration commit on top of ${policy.defaultBranch} (\`git fetch origin ${policy.defaultBranch} && git rebase origin/${policy.defaultBranch}\`)`,
      ),
    );
  }
  const allowed = new Set(registrationPaths(host, policy, layout));
  for (const c of facts.changes) {
    if (allowed.has(c.path)) {
      const kind = NOT_A_FILE[c.mode ?? '100644'];
      if (kind)
        problems.push({
          ...error(
            'registration-file-type',
            `${c.path} in ${ref} is ${kind} (mode ${c.mode}), not a regular file`,
            `commit ${c.path} as a plain file (mode 100644): \`git rm --cached ${c.path}\`, write the file's content in its place, \`git add ${c.path}\``,
          ),
          commit: c.commit,
          file: c.path,
        });
      continue;
    }
    problems.push({
      ...error(
        'registration-paths',
        `a registration of ${host} may change only ${[...allowed].join(' and ')}, not ${c.path}`,
        `drop the change to ${c.path} from ${ref}; other changes go through a pull request`,
      ),
      commit: c.commit,
      file: c.path,
    });
  }
  const payloadPath = layout.payload;
  if (facts.payload && !facts.payload.ok) {
    problems.push({
      ...error(
        'registration-payload',
        `${payloadPath} ${facts.payload.message}`,
        'write the registration payload as a JSON object',
      ),
      file: payloadPath,
    });
    return problems;
  }
  const data = (facts.payload?.ok ? facts.payload.data : undefined) as Record<string, unknown> | undefined;
  if (data && typeof data.hostname === 'string' && data.hostname !== host) {
    problems.push({
      ...error(
        'registration-payload',
        `${payloadPath} says hostname ${JSON.stringify(data.hostname)}, but the branch is for ${host}`,
        `push the registration of ${data.hostname} to ${policy.registration.prefix}${data.hostname}`,
      ),
      file: payloadPath,
    });
  }
  if (facts.viaRegistrationKey) {
    const key = typeof data?.sshHostKey === 'string' ? data.sshHostKey.trim() : undefined;
    if (!key) {
      problems.push({
        ...error(
          'registration-host-key',
          `a registration pushed with a registration key must carry the host's SSH host key in ${payloadPath} ("sshHostKey")`,
          'include the content of /etc/ssh/ssh_host_ed25519_key.pub as "sshHostKey" in the payload',
        ),
        file: payloadPath,
      });
    } else if (facts.knownHostKey !== undefined && sameKey(facts.knownHostKey.key) !== sameKey(key)) {
      problems.push({
        ...error(
          'registration-host-key',
          `the SSH host key in ${payloadPath} differs from the one ${host} first registered with (trust on first use; ${KEY_SOURCE[facts.knownHostKey.from](payloadPath, ref, policy)})`,
          `if ${host} was reinstalled on purpose, bind its new key in policy.registration.hosts.${host} on ${policy.defaultBranch}; or an admin forgets the old key: its record in tappaas-known-hosts.json in the server's repository directory, ${payloadPath} on ${policy.defaultBranch} and the branch ${ref}`,
        ),
        file: payloadPath,
      });
    }
  }
  return problems;
}

/** Git modes that are no regular file, which a registration path may not hold. */
const NOT_A_FILE: Record<string, string> = {
  '100755': 'an executable file',
  '120000': 'a symbolic link',
  '160000': 'a gitlink (submodule)',
  '040000': 'a directory',
};

const KEY_SOURCE: Record<
  NonNullable<RegistrationFacts['knownHostKey']>['from'],
  (payload: string, ref: string, policy: Policy) => string
> = {
  server: () => "recorded on the server, in tappaas-known-hosts.json in the repository's directory",
  'default-branch': (payload, _ref, policy) => `${payload} on ${policy.defaultBranch}`,
  'registration-branch': (payload, ref) => `${payload} at the current tip of ${ref}`,
};

/** Key type and base64 body; the comment after them does not matter. */
export function sameKey(key: string): string {
  return key.trim().split(/\s+/).slice(0, 2).join(' ');
}
