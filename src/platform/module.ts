// The module manifest: what a module brings to the platform. A module's index.ts exports one of these and
// its public service; nothing else of a module may be imported by another.
import type { App } from './http/app.js';
import type { JobDefinition } from './jobs/index.js';
import type { InboundMailHandler } from './mail/inbound.js';
import type { Platform } from './platform.js';

export interface ModuleManifest {
  name: string;
  /** Folder of NNN_description.sql migrations. */
  migrationsDir?: string;
  /** Permissions this module defines (e.g. 'noticeboard.publish'); granted to its operators. */
  permissions?: string[];
  /** JSON API routes (under /api/v1). */
  routes?: (app: App, platform: Platform) => Promise<void> | void;
  /** Server-rendered pages. */
  pages?: (app: App, platform: Platform) => Promise<void> | void;
  /** Background jobs. */
  jobs?: (platform: Platform) => JobDefinition<any>[];
  /** Inbound e-mail this module takes (its addresses), delivered by the kernel's SMTP listener. */
  inboundMail?: (platform: Platform) => InboundMailHandler;
  /** Runs once the job workers have started in this process (e.g. resume work a crash interrupted). */
  started?: (platform: Platform) => Promise<void>;
  /** Demo data for this module, run once after the network is seeded. */
  seedDemo?: (platform: Platform) => Promise<void>;
}
