// Issue 13 with real pushes through the installed hook: private keys in other encodings,
// forbidden paths in another case, messages a pusher can act on (exact sizes, a corrupt trust
// file named, no stack trace even without node_modules, findings capped per ref, break-glass
// log lines naming pusher and refs), and the lint budget. Each rejected attack leaves the
// server's refs and trust records exactly as they were.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitFixture, type Run, run } from '../helpers/git.js';
import { keyBody, PPK_SAMPLE, SSH2_SAMPLE } from '../helpers/key-samples.js';
import { buildCli, CLI, REPO } from '../helpers/run-cli.js';
import { snapshot } from '../helpers/server-snapshot.js';

const POLICY = {
  policy: {
    protectedBranches: [{ pattern: 'main', allow: ['alice'] }],
    limits: { maxBlobBytes: 100_000 },
    registration: { keys: ['reg-key'] },
  },
};
const bob = { TAPPAAS_PUSHER: 'bob' };
let g: GitFixture;
let keyDir: string;
const keys: Record<string, string> = {};

function tappaas(args: string[], cwd = REPO, cli = CLI) {
  return run(process.execPath, [cli, ...args], { cwd, env: g.env });
}

/** Pushes one new commit on main to a new branch; expects the gate to reject it and nothing to change. */
function expectAttackRejected(files: Record<string, string | Buffer>, rule: string, branch: string): Run {
  const before = snapshot(g.bare);
  g.commit(g.main(), files);
  const r = g.push([`HEAD:refs/heads/${branch}`], bob);
  expect(r.code, r.stderr).not.toBe(0);
  expect(r.stderr).toContain(`[${rule}]`);
  expect(r.stderr).toContain('remote: tappaas: push rejected:');
  expect(snapshot(g.bare)).toEqual(before);
  return r;
}

function expectAccepted(files: Record<string, string | Buffer>, branch: string, env = bob): Run {
  g.commit(g.main(), files);
  const r = g.push([`HEAD:refs/heads/${branch}`], env);
  expect(r.code, r.stderr).toBe(0);
  return r;
}

beforeAll(() => {
  buildCli();
  g = new GitFixture('tappaas-hardening-');
  g.commit(undefined, { 'tappaas.json': JSON.stringify(POLICY, null, 2), 'README.md': 'fleet\n' }, 'initial');
  g.git(['push', '-q', 'origin', 'HEAD:refs/heads/main']);
  expect(tappaas(['hook', 'install', g.bare]).code).toBe(0);
  keyDir = mkdtempSync(join(tmpdir(), 'tappaas-hardening-keys-'));
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'k', '-f', join(keyDir, 'id')]);
  keys.openssh = readFileSync(join(keyDir, 'id'), 'utf8');
  keys.pub = readFileSync(join(keyDir, 'id.pub'), 'utf8');
  keys.pkcs8 = execFileSync('openssl', ['genpkey', '-algorithm', 'ed25519'], { encoding: 'utf8' });
  writeFileSync(join(keyDir, 'pkcs8'), keys.pkcs8);
  keys.cert = execFileSync(
    'openssl',
    ['req', '-x509', '-new', '-key', join(keyDir, 'pkcs8'), '-subj', '/CN=fleet', '-days', '1'],
    { encoding: 'utf8' },
  );
});

afterAll(() => {
  g?.cleanup();
  rmSync(keyDir, { recursive: true, force: true });
});

