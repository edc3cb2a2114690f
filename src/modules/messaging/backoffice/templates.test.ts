// Template rendering: placeholders filled, spaces inside braces tolerated, unknown or unfilled ones refused in
// Italian; the default templates use only known placeholders.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MessagingError } from '../service.js';
import { DEFAULT_TEMPLATES, isPlaceholder, placeholdersOf, renderTemplate } from './templates.js';

describe('message templates', () => {
  it('fills placeholders, also with spaces inside the braces and repeated', () => {
    assert.equal(renderTemplate('Chiusa {{via}} a {{ comune }} il {{data}} ({{via}})', { via: 'via Roma', comune: 'Asti', data: '24/11/2026' }), 'Chiusa via Roma a Asti il 24/11/2026 (via Roma)');
    assert.equal(renderTemplate('Nessun segnaposto', {}), 'Nessun segnaposto');
    assert.equal(renderTemplate('Valori {{via}}', { via: '  $& {{data}} ' }), 'Valori $& {{data}}', 'values are literal, not re-expanded');
  });

  it('refuses unknown placeholders and missing values with an Italian message', () => {
    assert.throws(() => renderTemplate('Ciao {{nome}}', { nome: 'x' }), (e: unknown) => e instanceof MessagingError && /Segnaposto sconosciuto: \{\{nome\}\}/.test(e.message) && /\{\{comune\}\}/.test(e.message));
    assert.throws(() => renderTemplate('A {{via}} il {{data}}', { via: 'via Roma', data: '  ' }), /Manca il valore di \{\{data\}\}/);
  });

  it('lists placeholders in order of appearance', () => {
    assert.deepEqual(placeholdersOf('{{ora}} {{via}}', null, '{{ora}} {{x}}'), ['ora', 'via', 'x']);
  });

  it('default templates use only known placeholders and render with all values', () => {
    const values = { comune: 'Asti', data: '24/11/2026', ora: '18:00', via: 'corso Alfieri', zona: 'centro', rifiuto: 'plastica' };
    for (const tpl of DEFAULT_TEMPLATES) {
      assert.ok(placeholdersOf(tpl.title, tpl.body, tpl.smsText).every(isPlaceholder), tpl.name);
      for (const text of [tpl.title, tpl.body, tpl.smsText ?? '']) assert.doesNotMatch(renderTemplate(text, values), /\{\{/);
    }
    assert.deepEqual(DEFAULT_TEMPLATES.map((t) => t.name), ['Allerta meteo', 'Chiusura strada', 'Raccolta rifiuti']);
  });
});
