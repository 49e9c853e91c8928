// The pages the signed reply links open (issue 6), served by dondoc:
//
//   GET  /r/:token              the form (never changes anything: mail scanners prefetch links)   200 | 400 | 409 | 410
//   POST /r/:token              the action (CSRF-checked; a one-time link is spent here)          200 | 400 | 403 | 409 | 410
//
// A decision (confirm or reject a completion, approve or reject an extension) is refused with
// 403 when the link's holder is whoever asked, the lead body, or not the deciding role's
// address today (core/replies.ts decisionRefusal): GET says so; a POST records the attempt.
//   GET  /r/assets/reply.css    the stylesheet (the CSP allows no inline style)                   200
//
// A link is checked in this order, and any failure answers with a clear Vietnamese page and
// changes nothing: signature (400: altered or not ours) → expiry (410) → spent (410) → the task
// still exists (410) → its deadline in force is the one the link was made for (410: an extension
// retires old links) → the action still makes sense (409: already completed, decided…). A POST
// then needs the form's CSRF token (403), valid fields (400, the form again with the errors),
// and — for one-time links — to be first to spend the nonce (410); an action that then fails
// gives the nonce back. Every answer carries the security headers below; no answer is cached.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Calendar } from '../../core/calendar.js';
import { formatVnDay } from '../../core/day.js';
import { type LinkAction, deadlineVersion, linkActor, verifyLink } from '../../core/links.js';
import type { OrgDirectory } from '../../core/org.js';
import { type ReplyKind, decisionRefusal, occurrenceOf, replyBlocker } from '../../core/replies.js';
import type { LinkSettings } from '../../config/sections/links.js';
import { isDondocError } from '../../errors.js';
import { basisView, formatDeadlineVn } from '../../mail/view.js';
import type { BasisLetter } from '../../core/basis.js';
import type { LinkNonces } from '../../store/link-nonces.js';
import type { ReplyService } from '../../store/reply-service.js';
import type { TaskStore } from '../../store/task-store.js';
import { html } from '../office/html.js';
import { checkFormToken, formCookie, formToken, newFormSession, readFormSession } from './csrf.js';
import { type Fields, type FormContext, FORMS } from './forms.js';
import { REPLY_CSS, messagePage, page, taskSummary } from './render.js';

export interface ReplyPagesDeps {
  store: TaskStore;
  calendar: Calendar;
  org: OrgDirectory;
  now: () => number;
  settings: LinkSettings;
  nonces: LinkNonces;
  service: ReplyService;
  /** policy.basis: the letter the forms refer to (none before the first took effect). */
  basis?: readonly BasisLetter[];
}

export const REPLY_CSP = "default-src 'self'; script-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
const HTML = 'text/html; charset=utf-8';

const KIND: Record<LinkAction, ReplyKind> = {
  complete: 'complete',
  extend: 'extend',
  noncoop: 'noncoop',
  'confirm-completion': 'confirm',
  'reject-completion': 'confirm',
  'approve-extension': 'decide-extension',
  'reject-extension': 'decide-extension',
};

function securityHeaders(reply: FastifyReply): void {
  void reply
    .header('Content-Security-Policy', REPLY_CSP)
    .header('X-Frame-Options', 'DENY')
    .header('Referrer-Policy', 'no-referrer')
    .header('X-Content-Type-Options', 'nosniff')
    .header('Cross-Origin-Opener-Policy', 'same-origin');
  // A form carries a CSRF token and task data: never from a cache or the back button of a shared computer.
  if (!reply.hasHeader('Cache-Control')) void reply.header('Cache-Control', 'no-store');
}

