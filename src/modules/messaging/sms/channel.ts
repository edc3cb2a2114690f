// PLACEHOLDER (helper: SMPP) — the SMS channel: SMPP session, sender, delivery receipts, STOP.
import type { JobDefinition } from '../../../platform/jobs/index.js';
import type { Platform } from '../../../platform/platform.js';
import type { ChannelSender } from '../engine.js';

export const smsSender: ChannelSender = {
  channel: 'sms',
  batchSize: 100,
  leaseSeconds: 120,
  idempotent: false,
  ready: () => false,
  send: async () => {
    throw new Error('SMS channel not implemented yet');
  },
};
export function smsJobs(_platform: Platform): JobDefinition<any>[] {
  return [];
}
export async function startSms(_platform: Platform): Promise<void> {}
