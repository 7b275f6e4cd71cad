// runNix against the real nix: feature flags, exit codes as results, timeouts and aborts that
// take the whole process group down, the memory stop.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NixMissingError, runNix } from '../../scripts/nixcli/run.js';
import { offlineNixEnv } from '../helpers/nix-fleet.js';

const env = { ...offlineNixEnv(), NIX_CONFIG: 'substituters =' }; // features come from runNix itself

/** Running (a zombie waiting for a reaper counts as gone). */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

describe('runNix', () => {
  it('enables nix-command and flakes by itself and returns stdout', async () => {
    const r = await runNix(['eval', '--json', '--expr', '{ a = 1 + 1; }'], { env });
    expect(r).toMatchObject({ code: 0, signal: null, timedOut: false });
    expect(JSON.parse(r.stdout)).toEqual({ a: 2 });
  });

  it('returns a failed evaluation as a result, stderr included', async () => {
    const r = await runNix(['eval', '--expr', 'throw "nope"'], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error: nope');
  });

  it('passes stdin and the working directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tappaas-run-'));
    const fake = join(dir, 'nix');
    writeFileSync(fake, '#!/bin/sh\npwd\necho "$@"\ncat\nexit 3\n', { mode: 0o755 });
    const r = await runNix(['eval', '.#x'], { program: fake, input: 'from stdin', cwd: dir });
    expect(r.code).toBe(3);
    expect(r.stdout).toBe(`${dir}\n--extra-experimental-features nix-command flakes eval .#x\nfrom stdin`);
  });

  it('stops the whole process group on timeout', async () => {
    // A stand-in for nix that starts a grandchild, to see that the group goes, not just nix.
    const dir = mkdtempSync(join(tmpdir(), 'tappaas-run-'));
    const fake = join(dir, 'nix');
    const pidFile = join(dir, 'child.pid');
    writeFileSync(fake, `#!/bin/sh\nsleep 60 &\necho $! > ${pidFile}\nwait\n`, { mode: 0o755 });
    const t0 = Date.now();
    const r = await runNix(['eval'], { program: fake, timeoutMs: 300 });
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(r.timedOut).toBe(true);
    expect(r.code).toBeNull();
    const grandchild = Number(readFileSync(pidFile, 'utf8'));
    await new Promise((res) => setTimeout(res, 100));
    expect(alive(grandchild)).toBe(false);
  });

  it('times out a real evaluation', async () => {
    const r = await runNix(
      ['eval', '--expr', "builtins.foldl' (a: b: a + b) 0 (builtins.genList (i: i) 20000000)"],
      { env, timeoutMs: 300 },
    );
    expect(r.timedOut).toBe(true);
    // Nix handles SIGTERM: it stops and exits 1 ("interrupted by the user").
    expect(r.code === 1 || r.signal !== null).toBe(true);
  });

  it('aborts on a signal', async () => {
    const ac = new AbortController();
    const p = runNix(
      ['eval', '--expr', "builtins.foldl' (a: b: a + b) 0 (builtins.genList (i: i) 20000000)"],
      {
        env,
        signal: ac.signal,
      },
    );
    setTimeout(() => ac.abort(), 200);
    const r = await p;
    expect(r.aborted).toBe(true);
    expect(r.code).not.toBe(0);
  });

  it('kills a process over its memory budget', async () => {
    const r = await runNix(['eval', '--expr', 'builtins.length (builtins.genList (i: [ i ]) 30000000)'], {
      env,
      maxRssMiB: 100,
      timeoutMs: 30_000,
    });
    expect(r.memoryExceeded).toBe(true);
    expect(r.signal).toBe('SIGKILL');
    expect(r.peakRssMiB).toBeGreaterThan(100);
  });

  it('throws NixMissingError only when nix cannot start', async () => {
    await expect(runNix(['--version'], { program: '/nonexistent/nix' })).rejects.toBeInstanceOf(
      NixMissingError,
    );
    expect(existsSync('/nonexistent/nix')).toBe(false);
  });
});
