// GENERATED from ../shared/specs/gsm/GSM0338.TXT (Unicode Consortium "GSM 03.38 to Unicode", table version 2.0,
// 2009-11-10; see ../shared/specs/gsm/SOURCE.md). Do not edit by hand and do not read ../shared at run time.
// To regenerate, run by hand from the repository root (the generator is the commented block below, the test
// gsm7.test.ts runs it again and checks its output is byte-identical to this file):
//   sed -n '/^\/\/ \/\/ >>> generator/,/^\/\/ \/\/ <<< generator/s|^// \{0,1\}||p' \
//     src/modules/messaging/sms/gsm0338-table.ts > /tmp/gsm0338-gen.mjs
//   node /tmp/gsm0338-gen.mjs ../shared/specs/gsm/GSM0338.TXT > /tmp/gsm0338-table.ts
//   mv /tmp/gsm0338-table.ts src/modules/messaging/sms/gsm0338-table.ts
//
// // >>> generator (plain JavaScript, no dependencies)
// // Usage: node gsm0338-gen.mjs path/to/GSM0338.TXT > gsm0338-table.ts
// import fs from 'node:fs';
// import crypto from 'node:crypto';
//
// const self = fs.readFileSync(new URL(import.meta.url), 'utf8').replace(/\n+$/, '').split('\n');
// const bytes = fs.readFileSync(process.argv[2]);
// const hex = (n, width) => '0x' + n.toString(16).toUpperCase().padStart(width, '0');
// const basic = new Array(128).fill(null);
// const extension = [];
// const commented = [];
// for (const line of bytes.toString('utf8').split(/\r?\n/)) {
//   const m = /^(#?)0x([0-9A-F]{2})([0-9A-F]{2})?\t0x([0-9A-F]{4})\t#\t(.+)$/i.exec(line);
//   if (!m) continue;
//   const [, hash, first, second, unicode, name] = m;
//   const code = parseInt(first, 16);
//   const cp = parseInt(unicode, 16);
//   if (hash) commented.push(`  [${hex(code, 2)}, ${hex(cp, 4)}, ${JSON.stringify(name.trim())}],`);
//   else if (second !== undefined) {
//     if (code !== 0x1b) throw new Error(`unexpected double-byte code in: ${line}`);
//     extension.push(`  [${hex(parseInt(second, 16), 2)}, ${hex(cp, 4)}, ${JSON.stringify(name.trim())}],`);
//   } else {
//     if (basic[code] !== null) throw new Error(`duplicate code in: ${line}`);
//     basic[code] = `  ${hex(cp, 4)}, // ${hex(code, 2)} ${name.trim()}`;
//   }
// }
// if (basic.includes(null)) throw new Error('the default alphabet must define all 128 codes');
// const out = [
//   '// GENERATED from ../shared/specs/gsm/GSM0338.TXT (Unicode Consortium "GSM 03.38 to Unicode", table version 2.0,',
//   '// 2009-11-10; see ../shared/specs/gsm/SOURCE.md). Do not edit by hand and do not read ../shared at run time.',
//   '// To regenerate, run by hand from the repository root (the generator is the commented block below, the test',
//   '// gsm7.test.ts runs it again and checks its output is byte-identical to this file):',
//   "//   sed -n '/^\\/\\/ \\/\\/ >>> generator/,/^\\/\\/ \\/\\/ <<< generator/s|^// \\{0,1\\}||p' \\",
//   '//     src/modules/messaging/sms/gsm0338-table.ts > /tmp/gsm0338-gen.mjs',
//   '//   node /tmp/gsm0338-gen.mjs ../shared/specs/gsm/GSM0338.TXT > /tmp/gsm0338-table.ts',
//   '//   mv /tmp/gsm0338-table.ts src/modules/messaging/sms/gsm0338-table.ts',
//   '//',
//   ...self.map((l) => (l === '' ? '//' : '// ' + l)),
//   '',
//   `/** sha256 of the GSM0338.TXT this table was generated from. */`,
//   `export const GSM0338_SHA256 = '${crypto.createHash('sha256').update(bytes).digest('hex')}';`,
//   '',
//   '/** Default alphabet: index = septet value (0x00–0x7F), value = Unicode code point. 0x1B is ESC (shown as NBSP). */',
//   'export const GSM7_DEFAULT_TABLE: readonly number[] = [',
//   ...basic,
//   '];',
//   '',
//   '/** Extension table, reached with ESC (0x1B): [septet after ESC, Unicode code point, name]. */',
//   'export const GSM7_EXTENSION_TABLE: ReadonlyArray<readonly [number, number, string]> = [',
//   ...extension,
//   '];',
//   '',
//   '/** Commented alternatives in the source (NULL, capital C-cedilla, Greek capitals): [septet, code point, name]. */',
//   'export const GSM7_COMMENTED_ALTERNATIVES: ReadonlyArray<readonly [number, number, string]> = [',
//   ...commented,
//   '];',
//   '',
// ];
// process.stdout.write(out.join('\n'));
// // <<< generator

