// Drives the generated metric dictionary site in headless Chromium (Debian's, through
// playwright-core from tools/node_modules), opened from disk. Run by tests/tests/docs_site.rs:
//
//   node tests/browser/site.mjs CASE.json
//
// CASE.json says where the site is and what the dictionary holds (computed by the Rust test
// from dictionary.json), so every check compares the page with an independent expectation.
// Fails (exit status 1, with the reasons) on any failed check, on any request that is not a
// file: URL, and on any script error.

import { createRequire } from "node:module";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const require = createRequire(new URL("../../tools/package.json", import.meta.url));
const { chromium } = require("playwright-core");

const spec = JSON.parse(readFileSync(process.argv[2], "utf8"));
const failures = [];
const check = (ok, message) => {
  if (!ok) failures.push(message);
};
const log = (message) => process.stderr.write(`site.mjs: ${message}\n`);

const profile = mkdtempSync(join(tmpdir(), "metricc-chromium-"));
// A fresh profile (--user-data-dir) for each run: playwright takes it as the persistent
// context's folder.
const context = await chromium.launchPersistentContext(profile, {
  executablePath: "/usr/bin/chromium",
  headless: true,
  viewport: { width: 1200, height: 900 },
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
  ],
});

try {
  // Nothing may leave the page: every request that is not a file: URL is recorded and
  // refused.
  const offsite = [];
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith("file:")) {
      return route.continue();
    }
    offsite.push(url);
    return route.abort();
  });
  const errors = [];
  const watch = (page) => {
    page.on("request", (r) => {
      if (!r.url().startsWith("file:") && !r.url().startsWith("data:")) offsite.push(r.url());
    });
    page.on("pageerror", (e) => errors.push(`script error: ${e.message}`));
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(`console error: ${m.text()}`);
    });
    page.on("dialog", (d) => {
      errors.push(`a dialog opened: ${d.message()}`);
      d.dismiss();
    });
  };

  const home = pathToFileURL(join(spec.site, "index.html")).href;
  const page = await context.newPage();
  watch(page);
  const loadStart = Date.now();
  await page.goto(home);
  await page.waitForFunction(() => !/Loading/.test(document.getElementById("count").textContent));
  log(`index loaded and searchable in ${Date.now() - loadStart} ms`);
  const countText = await page.textContent("#count");
  check(
    countText.replace(/,/g, "").startsWith(`${spec.metrics} metric`),
    `the count says "${countText}", expected ${spec.metrics} metrics`,
  );
  check(
    (await page.evaluate(() => document.activeElement && document.activeElement.id)) === "q",
    "the search box does not have the focus on load",
  );

  // Search: the metric searched by its key path comes first.
  await page.fill("#q", spec.search.query);
  const first = await page.textContent("#results li:first-child a");
  check(first === spec.search.first, `searching "${spec.search.query}" lists "${first}" first, expected "${spec.search.first}"`);
  const searchCount = await page.textContent("#count");
  check(
    searchCount.replace(/,/g, "").startsWith(`${spec.search.matches} metric`),
    `searching "${spec.search.query}": "${searchCount}", expected ${spec.search.matches} matches`,
  );

  // Searching by event name and by group finds metrics too.
  for (const [query, expected] of spec.also_found) {
    await page.fill("#q", query);
    const keys = await page.$$eval("#results li a", (as) => as.map((a) => a.textContent));
    const more = await page.isVisible("#more");
    check(
      keys.includes(expected) || more,
      `searching "${query}" does not list "${expected}"`,
    );
  }

  // A filter: the results are the metrics of that stage, and the URL holds the state.
  await page.fill("#q", "");
  await page.selectOption("#f-stage", spec.filter.stage);
  await page.fill("#q", spec.filter.query);
  const filtered = await page.textContent("#count");
  check(
    filtered.replace(/,/g, "").startsWith(`${spec.filter.matches} metric`),
    `stage ${spec.filter.stage} + "${spec.filter.query}": "${filtered}", expected ${spec.filter.matches}`,
  );
  const url = page.url();
  const hash = new URLSearchParams(new URL(url).hash.slice(1));
  check(hash.get("stage") === spec.filter.stage, `the URL ${url} does not hold the stage filter`);
  check(hash.get("q") === spec.filter.query, `the URL ${url} does not hold the query`);

  // The URL alone restores the view (a shared link).
  const shared = await context.newPage();
  watch(shared);
  await shared.goto(url);
  await shared.waitForFunction(() => !/Loading/.test(document.getElementById("count").textContent));
  check((await shared.inputValue("#q")) === spec.filter.query, "a shared URL does not restore the query");
  check((await shared.inputValue("#f-stage")) === spec.filter.stage, "a shared URL does not restore the filter");
  check((await shared.textContent("#count")) === filtered, "a shared URL does not give the same results");
  await shared.close();

  // Search speed, measured in the page: from the input event to the results laid out.
  // Each query runs 3 times (after the empty query, so every run does the whole work);
  // the best run is compared with the limit, so that another process taking the CPU for a
  // moment (the machine runs the test suite in parallel) does not fail the test, and the
  // worst is logged.
  await page.selectOption("#f-stage", "");
  const timings = await page.evaluate((queries) => {
    const input = document.getElementById("q");
    const results = document.getElementById("results");
    const once = (q) => {
      input.value = "";
      input.dispatchEvent(new Event("input", { bubbles: true }));
      input.value = q;
      const start = performance.now();
      input.dispatchEvent(new Event("input", { bubbles: true }));
      results.getBoundingClientRect(); // forces layout
      return performance.now() - start;
    };
    return queries.map((q) => {
      const runs = [once(q), once(q), once(q)];
      return [q, Math.min(...runs), Math.max(...runs)];
    });
  }, spec.timing_queries);
  for (const [q, best] of timings) {
    check(best < spec.max_search_ms, `searching "${q}" took ${best.toFixed(1)} ms at best (limit ${spec.max_search_ms} ms)`);
  }
  log(`search times, best/worst of 3 (ms): ${timings.map(([q, b, w]) => `${q}=${b.toFixed(1)}/${w.toFixed(1)}`).join(", ")}`);

  // Keyboard: from the search box, ArrowDown reaches the results, Enter follows a link.
  await page.fill("#q", spec.search.query);
  await page.focus("#q");
  await page.keyboard.press("ArrowDown");
  const focused = await page.evaluate(() => document.activeElement.textContent);
  check(focused === spec.search.first, `ArrowDown from the search box focuses "${focused}"`);
  await page.keyboard.press("ArrowUp");
  check(
    (await page.evaluate(() => document.activeElement.id)) === "q",
    "ArrowUp from the first result does not go back to the search box",
  );
  await page.keyboard.press("ArrowDown");
  await Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);

  // The metric page: its permalink and its content.
  const metric = spec.metric;
  check(page.url().endsWith(`/metrics/${metric.slug}.html`), `Enter opened ${page.url()}`);
  check((await page.textContent("h1")) === metric.key_path, "the metric page's heading is not its key path");
  const lead = (await page.textContent("p.lead")).trim();
  check(lead === metric.description, `the metric page shows "${lead}", expected "${metric.description}"`);
  const body = await page.textContent("main");
  for (const text of metric.shows) {
    check(body.includes(text), `the metric page does not show "${text}"`);
  }
  // Following links: the owner's page lists the metric.
  if (metric.group) {
    await Promise.all([page.waitForNavigation(), page.click(`table.facts a[href$="groups/${metric.group.slug}.html"]`)]);
    check((await page.textContent("h1")) === `Group ${metric.group.name}`, "the group link does not open the group page");
    const listed = await page.$$eval("main table a", (as) => as.map((a) => a.textContent));
    check(listed.includes(metric.key_path), "the group page does not list the metric");
    // And back to the metric by a click.
    await Promise.all([page.waitForNavigation(), page.click(`main table a[href$="metrics/${metric.slug}.html"]`)]);
    check((await page.textContent("h1")) === metric.key_path, "the group page's link does not open the metric");
  }
  // Hostile text is shown as text: no element, no script, no dialog.
  if (spec.hostile) {
    await page.goto(pathToFileURL(join(spec.site, "metrics", `${spec.hostile.slug}.html`)).href);
    const shown = (await page.textContent("p.lead")).trim();
    check(shown === spec.hostile.description, `the hostile description shows as "${shown}"`);
    check((await page.$$("main img, main script")).length === 0, "the hostile description made an element");
    await page.goto(`${home}#q=${encodeURIComponent(spec.hostile.query)}`);
    await page.waitForFunction(() => !/Loading/.test(document.getElementById("count").textContent));
    const text = await page.textContent("#results li p");
    check(text === spec.hostile.description, `the search result shows "${text}"`);
    check((await page.$$("#results img, #results script")).length === 0, "a search result made an element");
    check(!(await page.evaluate(() => window.__metriccHostile)), "hostile text ran a script");
  }
  // The other pages open without errors.
  for (const path of spec.pages) {
    await page.goto(pathToFileURL(join(spec.site, path)).href);
    check((await page.$$("h1")).length === 1, `${path} has no single h1`);
  }

  check(offsite.length === 0, `requests left the page: ${[...new Set(offsite)].join(", ")}`);
  failures.push(...errors);
} catch (e) {
  failures.push(`the browser test stopped: ${e.stack || e}`);
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}

if (failures.length) {
  process.stderr.write(`site.mjs: ${failures.length} failed check(s):\n- ${failures.join("\n- ")}\n`);
  process.exit(1);
}
log("every check passed");
