/**
 * SVG → PNG with resvg, a native module: Node only (the CLI and the Node server), never in the
 * Worker bundle. Text needs a CJK font on the machine (Debian: fonts-noto-cjk).
 */
export async function renderPosterPng(svg: string): Promise<Uint8Array> {
  const { Resvg } = await import('@resvg/resvg-js');
  return new Resvg(svg, { font: { loadSystemFonts: true, defaultFontFamily: 'Noto Sans CJK SC' }, fitTo: { mode: 'original' } }).render().asPng();
}
