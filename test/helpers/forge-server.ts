// A local forge for contract tests: a node:http server that speaks exactly the GitHub or Gitea
// endpoints the toolkit uses, as recorded in test/fixtures/forge/<kind>/*.json (each file
// names its public source). It checks what the client sends against the recorded request
// (path, query parameters, body fields, auth header) and answers with the recorded response
// shape filled from its in-memory state. Faults (5xx, rate limits) can be queued.
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { REPO } from './run-cli.js';

export type ForgeKind = 'github' | 'gitea';

interface Operation {
  operation: string;
  source: string;
  request: {
    method: string;
    path: string;
    query?: string[];
    body?: { required: string[]; allowed: string[] };
  };
  response: { status: number; list?: boolean; example: 'pull' | 'comment' };
  conflict?: { status: number; body: Record<string, unknown> };
}

interface Shapes {
  auth: { scheme: string; headers: Record<string, string> };
  pull: Record<string, unknown>;
  comment: Record<string, unknown>;
  errors: Record<string, unknown>;
}

export interface RecordedRequest {
  operation: string;
  method: string;
  path: string;
  query: Record<string, string>;
  body?: Record<string, unknown>;
}

export interface FakePull {
  number: number;
  head: string;
  base: string;
  title: string;
  body: string;
  state: 'open' | 'closed';
}

export interface FakeComment {
  id: number;
  issue: number;
  body: string;
}

export interface Fault {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** Only requests of this method (default: any). */
  method?: string;
}

const FIXTURES = join(REPO, 'test', 'fixtures', 'forge');

export function loadContract(kind: ForgeKind): { operations: Operation[]; shapes: Shapes } {
  const dir = join(FIXTURES, kind);
  const operations: Operation[] = [];
  for (const f of readdirSync(dir).sort()) {
    if (!f.endsWith('.json') || f === 'shapes.json') continue;
    operations.push(JSON.parse(readFileSync(join(dir, f), 'utf8')) as Operation);
  }
  const shapes = JSON.parse(readFileSync(join(dir, 'shapes.json'), 'utf8')) as Shapes;
  return { operations, shapes };
}

function matchPath(template: string, path: string): Record<string, string> | undefined {
  const t = template.split('/');
  const p = path.split('/');
  if (t.length !== p.length) return undefined;
  const out: Record<string, string> = {};
  for (let i = 0; i < t.length; i++) {
    const m = /^\{(\w+)\}$/.exec(t[i]!);
    if (m) out[m[1]!] = decodeURIComponent(p[i]!);
    else if (t[i] !== p[i]) return undefined;
  }
  return out;
}

export class ForgeServer {
  readonly requests: RecordedRequest[] = [];
  readonly pulls: FakePull[] = [];
  readonly comments: FakeComment[] = [];
  /** Requests the contract does not allow (the test fails on any). */
  readonly violations: string[] = [];
  private faults: Fault[] = [];
  private nextId = 100;
  private server?: Server;
  private readonly contract: { operations: Operation[]; shapes: Shapes };
  url = '';
  /** Gitea's default MAX_RESPONSE_ITEMS is 50; a smaller cap shows paging. */
  pageCap: number;

  constructor(
    readonly kind: ForgeKind,
    readonly owner = 'octo',
    readonly repo = 'fleet',
    readonly token = 'tok-secret-123',
  ) {
    this.contract = loadContract(kind);
    this.pageCap = kind === 'gitea' ? 50 : 100;
  }

