// The frame of every office page: Vietnamese, the stylesheet from /office/assets, the
// signed-in token's name and a logout button (a POST form: logging out changes state).
import type { Principal } from '../auth.js';
import { OFFICE_CSS_VERSION } from './assets.js';
import { type Html, html } from './html.js';

export interface LayoutOptions {
  title: string;
  main: Html;
  principal?: Principal;
  /** "Số liệu tính đến …" */
  footer?: string;
}

export function layout(o: LayoutOptions): string {
  const user = o.principal
    ? html`<form method="post" action="/office/logout"><span class="who">${o.principal.name}</span> <button type="submit">Đăng xuất</button></form>`
    : '';
  return `<!doctype html>\n${
    html`<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${o.title} — dondoc</title>
<link rel="stylesheet" href="/office/assets/office.css?v=${OFFICE_CSS_VERSION}">
<link rel="icon" href="/office/assets/icon.svg" type="image/svg+xml">
</head>
<body>
<header class="top"><a href="/office">dondoc · Theo dõi, đôn đốc nhiệm vụ — Văn phòng UBND tỉnh</a>${user}</header>
<main>
${o.main}
</main>
${o.footer ? html`<footer>${o.footer}</footer>` : ''}
</body>
</html>
`.__html
  }`;
}
