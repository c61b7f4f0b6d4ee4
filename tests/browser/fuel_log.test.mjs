// Drives the Fuel Log page in Debian's headless chromium and checks it against the API: a deep
// link, back and forward, a vehicle's story (row click and keyboard), the attention list, the CSV
// download, an empty period, sorting by keyboard, 360 px, and axe-core (no serious or critical
// violation).
// Usage: node fuel_log.test.mjs <base url of a FleetFuel serving analytics> <screenshot.png>
// FUEL_ANALYTICS_TOKEN: the token the API needs. FF_ASK_TOKEN=1: type it into the page's own
// prompt, as a person would, instead of pre-seeding the session. Screenshots: <screenshot.png>
// at 1400 px wide, and <screenshot>-phone.png at 360 px (whole pages); FF_DOCS_SCREENSHOTS=DIR
// also writes the first screen of each as DIR/fuel-log-1400.png and DIR/fuel-log-360.png.
import { chromium } from "playwright-core";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";

const [base, screenshot] = process.argv.slice(2);
if (!base || !screenshot) {
  console.error("usage: node fuel_log.test.mjs http://127.0.0.1:PORT/ out.png");
  process.exit(2);
}
const token = process.env.FUEL_ANALYTICS_TOKEN || "";
const askToken = token !== "" && process.env.FF_ASK_TOKEN === "1";
const axeSource = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

async function fetchApi(path) {
  const headers = token ? { Authorization: "Bearer " + token } : {};
  const res = await fetch(new URL(path, base), { headers });
  assert.equal(res.status, 200, path);
  return res;
}
const api = async (path) => (await fetchApi(path)).json();

async function kpis(page) {
  return page.$$eval("[data-kpi]", (els) =>
    Object.fromEntries(els.map((e) => [e.dataset.kpi, { value: e.dataset.value, text: e.textContent }])));
}

function expectKpis(shown, data) {
  const t = data.totals;
  const asShown = (v) => (v === null || v === undefined ? "" : String(v));
  for (const k of ["fills", "litres", "spend", "avg_price_per_litre", "km_per_litre"]) {
    assert.equal(shown[k].value, asShown(t[k]), "KPI " + k);
    assert.notEqual(shown[k].text.trim(), "", "KPI " + k + " is displayed");
  }
  const matched = data.rows.reduce((n, r) => n + (r.vehicle_number ? r.fills : 0), 0);
  const rate = t.fills ? Math.round((1000 * matched) / t.fills) / 10 : null;
  assert.equal(shown.plate_match_rate.value, asShown(rate), "plate match rate");
}

// The page has settled on the view the address describes.
async function settled(page, attrs = {}) {
  const sel = Object.entries(attrs).map(([k, v]) => `[data-${k}="${v}"]`).join("");
  await page.waitForSelector(`body[data-loaded="true"]${sel}`);
}

