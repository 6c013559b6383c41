import puppeteer from 'puppeteer';
import { mkdtempSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
const [file, width, out, selector] = process.argv.slice(2);
const browser = await puppeteer.launch({ executablePath: '/usr/bin/chromium', userDataDir: mkdtempSync('/tmp/prof-'), args: ['--headless', '--no-sandbox', '--disable-gpu'] });
const page = await browser.newPage();
await page.setViewport({ width: Number(width), height: 900, isMobile: Number(width) < 500, hasTouch: Number(width) < 500 });
await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
await new Promise((r) => setTimeout(r, 1500));
if (selector) { const el = await page.$(selector); await el?.scrollIntoView(); await el?.screenshot({ path: out }); }
else await page.screenshot({ path: out, fullPage: false });
console.log(await page.evaluate(() => [...document.querySelectorAll('pre')].map((p) => [p.getBoundingClientRect().right, p.scrollWidth, p.clientWidth, document.documentElement.clientWidth])));
await browser.close();
