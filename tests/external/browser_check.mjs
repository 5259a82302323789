// Open a built depesche site in headless Chromium (driven by playwright-core) and
// check what a reader would check, at phone and desktop width.
//
// Usage: node browser_check.mjs SPEC.json
//
// SPEC: {
//   "chromium": "/usr/bin/chromium",          the browser to drive (Debian's package)
//   "screenshots": "DIR",                      where to put one PNG per page and width
//   "language": "de",
//   "sites": [{"name": "seeds", "root": "DIR", "base": "https://depesche.example.org/",
//              "expect": [{"path": "", "h1": "...", "text": ["...", ...]}]}]
// }
//
// The pages are loaded at their real addresses (the base URL): every request to the
// site is answered from the built folder, and any request leaving it is refused and
// reported, so the test needs no network and no server. Prints one line per problem
// and exits 1 if there was any.

import { readFileSync, existsSync, statSync, readdirSync, mkdirSync } from 'node:fs';
import { join, extname, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const spec = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const axeSource = readFileSync(join(here, 'node_modules/axe-core/axe.min.js'), 'utf8');
const problems = [];
const problem = (where, message) => problems.push(`${where}: ${message}`);

const VIEWPORTS = {
  phone: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 },
  desktop: { viewport: { width: 1280, height: 800 } },
};
// The rules of WCAG 2.1 A and AA, and axe's best practices (landmarks, one <h1>, ...).
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
};

/** The file behind a URL of the site, or null for a URL outside it or a missing file. */
function localFile(site, url) {
  const bare = url.split('#')[0].split('?')[0];
  if (!bare.startsWith(site.base)) return null;
  let rel = decodeURIComponent(bare.slice(site.base.length));
  if (rel === '' || rel.endsWith('/')) rel += 'index.html';
  const path = join(site.root, rel);
  if (!path.startsWith(site.root)) return null;
  if (existsSync(path) && statSync(path).isDirectory()) return null; // a folder without its slash
  return existsSync(path) ? path : null;
}

/** Every HTML page of the site, as paths relative to the base URL ("" is the home page). */
function pagesOf(root, prefix = '') {
  const pages = [];
  for (const entry of readdirSync(join(root, prefix), { withFileTypes: true })) {
    const rel = prefix + entry.name;
    if (entry.isDirectory()) pages.push(...pagesOf(root, rel + '/'));
    else if (entry.name === 'index.html') pages.push(prefix);
    else if (extname(entry.name) === '.html') pages.push(rel);
  }
  return pages.sort();
}

async function newContext(browser, site, options, outside) {
  const context = await browser.newContext({ ...options, locale: 'de-DE', timezoneId: 'Europe/Berlin' });
  await context.route('**/*', async (route) => {
    const url = route.request().url();
    if (!url.startsWith(site.base)) {
      outside.push(url);
      return route.abort('blockedbyclient');
    }
    const path = localFile(site, url);
    if (path) {
      return route.fulfill({ status: 200, body: readFileSync(path), contentType: TYPES[extname(path)] });
    }
    return route.fulfill({ status: 404, body: readFileSync(join(site.root, '404.html')), contentType: TYPES['.html'] });
  });
  return context;
}

