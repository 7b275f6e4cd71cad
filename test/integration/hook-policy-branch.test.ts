// Where the hook's rules come from, end to end with real pushes (issue 13, items 2, 4 and 5):
// the policy branch is a server setting, never the repository's HEAD, and always protected;
// tags and branches that would stand in for a protected branch are refused; and a push to the
// policy branch must bring a tappaas.json that passes the schema. Every attack must leave the
// server exactly as it was: its refs (`git for-each-ref`) and its trust records.
import { existsSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitFixture, run } from '../helpers/git.js';
import { buildCli, CLI, REPO } from '../helpers/run-cli.js';

const alice = { TAPPAAS_PUSHER: 'alice' };
const bob = { TAPPAAS_PUSHER: 'bob' };
const ci = { TAPPAAS_PUSHER: 'ci-merge' };

/** The rules the repository means to have: only alice and CI write main; v* tags are fixed. */
const STRICT = {
  policy: {
    protectedBranches: [{ pattern: 'main', allow: ['alice'] }],
    ciIdentities: ['ci-merge'],
    protectedTags: ['v*'],
  },
};
/** What an attacker would like the rules to be. */
const PERMISSIVE = { policy: { protectedBranches: [], protectedTags: [], ciIdentities: ['bob'] } };

const fixtures: GitFixture[] = [];

function tappaas(g: GitFixture, args: string[], cwd = REPO) {
  return run(process.execPath, [CLI, ...args], { cwd, env: g.env });
}

/** A server whose main holds `files`, with tag v1 on it and the hook installed with `install`. */
function server(prefix: string, files: Record<string, string>, install: string[] = []): GitFixture {
  const g = new GitFixture(prefix);
  fixtures.push(g);
  g.commit(undefined, { 'README.md': 'fleet\n', ...files }, 'initial');
  g.git(['push', '-q', 'origin', 'HEAD:refs/heads/main', 'HEAD:refs/tags/v1']);
  const r = tappaas(g, ['hook', 'install', g.bare, ...install]);
  expect(r.code, r.stderr).toBe(0);
  return g;
}

/** Everything a push could change on the server: every ref, and the trusted host keys. */
function serverState(g: GitFixture): string {
  const refs = g.git(['for-each-ref', '--format=%(objectname) %(objecttype) %(refname)'], g.bare);
  const head = g.git(['symbolic-ref', 'HEAD'], g.bare);
  const trustFile = join(g.bare, 'tappaas-known-hosts.json');
  const trust = existsSync(trustFile) ? readFileSync(trustFile, 'utf8') : '(no trust records)';
  return `HEAD -> ${head}\n${refs}\n${trust}`;
}

/** Runs an attack and checks it was refused for `rule` with the server left as it was. */
function expectRefused(g: GitFixture, attack: () => { code: number; stderr: string }, rule: string): string {
  const before = serverState(g);
  const r = attack();
  expect(r.code, r.stderr).not.toBe(0);
  expect(r.stderr).toContain(`[${rule}]`);
  expect(r.stderr).toMatch(/remote: tappaas: push rejected: .*nothing was updated/);
  expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
  expect(serverState(g)).toBe(before);
  return r.stderr;
}

beforeAll(() => buildCli());
afterAll(() => {
  for (const g of fixtures) g.cleanup();
});

