// `tappaas hook install` refuses installs git would never run, and `tappaas hook verify` proves
// (through the real git receive-pack) whether the gate runs: ACTIVE only when the installed
// hook judged and rejected the test update. Every run leaves the repository's refs, trust
// records and push logs exactly as they were.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GitFixture } from '../helpers/git.js';
import { buildCli, REPO, runCli } from '../helpers/run-cli.js';
import { snapshot } from '../helpers/server-snapshot.js';

let g: GitFixture;

beforeAll(() => buildCli());
afterEach(() => g?.cleanup());

function tappaas(args: string[], env: Record<string, string> = {}) {
  return runCli(args, { cwd: REPO, env: { HOME: g.root, GIT_CONFIG_NOSYSTEM: '1', ...env } });
}

/** Every file under objects/, so a run can be shown to have stored nothing. */
function objectFiles(bare: string): string[] {
  return readdirSync(join(bare, 'objects'), { recursive: true, encoding: 'utf8' }).sort();
}

/** A fixture whose main holds a policy, pushed before any hook is installed. */
function fixture(prefix: string, policy: object = {}): GitFixture {
  const f = new GitFixture(prefix);
  f.commit(undefined, { 'tappaas.json': JSON.stringify({ policy }), 'README.md': 'fleet\n' }, 'initial');
  f.git(['push', '-q', 'origin', 'HEAD:refs/heads/main']);
  return f;
}

/** In the manner of Gitea's generated hooks/pre-receive: feed stdin to every hook in pre-receive.d. */
const DISPATCHER = `#!/bin/sh
data=$(cat)
exitcodes=""
hookname=$(basename "$0")
GIT_DIR=\${GIT_DIR:-$(dirname "$0")/..}
for hook in "\${GIT_DIR}/hooks/\${hookname}.d"/*; do
  test -x "\${hook}" && test -f "\${hook}" || continue
  printf '%s\\n' "\${data}" | "\${hook}"
  exitcodes="\${exitcodes} $?"
done
for i in \${exitcodes}; do
  [ "\${i}" -eq 0 ] || exit "\${i}"
done
`;

function expectVerified(bare: string, state: 'active' | 'not active', why?: string) {
  const before = snapshot(bare);
  const objects = objectFiles(bare);
  const entries = readdirSync(bare).sort();
  const r = tappaas(['hook', 'verify', bare]);
  if (state === 'active') {
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('the gate is ACTIVE');
    expect(r.stdout).toMatch(/\| tappaas: REJECTED refs\/heads\/tappaas-verify\/[0-9a-f]{12} /);
    expect(r.stdout).toContain('[ref-target]');
    // Nothing stored: the test object went with the quarantine.
    expect(objectFiles(bare)).toEqual(objects);
  } else {
    expect(r.code, r.stdout).toBe(1);
    expect(r.stderr).toContain('the gate is NOT active');
  }
  if (why) expect(`${r.stdout}${r.stderr}`).toContain(why);
  expect(snapshot(bare)).toEqual(before);
  // No log, cache or record file appeared in the repository directory.
  expect(readdirSync(bare).sort()).toEqual(entries);
  return r;
}

