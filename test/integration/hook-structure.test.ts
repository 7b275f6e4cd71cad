// The fleet structure checks in the pre-receive hook, end to end: a real bare repository with
// the built toolkit as its hook and real `git push`es. Only findings a push introduces count;
// an old problem on main never blocks an unrelated push; registrations are exempt.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitFixture, run } from '../helpers/git.js';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'dist', 'tappaas.mjs');

const POLICY = {
  policy: {
    protectedBranches: [{ pattern: 'main', allow: ['alice'] }],
    lint: [{ pattern: 'wip/**', level: 'warning' }],
    registration: { hosts: { web7: ['vm-web7'] }, keys: [] },
  },
};

const alice = { TAPPAAS_PUSHER: 'alice' };
const bob = { TAPPAAS_PUSHER: 'bob' };
const host = (name: string) => `{ networking.hostName = "${name}"; tappaas.roles.web.enable = true; }\n`;
let g: GitFixture;

function expectRejected(r: { code: number; stderr: string }, rule: string) {
  expect(r.code, r.stderr).not.toBe(0);
  expect(r.stderr).toContain(`[${rule}]`);
  expect(r.stderr).toMatch(/remote: tappaas: REJECTED /);
}

function expectAccepted(r: { code: number; stderr: string }) {
  expect(r.code, r.stderr).toBe(0);
  expect(r.stderr).not.toContain('error [');
}

beforeAll(() => {
  execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore' });
  g = new GitFixture('tappaas-hook-structure-');
  // main already holds one structure problem: host old1 has no hardware file.
  g.commit(
    undefined,
    {
      'tappaas.json': JSON.stringify(POLICY, null, 2),
      'README.md': 'fleet\n',
      'nix/hosts/web1.nix': host('web1'),
      'nix/hardware/web1-hw.nix': '{ }\n',
      'nix/hosts/old1.nix': host('old1'),
    },
    'initial',
  );
  g.git(['push', '-q', 'origin', 'HEAD:refs/heads/main']);
  const r = run(process.execPath, [CLI, 'hook', 'install', g.bare], { cwd: ROOT, env: g.env });
  expect(r.stdout).toContain('installed');
});

afterAll(() => g?.cleanup());

describe('structure checks at the pushed tip', () => {
  it('reports a host without its hardware file: blocks on main and on error-level branches, warns on wip/**', () => {
    g.commit(g.main(), { 'nix/hosts/web9.nix': host('web9') });
    const onMain = g.push(['HEAD:main'], alice);
    expectRejected(onMain, 'lint/fleet-missing-hardware');
    expect(onMain.stderr).toMatch(
      /nix\/hosts\/web9\.nix:1:1, commit [0-9a-f]{12}\): host "web9" has no hardware file/,
    );
    expect(onMain.stderr).toContain('Add nix/hardware/web9-hw.nix');
    // The old problem of main is not the push's: it is not reported.
    expect(onMain.stderr).not.toContain('old1');

    expectRejected(g.push(['HEAD:refs/heads/feat/web9'], bob), 'lint/fleet-missing-hardware');

    const wip = g.push(['HEAD:refs/heads/wip/web9'], bob);
    expect(wip.code, wip.stderr).toBe(0);
    expect(wip.stderr).toContain('warning [lint/fleet-missing-hardware] (nix/hosts/web9.nix:1:1');
    expect(g.serverRef('refs/heads/main')).not.toBe(g.serverRef('refs/heads/wip/web9'));
  });

  it('passes the push that fixes it, on the branch and on main', () => {
    const broken = g.serverRef('refs/heads/wip/web9')!;
    const fixed = g.commit(broken, { 'nix/hardware/web9-hw.nix': '{ }\n' });
    // On top of the broken commit: the branch's old tip had the problem, the new one has not.
    expectAccepted(g.push(['HEAD:refs/heads/wip/web9'], bob));
    // New branch: compared with main, where web9 does not exist; the fixed tree adds no problem.
    expectAccepted(g.push(['HEAD:refs/heads/feat/web9-fixed'], bob));
    const r = g.push(['HEAD:main'], alice);
    expectAccepted(r);
    expect(r.stderr).not.toContain('fleet-');
    expect(g.serverRef('refs/heads/main')).toBe(fixed);
  });

  it('does not block a push that touches only README.md while main has an old structure problem', () => {
    const c = g.commit(g.main(), { 'README.md': 'fleet, documented\n' });
    const r = g.push(['HEAD:main'], alice);
    expectAccepted(r);
    expect(r.stderr).not.toContain('old1');
    expect(g.serverRef('refs/heads/main')).toBe(c);
    expectAccepted(g.push(['HEAD:refs/heads/feat/readme'], bob));
  });

  it('does not block a fleet change that leaves the old problem as it was', () => {
    const c = g.commit(g.main(), {
      'nix/hosts/web1.nix': host('web1').replace('; }', '; services.nginx.enable = true; }'),
    });
    const r = g.push(['HEAD:main'], alice);
    expectAccepted(r);
    expect(r.stderr).not.toContain('old1');
    expect(g.serverRef('refs/heads/main')).toBe(c);
  });

  it('keeps parsed facts in the bare repository and judges the same with a broken cache file', () => {
    const cache = join(g.bare, 'tappaas-fleet-facts.json');
    expect(existsSync(cache)).toBe(true);
    expect(Object.keys(JSON.parse(readFileSync(cache, 'utf8')).facts)).toContain(
      `${g.git(['rev-parse', `${g.main()}:nix/hosts/web1.nix`])} nix/hosts/web1.nix`,
    );
    writeFileSync(cache, 'not json');
    g.commit(g.main(), { 'nix/hosts/web8.nix': host('web8') });
    const r = g.push(['HEAD:refs/heads/feat/web8'], bob);
    expectRejected(r, 'lint/fleet-missing-hardware');
    expect(r.stderr).toContain('host "web8" has no hardware file');
    expect(r.stderr).not.toContain('old1');
  });

  it('leaves registration branches alone: a hardware file without its host file is expected there', () => {
    g.commit(g.main(), {
      'nix/hardware/web7-hw.nix': '{ }\n',
      'registrations/web7.json': JSON.stringify({
        hostname: 'web7',
        sshHostKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIweb7 root@web7',
      }),
    });
    const r = g.push(['HEAD:refs/heads/registration/web7'], { TAPPAAS_PUSHER: 'vm-web7' });
    expectAccepted(r);
    expect(r.stderr).not.toContain('fleet-');
    // The same change on a feature branch (a new commit: known ones are not checked again)
    // shows the orphan hardware file.
    g.commit(g.main(), { 'nix/hardware/web7-hw.nix': '{ }\n' }, 'hardware only');
    const feat = g.push(['HEAD:refs/heads/feat/web7'], bob);
    expect(feat.code, feat.stderr).toBe(0); // a warning by default
    expect(feat.stderr).toContain('warning [lint/fleet-orphan-hardware] (nix/hardware/web7-hw.nix:1:1');
  });
});
