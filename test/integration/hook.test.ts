// The pre-receive hook end to end: a real bare repository, the built toolkit installed as
// its hook, and real `git push`es whose `remote:` output must carry the verdicts.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitFixture, run } from '../helpers/git.js';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'dist', 'tappaas.mjs');

const POLICY = {
  policy: {
    protectedBranches: [{ pattern: 'main', allow: ['alice'] }],
    ciIdentities: ['ci-merge'],
    protectedTags: ['v*'],
    limits: { maxBlobBytes: 50_000 },
    lint: [{ pattern: 'wip/**', level: 'warning' }],
    registration: { hosts: { web1: ['vm-web1'], db1: ['vm-db1'] }, keys: ['reg-key'] },
  },
};

const alice = { TAPPAAS_PUSHER: 'alice' };
const bob = { TAPPAAS_PUSHER: 'bob' };
let g: GitFixture;

function tappaas(args: string[], input?: string | Buffer, cwd = ROOT) {
  return run(process.execPath, [CLI, ...args], {
    cwd,
    env: g.env,
    ...(input !== undefined ? { input } : {}),
  });
}

function expectRejected(r: { code: number; stderr: string }, rule: string) {
  expect(r.code, r.stderr).not.toBe(0);
  expect(r.stderr).toContain(`[${rule}]`);
  expect(r.stderr).toMatch(/remote: tappaas: REJECTED /);
  expect(r.stderr).toMatch(/remote: {7}fix: /);
  expect(r.stderr).toMatch(/remote: tappaas: push rejected: /);
}

beforeAll(() => {
  execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore' });
  g = new GitFixture('tappaas-hook-');
  g.commit(
    undefined,
    {
      'tappaas.json': JSON.stringify(POLICY, null, 2),
      'nix/hosts/web1.nix': '{ networking.hostName = "web1"; }\n',
    },
    'initial',
  );
  g.git(['push', '-q', 'origin', 'HEAD:refs/heads/main', 'HEAD:refs/tags/v1']);
  const r = tappaas(['hook', 'install', g.bare]);
  expect(r.stdout).toContain('installed');
});

afterAll(() => g?.cleanup());

describe('protected main', () => {
  it('rejects a direct push by an identity that is not allowed, in every spelling', () => {
    const c = g.commit(g.main(), { 'nix/hosts/web1.nix': '{ networking.hostName = "web1"; x = 1; }\n' });
    for (const spec of ['HEAD:main', 'HEAD:refs/heads/main', 'HEAD:refs/heads/MAIN']) {
      const r = g.push([spec], bob);
      expectRejected(r, 'protected-branch');
      expect(r.stderr).toContain('bob may not');
    }
    expectRejected(g.push(['HEAD:main']), 'protected-branch'); // anonymous
    expect(g.serverRef('refs/heads/main')).not.toBe(c);
  });

  it('accepts a fast-forward by an allowed identity and the CI merge identity', () => {
    const c1 = g.commit(g.main(), { 'nix/hosts/web1.nix': '{ networking.hostName = "web1"; y = 2; }\n' });
    const r = g.push(['HEAD:main'], alice);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('remote: tappaas: 1 ref passed');
    expect(g.serverRef('refs/heads/main')).toBe(c1);
    const c2 = g.commit(c1, { 'nix/hosts/web1.nix': '{ networking.hostName = "web1"; y = 3; }\n' });
    expect(g.push(['HEAD:main'], { TAPPAAS_PUSHER: 'ci-merge' }).code).toBe(0);
    expect(g.serverRef('refs/heads/main')).toBe(c2);
  });

  it('rejects force push and deletion of main, even by an allowed identity', () => {
    const main = g.main();
    g.commit(`${main}~1`, { 'README.md': 'rewrite\n' });
    const r = g.push(['+HEAD:main'], alice);
    expectRejected(r, 'force-push');
    expectRejected(g.push([':refs/heads/main'], alice), 'branch-deletion');
    expect(g.serverRef('refs/heads/main')).toBe(main);
  });

  it('judges a push that relaxes the policy by the policy before the push', () => {
    const relaxed = { policy: { ...POLICY.policy, limits: { maxBlobBytes: 10_000_000 } } };
    g.commit(g.main(), { 'tappaas.json': JSON.stringify(relaxed), 'data/big.bin': Buffer.alloc(60_000, 7) });
    const r = g.push(['HEAD:main'], alice);
    expectRejected(r, 'blob-size');
    expect(r.stderr).toContain('data/big.bin is 60,000 bytes, over the 50,000-byte limit');
  });
});