// axe-core in the page: no violation whose impact is serious or critical.
async function checkAxe(page, where) {
  if (!(await page.evaluate(() => typeof window.axe !== "undefined"))) await page.addScriptTag({ path: axeSource });
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(bad.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`), [],
                   "axe-core at " + where);
}

// RFC 4180 records, for the downloaded CSV.
function parseCsv(text) {
  const records = [];
  let record = [], field = "", quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (c === '"') quoted = false; else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") { record.push(field); field = ""; }
    else if (c === "\r" && text[i + 1] === "\n") { record.push(field); records.push(record); record = []; field = ""; i++; }
    else field += c;
  }
  return records;
}

async function checkPeriods(page) {
  // The period select reloads everything and writes the view into the address.
  for (const period of ["7d", "90d", "30d"]) {
    await page.selectOption("#period", period);
    await settled(page, { period });
    assert.equal(new URL(page.url()).searchParams.get("period"), period, "period in the address");
    expectKpis(await kpis(page), await api("analytics/fuel-fills?period=" + period));
  }
  const data30 = await api("analytics/fuel-fills?period=30d");
  assert.equal(await page.locator("#chart rect").count(), data30.trend.length, "a bar per day");
  assert.equal(await page.locator("#trend tbody tr").count(), data30.trend.length, "the chart's data table");
  // Back and forward walk through the views chosen.
  await page.goBack();
  await settled(page, { period: "90d" });
  expectKpis(await kpis(page), await api("analytics/fuel-fills?period=90d"));
  await page.goForward();
  await settled(page, { period: "30d" });
}

async function checkSorting(page) {
  const fills = async () => (await page.$$eval("#vehicles tbody tr td:nth-child(4)", (tds) => tds.map((t) => t.textContent)))
    .map((s) => Number(s.replace(/,/g, "")));
  const button = page.locator('#vehicles th[data-key="fills"] button');
  await button.focus();
  await page.keyboard.press("Enter");
  assert.equal(await page.getAttribute('#vehicles th[data-key="fills"]', "aria-sort"), "descending");
  assert.equal(await page.locator("#vehicles th[aria-sort]").count(), 1, "aria-sort on the sorted column only");
  let shown = await fills();
  assert.deepEqual(shown, [...shown].sort((a, b) => b - a), "sorted by fills, descending");
  await page.keyboard.press("Space");
  assert.equal(await page.getAttribute('#vehicles th[data-key="fills"]', "aria-sort"), "ascending");
  shown = await fills();
  assert.deepEqual(shown, [...shown].sort((a, b) => a - b), "sorted by fills, ascending");
}

async function checkDeepLinkAndStory(page) {
  // A deep link opens the view it names: the period, and KDA123A's story with its tracker.
  await page.goto(new URL("?period=365d&vehicle=KDA123A", base).href);
  await settled(page, { period: "365d", vehicle: "KDA123A" });
  assert.equal(await page.inputValue("#period"), "365d");
  assert.equal(await page.inputValue("#vehicle"), "KDA123A");
  const story = await api("analytics/fuel-fills/efficiency?period=365d&vehicle=KDA123A");
  expectKpis(await kpis(page), await api("analytics/fuel-fills?period=365d&vehicle=KDA123A"));
  assert.ok(await page.isVisible("#story"), "the story is open");
  assert.match(await page.textContent("#story-title"), /KDA123A/);
  assert.match(await page.textContent("#identity"), /IMEI 860000000000001/);
  assert.equal(await page.locator("#efficiency tbody tr").count(), story.rows.length, "a row per fill");
  for (const r of story.rows.filter((r) => r.plausible === false)) {
    const row = page.locator(`#efficiency tbody tr[data-id="${r.id}"]`);
    assert.match(await row.getAttribute("class"), /bad/, "implausible fill " + r.id + " marked");
    assert.match(await row.textContent(), /implausible: /, "and why");
  }
  assert.ok(story.rows.some((r) => r.plausible === false), "the seeded story has an implausible fill");
  await checkAxe(page, "a vehicle's story");

  // Back to every vehicle, focus on the vehicle table; the browser's back button returns.
  await page.click("#all-vehicles");
  await settled(page, { vehicle: "" });
  assert.ok(!(await page.isVisible("#story")), "the story closes");
  assert.equal(await page.evaluate(() => document.activeElement.id), "vehicles-title");
  await page.goBack();
  await settled(page, { vehicle: "KDA123A" });
  assert.ok(await page.isVisible("#story"), "back reopens the story");
  await page.goForward();
  await settled(page, { vehicle: "" });

  // Keyboard: the plate is a link; Enter opens the story and moves focus to it.
  const link = page.locator("#vehicles tbody a", { hasText: "KDE555E" });
  await link.focus();
  await page.keyboard.press("Enter");
  await settled(page, { vehicle: "KDE555E" });
  assert.equal(await page.evaluate(() => document.activeElement.id), "story-title");
  assert.equal(new URL(page.url()).searchParams.get("vehicle"), "KDE555E");
  assert.match(await page.textContent("#identity"), /No tracker/);
  assert.match(await page.textContent("#efficiency"), /odometer went backwards/);

  // A click anywhere on a row opens that vehicle's story too.
  await page.click("#all-vehicles");
  await settled(page, { vehicle: "" });
  await page.locator("#vehicles tbody tr", { hasText: "KCC789C" }).locator("td").nth(3).click();
  await settled(page, { vehicle: "KCC789C" });
  await page.click("#all-vehicles");
  await settled(page, { vehicle: "" });
}

async function checkAttention(page) {
  const data = await api("analytics/fuel-fills/attention?period=365d");
  assert.equal((await kpis(page)).attention.value, String(data.totals.items), "attention KPI");
  assert.equal(await page.locator("#attention tbody tr").count(), data.items.length, "an item per row");
  for (const reason of ["duplicate_receipt", "quick_refill", "unmatched_plate", "implausible_efficiency", "price_mismatch"]) {
    assert.ok(data.totals[reason] > 0, "seeded " + reason);
    assert.ok(await page.locator(`#attention tbody tr[data-reason="${reason}"]`).count() > 0, "listed: " + reason);
  }
  const refill = data.items.find((i) => i.reason === "quick_refill");
  assert.match(await page.locator('#attention tbody tr[data-reason="quick_refill"]').first().textContent(),
               new RegExp(refill.detail.replace(/[()]/g, ".")), "the reason is written out");
  assert.match(await page.textContent("#attention-counts"), /Receipt reused: 2/);
}

