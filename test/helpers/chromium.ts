/**
 * Debian's Chromium for the browser tests, launched by playwright-core with the flags this project uses.
 * Absent on a laptop, the tests skip with a note saying how to enable them; on CI (CI set) its absence is
 * an error, since CI must run them.
 */
import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";

const CHROMIUM = "/usr/bin/chromium";
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/** Whether Chromium is here, and the `(skipped: …)` suffix for test names when it is not. */
export function chromiumFor(testName: string): { available: boolean; suffix: string } {
  const available = existsSync(CHROMIUM);
  const note = `${CHROMIUM} is not installed; \`apt-get install -y chromium\` enables this test`;
  if (!available && process.env.CI) throw new Error(`The ${testName} must run on CI: ${note}.`);
  if (!available) console.warn(`Skipping the ${testName}: ${note}.`);
  return { available, suffix: available ? "" : ` (skipped: ${note})` };
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
}
