// What a push makes reachable, judged per ref (issue 13): tags of trees and blobs (and tags of
// tags) are checked like commits' files; a commit staged on a branch with weaker checks is
// judged again when it moves to a branch with stronger ones; history is read the same whatever
// the server's git config says. Real pushes into a bare repository with the built hook; every
// attack must leave the server's refs and trust records exactly as they were.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitFixture, run } from '../helpers/git.js';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'dist', 'tappaas.mjs');
const KEY =
  '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n';

const POLICY = {
  policy: {
    protectedBranches: [
      { pattern: 'main', allow: ['alice'] },
      { pattern: 'release/*', allow: ['alice'] },
    ],
    protectedTags: ['v*'],
    limits: { maxBlobBytes: 50_000 },
    lint: [{ pattern: 'wip/**', level: 'warning' }],
    signedCommits: { branches: ['signed/**'] },
  },
};

const alice = { TAPPAAS_PUSHER: 'alice' };
const bob = { TAPPAAS_PUSHER: 'bob' };

function expectRejected(r: { code: number; stderr: string }, rule: string) {
  expect(r.code, r.stderr).not.toBe(0);
  expect(r.stderr).toContain(`[${rule}]`);
  expect(r.stderr).toMatch(/remote: tappaas: push rejected: /);
}

/** The server's refs and trust records: what no rejected push may change. */
function serverState(f: GitFixture): string {
  const refs = run('git', ['for-each-ref', '--format=%(objectname) %(refname)'], { cwd: f.bare, env: f.env });
  const trust = join(f.bare, 'tappaas-known-hosts.json');
  return `${refs.stdout}\n${existsSync(trust) ? readFileSync(trust, 'utf8') : '(no trust records)'}`;
}

/** Pushes an attack and checks it was rejected for `rule` and changed nothing on the server. */
function attack(f: GitFixture, args: string[], env: NodeJS.ProcessEnv, rule: string) {
  const before = serverState(f);
  const r = f.push(args, env);
  expectRejected(r, rule);
  expect(serverState(f)).toBe(before);
  return r;
}

function blob(f: GitFixture, content: string | Buffer): string {
  return run('git', ['hash-object', '-w', '--stdin'], {
    cwd: f.work,
    env: f.env,
    input: content,
  }).stdout.trim();
}

/** A tree from `<mode> <type> <oid>\t<name>` lines (`git mktree`). */
function tree(f: GitFixture, entries: string[]): string {
  const r = run('git', ['mktree'], { cwd: f.work, env: f.env, input: `${entries.join('\n')}\n` });
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.trim();
}

/** An annotated tag object of any object (`git mktag`), as stock `git tag` would not make of a tree. */
function tagOf(f: GitFixture, oid: string, type: string, name: string): string {
  const text = `object ${oid}\ntype ${type}\ntag ${name}\ntagger T <t@example.invalid> 1767225600 +0000\n\n${name}\n`;
  const r = run('git', ['mktag'], { cwd: f.work, env: f.env, input: text });
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.trim();
}

function signingKey(f: GitFixture): { key: string; pub: string } {
  const key = join(f.root, 'signer');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'signer', '-f', key]);
  return { key, pub: readFileSync(`${key}.pub`, 'utf8').trim() };
}

function signedCommit(f: GitFixture, key: string, base: string, file: string, text: string): string {
  f.git(['checkout', '-q', '--detach', base]);
  writeFileSync(join(f.work, file), text);
  f.git(['add', file]);
  f.git([
    '-c',
    'gpg.format=ssh',
    '-c',
    `user.signingkey=${key}`,
    'commit',
    '-q',
    '-S',
    '-m',
    `signed ${file}`,
  ]);
  return f.git(['rev-parse', 'HEAD']);
}

let g: GitFixture;
let signer: { key: string; pub: string };
let main: string;

beforeAll(() => {
  execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore' });
  g = new GitFixture('tappaas-walk-');
  signer = signingKey(g);
  main = g.commit(
    undefined,
    {
      'tappaas.json': JSON.stringify(POLICY, null, 2),
      '.tappaas/allowed_signers': `test@example.invalid namespaces="git" ${signer.pub}\n`,
      'nix/modules/base.nix': '{ networking.firewall.enable = true; }\n',
    },
    'initial',
  );
  g.git(['push', '-q', 'origin', 'HEAD:refs/heads/main', 'HEAD:refs/tags/v1']);
  const r = run(process.execPath, [CLI, 'hook', 'install', g.bare], { cwd: ROOT, env: g.env });
  expect(r.code, r.stderr).toBe(0);
});

afterAll(() => g?.cleanup());

