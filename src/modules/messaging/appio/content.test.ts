// App IO content within the spec's limits (subject 10–120, markdown 80–10000): padded, shortened or refused.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppIoContentError, buildContent, buildMarkdown, buildSubject, MARKDOWN_MAX, MARKDOWN_MIN, plainTextToMarkdown, SUBJECT_MAX } from './content.js';

const SENDER = 'Comune di Asti';

describe('App IO content', () => {
  it('keeps a subject within limits as it is (whitespace collapsed)', () => {
    assert.deepEqual(buildSubject('  Chiusura   di via Roma ', SENDER), { subject: 'Chiusura di via Roma', truncated: false });
  });

  it('a subject shorter than 10 characters gets the sender in front', () => {
    assert.equal(buildSubject('Neve', SENDER).subject, 'Comune di Asti: Neve');
    assert.equal(buildSubject('Neve', 'Bra').subject, 'Avviso: Bra: Neve');
    assert.equal(buildSubject('', SENDER).subject, 'Comune di Asti');
  });

  it('a subject longer than 120 is cut at a word with an ellipsis', () => {
    const { subject, truncated } = buildSubject('Allerta meteo arancione '.repeat(10), SENDER);
    assert.ok(truncated);
    assert.ok(subject.length <= SUBJECT_MAX);
    assert.match(subject, /arancione…$|meteo…$|Allerta…$/);
  });

  it('a body shorter than 80 characters gets a signature naming the sender', () => {
    const { markdown } = buildMarkdown('Strada chiusa.', SENDER);
    assert.ok([...markdown].length >= MARKDOWN_MIN);
    assert.match(markdown, /^Strada chiusa\.\n\n---\n\n_Avviso di Comune di Asti, inviato perché/);
  });

  it('a body longer than 10000 is cut at a boundary with a note; never more than the limit', () => {
    const long = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(400);
    const { markdown, truncated } = buildMarkdown(long, SENDER);
    assert.ok(truncated);
    assert.ok(markdown.length <= MARKDOWN_MAX);
    assert.match(markdown, /…\n\n_\(Testo abbreviato per App IO/);
    // Characters outside the BMP count twice in UTF-16: still within the limit, no broken surrogate pair.
    const emoji = buildMarkdown('⚠️🚒'.repeat(4000), SENDER).markdown;
    assert.ok(emoji.length <= MARKDOWN_MAX);
    assert.doesNotMatch(emoji, /[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });

  it('plain text is escaped so that it renders as written', () => {
    assert.equal(plainTextToMarkdown('Sconto *50%* su [tutto] #oggi'), 'Sconto \\*50%\\* su \\[tutto\\] \\#oggi');
    assert.equal(plainTextToMarkdown('1. primo\n- secondo'), '1\\. primo  \n\\- secondo');
    assert.equal(plainTextToMarkdown('riga uno\n\nriga due'), 'riga uno\n\nriga due');
  });

  it('refuses a message with no text at all', () => {
    assert.throws(() => buildContent({ title: 'Avviso importante', body: '   ', sender_name: SENDER }), AppIoContentError);
  });
});
