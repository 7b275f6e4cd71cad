// Trust on first use under load (issue: TOFU races) and registration paths that hold no plain
// file. Real pushes through the installed hooks: pre-receive judges and writes a claim,
// post-receive records the key only for a ref update git really made. The concurrency cases
// run 20 times each; a raw receive-pack client sends the stale update stock git would not.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { receivePack } from '../../scripts/git/receive-pack.js';
import { GitFixture, type Run, run, runAsync } from '../helpers/git.js';
import { buildCli, CLI } from '../helpers/run-cli.js';
import { snapshot } from '../helpers/server-snapshot.js';

const RUNS = 20;
const VM = { TAPPAAS_PUSHER: 'reg-key' };
let g: GitFixture;
let main: string;

beforeAll(() => {
  buildCli();
  g = new GitFixture('tappaas-tofu-');
  const policy = { policy: { registration: { keys: ['reg-key'] } } };
  main = g.commit(undefined, { 'tappaas.json': JSON.stringify(policy), 'README.md': 'fleet\n' }, 'initial');
  g.git(['push', '-q', 'origin', 'HEAD:refs/heads/main']);
  const r = run(process.execPath, [CLI, 'hook', 'install', g.bare], { cwd: g.root, env: g.env });
  expect(r.code, r.stderr).toBe(0);
}, 180_000);
afterAll(() => g?.cleanup());

function key(name: string): string {
  return `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${Buffer.from(name).toString('base64')} root@${name}`;
}

/** A registration commit of `host` on main, carrying `hostKey`. */
function registration(host: string, hostKey: string): string {
  return g.commit(main, {
    [`registrations/${host}.json`]: `${JSON.stringify({ hostname: host, sshHostKey: hostKey })}\n`,
    [`nix/hardware/${host}-hw.nix`]: `{ ... }: { networking.hostName = "${host}"; }\n`,
  });
}

/** `git push` without blocking, so two pushes really overlap. */
function pushAsync(args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return runAsync('git', ['push', '--porcelain', 'origin', ...args], {
    cwd: g.work,
    env: { ...g.env, ...env },
  });
}

