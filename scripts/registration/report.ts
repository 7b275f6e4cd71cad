// What onboarding and retiring say: the pull request's title and body, the comment with the
// latest check, and the terminal text. Pure and deterministic (no times), so a re-run with the
// same inputs leaves the pull request and its comment unchanged.
import type { Diagnostic } from '../lint/types.js';
import type { RegistrationPayload } from './payload.js';
import type { PullReport } from './publish.js';
import type { EvalOutcome } from './verify.js';

export interface FileChange {
  path: string;
  change: 'added' | 'modified' | 'unchanged';
}

export interface OnboardReport {
  ref: string;
  host: string | null;
  /** ok: the branch (and PR) hold the change; unchanged: the base already has it. */
  status: 'ok' | 'unchanged' | 'rejected' | 'failed';
  problems: string[];
  role?: string;
  /** The registration branch, however the ref was spelled (registration/<host>). */
  source?: string;
  base?: string;
  branch?: string;
  commit?: string;
  reused?: boolean;
  files?: FileChange[];
  inventory?: Record<string, unknown>;
  check?: { errors: number; warnings: number; diagnostics: Diagnostic[] };
  evaluation?: EvalOutcome;
  pr?: PullReport;
}

export function onboardTitle(host: string, p: RegistrationPayload): string {
  return `Onboard ${host} (role ${p.role})`;
}

function gib(bytes: number): string {
  return `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function onboardPullBody(
  host: string,
  p: RegistrationPayload,
  files: readonly FileChange[],
  inventory: Record<string, unknown>,
): string {
  const key = p.sshHostKey.trim().split(/\s+/);
  const rows: [string, string][] = [
    ['role', p.role],
    ['Proxmox VM id', p.proxmoxVmId === null ? '(not given)' : String(p.proxmoxVmId)],
    ['addresses', p.addresses.join(', ') || '(none)'],
    ['MACs', p.macs.join(', ') || '(none)'],
    ['CPU', `${p.cpu.count} × ${p.cpu.model}`],
    ['memory', gib(p.memoryBytes)],
    ['disks', p.disks.map((d) => `${d.name} ${gib(d.sizeBytes)}`).join(', ') || '(none)'],
    [
      'GPUs',
      p.gpus
        .map((g) => `${g.pciAddress} ${g.vendorId}:${g.deviceId}${g.driver ? ` (${g.driver})` : ''}`)
        .join(', ') || '(none)',
    ],
    ['SSH host key', `${key[0]} …${(key[1] ?? '').slice(-16)}`],
    ['toolkit', p.toolkitVersion],
  ];
  return [
    `New VM **${host}** registered itself; this pull request adds it to the fleet.`,
    '',
    '| fact | value |',
    '|---|---|',
    ...rows.map(([k, v]) => `| ${k} | ${cell(v)} |`),
    '',
    'Files:',
    '',
    ...files.map((f) => `- \`${f.path}\`: ${f.change}`),
    '',
    `Inventory entry \`hosts.${host}\` in tappaas.json:`,
    '',
    '```json',
    JSON.stringify(inventory, null, 2),
    '```',
    '',
    'Review the hardware file and the role before merging; merging deploys the host.',
  ].join('\n');
}

export function evaluationLine(e: EvalOutcome | undefined, host: string): string {
  if (!e) return 'evaluation: not run (--no-eval)';
  if (e.status === 'ok') return `evaluation: ${host} evaluates${e.drvPath ? ` (${e.drvPath})` : ''}`;
  if (e.status === 'skipped') return `evaluation skipped: ${e.reason}`;
  return `evaluation failed: ${e.error}`;
}

function diagnosticLine(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.column} ${d.severity} ${d.rule}: ${d.message}`;
}

export function onboardComment(r: OnboardReport): string {
  const lines = [`### tappaas register process: ${r.host}`, ''];
  const c = r.check;
  if (c) {
    lines.push(
      c.diagnostics.length === 0
        ? '- check: no new finding (structure and lint)'
        : `- check: ${c.errors} error(s), ${c.warnings} warning(s) introduced`,
    );
    for (const d of c.diagnostics) lines.push(`  - \`${cell(diagnosticLine(d))}\``);
  }
  lines.push(`- ${evaluationLine(r.evaluation, r.host ?? '')}`);
  lines.push(`- commit: \`${r.commit}\` on \`${r.branch}\`, from \`${r.source ?? r.ref}\``);
  return `${lines.join('\n')}\n`;
}

export function onboardText(r: OnboardReport): string {
  const out: string[] = [];
  const who = r.host ?? r.ref;
  if (r.status === 'rejected') {
    out.push(`tappaas register process: ${who}: registration rejected, nothing written:`);
    for (const p of r.problems) out.push(`  - ${p}`);
    return `${out.join('\n')}\n`;
  }
  if (r.status === 'unchanged')
    return `tappaas register process: ${who} is already onboarded on the base; nothing to do\n`;
  out.push(
    `tappaas register process: ${who} (role ${r.role}) -> branch ${r.branch} at ${r.commit?.slice(0, 12)}${r.reused ? ' (unchanged)' : ''}`,
  );
  for (const f of r.files ?? []) out.push(`  ${f.change.padEnd(9)} ${f.path}`);
  if (r.check) {
    out.push(
      r.check.diagnostics.length === 0
        ? '  check: no new finding'
        : `  check: ${r.check.errors} error(s), ${r.check.warnings} warning(s) introduced:`,
    );
    for (const d of r.check.diagnostics) out.push(`    ${diagnosticLine(d)}`);
  }
  out.push(`  ${evaluationLine(r.evaluation, who)}`);
  if (r.pr) {
    out.push(`  pull request #${r.pr.number} ${r.pr.action}: ${r.pr.url}`);
    out.push(`  comment ${r.pr.comment.action}: ${r.pr.comment.url || `#${r.pr.comment.id}`}`);
  }
  if (r.status === 'failed') {
    out.push('  FAILED, nothing pushed:');
    for (const p of r.problems) out.push(`  - ${p}`);
  }
  return `${out.join('\n')}\n`;
}

/** Markdown for the CI job summary: the same facts as the log. */
export function onboardSummary(r: OnboardReport): string {
  const who = r.host ?? r.ref;
  if (r.status === 'rejected')
    return `### tappaas register process: ${who} rejected\n\nNothing was written:\n\n${r.problems.map((p) => `- ${cell(p)}`).join('\n')}\n`;
  if (r.status === 'unchanged')
    return `### tappaas register process: ${who}\n\nAlready onboarded on the base; nothing to do.\n`;
  const lines = [onboardComment(r).trimEnd()];
  for (const f of r.files ?? []) lines.push(`- \`${f.path}\`: ${f.change}`);
  if (r.pr) lines.push(`- pull request [#${r.pr.number}](${r.pr.url}) ${r.pr.action}`);
  if (r.status === 'failed') lines.push('', `**Failed, nothing pushed:** ${r.problems.map(cell).join('; ')}`);
  return `${lines.join('\n')}\n`;
}