describe('private keys in other encodings', () => {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const body = keyBody;
  const ppk = PPK_SAMPLE;
  const ssh2 = SSH2_SAMPLE;
  const utf16 = (s: string, bom: boolean, be: boolean) => {
    const le = Buffer.from(`${bom ? '\ufeff' : ''}${s}`, 'utf16le');
    return be ? le.swap16() : le;
  };

  it.each([
    [
      'base64 of an OpenSSH key (a kubeconfig)',
      () => `users:\n- user:\n    client-key-data: ${b64(keys.openssh!)}\n`,
      3,
    ],
    ['base64 of a PEM key, wrapped', () => `# key\n${b64(keys.pkcs8!).replace(/(.{76})/g, '$1\n')}\n`, 2],
    [
      'an OpenSSH key body without its BEGIN line',
      () => `{\n  deployKey = ''\n${body(keys.openssh!)}\n  '';\n}\n`,
      3,
    ],
    ['a PuTTY .ppk', () => ppk, 1],
    ['an SSH2 encrypted private key', () => `notes\n${ssh2}`, 2],
    ['UTF-16LE with BOM', () => utf16(`a\n${keys.openssh}`, true, false), 2],
    ['UTF-16LE without BOM', () => utf16(keys.pkcs8!, false, false), 1],
    ['UTF-16BE with BOM', () => utf16(`a\nb\n${keys.openssh}`, true, true), 3],
    ['UTF-16BE without BOM', () => utf16(keys.openssh!, false, true), 1],
  ])('rejects %s, at its line', (name, content, line) => {
    const branch = `key-${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}`;
    const r = expectAttackRejected({ 'secrets/notes.txt': content() }, 'private-key', branch);
    expect(r.stderr).toMatch(new RegExp(`secrets/notes\\.txt:${line}, commit [0-9a-f]{12}`));
  });

  it('accepts public keys, certificates and prose about private keys', () => {
    const r = expectAccepted(
      {
        'keys/id.pub': keys.pub!,
        'keys/ca.pem': keys.cert!,
        'keys/ca.b64': b64(keys.cert!),
        'docs/keys.md':
          'Never commit a PRIVATE KEY. OpenSSH keys start with b3BlbnNzaC1rZXktdjE, base64 of a PEM\nfile with LS0tLS1CRUdJTi, and PuTTY keys with PuTTY-User-Key-File-3: ssh-ed25519.\n',
      },
      'public-material',
    );
    expect(r.stderr).not.toContain('[private-key]');
  });
});

describe('forbidden paths without case', () => {
  it.each([['.ENV'], ['deploy/ID_RSA'], ['certs/Server.KEY'], ['nix/.Env']])('rejects %s', (path) => {
    const r = expectAttackRejected(
      { [path]: 'secret\n' },
      'forbidden-path',
      `case-${path.replace(/\W+/g, '-')}`,
    );
    expect(r.stderr).toContain('(case is ignored)');
  });
});

