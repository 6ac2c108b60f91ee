/**
 * One small icon for every page (console, report and ticket pages, playground, API reference),
 * served by us: a browser asking for /favicon.ico otherwise gets a JSON 404 in its tab.
 */
export const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#3370ff"/><text x="16" y="23" font-size="19" text-anchor="middle" fill="#fff" font-family="Noto Sans CJK SC,PingFang SC,Microsoft YaHei,sans-serif">共</text></svg>`;
export const FAVICON_PATH = '/favicon.svg';
export const FAVICON_LINK = `<link rel="icon" type="image/svg+xml" href="${FAVICON_PATH}">`;
