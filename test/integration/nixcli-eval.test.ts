// The evaluation adapter against real Nix on the no-nixpkgs fixture fleet: batches, errors
// landing on the right host with file:line, timeouts, kills, memory stops, builds.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildHosts } from '../../scripts/nixcli/build.js';
import { diffClosures } from '../../scripts/nixcli/closures.js';
import { evaluateHosts } from '../../scripts/nixcli/evaluate.js';
import { localFlake } from '../../scripts/nixcli/flake.js';
import { FlakeError, listHosts } from '../../scripts/nixcli/hosts.js';
import type { EvalEvent } from '../../scripts/nixcli/types.js';
import { breakTwoHosts, type NixFleet, offlineNixEnv, writeNixFleet } from '../helpers/nix-fleet.js';

const env = offlineNixEnv();
const hostFile = (h: string) => `nix/hosts/${h}.nix`;

function fleetDir(hosts: number, expensive = 0): NixFleet {
  return writeNixFleet(mkdtempSync(join(tmpdir(), 'tappaas-nixcli-')), { hosts, expensive });
}

describe('listHosts', () => {
  it('lists nixosConfigurations', async () => {
    const f = fleetDir(3);
    expect(await listHosts(localFlake(f.dir), { env })).toEqual(['cache2', 'db1', 'web0']);
  });

  it('names flake.nix and the line when the flake does not parse', async () => {
    const f = fleetDir(2);
    f.write('flake.nix', '{\n  outputs = = { self }: { };\n}\n');
    const err = await listHosts(localFlake(f.dir), { env }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlakeError);
    expect((err as FlakeError).trimmed.at).toMatchObject({ file: 'flake.nix', line: 2 });
  });
});

describe('evaluateHosts on a 20-host fleet with a broken host and a failing build', () => {
  let f: NixFleet;
  beforeAll(() => {
    f = fleetDir(20);
    breakTwoHosts(f);
  });

  it('evaluates all hosts in two processes, reports the eval error on its host, and builds', async () => {
    const events: EvalEvent[] = [];
    const flake = localFlake(f.dir);
    const evaluated = await evaluateHosts(flake, f.hosts, {
      env,
      jobs: 2,
      hostFile,
      onEvent: (e) => events.push(e),
    });
    expect(evaluated.map((r) => r.name)).toEqual(f.hosts);
    const bad = evaluated.find((r) => r.name === 'db1')!;
    expect(bad).toMatchObject({
      status: 'eval-error',
      cause: 'nix-error',
      file: 'nix/hosts/db1.nix',
      line: 7,
    });
    expect(bad.error).toMatch(/^nix\/hosts\/db1\.nix:7:25: undefined variable 'portBase'/);
    expect(evaluated.filter((r) => r.status === 'ok')).toHaveLength(19);
    for (const r of evaluated.filter((x) => x.status === 'ok')) {
      expect(r.drvPath).toMatch(new RegExp(`^/nix/store/[a-z0-9]{32}-nixos-system-${r.name}\\.drv$`));
      expect(r.outPath).toMatch(new RegExp(`^/nix/store/[a-z0-9]{32}-nixos-system-${r.name}$`));
    }
    // Two batches, and one restart after the failing host for the rest of its batch.
    const processes = events.filter((e) => e.type === 'process');
    expect(processes.map((e) => (e.type === 'process' ? e.reason : ''))).toEqual([
      'batch',
      'batch',
      'restart',
    ]);

    const built = await buildHosts(flake, evaluated, { env, jobs: 2, hostFile });
    const broken = built.find((r) => r.name === 'cache2')!;
    expect(broken).toMatchObject({
      status: 'build-error',
      cause: 'build-failed',
      file: 'nix/hosts/cache2.nix',
      line: 8,
    });
    expect(broken.error).toContain('builder for broken-tool-1.0 failed with exit code 3');
    expect(broken.error).toContain('> broken-tool: self-test failed');
    expect(built.filter((r) => r.status === 'ok')).toHaveLength(18);
    expect(built.find((r) => r.name === 'db1')?.status).toBe('eval-error');
  });

  it('diffs two closures', async () => {
    const flake = localFlake(f.dir);
    const [a, b] = await evaluateHosts(flake, ['web0', 'db7'], { env });
    await buildHosts(flake, [a!, b!], { env });
    const d = await diffClosures(a!.outPath!, b!.outPath!, { env });
    expect(d.ok).toBe(true);
    if (d.ok) expect(d.text).toMatch(/nginx: 1\.26\.0 → ∅/);
  });
});