describe('messages', () => {
  it('says blob sizes in exact bytes', () => {
    const r = expectAttackRejected({ 'data/blob.bin': Buffer.alloc(100_001, 1) }, 'blob-size', 'size-exact');
    expect(r.stderr).toContain('data/blob.bin is 100,001 bytes, over the 100,000-byte limit');
  });

  it('names a corrupt tappaas-known-hosts.json, what is wrong and the fix, without a stack or a path', () => {
    const file = join(g.bare, 'tappaas-known-hosts.json');
    writeFileSync(file, '{"web1": "ssh-ed25519 AAAA", ');
    try {
      const before = snapshot(g.bare);
      g.commit(g.main(), { 'b.txt': 'b\n' });
      const r = g.push(['HEAD:refs/heads/known-hosts-2'], bob);
      expect(r.code).not.toBe(0);
      // What the server said (git's own last line names the repository the pusher pushed to).
      const remote = r.stderr
        .split('\n')
        .filter((l) => l.startsWith('remote:'))
        .join('\n');
      expect(remote).toMatch(
        /remote: tappaas: REJECTED: internal error \S+: tappaas-known-hosts\.json in the repository directory is not valid JSON \(/,
      );
      expect(remote).toContain(
        'the server admin repairs it (a JSON object of host name to SSH host key line',
      );
      expect(remote).not.toContain(g.bare);
      expect(remote).not.toMatch(/^remote: +at /m);
      expect(snapshot(g.bare)).toEqual(before);
      writeFileSync(file, '{"web1": 5}\n');
      expect(g.push(['HEAD:refs/heads/known-hosts-3'], bob).stderr).toContain(
        'has a host key for "web1" that is not a string',
      );
      expect(snapshot(g.bare).refs).toEqual(before.refs);
    } finally {
      rmSync(file, { force: true });
    }
  });

  it('prints at most 50 findings per ref and counts the rest', () => {
    const lines = Array.from({ length: 2000 }, (_, i) => `  a${i} = x == true;`).join('\n');
    const r = expectAccepted({ 'nix/modules/noisy.nix': `{ x }:\n{\n${lines}\n}\n` }, 'noisy');
    const remote = r.stderr.split('\n').filter((l) => l.startsWith('remote:'));
    expect(remote.length).toBeLessThan(110);
    expect(r.stderr).toContain('accepted with 2,000 warnings');
    expect(r.stderr).toContain(
      '... and 1,950 more not shown (0 errors, 1,950 warnings, 0 notes; at most 50 are shown per ref)',
    );
  });

  it('logs break-glass pushes with the pusher and the refs, also after an internal error', () => {
    const glass = join(g.bare, 'tappaas-break-glass');
    const log = join(g.bare, 'tappaas-break-glass.log');
    writeFileSync(glass, 'INC-4 restore\n');
    try {
      const c = g.commit(g.main(), { 'README.md': 'urgent fix\n' });
      const r = g.push(['HEAD:main'], bob);
      expect(r.code, r.stderr).toBe(0);
      expect(readFileSync(log, 'utf8')).toMatch(
        new RegExp(
          `accepted \\(would be rejected\\); pusher bob \\[bob\\]; refs: refs/heads/main [0-9a-f]{12}\\.\\.${c.slice(0, 12)}\\n$`,
        ),
      );
      writeFileSync(join(g.bare, 'tappaas-known-hosts.json'), 'not json');
      g.commit(c, { 'x.txt': 'x\n' });
      expect(g.push(['HEAD:refs/heads/glass-2'], { TAPPAAS_PUSHER: 'carol' }).code).toBe(0);
      expect(readFileSync(log, 'utf8')).toMatch(
        /accepted unchecked after internal error \S+; pusher carol \[carol\]; refs: refs\/heads\/glass-2 \(none\)\.\.[0-9a-f]{12}\n$/,
      );
    } finally {
      rmSync(glass, { force: true });
      rmSync(join(g.bare, 'tappaas-known-hosts.json'), { force: true });
    }
  });
});

describe('no stack trace reaches a pusher', () => {
  it('with node_modules missing, and with the toolkit gone', () => {
    const copy = mkdtempSync(join(tmpdir(), 'tappaas-toolkit-copy-'));
    const f = new GitFixture('tappaas-nomodules-');
    try {
      cpSync(join(REPO, 'dist'), join(copy, 'dist'), { recursive: true });
      cpSync(join(REPO, 'package.json'), join(copy, 'package.json'));
      f.commit(undefined, { 'README.md': 'x\n' });
      f.git(['push', '-q', 'origin', 'HEAD:refs/heads/main']);
      const installed = run(
        process.execPath,
        [join(copy, 'dist', 'tappaas.mjs'), 'hook', 'install', f.bare],
        {
          cwd: copy,
          env: f.env,
        },
      );
      expect(installed.code, installed.stderr).toBe(0);
      const clean = (r: Run) => {
        expect(r.code).not.toBe(0);
        expect(r.stderr).not.toMatch(/^remote: +at /m);
        expect(r.stderr).not.toContain('Require stack');
        expect(r.stderr).not.toContain(copy);
        expect(r.stderr).toContain('remote: tappaas: REJECTED: ');
      };
      const before = snapshot(f.bare);
      // A .nix file makes the hook load the parser, which lives in node_modules.
      f.commit(f.main(), { 'nix/a.nix': '{ a = 1; }\n' });
      const r = f.push(['HEAD:refs/heads/feature'], bob);
      clean(r);
      expect(r.stderr).toMatch(/remote: tappaas: REJECTED: internal error \d{8}T\d{6}-[0-9a-f]{6}: /);
      expect(readFileSync(join(f.bare, 'tappaas-hook-errors.log'), 'utf8')).toContain(copy);
      expect(snapshot(f.bare)).toEqual(before);
      rmSync(join(copy, 'dist'), { recursive: true });
      const gone = f.push(['HEAD:refs/heads/feature'], bob);
      clean(gone);
      expect(gone.stderr).toContain('the push gate cannot start on the server');
      expect(snapshot(f.bare)).toEqual(before);
    } finally {
      f.cleanup();
      rmSync(copy, { recursive: true, force: true });
    }
  });
});

describe('the lint budget', () => {
  it('leaves a 4 MB .nix file to CI with a warning, in bounded time and memory', () => {
    // Default limits: a blob may be 5 MiB, a file linted in the hook 256 KiB.
    const g = new GitFixture('tappaas-budget-huge-');
    try {
      g.commit(undefined, { 'README.md': 'fleet\n' });
      g.git(['push', '-q', 'origin', 'HEAD:refs/heads/main']);
      expect(run(process.execPath, [CLI, 'hook', 'install', g.bare], { cwd: REPO, env: g.env }).code).toBe(0);
      hugeFile(g);
    } finally {
      g.cleanup();
    }
  });

  function hugeFile(g: GitFixture) {
    let text = '{\n  services.nginx.virtualHosts = {\n';
    for (let i = 0; text.length < 4_000_000; i++)
      text += `    "h${i}.example.org" = { root = "/srv/www/site-${i}"; listen = [ { port = ${i % 60000}; } ]; };\n`;
    text += '  };\n}\n';
    const c = g.commit(g.main(), { 'nix/modules/huge.nix': text });
    // The whole push, hook included, with no cache of parsed files yet: CPU and peak memory
    // (of the largest process). The lint and the structure checks would each parse the file.
    const r = run(
      '/usr/bin/time',
      ['-f', 'cpu %U %S rss %M', 'git', 'push', '--porcelain', 'origin', 'HEAD:refs/heads/huge'],
      { cwd: g.work, env: { ...g.env, ...bob } },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      `warning [lint/hook-budget] (nix/modules/huge.nix, commit ${c.slice(0, 12)}): not linted in the hook: ${Buffer.byteLength(text).toLocaleString('en-US')} bytes, over the 262,144-byte hook budget per file (policy.limits.hookLintFileBytes); CI lints it`,
    );
    const [, user, sys, rss] = /cpu ([\d.]+) ([\d.]+) rss (\d+)/.exec(r.stderr) ?? [];
    const ms = (Number(user) + Number(sys)) * 1000;
    console.log(
      `push of a 4 MB .nix file: ${ms.toFixed(0)} ms CPU, ${(Number(rss) / 1024).toFixed(0)} MB peak`,
    );
    expect(ms).toBeLessThan(2500);
    expect(Number(rss) / 1024).toBeLessThan(250);
  }

  it('spends a budget per push, and never blocks on findings it could not compare with the base', () => {
    const f = new GitFixture('tappaas-budget-');
    try {
      const policy = { policy: { limits: { hookLintPushBytes: 10_000 } } };
      // a, b, c: about 4 KB each (two fit in the push's 10,000 bytes); old: about 5.5 KB, so
      // its tip and its base do not both fit.
      const module = (name: string, lines: number, extra = '') =>
        `{ config, ... }:\n{\n${Array.from({ length: lines }, (_, i) => `  services.${name}.option${i} = "value number ${i}";`).join('\n')}\n${extra}}\n`;
      // On main already: a file with an error (a finding that was there before).
      f.commit(undefined, {
        'tappaas.json': JSON.stringify(policy),
        'nix/modules/old.nix': module('old', 120, '  broken = ;\n'),
      });
      f.git(['push', '-q', 'origin', 'HEAD:refs/heads/main']);
      expect(run(process.execPath, [CLI, 'hook', 'install', f.bare], { cwd: REPO, env: f.env }).code).toBe(0);
      const files = {
        'nix/modules/a.nix': module('a', 90),
        'nix/modules/b.nix': module('b', 90),
        'nix/modules/c.nix': module('c', 90),
      };
      for (const text of Object.values(files)) expect(text.length).toBeGreaterThan(3400);
      expect(module('old', 120, '  broken = ;\n').length).toBeGreaterThan(5000);
      f.commit(f.main(), files);
      const spent = f.push(['HEAD:refs/heads/three'], bob);
      expect(spent.code, spent.stderr).toBe(0);
      expect(spent.stderr.match(/\[lint\/hook-budget\]/g)?.length).toBe(1);
      expect(spent.stderr).toContain('over what this push left of the 10,000-byte hook budget per push');
      // The old file changes but keeps its error: the tip is linted, the base does not fit.
      f.commit(f.main(), { 'nix/modules/old.nix': module('old', 120, '  broken = ;\n  added = 1;\n') });
      const r = f.push(['HEAD:refs/heads/edit-old'], bob);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain('warning [lint/syntax-error] (nix/modules/old.nix:');
      expect(r.stderr).toContain('note [lint/hook-budget] (nix/modules/old.nix): nix/modules/old.nix at');
      expect(r.stderr).toContain(
        'could not be told from ones already there and are shown as warnings; CI compares them',
      );
    } finally {
      f.cleanup();
    }
  });
});
