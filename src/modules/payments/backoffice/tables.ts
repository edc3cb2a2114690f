// Kysely types of the back office's own tables (migrations/004_backoffice.sql).
declare module '../../../platform/db/schema.js' {
  interface DB {
    payment_upload: {
      ente_id: string;
      id: import('kysely').Generated<string>;
      file_sha256: string;
      file_name: string;
      status: import('kysely').Generated<'queued' | 'running' | 'done' | 'failed'>;
      total_rows: number;
      processed_rows: import('kysely').Generated<number>;
      created_count: import('kysely').Generated<number>;
      existing_count: import('kysely').Generated<number>;
      rejected_count: import('kysely').Generated<number>;
      error: string | null;
      created_by_id: string | null;
      created_by: string;
      created_at: import('kysely').Generated<Date>;
      finished_at: Date | null;
    };
    payment_upload_rejection: {
      ente_id: string;
      upload_id: string;
      line: number;
      external_ref: string | null;
      reason: string;
      fields: import('kysely').ColumnType<unknown, string, string>;
    };
  }
}
export {};
