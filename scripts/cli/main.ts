// The `tappaas` entry: dispatch to one command, turn errors into exit codes. The only file
// that exits the process.
import { ConfigError } from '../lint/config.js';
import { UsageError } from './errors.js';
import { lintCommand, lintHelp } from './lint.js';

const HELP = `tappaas: one git repository as the single source of truth for a NixOS fleet

Usage: tappaas <command> [options]

Commands:
  lint [PATH...]        lint Nix files (default: nix/ and flake.nix)

Run \`tappaas <command> --help\` for a command's options.
Exit codes: 0 ok, 1 findings / rejected / failed hosts, 2 usage or internal error.`;

type Command = (opts: {
  cwd: string;
  argv: string[];
  stdout: (t: string) => void;
  stderr: (t: string) => void;
  isTTY: boolean;
}) => Promise<number>;

const COMMANDS: Record<string, { run: Command; help: string }> = {
  lint: { run: lintCommand, help: lintHelp },
};

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const stdout = (t: string) => process.stdout.write(t);
  const stderr = (t: string) => process.stderr.write(t);
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    stdout(`${HELP}\n`);
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-v') {
    stdout(`${process.env.npm_package_version ?? VERSION}\n`);
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    stderr(`tappaas: unknown command ${JSON.stringify(name)}\n\n${HELP}\n`);
    return 2;
  }
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
