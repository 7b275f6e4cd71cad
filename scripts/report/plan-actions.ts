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
  for (const h of hosts) {
    if (h.error === undefined) continue;
    const place = parsePlace(h.errorAt);
    core.error(`host ${h.name} does not evaluate: ${h.error}`, {
      title: `tappaas plan: ${h.name}`,
      ...(place ?? {}),
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
