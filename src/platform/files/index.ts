// Content-addressed file store: bytes live once on disk under their SHA-256 (later: S3-compatible storage);
// each ente that holds a file has its own metadata row, so reaching a file always goes through the ente.
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Trx } from '../db/index.js';

export interface StoredFile {
  sha256: string;
  sizeBytes: number;
  mediaType: string;
  originalName: string;
}

export class FileStore {
  constructor(private readonly root: string) {}

  private pathOf(sha256: string): string {
    return path.join(this.root, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  /** Writes the bytes (idempotent) and records them for the ente of `trx`. */
  async put(
    trx: Trx,
    enteId: string,
    file: { bytes: Buffer; mediaType: string; originalName: string; createdBy?: string | null },
  ): Promise<StoredFile> {
    const sha256 = createHash('sha256').update(file.bytes).digest('hex');
    const target = this.pathOf(sha256);
    await fs.mkdir(path.dirname(target), { recursive: true });
    const present = await fs.stat(target).then((s) => s.size === file.bytes.length, () => false);
    if (!present) {
      // Write to a temporary name then rename: a crash never leaves a truncated file under a valid hash.
      const temp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
      await fs.writeFile(temp, file.bytes);
      await fs.rename(temp, target);
    }
    await trx
      .insertInto('stored_file')
      .values({
        ente_id: enteId,
        sha256,
        size_bytes: file.bytes.length,
        media_type: file.mediaType,
        original_name: file.originalName,
        created_by: file.createdBy ?? null,
      })
      .onConflict((oc) => oc.columns(['ente_id', 'sha256']).doNothing())
      .execute();
    return { sha256, sizeBytes: file.bytes.length, mediaType: file.mediaType, originalName: file.originalName };
  }

  /** Reads a file of the ente bound to `trx`; undefined when that ente does not hold it. */
  async get(trx: Trx, sha256: string): Promise<(StoredFile & { bytes: Buffer }) | undefined> {
    if (!/^[0-9a-f]{64}$/.test(sha256)) return undefined;
    const row = await trx.selectFrom('stored_file').selectAll().where('sha256', '=', sha256).executeTakeFirst();
    if (!row) return undefined;
    const bytes = await fs.readFile(this.pathOf(sha256));
    const actual = createHash('sha256').update(bytes).digest('hex');
    if (actual !== sha256) throw new Error(`file store corruption: ${sha256} does not match its content`);
    return { sha256, sizeBytes: row.size_bytes, mediaType: row.media_type, originalName: row.original_name, bytes };
  }
}