describe('tags of trees, blobs and tags (item 1)', () => {
  it('rejects an annotated tag of a blob holding a private key, or over the size limit', () => {
    const key = tagOf(g, blob(g, `notes\n${KEY}`), 'blob', 'leak');
    const r = attack(g, [`${key}:refs/tags/leak`], alice, 'private-key');
    expect(r.stderr).toContain('the blob tagged by refs/tags/leak contains private key material');
    expect(r.stderr).toContain('git tag -d leak');
    const big = tagOf(g, blob(g, Buffer.alloc(60_000, 1)), 'blob', 'big');
    expect(attack(g, [`${big}:refs/tags/big`], alice, 'blob-size').stderr).toContain(
      'the blob tagged by refs/tags/big is 60,000 bytes',
    );
  });

  it('rejects a tag of a tree with a forbidden path, a key or a big file anywhere in it', () => {
    const secrets = tree(g, [
      `100644 blob ${blob(g, 'TOKEN=1\n')}\t.env`,
      `100644 blob ${blob(g, KEY)}\tdeploy.txt`,
    ]);
    const top = tree(g, [
      `040000 tree ${secrets}\tsecrets`,
      `100644 blob ${blob(g, Buffer.alloc(60_000, 2))}\tdisk.img`,
      `120000 blob ${blob(g, KEY)}\tlink`,
    ]);
    const t = tagOf(g, top, 'tree', 'v9-tree');
    const r = attack(g, [`${t}:refs/tags/v9-tree`], alice, 'forbidden-path');
    expect(r.stderr).toContain('secrets/.env (in the tree tagged by refs/tags/v9-tree)');
    expect(r.stderr).toMatch(/private-key\] \(secrets\/deploy\.txt:1\)/);
    expect(r.stderr).toMatch(/private-key\] \(link:1\)/);
    expect(r.stderr).toMatch(/blob-size\] \(disk\.img\)/);
  });

  it('follows tags of tags to the blob, tree or commit at the end of the chain', () => {
    const inner = tagOf(g, blob(g, KEY), 'blob', 'inner');
    const outer = tagOf(g, inner, 'tag', 'v9-chain');
    attack(g, [`${outer}:refs/tags/v9-chain`], alice, 'private-key');
    // A commit on no branch, reached only through two tags.
    const c = g.commit(main, { 'keys/id.txt': KEY }, 'key');
    const t1 = tagOf(g, c, 'commit', 'c1');
    const t2 = tagOf(g, t1, 'tag', 'v9-commit');
    const r = attack(g, [`${t2}:refs/tags/v9-commit`], alice, 'private-key');
    expect(r.stderr).toContain(`keys/id.txt:1, commit ${c.slice(0, 12)}`);
  });

  it('accepts a tag of a tree whose files pass, and refuses a branch at a tag of a tree', () => {
    const clean = tagOf(g, g.git(['rev-parse', `${main}^{tree}`]), 'tree', 'tree-ok');
    const ok = g.push([`${clean}:refs/tags/tree-ok`], alice);
    expect(ok.code, ok.stderr).toBe(0);
    attack(g, [`${clean}:refs/heads/tree-branch`], alice, 'ref-target');
  });
});

