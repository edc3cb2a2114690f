// PLACEHOLDER (helper: App IO) — the App IO channel.
import type { ChannelSender } from '../engine.js';

export const appioSender: ChannelSender = {
  channel: 'appio',
  batchSize: 50,
  leaseSeconds: 120,
  idempotent: false,
  ready: () => false,
  send: async () => {
    throw new Error('App IO channel not implemented yet');
  },
};
