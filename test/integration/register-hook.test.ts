// The whole loop on a git server guarded by our own pre-receive hook: a VM pushes its
// registration with the shared registration key (accepted by the hook), CI runs
// `register process --open-pr` as the CI identity (the hook accepts the onboard/<host> push;
// the pull request goes to a local GitHub-speaking server, a contract test as in
// forge-github.test.ts), and the generated change passes the hook's gate on main when merged.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forgeEnv } from '../helpers/forge-contract-suite.js';
import { ForgeServer } from '../helpers/forge-server.js';
import { run } from '../helpers/git.js';
import { FLEET_CONFIG, FleetRepo, NIX_OFFLINE } from '../helpers/onboard-fleet.js';
import { buildCli, CLI } from '../helpers/run-cli.js';
import { runCliAsync } from '../helpers/run-cli-async.js';

const POLICY_CONFIG = `${FLEET_CONFIG.trimEnd().replace(/\n}$/, '')},
  "policy": {
    "ciIdentities": ["ci"],
    "registration": { "keys": ["reg-key"] }
  }
}
`;

beforeAll(() => buildCli(), 180_000);

describe('onboarding through a server guarded by the tappaas hook', () => {
  let repo: FleetRepo;
  let server: ForgeServer;
  beforeAll(async () => {
    repo = new FleetRepo();
    repo.commit(repo.main(), { 'tappaas.json': POLICY_CONFIG }, 'policy');
    repo.git(['push', '-q', 'origin', 'HEAD:refs/heads/main']);
    repo.git(['checkout', '-q', '-B', 'main', 'origin/main']);
    const r = run(process.execPath, [CLI, 'hook', 'install', repo.bare], { cwd: repo.root, env: repo.env });
    expect(r.code, r.stderr).toBe(0);
    server = await new ForgeServer('github').start();
  });
  afterAll(async () => {
    expect(server.violations).toEqual([]);
    await server.stop();
    repo.cleanup();
  });

  it('registration accepted, onboarding pushed and opened, the merge passes the gate', async () => {
    // The VM: the hook checks the push (registration key, paths, host name, payload).
    const vm = { TAPPAAS_PUSHER: 'reg-key' };
    const main = repo.main();
    const { hardwareFor, payloadFor } = await import('../helpers/onboard-fleet.js');
    repo.commit(main, {
      'registrations/web9.json': `${JSON.stringify(payloadFor('web9'), null, 2)}\n`,
      'nix/hardware/web9-hw.nix': hardwareFor('web9'),
    });
    const pushed = repo.push(['HEAD:refs/heads/registration/web9'], vm);
    expect(pushed.code, pushed.stderr).toBe(0);
    expect(pushed.stderr).toMatch(/remote: tappaas: 1 ref passed/);
    repo.git(['checkout', '-q', 'main']);
    repo.git(['fetch', '-q', 'origin']);

    // CI: as the CI identity, so the hook knows who pushes onboard/web9.
    const env = { ...forgeEnv(server), NIX_CONFIG: NIX_OFFLINE, TAPPAAS_PUSHER: 'ci' };
    const r = await runCliAsync(
      ['register', 'process', 'refs/remotes/origin/registration/web9', '--open-pr', '--json'],
      {
        cwd: repo.work,
        env,
        timeoutMs: 240_000,
      },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ status: 'ok', pr: { action: 'created' } });
    expect(repo.serverRef('refs/heads/onboard/web9')).toBe(report.commit);
    expect(server.pulls).toHaveLength(1);

    // The merge: the generated change passes the hook's lint and structure gate on main.
    const merge = repo.push([`${report.commit}:refs/heads/main`], { TAPPAAS_PUSHER: 'ci' });
    expect(merge.code, merge.stderr).toBe(0);
    expect(merge.stderr).toMatch(/remote: tappaas: 1 ref passed/);
    // The hook is really judging: the same push by nobody is refused.
    const anonymous = repo.push([`${report.commit}:refs/heads/other-main`]);
    expect(anonymous.code).toBe(0);
    const protectedMain = repo.push([`${main}:refs/heads/main`, '--force']);
    expect(protectedMain.code).not.toBe(0);
    expect(protectedMain.stderr).toMatch(/remote: tappaas: REJECTED/);
    expect(repo.serverRef('refs/heads/main')).toBe(report.commit);
  }, 300_000);
});
