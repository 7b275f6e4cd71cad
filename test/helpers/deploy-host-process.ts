// Runs deployHost in a separate node process, so a test can kill the deployer outright (the
// way a CI runner dies) and watch what the target does without it. The entry is bundled once
// with esbuild; the request goes in as JSON on argv, phases and the result come out as JSON lines.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { HostDeployRequest } from '../../scripts/deploy/types.js';
import { REPO } from './run-cli.js';

let bundled: Promise<string> | undefined;

function bundle(): Promise<string> {
  bundled ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tappaas-deployer-'));
    const entry = join(dir, 'entry.ts');
    writeFileSync(
      entry,
      `import { deployHost } from ${JSON.stringify(join(REPO, 'scripts/deploy/deploy-host.ts'))};
const req = JSON.parse(process.argv[2]);
req.onPhase = (phase) => {
  process.stdout.write(JSON.stringify({ phase }) + '\\n');
  // Frozen on the spot (the phase line is out: stdout to a pipe is synchronous on Linux), so a
  // test can kill the deployer at an exact point instead of racing it.
  if (phase === process.env.TAPPAAS_TEST_FREEZE_AT) process.kill(process.pid, 'SIGSTOP');
};
const result = await deployHost(req);
process.stdout.write(JSON.stringify({ result }) + '\\n');
`,
    );
    const out = join(dir, 'deployer.mjs');
    await build({
      entryPoints: [entry],
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: out,
      logLevel: 'error',
    });
    return out;
  })();
  return bundled;
}

export interface DeployerProcess {
  child: ChildProcess;
  /** Resolves when the deployer reports this phase (or rejects when it exits first). */
  phase(name: string): Promise<void>;
  exited: Promise<number | null>;
}

/** `freezeAt`: the deployer stops itself (SIGSTOP) the moment it enters this phase. */
export async function spawnDeployer(
  req: Omit<HostDeployRequest, 'onPhase'>,
  opts: { freezeAt?: string } = {},
): Promise<DeployerProcess> {
  const child = spawn(process.execPath, [await bundle(), JSON.stringify(req)], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, TAPPAAS_TEST_FREEZE_AT: opts.freezeAt ?? '' },
  });
  const seen = new Set<string>();
  const waiters: { name: string; resolve: () => void }[] = [];
  let buf = '';
  child.stdout!.on('data', (b: Buffer) => {
    buf += b.toString();
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      const msg = JSON.parse(buf.slice(0, nl)) as { phase?: string };
      buf = buf.slice(nl + 1);
      if (msg.phase) {
        seen.add(msg.phase);
        for (const w of waiters.filter((w) => w.name === msg.phase)) w.resolve();
      }
    }
  });
  const exited = new Promise<number | null>((r) => child.on('close', r));
  return {
    child,
    exited,
    phase: (name) =>
      seen.has(name)
        ? Promise.resolve()
        : new Promise<void>((resolve, reject) => {
            waiters.push({ name, resolve });
            exited.then(() => reject(new Error(`deployer exited before phase ${name}`)));
          }),
  };
}
