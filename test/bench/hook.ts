// The server hook's speed: the installed pre-receive hook run directly on git's stdin lines
// in a bare repository (objects already there, as git runs it), and whole `git push`es,
// against `node -e 0` in the same run. Targets (issue 4): a typical push (1 commit, 5 changed
// .nix files) under 4x `node -e 0`; a 500-host fleet pushed at once under 2 s. Issue 13: 1,000
// new branches pushed into a repository with 2,000 refs cost at most 2x the same push into the
// same repository without the hook.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hardwareText, hostName, writeFleet } from './fleet.js';
import { median } from './measure.js';

const CLI = fileURLToPath(new URL('./tappaas.mjs', import.meta.url));
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
// BENCH_KEEP=1 keeps the repositories (to profile the hook in them).
const BIG_HOSTS = Number(process.env.BENCH_HOSTS ?? 500);
const NEW_BRANCHES = Number(process.env.BENCH_NEW_BRANCHES ?? 1000);
const OLD_REFS = Number(process.env.BENCH_OLD_REFS ?? 2000);
const ZERO = '0'.repeat(40);
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
// Instructions counted by valgrind (every process of the run: node, git, the shim): a figure the
// load of a shared machine does not move. BENCH_INSTRUCTIONS=0 skips it (about a minute).
const VALGRIND = ['/usr/bin/valgrind', '/usr/local/bin/valgrind'].find((p) => existsSync(p));

const POLICY = {
  policy: {
    protectedBranches: [{ pattern: 'main', allow: ['alice'] }],
    ciIdentities: ['ci-merge'],
    protectedTags: ['v*'],
  },
};

interface Sample {
  ms: number;
  cpuMs: number | undefined;
  code: number | null;
  stderr: string;
}

