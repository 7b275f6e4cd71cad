// A lint worker thread: lints the batches the pool sends and answers with diagnostics in
// the same order. Bundled on its own as dist/lint-worker.mjs (see the `build` script).
import { parentPort, workerData } from 'node:worker_threads';
import type { ModuleFacts } from '../module-graph/facts.js';
import { factsOfLinted } from '../module-graph/linted-facts.js';
import { deferredNixChecker } from '../nix-ast/deferred.js';
import type { NixFile } from '../nix-ast/file.js';
import { type EngineOptions, lintSource } from './engine.js';
import type { BatchReply, BatchRequest, WorkerSetup } from './pool.js';

const setup = workerData as WorkerSetup;
const port = parentPort;
if (!port) throw new Error('scripts/lint/worker.ts runs only as a worker thread of the lint pool');

port.on('message', async (request: BatchRequest) => {
  const notes: string[] = [];
  const options: EngineOptions & { onNote?: (text: string) => void } = {
    ruleSettings: setup.ruleSettings,
    onNote: (text) => notes.push(text),
    // Doubted files come back marked: the caller asks Nix about them all at once.
    ...(setup.deferSyntax ? { nixChecker: deferredNixChecker } : {}),
  };
  let reply: BatchReply;
  try {
    const results = [];
    const facts: (ModuleFacts | undefined)[] = [];
    for (const job of request.jobs) {
      let found: ModuleFacts | undefined;
      const onTree = setup.facts ? (file: NixFile) => (found = factsOfLinted(file, setup.facts!)) : undefined;
      results.push(await lintSource(job.file, job.text, onTree ? { ...options, onTree } : options));
      facts.push(found);
    }
    reply = { id: request.id, results, notes, ...(setup.facts ? { facts } : {}) };
  } catch (err) {
    const e = err as Error;
    reply = { id: request.id, error: { message: e.message, stack: e.stack ?? String(e) }, notes };
  }
  port.postMessage(reply);
});
