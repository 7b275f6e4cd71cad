import { describe, expect, it } from 'vitest';
import { classifySsh, type SshRunResult, sshErrorMessage } from '../../../scripts/ssh/run.js';

const r = (over: Partial<SshRunResult>): SshRunResult => ({
  code: 0,
  signal: null,
  stdout: '',
  stderr: '',
  timedOut: false,
  aborted: false,
  ...over,
});

describe('ssh outcome', () => {
  it('tells an unreachable host (ssh exits 255) from a failing command', () => {
    expect(classifySsh(r({ code: 0 }))).toBeUndefined();
    expect(classifySsh(r({ code: 255 }))).toBe('unreachable');
    expect(classifySsh(r({ code: 1 }))).toBe('failed');
    expect(classifySsh(r({ code: null, timedOut: true }))).toBe('timeout');
    expect(classifySsh(r({ code: null, aborted: true }))).toBe('aborted');
  });

  it('names the host, what was tried and the last lines of stderr', () => {
    const res = r({ code: 255, stderr: 'ssh: connect to host 10.0.0.5 port 22: Connection refused\n' });
    expect(sshErrorMessage('web1', 'unreachable', 'read the running system', res)).toBe(
      'host web1 is unreachable over SSH while trying to read the running system: ssh: connect to host 10.0.0.5 port 22: Connection refused',
    );
    expect(sshErrorMessage('web1', 'failed', 'run x', r({ code: 3 }))).toBe(
      'on host web1, run x failed (exit 3): ssh exit 3',
    );
  });
});
