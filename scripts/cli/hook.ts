// `tappaas hook pre-receive | install | verify | uninstall`: the server-side push gate. Thin:
// flags in, options out; the work is in scripts/hook/. The pre-receive entry is the one place
// that catches the hook's internal errors: it fails closed, and a pusher never sees a stack.
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError } from './errors.js';

export const hookHelp = `Usage:
  tappaas hook pre-receive [--policy FILE | --policy-branch BRANCH]
                                                what the installed hook runs (reads git's stdin)
  tappaas hook post-receive                     what the installed post-receive runs (host keys)
  tappaas hook install <bare-repo> [--gitea] [--policy FILE | --policy-branch BRANCH] [--force]
  tappaas hook verify <bare-repo>               prove that the installed gate runs and rejects
  tappaas hook uninstall <bare-repo>
  tappaas hook pre-push <remote> [<url>]        client preview (husky pre-push): same checks, advisory

install writes hooks/pre-receive and hooks/post-receive (with --gitea, pre-receive.d/tappaas and
post-receive.d/tappaas beside Gitea's dispatchers): shims running this toolkit by absolute path. Pushes are judged by tappaas.json
on the policy branch (--policy-branch, default main; never the repository's HEAD) as it was
before the push; while that branch does not exist, by the strict built-in defaults. The policy
branch is always protected, and a push to it must bring a tappaas.json that passes the schema.
--policy FILE makes a server-side tappaas.json judge pushes instead. A foreign pre-receive is
replaced only with --force (and kept as <hook>.tappaas-backup; uninstall puts it back); a
foreign post-receive is kept the same way and run after ours, with the same input.

Trust on first use: when a registration key pushes registration/<host> for a host with no
known SSH host key, pre-receive writes a claim (tappaas-host-key-claims/ in the repository's
directory) and post-receive turns it into a record in tappaas-known-hosts.json, under a lock,
only for a ref update git really made; the first key recorded stays. A host's key is known
from that record, else from registrations/<host>.json on the default branch, else from that
file at the registration branch's current tip.
install refuses (exit 2) where git would never run the hook: a clone with a work tree (install
into the bare repository pushes go to), hooks redirected by core.hooksPath, or with --gitea a
hooks/pre-receive that does not run hooks/pre-receive.d/ (Gitea's dispatcher does).

verify proves the gate is on: through the real \`git receive-pack\` (so git finds and runs the
installed hook exactly as for a client's push: core.hooksPath, Gitea's dispatcher, permissions,
environment, quarantine) it pushes an update that must be rejected: a branch
refs/heads/tappaas-verify/<random> set to the empty tree. It changes nothing: the gate rejects
the update, and were the gate off git would refuse it itself (a branch must point at a commit,
and the update names a wrong old id), so no ref moves; the object sent goes with git's
quarantine (were the gate off, git keeps it: the empty tree, which git treats as present in
every repository anyway); the hook knows the test (TAPPAAS_HOOK_VERIFY), rejects it whatever
it found, and writes no trust record, no cache and no break-glass log line. Run it as the user
git serves pushes as. It prints what git and the hooks said, and exits 0 when the gate ran and
rejected the update; 1 when it did not run, is open (break glass) or failed, saying why and
the fix; 2 when <bare-repo> is not a bare repository.

The client preview (pre-push) reads the policy from refs/remotes/<remote>/<branch>, the branch
from \`git config tappaas.policyBranch\` (default main).

Identity: TAPPAAS_PUSHER (and TAPPAAS_PUSHER_KEY), set by \`tappaas git-shell --as <identity>\`
in authorized_keys; under Gitea the GITEA_* variables. No identity = anonymous.

Break glass (server admins only): create the file tappaas-break-glass in the bare repository's
directory (its text is the reason). While it exists every push is accepted, the checks still
run and print what they found, and each push is logged to tappaas-break-glass.log there (the
verdict, the pusher and each ref's old and new tip). Remove the file to restore the gate.
Internal errors reject the push (fail closed) with an error id and one line (never a stack
trace); the details are written under that id to tappaas-hook-errors.log in the repository's
directory.
The hook also keeps caches there (tappaas-fleet-facts.json, tappaas-code-cache.bin): safe to
delete at any time, they only make the next push faster. TAPPAAS_HOOK_TIMING=1 prints timings.

Exit codes: 0 accepted / done / the gate is active, 1 rejected / the gate is not active,
2 usage or internal error.`;

