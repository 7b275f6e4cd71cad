// `tappaas pr-comment` end to end: the built CLI posts the plan markdown to a local forge
// server that speaks the recorded GitHub or Gitea endpoints (a contract test; shapes and their
// sources in test/fixtures/forge/).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forgeEnv } from '../helpers/forge-contract-suite.js';
import { ForgeServer } from '../helpers/forge-server.js';
import { buildCli, tempTree } from '../helpers/run-cli.js';
import { runCliAsync } from '../helpers/run-cli-async.js';

beforeAll(() => buildCli(), 180_000);

for (const kind of ['github', 'gitea'] as const) {
  describe(`tappaas pr-comment on ${kind}`, () => {
    let server: ForgeServer;
    beforeAll(async () => {
      server = await new ForgeServer(kind).start();
    });
    afterAll(async () => {
      expect(server.violations).toEqual([]);
      await server.stop();
    });

    it('posts one comment and edits it on the next run', async () => {
      const pr = server.addPull({ head: 'feature', base: 'main', title: 't', body: '' });
      const dir = tempTree({ 'plan.md': '## Plan\n\n| host | status |\n|---|---|\n| web1 | changed |\n' });
      const event = join(dir, 'event.json');
      writeFileSync(
        event,
        JSON.stringify({ action: 'synchronize', number: pr.number, pull_request: { number: pr.number } }),
      );
      const env =
        kind === 'github'
          ? { ...forgeEnv(server), GITHUB_EVENT_PATH: event, GITHUB_REF: `refs/pull/${pr.number}/merge` }
          : { ...forgeEnv(server), GITHUB_REF: `refs/pull/${pr.number}/head` };
      const first = await runCliAsync(['pr-comment', '--file', 'plan.md', '--json'], { cwd: dir, env });
      expect(first.stderr).toBe('');
      expect(first.code).toBe(0);
      const out = JSON.parse(first.stdout) as {
        pr: number;
        action: string;
        comment: { id: number; url: string };
      };
      expect(out).toMatchObject({ pr: pr.number, action: 'created' });
      writeFileSync(join(dir, 'plan.md'), '## Plan\n\nnothing changes\n');
      const second = await runCliAsync(['pr-comment', '--file', 'plan.md'], { cwd: dir, env });
      expect(second.code).toBe(0);
      expect(second.stdout).toMatch(new RegExp(`updated comment .* on pull request #${pr.number}`));
      const mine = server.comments.filter((c) => c.issue === pr.number);
      expect(mine).toEqual([
        { id: out.comment.id, issue: pr.number, body: '<!-- tappaas:plan -->\n## Plan\n\nnothing changes\n' },
      ]);
    });

    it('exits 1 with the API message when the forge refuses, and never prints the token', async () => {
      const dir = tempTree({ 'plan.md': 'x' });
      const r = await runCliAsync(['pr-comment', '--file', 'plan.md', '--pr', '424242'], {
        cwd: dir,
        env: forgeEnv(server),
      });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/failed with HTTP 404: /);
      expect(r.stderr + r.stdout).not.toContain(server.token);
    });

    it('exits 2 naming the missing setting', async () => {
      const dir = tempTree({ 'plan.md': 'x' });
      const env = forgeEnv(server);
      delete env.GITHUB_TOKEN;
      delete env.GITEA_TOKEN;
      const r = await runCliAsync(['pr-comment', '--file', 'plan.md', '--pr', '1'], { cwd: dir, env });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(kind === 'github' ? /set GITHUB_TOKEN/ : /set GITEA_TOKEN/);
      const none = await runCliAsync(['pr-comment', '--file', 'plan.md'], {
        cwd: dir,
        env: forgeEnv(server),
      });
      expect(none.code).toBe(2);
      expect(none.stderr).toMatch(/no pull request: give --pr N/);
    });
  });
}