describe('tags', () => {
  it('rejects moving or deleting a protected tag, accepts a new one', () => {
    g.commit(g.main(), {}, 'tag target');
    expectRejected(g.push(['+HEAD:refs/tags/v1'], alice), 'protected-tag');
    expectRejected(g.push([':refs/tags/v1'], alice), 'protected-tag');
    expect(g.push(['HEAD:refs/tags/v2'], alice).code).toBe(0);
  });
});

describe('content', () => {
  it('rejects a lint error at the new tip with file, line and rule', () => {
    g.commit(g.main(), { 'nix/hosts/bad.nix': '{\n  a = ;\n}\n' });
    const r = g.push(['HEAD:refs/heads/feat-bad'], bob);
    expectRejected(r, 'lint/syntax-error');
    expect(r.stderr).toMatch(/nix\/hosts\/bad\.nix:2:\d+, commit [0-9a-f]{12}/);
  });

  it('accepts a feature branch with warnings only and shows them', () => {
    // A module, not a host: a host file would also need its hardware file and a role (structure).
    g.commit(g.main(), { 'nix/modules/warn.nix': '{ x }: { networking.firewall.enable = x == true; }\n' });
    const r = g.push(['HEAD:refs/heads/feat-warn'], bob);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('remote: tappaas: refs/heads/feat-warn accepted with');
    expect(r.stderr).toContain('warning [lint/bool-comparison] (nix/modules/warn.nix:1:');
  });

  it('keeps its compiled code in the repository directory and judges the next push the same with it', () => {
    const cache = join(g.bare, 'tappaas-code-cache.bin');
    rmSync(cache, { force: true });
    const timing = { ...bob, TAPPAAS_HOOK_TIMING: '1' };
    const findings = (stderr: string) =>
      stderr
        .split('\n')
        .filter((l) => / (accepted|passed) with | warning \[/.test(l))
        .map((l) => l.replace(/cached-\d/g, 'cached-N').replace(/\b[0-9a-f]{12}\b/g, 'OID'));
    const text = '{ x }: { networking.firewall.enable = x == true; }\n';
    g.commit(g.main(), { 'nix/modules/cached-1.nix': text });
    const first = g.push(['HEAD:refs/heads/cached-1'], timing);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/remote: tappaas timing: command [\d.]+, .*loaded [\d.]+, /);
    expect(existsSync(cache)).toBe(true);
    g.commit(g.main(), { 'nix/modules/cached-2.nix': text });
    const second = g.push(['HEAD:refs/heads/cached-2'], timing);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toContain('loaded (cached code)');
    expect(findings(second.stderr)).toEqual(findings(first.stderr));
    expect(second.stderr).toContain('warning [lint/bool-comparison] (nix/modules/cached-2.nix:1:');
  });

  it('lints a large push on worker threads with the same verdict as on one', () => {
    // 80 files of ~4 KB (over the hook's 256 KB threshold for threads); one fails to parse.
    const files: Record<string, string> = {};
    for (let i = 0; i < 80; i++) {
      const hosts = Array.from(
        { length: 60 },
        (_, j) => `    "h${i}-${j}.example.org" = { root = "/srv/www/site-${i}-${j}"; };`,
      );
      files[`nix/modules/site${i}.nix`] =
        `{\n  services.nginx.virtualHosts = {\n${hosts.join('\n')}\n  };\n}\n`;
    }
    files['nix/modules/site57.nix'] = files['nix/modules/site57.nix']!.replace(
      'root = "/srv/www/site-57-3";',
      'root = ;',
    );
    const c = g.commit(g.main(), files, 'many sites');
    // The timing line says how many threads linted the push's tips: two means a worker ran.
    const timed = { ...bob, TAPPAAS_HOOK_TIMING: '1' };
    const one = g.push([`${c}:refs/heads/feat-big-1`], { ...timed, TAPPAAS_LINT_THREADS: '1' });
    const two = g.push([`${c}:refs/heads/feat-big-2`], { ...timed, TAPPAAS_LINT_THREADS: '2' });
    expect(one.stderr).toMatch(/remote: tappaas timing: .*, linted on 1 thread [\d.]+, /);
    expect(two.stderr).toMatch(/remote: tappaas timing: .*, linted on 2 threads [\d.]+, /);
    expectRejected(two, 'lint/syntax-error');
    expect(two.stderr).toMatch(/nix\/modules\/site57\.nix:6:\d+, commit [0-9a-f]{12}/);
    const verdict = (r: { stderr: string }) =>
      r.stderr
        .split('\n')
        .filter((l) => l.startsWith('remote:') && !l.startsWith('remote: tappaas timing:'))
        .map((l) => l.replace('feat-big-1', 'feat-big-2'));
    expect(verdict(two)).toEqual(verdict(one));
  });

  it('only warns about lint errors where the branch pattern says warning', () => {
    g.commit(g.main(), { 'nix/hosts/wip.nix': '{ a = ; }\n' });
    const r = g.push(['HEAD:refs/heads/wip/try'], bob);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('warning [lint/syntax-error]');
  });

  it('rejects a blob over the size limit and a committed private key, in any commit of the push', () => {
    const c1 = g.commit(g.main(), { 'keys/deploy.txt': 'x\n-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n' });
    g.commit(c1, { 'keys/deploy.txt': null, 'big.iso': Buffer.alloc(60_000, 1) });
    const r = g.push(['HEAD:refs/heads/feat-secrets'], bob);
    expectRejected(r, 'private-key');
    expect(r.stderr).toContain(`keys/deploy.txt:2, commit ${c1.slice(0, 12)}`);
    expect(r.stderr).toContain('[blob-size]');
  });

  it('rejects forbidden paths', () => {
    g.commit(g.main(), { '.env': 'TOKEN=1\n' });
    expectRejected(g.push(['HEAD:refs/heads/feat-env'], bob), 'forbidden-path');
  });
});

