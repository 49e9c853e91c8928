// Why a notification was not sent, in the words of the people who read it. The planner and the
// delivery engine record their reasons in English (they are also log lines); the CLI and the
// Office page show them through here, in Vietnamese. A reason this does not know is shown as
// written, so a new one is never lost, only left untranslated.

const CATEGORY: Record<string, string> = {
  superseded: 'không gửi nữa',
  extended: 'đã gia hạn',
  completed: 'đã hoàn thành',
  cancelled: 'đã hủy/thu hồi',
  backfilled: 'trước ngày áp dụng',
  muted: 'tạm dừng',
  skipped: 'bỏ qua',
  paused: 'tạm dừng',
};

const DETAILS: Array<[RegExp, (m: RegExpExecArray) => string]> = [
  [/^fell due before the go-live date (.+)$/, (m) => `đến hạn trước ngày bắt đầu áp dụng ${m[1]}`],
  [/^deadline extended to (.+)$/, (m) => `thời hạn đã được gia hạn đến ${m[1]}`],
  [/^paused \(completion reported, awaiting confirmation\)(?: at (.+))?$/, (m) => `tạm dừng: đã báo cáo hoàn thành, chờ xác nhận${m[1] ? ` (${m[1]})` : ''}`],
  [/^completed(?: at (.+))?$/, (m) => `nhiệm vụ đã hoàn thành${m[1] ? ` lúc ${m[1]}` : ''}`],
  [/^cancelled(?: at (.+))?$/, (m) => `nhiệm vụ đã hủy/thu hồi${m[1] ? ` lúc ${m[1]}` : ''}`],
  [/^the deadline passed before it could be sent$/, () => 'thời hạn đã qua trước khi kịp gửi'],
  [/^a later step of the same ladder was due$/, () => 'đã đến bước sau của cùng chuỗi nhắc việc'],
  [/^no longer in the plan \(the task was changed\)$/, () => 'không còn trong lịch gửi (nhiệm vụ đã thay đổi)'],
  [/^nothing overdue or due soon$/, () => 'không có nhiệm vụ quá hạn hay sắp đến hạn'],
  [/^muted \((task|body) (\S+) by (\S+?)(?:: (.*))?\)$/, (m) => `tạm dừng (${m[1] === 'task' ? 'nhiệm vụ' : 'đơn vị'} ${m[2]}, bởi ${m[3]}${m[4] ? `: ${m[4]}` : ''})`],
  [/^the message could not be built: (.*)$/, (m) => `không tạo được thư: ${m[1]}`],
  [/^task deleted$/, () => 'nhiệm vụ đã bị xóa'],
];

function detailText(detail: string): string | undefined {
  for (const [re, f] of DETAILS) {
    const m = re.exec(detail);
    if (m) return f(m);
  }
  return undefined;
}

/** A recorded reason ("extended: deadline extended to 29/07/2022", "a later step …") in Vietnamese. */
export function reasonText(reason: string): string {
  const whole = detailText(reason);
  if (whole !== undefined) return whole;
  const m = /^([a-z_]+): (.*)$/s.exec(reason);
  if (m && CATEGORY[m[1]!] !== undefined) {
    const detail = detailText(m[2]!);
    return detail !== undefined ? detail : `${CATEGORY[m[1]!]}: ${m[2]}`;
  }
  return reason;
}

/** The planner's states, as the CLI shows them. */
export const PLAN_STATE_VI: Record<string, string> = {
  planned: 'dự kiến',
  due: 'đến lượt',
  done: 'đã xử lý',
  backfilled: 'không gửi',
  superseded: 'không gửi',
  cancelled: 'không gửi',
};

/** Kinds of mail in the delivery log, as the CLI shows them. */
export const MAIL_KIND_VI: Record<string, string> = {
  reminder: 'nhắc hạn',
  coordinator_reminder: 'nhắc phối hợp',
  escalation: 'báo cáo quá hạn',
  digest: 'tổng hợp hằng ngày',
  weekly_report: 'báo cáo tuần',
  lateness_notice: 'chậm, muộn nhiều lần',
  failure_report: 'báo thư lỗi',
  unaddressed_report: 'không ai nhận thư nhắc',
  notice: 'thông báo',
};
