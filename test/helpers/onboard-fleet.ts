// A fleet repository for the onboarding tests: the toolkit's own bundled fleet (nix/, flake.nix,
// tappaas.json) committed on main of a bare "server" and a CI clone, and registration branches
// pushed the way a first-booting VM pushes them.
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GitFixture, run } from './git.js';
import { REPO } from './run-cli.js';

export const FLEET_CONFIG = `{
  "$schema": "./schemas/tappaas.schema.json",
  "lint": {
    "ignore": ["test/fixtures/**"]
  }
}
`;

export const NIX_OFFLINE = 'substituters =\nexperimental-features = nix-command flakes\n';

export function payloadFor(host: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    hostname: host,
    role: 'vllm',
    macs: ['bc:24:11:aa:bb:cc'],
    addresses: ['10.0.0.51', 'fd00:0:0:0:0:0:0:51'],
    proxmoxVmId: 8151,
    cpu: { model: 'QEMU Virtual CPU version 2.5+', count: 8 },
    memoryBytes: 34359738368,
    disks: [{ name: 'sda', sizeBytes: 107374182400 }],
    gpus: [{ pciAddress: '0000:01:00.0', vendorId: '10de', deviceId: '2230', driver: 'nvidia' }],
    sshHostKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGZpeHR1cmUta2V5LWZvci1vbmJvYXJkaW5nLXRlc3Rz root@vm',
    toolkitVersion: '0.1.0',
    ...over,
  };
}

export function hardwareFor(host: string): string {
  return readFileSync(join(REPO, 'nix', 'hardware', 'tappaas-litellm-hw.nix'), 'utf8').replace(
    /tappaas-litellm/g,
    host,
  );
}

export class FleetRepo extends GitFixture {
  constructor(files?: Record<string, string>) {
    super('tappaas-onboard-');
    if (files) this.commit(undefined, files, 'fleet');
    else {
      for (const p of ['nix', 'flake.nix']) cpSync(join(REPO, p), join(this.work, p), { recursive: true });
      // A fixed tappaas.json, so the expected inventory edit does not depend on the toolkit's own.
      writeFileSync(join(this.work, 'tappaas.json'), FLEET_CONFIG);
      this.git(['add', '-A']);
      this.git(['commit', '-q', '-m', 'fleet']);
    }
    this.git(['branch', '-M', 'main']);
    this.git(['push', '-q', 'origin', 'main']);
    this.git(['branch', '--set-upstream-to=origin/main', 'main']);
  }

  /** Pushes registration/<branchHost> with these files on top of main, as a VM would. */
  register(branchHost: string, files: Record<string, string | Buffer | null>): string {
    const head = this.git(['rev-parse', 'HEAD']);
    const commit = this.commit(this.main(), files, `register ${branchHost}`);
    this.git(['push', '-q', '--force', 'origin', `${commit}:refs/heads/registration/${branchHost}`]);
    this.git(['checkout', '-q', 'main']);
    this.git(['fetch', '-q', 'origin']);
    if (this.git(['rev-parse', 'HEAD']) !== head) throw new Error('fixture moved main');
    return commit;
  }

  registerHost(host: string, payload: Record<string, unknown> = payloadFor(host)): string {
    return this.register(host, {
      [`registrations/${host}.json`]: `${JSON.stringify(payload, null, 2)}\n`,
      [`nix/hardware/${host}-hw.nix`]: hardwareFor(host),
    });
  }

  /** Everything a run could write: refs, the index, the work tree and the object count. */
  state(): string {
    return [
      this.git(['for-each-ref', '--format=%(refname) %(objectname)']),
      this.git(['status', '--porcelain', '--untracked-files=all']),
      this.git(['rev-parse', 'HEAD']),
      this.git(['count-objects']),
    ].join('\n');
  }

  /** The exact text of `path` at `rev`, or undefined when it is not there. */
  at(rev: string, path: string): string | undefined {
    const r = run('git', ['show', `${rev}:${path}`], { cwd: this.work, env: this.env });
    return r.code === 0 ? r.stdout : undefined;
  }
}
