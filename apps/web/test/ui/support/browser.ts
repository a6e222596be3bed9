// Chromium through playwright-core (Debian's /usr/bin/chromium, or CHROMIUM_PATH), with a helper
// that photographs a page in both themes at desktop and phone size and runs axe-core on each.
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { webDir } from '../../support/processes.ts';

const axeSource: string = (createRequire(import.meta.url)('axe-core') as { source: string }).source;

export const screenshotDir = path.join(webDir, 'test-results', 'screenshots');

export const VIEWPORTS = {
  desktop: { width: 1440, height: 900 },
  phone: { width: 390, height: 844 },
} as const;

/** `args` are added to the usual flags (the live tests' fake camera, for one). */
export function launchChromium({ args = [] }: { args?: string[] } = {}): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    // Flags verified on Debian 12 (docs/toolchain.md §13).
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...args,
    ],
  });
}

/** Sums layout-shift entries from the page's start (the CLS a user would feel, roughly). */
export const LAYOUT_SHIFT_RECORDER = `
  window.__visageShift = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.__visageShift += entry.value;
  }).observe({ type: 'layout-shift', buffered: true });
`;

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

async function runAxe(page: Page): Promise<AxeViolation[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: axeSource });
  return page.evaluate(async () => {
    const axe = (
      window as unknown as { axe: { run(ctx: Document, o: object): Promise<{ violations: AxeViolation[] }> } }
    ).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target, failureSummary: n.failureSummary })),
    }));
  });
}

/** Waits until images in view have loaded and transitions have had time to end. */
async function settle(page: Page): Promise<void> {
  await page.waitForLoadState('load');
  await page
    .waitForFunction(() => [...document.images].every((img) => img.complete), undefined, { timeout: 10_000 })
    .catch(() => undefined); // a broken image shows in the screenshot; that is what we want to see
  await page.waitForTimeout(350);
}

export interface CaptureResult {
  violations: { variant: string; violations: AxeViolation[] }[];
  layoutShift: number;
}

/**
 * Screenshots `page` as `<name>-<light|dark>-<desktop|phone>.png` and runs axe-core on each variant.
 * Returns the serious/critical violations found and the layout shift measured before resizing.
 */
export async function capture(page: Page, name: string): Promise<CaptureResult> {
  await mkdir(screenshotDir, { recursive: true });
  await settle(page);
  const layoutShift = await page.evaluate(
    () => (window as unknown as { __visageShift?: number }).__visageShift ?? 0,
  );
  const original = page.viewportSize();
  const violations: CaptureResult['violations'] = [];
  for (const [device, size] of Object.entries(VIEWPORTS)) {
    await page.setViewportSize(size);
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      await settle(page);
      const variant = `${name}-${colorScheme}-${device}`;
      // A full-page shot of a scrolled page draws sticky parts where the scroll left them.
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.screenshot({
        path: path.join(screenshotDir, `${variant}.png`),
        fullPage: true,
        animations: 'disabled',
      });
      const found = (await runAxe(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
      if (found.length > 0) violations.push({ variant, violations: found });
    }
  }
  if (original) await page.setViewportSize(original);
  await page.emulateMedia({ colorScheme: 'light' });
  return { violations, layoutShift };
}