describe('registration', () => {
  const payload = (host: string, key = `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${host} root@${host}`) =>
    JSON.stringify({ hostname: host, sshHostKey: key });

  it('accepts a valid registration by the bound identity', () => {
    g.commit(g.main(), { 'nix/hardware/web1-hw.nix': '{ }\n', 'registrations/web1.json': payload('web1') });
    const r = g.push(['HEAD:refs/heads/registration/web1'], { TAPPAAS_PUSHER: 'vm-web1' });
    expect(r.code, r.stderr).toBe(0);
  });

  it('rejects another host name, other paths, invalid names and unbound identities', () => {
    const main = g.main();
    g.commit(main, { 'nix/hardware/db1-hw.nix': '{ }\n', 'registrations/db1.json': payload('db1') });
    expectRejected(
      g.push(['HEAD:refs/heads/registration/db1'], { TAPPAAS_PUSHER: 'vm-web1' }),
      'registration-identity',
    );
    expectRejected(g.push(['HEAD:refs/heads/registration/db1'], bob), 'registration-identity');
    g.commit(main, { 'nix/hardware/web1-hw.nix': '{ }\n', 'nix/hosts/web1.nix': '{ }\n' });
    const r = g.push(['+HEAD:refs/heads/registration/web1'], { TAPPAAS_PUSHER: 'vm-web1' });
    expectRejected(r, 'registration-paths');
    expect(r.stderr).toContain('not nix/hosts/web1.nix');
    expectRejected(
      g.push(['HEAD:refs/heads/registration/Web1'], { TAPPAAS_PUSHER: 'reg-key' }),
      'registration-host-name',
    );
  });

  it('trusts a registration key on first use of a host key, then holds the host to it', () => {
    const main = g.main();
    g.commit(main, { 'nix/hardware/new1-hw.nix': '{ }\n', 'registrations/new1.json': payload('new1') });
    expect(g.push(['HEAD:refs/heads/registration/new1'], { TAPPAAS_PUSHER: 'reg-key' }).code).toBe(0);
    expect(JSON.parse(readFileSync(join(g.bare, 'tappaas-known-hosts.json'), 'utf8')).new1).toMatch(
      /^ssh-ed25519 /,
    );
    g.commit(main, {
      'nix/hardware/new1-hw.nix': '{ }\n',
      'registrations/new1.json': payload('new1', 'ssh-ed25519 OTHER'),
    });
    expectRejected(
      g.push(['+HEAD:refs/heads/registration/new1'], { TAPPAAS_PUSHER: 'reg-key' }),
      'registration-host-key',
    );
  });

  it('takes the hardware folder from tappaas.json fleet.hardware, as onboarding does', () => {
    const f = new GitFixture('tappaas-hook-layout-');
    try {
      const config = { ...POLICY, fleet: { hardware: 'fleet/hw' } };
      f.commit(undefined, { 'tappaas.json': JSON.stringify(config, null, 2) }, 'initial');
      f.git(['push', '-q', 'origin', 'HEAD:refs/heads/main']);
      expect(tappaas(['hook', 'install', f.bare]).stdout).toContain('installed');
      const vm = { TAPPAAS_PUSHER: 'vm-web1' };
      f.commit(f.main(), { 'fleet/hw/web1-hw.nix': '{ }\n', 'registrations/web1.json': payload('web1') });
      const ok = f.push(['HEAD:refs/heads/registration/web1'], vm);
      expect(ok.code, ok.stderr).toBe(0);
      f.commit(f.main(), { 'nix/hardware/web1-hw.nix': '{ }\n', 'registrations/web1.json': payload('web1') });
      const r = f.push(['+HEAD:refs/heads/registration/web1'], vm);
      expectRejected(r, 'registration-paths');
      expect(r.stderr).toContain(
        'a registration of web1 may change only fleet/hw/web1-hw.nix and registrations/web1.json, not nix/hardware/web1-hw.nix',
      );
    } finally {
      f.cleanup();
    }
  });

  it('rejects a registration that does not grow out of main', () => {
    g.git(['checkout', '-q', '--orphan', 'lonely']);
    g.git(['rm', '-q', '-r', '--cached', '.']);
    const c = g.commit(undefined, { 'nix/hardware/web1-hw.nix': '{ }\n' });
    const r = g.push([`+${c}:refs/heads/registration/web1`], { TAPPAAS_PUSHER: 'vm-web1' });
    expectRejected(r, 'registration-base');
    g.git(['checkout', '-q', '-f', '--detach', g.main()]);
    g.git(['clean', '-q', '-fdx']);
  });
});

