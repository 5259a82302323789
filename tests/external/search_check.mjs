// Search a built depesche site the way a reader does: serve its folder over HTTP on
// 127.0.0.1, open the search page at an address holding the query (`suche/?q=...`) in
// headless Chromium (driven by playwright-core) and read the results it shows.
//
// Usage: node search_check.mjs SPEC.json
//
// SPEC: {
//   "chromium": "/usr/bin/chromium",
//   "root": "DIR",                           the built output folder
//   "queries": [{"q": "Regierungen", "expect": "headline", "absent": "headline"?}],
//   "older": true?                           also press "older months" until none is left
// }
//
// Prints one JSON object: per query the results shown (headline, date, place, link,
// whether the link's page exists), the status line, and every request the search made
// with its size: `bytes` of the body as the page reads it and `transfer`, the body as
// the server sent it (text gzip-compressed, as static hosts do; headers not counted).
// Exits 1 on a script error or a failed request.

import { createServer } from 'node:http';
import { gzipSync } from 'node:zlib';
import { readFileSync, existsSync, statSync } from 'node:fs';
import { join, extname, normalize } from 'node:path';
import { chromium } from 'playwright-core';

const spec = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
};

/** The file of the site behind a request path, or null. */
function fileOf(root, urlPath) {
  let rel = decodeURIComponent(urlPath.split('?')[0]);
  if (rel.endsWith('/')) rel += 'index.html';
  const path = normalize(join(root, rel));
  if (!path.startsWith(root) || !existsSync(path) || statSync(path).isDirectory()) return null;
  return path;
}

const root = normalize(spec.root);
// Bytes of each response body as sent (compressed or not), by request path.
let sent = new Map();
const server = createServer((request, response) => {
  const path = fileOf(root, request.url);
  if (!path) {
    response.writeHead(404, { 'content-type': 'text/plain' });
    return response.end('not found');
  }
  let body = readFileSync(path);
  const headers = { 'content-type': TYPES[extname(path)] || 'application/octet-stream' };
  // Text is sent compressed when the browser asks for it, as static hosts do;
  // Pagefind's index files and WebAssembly are compressed already.
  if (TYPES[extname(path)] && /\bgzip\b/.test(request.headers['accept-encoding'] || '')) {
    body = gzipSync(body);
    headers['content-encoding'] = 'gzip';
  }
  headers['content-length'] = body.length;
  sent.set(request.url, body.length);
  response.writeHead(200, headers);
  response.end(body);
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${server.address().port}`;

const problems = [];
const browser = await chromium.launch({ executablePath: spec.chromium, args: ['--no-sandbox'] });
const report = { origin, queries: [] };
try {
  for (const query of spec.queries) {
    sent = new Map();
    const context = await browser.newContext({ locale: 'de-DE', timezoneId: 'Europe/Berlin' });
    const page = await context.newPage();
    page.on('pageerror', (error) => problems.push(`script error: ${error.message}`));
    page.on('console', (message) => {
      // A failed request is reported below, with its address.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
        problems.push(`console error: ${message.text()}`);
      }
    });
    page.on('response', (response) => {
      const url = response.url();
      if (response.status() >= 400 && !url.endsWith('/favicon.ico')) problems.push(`${response.status()}: ${url}`);
    });
    const requests = [];
    page.on('requestfinished', async (request) => {
      const response = await request.response();
      const body = response ? (await response.body().catch(() => Buffer.alloc(0))).length : 0;
      const url = request.url().slice(origin.length);
      requests.push({ url, status: response?.status(), bytes: body, transfer: sent.get(url) ?? 0 });
    });
    page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()}`));
    const address = `${origin}/suche/?q=${encodeURIComponent(query.q)}`;
    await page.goto(address, { waitUntil: 'load' });
    await page.waitForFunction(() => /Treffer/.test(document.getElementById('suchstatus').textContent), null, { timeout: 60000 });
    const firstStatus = await page.textContent('#suchstatus');
    let pressed = 0;
    while (spec.older && (await page.locator('#aeltere').isVisible())) {
      await page.click('#aeltere');
      pressed += 1;
      await page.waitForFunction(() => /Treffer/.test(document.getElementById('suchstatus').textContent), null, { timeout: 60000 });
    }
    // Results render as they scroll into view: wait until the first has loaded.
    const count = await page.locator('#treffer > li').count();
    if (count > 0) await page.waitForSelector('#treffer > li h2 a', { timeout: 30000 });
    await page.waitForLoadState('networkidle');
    const results = await page.$$eval('#treffer > li', (items) => items.filter((li) => li.querySelector('h2 a')).map((li) => ({
      headline: li.querySelector('h2 a').textContent,
      href: li.querySelector('h2 a').getAttribute('href'),
      date: li.querySelector('time')?.textContent,
      datetime: li.querySelector('time')?.getAttribute('datetime'),
      meta: li.querySelector('.meta')?.textContent,
      excerpt: li.querySelector('p:last-child')?.innerHTML,
    })));
    for (const result of results) result.page_exists = fileOf(root, result.href) !== null;
    report.queries.push({
      q: query.q,
      address: page.url().slice(origin.length),
      first_status: firstStatus,
      status: await page.textContent('#suchstatus'),
      input: await page.inputValue('#q'),
      older_pressed: pressed,
      results,
      requests,
      bytes: requests.reduce((sum, r) => sum + r.bytes, 0),
      transfer: requests.reduce((sum, r) => sum + r.transfer, 0),
    });
    await context.close();
  }
} finally {
  await browser.close();
  server.close();
}
console.log(JSON.stringify({ ...report, problems }, null, 1));
process.exit(problems.length ? 1 : 0);
