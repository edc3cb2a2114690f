// messaging: one messaging service for every member ente — citizens subscribe to topics of the comuni they care
// about (with consent per topic, confirmed by a one-time code), operators send messages over SMS (SMPP), e-mail
// and App IO, fanned out as resumable jobs; civil-protection alerts export as CAP 1.2; other modules notify one
// citizen or staff member through `notify`. This file is the module's only public surface.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ModuleManifest } from '../../platform/module.js';
import type { Channel } from './store.js';
import { engineJobs, resumeDispatches, type ChannelSender } from './engine.js';
import { smsSender, smsJobs, startSms } from './sms/channel.js';
import { emailSender } from './email/channel.js';
import { appioSender } from './appio/channel.js';
import { registerSubscriptions, seedDemoSubscriptions, subscriptionsJobs } from './subscriptions/index.js';
import { registerBackoffice, seedDemoBackoffice } from './backoffice/index.js';
import { seedDemoMessaging } from './seed.js';

const here = path.dirname(fileURLToPath(import.meta.url));

const senders: ReadonlyMap<Channel, ChannelSender> = new Map([
  ['sms', smsSender],
  ['email', emailSender],
  ['appio', appioSender],
]);

export const messagingModule: ModuleManifest = {
  name: 'messaging',
  migrationsDir: path.join(here, 'migrations'),
  permissions: ['messaging.send', 'messaging.subscribers'],
  pages: async (app, platform) => {
    await registerSubscriptions(app, platform);
    await registerBackoffice(app, platform);
  },
  jobs: (platform) => [...engineJobs(platform, senders), ...smsJobs(platform), ...subscriptionsJobs(platform)],
  started: async (platform) => {
    await startSms(platform);
    await resumeDispatches(platform);
  },
  seedDemo: async (platform) => {
    await seedDemoMessaging(platform);
    await seedDemoSubscriptions(platform);
    await seedDemoBackoffice(platform);
  },
};

export { notify, type NotifyInput, type NotifyResult } from './notify.js';
