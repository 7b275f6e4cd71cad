// `tappaas register process <ref>`: turn a registration branch into the onboarding change.
// Everything is read from git at the ref and the base (never from a work tree), every input
// is validated before anything is written, and the commit is made through a throwaway index.

import { parseConfig } from '../config/file.js';
import { type FleetLayout, fleetLayout } from '../config/fleet.js';
import type { TappaasConfig } from '../config/types.js';
import { fileFacts } from '../fleet/facts.js';
import { hardwarePath, hostPath } from '../fleet/layout.js';
import { payloadPath, registrationLayout } from '../fleet/registration-files.js';
import { blobSize, listFiles, readBlob } from '../git/blobs.js';
import { fetchBranch, hasRemote } from '../git/remotes.js';
import { resolveCommit } from '../git/revisions.js';
import { resolvePolicy } from '../policy/defaults.js';
import { payloadFact, type RegistrationFacts, registrationProblems } from '../policy/registration.js';
import type { Policy, Problem } from '../policy/types.js';
import { branchChanges } from './branch-changes.js';
import { CONFIG_FILE, onboardChanges } from './changes.js';
import { knownRoles, UnknownRoleError } from './host-file.js';
import { MAX_HARDWARE_BYTES, MAX_PAYLOAD_BYTES, parsePayload, type RegistrationPayload } from './payload.js';
import { commitChange, publishPull, updateLocalBranch } from './publish.js';
import { hostFromRef } from './ref.js';
import {
  type FileChange,
  type OnboardReport,
  onboardComment,
  onboardPullBody,
  onboardTitle,
} from './report.js';
import { checkChange, evaluateAt } from './verify.js';

export interface OnboardOptions {
  root: string;
  ref: string;
  base: string;
  remote: string;
  openPr: boolean;
  evaluate: boolean;
  env: Record<string, string | undefined>;
  evalTimeoutMs?: number;
  onNote?: (text: string) => void;
}

/** Thrown for a ref or base that does not exist: a usage error (exit 2), not a bad payload. */
export class RevisionError extends Error {}

async function configAt(root: string, commit: string): Promise<{ text?: string; config: TappaasConfig }> {
  const bytes = await readBlob(root, commit, CONFIG_FILE);
  if (!bytes) return { config: {} };
  const text = bytes.toString('utf8');
  return { text, config: parseConfig(text, `${CONFIG_FILE} at ${commit.slice(0, 12)}`) };
}

export async function resolveBase(
  root: string,
  opts: Pick<OnboardOptions, 'base' | 'remote' | 'openPr'>,
): Promise<string> {
  const remote = (await hasRemote(root, opts.remote)) ? opts.remote : undefined;
  // A pull request targets the remote's base: make sure we start from its latest state.
  if (opts.openPr && remote) await fetchBranch(root, remote, opts.base);
  const base = remote
    ? ((await resolveCommit(root, `refs/remotes/${remote}/${opts.base}`, { remote, throwGitErrors: true })) ??
      (await resolveCommit(root, opts.base, { remote, throwGitErrors: true })))
    : await resolveCommit(root, opts.base, { remote: opts.remote, throwGitErrors: true });
  if (!base) throw new RevisionError(`base branch ${JSON.stringify(opts.base)} not found in ${root}`);
  return base;
}

interface Inputs {
  host: string;
  layout: FleetLayout;
  payload: RegistrationPayload;
  payloadBytes: Buffer;
  hardwareBytes: Buffer;
}

/** A verdict's problem as onboarding reports it: what is wrong, then how to fix it. */
function problemText(p: Problem): string {
  return `${p.message}; ${p.fix}`;
}

/**
 * Reads and validates everything the ref brings; problems instead of inputs when it is bad.
 * The registration verdict first (the hook's rules and words), then what onboarding needs
 * beyond it: both files present and small, the hardware file text, the payload's schema.
 */
async function readInputs(
  root: string,
  refArg: string,
  tip: string,
  base: string,
  host: string,
  layout: FleetLayout,
  policy: Policy,
): Promise<Inputs | { problems: string[] }> {
  const problems: string[] = [];
  const files = registrationLayout(layout, host);
  const read = async (path: string, max: number, what: string): Promise<Buffer | undefined> => {
    const size = await blobSize(root, tip, path);
    if (size === undefined) {
      problems.push(`${path} is missing at ${refArg}: the registration of ${host} must carry its ${what}`);
      return undefined;
    }
    if (size > max) {
      problems.push(`${path} has ${size} bytes; at most ${max} are accepted for a ${what}`);
      return undefined;
    }
    return readBlob(root, tip, path);
  };
  const payloadBytes = await read(files.payload, MAX_PAYLOAD_BYTES, 'payload');
  const hardwareBytes = await read(files.hardware, MAX_HARDWARE_BYTES, 'hardware configuration');
  const facts: RegistrationFacts = { host, ref: refArg, ...(await branchChanges(root, base, tip)) };
  if (payloadBytes) facts.payload = payloadFact(payloadBytes);
  problems.unshift(...registrationProblems(facts, policy, files).map(problemText));
  if (hardwareBytes) {
    try {
      const text = new TextDecoder('utf-8', { fatal: true }).decode(hardwareBytes);
      if (text.includes('\0')) problems.push(`${files.hardware} holds a NUL byte: it is not a Nix file`);
    } catch {
      problems.push(`${files.hardware} is not UTF-8 text: it is not a Nix file`);
    }
  }
  let payload: RegistrationPayload | undefined;
  if (payloadBytes && facts.payload?.ok) {
    const parsed = parsePayload(payloadBytes, files.payload);
    if (parsed.ok) payload = parsed.payload;
    else problems.push(...parsed.problems);
  }
  if (problems.length > 0 || !payload || !payloadBytes || !hardwareBytes) return { problems };
  return { host, layout, payload, payloadBytes, hardwareBytes };
}

