// The reply links end to end (issue 6): the delivery harness (a private redis-server, the test
// SMTP server, a clock the test moves) with a `links:` section, the HTTP app on the same store
// driven with app.inject(), and helpers that do what a person does: find the links in a mail
// received by the SMTP server, open one (GET: the form, its CSRF field and cookie), submit it.
import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import { parseEnv } from '../../src/config/env.js';
import { ACTION_LABELS } from '../../src/mail/reply-links.js';
import type { LinkAction } from '../../src/core/links.js';
import type { TaskEvent } from '../../src/core/task.js';
import { buildApp } from '../../src/http/app.js';
import type { Engine } from '../../src/queue/engine.js';
import { type Harness, deliveryConfig, makeHarness } from './delivery-harness.js';
import type { PrivateRedis } from './redis-server.js';
import type { ReceivedMessage, TestSmtp } from './smtp-server.js';

export const BASE = 'https://dondoc.thainguyen.example.gov.vn';
export const SECRET = 'test-link-secret-3b8f0c2a9d7e4f1a6c5b';
export const ADMIN_TOKEN = 'admin-token-5c2e8a1f3b7d9e0c4a6b';
export const VIEWER_TOKEN = 'viewer-token-0e9d8c7b6a5f4e3d2c1b';

export const SYT = 'giamdoc.syt@thainguyen.example.gov.vn';
export const VP = 'chanhvanphong.vpubnd@thainguyen.example.gov.vn';
export const PCT3 = 'pct3.ubnd@thainguyen.example.gov.vn';
export const SGDDT = 'giamdoc.sgddt@thainguyen.example.gov.vn';

export const linksYaml = (extra = ''): string => `
links:
  public_base_url: ${BASE}/
  secret: ${SECRET}
  ttl: 30 days
${extra}`;

export interface LinkRig {
  h: Harness;
  e: Engine;
  app: FastifyInstance;
  close(): Promise<void>;
}

export async function makeLinkRig(server: PrivateRedis, smtp: TestSmtp, start: number, opts: { links?: string } = {}): Promise<LinkRig> {
  const cfg = deliveryConfig({ digest: false, extra: opts.links ?? linksYaml() });
  const h = await makeHarness(server, smtp, { start, cfg });
  const e = await h.engine();
  const app = buildApp({
    store: h.store,
    redis: h.redis,
    calendar: cfg.calendar,
    org: cfg.org,
    tokens: parseEnv({ DONDOC_API_TOKENS: `ops:admin:${ADMIN_TOKEN},board:viewer:${VIEWER_TOKEN}` }).apiTokens,
    now: h.clock.now,
    replies: { links: cfg.config.links, notice: (req) => e.notice(req) },
  });
  await app.ready();
  return {
    h,
    e,
    app,
    async close() {
      await app.close();
      await h.close();
    },
  };
}

const BY_LABEL = new Map(Object.entries(ACTION_LABELS).map(([a, l]) => [l, a as LinkAction]));

/** The reply links of a mail's text part, by action: the path to inject ("/r/<token>"). */
export function linksOf(m: ReceivedMessage): Partial<Record<LinkAction, string>> {
  const out: Partial<Record<LinkAction, string>> = {};
  for (const [, label, url] of (m.text ?? '').matchAll(/^- (.+?): (https?:\/\/\S+)$/gm)) {
    const action = BY_LABEL.get(label!);
    if (!action) continue;
    expect(url!.startsWith(`${BASE}/r/`)).toBe(true);
    out[action] = new URL(url!).pathname;
  }
  return out;
}

export interface OpenedForm {
  status: number;
  body: string;
  headers: Record<string, unknown>;
  /** "dondoc_reply=…" to send back, when the page set it. */
  cookie?: string;
  csrf?: string;
}

export async function openForm(app: FastifyInstance, path: string, cookie?: string): Promise<OpenedForm> {
  const r = await app.inject({ method: 'GET', url: path, ...(cookie ? { headers: { cookie } } : {}) });
  const set = r.headers['set-cookie'];
  const first = (Array.isArray(set) ? set[0] : set)?.split(';')[0];
  const csrf = /name="csrf" value="([^"]+)"/.exec(r.body)?.[1];
  return { status: r.statusCode, body: r.body, headers: r.headers, ...(first ? { cookie: first } : {}), ...(csrf ? { csrf } : {}) };
}

export async function submit(app: FastifyInstance, path: string, fields: Record<string, string>, opts: { cookie?: string } = {}): Promise<{ status: number; body: string }> {
  const r = await app.inject({
    method: 'POST',
    url: path,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(opts.cookie ? { cookie: opts.cookie } : {}) },
    payload: new URLSearchParams(fields).toString(),
  });
  return { status: r.statusCode, body: r.body };
}

/** GET the form, then POST it with its CSRF field and cookie: what a person does. */
export async function fillIn(app: FastifyInstance, path: string, fields: Record<string, string>): Promise<{ status: number; body: string }> {
  const f = await openForm(app, path);
  expect(f.status, f.body).toBe(200);
  return submit(app, path, { csrf: f.csrf!, ...fields }, { cookie: f.cookie! });
}

/** Messages received so far that were sent to (To) this address. */
export const mailTo = (smtp: TestSmtp, address: string): ReceivedMessage[] => smtp.messages.filter((m) => m.to.some((a) => a.address === address));

export async function waitForMail(smtp: TestSmtp, match: (m: ReceivedMessage) => boolean, what: string, timeoutMs = 5000): Promise<ReceivedMessage> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const m = smtp.messages.find(match);
    if (m) return m;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; received: ${smtp.messages.map((x) => x.subject).join(' | ')}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A snapshot of what a link could change: the task's revision and history length, and spent nonces. */
export async function stateOf(rig: LinkRig, id: string): Promise<{ revision: number; events: number; spent: number; types: string[] }> {
  const found = await rig.h.store.getWithHistory(id);
  const spent = await rig.h.redis.keys(`${rig.h.prefix}:link:spent:*`);
  return { revision: found!.task.revision, events: found!.history.length, spent: spent.length, types: found!.history.map((e: TaskEvent) => e.type) };
}
