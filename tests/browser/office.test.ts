// The Provincial Office's page in a real headless Chromium (Debian's `chromium`, driven by
// playwright-core; no browser is ever downloaded): the API listens on a free port with the
// tasks of letter 1510/UBND-TH imported from the clerk's xlsx and what happened to them, seen
// on 28/12/2022. The test logs in through the form, checks the cookie is out of the page's
// reach, filters by a body, opens a task's timeline, and leaves screenshots in tests/.artifacts/
// (gitignored) to look at, and does it again on a 390-px phone screen (cards, not a table).
// Assertions are on the DOM, not on the screenshots.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type BrowserContext, type Page, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { planNotifications } from '../../src/core/planner.js';
import { parseInstant } from '../../src/core/zone.js';
import { type RunningApi, startApi } from '../../src/http/server.js';
import { makeDeliveryLog } from '../../src/store/delivery-log.js';
import { connectRedis } from '../../src/store/redis.js';
import { makeTaskStore } from '../../src/store/task-store.js';
import { ROOT, runCliCaptured } from '../support/cli.js';
import { type PrivateRedis, freePort, randomPrefix, startRedis } from '../support/redis-server.js';

const CHROMIUM = '/usr/bin/chromium';
const CONFIG = path.join(ROOT, 'tests/fixtures/dondoc-2022.yaml');
const ARTIFACTS = path.join(ROOT, 'tests/.artifacts');
const VIEWER = 'office-viewer-token-5e8a1c3f7b9d';
const at = (iso: string): number => parseInstant(iso, 'Asia/Ho_Chi_Minh')!;
const T = (item: string): string => `1510-ubnd-th-20220416-${item}`;

let server: PrivateRedis;
let api: RunningApi;
let ctx: BrowserContext;
let page: Page;
let userDataDir: string;
let clock = at('2022-04-20T09:00');
/** What the browser complained about: CSP violations, page errors, failed requests. */
const complaints: string[] = [];
// Never skip silently: without Chromium the test itself fails (counted as failed, not as
// skipped as a failing beforeAll would leave it), saying what to install.
const missing = fs.existsSync(CHROMIUM)
  ? undefined
  : `${CHROMIUM} not found: the browser test needs Debian's Chromium. Install it with \`apt-get install -y chromium\` (.ci/run does this in CI).`;

