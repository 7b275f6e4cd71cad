// Trust on first use of the SSH host keys that registrations bring. pre-receive, for a push it
// accepts, writes a claim per new host key into the repository's directory; post-receive turns
// the claims of the ref updates that happened (git lists only those) into records in
// tappaas-known-hosts.json, under a lock. The first key recorded for a host stays.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { identityMatches } from '../policy/identity.js';
import { hostOf, type RegistrationFacts, sameKey } from '../policy/registration.js';
import type { ClassifiedUpdate, Identity, Policy } from '../policy/types.js';
import { writeFileAtomic } from '../util/write-atomic.js';
import { withFileLock } from './file-lock.js';
import { CLAIMS_DIR, KNOWN_HOSTS_FILE, readKnownHostKeys } from './server-state.js';

export interface HostKeyClaim {
  ref: string;
  newOid: string;
  host: string;
  key: string;
}

/**
 * The claims of an accepted push: the host key each registration brings for a host with no
 * known key, when a registration key pushed it. Pure.
 */
export function hostKeyClaims(
  judged: readonly { c: ClassifiedUpdate; facts: { registration?: RegistrationFacts } }[],
  identity: Identity,
  policy: Policy,
): HostKeyClaim[] {
  const claims: HostKeyClaim[] = [];
  for (const { c, facts } of judged) {
    const reg = facts.registration;
    if (!reg || c.change === 'delete' || reg.knownHostKey !== undefined) continue;
    if (!identityMatches(identity, policy.registration.keys)) continue;
    const key = (reg.payload?.ok ? (reg.payload.data as Record<string, unknown>).sshHostKey : undefined) as
      | string
      | undefined;
    if (typeof key === 'string')
      claims.push({ ref: c.ref, newOid: c.newOid, host: hostOf(c, policy), key: sameKey(key) });
  }
  return claims;
}

function claimFile(gitDir: string, c: { newOid: string; host: string }): string {
  // The host name passed registration-host-name (an RFC 1123 label), the oid is hex.
  return join(gitDir, CLAIMS_DIR, `${c.newOid}.${c.host}.json`);
}

/** pre-receive, for an accepted push: the keys to record if these ref updates happen. */
export function writeHostKeyClaims(gitDir: string, claims: readonly HostKeyClaim[]): void {
  if (claims.length === 0) return;
  mkdirSync(join(gitDir, CLAIMS_DIR), { recursive: true });
  for (const c of claims) writeFileAtomic(claimFile(gitDir, c), `${JSON.stringify(c)}\n`);
}

/**
 * Adds host keys to the record, under the lock: first use wins, so a key already recorded for
 * a host is never replaced (a reinstall is an admin's decision). Returns the hosts recorded.
 */
export function recordHostKeys(gitDir: string, keys: Record<string, string>): string[] {
  const file = join(gitDir, KNOWN_HOSTS_FILE);
  return withFileLock(file, () => {
    const known = readKnownHostKeys(gitDir);
    const added = Object.keys(keys).filter((h) => known[h] === undefined);
    if (added.length === 0) return [];
    for (const h of added) known[h] = keys[h]!;
    writeFileAtomic(file, `${JSON.stringify(known, null, 2)}\n`);
    return added;
  });
}

/** A claim left by a push whose update failed is dropped after this long. */
const CLAIM_TTL_MS = 24 * 3600_000;

/**
 * post-receive: records the claimed key of each ref update that happened (git lists only
 * those), and drops the claims it used and any left over from failed updates long ago.
 */
export function recordClaimedHostKeys(
  gitDir: string,
  updates: readonly { oldOid: string; newOid: string; ref: string }[],
): { recorded: string[]; kept: string[] } {
  const keys: Record<string, string> = {};
  const used: string[] = [];
  const dir = join(gitDir, CLAIMS_DIR);
  if (!existsSync(dir)) return { recorded: [], kept: [] };
  const names = readdirSync(dir);
  for (const u of updates) {
    for (const name of names) {
      if (!name.startsWith(`${u.newOid}.`) || !name.endsWith('.json')) continue;
      const path = join(dir, name);
      let claim: HostKeyClaim | undefined;
      try {
        claim = JSON.parse(readFileSync(path, 'utf8')) as HostKeyClaim;
      } catch {
        continue; // half-written by a hook that died: dropped with age
      }
      used.push(path);
      if (claim.ref === u.ref && claim.newOid === u.newOid && keys[claim.host] === undefined)
        keys[claim.host] = claim.key;
    }
  }
  const recorded = Object.keys(keys).length ? recordHostKeys(gitDir, keys) : [];
  for (const p of used) rmSync(p, { force: true });
  const now = Date.now();
  for (const name of names) {
    const path = join(dir, name);
    try {
      if (now - statSync(path).mtimeMs > CLAIM_TTL_MS) rmSync(path, { force: true });
    } catch {
      // removed by another hook meanwhile
    }
  }
  return { recorded, kept: Object.keys(keys).filter((h) => !recorded.includes(h)) };
}
