// Downloads: one safe Content-Disposition for every file the platform hands out.

/**
 * Content-Disposition with an ASCII fallback `filename` and the exact name in `filename*` (RFC 6266 /
 * RFC 5987), so 'Delibera n. 12 – città.pdf' survives the trip and no name can break the header.
 */
export function contentDisposition(kind: 'inline' | 'attachment', fileName: string): string {
  const clean = fileName.replace(/[\u0000-\u001f\u007f/\\]/g, '_').trim().slice(0, 200) || 'documento';
  const ascii = clean
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\x20-\x7e]/g, '_')
    .replace(/["%;]/g, '_');
  const encoded = encodeURIComponent(clean).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/** Sends a private file for staff: never cached, never sniffed, downloaded under its original name. */
export function sendPrivateFile(
  reply: { header(name: string, value: string): any; type(t: string): any; send(b: Buffer): any },
  file: { name: string; mediaType: string; bytes: Buffer },
) {
  return reply
    .header('cache-control', 'no-store')
    .header('content-disposition', contentDisposition('attachment', file.name))
    .header('x-content-type-options', 'nosniff')
    .type(file.mediaType)
    .send(file.bytes);
}
