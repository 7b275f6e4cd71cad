// Real SSH deploy targets on loopback for integration tests and the bench: one sshd per target
// (own port, own host key, one shared client key, running as root), each with its own fake root
// directory standing in for a NixOS machine: the system profile at <root>/profiles/system, the
// running system at <root>/current-system, the agent's state under <root>/state, and the HTTP
// service that fixture systems start (see fixture-systems.ts).
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { DeployTarget } from '../../scripts/deploy/types.js';
import { buildFixtureSystems, type FixtureSpec, type FixtureVariant } from './fixture-systems.js';
import { freePort, portOpen } from './ports.js';

export { freePort, portOpen };

const execFileAsync = promisify(execFile);

async function waitFor(what: string, ok: () => Promise<boolean> | boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await ok()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function readLink(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid …; comm may hold spaces, so split after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(entry));
    } catch {
      // the process exited while we looked
    }
  }
  return out;
}

function killPid(pid: number, signal: NodeJS.Signals = 'SIGTERM'): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

export class TestTarget {
  sshd: ChildProcess | undefined;
  readonly deployTarget: DeployTarget;

  constructor(
    readonly name: string,
    readonly root: string,
    readonly sshPort: number,
    readonly httpPort: number,
    readonly fleet: SshTargetFleet,
  ) {
    this.deployTarget = {
      name,
      address: '127.0.0.1',
      sshUser: 'root',
      sshPort,
      sshOptions: fleet.sshOptions,
      health: [{ type: 'http', port: httpPort, path: '/health', timeoutSeconds: 2 }],
      profile: join(root, 'profiles', 'system'),
      currentSystem: join(root, 'current-system'),
      stateDir: join(root, 'state'),
    };
  }

  async startSshd(): Promise<void> {
    this.sshd = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', join(this.root, 'sshd_config')], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.sshd.stderr?.resume();
    await waitFor(`sshd of ${this.name} on port ${this.sshPort}`, () => portOpen(this.sshPort));
  }

  /** Kills every open SSH session of this target (the per-connection sshd processes). */
  killSessions(): number {
    if (!this.sshd?.pid) return 0;
    const sessions = childrenOf(this.sshd.pid);
    for (const pid of sessions) killPid(pid, 'SIGKILL');
    return sessions.length;
  }

  /** The target drops off the network: the listener and every session go. */
  async stopSshd(): Promise<void> {
    const sshd = this.sshd;
    if (!sshd?.pid) return;
    this.sshd = undefined;
    const closed = new Promise((r) => sshd.once('close', r));
    this.killSessionsOf(sshd.pid);
    sshd.kill('SIGTERM');
    await closed;
    await waitFor(`port ${this.sshPort} to close`, async () => !(await portOpen(this.sshPort)));
  }

  private killSessionsOf(pid: number): void {
    for (const child of childrenOf(pid)) killPid(child, 'SIGKILL');
  }

  /** Provisions a system as the machine's installer would: profile generation, then `switch`. */
  install(system: string): void {
    mkdirSync(join(this.root, 'profiles'), { recursive: true });
    execFileSync('nix-env', ['-p', this.deployTarget.profile, '--set', system], { stdio: 'pipe' });
    execFileSync(join(system, 'bin', 'switch-to-configuration'), ['switch'], { stdio: 'pipe' });
  }

  /** `install`, without blocking the event loop (for many targets at once). */
  async installAsync(system: string): Promise<void> {
    mkdirSync(join(this.root, 'profiles'), { recursive: true });
    await execFileAsync('nix-env', ['-p', this.deployTarget.profile, '--set', system]);
    await execFileAsync(join(system, 'bin', 'switch-to-configuration'), ['switch']);
  }

  currentSystem(): string | undefined {
    return readLink(this.deployTarget.currentSystem);
  }

  profileSystem(): string | undefined {
    return readLink(this.deployTarget.profile);
  }

  /** The service's answer on `/` (its version), or undefined when nothing answers. */
  async version(): Promise<string | undefined> {
    try {
      const res = await fetch(`http://127.0.0.1:${this.httpPort}/`, { signal: AbortSignal.timeout(2000) });
      return await res.text();
    } catch {
      return undefined;
    }
  }

