// Opens the HTML reports in a real headless Chromium (Debian's, installed by e2e/lab/setup.sh) and
// checks what a person would see: the charts drawn from the plan's numbers, the tables, no script errors.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { chromium, type Browser } from "playwright-core";
import { loadCatalog } from "../../core/catalog/load";
import { compareScenarios } from "../../core/compare/scenarios";
import { planFleet } from "../../core/planner/plan";
import { parseFleetFile } from "../../core/fleet-spec/parse";
import { resolveFleet } from "../../core/fleet-spec/resolve";
import { comparisonHtml, planHtml } from "../../report/html";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const example = join(__dirname, "..", "..", "examples", "fleet.yaml");

describe("HTML reports in Chromium", () => {
  let browser: Browser;
  const dir = mkdtempSync(join(tmpdir(), "sovereign-html-"));

  before(async () => {
    assert.ok(
      existsSync(CHROMIUM),
      `Chromium not found at ${CHROMIUM}: run e2e/lab/setup.sh (Debian package chromium)`,
    );
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
  });
  after(async () => {
    await browser?.close();
  });

  async function open(html: string, name: string) {
    const file = join(dir, name);
    writeFileSync(file, html);
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
    // Offline: the report must not fetch anything.
    await page.route(/^(?!file:)/, (route) => {
      errors.push(`network request: ${route.request().url()}`);
      return route.abort();
    });
    await page.goto(`file://${file}`);
    await page.waitForSelector("body[data-rendered=true]", { timeout: 10_000 });
    await page.screenshot({ path: file.replace(/\.html$/, ".png"), fullPage: true });
    return { page, errors };
  }

  test("plan report draws cost per operator and matches the plan", async () => {
    const catalog = loadCatalog();
    const plan = await planFleet(resolveFleet(parseFleetFile(example), catalog), catalog);
    const { page, errors } = await open(planHtml(plan), "plan.html");
    assert.deepEqual(errors, []);
    assert.equal(await page.locator("table.nodes tbody tr").count(), plan.nodes.length);
    // Page scripts are strings: this test compiles against Node's types, not the DOM's.
    const chart = (await page.evaluate(`(() => {
      const c = Chart.getChart(document.getElementById("cost"));
      return { labels: c.data.labels, values: c.data.datasets[0].data, width: c.width };
    })()`)) as { labels: string[]; values: number[]; width: number };
    assert.deepEqual(chart.labels, Object.keys(plan.totals.byOperator));
    assert.deepEqual(chart.values, Object.values(plan.totals.byOperator));
    assert.ok(chart.width > 100, "the chart has a real size on the page");
    // The canvas is not blank: some pixels are drawn in the bar colour.
    const drawn = (await page.evaluate(`(() => {
      const canvas = document.getElementById("cost");
      const px = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
      let blue = 0;
      for (let i = 0; i < px.length; i += 4) if (px[i] === 9 && px[i + 1] === 105 && px[i + 2] === 218) blue++;
      return blue;
    })()`)) as number;
    assert.ok(drawn > 500, `bars are drawn (${drawn} bar-coloured pixels)`);
    await page.close();
  });

  test("comparison report plots every feasible scenario on the frontier", async () => {
    const catalog = loadCatalog();
    const comparison = await compareScenarios(parseFleetFile(example), catalog);
    const { page, errors } = await open(comparisonHtml(comparison), "compare.html");
    assert.deepEqual(errors, []);
    const points = (await page.evaluate(
      `Chart.getChart(document.getElementById("frontier")).data.datasets[0].data`,
    )) as Array<{ y: number }>;
    const feasible = comparison.scenarios.filter((s) => s.feasible);
    assert.equal(points.length, feasible.length);
    assert.deepEqual(
      points.map((p) => p.y),
      feasible.map((s) => s.monthlyUsd),
    );
    assert.equal(await page.locator("table.scenarios tbody tr").count(), comparison.scenarios.length);
    await page.close();
  });
});
