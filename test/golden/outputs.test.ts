// Golden outputs of the CLI (issue 14: "no behaviour change"): lint, check, plan and deploy
// --dry-run on the fixtures, recorded before a refactor and compared byte for byte after it.
//   TAPPAAS_GOLDEN_DIR=DIR      record one file per case into DIR
//   TAPPAAS_GOLDEN_COMPARE=DIR  compare each case with DIR's recording, failing with the diff
// With neither set, the file is skipped. Recordings never go into the repository.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FleetRepo } from '../helpers/fleet-repo.js';
import { GitFixture } from '../helpers/git.js';
import {
  breakTwoHosts,
  fixtureHostName,
  hostText,
  type NixFleet,
  offlineNixEnv,
  writeNixFleet,
} from '../helpers/nix-fleet.js';
import { buildCli, type CliRun, REPO } from '../helpers/run-cli.js';
import { runCliAsync } from '../helpers/run-cli-async.js';
import { SshTargetFleet } from '../helpers/ssh-targets.js';
import { Normalizer } from './normalize.js';

const RECORD = process.env.TAPPAAS_GOLDEN_DIR;
const COMPARE = process.env.TAPPAAS_GOLDEN_COMPARE;
const SUFFIX = '.golden.txt';
const produced = new Set<string>();

/** Records or compares one case. */
function golden(name: string, text: string): void {
  const file = `${name}${SUFFIX}`;
  produced.add(file);
  if (COMPARE) {
    let before: string;
    try {
      before = readFileSync(join(COMPARE, file), 'utf8');
    } catch {
      throw new Error(`no recording ${file} in ${COMPARE}`);
    }
    expect.soft(text, file).toBe(before);
  } else {
    mkdirSync(RECORD!, { recursive: true });
    writeFileSync(join(RECORD!, file), text);
  }
}

/** Runs the CLI with a fresh lint and Nix cache and records its normalized output. */
async function record(
  name: string,
  args: string[],
  cwd: string,
  norm: Normalizer,
  env: Record<string, string> = {},
): Promise<CliRun> {
  const cache = mkdtempSync(join(tmpdir(), 'tappaas-golden-cache-'));
  try {
    const r = await runCliAsync(args, { cwd, env: { XDG_CACHE_HOME: cache, ...env }, timeoutMs: 300_000 });
    golden(name, norm.render(`tappaas ${args.join(' ')}  (in ${norm.apply(cwd)})`, r));
    return r;
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
}

const GIT_ENV = {
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.invalid',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.invalid',
  GIT_AUTHOR_DATE: '2026-01-01T00:00:00Z',
  GIT_COMMITTER_DATE: '2026-01-01T00:00:00Z',
};

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd: dir,
    env: { ...process.env, ...GIT_ENV },
    encoding: 'utf8',
  }).trim();
}

/** A fixture copied into `<parent>/<name>`, a git repository with one commit (same id every run). */
function fixtureRepo(parent: string, fixture: string, name: string): string {
  const dir = join(parent, name);
  cpSync(join(REPO, 'test', 'fixtures', fixture), dir, { recursive: true });
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'fixture');
  return dir;
}

const FIXTURES = { idiomatic: 'idiomatic', mixed: 'fleets/mixed', broken: 'fleets/broken', guide: 'guide' };

