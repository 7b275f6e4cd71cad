// The per-host deploy lock, held ON THE TARGET for as long as one SSH session stays open:
// `flock -n` on a file beside the host's system profile, around a `cat` that waits for our
// stdin. Why on the target and not under .git/tappaas-locks/: CI runners check the repository
// out into a fresh workspace per job (and Gitea runners may be different machines), so a lock
// in one checkout guards nothing against a second runner; older Gitea also ignores the
// workflow `concurrency` group. A lock on the target is seen by every deployer. Why a held
// session and not a lock file: when the deployer dies, its SSH connection closes, `cat` sees
// end of input, flock exits and the lock is gone; nothing stale is left to clean up.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type ProbeFacts, parseProbe } from './decide.js';
import { probeCommand } from './remote-commands.js';
import type { DeployTarget } from './types.js';

/** flock's exit code when the lock is held elsewhere (`-E`): EX_TEMPFAIL. */
export const LOCK_BUSY_CODE = 75;

export class LockBusyError extends Error {
  constructor(
    readonly host: string,
    readonly holder: string,
  ) {
    super(
      `${host} is locked by another deploy${holder ? ` (${holder})` : ''}; try again when it has finished`,
    );
    this.name = 'LockBusyError';
  }
}

export class LockError extends Error {
  constructor(
    readonly host: string,
    message: string,
  ) {
    super(`${host}: cannot take the deploy lock: ${message}`);
    this.name = 'LockError';
  }
}

export function lockFileOf(target: Pick<DeployTarget, 'profile'>): string {
  return `${target.profile}-tappaas-deploy.lock`;
}

/** A word safe to paste into a POSIX shell command line. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** `ssh … <destination> -- <command>` for a target; BatchMode so that nothing prompts. */
export function sshArgv(target: DeployTarget, command: string): string[] {
  const argv = ['ssh', '-T', '-o', 'BatchMode=yes'];
  const options = target.sshOptions ?? [];
  if (!options.some((o) => /^ConnectTimeout[= ]/i.test(o))) argv.push('-o', 'ConnectTimeout=10');
  for (const o of options) argv.push('-o', o);
  if (target.sshPort !== undefined) argv.push('-p', String(target.sshPort));
  if (target.sshUser !== undefined) argv.push('-l', target.sshUser);
  argv.push('--', target.address, command);
  return argv;
}

/** The line after the probe's output in the lock session: the lock is held and the host read. */
export const PROBE_END = 'tappaas-probe-end';

/**
 * The remote command: take the lock without waiting, write who holds it into the file, say
 * `locked`, read the host (the engine's probe, so that the deploy needs no second connection
 * for it and the read happens under the lock), then hold the lock until our stdin closes.
 * When busy, print who holds it.
 */
export function lockCommand(target: Pick<DeployTarget, 'profile' | 'currentSystem'>, holder: string): string {
  const file = shellQuote(lockFileOf(target));
  const inner = `printf '%s\\n' "$2" >"$1"; echo locked; ${probeCommand(target)}; echo ${PROBE_END}; exec cat`;
  return [
    `mkdir -p ${shellQuote(dirname(lockFileOf(target)))} || exit 1`,
    `flock -n -E ${LOCK_BUSY_CODE} ${file} sh -c ${shellQuote(inner)} sh ${file} ${shellQuote(holder)}`,
    `rc=$?`,
    `if [ $rc = ${LOCK_BUSY_CODE} ]; then printf 'busy %s\\n' "$(cat ${file} 2>/dev/null)"; fi`,
    `exit $rc`,
  ].join('; ');
}

export function holderLine(): string {
  return `tappaas deploy pid ${process.pid} on ${hostname()} since ${new Date().toISOString()}`;
}

export interface HostLock {
  /** What the host ran when the lock was taken (read on the lock's own connection). */
  facts?: ProbeFacts;
  /**
   * The lock session's ssh is a connection master (ControlMaster) listening here, in a private
   * directory: the deploy's other sessions share its connection instead of each paying a key
   * exchange. It lives exactly as long as the lock (no ControlPersist): when the deployer dies,
   * its ssh and so the master and the lock go with it.
   */
  controlPath?: string;
  release(): Promise<void>;
}

/** Takes the lock on the target; resolves once it is held, rejects when busy or unreachable. */
export function acquireHostLock(target: DeployTarget, holder = holderLine()): Promise<HostLock> {
  const muxDir = mkdtempSync(join(tmpdir(), 'tappaas-ssh-'));
  const controlPath = join(muxDir, 'master');
  const [cmd, ...args] = sshArgv(target, lockCommand(target, holder));
  const master = ['-o', 'ControlMaster=yes', '-o', `ControlPath=${controlPath}`, '-o', 'ControlPersist=no'];
  const child = spawn(cmd!, [...args.slice(0, 1), ...master, ...args.slice(1)], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  let held = false;
  const exited = new Promise<number | null>((done) => {
    child.on('close', (code) => done(code));
    child.on('error', (e) => {
      err += e.message;
      done(null);
    });
  }).then((code) => {
    rmSync(muxDir, { recursive: true, force: true });
    return code;
  });
  return new Promise<HostLock>((resolve, reject) => {
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (t: string) => {
      if (err.length < 4000) err += t;
    });
    child.stdout.on('data', (t: string) => {
      out += t;
      // Held once the probe after `locked` has printed (or failed: then no facts, the engine
      // probes by itself).
      if (!held && /^locked$/m.test(out) && new RegExp(`^${PROBE_END}$`, 'm').test(out)) {
        held = true;
        const facts = parseProbe(out.slice(out.search(/^locked$/m)));
        resolve({
          ...(facts ? { facts } : {}),
          controlPath,
          release: async () => {
            child.stdin.end();
            const timer = setTimeout(() => child.kill('SIGTERM'), 10_000);
            await exited;
            clearTimeout(timer);
          },
        });
      }
    });
    void exited.then((code) => {
      if (held) return;
      if (code === LOCK_BUSY_CODE) {
        reject(new LockBusyError(target.name, /^busy (.*)$/m.exec(out)?.[1]?.trim() ?? ''));
        return;
      }
      const why = err.trim().split('\n').slice(-3).join(' ') || `ssh exited with ${code}`;
      reject(
        new LockError(
          target.name,
          code === 127 ? `flock is missing on the target (install util-linux): ${why}` : why,
        ),
      );
    });
  });
}
