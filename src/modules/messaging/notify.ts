// PLACEHOLDER (helper: email/notify) — the public notification service for other modules.
export interface NotifyInput {
  enteId: string;
}
export interface NotifyResult {
  messageId: string;
}
export async function notify(_input: NotifyInput): Promise<NotifyResult> {
  throw new Error('notify not implemented yet');
}
