// One person's mail about tasks (reminders, coordinator reminders, escalations): a single item
// renders its step's own template, several render the kind's list template
// (src/mail/bundle-view.ts). Each item carries the reply links of this person's role only
// (src/mail/reply-links.ts). Used by the bundle job and by simulate, so both send the same mail.
import type { LoadedConfig } from '../config/load.js';
import type { BundleKind } from '../core/bundle.js';
import type { Recipient, TaskNotification } from '../core/notification.js';
import type { Task } from '../core/task.js';
import { bundleView } from './bundle-view.js';
import { type CopyMessageArgs, type MailIdentity, copyMessage, kindHeader } from './eml.js';
import type { OutgoingMessage } from './message.js';
import type { RenderedMessage, Templates } from './render.js';
import { copyRepliesFor } from './reply-links.js';
import { type ViewContext, notificationView } from './view.js';

/** The template of a list of several items of a kind. */
export const LIST_TEMPLATES: Readonly<Record<BundleKind, string>> = {
  reminder: 'reminder-list',
  coordinator_reminder: 'coordinator-reminder-list',
  escalation: 'escalation-list',
};

export interface TaskMailItem {
  n: TaskNotification;
  task: Task;
  /** The copy's id: its record, and the seed of its links' nonces. */
  copyId: string;
}

export const viewContextOf = (loaded: LoadedConfig): ViewContext => ({
  org: loaded.org,
  calendar: loaded.calendar,
  senderName: loaded.config.mail.from.name,
  basis: loaded.config.policy.basis,
});

export function renderTaskMail(templates: Templates, loaded: LoadedConfig, mailId: string, recipient: Recipient, items: readonly TaskMailItem[]): RenderedMessage {
  const ctx = viewContextOf(loaded);
  if (items.length === 1) {
    const { n, task, copyId } = items[0]!;
    return templates.render(n.template, Object.assign(notificationView(n, { ...ctx, task }), copyRepliesFor(loaded, n, task, recipient, copyId)));
  }
  const view = bundleView(
    mailId,
    recipient,
    items.map((i) => ({ n: i.n, task: i.task, ...copyRepliesFor(loaded, i.n, i.task, recipient, i.copyId) })),
    ctx,
  );
  return templates.render(LIST_TEMPLATES[items[0]!.n.kind], view);
}

/** The message of one person's task mail, with the headers that name what it carries. */
export function taskMailMessage(
  rendered: RenderedMessage,
  identity: MailIdentity,
  messageId: string,
  mailId: string,
  recipient: Recipient,
  items: readonly TaskMailItem[],
): OutgoingMessage {
  const single = items.length === 1 ? items[0]! : undefined;
  const args: CopyMessageArgs = {
    messageId,
    recipient,
    rendered,
    identity,
    notification: single ? single.n.id : mailId,
    kind: single ? kindHeader(single.n) : `${items[0]!.n.kind}-list`,
    items: items.map((i) => i.copyId),
    ...(single ? { taskId: single.task.id } : {}),
  };
  return copyMessage(args);
}