describe('hook install refuses an install git would not run', () => {
  it('refuses a clone with a work tree, and its .git directory, with exit 2 and the fix', () => {
    g = fixture('tappaas-verify-clone-');
    for (const target of [g.work, join(g.work, '.git')]) {
      const r = tappaas(['hook', 'install', target]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/is a clone with a work tree, not a bare repository|is not a bare repository/);
      expect(r.stderr).toContain('install into the bare repository that pushes go to');
      expect(tappaas(['hook', 'verify', target]).code).toBe(2);
    }
    expect(existsSync(join(g.work, '.git', 'hooks', 'pre-receive'))).toBe(false);
    expect(tappaas(['hook', 'install', join(g.root, 'nowhere')]).code).toBe(2);
  });

  it('refuses hooks redirected by core.hooksPath, naming the setting; verify finds the gate off', () => {
    g = fixture('tappaas-verify-hookspath-');
    const elsewhere = join(g.root, 'shared-hooks');
    mkdirSync(elsewhere);
    g.git(['config', 'core.hooksPath', elsewhere], g.bare);
    const r = tappaas(['hook', 'install', g.bare]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`git runs this repository's hooks from ${elsewhere}`);
    expect(r.stderr).toContain(`(file:${join(g.bare, 'config')} sets ${elsewhere})`);
    expect(existsSync(join(g.bare, 'hooks', 'pre-receive'))).toBe(false);
    // An older install in hooks/ does not help: git never runs it.
    g.git(['config', '--unset', 'core.hooksPath'], g.bare);
    expect(tappaas(['hook', 'install', g.bare]).code).toBe(0);
    g.git(['config', 'core.hooksPath', elsewhere], g.bare);
    expectVerified(g.bare, 'not active', `git runs hooks from ${elsewhere}`);
  });

  it('with --gitea, refuses a missing, a non-executable or a foreign hooks/pre-receive', () => {
    g = fixture('tappaas-verify-gitea-refuse-');
    const dispatcher = join(g.bare, 'hooks', 'pre-receive');
    const install = () => tappaas(['hook', 'install', g.bare, '--gitea']);
    let r = install();
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${dispatcher} is missing, so nothing runs hooks/pre-receive.d/`);
    writeFileSync(dispatcher, '#!/bin/sh\n# site checks\nexec /usr/local/bin/site-checks\n', { mode: 0o755 });
    r = install();
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("does not run the hooks in pre-receive.d/ (it is not Gitea's dispatcher)");
    writeFileSync(dispatcher, DISPATCHER, { mode: 0o644 });
    chmodSync(dispatcher, 0o644);
    r = install();
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is not executable');
    expect(existsSync(join(g.bare, 'hooks', 'pre-receive.d', 'tappaas'))).toBe(false);
    // Host keys are recorded by post-receive: Gitea's dispatcher must be there too.
    chmodSync(dispatcher, 0o755);
    r = install();
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `${join(g.bare, 'hooks', 'post-receive')} is missing, so nothing runs hooks/post-receive.d/`,
    );
    writeFileSync(join(g.bare, 'hooks', 'post-receive'), DISPATCHER, { mode: 0o755 });
    r = install();
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(g.bare, 'hooks', 'post-receive.d', 'tappaas'))).toBe(true);
  });

  it('keeps a foreign post-receive and runs it after recording, with the same input; uninstall restores it', () => {
    g = fixture('tappaas-verify-post-');
    const post = join(g.bare, 'hooks', 'post-receive');
    const seen = join(g.root, 'notified');
    writeFileSync(
      post,
      `#!/bin/sh
cat > ${seen}
`,
      { mode: 0o755 },
    );
    const r = tappaas(['hook', 'install', g.bare]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`kept the previous ${post} as ${post}.tappaas-backup`);
    g.commit(g.main(), { 'b.txt': 'b\n' });
    const tip = g.git(['rev-parse', 'HEAD']);
    expect(g.push(['HEAD:refs/heads/feature']).code).toBe(0);
    expect(readFileSync(seen, 'utf8')).toMatch(new RegExp(`^0{40} ${tip} refs/heads/feature\n$`));
    expect(tappaas(['hook', 'uninstall', g.bare]).stdout).toContain(`restored the previous hook ${post}`);
    expect(readFileSync(post, 'utf8')).toContain(`cat > ${seen}`);
  });

  it('writes shims that shellcheck passes', () => {
    g = fixture('tappaas-verify-shellcheck-');
    expect(tappaas(['hook', 'install', g.bare]).code).toBe(0);
    const hooks = ['pre-receive', 'post-receive'].map((h) => join(g.bare, 'hooks', h));
    const r = spawnSync('shellcheck', hooks, { encoding: 'utf8' });
    expect(r.error, 'shellcheck is installed by scripts/setup.sh').toBeUndefined();
    expect(r.stdout, r.stdout).toBe('');
    expect(r.status).toBe(0);
  });

  it('says when no post-receive records host keys', () => {
    g = fixture('tappaas-verify-nopost-');
    expect(tappaas(['hook', 'install', g.bare]).code).toBe(0);
    rmSync(join(g.bare, 'hooks', 'post-receive'));
    const r = expectVerified(g.bare, 'active');
    expect(r.stdout).toContain("so registrations' SSH host keys are not recorded");
  });
});

describe('hook verify', () => {
  it('is documented in --help', () => {
    g = new GitFixture('tappaas-verify-help-');
    const r = tappaas(['hook', '--help']);
    expect(r.stdout).toContain('tappaas hook verify <bare-repo>');
    expect(r.stdout).toContain('verify proves the gate is on');
    expect(tappaas(['hook', 'verify']).code).toBe(2);
  });

  it('proves an installed gate runs and changes nothing; the gate then stops a real attack', () => {
    g = fixture('tappaas-verify-active-', { protectedBranches: [{ pattern: 'main', allow: ['alice'] }] });
    const installed = tappaas(['hook', 'install', g.bare]);
    expect(installed.code).toBe(0);
    expect(installed.stdout).toContain(`run \`tappaas hook verify ${g.bare}\` to prove it`);
    const r = expectVerified(g.bare, 'active');
    expect(r.stdout).toContain('nothing was changed');
    // No log line that looks like a push, no trust record.
    expect(existsSync(join(g.bare, 'tappaas-break-glass.log'))).toBe(false);
    expect(existsSync(join(g.bare, 'tappaas-hook-errors.log'))).toBe(false);
    expect(existsSync(join(g.bare, 'tappaas-known-hosts.json'))).toBe(false);
    const before = snapshot(g.bare);
    g.commit(g.main(), { 'README.md': 'rewritten by bob\n' });
    const push = g.push(['HEAD:main'], { TAPPAAS_PUSHER: 'bob' });
    expect(push.code).not.toBe(0);
    expect(push.stderr).toContain('[protected-branch]');
    expect(snapshot(g.bare)).toEqual(before);
  });

  it('finds the gate off: no hook, a foreign hook, a hook git ignores', () => {
    g = fixture('tappaas-verify-off-');
    const hook = join(g.bare, 'hooks', 'pre-receive');
    expectVerified(g.bare, 'not active', `there is no ${hook}`);
    writeFileSync(hook, '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    expectVerified(g.bare, 'not active', 'is a foreign hook that does not run the gate');
    writeFileSync(hook, '#!/bin/sh\necho "site policy: no" >&2\nexit 1\n', { mode: 0o755 });
    const r = expectVerified(
      g.bare,
      'not active',
      'a pre-receive hook declined the test push, but the tappaas gate did not run',
    );
    expect(r.stderr).toContain('| site policy: no');
    rmSync(hook);
    expect(tappaas(['hook', 'install', g.bare]).code).toBe(0);
    chmodSync(hook, 0o644);
    expectVerified(g.bare, 'not active', `${hook} is not executable, so git ignores it`);
  });

  it('proves a Gitea install through the dispatcher, and finds a dispatcher that ignores the gate', () => {
    g = fixture('tappaas-verify-gitea-', {
      protectedBranches: [{ pattern: 'main', allow: ['gitea-user:7'] }],
    });
    const dispatcher = join(g.bare, 'hooks', 'pre-receive');
    writeFileSync(dispatcher, DISPATCHER, { mode: 0o755 });
    writeFileSync(join(g.bare, 'hooks', 'post-receive'), DISPATCHER, { mode: 0o755 });
    mkdirSync(join(g.bare, 'hooks', 'pre-receive.d'));
    writeFileSync(join(g.bare, 'hooks', 'pre-receive.d', 'gitea'), '#!/bin/sh\ncat >/dev/null\nexit 0\n', {
      mode: 0o755,
    });
    const installed = tappaas(['hook', 'install', g.bare, '--gitea']);
    expect(installed.code, installed.stderr).toBe(0);
    expectVerified(g.bare, 'active');
    const before = snapshot(g.bare);
    g.commit(g.main(), { 'README.md': 'eve was here\n' });
    const push = g.push(['HEAD:main'], { GITEA_PUSHER_NAME: 'eve', GITEA_PUSHER_ID: '8' });
    expect(push.stderr).toContain('[protected-branch]');
    expect(snapshot(g.bare)).toEqual(before);
    // A dispatcher that runs the gate but drops its exit code lets every push through.
    writeFileSync(dispatcher, DISPATCHER.replace(/for i in[\s\S]*done\n$/, 'exit 0\n'), { mode: 0o755 });
    const r = tappaas(['hook', 'verify', g.bare]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('the gate ran and rejected the test update, but git went on');
    expect(snapshot(g.bare)).toEqual(before);
  });

  it('finds the gate open under break glass, and broken by an internal error, logging no push', () => {
    g = fixture('tappaas-verify-glass-');
    const policyFile = join(g.root, 'server-policy.json');
    writeFileSync(policyFile, JSON.stringify({ policy: {} }));
    expect(tappaas(['hook', 'install', g.bare, '--policy', policyFile]).code).toBe(0);
    writeFileSync(join(g.bare, 'tappaas-break-glass'), 'INC-9 migration\n');
    const before = snapshot(g.bare);
    let r = tappaas(['hook', 'verify', g.bare]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('break glass is ON (INC-9 migration): every push is accepted');
    expect(r.stderr).toContain(`rm ${join(g.bare, 'tappaas-break-glass')}`);
    expect(snapshot(g.bare)).toEqual(before);
    expect(existsSync(join(g.bare, 'tappaas-break-glass.log'))).toBe(false);
    rmSync(join(g.bare, 'tappaas-break-glass'));
    rmSync(policyFile);
    r = tappaas(['hook', 'verify', g.bare]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('the gate runs but fails with an internal error, so it refuses every push');
    expect(r.stderr).toMatch(
      /\| tappaas: REJECTED: internal error \d{8}T\d{6}-[0-9a-f]{6}: server policy file/,
    );
    expect(readFileSync(join(g.bare, 'tappaas-hook-errors.log'), 'utf8')).toContain('(hook verify)');
    expect(snapshot(g.bare)).toEqual(before);
  });
});
