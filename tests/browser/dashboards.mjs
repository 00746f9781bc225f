// Drives the xMAU dashboards of the generated site in headless Chromium (Debian's, through
// playwright-core from tools/node_modules), opened from disk. Run by tests/tests/dashboards.rs:
//
//   node tests/browser/dashboards.mjs CASE.json
//
// CASE.json names the site, a stage (slug, name) and a metric of it with figures (key path,
// slug, the chart's anchor, and the estimate of its last month as the table must show it). The walk: the
// overview, the stage's page from the overview's link, the metric's chart there, the metric's
// dictionary page from the chart's link, and back to the chart from the dictionary page.
// Fails (exit status 1, with the reasons) on any failed check, on any request that is not a
// file: URL, on an image that does not load, and on any script error.

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
const log = (message) => process.stderr.write(`dashboards.mjs: ${message}\n`);

const profile = mkdtempSync(join(tmpdir(), "metricc-chromium-"));
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
  const page = await context.newPage();
  page.on("request", (r) => {
    if (!r.url().startsWith("file:")) offsite.push(r.url());
  });
  page.on("requestfailed", (r) => errors.push(`request failed: ${r.url()}`));
  page.on("pageerror", (e) => errors.push(`script error: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(`console error: ${m.text()}`);
  });
  // Every image of the page is drawn (an SVG that does not parse has no width).
  const imagesLoaded = async (where) => {
    const broken = await page.$$eval("img", (imgs) =>
      imgs.filter((i) => !i.complete || i.naturalWidth === 0).map((i) => i.getAttribute("src")),
    );
    check(broken.length === 0, `${where}: images not drawn: ${broken.join(", ")}`);
    check((await page.$$("script")).length === 0, `${where}: the page has a script element`);
  };

  // 1. The overview, from disk.
  const overview = pathToFileURL(join(spec.site, "dashboards/index.html")).href;
  await page.goto(overview);
  check((await page.textContent("h1")).trim() === "xMAU dashboards", "the overview's title");
  await imagesLoaded("the overview");
  const current = await page.getAttribute('header nav a[aria-current="page"]', "href");
  check(current === "../dashboards/index.html", `the navigation marks ${current} as current`);

  // 2. Follow the stage's link.
  await Promise.all([page.waitForURL(`**/dashboards/stages/${spec.stage.slug}.html`), page.click(`ul.stages a[href="stages/${spec.stage.slug}.html"]`)]);
  const title = (await page.textContent("h1")).trim();
  check(title.startsWith(spec.stage.name), `the stage page's title is "${title}"`);
  await imagesLoaded("the stage page");
  const figure = `figure[id="${spec.metric.anchor}"]`;
  check((await page.$$(figure)).length === 1, `the stage page has no chart of ${spec.metric.key_path}`);
  const chart = await page.getAttribute(`${figure} img`, "src");
  check(chart === `../charts/${spec.metric.slug}.svg`, `the chart is ${chart}`);
  const last = await page.$$eval(`${figure} tbody tr`, (rows) =>
    rows.map((r) => [...r.children].map((c) => c.textContent.trim())),
  );
  check(last.length === spec.months, `the table has ${last.length} months, not ${spec.months}`);
  const lastRow = last[last.length - 1] || [];
  check(lastRow[1] === spec.metric.last_estimated, `the last month's estimate shows "${lastRow[1]}", not "${spec.metric.last_estimated}"`);

  // 3. From the chart to the metric's dictionary page.
  await Promise.all([page.waitForURL(`**/metrics/${spec.metric.slug}.html`), page.click(`${figure} a.back`)]);
  check((await page.textContent("h1")).trim() === spec.metric.key_path, "the dictionary page's title");

  // 4. And back to the chart.
  const back = await page.getAttribute("a.chart-link", "href");
  check(back === `../dashboards/stages/${spec.stage.slug}.html#${spec.metric.anchor}`, `the dictionary page links to ${back}`);
  await Promise.all([page.waitForURL(`**/dashboards/stages/${spec.stage.slug}.html#${spec.metric.anchor}`), page.click("a.chart-link")]);
  const target = await page.evaluate(() => document.querySelector(":target")?.id);
  check(target === spec.metric.anchor, `the chart is not the page's target (${target})`);
  const visible = await page.evaluate((id) => {
    const r = document.getElementById(id).getBoundingClientRect();
    return r.top >= -1 && r.top < window.innerHeight;
  }, spec.metric.anchor);
  check(visible, "the chart is not scrolled into view");

  // The group pages open too.
  for (const path of spec.pages) {
    await page.goto(pathToFileURL(join(spec.site, path)).href);
    check((await page.$$("h1")).length === 1, `${path} has no single h1`);
    await imagesLoaded(path);
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
  process.stderr.write(`dashboards.mjs: ${failures.length} failed check(s):\n- ${failures.join("\n- ")}\n`);
  process.exit(1);
}
log("every check passed");
