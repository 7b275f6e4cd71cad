import { describe, expect, it } from 'vitest';
import { forgeConfigFromEnv, forgeKind } from '../../../scripts/forge/config.js';
import { scrub } from '../../../scripts/forge/http.js';
import { DEFAULT_RETRY, isRateLimited, retryDecision } from '../../../scripts/forge/retry.js';
import { findMarked, markedBody, marker } from '../../../scripts/forge/upsert.js';

const h = (o: Record<string, string>) => ({ get: (n: string) => o[n] ?? null });

describe('forge settings from the environment', () => {
  it('GitHub Actions: api.github.com unless GITHUB_API_URL, token GITHUB_TOKEN', () => {
    expect(forgeConfigFromEnv({ GITHUB_TOKEN: 't', GITHUB_REPOSITORY: 'o/r' })).toEqual({
      kind: 'github',
      apiUrl: 'https://api.github.com',
      token: 't',
      owner: 'o',
      repo: 'r',
    });
    expect(
      forgeConfigFromEnv({
        GITHUB_API_URL: 'https://ghe.example/api/v3/',
        GITHUB_TOKEN: 't',
        GITHUB_REPOSITORY: 'o/r',
      }).apiUrl,
    ).toBe('https://ghe.example/api/v3');
  });
  it('Gitea Actions (which also sets GITHUB_ACTIONS): server URL + /api/v1, GITEA_TOKEN first', () => {
    const cfg = forgeConfigFromEnv({
      GITEA_ACTIONS: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_SERVER_URL: 'http://git.lan:3000/',
      GITHUB_API_URL: 'http://ignored',
      GITEA_TOKEN: 'g',
      GITHUB_TOKEN: 'x',
      GITHUB_REPOSITORY: 'fleet/infra',
    });
    expect(cfg).toEqual({
      kind: 'gitea',
      apiUrl: 'http://git.lan:3000/api/v1',
      token: 'g',
      owner: 'fleet',
      repo: 'infra',
    });
  });
  it('TAPPAAS_FORGE_* override everything', () => {
    const cfg = forgeConfigFromEnv({
      TAPPAAS_FORGE: 'gitea',
      TAPPAAS_FORGE_API_URL: 'http://127.0.0.1:9/api/v1',
      TAPPAAS_FORGE_TOKEN: 'T',
      TAPPAAS_FORGE_REPOSITORY: 'a/b',
      GITHUB_TOKEN: 'x',
    });
    expect(cfg).toMatchObject({
      kind: 'gitea',
      apiUrl: 'http://127.0.0.1:9/api/v1',
      token: 'T',
      owner: 'a',
      repo: 'b',
    });
  });
  it('says what is missing, without echoing a token', () => {
    expect(() => forgeConfigFromEnv({ GITHUB_REPOSITORY: 'o/r' })).toThrow(
      /no token for the GitHub API: set GITHUB_TOKEN/,
    );
    expect(() =>
      forgeConfigFromEnv({ GITEA_ACTIONS: 'true', GITEA_TOKEN: 'g', GITHUB_REPOSITORY: 'o/r' }),
    ).toThrow(/no Gitea server/);
    expect(() => forgeConfigFromEnv({ GITHUB_TOKEN: 'secret', GITHUB_REPOSITORY: 'nope' })).toThrow(
      /not owner\/name/,
    );
    expect(() => forgeKind({ TAPPAAS_FORGE: 'gitlab' })).toThrow(/use github or gitea/);
  });
});

describe('retry policy', () => {
  const base = { method: 'GET', attempt: 0, nowMs: 1_000_000 };
  it('backs off exponentially on 5xx and dropped connections, for idempotent requests only', () => {
    expect(retryDecision({ ...base, status: 502 })).toEqual({
      retry: true,
      delayMs: 1000,
      reason: 'HTTP 502',
    });
    expect(retryDecision({ ...base, status: 500, attempt: 2 })).toMatchObject({ retry: true, delayMs: 4000 });
    expect(retryDecision({ ...base })).toMatchObject({ retry: true, reason: 'no answer' });
    expect(retryDecision({ ...base, method: 'POST', status: 502 })).toEqual({ retry: false });
    expect(retryDecision({ ...base, status: 404 })).toEqual({ retry: false });
    expect(retryDecision({ ...base, status: 500, attempt: DEFAULT_RETRY.maxRetries })).toMatchObject({
      retry: false,
      reason: 'gave up after 5 tries',
    });
  });
  it('follows GitHub rate-limit headers, even for a POST', () => {
    expect(
      retryDecision({ ...base, method: 'POST', status: 403, headers: h({ 'retry-after': '3' }) }),
    ).toMatchObject({
      retry: true,
      delayMs: 3000,
    });
    expect(
      retryDecision({
        ...base,
        status: 403,
        headers: h({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(1_000 + 20) }),
      }),
    ).toMatchObject({ retry: true, delayMs: 20_000 });
    expect(
      retryDecision({ ...base, status: 403, message: 'You have exceeded a secondary rate limit.' }),
    ).toMatchObject({
      retry: true,
      delayMs: 60_000,
    });
    expect(
      retryDecision({ ...base, status: 403, message: 'Resource not accessible by integration' }),
    ).toEqual({
      retry: false,
    });
    expect(isRateLimited(429, h({}))).toBe(true);
  });
  it('refuses to wait longer than the job is willing to', () => {
    const d = retryDecision({ ...base, status: 429, headers: h({ 'retry-after': '3600' }) });
    expect(d).toMatchObject({ retry: false });
    expect(d.reason).toMatch(/asks to wait 3600 s, more than the 300 s/);
  });
});

describe('markers', () => {
  it('puts the hidden marker on the first line once and finds it again', () => {
    const m = marker('plan');
    expect(m).toBe('<!-- tappaas:plan -->');
    expect(markedBody('hi', m)).toBe('<!-- tappaas:plan -->\nhi');
    expect(markedBody(markedBody('hi', m), m)).toBe('<!-- tappaas:plan -->\nhi');
    const comments = [
      { id: 1, body: 'plain', url: '' },
      { id: 2, body: '<!-- tappaas:planner -->\nx', url: '' },
      { id: 3, body: '<!-- tappaas:plan -->\ny', url: '' },
    ];
    expect(findMarked(comments, m)?.id).toBe(3);
    expect(() => marker('Bad Name')).toThrow(/marker name/);
  });
  it('scrubs the token from any text', () => {
    expect(scrub('auth abc123 failed abc123', 'abc123')).toBe('auth *** failed ***');
  });
});

describe('pull request number of a CI job', () => {
  it('comes from the event payload, else the ref', async () => {
    const { prNumberFromEnv, prNumberFromRef } = await import('../../../scripts/forge/pr-number.js');
    expect(prNumberFromRef('refs/pull/12/merge')).toBe(12);
    expect(prNumberFromRef('refs/pull/7/head')).toBe(7);
    expect(prNumberFromRef('refs/heads/main')).toBeUndefined();
    const read = () => JSON.stringify({ number: 5, pull_request: { number: 5 } });
    expect(prNumberFromEnv({ GITHUB_EVENT_PATH: '/e', GITHUB_REF: 'refs/pull/9/merge' }, read)).toBe(5);
    expect(prNumberFromEnv({ GITHUB_EVENT_PATH: '/e', GITHUB_REF: 'refs/pull/9/merge' }, () => '{')).toBe(9);
    expect(
      prNumberFromEnv({ GITHUB_EVENT_PATH: '/e' }, () => JSON.stringify({ ref: 'refs/heads/x' })),
    ).toBeUndefined();
  });
});
