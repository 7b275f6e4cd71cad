// When to try a forge request again, and after how long. Pure, so the policy is tested
// without a clock. GitHub documents its rate limits at
// docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api: a primary limit
// answers 403/429 with x-ratelimit-remaining 0 (wait until x-ratelimit-reset); a secondary
// limit answers 403/429 with a message saying so and maybe retry-after (else wait at least a
// minute, then back off exponentially). Gitea has no such headers; its 5xx are retried.

export interface RetryInput {
  method: string;
  /** Undefined when no answer came (connection refused, reset, timed out). */
  status?: number;
  headers?: { get(name: string): string | null };
  /** The API's message, to tell a rate limit from a permission 403. */
  message?: string;
  /** 0 for the first retry. */
  attempt: number;
  nowMs: number;
}

export interface RetryPolicy {
  maxRetries: number;
  /** First backoff after a 5xx or a dropped connection; doubles each retry. */
  baseDelayMs: number;
  /** Wait for a secondary rate limit that names no time (GitHub: at least one minute). */
  rateLimitDelayMs: number;
  /** A wait longer than this is not worth it in CI: fail with the reason instead. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  maxRetries: 4,
  baseDelayMs: 1000,
  rateLimitDelayMs: 60_000,
  maxDelayMs: 5 * 60_000,
};

export type RetryDecision =
  | { retry: true; delayMs: number; reason: string }
  | { retry: false; reason?: string };

const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'PATCH', 'DELETE']);

export function isRateLimited(
  status: number | undefined,
  headers: RetryInput['headers'],
  message = '',
): boolean {
  if (status !== 403 && status !== 429) return false;
  if (status === 429) return true;
  if (headers?.get('retry-after')) return true;
  if (headers?.get('x-ratelimit-remaining') === '0') return true;
  return /rate limit/i.test(message);
}

export function retryDecision(input: RetryInput, policy: RetryPolicy = DEFAULT_RETRY): RetryDecision {
  if (input.attempt >= policy.maxRetries)
    return { retry: false, reason: `gave up after ${input.attempt + 1} tries` };
  const { status, headers } = input;
  let delayMs: number | undefined;
  let reason = '';
  if (isRateLimited(status, headers, input.message)) {
    // Nothing was done by a request the rate limit refused, so even a POST may be sent again.
    const after = Number(headers?.get('retry-after'));
    const reset = Number(headers?.get('x-ratelimit-reset'));
    if (headers?.get('retry-after') && Number.isFinite(after)) delayMs = Math.max(0, after * 1000);
    else if (headers?.get('x-ratelimit-remaining') === '0' && Number.isFinite(reset) && reset > 0)
      delayMs = Math.max(0, reset * 1000 - input.nowMs);
    else delayMs = policy.rateLimitDelayMs * 2 ** input.attempt;
    reason = `rate limited (HTTP ${status})`;
  } else if (status === undefined || status >= 500) {
    // A POST that failed this way may have been applied: its caller re-reads before repeating it.
    if (!IDEMPOTENT.has(input.method)) return { retry: false };
    delayMs = policy.baseDelayMs * 2 ** input.attempt;
    reason = status === undefined ? 'no answer' : `HTTP ${status}`;
  } else return { retry: false };
  if (delayMs > policy.maxDelayMs)
    return {
      retry: false,
      reason: `${reason}; the forge asks to wait ${Math.ceil(delayMs / 1000)} s, more than the ${Math.round(policy.maxDelayMs / 1000)} s this job waits`,
    };
  return { retry: true, delayMs, reason };
}
