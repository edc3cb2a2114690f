// Demo tickets for the demo network (filled in by the demo seed work).
import type { Platform } from '../../platform/platform.js';

export async function seedDemoTickets(_platform: Platform): Promise<void> {}