describe('multi-ref pushes', () => {
  it('accepts an --atomic push where every ref passes', () => {
    g.commit(g.main(), { 'nix/hosts/web1.nix': '{ networking.hostName = "web1"; z = 4; }\n' });
    const r = g.push(['--atomic', 'HEAD:main', 'HEAD:refs/heads/f1', 'HEAD:refs/tags/v3'], alice);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('tappaas: 3 refs passed');
  });

  it('rejects every ref of a push when one fails', () => {
    g.commit(g.main(), { 'x.txt': 'x\n' });
    const r = g.push(['HEAD:refs/heads/f2', 'HEAD:main'], bob);
    expectRejected(r, 'protected-branch');
    expect(r.stderr).toContain('1 of 2 refs failed');
    expect(g.serverRef('refs/heads/f2')).toBeUndefined();
  });
});

describe('large pushes', () => {
  it('accepts a push of 10,000 commits within the time GitHub Enterprise allows a hook (5 s)', {
    timeout: 300_000,
  }, () => {
    const base = g.main();
    let stream = '';
    for (let i = 1; i <= 10_000; i++) {
      const body = `change ${i}\n`;
      stream += `commit refs/heads/big\ncommitter T <t@example.invalid> ${1_700_000_000 + i} +0000\ndata 2\nc\n`;
      stream += i === 1 ? `from ${base}\n` : '';
      stream += `M 100644 inline notes/log${i % 50}.txt\ndata ${body.length}\n${body}\n`;
    }
    const imported = run('git', ['fast-import', '--quiet'], { cwd: g.work, env: g.env, input: stream });
    expect(imported.code, imported.stderr).toBe(0);
    const tip = g.git(['rev-parse', 'refs/heads/big']);
    const r = g.push(['refs/heads/big:refs/heads/big'], bob);
    expect(r.code, r.stderr).toBe(0);
    // The hook alone, as for a fast-forward of protected main by 10,000 commits: the full
    // OLD..NEW range is walked and every blob read.
    // CPU time rather than wall time: the test machine may be shared and loaded.
    const full = run('/usr/bin/time', ['-f', 'cpu %U %S', process.execPath, CLI, 'hook', 'pre-receive'], {
      cwd: g.bare,
      env: { ...g.env, ...alice },
      input: `${base} ${tip} refs/heads/main\n`,
    });
    expect(full.code, full.stderr).toBe(0);
    const [, user, sys] = /cpu ([\d.]+) ([\d.]+)/.exec(full.stderr) ?? [];
    const ms = (Number(user) + Number(sys)) * 1000;
    console.log(`hook over 10,000 commits: ${ms.toFixed(0)} ms CPU`);
    expect(ms).toBeLessThan(5000);
  });
});