/** sha256 of the GSM0338.TXT this table was generated from. */
export const GSM0338_SHA256 = 'a5278e9c1ae79c4971fbd0f2d7e027bf102438bdd26c0dee14aa14442fdc3376';

/** Default alphabet: index = septet value (0x00–0x7F), value = Unicode code point. 0x1B is ESC (shown as NBSP). */
export const GSM7_DEFAULT_TABLE: readonly number[] = [
  0x0040, // 0x00 COMMERCIAL AT
  0x00A3, // 0x01 POUND SIGN
  0x0024, // 0x02 DOLLAR SIGN
  0x00A5, // 0x03 YEN SIGN
  0x00E8, // 0x04 LATIN SMALL LETTER E WITH GRAVE
  0x00E9, // 0x05 LATIN SMALL LETTER E WITH ACUTE
  0x00F9, // 0x06 LATIN SMALL LETTER U WITH GRAVE
  0x00EC, // 0x07 LATIN SMALL LETTER I WITH GRAVE
  0x00F2, // 0x08 LATIN SMALL LETTER O WITH GRAVE
  0x00E7, // 0x09 LATIN SMALL LETTER C WITH CEDILLA
  0x000A, // 0x0A LINE FEED
  0x00D8, // 0x0B LATIN CAPITAL LETTER O WITH STROKE
  0x00F8, // 0x0C LATIN SMALL LETTER O WITH STROKE
  0x000D, // 0x0D CARRIAGE RETURN
  0x00C5, // 0x0E LATIN CAPITAL LETTER A WITH RING ABOVE
  0x00E5, // 0x0F LATIN SMALL LETTER A WITH RING ABOVE
  0x0394, // 0x10 GREEK CAPITAL LETTER DELTA
  0x005F, // 0x11 LOW LINE
  0x03A6, // 0x12 GREEK CAPITAL LETTER PHI
  0x0393, // 0x13 GREEK CAPITAL LETTER GAMMA
  0x039B, // 0x14 GREEK CAPITAL LETTER LAMDA
  0x03A9, // 0x15 GREEK CAPITAL LETTER OMEGA
  0x03A0, // 0x16 GREEK CAPITAL LETTER PI
  0x03A8, // 0x17 GREEK CAPITAL LETTER PSI
  0x03A3, // 0x18 GREEK CAPITAL LETTER SIGMA
  0x0398, // 0x19 GREEK CAPITAL LETTER THETA
  0x039E, // 0x1A GREEK CAPITAL LETTER XI
  0x00A0, // 0x1B ESCAPE TO EXTENSION TABLE (or displayed as NBSP, see note above)
  0x00C6, // 0x1C LATIN CAPITAL LETTER AE
  0x00E6, // 0x1D LATIN SMALL LETTER AE
  0x00DF, // 0x1E LATIN SMALL LETTER SHARP S (German)
  0x00C9, // 0x1F LATIN CAPITAL LETTER E WITH ACUTE
  0x0020, // 0x20 SPACE
  0x0021, // 0x21 EXCLAMATION MARK
  0x0022, // 0x22 QUOTATION MARK
  0x0023, // 0x23 NUMBER SIGN
  0x00A4, // 0x24 CURRENCY SIGN
  0x0025, // 0x25 PERCENT SIGN
  0x0026, // 0x26 AMPERSAND
  0x0027, // 0x27 APOSTROPHE
  0x0028, // 0x28 LEFT PARENTHESIS
  0x0029, // 0x29 RIGHT PARENTHESIS
  0x002A, // 0x2A ASTERISK
  0x002B, // 0x2B PLUS SIGN
  0x002C, // 0x2C COMMA
  0x002D, // 0x2D HYPHEN-MINUS
  0x002E, // 0x2E FULL STOP
  0x002F, // 0x2F SOLIDUS
  0x0030, // 0x30 DIGIT ZERO
  0x0031, // 0x31 DIGIT ONE
  0x0032, // 0x32 DIGIT TWO
  0x0033, // 0x33 DIGIT THREE
  0x0034, // 0x34 DIGIT FOUR
  0x0035, // 0x35 DIGIT FIVE
  0x0036, // 0x36 DIGIT SIX
  0x0037, // 0x37 DIGIT SEVEN
  0x0038, // 0x38 DIGIT EIGHT
  0x0039, // 0x39 DIGIT NINE
  0x003A, // 0x3A COLON
  0x003B, // 0x3B SEMICOLON
  0x003C, // 0x3C LESS-THAN SIGN
  0x003D, // 0x3D EQUALS SIGN
  0x003E, // 0x3E GREATER-THAN SIGN
  0x003F, // 0x3F QUESTION MARK
  0x00A1, // 0x40 INVERTED EXCLAMATION MARK
  0x0041, // 0x41 LATIN CAPITAL LETTER A
  0x0042, // 0x42 LATIN CAPITAL LETTER B
  0x0043, // 0x43 LATIN CAPITAL LETTER C
  0x0044, // 0x44 LATIN CAPITAL LETTER D
  0x0045, // 0x45 LATIN CAPITAL LETTER E
  0x0046, // 0x46 LATIN CAPITAL LETTER F
  0x0047, // 0x47 LATIN CAPITAL LETTER G
  0x0048, // 0x48 LATIN CAPITAL LETTER H
  0x0049, // 0x49 LATIN CAPITAL LETTER I
  0x004A, // 0x4A LATIN CAPITAL LETTER J
  0x004B, // 0x4B LATIN CAPITAL LETTER K
  0x004C, // 0x4C LATIN CAPITAL LETTER L
  0x004D, // 0x4D LATIN CAPITAL LETTER M
  0x004E, // 0x4E LATIN CAPITAL LETTER N
  0x004F, // 0x4F LATIN CAPITAL LETTER O
  0x0050, // 0x50 LATIN CAPITAL LETTER P
  0x0051, // 0x51 LATIN CAPITAL LETTER Q
  0x0052, // 0x52 LATIN CAPITAL LETTER R
  0x0053, // 0x53 LATIN CAPITAL LETTER S
  0x0054, // 0x54 LATIN CAPITAL LETTER T
  0x0055, // 0x55 LATIN CAPITAL LETTER U
  0x0056, // 0x56 LATIN CAPITAL LETTER V
  0x0057, // 0x57 LATIN CAPITAL LETTER W
  0x0058, // 0x58 LATIN CAPITAL LETTER X
  0x0059, // 0x59 LATIN CAPITAL LETTER Y
  0x005A, // 0x5A LATIN CAPITAL LETTER Z
  0x00C4, // 0x5B LATIN CAPITAL LETTER A WITH DIAERESIS
  0x00D6, // 0x5C LATIN CAPITAL LETTER O WITH DIAERESIS
  0x00D1, // 0x5D LATIN CAPITAL LETTER N WITH TILDE
  0x00DC, // 0x5E LATIN CAPITAL LETTER U WITH DIAERESIS
  0x00A7, // 0x5F SECTION SIGN
  0x00BF, // 0x60 INVERTED QUESTION MARK
  0x0061, // 0x61 LATIN SMALL LETTER A
  0x0062, // 0x62 LATIN SMALL LETTER B
  0x0063, // 0x63 LATIN SMALL LETTER C
  0x0064, // 0x64 LATIN SMALL LETTER D
  0x0065, // 0x65 LATIN SMALL LETTER E
  0x0066, // 0x66 LATIN SMALL LETTER F
  0x0067, // 0x67 LATIN SMALL LETTER G
  0x0068, // 0x68 LATIN SMALL LETTER H
  0x0069, // 0x69 LATIN SMALL LETTER I
  0x006A, // 0x6A LATIN SMALL LETTER J
  0x006B, // 0x6B LATIN SMALL LETTER K
  0x006C, // 0x6C LATIN SMALL LETTER L
  0x006D, // 0x6D LATIN SMALL LETTER M
  0x006E, // 0x6E LATIN SMALL LETTER N
  0x006F, // 0x6F LATIN SMALL LETTER O
  0x0070, // 0x70 LATIN SMALL LETTER P
  0x0071, // 0x71 LATIN SMALL LETTER Q
  0x0072, // 0x72 LATIN SMALL LETTER R
  0x0073, // 0x73 LATIN SMALL LETTER S
  0x0074, // 0x74 LATIN SMALL LETTER T
  0x0075, // 0x75 LATIN SMALL LETTER U
  0x0076, // 0x76 LATIN SMALL LETTER V
  0x0077, // 0x77 LATIN SMALL LETTER W
  0x0078, // 0x78 LATIN SMALL LETTER X
  0x0079, // 0x79 LATIN SMALL LETTER Y
  0x007A, // 0x7A LATIN SMALL LETTER Z
  0x00E4, // 0x7B LATIN SMALL LETTER A WITH DIAERESIS
  0x00F6, // 0x7C LATIN SMALL LETTER O WITH DIAERESIS
  0x00F1, // 0x7D LATIN SMALL LETTER N WITH TILDE
  0x00FC, // 0x7E LATIN SMALL LETTER U WITH DIAERESIS
  0x00E0, // 0x7F LATIN SMALL LETTER A WITH GRAVE
];

