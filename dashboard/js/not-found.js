// The page of an address that is none of the dashboard's: the server answered it with a 404 and the page shell.
import { el, page } from './common.js';

const main = page(null, 'Page not found');
main.append(
  el('h1', {}, 'Page not found'),
  el('p', { id: 'not-found' }, 'There is no page at ', el('code', {}, location.pathname), '.'),
  el(
    'p',
    {},
    el('a', { href: '/' }, '← Back to the matrix'),
    ' · ',
    el('a', { href: '/runs.html' }, 'all runs'),
    ' · ',
    el('a', { href: '/schedules.html' }, 'schedules'),
    ' · ',
    el('a', { href: '/docs' }, 'the API documentation'),
  ),
);