describe('hook input and failure modes', () => {
  const Z = '0'.repeat(40);
  it.each([
    ['short line', 'abc refs/heads/x\n'],
    ['bad oid', `${'z'.repeat(40)} ${'a'.repeat(40)} refs/heads/x\n`],
    ['bad ref', `${Z} ${'a'.repeat(40)} refs/heads/a..b\n`],
    [
      'non-UTF-8 ref',
      Buffer.concat([Buffer.from(`${Z} ${'a'.repeat(40)} refs/heads/`), Buffer.from([0xc3, 0x28, 10])]),
    ],
  ])('rejects %s cleanly', (_name, input) => {
    const r = tappaas(['hook', 'pre-receive'], input, g.bare);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('[hook-input]');
    expect(r.stderr).not.toContain('internal error');
  });

  it('rejects an unknown ref namespace', () => {
    g.commit(g.main(), {});
    expectRejected(g.push(['HEAD:refs/remotes/origin/x'], alice), 'ref-namespace');
  });

  it('fails closed with an error id, and break glass lets an admin through', () => {
    const policyFile = join(g.root, 'server-policy.json');
    writeFileSync(policyFile, JSON.stringify(POLICY));
    expect(tappaas(['hook', 'install', g.bare, '--policy', policyFile]).code).toBe(0);
    rmSync(policyFile);
    g.commit(g.main(), { 'y.txt': 'y\n' });
    const r = g.push(['HEAD:refs/heads/f3'], bob);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(
      /remote: tappaas: REJECTED: internal error \d{8}T\d{6}-[0-9a-f]{6}: server policy file/,
    );
    expect(readFileSync(join(g.bare, 'tappaas-hook-errors.log'), 'utf8')).toContain('server policy file');
    writeFileSync(join(g.bare, 'tappaas-break-glass'), 'INC-1 policy file lost\n');
    const through = g.push(['HEAD:refs/heads/f3'], bob);
    expect(through.code, through.stderr).toBe(0);
    expect(through.stderr).toContain('BREAK-GLASS is on (INC-1 policy file lost)');
    expect(existsSync(join(g.bare, 'tappaas-break-glass.log'))).toBe(true);
    rmSync(join(g.bare, 'tappaas-break-glass'));
    expect(tappaas(['hook', 'install', g.bare]).code).toBe(0);
  });
});

describe('signed commits', () => {
  it('requires a good SSH signature by an allowed signer on configured branches', () => {
    const f = new GitFixture('tappaas-signed-');
    try {
      const key = join(f.root, 'signer');
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'signer', '-f', key]);
      const pub = readFileSync(`${key}.pub`, 'utf8').trim();
      f.commit(undefined, {
        'tappaas.json': JSON.stringify({
          policy: {
            protectedBranches: [{ pattern: 'main', allow: ['alice'] }],
            signedCommits: { branches: ['main'] },
          },
        }),
        '.tappaas/allowed_signers': `test@example.invalid namespaces="git" ${pub}\n`,
      });
      f.git(['push', '-q', 'origin', 'HEAD:refs/heads/main']);
      expect(run(process.execPath, [CLI, 'hook', 'install', f.bare], { cwd: ROOT, env: f.env }).code).toBe(0);
      const unsigned = f.commit(undefined, { 'a.txt': 'a\n' });
      const r = f.push(['HEAD:main'], alice);
      expectRejected(r, 'signed-commits');
      expect(r.stderr).toContain(`commit ${unsigned.slice(0, 12)} is not signed`);
      f.git(['reset', '-q', '--hard', 'HEAD~1']);
      f.git(['add', '-A']);
      writeFileSync(join(f.work, 'a.txt'), 'a\n');
      f.git(['add', 'a.txt']);
      f.git(['-c', 'gpg.format=ssh', '-c', `user.signingkey=${key}`, 'commit', '-q', '-S', '-m', 'signed']);
      const ok = f.push(['HEAD:main'], alice);
      expect(ok.code, ok.stderr).toBe(0);
      expect(f.push(['HEAD:refs/heads/feature'], alice).code).toBe(0); // other branches: no requirement
    } finally {
      f.cleanup();
    }
  });
});

