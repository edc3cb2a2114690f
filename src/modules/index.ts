// The modules of the platform, in boot order (migrations and demo seeds run in this order).
import type { ModuleManifest } from '../platform/module.js';
import { membersModule } from './members/index.js';
import { noticeboardModule } from './noticeboard/index.js';
import { helpdeskModule } from './helpdesk/index.js';
import { paymentsModule } from './payments/index.js';
import { messagingModule } from './messaging/index.js';

export const modules: ModuleManifest[] = [membersModule, noticeboardModule, helpdeskModule, paymentsModule, messagingModule];
