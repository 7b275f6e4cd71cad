// Pure builders for the ssh command line and for what nix needs to reach the same host.

/** How to reach a host; a deploy target (deploy/types.ts) is one of these and more. */
export interface SshEndpoint {
  /** The host's name, for messages. */
  name: string;
  address: string;
  sshUser?: string;
  sshPort?: number;
  /** Extra `ssh -o` options, e.g. `StrictHostKeyChecking=yes`, `UserKnownHostsFile=…`. */
  sshOptions?: string[];
}

export interface SshArgOptions {
  /** Seconds for the TCP connect and key exchange (ssh ConnectTimeout). */
  connectTimeoutSeconds?: number;
  /**
   * Share the connection of the master listening on this socket (the fleet lock's session, see
   * deploy/fleet-lock.ts): a session over it costs no new key exchange, which is most of the CPU
   * of an SSH connection. When the master is gone, ssh connects afresh by itself. `none` forces a
   * fresh connection whatever ~/.ssh/config or the inventory's options say.
   */
  controlPath?: string;
}

export const DEFAULT_CONNECT_TIMEOUT_SECONDS = 10;

/** `user@host`, or just the host so that ~/.ssh/config picks the user. */
export function sshDestination(t: SshEndpoint): string {
  return t.sshUser ? `${t.sshUser}@${t.address}` : t.address;
}

/**
 * The options every connection uses: never prompt (BatchMode), bounded connect, keepalives so a
 * dead peer is noticed, then the target's own `-o` options (which win: ssh takes the first value).
 */
export function sshOptionArgs(t: SshEndpoint, opts: SshArgOptions = {}): string[] {
  const args: string[] = [];
  // Before the target's options, so that they cannot turn a fresh connection into a shared one.
  if (opts.controlPath === 'none') args.push('-o', 'ControlMaster=no', '-o', 'ControlPath=none');
  else if (opts.controlPath) args.push('-o', 'ControlMaster=no', '-o', `ControlPath=${opts.controlPath}`);
  for (const o of t.sshOptions ?? []) args.push('-o', o);
  args.push(
    '-o',
    'BatchMode=yes',
    '-o',
    `ConnectTimeout=${opts.connectTimeoutSeconds ?? DEFAULT_CONNECT_TIMEOUT_SECONDS}`,
    '-o',
    'ServerAliveInterval=5',
    '-o',
    'ServerAliveCountMax=3',
  );
  if (t.sshPort !== undefined) args.push('-p', String(t.sshPort));
  return args;
}

/** argv (without the leading `ssh`) to run `command` on the target; no tty, no agent forwarding. */
export function sshArgv(t: SshEndpoint, command: string, opts: SshArgOptions = {}): string[] {
  return ['-T', '-a', '-x', ...sshOptionArgs(t, opts), '--', sshDestination(t), command];
}

/**
 * NIX_SSHOPTS for `nix copy --to ssh://…`: nix splits it on whitespace, so an option with a
 * space in it cannot be passed this way; that is refused with the host named.
 */
export function nixSshOpts(t: SshEndpoint, opts: SshArgOptions = {}): string {
  // A socket path with a space cannot travel in NIX_SSHOPTS: then the copy connects afresh.
  const shared =
    opts.controlPath && !/\s/.test(opts.controlPath) ? opts : { ...opts, controlPath: undefined };
  const args = sshOptionArgs(t, shared);
  const bad = args.find((a) => /\s/.test(a));
  if (bad !== undefined) {
    throw new Error(
      `host ${t.name}: ssh option "${bad}" contains whitespace, which nix copy (NIX_SSHOPTS) cannot pass; ` +
        'put it in ~/.ssh/config for that host instead',
    );
  }
  return args.join(' ');
}

/** The store URI for `nix copy --to`; the port and options travel in NIX_SSHOPTS. */
export function nixStoreUri(t: SshEndpoint): string {
  return `ssh://${sshDestination(t)}`;
}
