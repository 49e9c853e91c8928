// The office page's one stylesheet, served from /office/assets/office.css so the CSP can
// forbid inline styles and scripts. Status colours are the trackers' (DOMAIN.md): due soon
// orange, overdue red; done on time green, done late dark red.
import { createHash } from 'node:crypto';

export const OFFICE_CSS = `
:root { --overdue: #d32f2f; --due-soon: #ef6c00; --within: #1565c0; --on-time: #2e7d32; --late: #7b1f1f; --none: #616161; --line: #d9dde3; --bg: #f6f7f9; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 "Noto Sans", "DejaVu Sans", "Liberation Sans", Arial, sans-serif; color: #1d2330; background: var(--bg); }
header.top { display: flex; align-items: center; justify-content: space-between; gap: 1rem; padding: .6rem 1.2rem; background: #8b1a1a; color: #fff; }
header.top a { color: #fff; text-decoration: none; font-weight: 600; }
header.top form { margin: 0; }
header.top button { background: transparent; color: #fff; border: 1px solid #fff8; border-radius: 4px; padding: .2rem .6rem; cursor: pointer; }
main { max-width: 1200px; margin: 0 auto; padding: 1rem 1.2rem 2rem; }
h1 { font-size: 1.35rem; margin: .4rem 0 .8rem; }
h2 { font-size: 1.1rem; margin: 1.4rem 0 .6rem; }
a { color: #0b57d0; }
.muted { color: #5f6673; }
.unaddressed { border: 1px solid var(--overdue); border-left: 5px solid var(--overdue); background: #fff; padding: .4rem 1rem .6rem; border-radius: 6px; margin: 0 0 .9rem; }
.unaddressed h2 { margin: .3rem 0; color: var(--overdue); }
.problems { border: 1px solid var(--overdue); background: #fdecea; padding: .6rem 1rem; border-radius: 6px; }
form.filters { display: flex; flex-wrap: wrap; gap: .6rem 1rem; align-items: flex-end; background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: .8rem 1rem; }
form.filters label { display: flex; flex-direction: column; font-size: .85rem; color: #3c4350; gap: .2rem; }
form.filters select, form.filters input { font: inherit; padding: .3rem .4rem; min-width: 12rem; border: 1px solid #b8bec8; border-radius: 4px; }
form.filters fieldset { border: 0; padding: 0; margin: 0; display: flex; flex-wrap: wrap; gap: .3rem .8rem; font-size: .85rem; }
form.filters fieldset legend { padding: 0; margin-bottom: .2rem; color: #3c4350; }
form.filters fieldset label { flex-direction: row; align-items: center; gap: .25rem; }
form.filters input[type=checkbox] { min-width: 0; margin: 0; }
button.primary, .button { font: inherit; background: #8b1a1a; color: #fff; border: 0; border-radius: 4px; padding: .4rem 1rem; cursor: pointer; text-decoration: none; }
.counts { display: flex; flex-wrap: wrap; gap: .5rem; margin: .9rem 0; padding: 0; list-style: none; }
.counts a { display: inline-block; padding: .25rem .7rem; border-radius: 999px; color: #fff; text-decoration: none; font-size: .9rem; }
.badge { display: inline-block; padding: .1rem .5rem; border-radius: 4px; color: #fff; font-size: .85rem; white-space: nowrap; }
.st-overdue { --c: var(--overdue); } .st-due-soon { --c: var(--due-soon); } .st-within { --c: var(--within); }
.st-on-time { --c: var(--on-time); } .st-late { --c: var(--late); } .st-none, .st-cancelled { --c: var(--none); }
.badge, .counts a { background: var(--c); }
table.tasks { width: 100%; border-collapse: collapse; background: #fff; border: 1px solid var(--line); }
table.tasks th, table.tasks td { padding: .45rem .6rem; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
table.tasks th { background: #eef0f4; font-size: .85rem; }
table.tasks tr > td:first-child { border-left: 5px solid var(--c); }
table.tasks .doc { display: block; font-size: .85rem; color: #5f6673; }
tr.st-cancelled .title { text-decoration: line-through; }
.days { display: block; font-size: .8rem; color: #5f6673; }
.chart-box { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: .6rem; overflow-x: auto; }
svg.chart { font: 12px "Noto Sans", "DejaVu Sans", Arial, sans-serif; max-width: 100%; height: auto; }
svg.chart text { fill: #1d2330; } svg.chart .figures { fill: #5f6673; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .3rem 1rem; background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: .8rem 1rem; margin: 0; }
dl.facts dt { color: #5f6673; } dl.facts dd { margin: 0; }
ol.timeline { list-style: none; margin: 0; padding: 0 0 0 1.2rem; border-left: 3px solid var(--line); }
ol.timeline > li { position: relative; margin: 0 0 .9rem; padding: .5rem .8rem; background: #fff; border: 1px solid var(--line); border-radius: 6px; }
ol.timeline > li::before { content: ""; position: absolute; left: -1.75rem; top: .8rem; width: .8rem; height: .8rem; border-radius: 50%; background: var(--t); border: 2px solid #fff; }
ol.timeline > li.future { background: #fbfbfc; border-style: dashed; }
ol.timeline > li.now { background: transparent; border: 0; padding: 0 .8rem; color: #8b1a1a; font-weight: 600; }
ol.timeline > li.now::before { background: #8b1a1a; }
.tone-info { --t: var(--within); } .tone-ok { --t: var(--on-time); } .tone-warn { --t: var(--due-soon); } .tone-bad { --t: var(--overdue); } .tone-muted { --t: #9aa0a6; }
.tl-when { font-size: .85rem; color: #5f6673; } .tl-title { font-weight: 600; } .tl-kind { font-size: .75rem; text-transform: uppercase; color: #5f6673; margin-left: .4rem; }
.tl-lines { margin: .2rem 0 0; padding-left: 1rem; font-size: .9rem; }
.login { max-width: 26rem; margin: 3rem auto; background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 1.4rem; }
.login label { display: block; margin: .8rem 0 .3rem; } .login input { width: 100%; font: inherit; padding: .4rem; }
.empty { color: #5f6673; font-style: italic; }
/* A phone (the 390-px screen of a leader on the move): the task list becomes one card per task. */
@media (max-width: 640px) {
  main { padding: .6rem .6rem 1.5rem; }
  form.filters select, form.filters input { min-width: 0; width: 100%; }
  form.filters > label { width: 100%; }
  table.tasks, table.tasks tbody { display: block; border: 0; background: transparent; }
  table.tasks thead { display: none; }
  table.tasks tr { display: block; margin: 0 0 .7rem; background: #fff; border: 1px solid var(--line); border-left: 5px solid var(--c); border-radius: 6px; padding: .5rem .7rem; }
  table.tasks td { display: block; border: 0; padding: .15rem 0; }
  table.tasks tr > td:first-child { border-left: 0; }
  table.tasks td.num { display: none; }
  table.tasks td[data-label]:empty { display: none; }
  table.tasks td[data-label]::before { content: attr(data-label) ": "; color: #5f6673; font-size: .85rem; }
  table.tasks .title { font-weight: 600; }
}
footer { max-width: 1200px; margin: 0 auto; padding: 0 1.2rem 2rem; font-size: .8rem; color: #5f6673; }
`;

/** The tab icon; without one browsers ask for /favicon.ico, which is the API's (401). */
export const OFFICE_ICON = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#8b1a1a"/><path d="M4 3h4a5 5 0 0 1 0 10H4z" fill="#fff"/></svg>';

/** For the URL, so a changed stylesheet is never served from a stale cache. */
export const OFFICE_CSS_VERSION = createHash('sha256').update(OFFICE_CSS).digest('hex').slice(0, 10);