export function registerReplyPages(app: FastifyInstance, deps: ReplyPagesDeps): void {
  const { store, calendar, org, now, settings, nonces } = deps;
  const zone = calendar.zone;
  // The cookie is scoped to the pages as the browser sees them (public_base_url may have a path).
  const cookiePath = `${new URL(settings.baseUrl).pathname.replace(/\/+$/, '')}/r`;
  const secureCookie = settings.baseUrl.startsWith('https:');
  const send = (reply: FastifyReply, status: number, body: string) => reply.code(status).type(HTML).send(body);

  async function handle(req: FastifyRequest, reply: FastifyReply, post: boolean) {
    const token = (req.params as { '*': string })['*'];
    const t = now();
    const check = verifyLink(token, settings.secrets, t);
    if (!check.ok) {
      if (check.reason === 'expired') {
        return send(reply, 410, messagePage('bad', 'Liên kết đã hết hạn', `Liên kết này đã hết hạn từ ngày ${formatVnDay(zone.dayOf(check.claims!.expiresAt - 1))}. Vui lòng dùng liên kết trong thư nhắc mới nhất, hoặc liên hệ Văn phòng UBND tỉnh.`));
      }
      req.log.warn({ reason: check.reason }, 'reply link refused');
      return send(reply, 400, messagePage('bad', 'Liên kết không hợp lệ', 'Liên kết này không đúng hoặc đã bị thay đổi. Vui lòng mở lại liên kết từ thư điện tử (bấm trực tiếp vào liên kết, không sao chép thiếu ký tự).'));
    }
    const { claims, id: linkId } = check;
    const usedPage = () => send(reply, 410, messagePage('bad', 'Liên kết đã được sử dụng', 'Liên kết này chỉ dùng được một lần và đã được dùng để gửi thông tin. Nếu cần gửi thêm, vui lòng dùng liên kết trong thư mới nhất.'));
    if (claims.nonce && (await nonces.isSpent(claims.nonce))) return usedPage();
    const task = await store.get(claims.taskId);
    if (!task) return send(reply, 410, messagePage('bad', 'Nhiệm vụ không còn được theo dõi', 'Nhiệm vụ của liên kết này không còn trong hệ thống. Vui lòng liên hệ Văn phòng UBND tỉnh.'));
    const occ = occurrenceOf(task, calendar, claims.occurrence);
    if (!occ || deadlineVersion(occ.deadline) !== claims.deadline) {
      const now_ = occ ? ` (hiện là ${formatDeadlineVn(occ.deadline)})` : '';
      return send(reply, 410, messagePage('bad', 'Liên kết không còn hiệu lực', `Thời hạn của nhiệm vụ đã thay đổi${now_} sau khi thư được gửi, nên liên kết này không còn hiệu lực. Vui lòng dùng liên kết trong thư mới nhất.`));
    }
    const summary = taskSummary({ task, occ, calendar, org, now: t });
    const blocker = replyBlocker(task, calendar, occ.key, KIND[claims.action], claims.request);
    if (blocker) return send(reply, 409, messagePage('warn', 'Không thực hiện được', blocker.vi, summary));
    // A decision is checked against who holds the link, not only what it says: the body that
    // asked never decides (docs/DOMAIN.md). GET shows it; the POST below records the attempt.
    const kind = KIND[claims.action];
    if (!post && (kind === 'confirm' || kind === 'decide-extension')) {
      const refused = decisionRefusal(task, org, zone.dayOf(t), { occurrence: occ.key, kind, by: linkActor(claims), ...(claims.request ? { requestId: claims.request } : {}) });
      if (refused) return send(reply, 403, messagePage('bad', 'Không có thẩm quyền', `${refused.vi} Không có thông tin nào được ghi nhận.`, summary));
    }

    const ctx: FormContext = {
      task,
      occ,
      claims,
      calendar,
      org,
      now: t,
      today: zone.dayOf(t),
      basis: basisView(deps.basis, zone.dayOf(t)),
      ...(occ.state.completionReport ? { report: occ.state.completionReport } : {}),
      ...(claims.request ? { request: occ.state.extensionRequests!.find((r) => r.id === claims.request)! } : {}),
    };
    const form = FORMS[claims.action];
    const formPage = (sid: string, values: Fields, errors: Record<string, string>): string =>
      page(
        form.title,
        html`<section class="card"><h1>${form.title}</h1>
${Object.keys(errors).length ? html`<div class="box bad">Vui lòng kiểm tra lại các mục được đánh dấu.</div>` : ''}
<form method="post">
<input type="hidden" name="csrf" value="${formToken(settings.secrets, linkId, sid)}">
${form.fields(ctx, values, errors)}
<button type="submit"${form.danger ? html` class="danger"` : ''}>${form.button}</button>
</form></section>${summary}`,
      );

    if (!post) {
      const sid = readFormSession(req.headers.cookie) ?? newFormSession();
      void reply.header('Set-Cookie', formCookie(sid, { path: cookiePath, secure: secureCookie || req.protocol === 'https' }));
      return send(reply, 200, formPage(sid, {}, {}));
    }

    const body = (req.body && typeof req.body === 'object' ? req.body : {}) as Fields;
    const sid = readFormSession(req.headers.cookie);
    if (!checkFormToken(settings.secrets, linkId, sid, body.csrf)) {
      req.log.warn({ linkId, cookie: sid !== undefined }, 'reply form refused: CSRF token missing or wrong');
      return send(reply, 403, messagePage('bad', 'Biểu mẫu không hợp lệ', 'Biểu mẫu này không được gửi từ trang của liên kết, hoặc đã mở quá lâu. Không có thông tin nào được ghi nhận. Vui lòng mở lại liên kết từ thư điện tử và gửi lại.'));
    }
    const parsed = form.parse(body, ctx);
    if (!parsed.ok) {
      const values = Object.fromEntries(Object.entries(body).filter(([k, v]) => k !== 'csrf' && typeof v === 'string').map(([k, v]) => [k, String(v).slice(0, 2000)]));
      return send(reply, 400, formPage(sid!, values, parsed.errors));
    }
    if (claims.nonce && !(await nonces.spend(claims.nonce, { at: t, linkId }, claims.expiresAt))) return usedPage();
    let result;
    try {
      result = await form.act(deps.service, ctx, parsed.value, { by: linkActor(claims), linkId });
    } catch (e) {
      if (claims.nonce) await nonces.release(claims.nonce).catch(() => undefined);
      if (isDondocError(e) && e.code === 'FORBIDDEN') {
        req.log.warn({ taskId: task.id, action: claims.action, linkId, role: claims.role }, 'reply refused: not for this link holder; recorded');
        return send(reply, 403, messagePage('bad', 'Không có thẩm quyền', `${e.problems[0]?.message ?? 'Liên kết này không có thẩm quyền thực hiện thao tác.'} Lần thử đã được ghi vào lịch sử nhiệm vụ.`, summary));
      }
      if (isDondocError(e) && e.httpStatus < 500) return send(reply, 409, messagePage('warn', 'Không thực hiện được', `Thông tin chưa được ghi nhận: ${e.message}. Vui lòng mở lại liên kết để xem tình trạng mới nhất.`, summary));
      throw e;
    }
    req.log.info({ taskId: task.id, action: claims.action, linkId, role: claims.role }, 'reply recorded');
    const done = form.done(ctx, result, parsed.value);
    return send(reply, 200, messagePage('ok', done.title, done.text, taskSummary({ task: result.task, occ: occurrenceOf(result.task, calendar, occ.key) ?? occ, calendar, org, now: t })));
  }

  void app.register(
    async (r) => {
      r.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 16_384 }, (_req, body, done) => {
        done(null, Object.fromEntries(new URLSearchParams(body as string)));
      });
      r.addHook('onSend', async (_req, reply, payload) => {
        securityHeaders(reply);
        return payload;
      });
      r.setErrorHandler((err: unknown, req, reply) => {
        if (isDondocError(err) && err.httpStatus === 503) {
          return send(reply, 503, messagePage('bad', 'Tạm thời không thực hiện được', 'Hệ thống đang không truy cập được kho dữ liệu. Không có thông tin nào được ghi nhận; vui lòng thử lại sau ít phút.'));
        }
        const e = err as { statusCode?: number };
        if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
          return send(reply, e.statusCode, messagePage('bad', 'Yêu cầu không hợp lệ', 'Yêu cầu không đúng định dạng của biểu mẫu. Vui lòng mở lại liên kết từ thư điện tử.'));
        }
        req.log.error({ err }, 'reply page failed');
        return send(reply, 500, messagePage('bad', 'Lỗi hệ thống', 'Đã có lỗi khi xử lý; thông tin có thể chưa được ghi nhận. Vui lòng thử lại sau hoặc liên hệ Văn phòng UBND tỉnh.'));
      });
      r.setNotFoundHandler((_req, reply) => send(reply, 404, messagePage('bad', 'Không có trang này', 'Vui lòng mở liên kết trực tiếp từ thư điện tử.')));
      r.get('/assets/reply.css', async (_req, reply) => reply.type('text/css; charset=utf-8').header('Cache-Control', 'public, max-age=86400').send(REPLY_CSS));
      // A wildcard, not a parameter: tokens (~250 characters) exceed the router's parameter limit.
      r.get('/*', (req, reply) => handle(req, reply, false));
      r.post('/*', (req, reply) => handle(req, reply, true));
    },
    { prefix: '/r' },
  );
}
