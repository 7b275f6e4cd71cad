// Files the hook keeps in the bare repository's own directory. Nothing a push can write: a
// push only adds objects and moves refs, so these are set by server admins alone.
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';

/** Present = break glass: pushes are accepted unchecked (still reported), and each is logged. */
export const BREAK_GLASS_FILE = 'tappaas-break-glass';
export const BREAK_GLASS_LOG = 'tappaas-break-glass.log';
export const KNOWN_HOSTS_FILE = 'tappaas-known-hosts.json';
/**
 * Host keys a push's registrations brought, written by pre-receive when it accepts the push and
 * turned into records by post-receive only for the ref updates that then happened
 * (host-key-trust.ts).
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