function known(): Record<string, string> {
  const file = join(g.bare, 'tappaas-known-hosts.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>) : {};
}

/** The key in the payload at the server's registration branch, if the branch exists. */
function keyAtTip(host: string): string | undefined {
  const tip = g.serverRef(`refs/heads/registration/${host}`);
  if (!tip) return undefined;
  const r = run('git', ['cat-file', 'blob', `${tip}:registrations/${host}.json`], {
    cwd: g.bare,
    env: g.env,
  });
  return (JSON.parse(r.stdout) as { sshHostKey: string }).sshHostKey;
}

const sameKey = (k: string | undefined) => k?.split(' ').slice(0, 2).join(' ');

describe('trust on first use, concurrently (item 6)', () => {
  it(`two VMs registering one host at once: the key recorded is the winner's, ${RUNS} runs`, async () => {
    const wrong: string[] = [];
    let bothLanded = 0;
    for (let i = 0; i < RUNS; i++) {
      const host = `race${i}`;
      const a = registration(host, key(`${host}-a`));
      const b = registration(host, key(`${host}-b`));
      // Forced, so a VM that sees the other's branch already there still tries (and is judged).
      const [ra, rb] = await Promise.all([
        pushAsync([`+${a}:refs/heads/registration/${host}`], VM),
        pushAsync([`+${b}:refs/heads/registration/${host}`], VM),
      ]);
      if (ra.code === 0 && rb.code === 0) bothLanded++;
      const tipKey = keyAtTip(host);
      if (!tipKey || known()[host] !== sameKey(tipKey))
        wrong.push(`${host}: recorded ${known()[host]}, branch holds ${tipKey}; ${ra.stderr} ${rb.stderr}`);
    }
    expect(wrong).toEqual([]);
    // The second VM never takes over a name once the first one's update is in.
    expect(bothLanded).toBe(0);
  }, 300_000);

  it(`two hosts registering at once: both recorded, ${RUNS} runs`, async () => {
    const lost: string[] = [];
    for (let i = 0; i < RUNS; i++) {
      const hosts = [`pair${i}a`, `pair${i}b`];
      const commits = hosts.map((h) => registration(h, key(h)));
      const runs = await Promise.all(
        hosts.map((h, j) => pushAsync([`${commits[j]}:refs/heads/registration/${h}`], VM)),
      );
      for (const [j, h] of hosts.entries()) {
        expect(runs[j]!.code, runs[j]!.stderr).toBe(0);
        if (known()[h] !== sameKey(key(h))) lost.push(h);
      }
    }
    expect(lost).toEqual([]);
    // Every claim of an update that happened was used (the losers' claims of the race above
    // wait to expire); no temporary or lock file is left in the repository directory.
    expect(readdirSync(join(g.bare, 'tappaas-host-key-claims')).filter((n) => n.includes('.pair'))).toEqual(
      [],
    );
    expect(readdirSync(g.bare).filter((n) => /\.tmp$|\.lock$/.test(n))).toEqual([]);
  }, 300_000);

  it('a push whose ref update git then refuses (a stale old id) records no key', async () => {
    const host = 'stale1';
    const commit = registration(host, key('stale1-attacker'));
    const before = snapshot(g.bare);
    const packBytes = spawnSync('git', ['pack-objects', '--stdout', '--revs', '-q'], {
      cwd: g.work,
      env: g.env,
      input: `${commit}\n^${main}\n`,
    }).stdout;
    // The branch does not exist, but the update claims it was at main's tip.
    const r = await receivePack(g.bare, { env: { ...g.env, ...VM }, timeoutMs: 60_000 }, () => ({
      commands: [`${main} ${commit} refs/heads/registration/${host}`],
      capabilities: ['report-status'],
      pack: packBytes,
    }));
    expect(r.stderr).toContain('1 ref passed');
    expect(r.report?.refs.get(`refs/heads/registration/${host}`)).not.toBe('ok');
    expect(known()[host]).toBeUndefined();
    expect(snapshot(g.bare)).toEqual(before);
    // The host's own registration later is still its first use.
    const own = registration(host, key('stale1-own'));
    const pushed = g.push([`${own}:refs/heads/registration/${host}`], VM);
    expect(pushed.code, pushed.stderr).toBe(0);
    expect(pushed.stderr).toContain('recorded the SSH host key of stale1');
    expect(known()[host]).toBe(sameKey(key('stale1-own')));
  }, 60_000);
});

describe('registration paths hold plain files only (item 7)', () => {
  it('rejects a symlink, a gitlink and an executable at a registration path, changing nothing', () => {
    const host = 'links1';
    const payload = `${JSON.stringify({ hostname: host, sshHostKey: key(host) })}\n`;
    const cases: [string, (path: string) => void][] = [
      [
        'a symbolic link',
        (p) => g.git(['update-index', '--add', '--cacheinfo', `120000,${blobOf('/etc/passwd')},${p}`]),
      ],
      [
        'a gitlink (submodule)',
        (p) => g.git(['update-index', '--add', '--cacheinfo', `160000,${main},${p}`]),
      ],
      [
        'an executable file',
        (p) => {
          writeFileSync(join(g.work, p), '{ ... }: { }\n');
          chmodSync(join(g.work, p), 0o755);
          g.git(['add', p]);
        },
      ],
    ];
    for (const [kind, stage] of cases) {
      g.git(['checkout', '-q', '--detach', main]);
      g.git(['read-tree', main]);
      mkdirSync(join(g.work, 'registrations'), { recursive: true });
      mkdirSync(join(g.work, 'nix/hardware'), { recursive: true });
      writeFileSync(join(g.work, `registrations/${host}.json`), payload);
      g.git(['add', `registrations/${host}.json`]);
      stage(`nix/hardware/${host}-hw.nix`);
      g.git(['commit', '-q', '-m', `registration with ${kind}`]);
      const commit = g.git(['rev-parse', 'HEAD']);
      g.git(['reset', '-q', '--hard', main]);
      const before = snapshot(g.bare);
      const r = g.push([`${commit}:refs/heads/registration/${host}`], VM);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain('[registration-file-type]');
      expect(r.stderr).toContain(`nix/hardware/${host}-hw.nix in refs/heads/registration/${host} is ${kind}`);
      expect(snapshot(g.bare)).toEqual(before);
    }
  });
});

function blobOf(text: string): string {
  return run('git', ['hash-object', '-w', '--stdin'], { cwd: g.work, env: g.env, input: text }).stdout.trim();
}
