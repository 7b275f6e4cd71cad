// The contract tests both forges share: the client against a local server that speaks the
// recorded GitHub or Gitea endpoints (test/fixtures/forge/<kind>/, sources named there).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ForgeClient } from '../../scripts/forge/client.js';
import { forgeConfigFromEnv } from '../../scripts/forge/config.js';
import type { HttpOptions } from '../../scripts/forge/http.js';
import { ForgeError } from '../../scripts/forge/types.js';
import { upsertComment, upsertPull } from '../../scripts/forge/upsert.js';
import { type ForgeKind, ForgeServer } from './forge-server.js';

export function forgeEnv(server: ForgeServer, token = server.token): Record<string, string> {
  return server.kind === 'github'
    ? {
        GITHUB_API_URL: server.apiUrl,
        GITHUB_TOKEN: token,
        GITHUB_REPOSITORY: `${server.owner}/${server.repo}`,
      }
    : {
        GITEA_ACTIONS: 'true',
        GITHUB_ACTIONS: 'true',
        GITHUB_SERVER_URL: server.url,
        GITEA_TOKEN: token,
        GITHUB_REPOSITORY: `${server.owner}/${server.repo}`,
      };
}

export function forgeContractSuite(kind: ForgeKind): void {
  describe(`${kind} REST contract (a contract test: a local server replays the recorded ${kind} endpoints)`, () => {
    let server: ForgeServer;
    let client: ForgeClient;
    const waits: number[] = [];
    const http: HttpOptions = {
      sleep: async (ms) => {
        waits.push(ms);
      },
    };

    beforeEach(async () => {
      server = await new ForgeServer(kind).start();
      client = new ForgeClient(forgeConfigFromEnv(forgeEnv(server)), http);
      waits.length = 0;
    });
    afterEach(async () => {
      expect(server.violations).toEqual([]);
      await server.stop();
    });

    const spec = { head: 'onboard/web1', base: 'main', title: 'Onboard web1', body: 'first' };

    it('opens one pull request, leaves it alone when nothing changed, updates it otherwise', async () => {
      const first = await upsertPull(client, spec);
      expect(first.action).toBe('created');
      expect(first.pull).toMatchObject({
        head: 'onboard/web1',
        base: 'main',
        title: 'Onboard web1',
        body: 'first',
      });
      expect(first.pull.url).toMatch(/^https?:\/\//);
      const again = await upsertPull(client, spec);
      expect(again).toMatchObject({ action: 'unchanged', pull: { number: first.pull.number } });
      const changed = await upsertPull(client, { ...spec, title: 'Onboard web1 (vllm)', body: 'second' });
      expect(changed).toMatchObject({
        action: 'updated',
        pull: { number: first.pull.number, body: 'second' },
      });
      expect(server.pulls).toHaveLength(1);
      expect(server.pulls[0]).toMatchObject({ title: 'Onboard web1 (vllm)', body: 'second' });
      const create = server.requests.filter((r) => r.method === 'POST');
      expect(create).toHaveLength(1);
      expect(create[0]!.body).toEqual(spec);
    });

    it('finds the open pull request of the branch only (not closed ones, not other branches)', async () => {
      server.addPull({ head: 'onboard/web1', base: 'main', title: 'old', body: '', state: 'closed' });
      server.addPull({ head: 'onboard/web2', base: 'main', title: 'other', body: '' });
      server.addPull({ head: 'onboard/web1', base: 'release', title: 'other base', body: '' });
      const open = server.addPull({ head: 'onboard/web1', base: 'main', title: 'this', body: '' });
      const found = await client.findOpenPull('onboard/web1', 'main');
      expect(found?.number).toBe(open.number);
      expect(await client.findOpenPull('onboard/web9', 'main')).toBeUndefined();
      const list = server.requests.find((r) => r.method === 'GET')!;
      if (kind === 'github')
        expect(list.query).toMatchObject({ state: 'open', head: 'octo:onboard/web1', base: 'main' });
      else expect(list.query).toMatchObject({ state: 'open', page: '1', limit: '50' });
    });

    it('pages through the open pull requests', async () => {
      server.pageCap = 5;
      for (let i = 0; i < 12; i++)
        server.addPull({ head: `feature/${i}`, base: 'main', title: `f${i}`, body: '' });
      const target = server.addPull({ head: 'onboard/web1', base: 'main', title: 'this', body: '' });
      expect((await client.findOpenPull('onboard/web1', 'main'))?.number).toBe(target.number);
      if (kind === 'gitea') expect(server.requests.map((r) => r.query.page)).toEqual(['1', '2', '3']);
    });

    it('keeps exactly one marked comment: creates it once, then edits it; other comments stay', async () => {
      const { pull } = await upsertPull(client, spec);
      server.addComment(pull.number, 'a human comment');
      const a = await upsertComment(client, pull.number, 'plan', '## Plan\n\n1 host changed');
      expect(a.action).toBe('created');
      expect(a.comment.body).toBe('<!-- tappaas:plan -->\n## Plan\n\n1 host changed');
      const b = await upsertComment(client, pull.number, 'plan', '## Plan\n\n2 hosts changed');
      expect(b).toMatchObject({ action: 'updated', comment: { id: a.comment.id } });
      const c = await upsertComment(client, pull.number, 'plan', '## Plan\n\n2 hosts changed');
      expect(c.action).toBe('unchanged');
      const other = await upsertComment(client, pull.number, 'onboard', 'report');
      expect(other.action).toBe('created');
      expect(server.comments.map((x) => x.body)).toEqual([
        'a human comment',
        '<!-- tappaas:plan -->\n## Plan\n\n2 hosts changed',
        '<!-- tappaas:onboard -->\nreport',
      ]);
      const edit = server.requests.find((r) => r.method === 'PATCH' && r.path.includes('/issues/comments/'));
      expect(edit?.path).toBe(`/repos/octo/fleet/issues/comments/${a.comment.id}`);
    });

    it('reads every comment to find the marker', async () => {
      const { pull } = await upsertPull(client, spec);
      server.pageCap = 100;
      for (let i = 0; i < 130; i++) server.addComment(pull.number, `noise ${i}`);
      const marked = server.addComment(pull.number, '<!-- tappaas:plan -->\nold');
      const r = await upsertComment(client, pull.number, 'plan', 'new');
      expect(r).toMatchObject({ action: 'updated', comment: { id: marked.id } });
    });

    it('retries a 5xx on a read with backoff', async () => {
      server.queueFault({ status: 502, method: 'GET' }, { status: 503, method: 'GET' });
      const retries: string[] = [];
      const c = new ForgeClient(client.cfg, { ...http, onRetry: (t) => retries.push(t) });
      expect(await c.findOpenPull('x', 'main')).toBeUndefined();
      expect(waits).toEqual([1000, 2000]);
      expect(retries[0]).toMatch(/HTTP 502.*trying again in 1 s/);
    });

    it('waits out a rate limit and sends a refused create again', async () => {
      server.queueFault({
        status: kind === 'github' ? 403 : 429,
        method: 'POST',
        headers: { 'retry-after': '7' },
        body:
          kind === 'github'
            ? {
                message:
                  'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
              }
            : { message: 'rate limited' },
      });
      const r = await upsertPull(client, spec);
      expect(r.action).toBe('created');
      expect(waits).toEqual([7000]);
      expect(server.pulls).toHaveLength(1);
    });

    it('does not blindly repeat a create that failed with a 5xx: it looks first', async () => {
      const { pull } = await upsertPull(client, spec);
      server.queueFault({ status: 500, method: 'POST' });
      const r = await upsertComment(client, pull.number, 'plan', 'text');
      expect(r.action).toBe('created');
      expect(server.comments).toHaveLength(1);
    });

    it('names the status and the API message in errors, never the token', async () => {
      const bad = new ForgeClient(forgeConfigFromEnv(forgeEnv(server, 'wrong-token-456')), http);
      const err = await bad.findOpenPull('x', 'main').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ForgeError);
      expect((err as ForgeError).status).toBe(401);
      expect((err as Error).message).toMatch(/HTTP 401: (Bad credentials|token is required)/);
      expect((err as Error).message).not.toContain('wrong-token-456');
      const missing = await client.updatePull(9999, { title: 't' }).catch((e: unknown) => e);
      expect((missing as Error).message).toMatch(
        /PATCH \/repos\/octo\/fleet\/pulls\/9999 failed with HTTP 404: /,
      );
      expect((missing as Error).message).not.toContain(server.token);
    });

    it('reports an unreachable forge clearly after retries', async () => {
      const url = server.url;
      await server.stop();
      const c = new ForgeClient(
        { ...client.cfg, apiUrl: `${url}/api/v1` },
        { ...http, retry: { maxRetries: 1 } },
      );
      const err = await c.listComments(1).catch((e: unknown) => e);
      expect((err as Error).message).toMatch(/cannot reach http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED/);
      server = await new ForgeServer(kind).start();
    });
  });
}