export interface HookCommandOptions {
  cwd: string;
  argv: string[];
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  isTTY: boolean;
}

export async function hookCommand(opts: HookCommandOptions): Promise<number> {
  const [sub, ...rest] = opts.argv;
  if (!sub || sub === '--help' || sub === '-h') {
    opts.stdout(`${hookHelp}\n`);
    return sub ? 0 : 2;
  }
  if (sub === 'pre-receive') return preReceiveCommand(opts, rest);
  if (sub === 'post-receive') return postReceiveCommand(opts, rest);
  if (sub === 'pre-push') return prePushCommand(opts, rest);
  if (sub === 'verify') return verifyCommand(opts, rest);
  if (sub === 'install' || sub === 'uninstall') {
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        gitea: { type: 'boolean', default: false },
        policy: { type: 'string' },
        'policy-branch': { type: 'string' },
        force: { type: 'boolean', default: false },
      },
    });
    const policyBranch = values['policy-branch'];
    if (positionals.length !== 1) throw new UsageError(`hook ${sub} takes exactly one <bare-repo>`);
    const repo = positionals[0]!;
    const install = await import('../hook/install.js');
    try {
      if (sub === 'install') {
        if (policyBranch !== undefined) await checkPolicyBranch(policyBranch, values.policy);
        if (values.policy) await checkPolicyFile(values.policy, opts.cwd);
        const r = install.installHook({
          repo,
          gitea: values.gitea,
          force: values.force,
          ...(values.policy ? { policyFile: values.policy } : {}),
          ...(policyBranch !== undefined ? { policyBranch } : {}),
        });
        if (r.backup) opts.stdout(`kept the previous hook as ${r.backup}\n`);
        for (const n of r.notes) opts.stderr(`note: ${n}\n`);
        opts.stdout(`installed ${r.path}\n`);
        opts.stdout(
          `run \`tappaas hook verify ${repo}\` to prove it (as the user git serves pushes as): it pushes a test update the gate must reject\n`,
        );
        return 0;
      }
      if (values.gitea || values.policy || values.force || policyBranch !== undefined)
        throw new UsageError('hook uninstall takes no --gitea, --policy, --policy-branch or --force');
      const r = install.uninstallHook(repo);
      for (const p of r.removed) opts.stdout(`removed ${p}\n`);
      for (const p of r.restored) opts.stdout(`restored the previous hook ${p}\n`);
      if (r.removed.length === 0) {
        opts.stderr(
          `no tappaas hook found in ${repo}${r.foreign.length ? ` (left foreign hooks alone: ${r.foreign.join(', ')})` : ''}\n`,
        );
        return 1;
      }
      return 0;
    } catch (err) {
      if (err instanceof install.InstallError) {
        opts.stderr(`tappaas hook ${sub}: ${err.message}\n`);
        return 2;
      }
      throw err;
    }
  }
  throw new UsageError(`unknown hook subcommand ${JSON.stringify(sub)}`);
}

/** A branch name the server can read the policy from (the hook checks it again at each push). */
async function checkPolicyBranch(branch: string, policyFile: string | undefined): Promise<void> {
  if (policyFile !== undefined) throw new UsageError(POLICY_EXCLUSIVE);
  const { policyBranchProblem } = await import('../policy/refs.js');
  const problem = policyBranchProblem(branch);
  if (problem)
    throw new UsageError(`--policy-branch ${JSON.stringify(branch)} is no branch name: ${problem}`);
}

