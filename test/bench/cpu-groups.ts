// CPU accounting by process tree for the deploy bench: the loopback targets (every sshd and all
// they start) in one control group, the deployer (the CLI, its ssh and nix children) in another,
// so their CPU is counted apart and nothing else on the machine is counted. Uses the cgroup v1
// cpuacct controller or cgroup v2's cpu.stat, where this process may create groups (as root in
// a container); otherwise undefined, and the bench says so.
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

type Layout = { root: string; version: 1 | 2; home: string };

function layout(): Layout | undefined {
  const lines = readFileSync('/proc/self/cgroup', 'utf8').split('\n');
  const v1 = lines.find((l) => /^\d+:([^:]*,)?cpuacct(,[^:]*)?:/.test(l));
  if (v1 && existsSync('/sys/fs/cgroup/cpuacct/cpuacct.usage')) {
    return { root: '/sys/fs/cgroup/cpuacct', version: 1, home: v1.slice(v1.lastIndexOf(':') + 1) };
  }
  const v2 = lines.find((l) => l.startsWith('0::'));
  if (v2 && existsSync('/sys/fs/cgroup/cgroup.controllers')) {
    return { root: '/sys/fs/cgroup', version: 2, home: v2.slice(3) };
  }
  return undefined;
}

export class CpuGroups {
  private constructor(
    private readonly l: Layout,
    private readonly base: string,
  ) {}

  /** Creates `<name>/targets` and `<name>/deployer` beside this process's group, or undefined. */
  static create(name: string): CpuGroups | undefined {
    const l = layout();
    if (!l) return undefined;
    // cgroup v2 forbids processes in a group that has children: the groups hang off the root.
    const base = join(l.root, l.version === 2 ? '' : l.home, name);
    try {
      for (const g of ['targets', 'deployer']) mkdirSync(join(base, g), { recursive: true });
      const groups = new CpuGroups(l, base);
      groups.usageMs('targets');
      return groups;
    } catch {
      return undefined;
    }
  }

  /** Moves this process into a group (its children from now on start there), or back home. */
  enter(group: 'targets' | 'deployer' | 'home'): void {
    const dir = group === 'home' ? join(this.l.root, this.l.home) : join(this.base, group);
    writeFileSync(join(dir, 'cgroup.procs'), String(process.pid));
  }

  usageMs(group: 'targets' | 'deployer'): number {
    const dir = join(this.base, group);
    if (this.l.version === 1) return Number(readFileSync(join(dir, 'cpuacct.usage'), 'utf8')) / 1e6;
    const stat = readFileSync(join(dir, 'cpu.stat'), 'utf8');
    return Number(/^usage_usec (\d+)/m.exec(stat)?.[1] ?? Number.NaN) / 1e3;
  }

  /**
   * Ends what the targets left running (a fixture service, a sleeping ticker: everything in these
   * groups was started for the bench) and removes the groups.
   */
  async remove(): Promise<void> {
    this.enter('home');
    for (let tries = 0; tries < 20; tries++) {
      let left = 0;
      for (const g of ['targets', 'deployer']) {
        let pids: string[] = [];
        try {
          pids = readFileSync(join(this.base, g, 'cgroup.procs'), 'utf8')
            .split('\n')
            .filter(Boolean);
        } catch {
          continue;
        }
        left += pids.length;
        for (const pid of pids) {
          try {
            process.kill(Number(pid), 'SIGKILL');
          } catch {
            // gone already
          }
        }
      }
      if (left === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    for (const g of ['targets', 'deployer', '']) {
      try {
        rmdirSync(join(this.base, g));
      } catch {
        // a process that would not die keeps it; harmless
      }
    }
  }
}