describe('item 2: the policy branch is fixed on the server, never the dangling HEAD', () => {
  it('a branch the dangling HEAD names is just a branch: main and v1 stay protected', () => {
    const g = server('tappaas-policy-head-', { 'tappaas.json': JSON.stringify(STRICT) });
    // The server's HEAD names a branch that does not exist (`git init`'s old default).
    g.git(['symbolic-ref', 'HEAD', 'refs/heads/master'], g.bare);
    const main = g.main();
    // Before the fix this push made bob's file the policy: HEAD resolved to it from then on.
    g.commit(main, { 'tappaas.json': JSON.stringify(PERMISSIVE) }, 'my rules now');
    const planted = g.push(['HEAD:refs/heads/master'], bob);
    expect(planted.code, planted.stderr).toBe(0);
    expect(planted.stderr).toContain('policy from tappaas.json at refs/heads/main');
    // The takeover: rewrite main and delete a protected tag, as bob.
    g.commit(undefined, { 'README.md': 'mine\n' }, 'rewritten');
    const rewrite = expectRefused(
      g,
      () => g.push(['--force', 'HEAD:refs/heads/main', ':refs/tags/v1'], bob),
      'protected-branch',
    );
    expect(rewrite).toContain('[protected-tag]');
    expect(rewrite).toContain('policy from tappaas.json at refs/heads/main');
    expect(g.serverRef('refs/heads/main')).toBe(main);
    expect(g.serverRef('refs/tags/v1')).toBe(main);
  });

  it('while the policy branch does not exist, the strict defaults protect it: nobody may plant a policy', () => {
    // Installed for a policy branch `trunk` that does not exist yet; main has no tappaas.json.
    const g = server('tappaas-policy-missing-', {}, ['--policy-branch', 'trunk']);
    expect(readFileSync(join(g.bare, 'hooks', 'pre-receive'), 'utf8')).toContain("'--policy-branch' 'trunk'");
    g.commit(g.main(), { 'tappaas.json': JSON.stringify(PERMISSIVE) }, 'my rules now');
    for (const spec of ['HEAD:refs/heads/trunk', 'HEAD:refs/heads/TRUNK']) {
      const r = expectRefused(g, () => g.push([spec], bob), 'protected-branch');
      expect(r).toContain('directly (protected by pattern "trunk")');
      expect(r).toContain('policy from built-in defaults (refs/heads/trunk does not exist)');
    }
    // Not even with the server's HEAD pointed at it.
    g.git(['symbolic-ref', 'HEAD', 'refs/heads/trunk'], g.bare);
    expectRefused(g, () => g.push(['HEAD:refs/heads/trunk'], alice), 'protected-branch');
    // The defaults also keep every tag immutable, so v1 cannot be moved meanwhile.
    expectRefused(g, () => g.push(['--force', 'HEAD:refs/tags/v1'], bob), 'protected-tag');
  });

  it('a policy that forgets its own branch still cannot let a pusher rewrite it', () => {
    const forgetful = { policy: { protectedBranches: [{ pattern: 'release/*', allow: ['alice'] }] } };
    const g = server('tappaas-policy-forgetful-', { 'tappaas.json': JSON.stringify(forgetful) });
    const main = g.main();
    g.commit(main, { 'tappaas.json': JSON.stringify(PERMISSIVE) }, 'my rules now');
    const r = expectRefused(g, () => g.push(['HEAD:refs/heads/main'], bob), 'protected-branch');
    expect(r).toContain('(the policy branch: its tappaas.json judges every push');
    g.commit(undefined, { 'README.md': 'mine\n' }, 'rewritten');
    expectRefused(g, () => g.push(['--force', 'HEAD:refs/heads/main'], bob), 'protected-branch');
    expectRefused(g, () => g.push([':refs/heads/main'], bob), 'protected-branch');
    // Other branches stay open, as that policy says.
    expect(g.push(['HEAD:refs/heads/feature'], bob).code).toBe(0);
  });

  it('refuses a policy branch that is no branch name, at install and in the hook', () => {
    const g = server('tappaas-policy-badname-', {});
    for (const bad of ['refs/heads/main', 'HEAD', 'a..b', 'rel*'])
      expect(tappaas(g, ['hook', 'install', g.bare, '--policy-branch', bad]).code, bad).toBe(2);
    expect(
      tappaas(g, ['hook', 'install', g.bare, '--policy', 'x.json', '--policy-branch', 'main']).code,
    ).toBe(2);
    // A shim edited by hand to a bad name fails closed, with the fix.
    const main = g.main();
    const input = `${main} ${main} refs/heads/main\n`;
    const r = run(process.execPath, [CLI, 'hook', 'pre-receive', '--policy-branch', 'a..b'], {
      cwd: g.bare,
      env: { ...g.env, GIT_DIR: g.bare },
      input,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('tappaas: REJECTED: internal error');
    expect(r.stderr).toContain('--policy-branch "a..b" is no branch name');
    expect(r.stderr).toContain(
      'hint: reinstall the hook with `tappaas hook install <repo> --policy-branch <branch>`',
    );
  });
});

describe('item 4: no tag or branch may stand in for a protected branch', () => {
  let g: GitFixture;
  beforeAll(() => {
    g = server('tappaas-policy-shadow-', { 'tappaas.json': JSON.stringify(STRICT) });
  });

  it.each([
    ['a tag named main', 'refs/tags/main', 'ref-shadow'],
    ['a tag named origin/main', 'refs/tags/origin/main', 'ref-shadow'],
    ['a tag named Main', 'refs/tags/Main', 'ref-shadow'],
    ['a branch named origin/main', 'refs/heads/origin/main', 'ref-shadow'],
    ['a tag named origin/HEAD', 'refs/tags/origin/HEAD', 'ref-name'],
    ['a tag named HEAD', 'refs/tags/HEAD', 'ref-name'],
    ['a tag named refs/remotes/origin/main', 'refs/tags/refs/remotes/origin/main', 'ref-name'],
  ])('%s is refused, even for an identity allowed on main', (_name, ref, rule) => {
    g.commit(g.main(), { 'README.md': `shadow ${ref}\n` }, 'the attacker commit');
    const r = expectRefused(g, () => g.push([`HEAD:${ref}`], alice), rule);
    expect(r).toContain(ref);
    expect(r).toMatch(/fix: choose a (tag|branch) name/);
  });

  it('explains what would break', () => {
    g.commit(g.main(), { 'README.md': 'x\n' });
    const r = expectRefused(g, () => g.push(['HEAD:refs/tags/origin/main'], alice), 'ref-shadow');
    expect(r).toContain(
      'git resolves "origin/main" to it before refs/remotes/origin/main, so `git rev-parse origin/main` (as in CI\'s `--from origin/main`) would give this ref\'s commit',
    );
  });

  it('accepts tags and branches that only look alike', () => {
    g.commit(g.main(), { 'README.md': 'fine\n' });
    const r = g.push(
      ['HEAD:refs/tags/v2', 'HEAD:refs/tags/main-2026', 'HEAD:refs/heads/fix/mainline'],
      alice,
    );
    expect(r.code, r.stderr).toBe(0);
  });

  it("CI's check --from refs/remotes/origin/<base> is not fooled by a tag origin/main that came from elsewhere", () => {
    // A server without our hook (or a mirror) lets the tag in; CI's clone fetches it.
    const f = new GitFixture('tappaas-policy-ci-');
    fixtures.push(f);
    const bad = '{\n  a = ;\n}\n';
    const main = f.commit(undefined, { 'nix/modules/ok.nix': '{ }\n' }, 'main');
    const attacker = f.commit(main, { 'nix/modules/bad.nix': bad }, 'the same error, on a tag');
    f.git(['push', '-q', 'origin', `${main}:refs/heads/main`, `${attacker}:refs/tags/origin/main`]);
    // The pull request brings the lint error; CI compares with its base.
    f.git(['fetch', '-q', '--tags', 'origin', '+refs/heads/main:refs/remotes/origin/main']);
    f.commit(main, { 'nix/modules/bad.nix': bad }, 'the pull request');
    const short = tappaas(f, ['check', '--from', 'origin/main'], f.work);
    expect(short.code, short.stdout + short.stderr).toBe(0); // the tag hid the new error
    const full = tappaas(f, ['check', '--from', 'refs/remotes/origin/main'], f.work);
    expect(full.code, full.stdout).toBe(1);
    expect(full.stdout).toContain('nix/modules/bad.nix');
    // And our hook would not have let that tag in.
    const guarded = server('tappaas-policy-ci-guarded-', { 'tappaas.json': JSON.stringify(STRICT) });
    guarded.commit(guarded.main(), { 'nix/modules/bad.nix': bad }, 'the same error, on a tag');
    expectRefused(guarded, () => guarded.push(['HEAD:refs/tags/origin/main'], alice), 'ref-shadow');
  });
});

describe('item 5: the policy branch takes only a policy that passes the schema', () => {
  let g: GitFixture;
  beforeAll(() => {
    g = server('tappaas-policy-schema-', { 'tappaas.json': JSON.stringify(STRICT, null, 2) });
  });

  it('refuses tappaas.json that is not JSON, with its line and column', () => {
    g.commit(g.main(), { 'tappaas.json': '{\n  "policy": {\n    "ciIdentities": ["ci-merge"],\n  }\n}\n' });
    const r = expectRefused(g, () => g.push(['HEAD:refs/heads/main'], alice), 'policy-schema');
    expect(r).toMatch(
      /error \[policy-schema\] \(tappaas\.json:\d+:\d+, commit [0-9a-f]{12}\): refs\/heads\/main would get a policy that is not valid JSON/,
    );
    expect(r).toContain('fix: make tappaas.json match schemas/tappaas.schema.json');
  });

  it('refuses values the schema rejects, each with its JSON pointer, in the policy and elsewhere', () => {
    const broken = {
      policy: { protectedBranches: [{ pattern: 'main', allow: 'alice' }], protectedBranch: ['main'] },
      lint: { rules: { 'no-such-level': 'loud' } },
    };
    g.commit(g.main(), { 'tappaas.json': JSON.stringify(broken, null, 2) });
    const r = expectRefused(g, () => g.push(['HEAD:refs/heads/main'], alice), 'policy-schema');
    expect(r).toContain('/policy/protectedBranches/0/allow: must be array');
    expect(r).toContain('/policy/protectedBranch: is not a known setting');
    expect(r).toContain('/lint/rules/no-such-level:');
  });

  it('refuses a misspelt rule option, as lint and check would refuse it in CI', () => {
    const misspelt = { lint: { rules: { 'service-admin-user': ['warning', { adminUser: ['root'] }] } } };
    g.commit(g.main(), { 'tappaas.json': JSON.stringify(misspelt, null, 2) });
    const r = expectRefused(g, () => g.push(['HEAD:refs/heads/main'], alice), 'policy-schema');
    expect(r).toContain('`adminUser` is no option of service-admin-user; did you mean `adminUsers`?');
  });

  it('refuses a tappaas.json that is a directory or a symbolic link', () => {
    g.commit(g.main(), { 'tappaas.json': null, 'tappaas.json/x': '{}' });
    expectRefused(g, () => g.push(['HEAD:refs/heads/main'], ci), 'policy-schema');
    // A link to a file with other rules: git stores the link's target text, which is no policy.
    g.commit(g.main(), { 'tappaas.json': null, 'other.json': JSON.stringify(PERMISSIVE) });
    symlinkSync('other.json', join(g.work, 'tappaas.json'));
    g.git(['add', '-A']);
    g.git(['commit', '-q', '-m', 'policy elsewhere']);
    const r = expectRefused(g, () => g.push(['HEAD:refs/heads/main'], ci), 'policy-schema');
    expect(r).toContain('not valid JSON');
  });

  it('after a refused policy the gate still works: the next valid push is judged by the old rules', () => {
    g.commit(g.main(), {
      'tappaas.json': JSON.stringify({
        ...STRICT,
        policy: { ...STRICT.policy, ciIdentities: ['ci-merge', 'ci-2'] },
      }),
    });
    const r = g.push(['HEAD:refs/heads/main'], alice);
    expect(r.code, r.stderr).toBe(0);
    // The new policy is in force for the push after it.
    g.commit(g.main(), { 'README.md': 'by ci-2\n' });
    expect(g.push(['HEAD:refs/heads/main'], { TAPPAAS_PUSHER: 'ci-2' }).code).toBe(0);
  });

  it('only the policy branch is held to it: a feature branch may carry a broken draft', () => {
    g.commit(g.main(), { 'tappaas.json': '{ "policy": ' });
    const r = g.push(['HEAD:refs/heads/draft-policy'], bob);
    expect(r.code, r.stderr).toBe(0);
  });
});
