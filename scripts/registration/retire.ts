// `tappaas retire <host>`: the change that removes a host from the fleet (its host, hardware
// and payload files, its inventory entry and its registration binding) on branch
// retire/<host>, checked like onboarding, plus what must happen outside git.

import { parseConfig } from '../config/file.js';
import { fleetLayout } from '../config/fleet.js';
import { hardwarePath, hostPath } from '../fleet/layout.js';
import { payloadPath } from '../fleet/registration-files.js';
import { listFiles, readBlob } from '../git/blobs.js';
import type { Diagnostic } from '../lint/types.js';
import { hostNameProblem } from '../policy/registration.js';
import { CONFIG_FILE, retireChanges } from './changes.js';
import { resolveBase } from './onboard.js';
import { commitChange, type PullReport, publishPull, updateLocalBranch } from './publish.js';
import { checkChange } from './verify.js';

export interface RetireOptions {
  root: string;
  host: string;
  base: string;
  remote: string;
  openPr: boolean;
  env: Record<string, string | undefined>;
  onNote?: (text: string) => void;
}

export interface RetireReport {
  host: string;
  status: 'ok' | 'rejected' | 'failed';
  problems: string[];
  base?: string;
  branch?: string;
  commit?: string;
  reused?: boolean;
  removed?: string[];
  check?: { errors: number; warnings: number; diagnostics: Diagnostic[] };
  /** Steps outside git, in order, for a human (or a later automation). */
  proxmox: string[];
  pr?: PullReport;
}

interface Facts {
  vmid?: number | null;
  macs?: string[];
  addresses?: string[];
  sshHostKey?: string;
  address?: string;
  identities?: string[];
}

/** What must happen outside the repository once the pull request is merged. Pure. */
export function proxmoxSteps(host: string, f: Facts, remote = 'origin'): string[] {
  const steps: string[] = [];
  steps.push(
    typeof f.vmid === 'number'
      ? `On the Proxmox node: stop and destroy VM ${f.vmid}: qm shutdown ${f.vmid} && qm destroy ${f.vmid} --purge`
      : `On the Proxmox node: find the VM of ${host} (qm list), then qm shutdown <vmid> && qm destroy <vmid> --purge (the registration payload names no VM id)`,
  );
  const addrs = [...new Set([...(f.addresses ?? []), ...(f.address ? [f.address] : [])])];
  steps.push(
    `DHCP/DNS: remove the lease or static mapping of ${f.macs?.length ? `MAC ${f.macs.join(', ')}` : host}${
      addrs.length ? ` (${addrs.join(', ')})` : ''
    } and the DNS record of ${host}`,
  );
  const key = f.sshHostKey?.trim().split(/\s+/).slice(0, 2).join(' ');
  steps.push(
    `Revoke ${host}'s access to the git server: ${
      f.identities?.length
        ? `the identities bound to it (${f.identities.join(', ')}; this pull request removes the binding from tappaas.json) — delete their keys from authorized_keys or the Gitea deploy keys`
        : 'its registration key, if it had one of its own (authorized_keys or Gitea deploy key)'
    }; and remove its trusted SSH host key${key ? ` (${key.slice(0, 40)}…)` : ''} from tappaas-known-hosts.json in the bare repository, so a new VM may take the name`,
  );
  steps.push(
    `Delete its refs: git push ${remote} --delete refs/deployed/${host} registration/${host} (whichever exist)`,
  );
  return steps;
}

