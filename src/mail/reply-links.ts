// The "Phản hồi" block of a mail (templates/_replies.*): signed links for the one person a copy
// goes to, built from `links.public_base_url` (src/core/links.ts). A reminder's or escalation's
// copy to the lead body's head carries the head's links (report completion, ask for an
// extension, report a coordinating body that does not cooperate); a notice's copy to the
// Provincial Office or to the leader carries their decision links; no other copy carries any.
// Deterministic for a given copy (expiry from its planned instant, nonces derived from the
// copy's id), so a resend after a crash — in a bundle or alone — carries the same links.
import type { LoadedConfig } from '../config/load.js';
import { type LinkSettings, linkSettings } from '../config/sections/links.js';
import { formatVnDay } from '../core/day.js';
import { type LinkAction, ACTION_ROLE, deadlineVersion, deriveNonce, recipientHash, signLink } from '../core/links.js';
import type { Recipient, TaskNotification } from '../core/notification.js';
import type { Deadline, Task } from '../core/task.js';

export const ACTION_LABELS: Readonly<Record<LinkAction, string>> = {
  complete: 'Báo cáo hoàn thành',
  extend: 'Đề nghị gia hạn / báo cáo khó khăn',
  noncoop: 'Báo cáo đơn vị phối hợp chưa phối hợp',
  'confirm-completion': 'Xác nhận hoàn thành',
  'reject-completion': 'Không xác nhận, đề nghị tiếp tục thực hiện',
  'approve-extension': 'Đồng ý gia hạn',
  'reject-extension': 'Không đồng ý gia hạn',
};

export interface RepliesView {
  /** Who the links are for: "Giám đốc Sở Y tế". */
  for: string;
  links: Array<{ action: LinkAction; label: string; url: string }>;
  /** dd/mm/yyyy: the last day the links work. */
  expires: string;
  oneTime: boolean;
}

export interface ReplyLinkArgs {
  /** The mail the links go in: their nonces derive from it. */
  mailId: string;
  taskId: string;
  occurrence: string;
  deadline: Deadline;
  recipient: Recipient;
  actions: readonly LinkAction[];
  /** The mail's instant: links expire ttl after it. */
  at: number;
  request?: string;
}

/** The link URL path for a token. */
export const replyPath = (token: string): string => `/r/${token}`;

export function buildReplies(settings: LinkSettings, loaded: LoadedConfig, a: ReplyLinkArgs): RepliesView {
  const expiresAt = Math.floor((a.at + settings.ttlMs) / 1000) * 1000;
  const recipient = recipientHash(a.recipient.email);
  const links = a.actions.map((action) => {
    const token = signLink(
      {
        action,
        taskId: a.taskId,
        occurrence: a.occurrence,
        deadline: deadlineVersion(a.deadline),
        role: ACTION_ROLE[action],
        recipient,
        expiresAt,
        ...(settings.oneTime ? { nonce: deriveNonce(settings.secrets[0]!, [a.mailId, action, recipient]) } : {}),
        ...(a.request !== undefined ? { request: a.request } : {}),
      },
      settings.secrets,
    );
    return { action, label: ACTION_LABELS[action], url: `${settings.baseUrl}${replyPath(token)}` };
  });
  return { for: a.recipient.title, links, expires: formatVnDay(loaded.calendar.zone.dayOf(expiresAt - 1)), oneTime: settings.oneTime };
}

/**
 * The links of one copy of a reminder or escalation: the lead body's head gets its own
 * (report completion, ask for an extension, report a coordinating body that does not
 * cooperate), bound to its address; every other copy — the văn thư, the Provincial Office, the
 * leader, a coordinating body — gets none. {} when links are off.
 */
export function copyRepliesFor(loaded: LoadedConfig, n: TaskNotification, task: Task, recipient: Recipient, mailId: string): { replies?: RepliesView } {
  const settings = linkSettings(loaded.config.links);
  if (!settings || n.kind === 'coordinator_reminder' || recipient.role !== 'head') return {};
  const actions: LinkAction[] = ['complete', 'extend', ...(task.coordinators.length > 0 ? (['noncoop'] as const) : [])];
  return { replies: buildReplies(settings, loaded, { mailId, taskId: task.id, occurrence: n.occurrence, deadline: n.deadline, recipient, actions, at: n.scheduledAt }) };
}
