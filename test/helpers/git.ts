// Throwaway git repositories for hook tests: a bare "server" and a work clone, driven by the
// real git with no system or user configuration leaking in.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(
  cmd: string,
  args: string[],
  opts: { cwd: string; env?: NodeJS.ProcessEnv; input?: string | Buffer },
): Run {
  const r = spawnSync(cmd, args, { cwd: opts.cwd, env: opts.env, input: opts.input, encoding: 'utf8' });
  if (r.error) throw r.error;
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** `run` without blocking the event loop: for processes that must overlap, or that talk to a server in this process. */
export function runAsync(
  cmd: string,
  args: string[],
  opts: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (t: string) => {
      stdout += t;
    });
    child.stderr.setEncoding('utf8').on('data', (t: string) => {
      stderr += t;
    });
    const timer = opts.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs) : undefined;
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

export class GitFixture {
  readonly root: string;
  readonly bare: string;
  readonly work: string;
  readonly env: NodeJS.ProcessEnv;

  constructor(prefix = 'tappaas-git-') {
    this.root = mkdtempSync(join(tmpdir(), prefix));
    this.bare = join(this.root, 'server.git');
    this.work = join(this.root, 'work');
    this.env = {
      PATH: process.env.PATH,
      HOME: this.root,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: join(this.root, 'gitconfig'),
      GIT_AUTHOR_DATE: '2026-01-01T00:00:00Z',
      GIT_COMMITTER_DATE: '2026-01-01T00:00:00Z',
      LANG: 'C',
    };
    writeFileSync(
      join(this.root, 'gitconfig'),
      '[init]\n\tdefaultBranch = main\n[advice]\n\tdetachedHead = false\n',
    );
    this.git(['init', '-q', '--bare', this.bare], this.root);
    this.git(['init', '-q', this.work], this.root);
    this.git(['remote', 'add', 'origin', this.bare]);
  }

  /** Runs git and throws on failure (for setup steps). */
  git(args: string[], cwd = this.work, env: NodeJS.ProcessEnv = {}): string {
    const r = run('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.invalid', ...args], {
      cwd,
      env: { ...this.env, ...env },
    });
    if (r.code !== 0) throw new Error(`git ${args.join(' ')} failed: ${r.stderr}`);
    return r.stdout.trim();
  }

  /** Commits file changes (null deletes) on top of `base` (detached); returns the commit id. */
  commit(
    base: string | undefined,
    files: Record<string, string | Buffer | null>,
    message = 'change',
  ): string {
    if (base) this.git(['checkout', '-q', '--detach', base]);
    for (const [path, content] of Object.entries(files)) {
      const abs = join(this.work, path);
      if (content === null) rmSync(abs, { force: true });
      else {
        mkdirSync(dirname(abs), { recursive: true });
        writeFileSync(abs, content);
      }
    }
    this.git(['add', '-A']);
    this.git(['commit', '-q', '--allow-empty', '-m', message]);
    return this.git(['rev-parse', 'HEAD']);
  }

  /** `git push origin ...` as an identity (environment of the hook), never throwing. */
  push(args: string[], env: NodeJS.ProcessEnv = {}): Run {
    return run('git', ['push', '--porcelain', 'origin', ...args], {
      cwd: this.work,
      env: { ...this.env, ...env },
    });
  }

  /** Latest main of the server, fetched into the work clone. */
  main(): string {
    this.git(['fetch', '-q', 'origin', '+refs/heads/main:refs/remotes/origin/main']);
    return this.git(['rev-parse', 'refs/remotes/origin/main']);
  }

  serverRef(ref: string): string | undefined {
    const r = run('git', ['rev-parse', '--verify', '-q', ref], { cwd: this.bare, env: this.env });
    return r.code === 0 ? r.stdout.trim() : undefined;
  }

  cleanup(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}