const POLICY_EXCLUSIVE =
  '--policy FILE and --policy-branch exclude each other (the file is the whole policy)';

async function checkPolicyFile(file: string, cwd: string): Promise<void> {
  const { readFileSync } = await import('node:fs');
  const { resolve } = await import('node:path');
  const { parseConfig } = await import('../config/file.js');
  const path = resolve(cwd, file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`--policy ${path} cannot be read: ${(err as NodeJS.ErrnoException).code ?? err}`);
  }
  parseConfig(text, path); // throws ConfigError with the schema problems
}

function readStdin(): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    process.stdin.on('data', (c: Buffer) => chunks.push(c));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks)));
    process.stdin.on('error', reject);
  });
}

/**
 * The pre-receive code: from the built toolkit, the one-file bundle beside this module run
 * with V8's code cache kept in the repository directory (a quarter of a typical push's CPU
 * was compiling it); from source (tests), the module itself.
 */
async function preReceiveModule(
  gitDir: string,
  cacheName: string,
): Promise<{
  preReceive: typeof import('../hook/pre-receive.js').preReceive;
  cacheUsed: boolean;
  save: () => void;
}> {
  const [{ existsSync }, { join }, { fileURLToPath }] = await Promise.all([
    import('node:fs'),
    import('node:path'),
    import('node:url'),
  ]);
  const bundle = fileURLToPath(new URL('./hook-pre-receive.cjs', import.meta.url));
  if (!existsSync(bundle)) {
    const { preReceive } = await import('../hook/pre-receive.js');
    return { preReceive, cacheUsed: false, save: () => {} };
  }
  const { loadCachedBundle } = await import('../hook/code-cache.js');
  const loaded = loadCachedBundle<typeof import('../hook/pre-receive.js')>(
    bundle,
    join(gitDir, cacheName),
    (m) => m.restoreV8Flags(),
  );
  // A run that parsed Nix compiled the lint's code too: worth keeping if the cache lacks it.
  return {
    preReceive: loaded.exports.preReceive,
    cacheUsed: loaded.cacheUsed,
    save: () => loaded.save(loaded.exports.parserStarted()),
  };
}

/** The hook's error log in the repository directory (server-state.ts's ERROR_LOG). */
const ERROR_LOG = 'tappaas-hook-errors.log';