  /** The activations switch-to-configuration logged, as `<version> <mode> start|done`. */
  activations(): string[] {
    const path = join(this.root, 'activations.log');
    if (!existsSync(path)) return [];
    return readFileSync(path, 'utf8')
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split(' ').slice(1).join(' '));
  }

  /** A file of the agent's run directory on this target (its state, reason, log, …). */
  runFile(runId: string, file: string): string | undefined {
    try {
      return readFileSync(join(this.root, 'state', runId, file), 'utf8').trim();
    } catch {
      return undefined;
    }
  }

  runIds(): string[] {
    const dir = join(this.root, 'state');
    return existsSync(dir) ? readdirSync(dir).filter((d) => d !== 'lock') : [];
  }

  stopService(): void {
    try {
      killPid(Number(readFileSync(join(this.root, 'service.pid'), 'utf8')));
    } catch {
      // no service
    }
  }

  /** Builds a fixture system for this target. */
  system(version: string, variant: FixtureVariant = 'ok', slowSeconds?: number): FixtureSpec {
    return { root: this.root, httpPort: this.httpPort, version, variant, slowSeconds };
  }
}

export class SshTargetFleet {
  readonly targets: TestTarget[] = [];
  readonly key: string;
  readonly knownHosts: string;
  readonly sshOptions: string[];

  private constructor(readonly dir: string) {
    this.key = join(dir, 'client');
    this.knownHosts = join(dir, 'known_hosts');
    this.sshOptions = [
      `IdentityFile=${this.key}`,
      'IdentitiesOnly=yes',
      `UserKnownHostsFile=${this.knownHosts}`,
      'StrictHostKeyChecking=yes',
      'LogLevel=ERROR',
    ];
  }

  /** Starts `n` targets named `<prefix>0…`, each with its sshd listening. */
  static async start(n: number, prefix = 'vm'): Promise<SshTargetFleet> {
    const fleet = new SshTargetFleet(mkdtempSync(join(tmpdir(), 'tappaas-targets-')));
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'deployer', '-f', fleet.key]);
    mkdirSync('/run/sshd', { recursive: true, mode: 0o755 }); // sshd's privilege separation directory
    const known: string[] = [];
    for (let i = 0; i < n; i++) {
      const name = `${prefix}${i}`;
      const root = join(fleet.dir, name);
      mkdirSync(join(root, 'profiles'), { recursive: true });
      mkdirSync(join(root, 'home'));
      const [sshPort, httpPort] = [await freePort(), await freePort()];
      const hostKey = join(root, 'host_key');
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', hostKey]);
      known.push(
        `[127.0.0.1]:${sshPort} ${readFileSync(`${hostKey}.pub`, 'utf8').split(' ').slice(0, 2).join(' ')}`,
      );
      writeFileSync(
        join(root, 'sshd_config'),
        [
          `Port ${sshPort}`,
          'ListenAddress 127.0.0.1',
          `HostKey ${hostKey}`,
          `AuthorizedKeysFile ${fleet.key}.pub`,
          `PidFile ${join(root, 'sshd.pid')}`,
          'StrictModes no',
          'PasswordAuthentication no',
          'KbdInteractiveAuthentication no',
          'UsePAM no',
          'PermitRootLogin prohibit-password',
          'MaxStartups 100:30:200',
          // Each target has its own home: bash run by sshd sources ~/.bashrc, and this machine's
          // root one runs `pyenv init` (over a second of CPU per connection).
          `SetEnv HOME=${join(root, 'home')}`,
          '',
        ].join('\n'),
      );
      fleet.targets.push(new TestTarget(name, root, sshPort, httpPort, fleet));
    }
    writeFileSync(fleet.knownHosts, `${known.join('\n')}\n`);
    await Promise.all(fleet.targets.map((t) => t.startSshd()));
    return fleet;
  }

  /** Builds the given systems in one nix call (see fixture-systems.ts). */
  build(specs: FixtureSpec[]): Promise<string[]> {
    return buildFixtureSystems(this.dir, specs);
  }

  /** Installs `systems[i]` on target i, a few at a time. */
  async installAll(systems: string[], concurrency = 8): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < systems.length) {
        const i = next++;
        await this.targets[i]!.installAsync(systems[i]!);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, systems.length) }, worker));
  }

  async cleanup(): Promise<void> {
    await Promise.all(this.targets.map((t) => t.stopSshd()));
    for (const t of this.targets) {
      // Agents still waiting for a confirmation would roll back into a deleted directory.
      for (const id of t.runIds()) {
        const pid = Number(t.runFile(id, 'pid'));
        if (pid > 0) killPid(pid, 'SIGKILL');
      }
      t.stopService();
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
