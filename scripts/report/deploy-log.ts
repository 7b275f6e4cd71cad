// Renders a fleet deploy's events (deploy/deploy-fleet.ts) as its log: what --changed-from left
// out, what gets built, the plan, each host's progress (live on a terminal), the refs recorded.
// A dry run's plan is printed once, by dryRunText.
import type { DeployOutput, FleetEvent, PlanEvent } from '../deploy/deploy-fleet.js';
import type { Paint } from '../term/colors.js';
import { liveProgress, type ProgressRenderer, plainProgress } from './deploy-progress.js';
import { shortStorePath } from './deploy-table.js';

export interface DeployLog {
  onEvent(e: FleetEvent): void;
  /** Clears the live footer (call before printing anything else). */
  finish(): void;
}

/** `live`: a footer redrawn in place (a terminal); otherwise one plain line per host event. */
export function deployLog(write: (t: string) => void, paint: Paint, live: boolean): DeployLog {
  let progress: ProgressRenderer | undefined;
  const finish = () => progress?.finish();
  return {
    onEvent(e) {
      switch (e.type) {
        case 'changed-since': {
          const total = e.changed.length + e.unchanged.length;
          write(
            `--changed-from ${e.rev.slice(0, 12)}: ${e.changed.length} of ${total} host(s) changed${e.unchanged.length ? `; not deploying ${e.unchanged.join(', ')}` : ''}\n`,
          );
          return;
        }
        case 'build':
          write(`building ${e.hosts.length} toplevel(s): ${e.hosts.join(', ')}\n`);
          return;
        case 'plan':
          if (e.dryRun) return;
          write(planLine(e));
          for (const r of e.plan.settled)
            if (r.status === 'failed')
              write(`${r.name}: ${paint('red', 'failed')} (${r.phase}: ${r.error})\n`);
          progress = live
            ? liveProgress(write, paint, e.plan.canary.length + e.plan.rest.length)
            : plainProgress(write, paint);
          return;
        case 'recorded':
          finish();
          write(`recorded refs/deployed/<host> = ${e.commit.slice(0, 12)} for ${e.hosts.join(', ')}\n`);
          return;
        default:
          progress?.onEvent(e);
      }
    },
    finish,
  };
}

function planLine(e: PlanEvent): string {
  const { plan } = e;
  const changing = plan.canary.length + plan.rest.length;
  const unchanged = plan.settled.filter((r) => r.status === 'unchanged').length;
  const parts = [
    `deploying ${e.commit.slice(0, 12)}${e.dirty ? ' (work tree has uncommitted changes: no refs/deployed/ will be written)' : ''} with ${e.mode}: ${changing} host(s) to change, ${unchanged} unchanged`,
  ];
  if (plan.canary.length > 0) parts.push(`canary first: ${plan.canary.join(', ')}`);
  parts.push(`at most ${plan.parallel} at a time`);
  return `${parts.join('; ')}\n`;
}

/** The plan of a dry run, as text. */
export function dryRunText(e: PlanEvent, out: DeployOutput): string {
  const { plan, facts } = e;
  const lines = [
    `dry run: nothing is built or changed; plan for ${out.commit.slice(0, 12)}${out.dirty ? ' (dirty)' : ''} with ${out.mode}:`,
  ];
  const row = (name: string) => {
    const f = facts.get(name)!;
    return `  ${name}: ${shortStorePath(f.current)} -> ${shortStorePath(f.toplevel)}`;
  };
  if (plan.canary.length > 0)
    lines.push('canary (first; the run stops if one fails):', ...plan.canary.map(row));
  if (plan.rest.length > 0)
    lines.push(
      `then, at most ${plan.parallel} at a time (stop after ${e.maxFailures} failure(s)):`,
      ...plan.rest.map(row),
    );
  const unchanged = plan.settled.filter((r) => r.status === 'unchanged');
  if (unchanged.length > 0) lines.push(`unchanged: ${unchanged.map((r) => r.name).join(', ')}`);
  for (const r of plan.settled.filter((x) => x.status === 'failed'))
    lines.push(`cannot deploy ${r.name} (${r.phase}): ${r.error}`);
  if (plan.canary.length + plan.rest.length === 0) lines.push('nothing to deploy');
  return `${lines.join('\n')}\n`;
}