describe('commits judged for the ref they move to (item 3)', () => {
  it('lints a commit staged on a warning-only branch again when it moves to a gated or protected branch', () => {
    const bad = g.commit(main, { 'nix/modules/broken.nix': '{\n  a = ;\n}\n' }, 'broken');
    const staged = g.push([`${bad}:refs/heads/wip/try`], bob);
    expect(staged.code, staged.stderr).toBe(0);
    expect(staged.stderr).toContain('warning [lint/syntax-error]');
    const moved = attack(g, [`${bad}:refs/heads/feature/x`], bob, 'lint/syntax-error');
    expect(moved.stderr).toMatch(/nix\/modules\/broken\.nix:2:\d+, commit [0-9a-f]{12}/);
    attack(g, [`${bad}:refs/heads/release/1`], alice, 'lint/syntax-error');
    // On top of a commit that is already on another branch: still this ref's new commits.
    const above = g.commit(bad, { 'README.md': 'docs\n' }, 'docs');
    attack(g, [`${above}:refs/heads/feature/y`], bob, 'lint/syntax-error');
  });

  it('requires signatures on commits first pushed to an unsigned branch, new branch or fast-forward', () => {
    const unsigned = g.commit(main, { 'a.txt': 'a\n' }, 'unsigned');
    expect(g.push([`${unsigned}:refs/heads/feature/unsigned`], bob).code).toBe(0);
    const r = attack(g, [`${unsigned}:refs/heads/signed/x`], bob, 'signed-commits');
    expect(r.stderr).toContain(`commit ${unsigned.slice(0, 12)} is not signed`);
    const ok = g.push([`${main}:refs/heads/signed/y`], bob); // nothing new to it: passes
    expect(ok.code, ok.stderr).toBe(0);
    attack(g, [`${unsigned}:refs/heads/signed/y`], bob, 'signed-commits');
  });

  it('remembers verdicts: a signed commit moved to a second signed branch is not checked again', () => {
    const timing = { ...bob, TAPPAAS_HOOK_TIMING: '1' };
    const c = signedCommit(g, signer.key, main, 'signed.txt', 'signed\n');
    const first = g.push([`${c}:refs/heads/signed/a`], timing);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain('signatures checked 1 of 1');
    expect(first.stderr).toContain('content read 1 of 1');
    const shards = join(g.bare, 'tappaas-verdicts', 'signatures');
    expect(readdirSync(shards)).toContain(c.slice(0, 2));
    const second = g.push([`${c}:refs/heads/signed/b`], timing);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toContain('signatures checked 0 of 1');
    expect(second.stderr).toContain('content read 0 of 1');
  });

  it('splits one push of many refs into each ref’s own commits', () => {
    const a = g.commit(main, { 'nix/modules/a.nix': '{ a = 1; }\n' }, 'a');
    const b = g.commit(a, { 'nix/modules/b.nix': '{\n  b = ;\n}\n' }, 'b');
    const refs = Array.from({ length: 30 }, (_, i) => `${a}:refs/heads/many/${i}`);
    // The one bad commit sits on wip (warning) and on one gated branch: only that ref fails.
    const r = attack(
      g,
      [...refs, `${b}:refs/heads/wip/many`, `${b}:refs/heads/many/bad`],
      bob,
      'lint/syntax-error',
    );
    expect(r.stderr).toContain('REJECTED refs/heads/many/bad');
    expect(r.stderr).toContain('1 of 32 refs failed');
    const fine = g.push([...refs, `${b}:refs/heads/wip/many`], bob);
    expect(fine.code, fine.stderr).toBe(0);
    expect(fine.stderr).toContain('31 refs passed with 1 warning');
  });
});

describe('bounded cost', () => {
  it('walks once per push: 400 new branches against 800 refs cost well under 3 s of CPU', {
    timeout: 120_000,
  }, () => {
    const f = new GitFixture('tappaas-walk-many-');
    try {
      const policy = JSON.stringify({
        policy: { protectedBranches: [{ pattern: 'main', allow: ['alice'] }] },
      });
      let stream = `commit refs/heads/main\nmark :1\ncommitter T <t@example.invalid> 1700000000 +0000\ndata 2\nc\nM 100644 inline tappaas.json\ndata ${policy.length}\n${policy}\n`;
      for (let i = 2; i <= 400; i++) {
        stream += `commit refs/heads/main\nmark :${i}\ncommitter T <t@example.invalid> ${1_700_000_000 + i} +0000\ndata 2\nc\nfrom :${i - 1}\nM 100644 inline log.txt\ndata ${String(i).length}\n${i}\n`;
      }
      for (let i = 0; i < 400; i++) {
        stream += `commit refs/heads/old/b${i}\ncommitter T <t@example.invalid> 1700001000 +0000\ndata 2\nc\nfrom :${1 + i}\nM 100644 inline old/${i}.txt\ndata 2\nx\n\n`;
        stream += `reset refs/tags/t${i}\nfrom :${1 + i}\n\n`;
        stream += `commit refs/heads/new/n${i}\ncommitter T <t@example.invalid> 1700002000 +0000\ndata 2\nc\nfrom :400\nM 100644 inline new/${i}.txt\ndata 2\ny\n\n`;
      }
      const imported = run('git', ['fast-import', '--quiet'], { cwd: f.work, env: f.env, input: stream });
      expect(imported.code, imported.stderr).toBe(0);
      f.git([
        'push',
        '-q',
        'origin',
        'refs/heads/main',
        'refs/heads/old/*:refs/heads/old/*',
        'refs/tags/*:refs/tags/*',
      ]);
      expect(run(process.execPath, [CLI, 'hook', 'install', f.bare], { cwd: ROOT, env: f.env }).code).toBe(0);
      // The objects, as a push brings them (no ref points at them on the server).
      f.git(['fetch', '-q', f.work, 'refs/heads/new/*:refs/carry/*'], f.bare);
      const carried = f.git(['for-each-ref', '--format=delete %(refname)', 'refs/carry/'], f.bare);
      expect(
        run('git', ['update-ref', '--stdin'], { cwd: f.bare, env: f.env, input: `${carried}\n` }).code,
      ).toBe(0);
      const lines = f
        .git(['for-each-ref', '--format=%(objectname) %(refname)', 'refs/heads/new/'])
        .split('\n')
        .map((l) => `${'0'.repeat(40)} ${l}\n`)
        .join('');
      const hook = run('/usr/bin/time', ['-f', 'cpu %U %S', process.execPath, CLI, 'hook', 'pre-receive'], {
        cwd: f.bare,
        env: { ...f.env, ...bob },
        input: lines,
      });
      expect(hook.code, hook.stderr).toBe(0);
      expect(hook.stderr).toContain('tappaas: 400 refs passed');
      const [, user, sys] = /cpu ([\d.]+) ([\d.]+)/.exec(hook.stderr) ?? [];
      const ms = (Number(user) + Number(sys)) * 1000;
      console.log(`hook, 400 new branches against 800 refs: ${ms.toFixed(0)} ms CPU`);
      // One `git log --not --all` per ref (before issue 13) took 5.4 s of CPU here; one walk, 0.2 s.
      expect(ms).toBeLessThan(3000);
    } finally {
      f.cleanup();
    }
  });
});

