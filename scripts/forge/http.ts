// The one place that talks HTTP to a forge: JSON in and out over Node's fetch, the auth header
// each forge wants, retries by retry.ts, and errors that carry the status and the API's
// message. The token goes in a header only and is scrubbed from every message.
import { DEFAULT_RETRY, type RetryPolicy, retryDecision } from './retry.js';
import { type ForgeConfig, ForgeError } from './types.js';

export interface HttpOptions {
  retry?: Partial<RetryPolicy>;
  /** Per request. */
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Told about each retry (the CLI prints it to stderr). */
  onRetry?: (text: string) => void;
}

export interface RequestSpec {
  method: 'GET' | 'POST' | 'PATCH';
  path: string;
  query?: Record<string, string | number>;
  body?: unknown;
}

export interface JsonResponse {
  status: number;
  data: unknown;
  headers: Headers;
}

export function authHeaders(cfg: ForgeConfig): Record<string, string> {
  if (cfg.kind === 'github')
    return {
      authorization: `Bearer ${cfg.token}`,
      accept: 'application/vnd.github+json',
      'x-github-api-version': '2022-11-28',
    };
  return { authorization: `token ${cfg.token}`, accept: 'application/json' };
}

export function scrub(text: string, token: string): string {
  return token ? text.split(token).join('***') : text;
}

function apiMessage(data: unknown, fallback: string): string {
  if (data && typeof data === 'object') {
    const d = data as { message?: unknown; errors?: unknown };
    const parts: string[] = [];
    if (typeof d.message === 'string' && d.message) parts.push(d.message);
    // GitHub's 422 lists what was invalid in `errors` ({resource, field, code, message}).
    if (Array.isArray(d.errors))
      for (const e of d.errors) {
        if (e && typeof e === 'object' && typeof (e as { message?: unknown }).message === 'string')
          parts.push((e as { message: string }).message);
        else if (e && typeof e === 'object') parts.push(JSON.stringify(e));
      }
    if (parts.length > 0) return parts.join('; ');
  }
  if (typeof data === 'string' && data.trim()) return data.trim().slice(0, 300);
  return fallback;
}

const sleepReal = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function requestJson(
  cfg: ForgeConfig,
  spec: RequestSpec,
  opts: HttpOptions = {},
): Promise<JsonResponse> {
  const policy = { ...DEFAULT_RETRY, ...opts.retry };
  const sleep = opts.sleep ?? sleepReal;
  const url = new URL(`${cfg.apiUrl}${spec.path}`);
  for (const [k, v] of Object.entries(spec.query ?? {})) url.searchParams.set(k, String(v));
  const where = `${spec.path}${url.search}`;
  const headers: Record<string, string> = { ...authHeaders(cfg), 'user-agent': 'tappaas-cicd' };
  if (spec.body !== undefined) headers['content-type'] = 'application/json';
  for (let attempt = 0; ; attempt++) {
    let status: number | undefined;
    let data: unknown;
    let resHeaders: Headers | undefined;
    let failure: string;
    try {
      const res = await fetch(url, {
        method: spec.method,
        headers,
        body: spec.body === undefined ? undefined : JSON.stringify(spec.body),
        signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000),
        redirect: 'follow',
      });
      status = res.status;
      resHeaders = res.headers;
      const text = await res.text();
      try {
        data = text ? JSON.parse(text) : undefined;
      } catch {
        data = text;
      }
      if (res.ok) {
        if (text && typeof data === 'string')
          throw new ForgeError(
            spec.method,
            where,
            status,
            `the answer is not JSON: ${scrub(text.slice(0, 200), cfg.token)}`,
          );
        return { status, data, headers: res.headers };
      }
      failure = apiMessage(data, res.statusText || 'no message');
    } catch (err) {
      if (err instanceof ForgeError) throw err;
      const e = err as Error & { cause?: { code?: string; message?: string } };
      failure =
        e.name === 'TimeoutError'
          ? `no answer within ${Math.round((opts.timeoutMs ?? 30_000) / 1000)} s`
          : `cannot reach ${url.origin}: ${e.cause?.code ?? e.cause?.message ?? e.message}`;
    }
    failure = scrub(failure, cfg.token);
    const decision = retryDecision(
      { method: spec.method, status, headers: resHeaders, message: failure, attempt, nowMs: Date.now() },
      policy,
    );
    if (!decision.retry)
      throw new ForgeError(
        spec.method,
        where,
        status,
        decision.reason ? `${failure} (${decision.reason})` : failure,
      );
    opts.onRetry?.(
      `${spec.method} ${where}: ${decision.reason}: ${failure}; trying again in ${Math.ceil(decision.delayMs / 1000)} s`,
    );
    await sleep(decision.delayMs);
  }
}
