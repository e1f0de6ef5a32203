// Every page is the same HTML shell (index.html); its address picks the page module to load.
const PAGES = {
  '/': 'matrix',
  '/index.html': 'matrix',
  '/compare.html': 'compare',
  '/run.html': 'run',
  '/runs.html': 'runs',
  '/schedules.html': 'schedules',
};

await import(`/js/${PAGES[location.pathname] ?? 'matrix'}.js`);
