// Puppeteer's own Chrome download only works where the network allows it (GitHub Actions).
// Elsewhere we launch Debian's chromium by path (see generator/browser.test.ts), so skip it.
module.exports = {
  skipDownload: process.env.GITHUB_ACTIONS !== 'true',
};
