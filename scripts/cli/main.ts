// The `tappaas` entry: dispatch to one command, turn errors into exit codes. The only file
// that exits the process.
import { ConfigError } from '../lint/config.js';
import { UsageError } from './errors.js';

const HELP = `tappaas: one git repository as the single source of truth for a NixOS fleet

Usage: tappaas <command> [options]

Commands:
  lint [PATH...]        lint Nix files (default: nix/ and flake.nix)
  check [--from REV]    fleet structure + lint; with --from, only new findings (ratchet)
  rules                 list the lint rules and their docs (--json, --markdown)
  hook pre-receive|install|uninstall   the server-side push gate (branch protection, registrations, lint)
  git-shell --as ID     authorized_keys forced command: record the pusher, run git-shell
  eval [HOST...]        evaluate (--build: and build) hosts' toplevels, per-host status
  deploy [HOST...]      deploy changed hosts: canary first, locked per host, health-checked
  status [HOST...]      each host's running system against what the flake builds (drift)
  rollback HOST         switch a host back to its previous system generation

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
  const command = await load();
  try {
    return await command.run({
      cwd: process.cwd(),
      argv: rest,
      stdout,
      stderr,
      isTTY: Boolean(process.stdout.isTTY),
    });
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      stderr(`tappaas ${name}: ${(err as Error).message}\n\n${command.help}\n`);
      return 2;
    }
    if (err instanceof ConfigError) {
      stderr(`tappaas ${name}: ${err.message}\n`);
      return 2;
    }
    stderr(
      `tappaas ${name}: internal error: ${(err as Error).stack ?? err}\n` +
        'This is a bug in tappaas-cicd; please report it with the command you ran.\n',
    );
    return 2;
  }
}

declare const VERSION: string;

const code = await main(process.argv.slice(2));
process.exitCode = code;