async function preReceiveCommand(opts: HookCommandOptions, argv: string[]): Promise<number> {
  const env = process.env;
  const write = opts.stderr;
  // Everything, loading the hook's own modules included, runs inside the fail-closed guard:
  // what the pusher reads is a rejection with an error id, never a stack trace (which would
  // show the server's paths). Errors that escape the awaited work (an 'error' event, a
  // stray rejection) end the run the same way.
  let gitDir = opts.cwd;
  let glass: string | undefined;
  let input: Buffer | undefined;
  const verify = env.TAPPAAS_HOOK_VERIFY;
  const failClosed = async (err: unknown): Promise<number> => {
    const id = `${new Date().toISOString().replace(/[-:]/g, '').slice(0, 15)}-${Math.random().toString(16).slice(2, 8).padEnd(6, '0')}`;
    const e = err as { stack?: unknown; hint?: unknown };
    try {
      appendFileSync(
        join(gitDir, ERROR_LOG),
        `${new Date().toISOString()} ${id}${verify ? ' (hook verify)' : ''} ${typeof e?.stack === 'string' ? e.stack : String(err)}\n`,
      );
    } catch {
      // a read-only repository directory: the pusher still gets the id
    }
    const messages = await import('../hook/messages.js').catch(() => undefined);
    const text = messages ? messages.publicErrorMessage(err) : 'the hook could not load its code';
    if (verify !== undefined) {
      write(`tappaas: REJECTED: internal error ${id}: ${text}\n`);
      write(await verifyText(verify, 'internal-error', glass));
      return 2;
    }
    if (glass !== undefined) {
      write(
        `tappaas: internal error ${id}: ${text}\ntappaas: BREAK-GLASS is on (${glass}): push accepted unchecked and logged\n`,
      );
      await breakGlassLog(gitDir, `accepted unchecked after internal error ${id}`, input);
      return 0;
    }
    write(
      `tappaas: REJECTED: internal error ${id}: ${text}\n` +
        `  hint: ${typeof e?.hint === 'string' ? e.hint : 'the push was not checked, so it was refused (fail closed); retry, and if it persists give the server admin this error id (details in tappaas-hook-errors.log in the repository directory)'}\n`,
    );
    return 2;
  };
  const crash = (err: unknown) => {
    void failClosed(err).then((code) => process.exit(code));
  };
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);
  try {
    const { mark } = await import('../hook/timing.js');
    mark('command');
    const { values } = parseArgs({
      args: argv,
      options: { policy: { type: 'string' }, 'policy-branch': { type: 'string' } },
    });
    const policyBranch = values['policy-branch'];
    // The branch name itself is checked where the policy is read (policy-source.ts), in the bundle.
    if (policyBranch !== undefined && values.policy !== undefined) throw new UsageError(POLICY_EXCLUSIVE);
    const { breakGlassReason, gitDirOf, CODE_CACHE_FILE } = await import('../hook/server-state.js');
    gitDir = gitDirOf(opts.cwd, env);
    glass = breakGlassReason(gitDir);
    input = await readStdin();
    mark('stdin');
    const hook = await preReceiveModule(gitDir, CODE_CACHE_FILE);
    mark(hook.cacheUsed ? 'loaded (cached code)' : 'loaded');
    const result = await hook.preReceive({
      cwd: opts.cwd,
      gitDir,
      env,
      input,
      write,
      ...(values.policy ? { policyFile: values.policy } : {}),
      ...(policyBranch !== undefined ? { policyBranch } : {}),
    });
    // A test by `tappaas hook verify`: judged as usual, then always refused, and it leaves
    // nothing behind (not even the code cache).
    if (verify !== undefined) {
      write(await verifyText(verify, result.accepted ? 'accepted' : 'rejected', glass));
      return 1;
    }
    hook.save();
    if (glass !== undefined) {
      write(
        `tappaas: BREAK-GLASS is on (${glass}): push accepted ${result.accepted ? '' : 'despite the errors above '}and logged\n`,
      );
      await breakGlassLog(
        gitDir,
        `accepted (${result.accepted ? 'would pass' : 'would be rejected'})`,
        input,
      );
      return 0;
    }
    return result.accepted ? 0 : 1;
  } catch (err) {
    return failClosed(err);
  } finally {
    process.off('uncaughtException', crash);
    process.off('unhandledRejection', crash);
  }
}

/**
 * After the refs moved: records the host keys claimed by registrations that happened. The push
 * is done whatever happens here, so a failure is logged and reported, never a stack trace.
 */
async function postReceiveCommand(opts: HookCommandOptions, argv: string[]): Promise<number> {
  if (argv.length)
    throw new UsageError('hook post-receive takes no arguments (git writes the updates to its stdin)');
  const { gitDirOf, appendLog, ERROR_LOG: errorLog } = await import('../hook/server-state.js');
  const gitDir = gitDirOf(opts.cwd, process.env);
  try {
    const { postReceive } = await import('../hook/post-receive.js');
    postReceive({ gitDir, input: await readStdin(), write: opts.stderr });
    return 0;
  } catch (err) {
    const { publicErrorMessage } = await import('../hook/messages.js');
    appendLog(gitDir, errorLog, `post-receive: ${(err as Error)?.stack ?? String(err)}`);
    opts.stderr(
      `tappaas: the push went through, but a registration's SSH host key was not recorded: ${publicErrorMessage(err)} (details in tappaas-hook-errors.log in the repository directory); the host's next registration claims it again\n`,
    );
    return 1;
  }
}

