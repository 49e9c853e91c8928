// Resolves policy roles (head, clerical, leader, provincial_office, …) to mailboxes through
// the org directory, as of the day a notification goes out: a body that has ended is followed
// to its successor (2025 reorganisation). The same address is never both in to and in cc of
// one message, nor twice in either (first mention wins, to before cc).
import type { Day } from './day.js';
import type { Recipient } from './notification.js';
import { type Body, type OrgDirectory, currentBody, isBodyValidOn } from './org.js';
import type { RecipientRole } from './policy.js';
import type { Task } from './task.js';

export interface RecipientScope {
  org: OrgDirectory;
  task: Pick<Task, 'id' | 'lead' | 'leader'>;
  /** The day the message goes out (the directory as valid on that day). */
  day: Day;
  /** For coordinator steps: the coordinating body's code. */
  coordinator?: string;
}

export interface Resolved {
  to: Recipient[];
  cc: Recipient[];
  warnings: string[];
}

// Recipients depend only on (role, body or leader code), so they are made once per org and
// shared: planning a million tasks allocates no recipient objects after warm-up.
type Made = Recipient | string | null;
const cache = new WeakMap<OrgDirectory, Map<RecipientRole, Map<string, Made>>>();

function cached(org: OrgDirectory, role: RecipientRole, code: string): Made | undefined {
  return cache.get(org)?.get(role)?.get(code);
}

// Addresses compare without case; the folded form is kept beside each shared recipient.
const folded = new WeakMap<Recipient, string>();
const keyOf = (r: Recipient): string => {
  let k = folded.get(r);
  if (k === undefined) folded.set(r, (k = r.email.toLowerCase()));
  return k;
};

function taken(out: Resolved, key: string): boolean {
  for (const r of out.to) if (keyOf(r) === key) return true;
  for (const r of out.cc) if (keyOf(r) === key) return true;
  return false;
}

function remember(org: OrgDirectory, role: RecipientRole, code: string, r: Made): Made {
  let byRole = cache.get(org);
  if (!byRole) cache.set(org, (byRole = new Map()));
  let byCode = byRole.get(role);
  if (!byCode) byRole.set(role, (byCode = new Map()));
  byCode.set(code, r);
  return r;
}

const fromLeader = (role: RecipientRole, org: OrgDirectory, code: string): Made => {
  const l = org.leaders.get(code);
  if (!l) return role === 'chairman' ? `chairman: "${code}" is not a leader in the directory` : `leader: "${code}" is not in the directory`;
  return Object.freeze({ role, title: l.title, email: l.email, leader: l.code, ...(l.name ? { name: l.name } : {}) });
};

const bodyHead = (role: RecipientRole, b: Body): Recipient | string =>
  b.head.email
    ? Object.freeze({ role, title: b.head.title, email: b.head.email, body: b.code, name: b.name })
    : `${role}: ${b.name} (${b.code}) has no head address in the directory`;

const bodyClerical = (role: RecipientRole, b: Body): Recipient | null =>
  b.clerical?.email ? Object.freeze({ role, title: b.clerical.title || `Văn thư ${b.name}`, email: b.clerical.email, body: b.code, name: b.name }) : null;

/** The body on a day: itself while valid (no allocation: the hot path), else its successor. */
const bodyOn = (org: OrgDirectory, code: string, day: Day): Body | undefined => {
  const b = org.bodies.get(code);
  return b && isBodyValidOn(b, day) ? b : currentBody(org, code, day);
};

function resolveBody(role: RecipientRole, s: RecipientScope, code: string | undefined, what: string): Body | string {
  if (!code) return `${role}: no ${what}`;
  const b = bodyOn(s.org, code, s.day);
  return b ?? `${role}: ${what} "${code}" is not in the directory`;
}

/** One role → a mailbox, null (an optional role the body does not have), or a problem text. */
export function resolveRole(role: RecipientRole, s: RecipientScope): Made {
  const { org } = s;
  switch (role) {
    case 'head':
    case 'clerical':
    case 'coordinator_head':
    case 'coordinator_clerical': {
      const coordinator = role === 'coordinator_head' || role === 'coordinator_clerical';
      const b = resolveBody(role, s, coordinator ? s.coordinator : s.task.lead, coordinator ? 'coordinating body' : 'lead body');
      if (typeof b === 'string') return b;
      const hit = cached(org, role, b.code);
      if (hit !== undefined) return hit;
      return remember(org, role, b.code, role === 'clerical' || role === 'coordinator_clerical' ? bodyClerical(role, b) : bodyHead(role, b));
    }
    case 'leader':
    case 'chairman': {
      const code = role === 'chairman' ? org.roles.chairman : (s.task.leader ?? bodyOn(org, s.task.lead, s.day)?.leader);
      if (!code) return `leader: task ${s.task.id} has no leader in charge (neither on the task nor on its lead body)`;
      const hit = cached(org, role, code);
      return hit !== undefined ? hit : remember(org, role, code, fromLeader(role, org, code));
    }
    case 'provincial_office':
    case 'home_affairs':
    case 'inspectorate': {
      const code = role === 'provincial_office' ? org.roles.provincialOffice : role === 'home_affairs' ? org.roles.homeAffairs : org.roles.inspectorate;
      const b = resolveBody(role, s, code, `the ${role.replace('_', ' ')} body`);
      if (typeof b === 'string') return b;
      const hit = cached(org, role, b.code);
      return hit !== undefined ? hit : remember(org, role, b.code, bodyHead(role, b));
    }
  }
}

/** to and cc lists, deduplicated by address (case-insensitive); a to-address is dropped from cc. */
export function resolveRecipients(to: readonly RecipientRole[], cc: readonly RecipientRole[], s: RecipientScope): Resolved {
  const out: Resolved = { to: [], cc: [], warnings: [] };
  for (let pass = 0; pass < 2; pass++) {
    const roles = pass === 0 ? to : cc;
    const list = pass === 0 ? out.to : out.cc;
    for (const role of roles) {
      const r = resolveRole(role, s);
      if (r === null) continue;
      if (typeof r === 'string') out.warnings.push(r);
      // A handful of recipients: a linear scan beats a Set (this runs ~10 times per task).
      else if (!taken(out, keyOf(r))) list.push(r);
    }
  }
  if (out.to.length === 0) out.warnings.push(`no recipient: none of ${to.join(', ')} has an address`);
  return out;
}
