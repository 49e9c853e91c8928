// The mails a reply through a signed link triggers (issue 6), as requests: which notice, about
// which history event of which task. The id is deterministic — one per event — so a notice is
// delivered once however often it is asked for (the claim protocol, docs/DELIVERY.md).
// Enqueued by src/queue/notice.ts, sent by jobs/send-notice.ts.
export const NOTICE_KINDS = ['completion-report', 'completion-decision', 'extension-request', 'extension-decision', 'noncooperation-report'] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

export interface NoticeRequest {
  taskId: string;
  id: string;
  notice: NoticeKind;
  occurrence: string;
  /** The `at` of the history event the notice is about. */
  event: number;
  /** Extension notices: the request. */
  requestId?: string;
}

/** "<task>_<occurrence>_n-<kind>-<ref>": [A-Za-z0-9_-], never a planner id (those have no "n-"). */
export function noticeId(kind: NoticeKind, taskId: string, occurrence: string, ref: string): string {
  return `${taskId}_${occurrence}_n-${kind}-${ref}`;
}

/** The notice about one history event: ref is the request id, else the event's instant in base 36. */
export function noticeFor(kind: NoticeKind, taskId: string, occurrence: string, event: number, requestId?: string): NoticeRequest {
  return {
    taskId,
    id: noticeId(kind, taskId, occurrence, requestId ?? event.toString(36)),
    notice: kind,
    occurrence,
    event,
    ...(requestId !== undefined ? { requestId } : {}),
  };
}
