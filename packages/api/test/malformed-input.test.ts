// No procedure answers 500 to a malformed request (docs/security.md §2): every procedure of appRouter,
// read from the router, gets broken JSON, odd encodings, wrong types, huge and odd strings in each of
// its input fields and hostile superjson metadata, over tRPC's fetch adapter as the web route serves
// it, as an admin (so every gate is passed). Each answer must be a 4xx with tRPC's error body.
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import superjson from 'superjson';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createContext } from '../src/context.ts';
import { appRouter } from '../src/root.ts';
import { BASE_URL, createTestApi } from './support.ts';

type TrpcError = { message?: unknown; code?: unknown; data?: { httpStatus?: unknown; code?: unknown } };
type Envelope = { error?: { json: TrpcError } };
type ProcedureDef = { type: 'query' | 'mutation' | 'subscription'; inputs: unknown[] };
const procedures = appRouter._def.procedures as unknown as Record<string, { _def: ProcedureDef }>;

/** Strings that must never reach a store unchecked. */
const ODD_STRINGS: Record<string, string> = {
  nul: 'a\u0000b',
  huge: 'x'.repeat(200_000),
  'not a uuid': 'not-a-uuid',
  traversal: '../../../etc/passwd',
  unicode: '\u202e🙂\u0301ℌ𝔢𝔩𝔩𝔬',
  'lone surrogate': '\ud800',
  replacement: '\ufffd\ufffd',
  sql: "' OR 1=1 --",
};
const WRONG_TYPES: Record<string, unknown> = {
  number: 42,
  object: { $ne: null },
  array: [1, 'two'],
  null: null,
  bool: true,
};

/** The top-level field names of a procedure's zod input (none for procedures without input). */
function fields(def: ProcedureDef): string[] {
  const schema = def.inputs[0];
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}

/** Whether the procedure accepts this raw input as it is: superjson reads it and the schema parses it. */
function acceptedBySchema(def: ProcedureDef, raw: string): boolean {
  if (def.inputs.length === 0) return true; // a procedure without input ignores what it is sent
  if (raw.includes('\\u0000') || raw.includes('[[[[')) return false; // refused before the schema
  try {
    return (def.inputs[0] as z.ZodType).safeParse(superjson.deserialize(JSON.parse(raw))).success;
  } catch {
    return false;
  }
}

/** Raw `input` texts (what follows `?input=` decoded, or a POST body), named for the report. */
function malformedInputs(def: ProcedureDef): Record<string, string> {
  const raw: Record<string, string> = {
    'invalid JSON': '{not json',
    'truncated JSON': '{"json":{"id":"',
    'empty object': '{}',
    'json: a string': '{"json":"hello"}',
    'json: an array': '{"json":[1,2,3]}',
    'deep nesting': `{"json":${'['.repeat(20_000)}0${']'.repeat(20_000)}}`,
    'superjson: bad bigint': '{"json":{"id":"x"},"meta":{"values":{"id":["bigint"]}}}',
    'superjson: unknown type': '{"json":{"id":"x"},"meta":{"values":{"id":[["custom","nope"]]}}}',
    'superjson: bad meta': '{"json":{"id":"x"},"meta":{"values":"garbage","referentialEqualities":7}}',
    'superjson: __proto__ path': '{"json":{"a":1},"meta":{"values":{"__proto__.polluted":["undefined"]}}}',
    'superjson: missing path': '{"json":{},"meta":{"values":{"a.b.c":["map"]}}}',
    '__proto__ key': '{"json":{"__proto__":{"polluted":true},"id":"x"}}',
    'NUL key': '{"json":{"a\\u0000":1}}',
  };
  for (const field of fields(def)) {
    for (const [name, value] of Object.entries(ODD_STRINGS))
      raw[`${field}: ${name}`] = JSON.stringify({ json: { [field]: value } });
    for (const [name, value] of Object.entries(WRONG_TYPES))
      raw[`${field}: ${name}`] = JSON.stringify({ json: { [field]: value } });
  }
  return raw;
}

/** Query strings with encodings the URL parser must survive, for GET procedures. */
const ODD_QUERY_STRINGS: Record<string, string> = {
  'percent ZZ': 'input=%ZZ',
  'percent 00': 'input=%7B%22json%22%3A%7B%22id%22%3A%22%00%22%7D%7D',
  'overlong UTF-8': 'input=%7B%22json%22%3A%7B%22id%22%3A%22%C0%AF%E0%80%AF%22%7D%7D',
  'lone percent': 'input=%',
  'batch without body': 'batch=1&input=%7B%220%22%3A7%7D',
  'batch of garbage': 'batch=1&input=[[[',
};

