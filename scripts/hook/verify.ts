// `tappaas hook verify <bare-repo>`: proof that the gate runs, rather than a look at files.
// It pushes to the repository the way a client's `git push` reaches it over SSH: the real
// `git receive-pack`, so git itself finds and runs the installed hook (core.hooksPath, Gitea's
// dispatcher, permissions, the environment and the quarantine all as for a real push). The
// update must be rejected whatever the policy says: a branch set to the empty tree, sent as
// an update of a branch that does not exist (a made-up old id). If the gate did not run, git
// refuses the update itself (a branch must point at a commit, and the old id is wrong), so no
// ref ever moves; the one object sent is discarded with the quarantine (were the gate off,
// git would keep it: the empty tree, which git treats as always present anyway). The hook
// knows the run by TAPPAAS_HOOK_VERIFY: it judges as usual, then rejects and writes no trust
// record and no break-glass log line (cli/hook.ts).
import { randomBytes } from 'node:crypto';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { onePack, type ReceivePackRun, receivePack } from '../git/receive-pack.js';
import {
  bareRepository,
  dispatchesToHookD,
  hooksDirectory,
  POST_SHIM_MARKER,
  SHIM_MARKER,
} from './install.js';

/** Set in the hook's environment by a verify run; its value is the run's nonce. */
export const VERIFY_ENV = 'TAPPAAS_HOOK_VERIFY';
const REF_PREFIX = 'refs/heads/tappaas-verify/';

/** What the hook reports in a verify run, on one line the verifier looks for. */
export type HookVerdict = 'rejected' | 'accepted' | 'internal-error';

export function verifyLine(nonce: string, verdict: HookVerdict, breakGlass: string | undefined): string {
  return `tappaas: verify ${nonce}: ${verdict}; break glass ${breakGlass === undefined ? 'off' : `ON (${breakGlass})`}; this was a test (\`tappaas hook verify\`): nothing was changed\n`;
}

export function parseVerifyLine(
  stderr: string,
  nonce: string,
): { verdict: HookVerdict; breakGlass?: string } | undefined {
  const escaped = nonce.replace(/[^0-9a-f]/g, '');
  const m = new RegExp(
    `^tappaas: verify ${escaped}: (rejected|accepted|internal-error); break glass (off|ON \\((.*)\\));`,
    'm',
  ).exec(stderr);
  if (!m) return undefined;
  return m[2] === 'off'
    ? { verdict: m[1] as HookVerdict }
    : { verdict: m[1] as HookVerdict, breakGlass: m[3] ?? '' };
}

/** The hook files git would run, as found on disk (explains a gate that did not run). */
export interface HookFiles {
  dir: string;
  redirectedBy?: string;
  preReceive: FileState;
  /** hooks/pre-receive.d/tappaas, where `install --gitea` puts the gate. */
  gitea: FileState;
  /** hooks/post-receive and hooks/post-receive.d/tappaas: where host keys get recorded. */
  postReceive?: FileState;
  giteaPost?: FileState;
}

export interface FileState {
  path: string;
  exists: boolean;
  executable: boolean;
  ours: boolean;
  dispatcher: boolean;
}

export type GateState = 'active' | 'open' | 'broken' | 'not-run';

export interface VerifyReport {
  state: GateState;
  /** One sentence: what was proven. */
  summary: string;
  /** What to do, or what else was seen. */
  details: string[];
  /** What the hooks printed (the pusher's `remote:` lines). */
  hookOutput: string[];
}

function fileState(path: string, hook: 'pre-receive' | 'post-receive' = 'pre-receive'): FileState {
  const exists = existsSync(path);
  let text = '';
  let executable = false;
  if (exists) {
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      // unreadable: neither ours nor a dispatcher, as far as we can tell
    }
    try {
      accessSync(path, constants.X_OK);
      executable = true;
    } catch {
      // not executable by this user
    }
  }
  return {
    path,
    exists,
    executable,
    ours: text.includes(hook === 'post-receive' ? POST_SHIM_MARKER : SHIM_MARKER),
    dispatcher: dispatchesToHookD(text, hook),
  };
}

export function hookFiles(gitDir: string): HookFiles {
  const { dir, redirectedBy } = hooksDirectory(gitDir);
  return {
    dir,
    ...(redirectedBy ? { redirectedBy } : {}),
    preReceive: fileState(join(dir, 'pre-receive')),
    gitea: fileState(join(dir, 'pre-receive.d', 'tappaas')),
    postReceive: fileState(join(dir, 'post-receive'), 'post-receive'),
    giteaPost: fileState(join(dir, 'post-receive.d', 'tappaas'), 'post-receive'),
  };
}

/** Why the gate did not run, from what is on disk. */
function notRunBecause(files: HookFiles): string[] {
  const out: string[] = [];
  const { preReceive: pr, gitea } = files;
  if (files.redirectedBy) out.push(`git runs hooks from ${files.dir} (${files.redirectedBy})`);
  if (!pr.exists) out.push(`there is no ${pr.path}: install the gate with \`tappaas hook install\``);
  else if (!pr.executable)
    out.push(`${pr.path} is not executable, so git ignores it: \`chmod +x ${pr.path}\``);
  else if (pr.ours)
    out.push(
      `${pr.path} is the tappaas shim, yet it did not report: run it by hand to see why (\`echo | ${pr.path}\` in the repository directory)`,
    );
  else if (pr.dispatcher) {
    if (!gitea.exists)
      out.push(
        `${pr.path} dispatches to pre-receive.d/, which has no tappaas hook: \`tappaas hook install --gitea\``,
      );
    else if (!gitea.executable) out.push(`${gitea.path} is not executable: \`chmod +x ${gitea.path}\``);
  } else
    out.push(
      `${pr.path} is a foreign hook that does not run the gate: \`tappaas hook install --force\` replaces it (kept as a backup), or, under Gitea, have Gitea write its dispatcher again and \`tappaas hook install --gitea\``,
    );
  return out;
}

