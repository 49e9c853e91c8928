// Renders notifications with the Handlebars templates in templates/ (or an admin's directory
// that overrides any of them, file by file). HTML output escapes every value (Handlebars'
// default); the plain-text part and the subject are not HTML and are compiled without
// escaping; subjects lose CR, LF and every control character, so no header can be injected.
// Everything is NFC: Vietnamese may reach us decomposed.
import fs from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { PACKAGE_ROOT } from '../config/paths.js';
import type { Notification } from '../core/notification.js';
import { TEMPLATE_NAMES } from '../core/policy.js';
import { DondocError, type Problem } from '../errors.js';
import { type ViewContext, notificationView } from './view.js';

export const SHIPPED_TEMPLATES = path.join(PACKAGE_ROOT, 'templates');

export interface RenderedMessage {
  subject: string;
  html: string;
  text: string;
}

export interface Templates {
  /** The directories read, shipped first; later ones override file by file. */
  readonly dirs: readonly string[];
  readonly names: readonly string[];
  render(name: string, view: Record<string, unknown>): RenderedMessage;
}

const MAX_SUBJECT = 250;

/** One line, no control characters (CR/LF/NUL/…, U+2028/2029), NFC, at most 250 characters. */
export function cleanSubject(s: string): string {
  const one = s
    .normalize('NFC')
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return one.length > MAX_SUBJECT ? `${one.slice(0, MAX_SUBJECT - 1).trimEnd()}…` : one;
}

type Part = 'subject' | 'html' | 'txt';
const FILE_RE = /^(_?)([a-z0-9][a-z0-9-]*)\.(subject|html|txt)\.hbs$/;

/**
 * Reads the shipped templates, then `overrideDir` (if any) on top. Syntax errors and missing
 * parts are reported together, each with its file.
 */
export function loadTemplates(overrideDir?: string): Templates {
  const dirs = [SHIPPED_TEMPLATES, ...(overrideDir ? [overrideDir] : [])];
  const files = new Map<string, string>(); // "reminder.html" → file path
  const problems: Problem[] = [];
  for (const dir of dirs) {
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
      problems.push({ path: dir, message: 'template directory not found (mail.templates)' });
      continue;
    }
    for (const name of fs.readdirSync(dir).sort()) {
      const m = FILE_RE.exec(name);
      if (m) files.set(`${m[1]}${m[2]}.${m[3]}`, path.join(dir, name));
    }
  }
  const html = Handlebars.create();
  const plain = Handlebars.create();
  const compiled = new Map<string, Handlebars.TemplateDelegate>();
  for (const [key, file] of files) {
    const src = fs.readFileSync(file, 'utf8').normalize('NFC');
    try {
      Handlebars.parse(src);
    } catch (e) {
      problems.push({ path: file, message: `template syntax: ${(e as Error).message.split('\n')[0]}` });
      continue;
    }
    const [base, part] = key.split('.') as [string, Part];
    const env = part === 'html' ? html : plain;
    const fn = env.compile(src, { noEscape: part !== 'html' });
    // "_task.html" and "layout.html" are partials ({{> task}}, {{#> layout}}) of their part.
    if (base.startsWith('_')) env.registerPartial(base.slice(1), fn);
    else if (base === 'layout') env.registerPartial('layout', fn);
    else compiled.set(key, fn);
  }
  const names = [...new Set([...compiled.keys()].map((k) => k.split('.')[0]!))].sort();
  for (const name of new Set([...TEMPLATE_NAMES, ...names])) {
    for (const part of ['subject', 'html', 'txt'] as const) {
      if (!compiled.has(`${name}.${part}`)) problems.push({ path: path.join(dirs[dirs.length - 1]!, `${name}.${part}.hbs`), message: `missing: every template needs a .subject, .html and .txt part` });
    }
  }
  if (problems.length) throw new DondocError('CONFIG_INVALID', `templates: ${problems.length} problem${problems.length > 1 ? 's' : ''}`, problems);

  const run = (key: string, view: Record<string, unknown>): string => {
    const fn = compiled.get(key);
    if (!fn) throw new DondocError('CONFIG_INVALID', `no template ${key}.hbs in ${dirs.join(' or ')}`);
    return fn(view).normalize('NFC');
  };
  return {
    dirs,
    names,
    render(name, view) {
      const subject = cleanSubject(run(`${name}.subject`, view));
      const withSubject = { ...view, subject };
      return { subject, html: run(`${name}.html`, withSubject), text: tidyText(run(`${name}.txt`, withSubject)) };
    },
  };
}

/** Plain text: no runs of blank lines left by optional sections, one final newline. */
const tidyText = (s: string): string => `${s.replace(/[ \t]+\n/g, '\n').replace(/\n{3,}/g, '\n\n').trim()}\n`;

/** Renders one notification (task notifications need `ctx.task`). */
export function renderNotification(templates: Templates, n: Notification, ctx: ViewContext): RenderedMessage {
  return templates.render(n.template, notificationView(n, ctx));
}