async function checkDownload(page) {
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#export")]);
  assert.match(download.suggestedFilename(), /^fuel-fills-\d{4}-\d{2}-\d{2}-to-\d{4}-\d{2}-\d{2}\.csv$/);
  const records = parseCsv(await readFile(await download.path(), "utf8"));
  assert.equal(records[0][0], "id", "a header row");
  const data = await api("analytics/fuel-fills?period=365d");
  assert.equal(records.length - 1, data.totals.fills, "every fill of the period, once");
  const sameAsApi = await (await fetchApi("analytics/fuel-fills.csv?period=365d")).text();
  assert.equal(records.length, parseCsv(sameAsApi).length, "the link is the API's export");
  assert.ok(records.some((r) => r.includes("'=HYPERLINK(\"http://x.example\",\"y\")")), "formulas made inert");
}

async function checkEmptyPeriod(page) {
  await page.goto(new URL("?from=2001-01-01&to=2001-01-31", base).href);
  await settled(page, { period: "2001-01-01..2001-01-31" });
  assert.equal(await page.inputValue("#period"), "range");
  assert.equal(await page.inputValue("#from"), "2001-01-01");
  assert.ok(await page.isVisible("#chart-empty"), "the empty period is said");
  assert.match(await page.textContent("#chart-empty"), /no fills in this period/i);
  assert.ok(!(await page.isVisible("#chart")), "no axes drawn for nothing");
  assert.equal(await page.locator("#chart text").count(), 0, "no axis labels");
  assert.equal((await kpis(page)).fills.value, "0");
  assert.ok(await page.isVisible("#attention-empty"));
  await checkAxe(page, "an empty period");
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"],
});
const problems = [];
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 }, acceptDownloads: true });
  // Before the token is typed in, Chromium logs the refused requests (401) as console errors:
  // expected then, and only then.
  let expect401 = askToken;
  page.on("console", (m) => {
    if (m.type() !== "error") return;
    if (expect401 && m.text().includes("401")) return;
    problems.push("console: " + m.text());
  });
  page.on("pageerror", (e) => problems.push("page error: " + e.message));
  if (token && !askToken) {
    // Pre-seeding the session skips the prompt and keeps the console clean.
    await page.addInitScript((t) => sessionStorage.setItem("fleetfuel.analytics.token", t), token);
  }

  await page.goto(base);
  if (askToken) {
    await page.waitForSelector("#auth.open #token");
    assert.notEqual(await page.getAttribute("body", "data-loaded"), "true", "no data before the token");
    await page.fill("#token", "wrong-" + token);
    await page.click('#auth button[type="submit"]');
    await page.waitForFunction(() => document.querySelector("#auth").classList.contains("open") &&
      document.querySelector("#status").textContent.includes("token"));
    assert.notEqual(await page.getAttribute("body", "data-loaded"), "true", "no data with a wrong token");
    await page.fill("#token", token);
    await page.click('#auth button[type="submit"]');
    await settled(page);
    assert.ok(!(await page.locator("#auth.open").count()), "prompt closed once the token is right");
    expect401 = false;
  }
  await settled(page, { period: "30d" });
  expectKpis(await kpis(page), await api("analytics/fuel-fills?period=30d"));
  await checkAxe(page, "the default view");
  await checkPeriods(page);
  await checkSorting(page);

  // Recent fills show their quality flags and unmatched plates.
  const flags = await page.$$eval("#recent .flag", (els) => els.map((e) => e.textContent));
  assert.ok(flags.includes("price mismatch"), "price_mismatch flag visible: " + flags.join("|"));
  assert.ok(flags.includes("unmatched plate"), "unmatched plate visible");

  await checkDeepLinkAndStory(page);
  await checkAttention(page);
  await checkDownload(page);
  await page.screenshot({ path: screenshot, fullPage: true });
  // FF_DOCS_SCREENSHOTS=docs: the first screen at 1400 px and 360 px, for docs/read-side.md.
  const docs = process.env.FF_DOCS_SCREENSHOTS;
  if (docs) await page.screenshot({ path: docs + "/fuel-log-1400.png" });

  // Phone-sized: nothing wider than the screen except inside the scrolling table boxes.
  await page.setViewportSize({ width: 360, height: 780 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, "page scrolls sideways on a phone by " + overflow + "px");
  await checkAxe(page, "360 px");
  await page.screenshot({ path: screenshot.replace(/\.png$/, "-phone.png"), fullPage: true });
  if (docs) await page.screenshot({ path: docs + "/fuel-log-360.png" });

  await page.setViewportSize({ width: 1400, height: 900 });
  await checkEmptyPeriod(page);

  assert.deepEqual(problems, [], "no console errors");
  console.log("fuel log page ok: " + screenshot);
} catch (e) {
  console.error(e);
  if (problems.length) console.error(problems.join("\n"));
  process.exitCode = 1;
} finally {
  await browser.close();
}
