// Onboarding and retiring with --open-pr against a local forge: a contract test (the local
// node:http server speaks exactly the recorded GitHub and Gitea endpoints, shapes and their
// sources in test/fixtures/forge/). The branch is really pushed to a bare repository; the
// pull request is opened once, then updated; one comment carries the latest report.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forgeEnv } from '../helpers/forge-contract-suite.js';
import { ForgeServer } from '../helpers/forge-server.js';
import { FleetRepo, NIX_OFFLINE, payloadFor } from '../helpers/onboard-fleet.js';
import { buildCli } from '../helpers/run-cli.js';
import { runCliAsync } from '../helpers/run-cli-async.js';

beforeAll(() => buildCli(), 180_000);

for (const kind of ['github', 'gitea'] as const) {
  describe(`onboarding pull request on ${kind}`, () => {
    let repo: FleetRepo;
    let server: ForgeServer;
    let env: Record<string, string>;
    beforeAll(async () => {
      repo = new FleetRepo();
      server = await new ForgeServer(kind).start();
      env = { ...forgeEnv(server), NIX_CONFIG: NIX_OFFLINE };
    });
    afterAll(async () => {
      expect(server.violations).toEqual([]);
      await server.stop();
      repo.cleanup();
    });
    const run = (args: string[]) => runCliAsync(args, { cwd: repo.work, env, timeoutMs: 240_000 });

    it('opens one pull request with one comment, then a re-run changes nothing', async () => {
      repo.registerHost('gpu1');
      const r = await run(['register', 'process', 'registration/gpu1', '--open-pr', '--no-eval', '--json']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const report = JSON.parse(r.stdout);
      expect(report.pr).toMatchObject({ action: 'created', comment: { action: 'created' } });
      expect(repo.serverRef('refs/heads/onboard/gpu1')).toBe(report.commit);
      expect(server.pulls).toHaveLength(1);
      expect(server.pulls[0]).toMatchObject({
        head: 'onboard/gpu1',
        base: 'main',
        title: 'Onboard gpu1 (role vllm)',
      });
      expect(server.pulls[0]!.body).toContain('| Proxmox VM id | 8151 |');
      expect(server.pulls[0]!.body).toContain('- `nix/hosts/gpu1.nix`: added');
      expect(server.comments).toHaveLength(1);
      expect(server.comments[0]!.body).toMatch(
        /^<!-- tappaas:onboard\/gpu1 -->\n### tappaas register process: gpu1\n/,
      );
      expect(server.comments[0]!.body).toContain('- check: no new finding');

      const again = await run(['register', 'process', 'registration/gpu1', '--open-pr', '--no-eval']);
      expect(again.code).toBe(0);
      expect(again.stdout).toMatch(/\(unchanged\)/);
      expect(again.stdout).toMatch(/pull request #\d+ unchanged/);
      expect(again.stdout).toMatch(/comment unchanged/);
      expect(server.pulls).toHaveLength(1);
      expect(server.comments).toHaveLength(1);
      expect(server.requests.filter((q) => q.method !== 'GET')).toHaveLength(2);
    }, 300_000);

    it('updates the same pull request and comment when the VM registers again with new facts', async () => {
      const firstCommit = repo.serverRef('refs/heads/onboard/gpu1');
      repo.registerHost('gpu1', payloadFor('gpu1', { addresses: ['10.0.0.77'] }));
      const r = await run(['register', 'process', 'registration/gpu1', '--open-pr', '--no-eval', '--json']);
      expect(r.code).toBe(0);
      const report = JSON.parse(r.stdout);
      expect(report).toMatchObject({ inventory: { address: '10.0.0.77' }, reused: false });
      expect(report.pr).toMatchObject({ action: 'updated', comment: { action: 'updated' } });
      expect(repo.serverRef('refs/heads/onboard/gpu1')).toBe(report.commit);
      expect(report.commit).not.toBe(firstCommit);
      expect(server.pulls).toHaveLength(1);
      expect(server.pulls[0]!.body).toContain('| addresses | 10.0.0.77 |');
      expect(server.comments).toHaveLength(1);
      expect(server.comments[0]!.body).toContain(report.commit);

      // A fresh CI clone (no local onboard branch) finds the pushed commit and reuses it.
      const clone = join(repo.root, 'ci-clone');
      repo.git(['clone', '-q', repo.bare, clone], repo.root);
      const fresh = await runCliAsync(
        ['register', 'process', 'refs/remotes/origin/registration/gpu1', '--open-pr', '--no-eval', '--json'],
        { cwd: clone, env, timeoutMs: 240_000 },
      );
      expect(fresh.code).toBe(0);
      expect(JSON.parse(fresh.stdout)).toMatchObject({
        commit: report.commit,
        reused: true,
        pr: { action: 'unchanged', comment: { action: 'unchanged' } },
      });
      expect(repo.serverRef('refs/heads/onboard/gpu1')).toBe(report.commit);
    }, 300_000);

    it('retires a host through one pull request and prints the Proxmox steps', async () => {
      // Merge the onboarding, as a reviewer would.
      repo.git(['fetch', '-q', 'origin']);
      repo.git(['push', '-q', 'origin', 'refs/remotes/origin/onboard/gpu1:refs/heads/main']);
      const r = await run(['retire', 'gpu1', '--open-pr']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^tappaas retire: gpu1 -> branch retire\/gpu1 at [0-9a-f]{12}\n/);
      for (const removed of [
        'nix/hosts/gpu1.nix',
        'nix/hardware/gpu1-hw.nix',
        'registrations/gpu1.json',
        'tappaas.json (hosts.gpu1)',
      ])
        expect(r.stdout).toContain(`  removed   ${removed}`);
      expect(r.stdout).toContain('qm shutdown 8151 && qm destroy 8151 --purge');
      expect(r.stdout).toContain('MAC bc:24:11:aa:bb:cc (10.0.0.77)');
      expect(r.stdout).toContain('git push origin --delete refs/deployed/gpu1 registration/gpu1');
      const tip = repo.serverRef('refs/heads/retire/gpu1')!;
      expect(repo.git(['diff', '--name-status', 'origin/main', tip]).split('\n').sort()).toEqual([
        'D\tnix/hardware/gpu1-hw.nix',
        'D\tnix/hosts/gpu1.nix',
        'D\tregistrations/gpu1.json',
        'M\ttappaas.json',
      ]);
      expect(repo.at(tip, 'tappaas.json')).toContain('"hosts": {}');
      const retirePull = server.pulls.find((p) => p.head === 'retire/gpu1');
      expect(retirePull).toMatchObject({ title: 'Retire gpu1', base: 'main' });
      expect(retirePull!.body).toContain('qm destroy 8151 --purge');
      const again = await run(['retire', 'gpu1', '--open-pr', '--json']);
      expect(JSON.parse(again.stdout)).toMatchObject({
        status: 'ok',
        reused: true,
        pr: { action: 'unchanged' },
      });
      expect(server.pulls.filter((p) => p.head === 'retire/gpu1')).toHaveLength(1);
    }, 300_000);

    it('retiring an unknown host writes nothing', async () => {
      const state = repo.state();
      const r = await run(['retire', 'nosuch']);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/nosuch is not in the fleet at main/);
      expect(repo.state()).toBe(state);
      const bad = await run(['retire', '../etc']);
      expect(bad.code).toBe(1);
      expect(bad.stdout).toMatch(/contains "\/" or "\.\."/);
    }, 120_000);
  });
}
