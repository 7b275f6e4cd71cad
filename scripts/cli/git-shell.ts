// `tappaas git-shell --as <identity> [--key FINGERPRINT]`: the authorized_keys forced command
// for plain git over SSH. Sets TAPPAAS_PUSHER and runs git-shell with SSH_ORIGINAL_COMMAND.
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { planGitShell } from '../hook/git-shell.js';
import { UsageError } from './errors.js';

export const gitShellHelp = `Usage: tappaas git-shell --as <identity> [--key FINGERPRINT]

For authorized_keys on the git server, one line per key:
  command="/usr/bin/node /opt/tappaas/dist/tappaas.mjs git-shell --as alice",restrict ssh-ed25519 AAAA... alice@laptop
Runs \`git-shell -c "$SSH_ORIGINAL_COMMAND"\` with TAPPAAS_PUSHER=<identity> (and
TAPPAAS_PUSHER_KEY=<FINGERPRINT> with --key), which the pre-receive hook reads as the pusher.
Anything but git-receive-pack / git-upload-pack is refused. Exit code: git-shell's, or 1.`;

export interface GitShellCommandOptions {
  cwd: string;
  argv: string[];
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

export async function gitShellCommand(opts: GitShellCommandOptions): Promise<number> {
  const { values } = parseArgs({
    args: opts.argv,
    options: { as: { type: 'string' }, key: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    opts.stdout(`${gitShellHelp}\n`);
    return 0;
  }
  if (!values.as) throw new UsageError('--as <identity> is required');
  const plan = planGitShell(values.as, process.env.SSH_ORIGINAL_COMMAND, process.env, values.key);
  if (!plan.ok) {
    opts.stderr(`tappaas git-shell: ${plan.message}\n`);
    return 1;
  }
  const [cmd, ...args] = plan.argv;
  return new Promise((resolve) => {
    const child = spawn(cmd!, args, { stdio: 'inherit', env: plan.env });
    child.on('error', (e) => {
      opts.stderr(`tappaas git-shell: cannot run git-shell: ${e.message}\n`);
      resolve(1);
    });
    child.on('close', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}
