// Loads the Fuel Log page in Debian's headless chromium and checks it against the API.
// Usage: node fuel_log.test.mjs <base url of a FleetFuel serving analytics> <screenshot.png>
// FUEL_ANALYTICS_TOKEN: the token the API needs. FF_ASK_TOKEN=1: type it into the page's own
// prompt, as a person would, instead of pre-seeding the session.
import { chromium } from "playwright-core";
import assert from "node:assert/strict";

const [base, screenshot] = process.argv.slice(2);
if (!base || !screenshot) {
  console.error("usage: node fuel_log.test.mjs http://127.0.0.1:PORT/ out.png");
  process.exit(2);
}
const token = process.env.FUEL_ANALYTICS_TOKEN || "";
const askToken = token !== "" && process.env.FF_ASK_TOKEN === "1";

async function api(path) {
  const headers = token ? { Authorization: "Bearer " + token } : {};
  const res = await fetch(new URL(path, base), { headers });
  assert.equal(res.status, 200, path);
  return res.json();
}

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

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"],
});
const problems = [];
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
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
    await page.waitForSelector('body[data-loaded="true"]');
    assert.ok(!(await page.locator("#auth.open").count()), "prompt closed once the token is right");
    expect401 = false;
  }
  await page.waitForSelector('body[data-loaded="true"]');
  expectKpis(await kpis(page), await api("analytics/fuel-fills?period=30d"));

  // Switching the period reloads everything for the new range.
  await page.selectOption("#period", "7d");
  await page.waitForSelector('body[data-loaded="true"][data-period="7d"]');
  expectKpis(await kpis(page), await api("analytics/fuel-fills?period=7d"));
  await page.selectOption("#period", "90d");
  await page.waitForSelector('body[data-loaded="true"][data-period="90d"]');
  const data90 = await api("analytics/fuel-fills?period=90d");
  expectKpis(await kpis(page), data90);

  // The chart has one bar per day; the vehicle table sorts by a clicked column.
  assert.equal(await page.locator("#chart rect").count(), data90.trend.length, "chart bars");
  await page.click('#vehicles th[data-key="fills"]');
  const fills = (await page.$$eval("#vehicles tbody tr td:nth-child(4)", (tds) => tds.map((t) => t.textContent)))
    .map((s) => Number(s.replace(/,/g, "")));
  assert.deepEqual(fills, [...fills].sort((a, b) => b - a), "sorted by fills, descending");
  assert.equal(fills.length, data90.rows.length, "one row per vehicle");

  // Recent fills show their quality flags and unmatched plates.
  const flags = await page.$$eval("#recent .flag", (els) => els.map((e) => e.textContent));
  assert.ok(flags.includes("price mismatch"), "price_mismatch flag visible: " + flags.join("|"));
  assert.ok(flags.includes("unmatched plate"), "unmatched plate visible");

  await page.screenshot({ path: screenshot, fullPage: true });

  // Phone-sized: nothing wider than the screen except inside the scrolling table boxes.
  await page.setViewportSize({ width: 390, height: 844 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, "page scrolls sideways on a phone by " + overflow + "px");
  await page.screenshot({ path: screenshot.replace(/\.png$/, "-phone.png"), fullPage: true });

  assert.deepEqual(problems, [], "no console errors");
  console.log("fuel log page ok: " + screenshot);
} catch (e) {
  console.error(e);
  if (problems.length) console.error(problems.join("\n"));
  process.exitCode = 1;
} finally {
  await browser.close();
}
