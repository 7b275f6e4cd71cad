// The hook's lint on a fleet shaped like the public ones (test/fixtures/fleets/mixed), with real
// pushes: a finding that was already there never blocks a push, a certain error the push
// adds does, a home-manager module is judged as one, and an options index CI published for
// the pushed flake revision turns a guessed namespace into a confirmed error.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitFixture, run } from '../helpers/git.js';
import { HOST_OPTIONS, optionsIndex, writeOptionsIndexes } from '../helpers/options-index.js';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'dist', 'tappaas.mjs');
const FLEET = join(ROOT, 'test/fixtures/fleets/mixed');

const POLICY = {
  policy: {
    protectedBranches: [{ pattern: 'main', allow: ['alice'] }],
    ciIdentities: ['ci-bot'],
    namespaces: ['refs/heads/', 'refs/tags/', 'refs/tappaas/'],
  },
};

/** An old, certain error: shell syntax in an Exec line of a module the host imports. */
const OLD_ERROR = `{ ... }:
{
  systemd.services.sync.serviceConfig.ExecStart = "/run/current-system/sw/bin/true && echo done";
}
`;

let g: GitFixture;
const bob = { TAPPAAS_PUSHER: 'bob' };

function files(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const visit = (d: string) => {
    for (const name of readdirSync(d)) {
      const abs = join(d, name);
      if (statSync(abs).isDirectory()) visit(abs);
      else out[relative(FLEET, abs)] = readFileSync(abs, 'utf8');
    }
  };
  visit(dir);
  return out;
}

function hostWith(extra: string): string {
  return readFileSync(join(FLEET, 'hosts/web/default.nix'), 'utf8').replace(
    './gpu.nix',
    `./gpu.nix\n    ${extra}`,
  );
}

beforeAll(() => {
  execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore' });
  g = new GitFixture('tappaas-ratchet-');
  g.commit(
    undefined,
    {
      ...files(FLEET),
      'tappaas.json': JSON.stringify(POLICY, null, 2),
      'hosts/web/sync.nix': OLD_ERROR,
      'hosts/web/default.nix': hostWith('./sync.nix'),
    },
    'initial fleet with one old error',
  );
  g.git(['push', '-q', 'origin', 'HEAD:refs/heads/main']);
  const r = run(process.execPath, [CLI, 'hook', 'install', g.bare], { cwd: ROOT, env: g.env });
  expect(r.stdout).toContain('installed');
});

afterAll(() => g?.cleanup());

describe('hook lint ratchet', () => {
  it('accepts a comment-only change to a file that already has an error, and says so once', () => {
    g.commit(g.main(), { 'hosts/web/sync.nix': `# Keeps the mirror in step.\n${OLD_ERROR}` });
    const r = g.push(['HEAD:refs/heads/comment'], bob);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('note [lint/ratchet]');
    expect(r.stderr).toMatch(/1 finding in the changed files was already there/);
    expect(r.stderr).not.toContain('[lint/systemd-exec-command]');
  });

  it('rejects adding a removed option to a host module, and names it', () => {
    const gpu = readFileSync(join(FLEET, 'hosts/web/gpu.nix'), 'utf8').replace(
      '{ ... }:\n{',
      '{ ... }:\n{\n  hardware.opengl.driSupport = true;',
    );
    g.commit(g.main(), { 'hosts/web/gpu.nix': gpu });
    const r = g.push(['HEAD:refs/heads/gpu'], bob);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/remote: tappaas: REJECTED refs\/heads\/gpu/);
    expect(r.stderr).toMatch(
      /error \[lint\/renamed-option\] \(hosts\/web\/gpu\.nix:3:\d+, commit [0-9a-f]{12}\): .*driSupport/,
    );
    expect(g.serverRef('refs/heads/gpu')).toBeUndefined();
  });

  it('accepts a home-manager module with home.packages', () => {
    g.commit(g.main(), {
      'home/me/tools.nix':
        '{ pkgs, ... }:\n{\n  home.packages = [ pkgs.ripgrep ];\n  programs.direnv.enable = true;\n}\n',
      'home/me/web.nix': readFileSync(join(FLEET, 'home/me/web.nix'), 'utf8').replace(
        './cli.nix',
        './cli.nix ./tools.nix',
      ),
    });
    const r = g.push(['HEAD:refs/heads/hm'], bob);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('unknown-option-namespace');
  });

  it('uses the options index CI published for the pushed flake revision', () => {
    // A lost prefix in a host module: without an index only a warning...
    g.commit(g.main(), {
      'hosts/web/gpu2.nix': '{ ... }:\n{\n  graphics.enable32Bit = true;\n}\n',
      'hosts/web/default.nix': hostWith('./sync.nix ./gpu2.nix'),
    });
    const warned = g.push(['HEAD:refs/heads/graphics'], bob);
    expect(warned.code, warned.stderr).toBe(0);
    expect(warned.stderr).toContain('warning [lint/unknown-option-namespace]');

    // ...then CI publishes the index of this flake revision (flake.nix, no lock here).
    const key = createHash('sha256')
      .update(readFileSync(join(g.work, 'flake.nix')))
      .digest('hex')
      .slice(0, 16);
    const [file] = writeOptionsIndexes({
      ...optionsIndex('web', [
        ...HOST_OPTIONS,
        'sops.secrets',
        'backup.enable',
        'home-manager.users',
        'services.restic.backups',
        'users.users.<name>.isNormalUser',
      ]),
      key,
      keySource: 'flake.nix',
    });
    const blob = g.git(['hash-object', '-w', file!]);
    const mk = run('git', ['mktree'], { cwd: g.work, env: g.env, input: `100644 blob ${blob}\tweb.json\n` });
    const commit = g.git(['commit-tree', mk.stdout.trim(), '-m', 'options index']);
    const ref = `refs/tappaas/options-index/${key}`;
    // Only CI may publish it.
    const refused = g.push([`${commit}:${ref}`], bob);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('[tappaas-ref]');
    expect(g.push([`${commit}:${ref}`], { TAPPAAS_PUSHER: 'ci-bot' }).code).toBe(0);

    g.commit(undefined, {
      'hosts/web/gpu2.nix': '{ ... }:\n{\n  graphics.enable32Bit = true;\n  # again\n}\n',
    });
    const confirmed = g.push(['HEAD:refs/heads/graphics2'], bob);
    expect(confirmed.code).not.toBe(0);
    expect(confirmed.stderr).toMatch(/error \[lint\/unknown-option\] \(hosts\/web\/gpu2\.nix:3:3/);
  });
});