beforeAll(async () => {
  if (missing) return;
  server = await startRedis();
  const prefix = randomPrefix('browser');
  const env = { REDIS_URL: server.url, DONDOC_KEY_PREFIX: prefix, DONDOC_CONFIG: CONFIG };
  expect((await runCliCaptured(['import', path.join(ROOT, 'tests/fixtures/1510-UBND-TH.xlsx')], { env, now: () => clock })).code).toBe(0);
  clock = at('2022-12-28T09:00');
  expect((await runCliCaptured(['import', path.join(ROOT, 'tests/fixtures/1510-UBND-TH-events.yaml')], { env, now: () => clock })).code).toBe(0);

  const config = loadConfig({ file: CONFIG });

  // For task 11: the first escalation went out, and the lead body reported a coordinating body
  // that does not cooperate (as the reply links record it).
  const redis = await connectRedis(server.url, { role: 'service', timeoutMs: 500 });
  try {
    const store = makeTaskStore({ redis, url: server.url, prefix, calendar: config.calendar, now: () => clock });
    const task = (await store.get(T('11-stttt')))!;
    const l1 = planNotifications(task, undefined, config.config.policy, config.calendar, config.org, clock).find((n) => n.kind === 'escalation' && n.level === 1)!;
    const log = makeDeliveryLog(redis, prefix);
    const claimed = await log.claim(
      { id: l1.id, taskId: l1.taskId, kind: l1.kind, level: 1, to: l1.to.map((r) => r.email), cc: l1.cc.map((r) => r.email), plannedAt: l1.scheduledAt, subject: 'Nhiệm vụ quá hạn: Tăng cường công tác thông tin truyền thông' },
      'w1',
      l1.scheduledAt,
      60_000,
    );
    await log.markSent(claimed.record, { messageId: '<l1@dondoc>', response: '250 2.0.0 OK', sentAt: l1.scheduledAt + 60_000 });
    await redis.rpush(store.keys.history(T('11-stttt')), JSON.stringify({ type: 'noncooperation_reported', at: at('2022-07-04T10:15'), by: 'link:lead', coordinator: 'SVHTTDL', reason: 'Chưa gửi số liệu tuyên truyền quý II' }));
  } finally {
    redis.disconnect();
  }

  api = await startApi({
    env: { ...env, DONDOC_HTTP_PORT: String(await freePort()), DONDOC_API_TOKENS: `office:viewer:${VIEWER}` },
    config,
    now: () => clock,
  });

  userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dondoc-chromium-'));
  ctx = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 900 },
    locale: 'vi-VN',
  });
  page = ctx.pages()[0] ?? (await ctx.newPage());
  page.on('console', (m) => {
    // Error statuses are collected with their URL below.
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) complaints.push(m.text());
  });
  page.on('response', (r) => {
    // The one 401 expected: the first visit, before logging in.
    if (r.status() >= 400 && !(r.status() === 401 && r.url() === `${api.address}/office`)) complaints.push(`${r.status()} ${r.url()}`);
  });
  page.on('pageerror', (e) => complaints.push(e.message));
  page.on('requestfailed', (r) => complaints.push(`${r.url()}: ${r.failure()?.errorText}`));
  fs.mkdirSync(ARTIFACTS, { recursive: true });
}, 60_000);

afterAll(async () => {
  await ctx?.close();
  await api?.close();
  await server?.stop();
  if (userDataDir) fs.rmSync(userDataDir, { recursive: true, force: true });
});

const rowIds = (): Promise<string[]> => page.locator('table.tasks tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-task') ?? ''));