async function verifyText(
  nonce: string,
  verdict: import('../hook/verify.js').HookVerdict,
  glass: string | undefined,
): Promise<string> {
  const { verifyLine } = await import('../hook/verify.js');
  return verifyLine(nonce, verdict, glass);
}

/** One line in tappaas-break-glass.log: the verdict, who pushed, which refs. */
async function breakGlassLog(gitDir: string, verdict: string, input: Buffer | undefined): Promise<void> {
  const [{ appendLog, BREAK_GLASS_LOG }, { breakGlassLogLine }, { identityFromEnv }] = await Promise.all([
    import('../hook/server-state.js'),
    import('../hook/messages.js'),
    import('../policy/identity.js'),
  ]);
  appendLog(
    gitDir,
    BREAK_GLASS_LOG,
    breakGlassLogLine(verdict, identityFromEnv(process.env), input ?? Buffer.alloc(0)),
  );
}

async function verifyCommand(opts: HookCommandOptions, argv: string[]): Promise<number> {
  const { positionals } = parseArgs({ args: argv, allowPositionals: true, options: {} });
  if (positionals.length !== 1) throw new UsageError('hook verify takes exactly one <bare-repo>');
  const [{ resolve }, install, { verifyGate }] = await Promise.all([
    import('node:path'),
    import('../hook/install.js'),
    import('../hook/verify.js'),
  ]);
  try {
    const r = await verifyGate({ repo: resolve(opts.cwd, positionals[0]!) });
    const out = r.state === 'active' ? opts.stdout : opts.stderr;
    out(`tappaas hook verify ${r.repo}: ${r.summary}\n`);
    if (r.hookOutput.length)
      out(`what git and the hooks said:\n${r.hookOutput.map((l) => `  | ${l}\n`).join('')}`);
    for (const d of r.details) out(`  ${d}\n`);
    return r.state === 'active' ? 0 : 1;
  } catch (err) {
    if (err instanceof install.InstallError) {
      opts.stderr(`tappaas hook verify: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}

async function prePushCommand(opts: HookCommandOptions, argv: string[]): Promise<number> {
  const remote = argv[0];
  if (!remote) throw new UsageError('hook pre-push takes the remote name git passes to pre-push');
  const { prePushToPreReceive, PREVIEW_BANNER } = await import('../hook/pre-push.js');
  const { runGit } = await import('../git/exec.js');
  const git = async (args: string[]) =>
    (await runGit(args, { cwd: opts.cwd, okCodes: [1, 128] })).stdout.toString().trim();
  const [gitDir, configuredBranch, identity] = await Promise.all([
    git(['rev-parse', '--absolute-git-dir']),
    git(['config', '--get', 'tappaas.policyBranch']),
    git(['config', '--get', 'tappaas.identity']),
  ]);
  // The server reads its policy branch (not its HEAD); the preview reads the same branch as
  // last fetched from the remote.
  const policyBranch = configuredBranch || 'main';
  const policyRev = `refs/remotes/${remote}/${policyBranch}`;
  const input = Buffer.from(prePushToPreReceive((await readStdin()).toString('utf8')));
  const env = { ...process.env };
  if (!env.TAPPAAS_PUSHER && identity) env.TAPPAAS_PUSHER = identity;
  opts.stderr(PREVIEW_BANNER);
  try {
    const { preReceive } = await import('../hook/pre-receive.js');
    const result = await preReceive({
      cwd: opts.cwd,
      gitDir,
      env,
      input,
      policyBranch,
      policyRev,
      preview: true,
      write: opts.stderr,
    });
    return !result.accepted && process.env.TAPPAAS_PRE_PUSH_STRICT === '1' ? 1 : 0;
  } catch (err) {
    opts.stderr(`tappaas pre-push preview could not run: ${(err as Error).message}\n`);
    return process.env.TAPPAAS_PRE_PUSH_STRICT === '1' ? 1 : 0;
  }
}