describe('buildHosts when the failed package is not named in the repo', () => {
  it('points at the host file', async () => {
    const f = fleetDir(2);
    f.writeHost('db1', 1, {
      lines: ['  packages = [ (pkgs.mk { pname = "gen" + "erated"; version = "2"; script = "exit 1"; }) ];'],
      packages: [],
    });
    const flake = localFlake(f.dir);
    const built = await buildHosts(flake, await evaluateHosts(flake, f.hosts, { env }), { env, hostFile });
    expect(built.find((h) => h.name === 'db1')).toMatchObject({
      status: 'build-error',
      file: 'nix/hosts/db1.nix',
      line: 1,
      message: 'builder for generated-2 failed with exit code 1',
    });
    expect(built.find((h) => h.name === 'web0')?.status).toBe('ok');
  });
});

describe('evaluateHosts when Nix is stopped', () => {
  it('reports a timeout on the host that took too long and evaluates the others', async () => {
    const f = fleetDir(4);
    // db1 alone computes for a long time.
    f.writeHost('db1', 1, {
      lines: ["  settings.slow = builtins.foldl' (a: b: a + b) 0 (builtins.genList (i: i) 20000000);"],
    });
    const r = await evaluateHosts(localFlake(f.dir), f.hosts, { env, timeoutMs: 1500, hostFile });
    expect(r.find((h) => h.name === 'db1')).toMatchObject({ status: 'eval-error', cause: 'timeout' });
    expect(r.find((h) => h.name === 'db1')?.error).toMatch(/timed out after 1\.5 s/);
    expect(r.filter((h) => h.status === 'ok').map((h) => h.name)).toEqual(['cache2', 'proxy3', 'web0']);
  });

  it('reports a Nix process killed mid-evaluation on the host it was on', async () => {
    const f = fleetDir(4);
    f.writeHost('db1', 1, {
      lines: ["  settings.slow = builtins.foldl' (a: b: a + b) 0 (builtins.genList (i: i) 20000000);"],
    });
    // A wrapper that runs the real nix and, once db1 starts, kills it and itself (SIGKILL, as
    // the OOM killer would), so the process we started dies by a signal mid-evaluation.
    const dir = mkdtempSync(join(tmpdir(), 'tappaas-killer-'));
    const wrapper = join(dir, 'nix');
    writeFileSync(
      wrapper,
      [
        '#!/bin/sh',
        'nix "$@" 2> "$0.err" &',
        'pid=$!',
        'while kill -0 $pid 2>/dev/null; do',
        '  if grep -q \'"start":"db1"\' "$0.err"; then kill -9 $pid; cat "$0.err" >&2; kill -9 $$; fi',
        '  sleep 0.05',
        'done',
        'cat "$0.err" >&2',
        'wait $pid',
      ].join('\n'),
      { mode: 0o755 },
    );
    const r = await evaluateHosts(localFlake(f.dir), f.hosts, { env, program: wrapper, hostFile });
    const db1 = r.find((h) => h.name === 'db1')!;
    expect(db1.status).toBe('eval-error');
    expect(db1.error).toMatch(/killed/i);
    expect(r.filter((h) => h.status === 'ok').map((h) => h.name)).toEqual(['cache2', 'proxy3', 'web0']);
  });

  // One host of this fleet peaks near 90 MiB (the shared table), a process that has not
  // evaluated anything yet near 26 MiB.
  it('restarts a process that is over its memory budget after a host, and every host evaluates', async () => {
    const f = fleetDir(3);
    // Each host needs its own large value, so memory grows host by host.
    for (const [i, h] of f.hosts.entries())
      f.writeHost(h, i, {
        lines: [
          `  settings.own = builtins.foldl' builtins.bitXor 0 (builtins.genList (i: i * ${i + 2}) 300000);`,
        ],
      });
    const events: EvalEvent[] = [];
    const r = await evaluateHosts(localFlake(f.dir), f.hosts, {
      env,
      maxMemoryMiB: 60,
      onEvent: (e) => events.push(e),
    });
    expect(r.map((h) => h.status)).toEqual(['ok', 'ok', 'ok']);
    const reasons = events.flatMap((e) => (e.type === 'process' ? [e.reason] : []));
    expect(reasons).toEqual(['batch', 'memory', 'memory']);
  });

  it('reports a host that needs more than twice the budget as out-of-memory, after trying it alone', async () => {
    // The shared table alone needs some 450 MiB and 1.4 s here: far over the limit for long
    // enough that the 250 ms memory poll sees it even on a loaded runner (at 240 MiB and
    // 0.5 s a busy CI machine once let the first host finish between two polls).
    const f = fleetDir(2, 3_000_000);
    const events: EvalEvent[] = [];
    const r = await evaluateHosts(localFlake(f.dir), f.hosts, {
      env,
      maxMemoryMiB: 35,
      onEvent: (e) => events.push(e),
    });
    expect(r.map((h) => [h.status, h.cause])).toEqual([
      ['eval-error', 'out-of-memory'],
      ['eval-error', 'out-of-memory'],
    ]);
    expect(r[0]?.error).toMatch(/more than 70 MiB/);
    expect(events.flatMap((e) => (e.type === 'process' ? [e.reason] : []))).toContain('isolate');
  });
});