export async function processRegistration(opts: OnboardOptions): Promise<OnboardReport> {
  const { root } = opts;
  const note = opts.onNote ?? (() => {});
  const base = await resolveBase(root, opts);
  const baseConfig = await configAt(root, base);
  const prefix =
    ((baseConfig.config.policy?.registration as { prefix?: string } | undefined)?.prefix ??
      'registration/') ||
    'registration/';
  const refHost = hostFromRef(opts.ref, prefix);
  if ('problem' in refHost)
    return { ref: opts.ref, host: null, status: 'rejected', problems: [refHost.problem] };
  const { host } = refHost;
  const tip = await resolveCommit(root, opts.ref, { remote: opts.remote, throwGitErrors: true });
  if (!tip) throw new RevisionError(`ref ${JSON.stringify(opts.ref)} not found in ${root} (fetch it first)`);
  const layout = fleetLayout(baseConfig.config.fleet);
  const report: OnboardReport = {
    ref: opts.ref,
    host,
    status: 'rejected',
    problems: [],
    source: refHost.branch,
    base,
  };

  // The base's rules, with the base onboarding grows from as the branch registrations start on.
  const policy = { ...resolvePolicy(baseConfig.config.policy), defaultBranch: opts.base };
  const inputs = await readInputs(root, opts.ref, tip, base, host, layout, policy);
  if ('problems' in inputs) return { ...report, problems: inputs.problems };
  report.role = inputs.payload.role;

  const baseFiles = await listFiles(root, base);
  const baseSet = new Set(baseFiles);
  const existingHost = hostPath(layout, host);
  if (baseSet.has(existingHost)) {
    // A re-registration (the VM was reinstalled): its hardware and facts may change, its role
    // may not, since the host file someone reviewed stays as it is.
    const text = (await readBlob(root, base, existingHost))?.toString('utf8') ?? '';
    const roles = (await fileFacts(existingHost, text)).roles.map((r) => r.value);
    if (roles.length > 0 && !roles.includes(inputs.payload.role))
      return {
        ...report,
        problems: [
          `${host} is already in the fleet with role ${roles.join(', ')} (${existingHost}); a registration cannot change a host's role: change ${existingHost} in a pull request, or retire ${host} first`,
        ],
      };
  }
  let changes: Record<string, Buffer | string>;
  try {
    changes = onboardChanges({
      ...inputs,
      roles: knownRoles(baseFiles, layout),
      configText: baseConfig.text,
      hostFileExists: baseSet.has(hostPath(layout, host)),
    });
  } catch (err) {
    if (err instanceof UnknownRoleError)
      return { ...report, problems: [`${payloadPath(host)}: ${err.message}`] };
    throw err;
  }
  const files: FileChange[] = [];
  for (const path of [payloadPath(host), hardwarePath(layout, host), hostPath(layout, host), CONFIG_FILE]) {
    const now = changes[path];
    if (now === undefined) {
      files.push({ path, change: 'unchanged' });
      continue;
    }
    const before = baseSet.has(path) ? await readBlob(root, base, path) : undefined;
    files.push({
      path,
      change: before === undefined ? 'added' : before.equals(Buffer.from(now)) ? 'unchanged' : 'modified',
    });
  }
  report.files = files;
  report.inventory = (
    JSON.parse(String(changes[CONFIG_FILE])) as { hosts: Record<string, Record<string, unknown>> }
  ).hosts[host];
  const branch = `onboard/${host}`;
  const message = `Onboard ${host} (role ${inputs.payload.role})\n\nFrom ${refHost.branch} at ${tip}: ${payloadPath(host)} and ${hardwarePath(layout, host)};\ngenerated ${hostPath(layout, host)} and the inventory entry hosts.${host} in ${CONFIG_FILE}.\n`;
  const published = await commitChange(root, base, changes, branch, message, opts);
  if (!published) {
    note(`${host} is already onboarded on the base: nothing to change`);
    return { ...report, status: 'unchanged' };
  }
  Object.assign(report, { branch, commit: published.commit, reused: published.reused });

  const headConfig = parseConfig(String(changes[CONFIG_FILE]), `${CONFIG_FILE} (generated)`);
  const headLayout = fleetLayout(headConfig.fleet);
  const check = await checkChange(root, base, published.commit, headLayout, headConfig, note);
  report.check = check;
  if (opts.evaluate)
    report.evaluation = await evaluateAt(root, published.commit, host, headLayout, {
      timeoutMs: opts.evalTimeoutMs,
    });
  const failed = check.errors > 0 || report.evaluation?.status === 'eval-error';
  if (failed) {
    report.status = 'failed';
    if (check.errors > 0)
      report.problems.push(`tappaas check found ${check.errors} error(s) the onboarding would introduce`);
    if (report.evaluation?.status === 'eval-error') report.problems.push(`${host} does not evaluate`);
    return report;
  }
  await updateLocalBranch(root, published);
  report.status = 'ok';
  if (opts.openPr) {
    report.pr = await publishPull(
      root,
      published,
      {
        remote: opts.remote,
        base: opts.base,
        title: onboardTitle(host, inputs.payload),
        body: onboardPullBody(host, inputs.payload, files, report.inventory ?? {}),
        marker: `onboard/${host}`,
        comment: onboardComment(report),
        env: opts.env,
      },
      note,
    );
  }
  return report;
}
