// git's pre-receive stdin: one `<old-oid> SP <new-oid> SP <ref>` line per ref update. Parsed
// from bytes so that a ref name that is not UTF-8 is reported, not mangled. Pure.
import { refNameProblem } from '../policy/refs.js';
import type { RefUpdate } from '../policy/types.js';

export interface InputProblem {
  line: number;
  /** The line as text (lossy for non-UTF-8 bytes), shortened. */
  text: string;
  message: string;
}

const OID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
const decoder = new TextDecoder('utf-8', { fatal: true });

export function parseUpdates(input: Uint8Array): { updates: RefUpdate[]; problems: InputProblem[] } {
  const updates: RefUpdate[] = [];
  const problems: InputProblem[] = [];
  const buf = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  let start = 0;
  let lineNo = 0;
  while (start < buf.length) {
    let end = buf.indexOf(10, start);
    if (end < 0) end = buf.length;
    const bytes = buf.subarray(start, end);
    start = end + 1;
    lineNo++;
    if (bytes.length === 0) continue;
    const text = bytes.toString('utf8').slice(0, 200);
    const problem = (message: string) => problems.push({ line: lineNo, text, message });
    const sp1 = bytes.indexOf(32);
    const sp2 = sp1 < 0 ? -1 : bytes.indexOf(32, sp1 + 1);
    if (sp1 < 0 || sp2 < 0) {
      problem('expected "<old-oid> <new-oid> <ref>"');
      continue;
    }
    const oldOid = bytes.subarray(0, sp1).toString('latin1');
    const newOid = bytes.subarray(sp1 + 1, sp2).toString('latin1');
    if (!OID.test(oldOid) || !OID.test(newOid)) {
      problem('old and new object ids must be 40 or 64 lower-case hex digits');
      continue;
    }
    if (oldOid.length !== newOid.length) {
      problem('old and new object ids use different hash lengths');
      continue;
    }
    if (/^0+$/.test(oldOid) && /^0+$/.test(newOid)) {
      problem('old and new object ids are both zero');
      continue;
    }
    let ref: string;
    try {
      ref = decoder.decode(bytes.subarray(sp2 + 1));
    } catch {
      problem('the ref name is not valid UTF-8');
      continue;
    }
    const bad = refNameProblem(ref);
    if (bad) {
      problem(`ref name ${JSON.stringify(ref)} ${bad}`);
      continue;
    }
    updates.push({ oldOid, newOid, ref });
  }
  return { updates, problems };
}