describe('history read the same whatever the server config says', () => {
  const HOSTILE: [string, string][] = [
    ['log.showRoot', 'false'],
    ['log.showSignature', 'true'],
    ['diff.renames', 'copies'],
    ['diff.relative', 'true'],
    ['diff.ignoreSubmodules', 'all'],
    ['diff.orderFile', '/nonexistent/order'],
    ['diff.external', '/bin/false'],
    ['i18n.logOutputEncoding', 'UTF-16'],
    ['color.ui', 'always'],
    ['core.quotePath', 'true'],
    ['core.abbrev', '7'],
    ['log.decorate', 'full'],
  ];

  it('checks a root commit, renamed and non-ASCII paths and signatures under hostile log and diff config', () => {
    const f = new GitFixture('tappaas-walk-config-');
    try {
      const s = signingKey(f);
      const policy = {
        policy: { ...POLICY.policy, protectedBranches: [{ pattern: 'main', allow: ['alice'] }] },
      };
      const files = {
        'tappaas.json': JSON.stringify(policy),
        '.tappaas/allowed_signers': `test@example.invalid namespaces="git" ${s.pub}\n`,
      };
      const clean = f.commit(undefined, { ...files, 'notes/ключ.txt': 'fine\n' }, 'root');
      f.git(['push', '-q', 'origin', 'HEAD:refs/heads/main']);
      expect(run(process.execPath, [CLI, 'hook', 'install', f.bare], { cwd: ROOT, env: f.env }).code).toBe(0);
      for (const [k, v] of HOSTILE) f.git(['config', k, v], f.bare);
      // A root commit (a history of its own), whose files log.showRoot=false would hide.
      f.git(['checkout', '-q', '--orphan', 'other']);
      f.git(['rm', '-q', '-r', '--cached', '.']);
      f.git(['clean', '-q', '-fdx']);
      const leaky = f.commit(undefined, { 'keys/deploy.txt': KEY }, 'root with a key');
      const root = attack(f, [`${leaky}:refs/heads/other`], bob, 'private-key');
      expect(root.stderr).toContain(`keys/deploy.txt:1, commit ${leaky.slice(0, 12)}`);
      f.git(['checkout', '-q', '-f', '--detach', clean]);
      // A rename (a copy with diff.renames=copies) to a forbidden name, and a key at a non-ASCII path.
      f.git(['mv', 'notes/ключ.txt', '.env']);
      f.git(['commit', '-q', '-m', 'rename']);
      const renamed = attack(f, ['HEAD:refs/heads/feature'], bob, 'forbidden-path');
      expect(renamed.stderr).toContain('(.env, commit');
      expect(renamed.stderr).not.toContain('internal error');
      const nonAscii = f.commit(clean, { 'notes/schlüssel.txt': KEY }, 'key');
      expect(attack(f, [`${nonAscii}:refs/heads/feature`], bob, 'private-key').stderr).toContain(
        'notes/schlüssel.txt:1',
      );
      // Signature states still parse with log.showSignature=true.
      attack(f, [`${nonAscii}:refs/heads/signed/x`], bob, 'signed-commits');
      const signed = signedCommit(f, s.key, clean, 'ok.txt', 'ok\n');
      const ok = f.push([`${signed}:refs/heads/signed/x`], bob);
      expect(ok.code, ok.stderr).toBe(0);
    } finally {
      f.cleanup();
    }
  });
});
