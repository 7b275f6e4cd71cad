// Hands a plan to GitHub Actions through @actions/core: an error annotation per host that
// fails to evaluate (at its file:line when known) and the markdown as the job summary.
// Loaded only on a runner: @actions/core costs ~0.2 s to import.
import type { HostPlan } from '../plan/plan.js';

/** `file:line[:column]` of an error place. */
export function parsePlace(
  at: string | undefined,
): { file: string; startLine?: number; startColumn?: number } | undefined {
  if (!at) return undefined;
  const m = /^(.*?):(\d+)(?::(\d+))?$/.exec(at);
  if (!m) return { file: at };
  return { file: m[1]!, startLine: Number(m[2]), ...(m[3] ? { startColumn: Number(m[3]) } : {}) };
}

export async function emitPlanToActions(
  hosts: readonly HostPlan[],
  markdown: string,
  env: Record<string, string | undefined>,
): Promise<string | undefined> {
  const core = await import('@actions/core');
  // One annotation per distinct failure (GitHub shows at most 10 per step): a broken shared
  // module fails every host the same way.
  const groups = new Map<string, { hosts: string[]; error: string; at?: string }>();
  for (const h of hosts) {
    if (h.error === undefined) continue;
    const key = `${h.errorAt ?? ''}\0${h.error}`;
    const g = groups.get(key) ?? { hosts: [], error: h.error, ...(h.errorAt ? { at: h.errorAt } : {}) };
    g.hosts.push(h.name);
    groups.set(key, g);
  }
  for (const g of groups.values()) {
    const who =
      g.hosts.length === 1 ? `host ${g.hosts[0]}` : `${g.hosts.length} hosts (${g.hosts.join(', ')})`;
    core.error(`${who}: does not evaluate: ${g.error}`, {
      title: `tappaas plan: ${g.hosts.length === 1 ? g.hosts[0] : `${g.hosts.length} hosts`}`,
      ...(parsePlace(g.at) ?? {}),
    });
  }
  if (!env.GITHUB_STEP_SUMMARY) return undefined;
  try {
    await core.summary.addRaw(markdown, true).write();
    return undefined;
  } catch (err) {
    return `could not write the job summary to ${env.GITHUB_STEP_SUMMARY}: ${(err as Error).message}`;
  }
}
