import { FAVICON_SVG } from '../http/favicon';
import QRCode from 'qrcode';

export interface PosterInput {
  groupName: string;
  deployment: string;
  hotline: string | null;
  /** The report page the QR code opens. */
  url: string;
}

const FONT = "'Noto Sans CJK SC','Source Han Sans SC','PingFang SC','Microsoft YaHei',sans-serif";
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Splits a long group name over two lines rather than shrinking it into illegibility. */
function titleLines(name: string): string[] {
  if (name.length <= 13) return [name];
  const mid = Math.ceil(name.length / 2);
  return [name.slice(0, mid), name.slice(mid)];
}

/**
 * An A4 poster (1240 × 1754, 150 dpi) as SVG: the group's name, what to scan it for, the QR
 * code and the hotline. One drawing serves the PNG, the printable HTML and the console.
 */
export async function posterSvg(p: PosterInput): Promise<string> {
  const qr = await QRCode.toString(p.url, { type: 'svg', margin: 0, errorCorrectionLevel: 'M' });
  const viewBox = /viewBox="([^"]+)"/.exec(qr)?.[1] ?? '0 0 33 33';
  const inner = qr.replace(/^[\s\S]*?<svg[^>]*>/, '').replace(/<\/svg>\s*$/, '');
  const lines = titleLines(p.groupName);
  const title = lines.map((l, i) => `<text x="620" y="${260 + i * 96}" font-size="80" font-weight="700" text-anchor="middle">${esc(l)}</text>`).join('');
  const top = 260 + (lines.length - 1) * 96;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="1240" height="1754" viewBox="0 0 1240 1754" font-family="${FONT}">
<rect width="1240" height="1754" fill="#ffffff"/>
<rect x="0" y="0" width="1240" height="140" fill="#3370ff"/>
<text x="620" y="92" font-size="48" fill="#ffffff" text-anchor="middle">${esc(p.deployment)}</text>
${title}
<text x="620" y="${top + 110}" font-size="52" text-anchor="middle" fill="#1f2329">企业遇到困难，扫码反映</text>
<text x="620" y="${top + 180}" font-size="36" text-anchor="middle" fill="#646a73">手机填写 · 按时限办理 · 随时查看进度</text>
<rect x="320" y="${top + 240}" width="600" height="600" fill="#ffffff" stroke="#dee0e3" stroke-width="4" rx="24"/>
<svg x="360" y="${top + 280}" width="520" height="520" viewBox="${viewBox}" shape-rendering="crispEdges">${inner}</svg>
<text x="620" y="${top + 920}" font-size="34" text-anchor="middle" fill="#646a73">微信、企业微信、钉钉扫一扫均可</text>
${p.hotline ? `<text x="620" y="${top + 1000}" font-size="40" text-anchor="middle" fill="#1f2329">也可拨打 ${esc(p.hotline)}</text>` : ''}
<text x="620" y="1690" font-size="26" text-anchor="middle" fill="#8f959e">${esc(p.url)}</text>
</svg>`;
}

/** The poster as a page that prints on one A4 sheet (or saves as PDF from the browser). */
export function posterHtml(svg: string, title: string): string {
  // The icon inline: the poster is also saved as a file and opened from disk.
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" type="image/svg+xml" href="data:image/svg+xml,${encodeURIComponent(FAVICON_SVG)}"><title>${esc(title)}</title>
<style>@page{size:A4;margin:0}html,body{margin:0;background:#eee}.sheet{width:210mm;height:297mm;margin:0 auto;background:#fff}
.sheet svg{width:100%;height:100%;display:block}.bar{text-align:center;padding:12px;font:16px sans-serif}
@media print{html,body{background:#fff}.bar{display:none}}</style></head>
<body><div class="bar"><button onclick="print()">打印 / 另存为 PDF</button></div><div class="sheet">${svg}</div></body></html>`;
}