/** One process to completion, with stdin, wall time and (via /usr/bin/time) its CPU time. */
function sample(cmd: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv; input?: string }) {
  const cpuFile = TIME ? join(tmpdir(), `tappaas-bench-hook-${process.pid}-${++spawned}`) : undefined;
  const [program, argv] =
    TIME && cpuFile ? [TIME, ['-f', '%U %S', '-o', cpuFile, cmd, ...args]] : [cmd, args];
  return new Promise<Sample>((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(program, argv, { cwd: opts.cwd, env: opts.env, stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.stdin.on('error', () => {});
    child.stdin.end(opts.input ?? '');
    child.on('close', (code) => {
      const ms = performance.now() - t0;
      let cpuMs: number | undefined;
      if (cpuFile) {
        try {
          const [user = 0, sys = 0] = readFileSync(cpuFile, 'utf8').trim().split(/\s+/).slice(-2).map(Number);
          cpuMs = (user + sys) * 1000;
        } catch {
          // no CPU figure: the wall clock stands
        }
        rmSync(cpuFile, { force: true });
      }
      resolve({ ms, cpuMs, code, stderr });
    });
  });
}
let spawned = 0;

/** Millions of instructions of one run, child processes included; undefined when unavailable. */
function instructions(
  cmd: string,
  args: string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv; input?: string },
) {
  if (!VALGRIND || process.env.BENCH_INSTRUCTIONS === '0') return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'tappaas-bench-callgrind-'));
  try {
    const r = spawnSync(
      VALGRIND,
      [
        '--tool=callgrind',
        '--trace-children=yes',
        `--callgrind-out-file=${join(dir, 'cg.%p')}`,
        cmd,
        ...args,
      ],
      { cwd: opts.cwd, env: opts.env, input: opts.input ?? '', stdio: ['pipe', 'ignore', 'ignore'] },
    );
    if (r.status !== 0) return undefined;
    let total = 0;
    for (const f of readdirSync(dir)) {
      const m = /^summary: (\d+)$/m.exec(readFileSync(join(dir, f), 'utf8'));
      total += m ? Number(m[1]) : 0;
    }
    return total / 1e6;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Figure {
  name: string;
  ms: number;
  cpuMs: number | undefined;
  note: string;
}

/** Runs `once` RUNS times (with `reset` untimed after each) and keeps the medians. */
async function measure(
  name: string,
  runs: number,
  once: () => Promise<Sample>,
  reset: () => void = () => {},
): Promise<Figure> {
  const [figure] = await measureTogether([{ name, once, reset }], runs);
  return figure!;
}

interface Case {
  name: string;
  once: () => Promise<Sample>;
  reset?: () => void;
}

/**
 * Runs the cases in turn, `runs` rounds, and keeps each one's medians: cases compared with
 * each other meet the same load of a shared machine.
 */
async function measureTogether(cases: Case[], runs: number): Promise<Figure[]> {
  const samples: Sample[][] = cases.map(() => []);
  for (let i = 0; i < runs; i++) {
    for (const [at, c] of cases.entries()) {
      samples[at]!.push(await c.once());
      c.reset?.();
    }
  }
  return cases.map((c, at) => figureOf(c.name, samples[at]!));
}

function figureOf(name: string, samples: Sample[]): Figure {
  const last = samples.at(-1)!;
  const cpu = samples.flatMap((s) => (s.cpuMs === undefined ? [] : [s.cpuMs]));
  const verdict = last.code === 0 ? 'accepted' : `REFUSED (exit ${last.code})`;
  const verdictLines = last.stderr.split('\n').filter((l) => /tappaas: .*(passed|accepted|rejected)/.test(l));
  const summary = verdictLines.at(-1) ?? '';
  const findings = [...new Set(summary.match(/\d+ (?:errors?|warnings?)\b/g) ?? [])].join(', ');
  if (last.code !== 0 && !name.startsWith('node')) process.stderr.write(last.stderr);
  return {
    name,
    ms: median(samples.map((s) => s.ms)),
    cpuMs: cpu.length ? median(cpu) : undefined,
    note: name.startsWith('node') ? '' : `${verdict}${findings ? ` (${findings})` : ''}`,
  };
}

function table(rows: Figure[], base: number): string {
  const cells = [
    ['', 'wall', 'cpu', 'x node', ''],
    ...rows.map((r) => [
      r.name,
      `${r.ms.toFixed(0)} ms`,
      r.cpuMs === undefined ? '' : `${r.cpuMs.toFixed(0)} ms`,
      `${(r.ms / base).toFixed(2)}x`,
      r.note,
    ]),
  ];
  const width = cells[0]!.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  return cells
    .map((row) =>
      row
        .map((c, i) => (i === 0 || i === 4 ? c.padEnd(width[i]!) : c.padStart(width[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

class Repos {
  readonly bare: string;
  readonly work: string;
  constructor(
    readonly root: string,
    readonly env: NodeJS.ProcessEnv,
    name: string,
  ) {
    this.bare = join(root, `${name}.git`);
    this.work = join(root, name);
    this.git(['init', '-q', '--bare', this.bare], root);
    this.git(['init', '-q', this.work], root);
    this.git(['remote', 'add', 'origin', this.bare]);
  }

  git(args: string[], cwd = this.work, env: NodeJS.ProcessEnv = {}): string {
    const r = spawnSync('git', ['-c', 'user.name=Bench', '-c', 'user.email=bench@example.invalid', ...args], {
      cwd,
      env: { ...this.env, ...env },
      encoding: 'utf8',
      maxBuffer: 1 << 28,
    });
    if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${r.stderr}`);
    return r.stdout.trim();
  }

  commitAll(message: string): string {
    this.git(['add', '-A']);
    this.git(['commit', '-q', '-m', message]);
    return this.git(['rev-parse', 'HEAD']);
  }

  install(): void {
    const r = spawnSync(process.execPath, [CLI, 'hook', 'install', this.bare], {
      env: this.env,
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`tappaas hook install failed: ${r.stderr}`);
  }

  /** Puts a commit's objects in the server without any ref pointing at it (FETCH_HEAD only). */
  carry(branch: string): void {
    this.git(['fetch', '-q', this.work, `refs/heads/${branch}`], this.bare);
  }

  /** The installed hook, as git runs it: in the bare repository, the update lines on stdin. */
  hook(lines: string, pusher: string): Promise<Sample> {
    return sample(...this.hookRun(lines, pusher));
  }

  hookInstructions(lines: string, pusher: string): number | undefined {
    return instructions(...this.hookRun(lines, pusher));
  }

  private hookRun(
    lines: string,
    pusher: string,
  ): [string, string[], { cwd: string; env: NodeJS.ProcessEnv; input: string }] {
    return [
      join(this.bare, 'hooks', 'pre-receive'),
      [],
      { cwd: this.bare, env: { ...this.env, GIT_DIR: '.', TAPPAAS_PUSHER: pusher }, input: lines },
    ];
  }

  push(refspec: string, pusher: string, remote = 'origin'): Promise<Sample> {
    return sample('git', ['push', '-q', remote, refspec], {
      cwd: this.work,
      env: { ...this.env, TAPPAAS_PUSHER: pusher },
    });
  }

  /** Deletes a server's refs under a prefix behind the hook's back, between runs. */
  deleteRefs(prefix: string, bare = this.bare): void {
    const refs = this.git(['for-each-ref', '--format=delete %(refname)', prefix], bare);
    const r = spawnSync('git', ['update-ref', '--stdin'], { cwd: bare, env: this.env, input: `${refs}\n` });
    if (r.status !== 0) throw new Error(`git update-ref --stdin failed: ${r.stderr}`);
  }

  /** Moves (or with no oid deletes) a server ref behind the hook's back, between runs. */
  setRef(ref: string, oid?: string): void {
    this.git(oid ? ['update-ref', ref, oid] : ['update-ref', '-d', ref], this.bare);
  }
}

export async function hookBench(log: (line: string) => void): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'tappaas-bench-hook-'));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: root,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: join(root, 'gitconfig'),
    LANG: 'C',
  };
  writeFileSync(join(root, 'gitconfig'), '[init]\n\tdefaultBranch = main\n');
  try {
    const policy = `${JSON.stringify(POLICY, null, 2)}\n`;

    // (a) A fleet of 60 hosts on main; one commit changing 5 .nix files on top of it.
    const t = new Repos(root, env, 'typical');
    const fleet = writeFleet(t.work, 60, { 'tappaas.json': policy });
    const mainOid = t.commitAll('fleet');
    t.git(['push', '-q', 'origin', 'HEAD:refs/heads/main']);
    t.install();
    t.git(['checkout', '-q', '-b', 'feature']);
    for (let i = 0; i < 5; i++) {
      const name = hostName(i);
      writeFileSync(join(t.work, 'nix', 'hardware', `${name}-hw.nix`), hardwareText(name, 1000 + i));
    }
    const featOid = t.commitAll('5 hardware files regenerated');
    t.carry('feature');
    log(
      `typical: ${fleet.files.length} files (${(fleet.bytes / 1e6).toFixed(2)} MB) on main; 1 commit changing 5 .nix files`,
    );
    log(`each figure is the median of ${RUNS} runs (BENCH_RUNS); wall and CPU (user+sys, with children)`);

    const rows: Figure[] = [];
    const node = await measure('node -e 0', RUNS, () =>
      sample(process.execPath, ['-e', '0'], { cwd: root, env }),
    );
    rows.push(node);
    const feature = await measure('hook, new feature branch (stdin)', RUNS, () =>
      t.hook(`${ZERO} ${featOid} refs/heads/feature/x\n`, 'bob'),
    );
    rows.push(feature);
    const main = await measure('hook, main by allowed identity (stdin)', RUNS, () =>
      t.hook(`${mainOid} ${featOid} refs/heads/main\n`, 'alice'),
    );
    rows.push(main);
    rows.push(
      await measure(
        'git push, new feature branch',
        RUNS,
        () => t.push('feature:refs/heads/feature/x', 'bob'),
        () => t.setRef('refs/heads/feature/x'),
      ),
    );
    rows.push(
      await measure(
        'git push, main by allowed identity',
        RUNS,
        () => t.push('feature:refs/heads/main', 'alice'),
        () => t.setRef('refs/heads/main', mainOid),
      ),
    );
    rows.push(
      await measure('node -e 0 (again, after)', RUNS, () =>
        sample(process.execPath, ['-e', '0'], { cwd: root, env }),
      ),
    );
    const base = median([node.ms, rows.at(-1)!.ms]);
    // After the timed runs: the hook's caches (code, fleet facts) are as a busy server has them.
    const counted = {
      node: instructions(process.execPath, ['-e', '0'], { cwd: root, env }),
      feature: t.hookInstructions(`${ZERO} ${featOid} refs/heads/feature/x\n`, 'bob'),
      main: t.hookInstructions(`${mainOid} ${featOid} refs/heads/main\n`, 'alice'),
    };

    // (c) A whole fleet at once: every file new at the tip.
    const b = new Repos(root, env, 'big');
    writeFileSync(join(b.work, 'tappaas.json'), policy);
    const policyOid = b.commitAll('policy');
    b.git(['push', '-q', 'origin', 'HEAD:refs/heads/main']);
    b.install();
    b.git(['checkout', '-q', '-b', 'fleet']);
    const big = writeFleet(b.work, BIG_HOSTS);
    const bigOid = b.commitAll(`${BIG_HOSTS}-host fleet`);
    b.carry('fleet');
    const bigRuns = Math.max(3, Math.ceil(RUNS / 2));
    const bigHook = await measure(`hook, ${BIG_HOSTS}-host fleet to main (stdin)`, bigRuns, () =>
      b.hook(`${policyOid} ${bigOid} refs/heads/main\n`, 'alice'),
    );
    rows.push(bigHook);
    rows.push(
      await measure(`hook, ${BIG_HOSTS}-host fleet, new branch (stdin)`, bigRuns, () =>
        b.hook(`${ZERO} ${bigOid} refs/heads/fleet\n`, 'bob'),
      ),
    );
    rows.push(
      await measure(
        `git push, ${BIG_HOSTS}-host fleet to main`,
        bigRuns,
        () => b.push('fleet:refs/heads/main', 'alice'),
        () => b.setRef('refs/heads/main', policyOid),
      ),
    );

    // (d) Many refs at once: new branches (one new commit each) into a repository that already
    // has many refs, with the hook and into a copy without it.
    const m = new Repos(root, env, 'many');
    const plain = manyRefs(m, root, policy);
    const many = `${NEW_BRANCHES.toLocaleString('en')} new branches against ${OLD_REFS.toLocaleString('en')} refs`;
    const newRefs = 'refs/heads/new/*:refs/heads/new/*';
    const manyRuns = Math.max(3, Math.ceil(RUNS / 2));
    const [manyPlain, manyHooked] = await measureTogether(
      [
        {
          name: `git push, ${many}, no hook`,
          once: () => m.push(newRefs, 'bob', plain),
          reset: () => m.deleteRefs('refs/heads/new/', plain),
        },
        {
          name: `git push, ${many}`,
          once: () => m.push(newRefs, 'bob'),
          reset: () => m.deleteRefs('refs/heads/new/'),
        },
      ],
      manyRuns,
    );
    rows.push(manyPlain!, manyHooked!);
    const manyLines = m
      .git(['for-each-ref', '--format=%(objectname) %(refname)', 'refs/heads/new/'])
      .split('\n')
      .map((l) => `${ZERO} ${l}\n`)
      .join('');
    rows.push(await measure(`hook, ${many} (stdin)`, manyRuns, () => m.hook(manyLines, 'bob')));

    log(`big: ${big.files.length} files (${(big.bytes / 1e6).toFixed(2)} MB), all new at the tip`);
    log(
      `many: ${OLD_REFS} refs on the server (branches and tags over 1,000 commits); ${NEW_BRANCHES} new branches of one commit each (BENCH_OLD_REFS, BENCH_NEW_BRANCHES)`,
    );
    log(table(rows, base));
    const worst = Math.max(feature.ms, main.ms) / base;
    log(
      `typical push (hook, worse of the two) vs node -e 0: ${worst.toFixed(2)}x (target < 4x) ${worst < 4 ? 'ok' : 'MISSED'}`,
    );
    log(
      `${BIG_HOSTS}-host fleet (hook): ${(bigHook.ms / 1000).toFixed(2)} s (target < 2 s) ${bigHook.ms < 2000 ? 'ok' : 'MISSED'}`,
    );
    const manyX = manyHooked!.ms / manyPlain!.ms;
    log(
      `${many}: git push with the hook ${(manyHooked!.ms / 1000).toFixed(2)} s, without ${(manyPlain!.ms / 1000).toFixed(2)} s (taken in turns): ${manyX.toFixed(2)}x (target <= 2x) ${manyX <= 2 ? 'ok' : 'MISSED'}`,
    );
    if (counted.node && counted.feature && counted.main) {
      const x = (n: number) => `${n.toFixed(0)} M (${(n / counted.node!).toFixed(2)}x)`;
      log(
        `instructions (valgrind, all processes; load-independent): node -e 0 ${counted.node.toFixed(0)} M; hook, new feature branch ${x(counted.feature)}; hook, main ${x(counted.main)}`,
      );
    }
  } finally {
    if (process.env.BENCH_KEEP) log(`kept ${root} (BENCH_KEEP)`);
    else rmSync(root, { recursive: true, force: true });
  }
}

/**
 * The many-refs repository: 1,000 commits on main (the policy in the first), OLD_REFS refs
 * (half branches of one commit each off main, half tags of main's commits) and NEW_BRANCHES
 * local branches `new/<i>` of one commit each on main's tip, made with one fast-import. Pushed
 * (all but `new/`) to the hooked server and to a plain copy without the hook, whose path is
 * returned as a remote.
 */
function manyRefs(m: Repos, root: string, policy: string): string {
  const history = 1000;
  const commit = (ref: string, mark: number, from: number | undefined, path: string, body: string) =>
    `commit ${ref}\nmark :${mark}\ncommitter B <b@example.invalid> ${1_700_000_000 + mark} +0000\ndata 2\nc\n` +
    (from ? `from :${from}\n` : '') +
    `M 100644 inline ${path}\ndata ${Buffer.byteLength(body)}\n${body}\n`;
  let stream = commit('refs/heads/main', 1, undefined, 'tappaas.json', policy);
  for (let i = 2; i <= history; i++)
    stream += commit('refs/heads/main', i, i - 1, `log/${i % 50}.txt`, `${i}\n`);
  let mark = history;
  const branches = Math.ceil(OLD_REFS / 2);
  for (let i = 0; i < branches; i++) {
    stream += commit(`refs/heads/old/b${i}`, ++mark, 1 + (i % history), `old/${i}.txt`, `${i}\n`);
  }
  for (let i = 0; i < OLD_REFS - branches; i++)
    stream += `reset refs/tags/t${i}\nfrom :${1 + ((i * 7) % history)}\n\n`;
  for (let i = 0; i < NEW_BRANCHES; i++) {
    stream += commit(`refs/heads/new/n${i}`, ++mark, history, `new/${i}.txt`, `${i}\n`);
  }
  const r = spawnSync('git', ['fast-import', '--quiet'], { cwd: m.work, env: m.env, input: stream });
  if (r.status !== 0) throw new Error(`git fast-import failed: ${r.stderr}`);
  const plain = join(root, 'many-plain.git');
  m.git(['init', '-q', '--bare', plain], root);
  const existing = [
    'refs/heads/main:refs/heads/main',
    'refs/heads/old/*:refs/heads/old/*',
    'refs/tags/*:refs/tags/*',
  ];
  for (const remote of ['origin', plain]) m.git(['push', '-q', remote, ...existing]);
  m.install();
  return plain;
}
