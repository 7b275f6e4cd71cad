// Which pull request a CI job runs for: an explicit number, the event payload of a
// pull_request event (GITHUB_EVENT_PATH, which Gitea Actions writes too), or the ref
// refs/pull/<n>/merge (GitHub) or refs/pull/<n>/head (Gitea). Pure apart from reading the
// event file the caller names.
import { readFileSync } from 'node:fs';
import type { Env } from './config.js';

export function prNumberFromRef(ref: string | undefined): number | undefined {
  const m = /^refs\/pull\/(\d+)\/(merge|head)$/.exec(ref ?? '');
  return m ? Number(m[1]) : undefined;
}

export function prNumberFromEvent(event: unknown): number | undefined {
  const e = event as { pull_request?: { number?: unknown }; number?: unknown } | null;
  const n = e?.pull_request?.number ?? (e?.pull_request ? e.number : undefined);
  return typeof n === 'number' && Number.isInteger(n) && n > 0 ? n : undefined;
}

export function prNumberFromEnv(
  env: Env,
  readFile: (p: string) => string = (p) => readFileSync(p, 'utf8'),
): number | undefined {
  const path = env.GITHUB_EVENT_PATH;
  if (path) {
    try {
      const n = prNumberFromEvent(JSON.parse(readFile(path)));
      if (n) return n;
    } catch {
      // An unreadable event file: fall back to the ref.
    }
  }
  return prNumberFromRef(env.GITHUB_REF);
}
