// Puppeteer's own Chrome download only works where the network allows it (GitHub Actions).
// Elsewhere we launch Debian's chromium by path (see generator/test/browser.ts), so skip it.
module.exports = {
  skipDownload: process.env.GITHUB_ACTIONS !== 'true',
};
