// Files the hook keeps in the bare repository's own directory. Nothing a push can write: a
// push only adds objects and moves refs, so these are set by server admins alone.
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { withFileLock, writeFileAtomic } from './file-lock.js';

/** Present = break glass: pushes are accepted unchecked (still reported), and each is logged. */
export const BREAK_GLASS_FILE = 'tappaas-break-glass';
export const BREAK_GLASS_LOG = 'tappaas-break-glass.log';
export const KNOWN_HOSTS_FILE = 'tappaas-known-hosts.json';
/**
 * Host keys a push's registrations brought, written by pre-receive when it accepts the push and
 * turned into records by post-receive only for the ref updates that then happened.
 */
export const CLAIMS_DIR = 'tappaas-host-key-claims';
export const ERROR_LOG = 'tappaas-hook-errors.log';
/** Compiled code of the hook's bundle (code-cache.ts); safe to delete. */
export const CODE_CACHE_FILE = 'tappaas-code-cache.bin';

export function gitDirOf(cwd: string, env: NodeJS.ProcessEnv): string {
  const dir = env.GIT_DIR;
  if (!dir) return resolve(cwd);
  return isAbsolute(dir) ? dir : resolve(cwd, dir);
}

export function breakGlassReason(gitDir: string): string | undefined {
  const file = join(gitDir, BREAK_GLASS_FILE);
  if (!existsSync(file)) return undefined;
  return readFileSync(file, 'utf8').trim() || '(no reason given)';
}

export function appendLog(gitDir: string, name: string, line: string): void {
  try {
    appendFileSync(join(gitDir, name), `${new Date().toISOString()} ${line}\n`);
  } catch {
    // A read-only repository directory must not turn a verdict into a crash.
  }
}

/** A file of the server's state that the hook cannot use: says which file, what is wrong, the fix. */
export class ServerStateError extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
    this.name = 'ServerStateError';
  }
}

export function readKnownHostKeys(gitDir: string): Record<string, string> {
  const file = join(gitDir, KNOWN_HOSTS_FILE);
  if (!existsSync(file)) return {};
  const broken = (what: string) =>
    new ServerStateError(
      `${KNOWN_HOSTS_FILE} in the repository directory ${what}`,
      `registrations are checked against the SSH host keys in it, so no push is accepted while it is broken; the server admin repairs it (a JSON object of host name to SSH host key line, as \`{"web1": "ssh-ed25519 AAAA… root@web1"}\`) or restores it from a backup (deleting it forgets every trusted host key: each host is trusted anew on its next registration)`,
    );
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw broken(`is not valid JSON (${(err as Error).message})`);
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data))
    throw broken('is not a JSON object of host name to SSH host key');
  for (const [host, key] of Object.entries(data))
    if (typeof key !== 'string')
      throw broken(`has a host key for ${JSON.stringify(host)} that is not a string`);
  return data as Record<string, string>;
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

export interface HostKeyClaim {
  ref: string;
  newOid: string;
  host: string;
  key: string;
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
