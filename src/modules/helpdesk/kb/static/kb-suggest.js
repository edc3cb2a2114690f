// Suggestions from the guide while a ticket is written (progressive enhancement of KbSuggestions in
// components.tsx). For each [data-kb-suggest] box: listens to the inputs named in data-kb-inputs, waits for a
// pause in typing, asks the JSON endpoint for up to 5 articles and lists them in the box's aria-live region.
// Everything from the server is inserted as text (textContent), never as HTML.
(function () {
  'use strict';
  var DELAY_MS = 350;
  var MIN_LETTERS = 3;

  function format(template, n) {
    return (template || '').replace('{n}', String(n));
  }

  function init(box) {
    var endpoint = box.getAttribute('data-kb-suggest');
    var guide = box.getAttribute('data-kb-guide');
    var results = box.querySelector('[data-kb-results]');
    var link = box.querySelector('[data-kb-search-link]');
    var inputs = (box.getAttribute('data-kb-inputs') || '')
      .split(/\s+/)
      .map(function (id) { return id ? document.getElementById(id) : null; })
      .filter(Boolean);
    if (!endpoint || !results || inputs.length === 0) return;

    var timer = null;
    var lastQuery = null;
    var inFlight = null;

    function typedText() {
      return inputs.map(function (input) { return input.value; }).join(' ').replace(/\s+/g, ' ').trim();
    }

    function render(items) {
      results.textContent = '';
      var summary = document.createElement('p');
      summary.className = 'small mb-1';
      summary.textContent = items.length === 0 ? box.getAttribute('data-kb-msg-none')
        : items.length === 1 ? box.getAttribute('data-kb-msg-one') : format(box.getAttribute('data-kb-msg-found'), items.length);
      results.appendChild(summary);
      if (items.length === 0) return;
      var list = document.createElement('ul');
      list.className = 'list-unstyled mb-2';
      items.forEach(function (item) {
        var li = document.createElement('li');
        li.className = 'mb-2';
        var a = document.createElement('a');
        a.href = item.url;
        a.target = '_blank';
        a.rel = 'noopener';
        a.textContent = item.title;
        li.appendChild(a);
        var snippet = document.createElement('span');
        snippet.className = 'd-block small';
        (item.snippet || []).forEach(function (part) {
          if (part.match) {
            var mark = document.createElement('mark');
            mark.textContent = part.text;
            snippet.appendChild(mark);
          } else {
            snippet.appendChild(document.createTextNode(part.text));
          }
        });
        li.appendChild(snippet);
        list.appendChild(li);
      });
      results.appendChild(list);
    }

    function update() {
      var text = typedText();
      // The no-JavaScript link to the search page carries what was typed (the first field, e.g. the subject).
      if (link && guide) {
        var first = inputs[0].value.trim().slice(0, 200);
        link.href = first ? guide + '?q=' + encodeURIComponent(first) : guide;
      }
      if (text === lastQuery) return;
      lastQuery = text;
      if (inFlight) inFlight.abort();
      if (text.replace(/[^\p{L}\p{N}]/gu, '').length < MIN_LETTERS) {
        results.textContent = '';
        return;
      }
      inFlight = new AbortController();
      fetch(endpoint + '&q=' + encodeURIComponent(text.slice(0, 1000)), {
        credentials: 'same-origin',
        headers: { accept: 'application/json' },
        signal: inFlight.signal,
      })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) { if (data && Array.isArray(data.items) && text === lastQuery) render(data.items); })
        .catch(function () { /* aborted or offline: the link to the search page still works */ });
    }

    function schedule() {
      if (timer) clearTimeout(timer);
      timer = setTimeout(update, DELAY_MS);
    }

    inputs.forEach(function (input) { input.addEventListener('input', schedule); });
    if (typedText()) schedule();
  }

  Array.prototype.forEach.call(document.querySelectorAll('[data-kb-suggest]'), init);
})();