describe('the office page in Chromium', () => {
  it('logs in, filters by a body, opens a timeline', async () => {
    if (missing) throw new Error(missing);
    // No session: the login form, not the data.
    const first = await page.goto(`${api.address}/office`);
    expect(first?.status()).toBe(401);
    await expect(page.locator('h1').textContent()).resolves.toBe('Đăng nhập');
    expect(await page.locator('table.tasks').count()).toBe(0);

    await page.fill('#token', VIEWER);
    await Promise.all([page.waitForURL(`${api.address}/office`), page.click('button[type=submit]')]);
    expect(await page.locator('h1').textContent()).toBe('Nhiệm vụ do UBND tỉnh giao');
    expect(await rowIds()).toHaveLength(14);

    // The session cookie is HttpOnly and Strict: script in the page cannot read it.
    const [cookie] = await ctx.cookies(`${api.address}/office`);
    expect(cookie).toMatchObject({ name: 'dondoc_office', httpOnly: true, sameSite: 'Strict', path: '/office' });
    // (Expressions as strings: the tests are typed for Node, without the DOM library.)
    expect(await page.evaluate('document.cookie')).toBe('');

    // The tracker colours come from the stylesheet (allowed by the CSP): overdue red, due soon orange.
    const bg = (sel: string) => page.locator(sel).first().evaluate((el) => el.ownerDocument.defaultView!.getComputedStyle(el).backgroundColor);
    expect(await bg('.badge.st-overdue')).toBe('rgb(211, 47, 47)');
    expect(await bg('.badge.st-due-soon')).toBe('rgb(239, 108, 0)');
    expect(await page.locator('svg.chart g.bar').count()).toBe(9);
    await page.screenshot({ path: path.join(ARTIFACTS, 'office-list.png'), fullPage: true });

    // Filter by a body, as a user does: pick it, press "Lọc".
    await page.selectOption('select[name=body]', { label: 'Sở Thông tin và Truyền thông' });
    await Promise.all([page.waitForURL(/\/office\?body=STTTT/), page.click('form.filters button[type=submit]')]);
    // Task 11 (overdue) and 6 (done late) it leads; task 6 of Công an tỉnh it coordinates.
    expect(await rowIds()).toEqual([T('11-stttt'), T('6-cat'), T('6-stttt')]);
    expect(await page.locator('#result-count').textContent()).toBe('3 nhiệm vụ.');
    expect(await page.locator('svg.chart g.bar').evaluateAll((gs) => gs.map((g) => g.getAttribute('data-body')))).toEqual(['STTTT']);
    await page.screenshot({ path: path.join(ARTIFACTS, 'office-filtered.png'), fullPage: true });

    // Open the overdue task's timeline.
    await Promise.all([page.waitForURL(`${api.address}/office/tasks/${T('11-stttt')}`), page.click(`tr[data-task="${T('11-stttt')}"] a.title`)]);
    expect(await page.locator('h1').textContent()).toBe('Tăng cường công tác thông tin truyền thông, tạo đồng thuận xã hội');
    expect(await page.locator('#task-status').textContent()).toBe('Đang thực hiện quá hạn');
    const kinds = await page.locator('ol.timeline > li').evaluateAll((lis) => lis.map((li) => li.getAttribute('data-kind')));
    expect(kinds[0]).toBe('assignment');
    for (const k of ['event', 'reply', 'delivery', 'deadline', 'planned', 'now']) expect(kinds).toContain(k);
    const titles = await page.locator('ol.timeline .tl-title').allTextContents();
    expect(titles).toContain('Giao nhiệm vụ');
    expect(titles).toContain('Thời hạn hoàn thành');
    expect(titles).toContain('Thư báo cáo quá hạn cấp 1: đã gửi');
    expect(titles).toContain('Báo cáo đơn vị phối hợp chưa phối hợp');
    // Sent is history: the planner does not show it again as "not sent".
    expect(titles.filter((t) => t.startsWith('Thư báo cáo quá hạn cấp 1'))).toEqual(['Thư báo cáo quá hạn cấp 1: đã gửi']);
    expect(titles).toContain('Thư báo cáo quá hạn cấp 3: đến lượt gửi');
    expect(await page.locator('ol.timeline li.now').textContent()).toBe('Bây giờ: 28/12/2022 09:00');
    await page.screenshot({ path: path.join(ARTIFACTS, 'office-timeline.png'), fullPage: true });

    // On a 390-px phone the list is one card per task, nothing wider than the screen.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${api.address}/office`);
    expect(await rowIds()).toHaveLength(14);
    const card = page.locator('table.tasks tbody tr').first();
    const style = (sel: string, prop: string, pseudo?: string) =>
      page.locator(sel).first().evaluate((el, [p, ps]) => el.ownerDocument.defaultView!.getComputedStyle(el, ps ?? null).getPropertyValue(p!), [prop, pseudo] as const);
    expect(await card.evaluate((el) => el.ownerDocument.defaultView!.getComputedStyle(el).display)).toBe('block');
    expect(await style('table.tasks thead', 'display')).toBe('none');
    expect(await style('table.tasks tbody tr td[data-label="Chủ trì"]', 'content', '::before')).toBe('"Chủ trì: "');
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    const box = await card.boundingBox();
    expect(box!.width).toBeLessThanOrEqual(390);
    expect(box!.height).toBeGreaterThan(60);
    await page.screenshot({ path: path.join(ARTIFACTS, 'office-list-390px.png'), fullPage: true });

    expect(complaints).toEqual([]);
    for (const f of ['office-list.png', 'office-filtered.png', 'office-timeline.png', 'office-list-390px.png']) expect(fs.statSync(path.join(ARTIFACTS, f)).size).toBeGreaterThan(10_000);
  }, 60_000);
});
