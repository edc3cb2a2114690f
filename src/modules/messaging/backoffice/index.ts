// PLACEHOLDER (helper: back office) — compose, preview, send, live progress, CAP export.
import type { App } from '../../../platform/http/app.js';
import type { Platform } from '../../../platform/platform.js';

export async function registerBackoffice(_app: App, _platform: Platform): Promise<void> {}
export async function seedDemoBackoffice(_platform: Platform): Promise<void> {}