describe('client pre-push preview', () => {
  it('shows the server verdicts before the push, advisory unless strict', () => {
    const f = new GitFixture('tappaas-prepush-');
    try {
      f.commit(undefined, { 'tappaas.json': JSON.stringify(POLICY) });
      f.git(['push', '-q', 'origin', 'HEAD:refs/heads/main']);
      f.git(['fetch', '-q', 'origin']);
      const hooks = join(f.root, 'client-hooks');
      mkdirSync(hooks);
      writeFileSync(
        join(hooks, 'pre-push'),
        `#!/bin/sh\nexec '${process.execPath}' '${CLI}' hook pre-push "$@"\n`,
        {
          mode: 0o755,
        },
      );
      f.git(['config', 'core.hooksPath', hooks]);
      f.commit(undefined, { 'nix/bad.nix': '{ a = ; }\n' });
      const advisory = f.push(['HEAD:main'], bob);
      expect(advisory.stderr).toContain('tappaas pre-push PREVIEW (advisory');
      expect(advisory.stderr).toContain('[protected-branch]');
      expect(advisory.code).toBe(0); // no server hook here: only the preview spoke
      f.commit(undefined, { 'nix/bad2.nix': '{ b = ; }\n' });
      const strict = f.push(['HEAD:refs/heads/feat'], { ...bob, TAPPAAS_PRE_PUSH_STRICT: '1' });
      expect(strict.code).not.toBe(0);
      expect(strict.stderr).toContain('[lint/syntax-error] (nix/bad2.nix:1:');
      expect(strict.stderr).not.toContain('nix/bad.nix'); // already on the remote
      expect(f.serverRef('refs/heads/feat')).toBeUndefined();
    } finally {
      f.cleanup();
    }
  });
});

describe('install and uninstall', () => {
  it('refuses a foreign hook without --force, keeps it, and uninstall restores it', () => {
    const f = new GitFixture('tappaas-install-');
    try {
      const hook = join(f.bare, 'hooks', 'pre-receive');
      writeFileSync(hook, '#!/bin/sh\nexit 0\n', { mode: 0o755 });
      const refused = tappaas(['hook', 'install', f.bare]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('not a tappaas hook; rerun with --force');
      expect(tappaas(['hook', 'install', f.bare, '--force']).code).toBe(0);
      expect(readFileSync(hook, 'utf8')).toContain(`'hook' 'pre-receive'`);
      expect(tappaas(['hook', 'uninstall', f.bare]).code).toBe(0);
      expect(readFileSync(hook, 'utf8')).toBe('#!/bin/sh\nexit 0\n');
      expect(tappaas(['hook', 'uninstall', f.bare]).code).toBe(1);
    } finally {
      f.cleanup();
    }
  });

  it('installs beside a Gitea dispatcher and reads GITEA_* identities', () => {
    const f = new GitFixture('tappaas-gitea-');
    try {
      // Gitea's dispatchers: pipe stdin to every hook in pre-receive.d (post-receive.d).
      for (const name of ['pre-receive', 'post-receive']) {
        const dispatcher = `#!/bin/sh
data=$(cat)
for h in "$GIT_DIR"/hooks/${name}.d/*; do
  test -x "$h" || continue
  printf '%s\\n' "$data" | "$h" || exit 1
done
`;
        writeFileSync(join(f.bare, 'hooks', name), dispatcher, { mode: 0o755 });
      }
      f.commit(undefined, {
        'tappaas.json': JSON.stringify({
          policy: { protectedBranches: [{ pattern: 'main', allow: ['gitea-user:7'] }] },
        }),
      });
      f.git(['push', '-q', 'origin', 'HEAD:refs/heads/main']);
      const r = run(process.execPath, [CLI, 'hook', 'install', f.bare, '--gitea'], { cwd: ROOT, env: f.env });
      expect(r.stdout).toContain(join('pre-receive.d', 'tappaas'));
      f.commit(undefined, { 'a.txt': 'a\n' });
      expectRejected(
        f.push(['HEAD:main'], { GITEA_PUSHER_NAME: 'eve', GITEA_PUSHER_ID: '8' }),
        'protected-branch',
      );
      expectRejected(
        f.push(['HEAD:main'], { GITEA_PUSHER_NAME: 'owner', GITEA_PUSHER_ID: '7', GITEA_DEPLOY_KEY_ID: '3' }),
        'protected-branch',
      );
      expect(f.push(['HEAD:main'], { GITEA_PUSHER_NAME: 'ann', GITEA_PUSHER_ID: '7' }).code).toBe(0);
      f.commit(undefined, { 'b.txt': 'b\n' });
      expect(
        f.push(['HEAD:main'], { GITEA_PUSHER_NAME: 'x', GITEA_PUSHER_ID: '9', GITEA_PR_ID: '4' }).code,
      ).toBe(0);
    } finally {
      f.cleanup();
    }
  });
});
