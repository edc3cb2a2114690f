// The table of migrations/002_notify.sql: e-mail extras of a notification's dispatch (headers, HTML, sender).
import type { Selectable } from 'kysely';

declare module '../../../platform/db/schema.js' {
  interface DB {
    msg_dispatch_email: {
      ente_id: string;
      dispatch_id: string;
      headers: unknown;
      html: string | null;
      from_address: string | null;
    };
  }
}

import type { DB } from '../../../platform/db/index.js';
export type DispatchEmailRow = Selectable<DB['msg_dispatch_email']>;
