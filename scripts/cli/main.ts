// The `tappaas` entry: dispatch to one command, turn errors into exit codes. The only file
// that exits the process.
import { ConfigError } from '../config/file.js';
import { UsageError } from './errors.js';

const HELP = `tappaas: one git repository as the single source of truth for a NixOS fleet

Usage: tappaas <command> [options]

Commands:
  lint [PATH...]        lint Nix files (default: nix/ and flake.nix)
  check [--from REV]    fleet structure + lint; with --from, only new findings (ratchet)
  rules                 list the lint rules and their docs (--json, --markdown)
  options-index [HOST...]   evaluate each host's NixOS option paths with Nix, cached per
                        flake.lock, for lint's unknown-option rule
  eval [HOST...]        evaluate (--build: and build) hosts' toplevels, per-host status
  plan --from REV       which hosts a change touches and how (toplevel paths, closure diffs)
  deploy [HOST...]      deploy changed hosts: canary first, locked per host, health-checked
  status [HOST...]      each host's running system against what the flake builds (drift)
  rollback HOST         switch a host back to its previous system generation
  hook pre-receive|install|uninstall   the server-side push gate (branch protection, registrations, lint)
  git-shell --as ID     authorized_keys forced command: record the pusher, run git-shell
  register process REF  turn a registration/<host> branch into the onboarding branch and PR
  retire HOST           prepare the branch/PR that removes a host, and say what to do in Proxmox
  pr-comment --file F   post or update one marked comment on the pull request (GitHub, Gitea)

Run \`tappaas <command> --help\` for a command's options.
Exit codes: 0 ok, 1 findings / rejected / failed hosts, 2 usage or internal error.`;

type Command = (opts: {
  cwd: string;
  argv: string[];
  stdout: (t: string) => void;
  stderr: (t: string) => void;
  isTTY: boolean;
}) => Promise<number>;

// Commands load on demand: a git hook running `tappaas lint` must not pay for the imports of
// deploy or plan. The build splits the bundle into chunks (esbuild --splitting), so the
// packages a command imports load with its chunk only; keep it so by importing commands
// here with `import()`, never statically.
const COMMANDS: Record<string, () => Promise<{ run: Command; help: string }>> = {
  lint: async () => {
    const m = await import('./lint.js');
    return { run: m.lintCommand, help: m.lintHelp };
  },
  check: async () => {
    const m = await import('./check.js');
    return { run: m.checkCommand, help: m.checkHelp };
  },
  rules: async () => {
    const m = await import('./rules.js');
    return { run: m.rulesCommand, help: m.rulesHelp };
  },
  'options-index': async () => {
    const m = await import('./options-index.js');
    return { run: m.optionsIndexCommand, help: m.optionsIndexHelp };
  },
  hook: async () => {
    const m = await import('./hook.js');
    return { run: m.hookCommand, help: m.hookHelp };
  },
  eval: async () => {
    const m = await import('./eval.js');
    return { run: m.evalCommand, help: m.evalHelp };
  },
  'git-shell': async () => {
    const m = await import('./git-shell.js');
    return { run: m.gitShellCommand, help: m.gitShellHelp };
  },
  register: async () => {
    const m = await import('./register.js');
    return { run: m.registerCommand, help: m.registerHelp };
  },
  retire: async () => {
    const m = await import('./retire.js');
    return { run: m.retireCommand, help: m.retireHelp };
  },
  'pr-comment': async () => {
    const m = await import('./pr-comment.js');
    return { run: m.prCommentCommand, help: m.prCommentHelp };
  },
  plan: async () => {
    const m = await import('./plan.js');
    return { run: m.planCommand, help: m.planHelp };
  },
  deploy: async () => {
    const m = await import('./deploy.js');
    return { run: m.deployCommand, help: m.deployHelp };
  },
  status: async () => {
    const m = await import('./status.js');
    return { run: m.statusCommand, help: m.statusHelp };
  },
  rollback: async () => {
    const m = await import('./rollback.js');
    return { run: m.rollbackCommand, help: m.rollbackHelp };
  },
};

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  // A reader that stops early (`tappaas lint | head`) closes the pipe: stop writing, but
  // finish the command so that the exit code still tells its result.
  let stdoutClosed = false;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    stdoutClosed = true;
  });
  const stdout = (t: string) => stdoutClosed || process.stdout.write(t);
  const stderr = (t: string) => process.stderr.write(t);
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    stdout(`${HELP}\n`);
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-v') {
    stdout(`${VERSION}\n`);
    return 0;
  }
  const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!load) {
    stderr(`tappaas: unknown command ${JSON.stringify(name)}\n\n${HELP}\n`);
    return 2;
  }
  let command: { run: Command; help: string } | undefined;
  try {
    command = await load();
    return await command.run({
      cwd: process.cwd(),
      argv: rest,
      stdout,
      stderr,
      isTTY: Boolean(process.stdout.isTTY),
    });
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      stderr(`tappaas ${name}: ${(err as Error).message}\n\n${command?.help ?? HELP}\n`);
      return 2;
    }
    if (err instanceof ConfigError) {
      stderr(`tappaas ${name}: ${err.message}\n`);
      return 2;
    }
    const mistake = ordinaryMistake(err, process.cwd());
    if (mistake !== undefined && !(name === 'hook' || name === 'git-shell')) {
      stderr(`tappaas ${name}: ${mistake}\n`);
      return 2;
    }
    // A pusher reads these (the hook, and the SSH forced command): fail closed, and no stack
    // trace (it would show the server's paths).
    if (name === 'hook' && rest[0] === 'pre-receive') {
      stderr(
        'tappaas: REJECTED: the push gate could not start on the server; nothing was updated. Tell the server admin.\n',
      );
      return 2;
    }
    if (name === 'git-shell') {
      stderr(
        'tappaas: the git server could not serve this request (an internal error). Tell the server admin.\n',
      );
      return 2;
    }
    stderr(
      `tappaas ${name}: internal error: ${(err as Error).stack ?? err}\n` +
        'This is a bug in tappaas-cicd; please report it with the command you ran.\n',
    );
    return 2;
  }
}

/**
 * Errors that are the user's setup, not our bug: one line with the fix, no stack trace. Known by
 * name, so the entry loads none of the modules that define them.
 */
function ordinaryMistake(err: unknown, cwd: string): string | undefined {
  const e = err as { name?: unknown; message?: unknown; hint?: unknown; stderr?: unknown };
  if (e?.name === 'RevisionError') return `${e.message}\n  fix: ${e.hint}`;
  if (e?.name === 'NixMissingError') return String(e.message);
  if (e?.name === 'GitError' && typeof e.stderr === 'string' && /^cannot run git: /.test(e.stderr))
    return `${e.stderr}\n  fix: install git (2.30 or newer) or put it on PATH`;
  if (e?.name === 'GitError' && typeof e.stderr === 'string' && /not a git repository/.test(e.stderr))
    return `${cwd} is not inside a git repository\n  fix: run tappaas in your fleet's git checkout (\`git init\` makes one, \`git clone\` fetches one)`;
  return undefined;
}

declare const VERSION: string;

const code = await main(process.argv.slice(2));
process.exitCode = code;