describe('malformed requests to every procedure', () => {
  let api: Awaited<ReturnType<typeof createTestApi>>;
  let adminKey: string;
  /** The admin's context, resolved once from the API key: this suite is about inputs, not auth. */
  let adminContext: Awaited<ReturnType<typeof createContext>>;

  beforeAll(async () => {
    api = await createTestApi();
    const adminId = (await api.signUp('admin@example.com')).body.user?.id ?? '';
    adminKey = (await (await api.callerFor(adminId)).apiKeys.create({ name: 'fuzz' })).key;
    adminContext = await createContext(api.services, new Headers({ authorization: `Bearer ${adminKey}` }));
  });
  afterAll(() => api?.close());

  /** One request through tRPC's fetch adapter, exactly as the web route serves it. */
  async function send(path: string, def: ProcedureDef, query: string | null, body: string | null) {
    const url = `${BASE_URL}/api/trpc/${path}${query !== null ? `?${query}` : ''}`;
    const req = new Request(url, {
      method: body === null ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: body === null ? undefined : new TextEncoder().encode(body),
    });
    const response = await fetchRequestHandler({
      endpoint: '/api/trpc',
      req,
      router: appRouter,
      createContext: () => adminContext,
    });
    const text = await response.text();
    return { status: response.status, text, sse: def.type === 'subscription' };
  }

  /**
   * tRPC's error bodies in an answer: `{ error }`, a batch `[{ error }, …]`, or a subscription's
   * `serialized-error` event (SSE answers are 200 and carry the error in the stream); [] for a success.
   */
  function errorsIn(answer: { status: number; text: string; sse: boolean }): TrpcError[] | string {
    if (answer.sse && answer.status === 200) {
      const events = [...answer.text.matchAll(/event: serialized-error\ndata: (.*)\n/g)];
      return events.map((m) => (JSON.parse(m[1] as string) as { json: TrpcError }).json);
    }
    try {
      const body = JSON.parse(answer.text) as Envelope | Envelope[];
      const entries = Array.isArray(body) ? body : [body];
      return entries.flatMap((e) => (e.error ? [e.error.json] : []));
    } catch {
      return `not JSON: ${answer.text.slice(0, 200)}`;
    }
  }

  /**
   * What is wrong with an answer, null when it is right: never a 5xx; an error is a 4xx with tRPC's
   * error body; a success only for an input the procedure's schema accepts.
   */
  function problem(answer: { status: number; text: string; sse: boolean }, valid: boolean): string | null {
    if (answer.status >= 500) return `status ${answer.status}: ${answer.text.slice(0, 300)}`;
    const errors = errorsIn(answer);
    if (typeof errors === 'string') return errors;
    if (errors.length === 0) return valid ? null : `answered ${answer.status} to an input its schema refuses`;
    for (const error of errors) {
      const status = error.data?.httpStatus;
      if (typeof error.message !== 'string' || typeof error.code !== 'number' || typeof status !== 'number')
        return `not a tRPC error body: ${JSON.stringify(error).slice(0, 200)}`;
      if (status < 400 || status >= 500) return `${status} ${error.data?.code}: ${error.message}`;
      if (!answer.sse && status !== answer.status && answer.status !== 207)
        return `httpStatus ${status} ≠ ${answer.status}`;
    }
    return null;
  }

  it('should cover every procedure of the router', () => {
    expect(Object.keys(procedures).length).toBeGreaterThan(30);
  });

  it.for(Object.keys(procedures))('%s', async (path) => {
    const def = procedures[path]?._def as ProcedureDef;
    const problems: string[] = [];
    let requests = 0;
    for (const [name, raw] of Object.entries(malformedInputs(def))) {
      const answer =
        def.type === 'mutation'
          ? await send(path, def, null, raw)
          : await send(path, def, `input=${encodeURIComponent(raw)}`, null);
      requests++;
      const wrong = problem(answer, acceptedBySchema(def, raw));
      if (wrong) problems.push(`${name} → ${wrong}`);
    }
    if (def.type !== 'mutation') {
      for (const [name, query] of Object.entries(ODD_QUERY_STRINGS)) {
        const params = new URLSearchParams(query);
        const valid = params.has('batch')
          ? def.inputs.length === 0
          : acceptedBySchema(def, params.get('input') ?? '');
        const wrong = problem(await send(path, def, query, null), valid);
        requests++;
        if (wrong) problems.push(`${name} → ${wrong}`);
      }
    } else {
      const wrong = problem(await send(path, def, null, '\u0000\u00ff{'), false);
      requests++;
      if (wrong) problems.push(`binary body → ${wrong}`);
    }
    expect(requests).toBeGreaterThan(10);
    expect(problems).toEqual([]);
  });
});