export async function retireHost(opts: RetireOptions): Promise<RetireReport> {
  const { root, host } = opts;
  const bad = hostNameProblem(host);
  if (bad)
    return { host, status: 'rejected', problems: [`host name ${JSON.stringify(host)} ${bad}`], proxmox: [] };
  const base = await resolveBase(root, opts);
  const configBytes = await readBlob(root, base, CONFIG_FILE);
  const configText = configBytes?.toString('utf8');
  const config = configText ? parseConfig(configText, `${CONFIG_FILE} at the base`) : {};
  const layout = fleetLayout(config.fleet);
  const files = new Set(await listFiles(root, base));
  const payloadBytes = files.has(payloadPath(host))
    ? await readBlob(root, base, payloadPath(host))
    : undefined;
  let payload: Facts & { proxmoxVmId?: number | null } = {};
  try {
    payload = payloadBytes ? (JSON.parse(payloadBytes.toString('utf8')) as typeof payload) : {};
  } catch {
    opts.onNote?.(`${payloadPath(host)} is not valid JSON; the Proxmox steps cannot name the VM id`);
  }
  const inventory = (config.hosts?.[host] ?? {}) as { address?: string };
  const registration = config.policy?.registration as { hosts?: Record<string, string[]> } | undefined;
  const identities = registration?.hosts?.[host];
  const proxmox = proxmoxSteps(
    host,
    {
      vmid: payload.proxmoxVmId,
      macs: payload.macs,
      addresses: payload.addresses,
      sshHostKey: payload.sshHostKey,
      address: inventory.address,
      identities,
    },
    opts.remote,
  );
  const changes = retireChanges(host, layout, files, configText);
  const report: RetireReport = { host, status: 'rejected', problems: [], base, proxmox };
  if (Object.keys(changes).length === 0)
    return {
      ...report,
      problems: [
        `${host} is not in the fleet at ${opts.base}: no ${hostPath(layout, host)}, ${hardwarePath(layout, host)}, ${payloadPath(host)} or hosts.${host} in ${CONFIG_FILE}`,
      ],
    };
  report.removed = Object.entries(changes).map(([p, c]) =>
    c === null ? p : `${p} (hosts.${host}${identities ? `, policy.registration.hosts.${host}` : ''})`,
  );
  const branch = `retire/${host}`;
  const message = `Retire ${host}\n\nRemove ${Object.keys(changes).join(', ')}.\nOutside git, after merging:\n${proxmox.map((s) => `- ${s}`).join('\n')}\n`;
  const published = await commitChange(root, base, changes, branch, message, opts);
  if (!published) return { ...report, status: 'ok' };
  Object.assign(report, { branch, commit: published.commit, reused: published.reused });
  const headText = typeof changes[CONFIG_FILE] === 'string' ? changes[CONFIG_FILE] : configText;
  const headConfig = headText ? parseConfig(headText, `${CONFIG_FILE} (retired)`) : {};
  report.check = await checkChange(
    root,
    base,
    published.commit,
    fleetLayout(headConfig.fleet),
    headConfig,
    opts.onNote,
  );
  if (report.check.errors > 0) {
    report.status = 'failed';
    report.problems.push(`tappaas check found ${report.check.errors} error(s) the removal would introduce`);
    return report;
  }
  await updateLocalBranch(root, published);
  report.status = 'ok';
  if (opts.openPr) {
    const body = [
      `Retires **${host}** from the fleet.`,
      '',
      'Removes:',
      '',
      ...report.removed.map((r) => `- \`${r}\``),
      '',
      'After merging, outside git:',
      '',
      ...proxmox.map((s, i) => `${i + 1}. ${s}`),
    ].join('\n');
    const comment = `### tappaas retire: ${host}\n\n- check: ${
      report.check.diagnostics.length === 0
        ? 'no new finding'
        : `${report.check.warnings} warning(s) introduced`
    }\n- commit: \`${published.commit}\` on \`${branch}\`\n`;
    report.pr = await publishPull(
      root,
      published,
      {
        remote: opts.remote,
        base: opts.base,
        title: `Retire ${host}`,
        body,
        marker: `retire/${host}`,
        comment,
        env: opts.env,
      },
      opts.onNote,
    );
  }
  return report;
}

export function retireText(r: RetireReport): string {
  const out: string[] = [];
  if (r.status === 'rejected') {
    out.push(`tappaas retire: ${r.host}: nothing to do:`);
    for (const p of r.problems) out.push(`  - ${p}`);
    return `${out.join('\n')}\n`;
  }
  out.push(
    `tappaas retire: ${r.host} -> branch ${r.branch} at ${r.commit?.slice(0, 12)}${r.reused ? ' (unchanged)' : ''}`,
  );
  for (const p of r.removed ?? []) out.push(`  removed   ${p}`);
  if (r.check)
    out.push(
      r.check.diagnostics.length === 0
        ? '  check: no new finding'
        : `  check: ${r.check.errors} error(s), ${r.check.warnings} warning(s) introduced:\n${r.check.diagnostics
            .map((d) => `    ${d.file}:${d.line}:${d.column} ${d.severity} ${d.rule}: ${d.message}`)
            .join('\n')}`,
    );
  if (r.pr) out.push(`  pull request #${r.pr.number} ${r.pr.action}: ${r.pr.url}`);
  if (r.status === 'failed') for (const p of r.problems) out.push(`  FAILED: ${p}`);
  out.push('', 'Outside git, after merging:');
  r.proxmox.forEach((s, i) => {
    out.push(`  ${i + 1}. ${s}`);
  });
  return `${out.join('\n')}\n`;
}
