// The post-receive run: git calls it after the refs moved, with one line per update that
// happened. It turns the host-key claims that pre-receive wrote for those updates into trust
// records (host-key-trust.ts). It cannot change the push: what it says is for the pusher's log.

import { recordClaimedHostKeys } from './host-key-trust.js';
import { parseUpdates } from './protocol.js';

export function postReceive(opts: { gitDir: string; input: Buffer; write: (text: string) => void }): void {
  // Lines git did not write are ignored here: pre-receive already judged the push.
  const { updates } = parseUpdates(opts.input);
  if (updates.length === 0) return;
  const { recorded } = recordClaimedHostKeys(opts.gitDir, updates);
  for (const host of recorded)
    opts.write(`tappaas: recorded the SSH host key of ${host} (trust on first use)\n`);
}