  /** Base URL to give the client: GitHub's API root, or Gitea's server root (API under /api/v1). */
  get apiUrl(): string {
    return this.kind === 'github' ? this.url : `${this.url}/api/v1`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err) => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: `fake forge bug: ${(err as Error).message}` }));
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  /** The next matching requests fail like this, in order. */
  queueFault(...faults: Fault[]): void {
    this.faults.push(...faults);
  }

  addPull(p: Omit<FakePull, 'number' | 'state'> & { state?: 'open' | 'closed' }): FakePull {
    const pull: FakePull = { number: this.nextId++, state: 'open', ...p };
    this.pulls.push(pull);
    return pull;
  }

  addComment(issue: number, body: string): FakeComment {
    const c = { id: this.nextId++, issue, body };
    this.comments.push(c);
    return c;
  }

  private send(
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): undefined {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(body === undefined ? '' : JSON.stringify(body));
    return undefined;
  }

  private pullJson(p: FakePull): Record<string, unknown> {
    const shape = structuredClone(this.contract.shapes.pull);
    const web = this.kind === 'github' ? 'https://github.com' : this.url;
    const label = (ref: string) => (this.kind === 'github' ? `${this.owner}:${ref}` : ref);
    return {
      ...shape,
      id: p.number,
      number: p.number,
      title: p.title,
      body: p.body,
      state: p.state,
      html_url: `${web}/${this.owner}/${this.repo}/pull${this.kind === 'gitea' ? 's' : ''}/${p.number}`,
      url: `${this.apiUrl}/repos/${this.owner}/${this.repo}/pulls/${p.number}`,
      head: { ...(shape.head as object), ref: p.head, label: label(p.head) },
      base: { ...(shape.base as object), ref: p.base, label: label(p.base) },
    };
  }

  private commentJson(c: FakeComment): Record<string, unknown> {
    const shape = structuredClone(this.contract.shapes.comment);
    return {
      ...shape,
      id: c.id,
      body: c.body,
      html_url: `${this.url}/${this.owner}/${this.repo}/pull/${c.issue}#issuecomment-${c.id}`,
    };
  }

  private error(status: number): unknown {
    const e = this.contract.shapes.errors[String(status)];
    return JSON.parse(JSON.stringify(e ?? { message: `HTTP ${status}` }).replaceAll('{api}', this.apiUrl));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    let path = url.pathname;
    if (this.kind === 'gitea') {
      if (!path.startsWith('/api/v1/')) return this.send(res, 404, this.error(404));
      path = path.slice('/api/v1'.length);
    }
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const method = req.method ?? 'GET';
    const found = this.contract.operations
      .map((op) => ({
        op,
        params: op.request.method === method ? matchPath(op.request.path, path) : undefined,
      }))
      .find((x) => x.params);
    if (!found) {
      this.violations.push(`${method} ${path}: no such endpoint in the ${this.kind} contract`);
      return this.send(res, 404, this.error(404));
    }
    const { op, params } = found as { op: Operation; params: Record<string, string> };
    const query = Object.fromEntries(url.searchParams);
    let body: Record<string, unknown> | undefined;
    if (raw) {
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        this.violations.push(`${op.operation}: body is not JSON`);
        return this.send(res, 400, { message: 'body is not JSON' });
      }
    }
    this.requests.push({ operation: op.operation, method, path, query, body });

    // Auth and headers, as recorded.
    const auth = req.headers.authorization ?? '';
    if (auth !== `${this.contract.shapes.auth.scheme} ${this.token}`)
      return this.send(res, 401, this.error(401));
    for (const [h, v] of Object.entries(this.contract.shapes.auth.headers))
      if (req.headers[h] !== v)
        this.violations.push(`${op.operation}: header ${h} is ${req.headers[h]}, not ${v}`);
    if (params.owner !== this.owner || params.repo !== this.repo) return this.send(res, 404, this.error(404));
    for (const k of Object.keys(query))
      if (!op.request.query?.includes(k))
        this.violations.push(`${op.operation}: query parameter ${k} is not in the contract`);
    if (op.request.body) {
      if (!body) this.violations.push(`${op.operation}: no body`);
      for (const k of op.request.body.required)
        if (body?.[k] === undefined) this.violations.push(`${op.operation}: body lacks required ${k}`);
      for (const k of Object.keys(body ?? {}))
        if (!op.request.body.allowed.includes(k))
          this.violations.push(`${op.operation}: body field ${k} is not in the contract`);
    } else if (body) this.violations.push(`${op.operation}: a body was sent`);

    const faultAt = this.faults.findIndex((f) => !f.method || f.method === method);
    if (faultAt >= 0) {
      const [f] = this.faults.splice(faultAt, 1);
      return this.send(res, f!.status, f!.body ?? this.error(f!.status), f!.headers);
    }
    return this.answer(op, params, query, body ?? {}, res);
  }

  private answer(
    op: Operation,
    params: Record<string, string>,
    query: Record<string, string>,
    body: Record<string, unknown>,
    res: ServerResponse,
  ): undefined {
    const status = op.response.status;
    const number = Number(params.number);
    switch (`${op.request.method} ${op.request.path}`) {
      case 'GET /repos/{owner}/{repo}/pulls': {
        let list = this.pulls.filter(
          (p) => (query.state ?? 'open') === 'all' || p.state === (query.state ?? 'open'),
        );
        if (query.head) list = list.filter((p) => `${this.owner}:${p.head}` === query.head);
        if (query.base) list = list.filter((p) => p.base === query.base);
        const size = Math.min(Number(query.per_page ?? query.limit ?? 30) || 30, this.pageCap);
        const page = Number(query.page ?? 1) || 1;
        return this.send(
          res,
          status,
          list.slice((page - 1) * size, page * size).map((p) => this.pullJson(p)),
        );
      }
      case 'POST /repos/{owner}/{repo}/pulls': {
        const head = String(body.head);
        const base = String(body.base);
        if (this.pulls.some((p) => p.state === 'open' && p.head === head && p.base === base)) {
          const c = op.conflict!;
          const text = JSON.stringify(c.body)
            .replaceAll('{owner}', this.owner)
            .replaceAll('{head}', head)
            .replaceAll('{api}', this.apiUrl);
          return this.send(res, c.status, JSON.parse(text));
        }
        const p = this.addPull({
          head,
          base,
          title: String(body.title ?? ''),
          body: String(body.body ?? ''),
        });
        return this.send(res, status, this.pullJson(p));
      }
      case 'PATCH /repos/{owner}/{repo}/pulls/{number}': {
        const p = this.pulls.find((x) => x.number === number);
        if (!p) return this.send(res, 404, this.error(404));
        if (typeof body.title === 'string') p.title = body.title;
        if (typeof body.body === 'string') p.body = body.body;
        return this.send(res, status, this.pullJson(p));
      }
      case 'GET /repos/{owner}/{repo}/issues/{number}/comments': {
        const list = this.comments.filter((c) => c.issue === number);
        if (this.kind === 'gitea')
          return this.send(
            res,
            status,
            list.map((c) => this.commentJson(c)),
          );
        const size = Math.min(Number(query.per_page ?? 30) || 30, this.pageCap);
        const page = Number(query.page ?? 1) || 1;
        return this.send(
          res,
          status,
          list.slice((page - 1) * size, page * size).map((c) => this.commentJson(c)),
        );
      }
      case 'POST /repos/{owner}/{repo}/issues/{number}/comments': {
        if (!this.pulls.some((p) => p.number === number)) return this.send(res, 404, this.error(404));
        return this.send(res, status, this.commentJson(this.addComment(number, String(body.body))));
      }
      case 'PATCH /repos/{owner}/{repo}/issues/comments/{id}': {
        const c = this.comments.find((x) => x.id === Number(params.id));
        if (!c) return this.send(res, 404, this.error(404));
        c.body = String(body.body);
        return this.send(res, status, this.commentJson(c));
      }
    }
    this.violations.push(`${op.operation}: the fake forge has no answer for it`);
    return this.send(res, 500, { message: 'unhandled' });
  }
}