/** Extension table, reached with ESC (0x1B): [septet after ESC, Unicode code point, name]. */
export const GSM7_EXTENSION_TABLE: ReadonlyArray<readonly [number, number, string]> = [
  [0x0A, 0x000C, "FORM FEED"],
  [0x14, 0x005E, "CIRCUMFLEX ACCENT"],
  [0x28, 0x007B, "LEFT CURLY BRACKET"],
  [0x29, 0x007D, "RIGHT CURLY BRACKET"],
  [0x2F, 0x005C, "REVERSE SOLIDUS"],
  [0x3C, 0x005B, "LEFT SQUARE BRACKET"],
  [0x3D, 0x007E, "TILDE"],
  [0x3E, 0x005D, "RIGHT SQUARE BRACKET"],
  [0x40, 0x007C, "VERTICAL LINE"],
  [0x65, 0x20AC, "EURO SIGN"],
];

/** Commented alternatives in the source (NULL, capital C-cedilla, Greek capitals): [septet, code point, name]. */
export const GSM7_COMMENTED_ALTERNATIVES: ReadonlyArray<readonly [number, number, string]> = [
  [0x00, 0x0000, "NULL (see note above)"],
  [0x09, 0x00C7, "LATIN CAPITAL LETTER C WITH CEDILLA (see note above)"],
  [0x41, 0x0391, "GREEK CAPITAL LETTER ALPHA"],
  [0x42, 0x0392, "GREEK CAPITAL LETTER BETA"],
  [0x45, 0x0395, "GREEK CAPITAL LETTER EPSILON"],
  [0x48, 0x0397, "GREEK CAPITAL LETTER ETA"],
  [0x49, 0x0399, "GREEK CAPITAL LETTER IOTA"],
  [0x4B, 0x039A, "GREEK CAPITAL LETTER KAPPA"],
  [0x4D, 0x039C, "GREEK CAPITAL LETTER MU"],
  [0x4E, 0x039D, "GREEK CAPITAL LETTER NU"],
  [0x4F, 0x039F, "GREEK CAPITAL LETTER OMICRON"],
  [0x50, 0x03A1, "GREEK CAPITAL LETTER RHO"],
  [0x54, 0x03A4, "GREEK CAPITAL LETTER TAU"],
  [0x58, 0x03A7, "GREEK CAPITAL LETTER CHI"],
  [0x59, 0x03A5, "GREEK CAPITAL LETTER UPSILON"],
  [0x5A, 0x0396, "GREEK CAPITAL LETTER ZETA"],
];