/** Facts about the loaded page, measured in the page (JavaScript on). */
function measure() {
  const rgb = (color) => (color.match(/[\d.]+/g) || []).slice(0, 4).map(Number);
  const luminance = ([r, g, b]) => {
    const lin = (c) => ((c /= 255) <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  };
  const contrast = (a, b) => {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  };
  const background = (el) => {
    for (; el; el = el.parentElement) {
      const c = rgb(getComputedStyle(el).backgroundColor);
      if (c.length === 3 || c[3] > 0) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const width = window.innerWidth;
  const wide = [...document.body.querySelectorAll('*')]
    .filter((el) => el.getBoundingClientRect().right > width + 1 || el.scrollWidth > el.clientWidth + 1)
    .map((el) => `<${el.tagName.toLowerCase()}${el.className ? ' class="' + el.className + '"' : ''}>`);
  const texts = [...document.querySelectorAll('main p, main li, main h1, main h2, header a, footer div, nav a')]
    .filter((el) => el.textContent.trim());
  const lowContrast = texts
    .map((el) => ({ el, ratio: contrast(rgb(getComputedStyle(el).color).slice(0, 3), background(el)) }))
    .filter(({ ratio }) => ratio < 4.5)
    .map(({ el, ratio }) => `<${el.tagName.toLowerCase()}> "${el.textContent.trim().slice(0, 40)}" ${ratio.toFixed(2)}:1`);
  const small = [...document.querySelectorAll('main p, main li')]
    .filter((el) => el.textContent.trim() && parseFloat(getComputedStyle(el).fontSize) < 13)
    .map((el) => `<${el.tagName.toLowerCase()}> ${getComputedStyle(el).fontSize}`);
  // The size the prose is set in: half the characters of <main>'s plain
  // paragraphs (the article text and teasers, not the notes and dates around
  // them, which have a class) are at least that large.
  const sizes = [];
  const prose = [...document.querySelectorAll('main p:not([class])')];
  for (const block of prose.length ? prose : [document.querySelector('main') || document.body]) {
    const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
    for (let node; (node = walker.nextNode()); ) {
      const chars = node.textContent.trim().length;
      if (chars && node.parentElement.offsetParent !== null) sizes.push([parseFloat(getComputedStyle(node.parentElement).fontSize), chars]);
    }
  }
  sizes.sort((a, b) => b[0] - a[0]);
  const total = sizes.reduce((sum, [, chars]) => sum + chars, 0);
  let seen = 0;
  const mainFontSize = sizes.find(([, chars]) => (seen += chars) * 2 >= total)?.[0] ?? null;
  const header = document.querySelector('header');
  const h1 = document.querySelector('h1');
  return {
    headerGap: header && h1 ? h1.getBoundingClientRect().top - header.getBoundingClientRect().bottom : null,
    innerWidth: width,
    scrollWidth: document.documentElement.scrollWidth,
    wide: wide.slice(0, 5),
    lowContrast,
    small,
    mainFontSize,
  };
}

async function checkPage(page, site, path, label) {
  const url = site.base + path;
  const where = `${site.name} ${label} ${url}`;
  const errors = (page.errors = []);
  const response = await page.goto(url, { waitUntil: 'load' });
  const notFoundPage = path === '404.html';
  if (!response || response.status() !== 200) problem(where, `answered ${response && response.status()}`);

  const doc = await page.evaluate(() => ({
    lang: document.documentElement.lang,
    title: document.title,
    h1: [...document.querySelectorAll('h1')].map((h) => h.textContent.trim()),
    main: document.querySelector('main') ? document.querySelector('main').innerText : '',
    feeds: [...document.querySelectorAll('link[rel~="alternate"]')].map((l) => ({ type: l.type, href: l.href })),
    links: [...document.querySelectorAll('a[href]')].map((a) => a.href),
    // JSON-LD is data for search engines, not a script that runs.
    scripts: document.querySelectorAll('script:not([type="application/ld+json"])').length,
    viewport: !!document.querySelector('meta[name="viewport"][content*="width=device-width"]'),
  }));
  if (doc.lang !== spec.language) problem(where, `<html lang="${doc.lang}">, expected "${spec.language}"`);
  if (!doc.title.trim()) problem(where, 'has no <title>');
  if (doc.h1.length !== 1 || !doc.h1[0]) problem(where, `has ${doc.h1.length} <h1> elements: ${JSON.stringify(doc.h1)}`);
  if (!doc.viewport) problem(where, 'has no <meta name="viewport" content="width=device-width, ...">');
  const wanted = ['application/atom+xml', 'application/rss+xml', 'application/feed+json'];
  for (const type of wanted) {
    const feed = doc.feeds.find((f) => f.type === type);
    if (!feed) problem(where, `no feed autodiscovery link of type ${type}`);
    else if (!localFile(site, feed.href)) problem(where, `feed link ${feed.href} (${type}) leads to no file of the site`);
  }
  for (const href of new Set(doc.links)) {
    if (href.startsWith(site.base) && !localFile(site, href)) problem(where, `broken link to ${href}`);
  }
  for (const expected of site.expect.filter((e) => e.path === path)) {
    if (doc.h1[0] !== expected.h1) problem(where, `<h1> is ${JSON.stringify(doc.h1[0])}, expected ${JSON.stringify(expected.h1)}`);
    for (const text of expected.text) {
      if (!doc.main.includes(text)) problem(where, `the page does not show ${JSON.stringify(text)}`);
    }
  }
  if (!notFoundPage && !doc.main.trim()) problem(where, 'shows no text in <main>');
  return { doc, errors };
}

/**
 * A page's kind, from its path: the home page, a story, a version, a diff, ...
 * Digits and slugs are wildcards, so `2024/10/28/<slug>/v/2/` is `N/N/N/S/v/N/`
 * and `ort/<slug>/` is `ort/S/`.
 */
function kindOf(path) {
  const parts = path.split('/');
  const dated = /^\d{4}$/.test(parts[0]);
  const slugAt = dated ? 3 : parts[0] === 'ort' && parts.length > 2 ? 1 : -1;
  return parts.map((part, i) => (i === slugAt ? 'S' : /^[\d-]+$/.test(part) ? 'N' : part)).join('/');
}

/** Run `task(page, item)` over `items` in `width` tabs of `context` at a time. */
async function pool(context, items, width, task) {
  let next = 0;
  const worker = async () => {
    const page = await context.newPage();
    page.on('pageerror', (e) => page.errors.push(`page error: ${e.message}`));
    page.on('console', (m) => m.type() === 'error' && page.errors.push(`console error: ${m.text()}`));
    while (next < items.length) await task(page, items[next++]);
    await page.close();
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
}

/** Layout, legibility and contrast at one width, in the given colour schemes. */
async function checkLayout(page, where, width, schemes) {
  for (const scheme of schemes) {
    await page.emulateMedia({ colorScheme: scheme });
    const m = await page.evaluate(measure);
    const at = `${where} (${scheme})`;
    if (width === 'phone' && m.innerWidth !== 390) problem(at, `layout viewport is ${m.innerWidth}px wide on a 390px phone`);
    if (m.scrollWidth > m.innerWidth) {
      problem(at, `scrolls sideways: ${m.scrollWidth}px of content in ${m.innerWidth}px; too wide: ${m.wide.join(' ')}`);
    }
    m.lowContrast.forEach((c) => problem(at, `text contrast below 4.5:1: ${c}`));
    m.small.forEach((s) => problem(at, `text too small to read: ${s}`));
    if (m.headerGap !== null && m.headerGap < 12) problem(at, `the <h1> crowds the site header: ${m.headerGap}px apart`);
    if (m.mainFontSize !== null && m.mainFontSize < 16) problem(at, `most of the prose is ${m.mainFontSize}px, under 16px`);
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

async function checkAccessibility(page, where) {
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate((tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags } }), AXE_TAGS);
  for (const v of result.violations) {
    const targets = v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ');
    problem(where, `axe ${v.id} (${v.impact}): ${v.help}: ${targets}`);
  }
}

async function screenshots(page, name, width) {
  await page.screenshot({ path: join(spec.screenshots, `${name}-${width}.png`) });
  if (width === 'phone') {
    await page.screenshot({ path: join(spec.screenshots, `${name}-${width}-full.png`), fullPage: true });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: join(spec.screenshots, `${name}-${width}-dark.png`) });
    await page.emulateMedia({ colorScheme: 'light' });
  }
}

async function main() {
  mkdirSync(spec.screenshots, { recursive: true });
  const browser = await chromium.launch({
    executablePath: spec.chromium,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  let loads = 0;
  const kindsSeen = new Set();
  for (const site of spec.sites) {
    const pages = pagesOf(site.root);
    for (const expected of site.expect) {
      if (!pages.includes(expected.path)) problem(site.name, `page ${expected.path || '(home)'} was not written`);
    }
    // What search engines are told exists does exist.
    // `sitemap.xml` is a sitemap index: its addresses are the sitemaps.
    const locsOf = (file) => [...readFileSync(file, 'utf8').matchAll(/<loc>([^<]*)<\/loc>/g)].map((m) => m[1].replace(/&amp;/g, '&'));
    const index = existsSync(join(site.root, 'sitemap.xml')) ? locsOf(join(site.root, 'sitemap.xml')) : [];
    index.filter((loc) => !localFile(site, loc)).forEach((loc) => problem(`${site.name} sitemap.xml`, `lists ${loc}, which is no file of the site`));
    const locs = index.map((loc) => localFile(site, loc)).filter(Boolean).flatMap((file) => locsOf(file));
    if (!locs.length) problem(site.name, 'the sitemaps list no pages');
    locs.filter((loc) => !localFile(site, loc)).forEach((loc) => problem(`${site.name} sitemaps`, `list ${loc}, which is no file of the site`));
    // The thorough checks (desktop width, dark mode, axe, screenshots,
    // JavaScript off) run on the first page of each kind in the whole run and
    // on every page with known content; every page gets the rest at phone width.
    const thorough = new Set();
    for (const path of pages) {
      const kind = kindOf(path);
      if (!kindsSeen.has(kind) || site.expect.some((e) => e.path === path)) thorough.add(path);
      kindsSeen.add(kind);
    }
    for (const [width, options] of Object.entries(VIEWPORTS)) {
      const outside = [];
      const context = await newContext(browser, site, options, outside);
      // Every page on a phone, where space is short; on the desktop, where a
      // page that fits a phone fits too, the thorough ones.
      const load = width === 'phone' ? pages : pages.filter((path) => thorough.has(path));
      await pool(context, load, 3, async (page, path) => {
        const where = `${site.name} ${width} ${site.base + path}`;
        const { errors } = await checkPage(page, site, path, width);
        loads++;
        errors.forEach((e) => problem(where, e));
        await checkLayout(page, where, width, thorough.has(path) ? ['light', 'dark'] : ['light']);
        if (thorough.has(path)) {
          await screenshots(page, `${site.name}-${(path || 'index').replace(/\/$/, '').replace(/[\/.]/g, '_')}`, width);
          await checkAccessibility(page, where);
        }
      });
      [...new Set(outside)].forEach((url) => problem(`${site.name} ${width}`, `request leaves the site: ${url}`));
      await context.close();
    }
    // A mistyped address deep in the site gets the 404 page (as a web server
    // would send it), and its links and feeds still work from there.
    {
      const outside = [];
      const context = await newContext(browser, site, VIEWPORTS.phone, outside);
      const page = await context.newPage();
      page.errors = [];
      const missing = `${site.base}2024/01/01/gibt-es-nicht/v/9/`;
      const response = await page.goto(missing);
      loads++;
      const doc = await page.evaluate(() => ({
        h1: document.querySelector('h1')?.textContent.trim(),
        links: [...document.querySelectorAll('a[href], link[href]')].map((a) => a.href),
        styled: getComputedStyle(document.body).marginTop === '0px',
      }));
      if (response.status() !== 404 || !doc.h1) problem(`${site.name} ${missing}`, 'the 404 page does not show');
      if (!doc.styled) problem(`${site.name} ${missing}`, 'the 404 page loses its style at a deep address');
      for (const href of new Set(doc.links)) {
        if (!href.startsWith(site.base)) problem(`${site.name} ${missing}`, `the 404 page links outside the site: ${href}`);
        else if (!localFile(site, href)) problem(`${site.name} ${missing}`, `the 404 page's link ${href} leads nowhere`);
      }
      [...new Set(outside)].forEach((url) => problem(`${site.name} 404`, `request leaves the site: ${url}`));
      await context.close();
    }
    // With JavaScript off (as many privacy-minded readers browse), the pages still show their text.
    const outside = [];
    const context = await newContext(browser, site, { ...VIEWPORTS.phone, javaScriptEnabled: false }, outside);
    await pool(context, [...thorough], 3, async (page, path) => {
      const where = `${site.name} phone/no-js ${site.base + path}`;
      const { doc } = await checkPage(page, site, path, 'phone/no-js');
      loads++;
      // The search page alone runs a script (the search itself); it still shows its form and a note.
      if (doc.scripts && path !== 'suche/') problem(where, `has ${doc.scripts} <script> elements; the archive needs none`);
      const h1 = await page.evaluate(() => document.querySelector('h1')?.getBoundingClientRect().toJSON());
      if (!h1 || h1.height === 0 || h1.y > 844) problem(where, 'the headline is not on the first screen without JavaScript');
    });
    [...new Set(outside)].forEach((url) => problem(`${site.name} no-js`, `request leaves the site: ${url}`));
    await context.close();
  }
  console.log(`Chromium ${browser.version()}: ${loads} page loads in ${spec.sites.length} sites, ${kindsSeen.size} kinds of page`);
  await browser.close();
  problems.forEach((p) => console.log(`problem: ${p}`));
  console.log(`${problems.length} problems`);
  process.exit(problems.length ? 1 : 0);
}

main().catch((e) => {
  console.error(e);
  process.exit(2);
});
