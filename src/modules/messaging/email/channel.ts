// PLACEHOLDER (helper: email/notify) — the e-mail channel through the kernel outbox.
import type { ChannelSender } from '../engine.js';

export const emailSender: ChannelSender = {
  channel: 'email',
  batchSize: 200,
  leaseSeconds: 120,
  idempotent: true,
  ready: () => false,
  send: async () => {
    throw new Error('e-mail channel not implemented yet');
  },
};
