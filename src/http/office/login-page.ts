// The login form: a viewer (or admin) API token, posted once; the answer sets the session
// cookie (session.ts). `next` brings the user back to the page they asked for.
import { html } from './html.js';
import { layout } from './layout.js';

/**
 * Only paths of the office page itself (never another site, "//host" or a backslash trick),
 * in printable ASCII as the browser sent them percent-encoded: safe in a Location header.
 */
export function safeNext(next: unknown): string {
  return typeof next === 'string' && next.length <= 1000 && /^\/office(?:[/?][\x21-\x5b\x5d-\x7e]*)?$/.test(next) && !next.includes('..') ? next : '/office';
}

export function loginPage(o: { next?: string; error?: string }): string {
  const main = html`<section class="login">
<h1>Đăng nhập</h1>
<p class="muted">Trang theo dõi nhiệm vụ của Văn phòng UBND tỉnh. Nhập mã truy cập (API token) do quản trị hệ thống cấp.</p>
${o.error ? html`<p class="problems" role="alert">${o.error}</p>` : ''}
<form method="post" action="/office/login">
<input type="hidden" name="next" value="${safeNext(o.next)}">
<label for="token">Mã truy cập</label>
<input id="token" name="token" type="password" autocomplete="current-password" required maxlength="200">
<p><button class="primary" type="submit">Đăng nhập</button></p>
</form>
</section>`;
  return layout({ title: 'Đăng nhập', main });
}
