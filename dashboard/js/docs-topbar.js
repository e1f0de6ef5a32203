// Served by @fastify/swagger-ui as a theme script of /docs (not a dashboard module): Swagger UI's top bar gets a
// way back to the dashboard, and its definition URL box a label. The bar is drawn by Swagger UI after load.
(() => {
  const dress = () => {
    const bar = document.querySelector('#swagger-ui .topbar-wrapper');
    const input = bar?.querySelector('input.download-url-input');
    if (!bar || !input) return false;
    // The logo (storbench's, set by the plugin) is an <a> without href in Swagger UI: make it the dashboard link.
    const logo = bar.querySelector('a.link');
    if (logo) {
      logo.href = '/';
      logo.setAttribute('aria-label', 'storbench dashboard');
    }
    const back = document.createElement('a');
    back.className = 'storbench-back';
    back.href = '/';
    back.textContent = '← storbench dashboard';
    if (logo) logo.after(back);
    else bar.prepend(back);
    input.id = 'definition-url';
    const label = document.createElement('label');
    label.htmlFor = input.id;
    label.className = 'storbench-url-label';
    label.textContent = 'OpenAPI document';
    input.before(label);
    return true;
  };
  if (!dress()) {
    const watch = new MutationObserver(() => {
      if (dress()) watch.disconnect();
    });
    watch.observe(document.documentElement, { childList: true, subtree: true });
  }
})();