/** Whether git runs our post-receive (so registrations' host keys get recorded). */
function postReceiveDetails(files: HookFiles): string[] {
  const { postReceive: post, giteaPost } = files;
  if (!post) return [];
  const direct = post.exists && post.executable && post.ours;
  const viaGitea =
    post.executable && post.dispatcher && giteaPost?.exists && giteaPost.executable && giteaPost.ours;
  if (direct || viaGitea) return [];
  return [
    `but no tappaas post-receive hook runs (${post.path}), so registrations' SSH host keys are not recorded (trust on first use): run \`tappaas hook install\` again to add it`,
  ];
}

/** The verdict on one verify push, from what git and the hooks said. Pure. */
export function judgeVerify(input: {
  gitDir: string;
  nonce: string;
  ref: string;
  run: ReceivePackRun;
  files: HookFiles;
}): VerifyReport {
  const { gitDir, nonce, ref, run, files } = input;
  const hookOutput = run.stderr.split('\n').filter((l) => l.trim() !== '');
  const said = parseVerifyLine(run.stderr, nonce);
  const refResult = run.report?.refs.get(ref);
  const nothing =
    "nothing was changed: no ref moved, the test object went with git's quarantine, no trust record or push log was written";
  if (said?.verdict === 'internal-error')
    return {
      state: 'broken',
      summary: 'the gate runs but fails with an internal error, so it refuses every push (fail closed)',
      details: [
        'the error id above is in tappaas-hook-errors.log in the repository directory, with the details',
      ],
      hookOutput,
    };
  if (said?.breakGlass !== undefined)
    return {
      state: 'open',
      summary: `the gate runs, but break glass is ON (${said.breakGlass}): every push is accepted, checked only for the record`,
      details: [`remove the break-glass file to close the gate: rm ${join(gitDir, 'tappaas-break-glass')}`],
      hookOutput,
    };
  if (said?.verdict === 'accepted' || (said && refResult === 'ok'))
    return {
      state: 'broken',
      summary: `the gate ran but accepted ${ref} pointing at a tree; that must never pass`,
      details: ['this is a bug in tappaas-cicd: report it with the hook output above'],
      hookOutput,
    };
  if (said && refResult === 'pre-receive hook declined')
    return {
      state: 'active',
      summary: `the gate is ACTIVE: git ran the installed hook, which judged a test update of ${ref} and rejected it`,
      details: [nothing, ...postReceiveDetails(files)],
      hookOutput,
    };
  if (said)
    return {
      state: 'broken',
      summary: `the gate ran and rejected the test update, but git went on to update the ref anyway (and refused it itself: ${refResult ?? 'no answer'}): whatever runs the gate ignores its exit code`,
      details: notRunBecause(files),
      hookOutput,
    };
  if (run.timedOut)
    return {
      state: 'not-run',
      summary: 'the test push did not finish in time (a hook that hangs holds every push)',
      details: notRunBecause(files),
      hookOutput,
    };
  if (run.report?.unpack !== 'ok')
    return {
      state: 'not-run',
      summary: `git could not take the test push (${run.report ? `unpack ${run.report.unpack}` : `receive-pack exited ${run.code}`}), so no hook ran`,
      details: [
        'run `tappaas hook verify` as the user git serves pushes as (it needs to write the quarantine in objects/)',
      ],
      hookOutput,
    };
  return {
    state: 'not-run',
    summary:
      refResult === 'pre-receive hook declined'
        ? 'the gate is NOT active: a pre-receive hook declined the test push, but the tappaas gate did not run'
        : `the gate is NOT active: no pre-receive hook stopped the test push (git refused it itself: ${refResult ?? 'no answer'})`,
    details: notRunBecause(files),
    hookOutput,
  };
}

export interface VerifyOptions {
  repo: string;
  timeoutMs?: number;
}

/** The environment of the test push: the caller's, without a pusher's identity or a git redirect. */
function verifyEnv(nonce: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(GIT_|GITEA_|TAPPAAS_)/.test(k)) env[k] = v;
  env[VERIFY_ENV] = nonce;
  return env;
}

export async function verifyGate(opts: VerifyOptions): Promise<VerifyReport & { repo: string; ref: string }> {
  const repo = bareRepository(opts.repo);
  const nonce = randomBytes(6).toString('hex');
  const ref = `${REF_PREFIX}${nonce}`;
  const run = await receivePack(
    repo,
    // No automatic maintenance after the push: nothing but the hook may touch the repository.
    { env: verifyEnv(nonce), timeoutMs: opts.timeoutMs ?? 120_000, gitConfig: ['receive.autogc=false'] },
    (adv) => {
      const { oid, pack } = onePack('tree', Buffer.alloc(0), adv.objectFormat);
      return {
        commands: [`${'f'.repeat(oid.length)} ${oid} ${ref}`],
        capabilities: ['report-status', `object-format=${adv.objectFormat}`, 'agent=tappaas-hook-verify'],
        pack,
      };
    },
  );
  return { repo, ref, ...judgeVerify({ gitDir: repo, nonce, ref, run, files: hookFiles(repo) }) };
}