describe.skipIf(!RECORD && !COMPARE)('golden CLI outputs', () => {
  let work: string;
  const norm = () => new Normalizer().literal(work, '<work>').literal(REPO, '<repo>');

  beforeAll(() => {
    buildCli();
    work = mkdtempSync(join(tmpdir(), 'tappaas-golden-'));
  });

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  describe('lint and check', () => {
    const repos: Record<string, string> = {};
    beforeAll(() => {
      for (const [name, fixture] of Object.entries(FIXTURES)) repos[name] = fixtureRepo(work, fixture, name);
    });

    for (const name of Object.keys(FIXTURES)) {
      it(`lint . --format json: ${name}`, async () => {
        await record(`lint-json-${name}`, ['lint', '.', '--format', 'json'], repos[name]!, norm());
      });
      it(`lint . (text): ${name}`, async () => {
        await record(`lint-text-${name}`, ['lint', '.'], repos[name]!, norm());
      });
    }

    it('lint --format json (default paths): idiomatic, broken; --format sarif: guide', async () => {
      for (const name of ['idiomatic', 'broken'])
        await record(`lint-default-json-${name}`, ['lint', '--format', 'json'], repos[name]!, norm());
      await record('lint-sarif-guide', ['lint', '.', '--format', 'sarif'], repos.guide!, norm());
    });

    it("lint --format json: the repository's own fleet (nix/, flake.nix)", async () => {
      await record('lint-json-repo', ['lint', '--format', 'json'], REPO, norm());
      await record('lint-text-repo', ['lint'], REPO, norm());
    });

    it('check (text and --format json): idiomatic, broken, the repository', async () => {
      for (const [name, dir] of [
        ['idiomatic', repos.idiomatic!],
        ['broken', repos.broken!],
        ['repo', REPO],
      ] as const) {
        await record(`check-text-${name}`, ['check'], dir, norm());
        await record(`check-json-${name}`, ['check', '--format', 'json'], dir, norm());
      }
    });

    it('check --from: a changed system.stateVersion without its trailer (ratchet)', async () => {
      const dir = fixtureRepo(work, 'idiomatic', 'idiomatic-ratchet');
      const base = git(dir, 'rev-parse', 'HEAD');
      const common = join(dir, 'nix', 'common.nix');
      const text = readFileSync(common, 'utf8');
      const changed = text.replace(/system\.stateVersion = "[^"]+"/, 'system.stateVersion = "99.99"');
      expect(changed).not.toBe(text);
      writeFileSync(common, changed);
      git(dir, 'commit', '-q', '-am', 'bump the state version');
      const n = norm().commit(base, 'base');
      await record('check-from-json-idiomatic', ['check', '--from', base, '--format', 'json'], dir, n);
      await record('check-from-text-idiomatic', ['check', '--from', base, '--to', 'HEAD'], dir, n);
    });
  });

  describe('plan on a generated six-host fleet', () => {
    let fx: GitFixture;
    let fleet: NixFleet;
    let base: string;
    const n = () => norm().literal(fx.root, '<fixture>').commit(base, 'base');

    beforeAll(() => {
      fx = new GitFixture('tappaas-golden-plan-');
      fleet = writeNixFleet(fx.work, { hosts: 6 });
      base = fx.commit(undefined, {}, 'fleet');
    }, 120_000);

    afterAll(() => fx?.cleanup());

    it('plan --json and text: a package bump, a changed, an added and a removed host', async () => {
      const [web0, db1, monitor5] = [fixtureHostName(0), fixtureHostName(1), fixtureHostName(5)];
      const head = fx.commit(base, {
        [fleet.hostPath(web0)]: hostText(web0, 0).replace(
          'pkgs.htop',
          '(pkgs.mk { pname = "htop"; version = "3.4.0"; })',
        ),
        [fleet.hostPath(db1)]: hostText(db1, 1, { lines: ['  settings.motd = "hi";'] }),
        [fleet.hostPath(monitor5)]: null,
        [`nix/hardware/${monitor5}-hw.nix`]: null,
        'nix/hosts/newhost.nix': hostText('newhost', 99),
        'nix/hardware/newhost-hw.nix': '{ ... }:\n{\n  settings.rootDevice = "/dev/vda";\n}\n',
      });
      const args = ['plan', '--from', base, '--to', head];
      const nn = n().commit(head, 'head');
      await record('plan-json-changes', [...args, '--json'], fx.work, nn, offlineNixEnv());
      await record('plan-text-changes', args, fx.work, nn, offlineNixEnv());
    }, 300_000);

    it('plan --json and text: a host that does not evaluate and one that does not build', async () => {
      fx.git(['checkout', '-q', '--detach', base]);
      breakTwoHosts(fleet);
      const head = fx.commit(undefined, {}, 'break two hosts');
      const args = ['plan', '--from', base, '--to', head];
      const nn = n().commit(head, 'head');
      await record('plan-json-broken', [...args, '--json'], fx.work, nn, offlineNixEnv());
      await record('plan-text-broken', args, fx.work, nn, offlineNixEnv());
    }, 300_000);
  });

  describe('deploy --dry-run on three loopback sshd targets', () => {
    let targets: SshTargetFleet;
    let repo: FleetRepo;
    let v1Commit: string;
    let v2Commit: string;
    let n: Normalizer;

    beforeAll(async () => {
      targets = await SshTargetFleet.start(3, 'vm');
      repo = new FleetRepo(targets, () => ({}), { healthGrace: 3 });
      const v1 = await repo.setSystems(
        targets.targets.map((t) => t.system('v1')),
        'v1 everywhere',
      );
      v1Commit = repo.head();
      for (const [i, t] of targets.targets.entries()) t.install(v1[i]!);
      const v2 = await repo.setSystems(
        targets.targets.map((t, i) => t.system(i === 1 ? 'v2' : 'v1')),
        'vm1 to v2',
      );
      v2Commit = repo.head();
      // The systems hold their target's temp dir and ports: their hashes differ run by run.
      n = norm().literal(targets.dir, '<targets>').commit(v1Commit, 'v1').commit(v2Commit, 'v2');
      for (const [i, t] of targets.targets.entries()) {
        n.storePath(v1[i]!, `${t.name}-v1`).storePath(v2[i]!, `${t.name}-${i === 1 ? 'v2' : 'v1'}`);
        n.number(t.sshPort, `<ssh-port:${t.name}>`).number(t.httpPort, `<http-port:${t.name}>`);
      }
      n.numberUnknownHashes();
    }, 300_000);

    afterAll(async () => {
      await targets?.cleanup();
    });

    const deploy = (name: string, args: string[]) => record(name, args, repo.dir, n, repo.env);

    it('deploy --dry-run --json and text: vm1 changed', async () => {
      await deploy('deploy-dry-json', ['deploy', '--dry-run', '--json']);
      await deploy('deploy-dry-text', ['deploy', '--dry-run']);
      await deploy('deploy-dry-json-canary', ['deploy', '--dry-run', '--json', '--canary', '1']);
      await deploy('deploy-dry-text-canary', ['deploy', '--dry-run', '--canary', '1']);
      await deploy('deploy-dry-json-host', ['deploy', 'vm1', 'vm2', '--dry-run', '--json']);
    }, 300_000);

    it('deploy --dry-run --changed-from REV, and status --json', async () => {
      await deploy('deploy-dry-json-changed-from', [
        'deploy',
        '--dry-run',
        '--json',
        '--changed-from',
        v1Commit,
      ]);
      await deploy('status-json', ['status', '--json']);
      await deploy('status-text', ['status']);
    }, 300_000);

    it('deploy --dry-run --json: an unreachable host', async () => {
      await targets.targets[2]!.stopSshd();
      await deploy('deploy-dry-json-unreachable', ['deploy', '--dry-run', '--json']);
      await deploy('deploy-dry-text-unreachable', ['deploy', '--dry-run']);
    }, 300_000);
  });

  // Last: comparing, a recording this run did not make means a case went missing; recording,
  // one left from an earlier run of other cases goes.
  it('every recorded case was run', () => {
    const dir = (COMPARE ?? RECORD)!;
    const stale = readdirSync(dir).filter((f) => f.endsWith(SUFFIX) && !produced.has(f));
    if (COMPARE) expect(stale).toEqual([]);
    else for (const f of stale) rmSync(join(dir, f));
  });
});
