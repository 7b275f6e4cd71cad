// Signature states (`%G?`) of the commits a signed branch brings, remembered per commit for
// the allowed-signers file they were checked against (verdict-cache.ts): checking a signature
// costs an `ssh-keygen` per commit, and with ranges judged per ref the same commits come back
// when they move from one branch to another.
import { readFileSync } from 'node:fs';
import { type GitPlace, signatureStates } from '../git/log.js';
import { mark } from './timing.js';
import { VerdictCache, verdictNamespace } from './verdict-cache.js';

/** States that follow from the commit and the allowed signers alone (not from the clock or tools). */
const SETTLED = new Set(['G', 'B', 'U', 'N']);

export class Signatures {
  private readonly cache: VerdictCache;

  constructor(
    private readonly at: GitPlace,
    private readonly allowedSigners: string,
    gitDir: string | undefined,
  ) {
    let signers: string;
    try {
      // The allowed signers are an admin's file on the policy branch; their text is the key.
      signers = readFileSync(allowedSigners, 'latin1');
    } catch {
      signers = '(unreadable)';
    }
    this.cache = new VerdictCache(gitDir, 'signatures', verdictNamespace({ signers }));
  }

  /** `%G?` of each commit, by commit id: from the cache, the rest from one `git log --no-walk`. */
  async states(oids: readonly string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    const todo: string[] = [];
    for (const oid of new Set(oids)) {
      const known = this.cache.get(oid);
      if (known === undefined) todo.push(oid);
      else out.set(oid, known);
    }
    mark(`signatures checked ${todo.length} of ${todo.length + out.size}`);
    if (todo.length === 0) return out;
    const checked = await signatureStates(this.at, todo, this.allowedSigners);
    for (const oid of todo) {
      const state = checked.get(oid) ?? 'E';
      out.set(oid, state);
      if (SETTLED.has(state)) this.cache.set(oid, state);
    }
    this.cache.save();
    return out;
  }
}
