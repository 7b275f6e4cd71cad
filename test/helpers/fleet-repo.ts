// A fleet repository for deploy tests of the CLI: a git work tree whose flake's
// nixosConfigurations.<host>.config.system.build.toplevel are fixture systems (see
// fixture-systems.ts) for loopback SSH targets (ssh-targets.ts), and whose tappaas.json
// inventory points at those targets. Each `setSystems` is one commit.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type FixtureSpec, NIX_TEST_CONFIG } from './fixture-systems.js';
import type { SshTargetFleet, TestTarget } from './ssh-targets.js';

const FLAKE = `{
  outputs = { self }:
    let systems = import ./systems.nix;
    in {
      nixosConfigurations = builtins.mapAttrs (name: key: { config.system.build.toplevel = systems.\${key}; })
        (builtins.fromJSON (builtins.readFile ./hosts.json));
    };
}
`;

export class FleetRepo {
  readonly dir: string;
  readonly env: Record<string, string>;

  constructor(
    readonly fleet: SshTargetFleet,
    hostConfig: (t: TestTarget) => Record<string, unknown> = () => ({}),
    deploy: Record<string, unknown> = {},
  ) {
    this.dir = join(fleet.dir, 'repo');
    mkdirSync(this.dir, { recursive: true });
    this.env = {
      NIX_CONFIG: NIX_TEST_CONFIG,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: join(fleet.dir, 'gitconfig'),
      GIT_AUTHOR_NAME: 'Test',
      GIT_AUTHOR_EMAIL: 'test@example.invalid',
      GIT_COMMITTER_NAME: 'Test',
      GIT_COMMITTER_EMAIL: 'test@example.invalid',
    };
    writeFileSync(this.env.GIT_CONFIG_GLOBAL!, '[init]\n\tdefaultBranch = main\n');
    this.git(['init', '-q']);
    const hosts: Record<string, unknown> = {};
    for (const t of fleet.targets) {
      const d = t.deployTarget;
      hosts[t.name] = {
        address: d.address,
        sshUser: d.sshUser,
        sshPort: d.sshPort,
        sshOptions: d.sshOptions,
        health: d.health,
        profile: d.profile,
        currentSystem: d.currentSystem,
        stateDir: d.stateDir,
        ...hostConfig(t),
      };
    }
    writeFileSync(join(this.dir, 'tappaas.json'), `${JSON.stringify({ hosts, deploy }, null, 2)}\n`);
    writeFileSync(join(this.dir, 'flake.nix'), FLAKE);
    // No inputs: the lock is fixed, so evaluating an old revision never wants to write one.
    writeFileSync(join(this.dir, 'flake.lock'), '{"nodes":{"root":{}},"root":"root","version":7}\n');
    writeFileSync(
      join(this.dir, 'hosts.json'),
      JSON.stringify(Object.fromEntries(fleet.targets.map((t, i) => [t.name, `s${i}`]))),
    );
  }

  git(args: string[]): string {
    return execFileSync('git', args, {
      cwd: this.dir,
      env: { ...process.env, ...this.env },
      encoding: 'utf8',
    }).trim();
  }

  /**
   * Builds one system per target (in target order) and commits a flake that gives each host
   * its system; returns the store paths. The derivations are the fixture builder's own, with
   * the system fixed instead of builtins.currentSystem (flakes evaluate purely), so the flake
   * and the fixture build agree on every path.
   */
  async setSystems(specs: FixtureSpec[], message = 'systems'): Promise<string[]> {
    const { buildFixtureSystems } = await import('./fixture-systems.js');
    await buildFixtureSystems(this.dir, specs);
    const nix = readFileSync(join(this.dir, 'systems.nix'), 'utf8');
    writeFileSync(
      join(this.dir, 'systems.nix'),
      nix.replace('builtins.currentSystem', JSON.stringify(nixSystem())),
    );
    this.git(['add', '-A']);
    this.git(['commit', '-q', '--allow-empty', '-m', message]);
    // The paths as the flake names them, per host (nix build --json lists outputs in its own order).
    const out = JSON.parse(
      execFileSync(
        'nix',
        [
          'eval',
          '--json',
          `${this.dir}#nixosConfigurations`,
          '--apply',
          'cs: builtins.mapAttrs (n: c: c.config.system.build.toplevel.outPath) cs',
        ],
        { env: { ...process.env, ...this.env }, encoding: 'utf8' },
      ),
    ) as Record<string, string>;
    const paths = this.fleet.targets.map((t) => out[t.name]!);
    // Built by the fixture builder already when the derivations agree; build anything else.
    execFileSync(
      'nix',
      [
        'build',
        '--no-link',
        ...this.fleet.targets.map(
          (t) => `${this.dir}#nixosConfigurations."${t.name}".config.system.build.toplevel`,
        ),
      ],
      {
        env: { ...process.env, ...this.env },
        stdio: 'pipe',
      },
    );
    return paths;
  }

  head(): string {
    return this.git(['rev-parse', 'HEAD']);
  }

  deployedRef(host: string): string | undefined {
    try {
      return this.git(['rev-parse', '--verify', '--quiet', `refs/deployed/${host}`]);
    } catch {
      return undefined;
    }
  }
}

function nixSystem(): string {
  const arch = process.arch === 'x64' ? 'x86_64' : process.arch === 'arm64' ? 'aarch64' : process.arch;
  return `${arch}-linux`;
}
