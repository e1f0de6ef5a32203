// Every page is the same HTML shell (index.html); its address picks the page module to load. The server
// answers an unknown address a browser asks for with the same shell and a 404: the not-found page.
const PAGES = {
  '/': 'matrix',
  '/index.html': 'matrix',
  '/compare.html': 'compare',
  '/run.html': 'run',
  '/runs.html': 'runs',
  '/schedules.html': 'schedules',
};

await import(`/js/${PAGES[location.pathname] ?? 'not-found'}.js`);
