// The "Phản hồi" block of a mail (templates/_replies.*): signed links for one recipient, built
// from `links.public_base_url` (src/core/links.ts). A reminder or escalation carries the lead
// body head's links (report completion, ask for an extension, report a coordinating body that
// does not cooperate); a notice to the Provincial Office or to the leader carries their decision
// links. Deterministic for a given mail (expiry from its planned instant, nonces derived from its
// id), so a resend after a crash carries the same links. Nothing at all when links are off.
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
 * The head's links in a reminder or escalation; {} when links are off, for coordinator reminders
 * (their recipients are not the lead body), and when the lead body's head is not addressed.
 */
export function headRepliesFor(loaded: LoadedConfig, n: TaskNotification, task: Task): { replies?: RepliesView } {
  const settings = linkSettings(loaded.config.links);
  if (!settings || n.kind === 'coordinator_reminder') return {};
  const head = n.to.find((r) => r.role === 'head') ?? n.cc.find((r) => r.role === 'head');
  if (!head) return {};
  const actions: LinkAction[] = ['complete', 'extend', ...(task.coordinators.length > 0 ? (['noncoop'] as const) : [])];
  return { replies: buildReplies(settings, loaded, { mailId: n.id, taskId: task.id, occurrence: n.occurrence, deadline: n.deadline, recipient: head, actions, at: n.scheduledAt }) };
}
